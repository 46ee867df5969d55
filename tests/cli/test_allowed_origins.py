"""`elnudge sites update --allowed-origin …`: the relay's per-site allow-list from the CLI."""

from __future__ import annotations

import orjson
from typer.testing import CliRunner

from elnudge.cli.main import app
from elnudge.provisioning import CreatedSite


def _update(database_url: str, *args: str) -> dict[str, object]:
    result = CliRunner().invoke(
        app, ["sites", "update", *args, "--json"], env={"ELNUDGE_DATABASE_URL": database_url}
    )
    assert result.exit_code == 0, result.output
    parsed: dict[str, object] = orjson.loads(result.stdout)
    return parsed


def test_set_and_clear_allowed_origins(database_url: str, site: CreatedSite) -> None:
    origins = [
        "--allowed-origin",
        "https://Shop.Example/",
        "--allowed-origin",
        "http://a.test:8080",
    ]
    assert _update(database_url, site.site_id, *origins)["allowed_origins"] == [
        "http://a.test:8080",
        "https://shop.example",
    ]
    assert _update(database_url, site.site_id)["allowed_origins"] == [  # unchanged
        "http://a.test:8080",
        "https://shop.example",
    ]
    assert _update(database_url, site.site_id, "--any-origin")["allowed_origins"] is None


def test_a_bad_origin_is_refused(database_url: str, site: CreatedSite) -> None:
    result = CliRunner().invoke(
        app,
        ["sites", "update", site.site_id, "--allowed-origin", "shop.example/path"],
        env={"ELNUDGE_DATABASE_URL": database_url},
    )
    assert result.exit_code == 1
