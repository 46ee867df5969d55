"""SSRF safety: where webhook URLs may point (docs/webhooks.md)."""

from __future__ import annotations

import pytest

from elnudge.webhooks.addresses import UnsafeUrl, check_url

PUBLIC = "https://93.184.215.14/hooks"


@pytest.mark.parametrize(
    "url",
    [
        "https://10.0.0.5/hooks",
        "https://10.255.255.255:8443/",
        "https://172.16.0.1/",
        "https://192.168.1.1/",
        "http://169.254.169.254/latest/meta-data/",
        "https://169.254.169.254/",
        "https://[fe80::1]/",
        "https://[fc00::1]/",
        "https://[::ffff:10.0.0.1]/",
        "https://0.0.0.0/",
        "https://100.64.0.1/",
        "https://224.0.0.1/",
    ],
)
def test_private_link_local_and_metadata_addresses_are_refused_even_in_development(
    url: str,
) -> None:
    for allow_local in (False, True):
        with pytest.raises(UnsafeUrl) as refused:
            check_url(url, allow_local=allow_local)
        assert refused.value.param == "url"


@pytest.mark.parametrize(
    "url",
    ["https://localhost/hooks", "https://127.0.0.1/", "https://[::1]/", "http://127.0.0.1:9/"],
)
def test_loopback_only_with_the_development_setting(url: str) -> None:
    with pytest.raises(UnsafeUrl, match=r"loopback|https"):
        check_url(url, allow_local=False)
    check_url(url, allow_local=True)


def test_plain_http_only_with_the_development_setting() -> None:
    with pytest.raises(UnsafeUrl, match="https"):
        check_url("http://93.184.215.14/hooks", allow_local=False)
    assert [str(a) for a in check_url("http://93.184.215.14/", allow_local=True)] == [
        "93.184.215.14"
    ]


@pytest.mark.parametrize(
    "url",
    [
        "ftp://93.184.215.14/",
        "https://user:pw@93.184.215.14/",
        "https:///nohost",
        "https://93.184.215.14:99999/",
        "https://93.184.215.14/a b",
        "https://93.184.215.14/\n",
        "https://" + "a" * 2100,
        "https://no-such-host.invalid/",
        "javascript:alert(1)",
    ],
)
def test_malformed_urls_are_refused(url: str) -> None:
    with pytest.raises(UnsafeUrl):
        check_url(url, allow_local=True)


def test_a_public_address_is_allowed() -> None:
    assert [str(address) for address in check_url(PUBLIC, allow_local=False)] == ["93.184.215.14"]
