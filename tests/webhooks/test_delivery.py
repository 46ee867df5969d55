"""Deliveries to a real receiver on 127.0.0.1 (development setting on), on both backends:
signatures, rotation, retries with backoff on an injected clock, the 5 s cut, redirects, the
24 h give-up, disabling after 3 days of failures, and the address check at delivery."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterator

import orjson
import pytest
from sqlalchemy import select

from elnudge.clock import FrozenClock
from elnudge.db import Database
from elnudge.db.tables import webhook_deliveries, webhook_endpoints
from elnudge.provisioning import CreatedSite
from elnudge.runtime import Runtime
from elnudge.webhooks import EVENT_ID_HEADER, SIGNATURE_HEADER, service, verify
from elnudge.webhooks import worker as worker_module
from elnudge.webhooks.events import WebhookEvent
from elnudge.webhooks.outbox import enqueue
from elnudge.webhooks.worker import (
    DISABLE_AFTER_MS,
    GIVE_UP_AFTER_MS,
    HOUR_MS,
    Worker,
    retry_delay_ms,
)
from tests.webhooks.receiver import Receiver, receiver


@pytest.fixture
def hooks() -> Iterator[Receiver]:
    with receiver() as running:
        yield running


def add_endpoint(
    runtime: Runtime, site: CreatedSite, url: str, events: list[str] | None = None
) -> service.CreatedEndpoint:
    with runtime.database.write() as connection:
        return service.create_endpoint(
            connection,
            site.site_id,
            url=url,
            events=events or [],
            allow_local=True,
            now_ms=runtime.clock.now_ms(),
        )


def ping(runtime: Runtime, endpoint_id: str) -> str:
    with runtime.database.write() as connection:
        return service.send_test(connection, endpoint_id, runtime.clock.now_ms())


def worker(runtime: Runtime, allow_local: bool = True) -> Worker:
    return Worker(runtime.database, runtime.clock, allow_local)


def log(database: Database, endpoint_id: str) -> list[dict[str, object]]:
    with database.read() as connection:
        return service.delivery_log(connection, endpoint_id)


def test_a_ping_arrives_signed_and_verifies_with_verify_and_plain_hmac(
    runtime: Runtime, site: CreatedSite, hooks: Receiver
) -> None:
    endpoint = add_endpoint(runtime, site, hooks.url)
    event_id = ping(runtime, endpoint.endpoint_id)
    assert worker(runtime).run_once() == 1
    [received] = hooks.received
    header = received.headers[SIGNATURE_HEADER]
    assert verify(received.body, header, endpoint.secret)
    plain = hmac.new(endpoint.secret.encode(), received.body, hashlib.sha256).hexdigest()
    assert header == f"sha256={plain}"
    assert received.headers[EVENT_ID_HEADER] == event_id
    assert received.headers["Content-Type"] == "application/json"
    body = orjson.loads(received.body)
    assert body == {
        "id": event_id,
        "event": "ping",
        "site_id": site.site_id,
        "created_at": "2026-05-01T12:00:00Z",
        "data": {"endpoint_id": endpoint.endpoint_id},
    }
    [entry] = log(runtime.database, endpoint.endpoint_id)
    assert (entry["status"], entry["attempts"], entry["last_status"]) == ("succeeded", 1, 200)
    assert worker(runtime).run_once() == 0


def test_the_idle_poll_builds_no_http_client(
    runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every worker polls every second: with nothing due it must not build a client (its TLS
    context cost 5% of a busy API worker's CPU)."""

    def refused() -> None:
        raise AssertionError("an HTTP client was built for nothing")

    monkeypatch.setattr(worker_module, "new_http_client", refused)
    assert worker(runtime).run_once() == 0


