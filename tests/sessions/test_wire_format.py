"""The Sessions API's bodies, byte for byte, against an independent oracle.

The routes build their bodies from one statement's rows (sessions/repository.py). The oracle
here is the earlier, plain way: the session, its log and its nudges read by three separate
statements, each object built field by field and the whole encoded by orjson. Over a varied
dataset (both modes, bots, sessions outside the API window, URLs and nudge ids that need JSON
escaping, ties in time broken by the stated orders), every list page, cursor page and session
must be the same bytes, and every 404 the same body.
"""

from __future__ import annotations

import random
from typing import Any
from urllib.parse import urlencode

import orjson
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import false, func, select, update

from elnudge.db.tables import events, nudges, sessions
from elnudge.keys.service import Principal, authenticate
from elnudge.pagination import Cursor, encode_cursor
from elnudge.provisioning import CreatedSite
from elnudge.runtime import Runtime
from elnudge.sessions.repository import LIST_COLUMNS
from elnudge.sessions.service import SESSIONS
from elnudge.timestamps import DAY_MS, format_timestamp, parse_timestamp
from elnudge.vocabulary import NUDGE_EVENTS, KeyKind
from tests.reliability.tenants import without_request_id
from tests.storefront import ShopApi, add_to_cart, envelope, nudge_reaction, nudge_shown, purchase

# Paths JSON must escape, or that orjson writes as they are (non-ASCII, U+2028).
URLS = (
    "/",
    "/products/ultra-stride-v2",
    '/search?q="trail"&sort=price',
    "/a\\b/c",
    "/caf\u00e9/cr\u00e8me?taste=br\u00fbl\u00e9e",
    "/emoji/\U0001f45f",
    "/line\u2028separator",
    "/<script>alert(1)</script>",
    "/p?x=1&y=%22",
)
# Nudge ids (letters and digits) differing in case: their order is the database's.
NUDGE_IDS = ("nudg_a", "nudg_B", "nudg_b", "nudg_Z", "nudg_01")
KINDS = ("toast", "chat_bubble", "exit_modal")


def varied_events(rng: random.Random, now_ms: int, mode: str) -> list[dict[str, Any]]:
    """Sessions over 40 days (some outside the 30-day API window), with equal times inside a
    session, events with and without ids, nudges shown at the same second, reactions and
    purchases."""
    batch: list[dict[str, Any]] = []
    for number in range(24):
        key = f"visitor-{mode}-{number}"
        start = now_ms - rng.randrange(40 * DAY_MS) // 1000 * 1000
        at = start
        for index in range(rng.randrange(1, 14)):
            at += rng.choice((0, 0, 1000, 7000, 60_000))  # ties are common
            ts = format_timestamp(at)
            event_id = None if rng.random() < 0.4 else f"e-{mode}-{number}-{index}"
            choice = rng.random()
            if choice < 0.15:  # one nudge, or two shown at the same second
                for prefix in rng.sample(NUDGE_IDS, rng.choice((1, 2))):
                    nudge = f"{prefix}{mode}{number}x{index}"
                    kind = rng.choice(KINDS)
                    batch.append(nudge_shown(ts, nudge, kind, session=key))
                    if rng.random() < 0.5:
                        reaction = rng.choice(("NUDGE_CLICKED", "NUDGE_DISMISSED"))
                        batch.append(nudge_reaction(reaction, ts, nudge, session=key))
            elif choice < 0.22:
                batch.append(purchase(ts, session=key, event_id=event_id))
            elif choice < 0.3:
                batch.append(add_to_cart(ts, session=key, event_id=event_id))
            else:
                url = rng.choice(URLS)
                batch.append(envelope("PAGE_VIEW", ts, url, session=key, event_id=event_id))
    return batch


def expected_detail(runtime: Runtime, principal: Principal, session_id: str) -> bytes | None:
    """The session's body as three plain statements give it; None when it is not visible."""
    now_ms = runtime.clock.now_ms()
    lower = now_ms - principal.api_window_days * DAY_MS
    site_id = principal.site_id
    with runtime.database.read() as connection:
        row = connection.execute(
            select(*LIST_COLUMNS).where(
                sessions.c.site_id == site_id,
                sessions.c.session_id == session_id,
                sessions.c.mode == principal.mode,
                sessions.c.is_bot == false(),
                sessions.c.started_at >= lower,
            )
        ).first()
        if row is None:
            return None
        log = connection.execute(
            select(events.c.type, events.c.url, events.c.occurred_at)
            .where(
                events.c.site_id == site_id,
                events.c.session_id == session_id,
                events.c.type.not_in(sorted(NUDGE_EVENTS)),
            )
            .order_by(
                events.c.occurred_at,
                func.coalesce(events.c.client_event_id, ""),
                events.c.type,
                events.c.url,
                events.c.event_id,
            )
        ).all()
        shown = connection.execute(
            select(
                nudges.c.nudge_id,
                nudges.c.type,
                nudges.c.shown_at,
                nudges.c.outcome,
                nudges.c.influenced_conversion,
            )
            .where(nudges.c.site_id == site_id, nudges.c.session_id == session_id)
            .order_by(nudges.c.shown_at.desc(), nudges.c.nudge_id.desc())
        ).all()
    detail = session_fields(row)
    detail["events"] = [
        {"type": e.type, "url": e.url, "occurred_at": format_timestamp(e.occurred_at)} for e in log
    ]
    detail["nudges"] = [
        {
            "nudge_id": n.nudge_id,
            "type": n.type,
            "shown_at": format_timestamp(n.shown_at),
            "outcome": n.outcome,
            "influenced_conversion": bool(n.influenced_conversion),
        }
        for n in shown
    ]
    return orjson.dumps({"data": detail})


