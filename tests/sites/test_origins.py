"""A site's allow-list of origins: what counts as an origin, and how it is stored."""

from __future__ import annotations

import pytest

from elnudge.db import Database
from elnudge.errors import InvalidRequest, NotFound
from elnudge.provisioning import CreatedSite
from elnudge.sites.origins import allowed_origins, normalize_origin, set_allowed_origins


@pytest.mark.parametrize(
    ("given", "origin"),
    [
        ("https://Shop.Example/", "https://shop.example"),
        ("http://localhost:8000", "http://localhost:8000"),
        ("  https://shop.example  ", "https://shop.example"),
    ],
)
def test_origins_are_normalised(given: str, origin: str) -> None:
    assert normalize_origin(given) == origin


@pytest.mark.parametrize(
    "given", ["shop.example", "ftp://shop.example", "https://shop.example/path", "https://:99999"]
)
def test_anything_but_an_origin_is_refused_naming_the_flag(given: str) -> None:
    with pytest.raises(InvalidRequest) as refused:
        normalize_origin(given)
    assert refused.value.param == "allowed_origin"


def test_a_list_is_stored_sorted_and_once_and_can_be_dropped(
    database: Database, site: CreatedSite
) -> None:
    with database.write() as connection:
        stored = set_allowed_origins(
            connection,
            site.site_id,
            ["https://b.example", "https://A.example/", "https://b.example"],
        )
        assert stored == ["https://a.example", "https://b.example"]
        assert allowed_origins(connection, site.site_id) == stored
        set_allowed_origins(connection, site.site_id, [])
        assert allowed_origins(connection, site.site_id) is None


def test_an_unknown_site_is_not_found(database: Database) -> None:
    with pytest.raises(NotFound), database.write() as connection:
        set_allowed_origins(connection, "site_nope", ["https://a.example"])