def test_during_a_rotation_both_secrets_verify_for_five_minutes(
    runtime: Runtime, clock: FrozenClock, site: CreatedSite, hooks: Receiver
) -> None:
    endpoint = add_endpoint(runtime, site, hooks.url)
    with runtime.database.write() as connection:
        new = service.rotate(connection, endpoint.endpoint_id, clock.now_ms())
    ping(runtime, endpoint.endpoint_id)
    worker(runtime).run_once()
    clock.advance(seconds=5 * 60 + 1)
    ping(runtime, endpoint.endpoint_id)
    worker(runtime).run_once()
    during, after = hooks.received
    values = during.headers[SIGNATURE_HEADER].split(",")
    assert len(values) == 2 and values[0].startswith("sha256=")
    assert verify(during.body, during.headers[SIGNATURE_HEADER], new)
    assert verify(during.body, during.headers[SIGNATURE_HEADER], endpoint.secret)
    assert verify(after.body, after.headers[SIGNATURE_HEADER], new)
    assert not verify(after.body, after.headers[SIGNATURE_HEADER], endpoint.secret)


def test_failing_three_times_then_succeeding_is_delivered_once_more_after_each_backoff(
    runtime: Runtime, clock: FrozenClock, site: CreatedSite, hooks: Receiver
) -> None:
    hooks.script = [500, 503, 404]
    endpoint = add_endpoint(runtime, site, hooks.url)
    ping(runtime, endpoint.endpoint_id)
    run = worker(runtime)
    assert run.run_once() == 1
    for attempts in (1, 2, 3):
        clock.advance(ms=retry_delay_ms(attempts) - 1)
        assert run.run_once() == 0  # not before its backoff
        clock.advance(ms=1)
        assert run.run_once() == 1
    assert [r.body for r in hooks.received] == [hooks.received[0].body] * 4
    clock.advance(seconds=48 * 3600)
    assert run.run_once() == 0 and len(hooks.received) == 4
    [entry] = log(runtime.database, endpoint.endpoint_id)
    assert (entry["status"], entry["attempts"], entry["last_error"]) == ("succeeded", 4, None)
    assert [retry_delay_ms(n) // 1000 for n in (1, 2, 3, 4, 9, 20)] == [
        30,
        60,
        120,
        240,
        7200,
        7200,
    ]


def test_a_receiver_that_hangs_is_cut_at_five_seconds(
    runtime: Runtime, site: CreatedSite, hooks: Receiver
) -> None:
    hooks.script = [("hang", 7)]
    endpoint = add_endpoint(runtime, site, hooks.url)
    ping(runtime, endpoint.endpoint_id)
    worker(runtime).run_once()
    [entry] = log(runtime.database, endpoint.endpoint_id)
    # Had the sender waited, the receiver's late 200 would have made this a success.
    assert entry["status"] == "pending" and "timeout" in str(entry["last_error"])


def test_redirects_are_not_followed(runtime: Runtime, site: CreatedSite, hooks: Receiver) -> None:
    hooks.script = [("redirect", hooks.url + "/elsewhere"), ("redirect", "http://10.0.0.1/")]
    endpoint = add_endpoint(runtime, site, hooks.url)
    ping(runtime, endpoint.endpoint_id)
    ping(runtime, endpoint.endpoint_id)
    worker(runtime).run_once()
    assert [r.path for r in hooks.received] == ["/hooks", "/hooks"]
    assert {e["last_error"] for e in log(runtime.database, endpoint.endpoint_id)} == {"HTTP 302"}


def test_after_24_hours_of_failures_the_delivery_is_failed(
    runtime: Runtime, clock: FrozenClock, site: CreatedSite, hooks: Receiver
) -> None:
    hooks.default = 500
    endpoint = add_endpoint(runtime, site, hooks.url)
    ping(runtime, endpoint.endpoint_id)
    run = worker(runtime)
    start = clock.now_ms()
    while run.run_once():
        clock.advance(ms=2 * HOUR_MS)
    [entry] = log(runtime.database, endpoint.endpoint_id)
    assert entry["status"] == "failed"
    assert clock.now_ms() - start <= GIVE_UP_AFTER_MS + 4 * HOUR_MS
    assert entry["attempts"] == len(hooks.received) >= 12