def session_fields(row: Any) -> dict[str, Any]:
    return {
        "id": row.session_id,
        "started_at": format_timestamp(row.started_at),
        "ended_at": format_timestamp(row.ended_at),
        "page_count": row.page_count,
        "intent_score": row.intent_score,
        "converted": bool(row.converted),
        "nudge_count": row.nudge_count,
    }


def expected_pages(
    runtime: Runtime, principal: Principal, from_ms: int, to_ms: int, limit: int
) -> list[bytes]:
    """Every page of the list of [from_ms, to_ms), as one ordered query gives it."""
    lower = max(from_ms, runtime.clock.now_ms() - principal.api_window_days * DAY_MS)
    with runtime.database.read() as connection:
        rows = connection.execute(
            select(sessions)
            .where(
                sessions.c.site_id == principal.site_id,
                sessions.c.mode == principal.mode,
                sessions.c.is_bot == false(),
                sessions.c.started_at >= lower,
                sessions.c.started_at < to_ms,
            )
            .order_by(sessions.c.started_at.desc(), sessions.c.session_id.desc())
        ).all()
    pages = []
    for start in range(0, max(len(rows), 1), limit):
        page = rows[start : start + limit]
        has_more = start + limit < len(rows)
        cursor = None
        if has_more:
            last = page[-1]
            position = Cursor(last.session_id, last.started_at, from_ms, to_ms)
            cursor = encode_cursor(position, SESSIONS, principal)
        data = [session_fields(row) for row in page]
        pages.append(orjson.dumps({"data": data, "next_cursor": cursor, "has_more": has_more}))
    return pages


@pytest.fixture
def tenants(client: TestClient, runtime: Runtime, site: CreatedSite) -> list[Principal]:
    """The site's two modes over varied data; a few sessions of each flagged as bots."""
    rng = random.Random(15)
    now_ms = runtime.clock.now_ms()
    principals = []
    for mode, key in (("live", site.secret_key_live), ("test", site.secret_key_test)):
        ShopApi(client, key).ingest(*varied_events(rng, now_ms, mode))
        with runtime.database.write() as connection:
            principal = authenticate(connection, key, kind=KeyKind.SECRET, now_ms=now_ms)
            ids = connection.execute(
                select(sessions.c.session_id)
                .where(sessions.c.site_id == site.site_id, sessions.c.mode == mode)
                .order_by(sessions.c.session_id)
            ).scalars()
            bots = list(ids)[::7]
            connection.execute(
                update(sessions)
                .where(sessions.c.site_id == site.site_id, sessions.c.session_id.in_(bots))
                .values(is_bot=True)
            )
        principals.append(principal)
    return principals


def all_session_ids(runtime: Runtime, site_id: str) -> list[str]:
    with runtime.database.read() as connection:
        return list(
            connection.execute(
                select(sessions.c.session_id)
                .where(sessions.c.site_id == site_id)
                .order_by(sessions.c.session_id)
            ).scalars()
        )


def test_every_session_is_the_same_bytes(
    client: TestClient, runtime: Runtime, site: CreatedSite, tenants: list[Principal]
) -> None:
    keys = {"live": site.secret_key_live, "test": site.secret_key_test}
    every = all_session_ids(runtime, site.site_id)
    not_found = without_request_id(ShopApi(client, keys["live"]).get("sess_unknown"))
    assert not_found[0] == 404
    shown = 0
    for principal in tenants:
        api = ShopApi(client, keys[principal.mode])
        for session_id in every:  # the other mode's, bots and old ones are 404s
            response = api.get(session_id)
            expected = expected_detail(runtime, principal, session_id)
            if expected is None:
                assert without_request_id(response) == not_found, session_id
            else:
                assert response.status_code == 200
                assert response.content == expected, session_id
                shown += 1
    assert shown >= 20  # the data has something to compare
    assert len(every) - shown >= 10  # and things to refuse
    tied_events, tied_nudges = ties(runtime, site.site_id)
    assert tied_events >= 10 and tied_nudges >= 3  # and orders only the tie-breaks decide


def ties(runtime: Runtime, site_id: str) -> tuple[int, int]:
    """Events at the same millisecond in one session, and nudges shown at the same one."""
    with runtime.database.read() as connection:
        counts = []
        for table, column in ((events, events.c.occurred_at), (nudges, nudges.c.shown_at)):
            tied = (
                select(table.c.session_id)
                .where(table.c.site_id == site_id)
                .group_by(table.c.session_id, column)
                .having(func.count() > 1)
                .subquery()
            )
            counts.append(connection.execute(select(func.count()).select_from(tied)).scalar_one())
    return counts[0], counts[1]


@pytest.mark.parametrize("limit", [1, 7, 50, 200])
def test_every_list_page_is_the_same_bytes(
    client: TestClient,
    runtime: Runtime,
    site: CreatedSite,
    tenants: list[Principal],
    limit: int,
) -> None:
    keys = {"live": site.secret_key_live, "test": site.secret_key_test}
    from_ms, to_ms = parse_timestamp("2026-03-20T00:00:00Z"), parse_timestamp("2026-05-01T00:00Z")
    for principal in tenants:
        api = ShopApi(client, keys[principal.mode])
        expected = expected_pages(runtime, principal, from_ms, to_ms, limit)
        window = {"from": "2026-03-20T00:00:00Z", "to": "2026-05-01T00:00Z", "limit": limit}
        response = api.list(**window)
        for page in expected:
            assert response.status_code == 200
            assert response.content == page
            cursor = orjson.loads(response.content)["next_cursor"]
            if cursor is None:
                break
            query = urlencode({"cursor": cursor, "limit": limit})
            response = client.get(f"/v1/sessions?{query}", headers=api.headers)
        assert cursor is None
