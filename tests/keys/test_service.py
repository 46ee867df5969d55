"""Keys are validated where they are made: the service refuses an unknown kind or mode."""

from __future__ import annotations

import pytest

from elnudge.db import Database
from elnudge.errors import InvalidRequest
from elnudge.keys.service import create_key, issue_key
from elnudge.provisioning import CreatedSite


@pytest.mark.parametrize(
    ("kind", "mode", "param"), [("banana", "live", "kind"), ("public", "prod", "mode")]
)
def test_an_unknown_kind_or_mode_is_refused_and_nothing_stored(
    database: Database, site: CreatedSite, kind: str, mode: str, param: str
) -> None:
    with pytest.raises(InvalidRequest) as refused, database.write() as connection:
        create_key(connection, site_id=site.site_id, mode=mode, kind=kind, now_ms=0)
    assert refused.value.param == param


def test_a_known_kind_and_mode_are_issued(database: Database, site: CreatedSite) -> None:
    with database.write() as connection:
        issued = issue_key(connection, site_id=site.site_id, mode="test", kind="public", now_ms=0)
    assert issued.token.startswith("pk_test_")
