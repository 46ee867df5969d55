"""Static files served like a CDN would: read and hashed once, compressed once per coding,
revalidated by a strong `ETag`, and reachable under a content-hashed name that can be cached
for a year because it changes whenever the file does.

Each file has two URLs on its shelf: the stable one (`shop.css`, cached for minutes and then
revalidated: a 304 costs no body) and the versioned one (`shop.1a2b3c4d5e6f.css`, immutable).
Pages reference the versioned one, so a new release is picked up by the next page view while
an unchanged file is never downloaded twice.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from importlib.resources import files
from pathlib import PurePosixPath

from starlette.requests import Request
from starlette.responses import Response

from elnudge.web.encoding import Coding, compress_static, preferred_coding

IMMUTABLE = "public, max-age=31536000, immutable"
SHORT_LIVED = "public, max-age=300"  # a new release reaches every page within 5 minutes
VARY = "Accept-Encoding"
_MEDIA_TYPES = {
    ".js": "application/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".html": "text/html; charset=utf-8",
}
_COMPRESSIBLE = {".js", ".css", ".svg", ".html"}  # a PNG is compressed already


class Asset:
    """One file: its bytes, their digest, and each content coding of them, made once."""

    __slots__ = ("_encoded", "body", "digest", "media_type", "name")

    def __init__(self, name: str, body: bytes) -> None:
        suffix = PurePosixPath(name).suffix
        self.name = name
        self.body = body
        self.media_type = _MEDIA_TYPES.get(suffix, "application/octet-stream")
        self.digest = hashlib.sha256(body).hexdigest()[:12]
        self._encoded: dict[Coding, bytes] | None = {} if suffix in _COMPRESSIBLE else None

    @property
    def compressible(self) -> bool:
        return self._encoded is not None

    @property
    def versioned_name(self) -> str:
        """`shop.css` → `shop.1a2b3c4d5e6f.css`: the name that changes with the content."""
        path = PurePosixPath(self.name)
        return f"{path.stem}.{self.digest}{path.suffix}"

    def encoded(self, coding: Coding) -> bytes:
        """The body in `coding`, compressed on first use and kept."""
        if self._encoded is None or coding == "identity":
            return self.body
        if coding not in self._encoded:
            self._encoded[coding] = compress_static(self.body, coding)
        return self._encoded[coding]

    def warm(self) -> Asset:
        """Compress into every coding now (at start), so no request ever waits for it."""
        for coding in ("br", "gzip"):
            self.encoded(coding)
        return self

    def etag(self, coding: Coding) -> str:
        """A strong validator per representation: each coding is different bytes."""
        return f'"{self.digest}"' if coding == "identity" else f'"{self.digest}-{coding}"'

    def etags(self) -> set[str]:
        return {self.etag(coding) for coding in ("identity", "br", "gzip")}


def package_asset(package: str, name: str, *, folder: str = "") -> Asset:
    """A file shipped in a Python package (`elnudge.sdk`, `sdk.js`), read once."""
    directory = files(package)
    if folder:
        directory = directory.joinpath(folder)
    return Asset(name, directory.joinpath(name).read_bytes())


def _not_modified(request: Request, asset: Asset) -> bool:
    header = request.headers.get("if-none-match")
    if not header:
        return False
    tags = {tag.strip().removeprefix("W/") for tag in header.split(",")}
    return "*" in tags or bool(tags & asset.etags())


def asset_response(request: Request, asset: Asset, *, cache_control: str) -> Response:
    """The asset in the best coding the client accepts, or a 304 when its copy is current."""
    coding = preferred_coding(request.headers.get("accept-encoding"))
    if not asset.compressible or len(asset.encoded(coding)) >= len(asset.body):
        coding = "identity"  # a PNG, or a file too small to gain from it
    headers = {"ETag": asset.etag(coding), "Cache-Control": cache_control}
    if asset.compressible:
        headers["Vary"] = VARY
    if _not_modified(request, asset):
        return Response(status_code=304, headers=headers)
    if coding != "identity":
        headers["Content-Encoding"] = coding
    return Response(asset.encoded(coding), media_type=asset.media_type, headers=headers)


class Shelf:
    """Files served under one URL prefix, each by its stable and its versioned name."""

    def __init__(self, prefix: str, assets: Iterable[Asset]) -> None:
        self.prefix = prefix.rstrip("/")
        self._by_name: dict[str, tuple[Asset, str]] = {}
        for asset in assets:
            self._by_name[asset.name] = (asset, SHORT_LIVED)
            self._by_name[asset.versioned_name] = (asset, IMMUTABLE)

    def url(self, name: str) -> str:
        """The versioned URL of the file named `name` (what pages reference)."""
        asset, _ = self._by_name[name]
        return f"{self.prefix}/{asset.versioned_name}"

    def assets(self) -> list[Asset]:
        return list({id(asset): asset for asset, _ in self._by_name.values()}.values())

    def response(self, request: Request, filename: str) -> Response | None:
        """The file's answer, or None when the shelf has no file of that name."""
        found = self._by_name.get(filename)
        if found is None:
            return None
        asset, cache_control = found
        return asset_response(request, asset, cache_control=cache_control)
