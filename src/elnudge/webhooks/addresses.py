"""Where webhooks may be sent (SSRF safety), checked when an endpoint is created and again before
every delivery, since DNS can change.

An endpoint URL must be `https://` to a host whose every address is public. Private (10/8,
172.16/12, 192.168/16, fc00::/7), link-local (169.254/16 — the cloud metadata address among
them — and fe80::/10), shared, reserved, multicast and unspecified addresses are always
refused. Plain `http://` and loopback addresses (127/8, ::1, `localhost`) are allowed only with
`ELNUDGE_WEBHOOKS_ALLOW_LOCAL=true`, for development. Redirects are never followed (the sender
treats a 3xx as a failure), so an allowed URL cannot bounce a delivery elsewhere.
"""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit

from elnudge.errors import InvalidRequest

MAX_URL_LENGTH = 2048
Address = ipaddress.IPv4Address | ipaddress.IPv6Address


class UnsafeUrl(InvalidRequest):
    """The URL may not receive webhooks; the message says why."""

    def __init__(self, message: str) -> None:
        super().__init__(message, param="url")


def check_url(url: str, *, allow_local: bool) -> list[Address]:
    """The addresses `url`'s host resolves to, all allowed; UnsafeUrl otherwise."""
    if len(url) > MAX_URL_LENGTH or any(ord(c) < 33 or ord(c) == 127 for c in url):
        raise UnsafeUrl("The URL is too long or contains spaces or control characters.")
    parts = urlsplit(url)
    allowed_schemes = ("https", "http") if allow_local else ("https",)
    if parts.scheme not in allowed_schemes:
        raise UnsafeUrl("Webhook URLs must use https.")
    if parts.username or parts.password:
        raise UnsafeUrl("Webhook URLs must not carry credentials.")
    try:
        host, port = parts.hostname, parts.port
    except ValueError as error:
        raise UnsafeUrl("The URL's port is invalid.") from error
    if not host:
        raise UnsafeUrl("The URL has no host.")
    addresses = _resolve(host, port or (443 if parts.scheme == "https" else 80))
    for address in addresses:
        _check_address(address, allow_local=allow_local)
    return addresses


def _resolve(host: str, port: int) -> list[Address]:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as error:
        raise UnsafeUrl(f"The host {host!r} cannot be resolved.") from error
    found = {ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in infos}
    if not found:
        raise UnsafeUrl(f"The host {host!r} cannot be resolved.")
    return sorted(found, key=str)


def _check_address(address: Address, *, allow_local: bool) -> None:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    if address.is_loopback:
        if allow_local:
            return
        raise UnsafeUrl(
            f"{address} is a loopback address (allowed only with ELNUDGE_WEBHOOKS_ALLOW_LOCAL)."
        )
    if address.is_link_local:
        raise UnsafeUrl(f"{address} is a link-local address (e.g. cloud metadata): refused.")
    if not address.is_global or address.is_multicast:
        raise UnsafeUrl(f"{address} is not a public address: refused.")
