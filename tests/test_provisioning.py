"""Provisioning: a new site comes with one secret and one public key in each mode."""

from __future__ import annotations

import pytest

from elnudge.db import Database
from elnudge.errors import InvalidRequest
from elnudge.keys.service import authenticate
from elnudge.provisioning import create_site
from elnudge.vocabulary import KeyKind, Mode


def test_a_site_gets_four_working_keys(database: Database) -> None:
    with database.write() as connection:
        site = create_site(connection, name="Four Keys", plan="scale", now_ms=0)
        keys = {
            (KeyKind.SECRET, Mode.LIVE): site.secret_key_live,
            (KeyKind.SECRET, Mode.TEST): site.secret_key_test,
            (KeyKind.PUBLIC, Mode.LIVE): site.site_key_live,
            (KeyKind.PUBLIC, Mode.TEST): site.site_key_test,
        }
        for (kind, mode), key in keys.items():
            principal = authenticate(connection, key, kind=kind, now_ms=1)
            assert (principal.site_id, principal.mode, principal.plan) == (
                site.site_id,
                mode,
                "scale",
            )


@pytest.mark.parametrize(
    ("name", "plan", "param"), [("", "starter", "name"), ("X", "gold", "plan")]
)
def test_a_bad_name_or_plan_creates_nothing(
    database: Database, name: str, plan: str, param: str
) -> None:
    with pytest.raises(InvalidRequest) as refused, database.write() as connection:
        create_site(connection, name=name, plan=plan, now_ms=0)
    assert refused.value.param == param