def test_an_endpoint_failing_for_three_days_is_disabled(
    runtime: Runtime, clock: FrozenClock, site: CreatedSite, hooks: Receiver
) -> None:
    hooks.default = 500
    endpoint = add_endpoint(runtime, site, hooks.url, ["usage.allowance_80"])
    run = worker(runtime)

    def usage_event() -> str | None:
        with runtime.database.write() as connection:
            return enqueue(
                connection,
                site_id=site.site_id,
                mode="live",
                event=WebhookEvent.USAGE_ALLOWANCE_80,
                data={"month": "2026-05"},
                now_ms=clock.now_ms(),
            )

    for day in range(4):  # one a day, each failing: the fourth is 3 days after the first
        assert usage_event() is not None
        run.run_once()
        with runtime.database.read() as connection:
            enabled = service.list_endpoints(connection, site.site_id)[0]["enabled"]
        assert enabled is (day < 3)
        clock.advance(ms=DISABLE_AFTER_MS // 3)
    with runtime.database.read() as connection:
        row = connection.execute(
            select(webhook_endpoints.c.disabled_at).where(
                webhook_endpoints.c.endpoint_id == endpoint.endpoint_id
            )
        ).scalar()
    assert row is not None
    assert usage_event() is None  # a disabled endpoint gets nothing more
    with runtime.database.read() as connection:
        listed = service.list_endpoints(connection, site.site_id)
    assert listed[0]["enabled"] is False


def test_unsubscribed_events_are_not_queued(
    runtime: Runtime, site: CreatedSite, hooks: Receiver
) -> None:
    add_endpoint(runtime, site, hooks.url, ["session.converted"])
    with runtime.database.write() as connection:
        queued = enqueue(
            connection,
            site_id=site.site_id,
            mode="live",
            event=WebhookEvent.USAGE_ALLOWANCE_100,
            data={},
            now_ms=runtime.clock.now_ms(),
        )
    assert queued is None


def test_the_address_is_checked_again_at_delivery(
    runtime: Runtime, site: CreatedSite, hooks: Receiver
) -> None:
    endpoint = add_endpoint(runtime, site, hooks.url)  # created in development
    ping(runtime, endpoint.endpoint_id)
    worker(runtime, allow_local=False).run_once()  # delivered by a production worker
    assert hooks.received == []
    [entry] = log(runtime.database, endpoint.endpoint_id)
    assert str(entry["last_error"]).startswith("refused:") and entry["status"] == "pending"


def test_creation_refuses_unsafe_urls_and_unknown_events(
    runtime: Runtime, site: CreatedSite
) -> None:
    from elnudge.errors import InvalidRequest, NotFound

    with runtime.database.write() as connection:
        for url in ("https://10.1.2.3/", "https://169.254.169.254/", "http://localhost/"):
            with pytest.raises(InvalidRequest):
                service.create_endpoint(
                    connection, site.site_id, url=url, events=[], allow_local=False, now_ms=1
                )
        with pytest.raises(InvalidRequest, match="Unknown event"):
            service.create_endpoint(
                connection,
                site.site_id,
                url="https://93.184.215.14/",
                events=["session.bought"],
                allow_local=False,
                now_ms=1,
            )
        with pytest.raises(NotFound):
            service.create_endpoint(
                connection,
                "site_nope",
                url="https://93.184.215.14/",
                events=[],
                allow_local=False,
                now_ms=1,
            )
        with pytest.raises(NotFound):
            service.rotate(connection, "we_nope", 1)
    with runtime.database.read() as connection:
        rows = connection.execute(
            select(webhook_deliveries).where(webhook_deliveries.c.site_id == site.site_id)
        ).all()
    assert rows == []
