"""Settings' read-only Webhooks section: each endpoint's URL, events, state and last delivery
(delivered by the real worker to a real receiver), never a secret; for owners and viewers."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from elnudge.provisioning import CreatedSite, create_site
from elnudge.runtime import Runtime
from elnudge.webhooks import repository as webhook_repository
from elnudge.webhooks import service
from elnudge.webhooks.worker import Worker
from tests.dashboard.conftest import add_user, sign_in
from tests.webhooks.receiver import Receiver, receiver


@pytest.fixture
def hooks() -> Iterator[Receiver]:
    with receiver() as running:
        yield running


def add_endpoint(runtime: Runtime, site: CreatedSite, url: str, events: list[str]) -> str:
    with runtime.database.write() as connection:
        created = service.create_endpoint(
            connection,
            site.site_id,
            url=url,
            events=events,
            allow_local=True,
            now_ms=runtime.clock.now_ms(),
        )
    return created.endpoint_id


def settings_of(client: TestClient, site: CreatedSite) -> str:
    response = client.get(f"/dashboard/sites/{site.site_id}/settings")
    assert response.status_code == 200
    return response.text


def test_no_endpoint_says_so_and_names_the_command(
    signed_in: TestClient, site: CreatedSite
) -> None:
    html = settings_of(signed_in, site)
    assert 'id="webhooks-title">Webhooks' in html and "No webhook endpoint yet" in html
    assert "<code>elnudge webhooks …</code>" in html


def test_endpoints_with_their_last_delivery_and_no_secret(
    signed_in: TestClient, site: CreatedSite, runtime: Runtime, hooks: Receiver
) -> None:
    hooks.script = [503]
    failing = add_endpoint(runtime, site, hooks.url + "/failing", ["session.converted"])
    working = add_endpoint(
        runtime, site, hooks.url + "/working", ["session.converted", "nudge.influenced_conversion"]
    )
    quiet = add_endpoint(runtime, site, "http://127.0.0.1:9/quiet?a=1&b=2", [])
    with runtime.database.write() as connection:
        for endpoint_id in (failing, working):
            service.send_test(connection, endpoint_id, runtime.clock.now_ms())
        webhook_repository.update_endpoint(connection, site.site_id, quiet, disabled_at=1)
    assert Worker(runtime.database, runtime.clock, True).run_once() == 2
    html = settings_of(signed_in, site)
    rows = html.split('<ul class="webhooks">')[1].split("</ul>")[0].split("<li>")[1:]
    by_url = {
        url: next(row for row in rows if url in row)
        for url in ("/failing", "/working", "http://127.0.0.1:9/quiet?a=1&amp;b=2")
    }
    assert "session.converted, nudge.influenced_conversion" in by_url["/working"]
    assert "enabled" in by_url["/working"] and "ping, 2026-05-01 12:00" in by_url["/working"]
    assert '"delivery-succeeded">succeeded</span> (HTTP 200)' in by_url["/working"]
    # A 503 is retried later: still pending, with the receiver's answer shown.
    assert '"delivery-pending">pending</span> (HTTP 503)' in by_url["/failing"]
    quiet_row = by_url["http://127.0.0.1:9/quiet?a=1&amp;b=2"]
    assert "disabled" in quiet_row and "none yet" in quiet_row
    assert "app.installed" in quiet_row  # no events given: every subscribable one
    with runtime.database.read() as connection:
        secrets = [
            row["secret"] for row in webhook_repository.endpoints_of_site(connection, site.site_id)
        ]
    assert secrets and not any(secret in html for secret in secrets)
    assert "whsec_" not in html


def test_a_viewer_sees_the_same_list_and_another_sites_endpoints_never_show(
    client: TestClient, site: CreatedSite, runtime: Runtime
) -> None:
    with runtime.database.write() as connection:
        other = create_site(connection, name="Other", plan="starter", now_ms=0)
    add_endpoint(runtime, site, "http://127.0.0.1:9/mine", [])
    add_endpoint(runtime, other, "http://127.0.0.1:9/theirs", [])
    viewer = add_user(runtime, site.site_id, f"viewer-{site.site_id.lower()}@example.com", "viewer")
    assert sign_in(client, viewer).status_code == 303
    html = settings_of(client, site)
    assert "http://127.0.0.1:9/mine" in html
    assert "http://127.0.0.1:9/theirs" not in html
