"""Append-only ingestion: a session continued from its stored summary state ends up exactly as
re-deriving it from all its events would leave it (events/service.py)."""

from __future__ import annotations

import itertools
import random
from typing import Any

import orjson
import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select, update

from elnudge.db.tables import events, nudges, sessions
from elnudge.events import writer
from elnudge.provisioning import create_site
from elnudge.runtime import Runtime
from elnudge.sessions import summary
from elnudge.timestamps import format_timestamp_ms, parse_timestamp
from tests.reliability.test_concurrency import check_sessions
from tests.storefront import (
    ShopApi,
    add_to_cart,
    envelope,
    nudge_reaction,
    nudge_shown,
    page_view,
    purchase,
)

T0 = parse_timestamp("2026-04-20T10:00:00Z")
MINUTE = 60_000
REACTIONS = ("NUDGE_CLICKED", "NUDGE_DISMISSED", "NUDGE_CHAT_OPENED")


def _event(rng: random.Random, at: int, key: str, index: int, shows: list[int]) -> dict[str, Any]:
    """One event of a random kind. `shows` counts the key's nudge shows so far: a reaction
    mostly answers one of the last three, now and then the next one (a reaction that arrives
    before its show)."""
    options: dict[str, Any] = {"session": key, "event_id": f"{key}-{index}"}
    if rng.random() < 0.1:
        options["visitor"] = rng.choice(["v1", "v2"])
    ts = format_timestamp_ms(at)
    choice = rng.randrange(10)
    if choice == 0:
        return purchase(ts, **options)
    if choice == 1:
        shows[0] += 1
        return nudge_shown(ts, f"nudg_{key}{shows[0]}", "toast", **options)
    if choice == 2:
        shown = f"nudg_{key}{max(0, shows[0] - rng.choice([-1, 0, 0, 0, 1, 2]))}"
        return nudge_reaction(rng.choice(REACTIONS), ts, shown, **options)
    if choice == 3:
        return add_to_cart(ts, **options)
    if choice == 4:
        return envelope("EXIT_INTENT", ts, "/cart", **options)
    if choice == 5:
        product = f"p{rng.randrange(4)}"
        return envelope(
            "PRODUCT_VIEW", ts, f"/products/{product}", {"product_id": product}, **options
        )
    return page_view(ts, f"/p{rng.randrange(6)}/", **options)


def _traffic(seed: int) -> list[dict[str, Any]]:
    """Three client keys' events in time order, with gaps short and long, a few late ones."""
    rng = random.Random(seed)
    made = []
    for key in ("k1", "k2", "k3"):
        at = T0 + rng.randrange(10 * MINUTE)
        shows = [0]
        for index in range(rng.randint(1, 25)):
            at += rng.choice([0, 1000, 20_000, 5 * MINUTE, 29 * MINUTE, 31 * MINUTE])
            made.append((at, _event(rng, at, key, index, shows)))
    made.sort(key=lambda pair: pair[0])
    for _ in range(rng.randint(0, 2)):  # some events arrive late
        if len(made) > 2:
            late = made.pop(rng.randrange(len(made) - 1))
            made.insert(rng.randrange(len(made)) + 1, late)
    return [body for _, body in made]


def _stored(runtime: Runtime, site_id: str) -> dict[str, list[tuple[Any, ...]]]:
    """The site's rows, each session named by its start (the server's ids differ by run)."""
    with runtime.database.read() as connection:
        rows = {
            name: list(connection.execute(select(table).where(table.c.site_id == site_id)))
            for name, table in (("sessions", sessions), ("events", events), ("nudges", nudges))
        }
    start = {row.session_id: row.started_at for row in rows["sessions"]}

    def without_ids(row: Any) -> tuple[Any, ...]:
        named = row._asdict()
        named["session_id"] = start[named["session_id"]]
        del named["site_id"]
        named.pop("event_id", None)  # the server's own id
        # A session's place in the month's allowance is fixed when it is first seen: it depends
        # on arrival by design (first come, first served), unlike everything else here.
        named.pop("month_ordinal", None)
        return tuple(sorted(named.items()))

    return {
        name: sorted(map(without_ids, table_rows), key=repr) for name, table_rows in rows.items()
    }


def _new_shop(client: TestClient, runtime: Runtime) -> tuple[ShopApi, str]:
    with runtime.database.write() as connection:
        site = create_site(connection, name="Append", plan="starter", now_ms=runtime.clock.now_ms())
    return ShopApi(client, site.secret_key_live), site.site_id


def _check_against_recomputation(runtime: Runtime, site_id: str) -> None:
    with runtime.database.read() as connection:
        session_rows = connection.execute(
            select(sessions).where(sessions.c.site_id == site_id)
        ).mappings()
        event_rows = connection.execute(select(events).where(events.c.site_id == site_id))
        check_sessions(list(session_rows), list(event_rows.mappings()))


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(seed=st.integers(0, 100_000), cuts=st.lists(st.integers(1, 80), max_size=8))
def test_batches_split_anywhere_store_what_one_batch_stores(
    client: TestClient, runtime: Runtime, seed: int, cuts: list[int]
) -> None:
    traffic = _traffic(seed)
    split, single = _new_shop(client, runtime), _new_shop(client, runtime)
    bounds = sorted({0, len(traffic), *(cut for cut in cuts if cut < len(traffic))})
    for start, end in itertools.pairwise(bounds):
        split[0].ingest(*traffic[start:end])
    single[0].ingest(*traffic)
    assert _stored(runtime, split[1]) == _stored(runtime, single[1])
    _check_against_recomputation(runtime, split[1])


def _spy_extensions(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    extended: list[str] = []
    original = writer.Writer.extend

    def spy(self: writer.Writer, session: Any, group: Any, stored_nudges: Any) -> None:
        extended.append(session.session_id)
        original(self, session, group, stored_nudges)

    monkeypatch.setattr(writer.Writer, "extend", spy)
    return extended


def _nudge_rows(runtime: Runtime, site_id: str) -> dict[str, bool]:
    with runtime.database.read() as connection:
        query = select(nudges.c.nudge_id, nudges.c.influenced_conversion).where(
            nudges.c.site_id == site_id
        )
        return {row.nudge_id: row.influenced_conversion for row in connection.execute(query)}


def test_in_order_events_take_the_append_path(
    client: TestClient, runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    extended = _spy_extensions(monkeypatch)
    shop, site_id = _new_shop(client, runtime)
    shop.ingest(page_view(format_timestamp_ms(T0), "/a"))
    shop.ingest(
        page_view(format_timestamp_ms(T0 + MINUTE), "/b"),
        add_to_cart(format_timestamp_ms(T0 + 2 * MINUTE)),
    )
    [session] = shop.sessions()
    assert extended == [session["id"]]
    assert session["page_count"] == 2
    _check_against_recomputation(runtime, site_id)


def test_a_purchase_of_a_known_visitor_takes_the_append_path(
    client: TestClient, runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The purchase converts the session and credits the nudge clicked in the visitor's other
    session (and in its own), as re-deriving would."""
    extended = _spy_extensions(monkeypatch)
    shop, site_id = _new_shop(client, runtime)
    at = [format_timestamp_ms(T0 + n * MINUTE) for n in range(100)]
    earlier = {"session": "k0", "visitor": "v1"}
    shop.ingest(
        nudge_shown(at[0], "nudg_earlier", "toast", **earlier),
        nudge_reaction("NUDGE_CLICKED", at[1], "nudg_earlier", **earlier),
    )
    mine = {"session": "k1", "visitor": "v1"}
    shop.ingest(
        page_view(at[40], "/a", **mine),
        nudge_shown(at[41], "nudg_mine", "toast", **mine),
        nudge_reaction("NUDGE_CLICKED", at[42], "nudg_mine", **mine),
    )
    assert _nudge_rows(runtime, site_id) == {"nudg_earlier": False, "nudg_mine": False}
    shop.ingest(page_view(at[50], "/b", session="k1"), purchase(at[51], session="k1"))
    shop.ingest(purchase(at[52], session="k1"))  # a second purchase, appended too
    converted = next(s for s in shop.sessions() if s["page_count"] == 2)
    assert len(extended) == 2 and set(extended) == {converted["id"]}
    assert converted["converted"] is True
    # nudg_earlier: its click came 50 minutes before the purchase, outside the window.
    assert _nudge_rows(runtime, site_id) == {"nudg_earlier": False, "nudg_mine": True}
    _check_against_recomputation(runtime, site_id)


def test_a_purchase_after_nudges_without_a_visitor_takes_the_append_path(
    client: TestClient, runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No visitor to refresh the attribution of: the session's stored nudge rows are read and
    the purchase credits the one clicked within the window before it."""
    extended = _spy_extensions(monkeypatch)
    shop, site_id = _new_shop(client, runtime)
    at = [format_timestamp_ms(T0 + n * MINUTE) for n in range(60)]
    shop.ingest(
        nudge_shown(at[0], "nudg_old", "toast"),
        nudge_reaction("NUDGE_CLICKED", at[1], "nudg_old"),
        page_view(at[25], "/a"),
        nudge_shown(at[26], "nudg_a", "toast"),
        nudge_reaction("NUDGE_CLICKED", at[27], "nudg_a"),
    )
    shop.ingest(page_view(at[40], "/b"))  # no purchase: appended
    shop.ingest(purchase(at[41]))
    [session] = shop.sessions()
    assert len(extended) == 2
    assert session["converted"] is True
    assert _nudge_rows(runtime, site_id) == {"nudg_old": False, "nudg_a": True}
    _check_against_recomputation(runtime, site_id)


def _nudge_outcomes(runtime: Runtime, site_id: str) -> dict[str, tuple[str, bool, bool]]:
    with runtime.database.read() as connection:
        query = select(
            nudges.c.nudge_id, nudges.c.outcome, nudges.c.clicked, nudges.c.dismissed
        ).where(nudges.c.site_id == site_id)
        return {
            row.nudge_id: (row.outcome, bool(row.clicked), bool(row.dismissed))
            for row in connection.execute(query)
        }


def test_nudge_events_take_the_append_path(
    client: TestClient, runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A show, then its reactions, then a purchase, each in its own batch: the session's nudge
    rows are continued from the stored ones, and the click credits the purchase."""
    extended = _spy_extensions(monkeypatch)
    shop, site_id = _new_shop(client, runtime)
    at = [format_timestamp_ms(T0 + n * MINUTE) for n in range(10)]
    shop.ingest(page_view(at[0], "/a"))
    shop.ingest(nudge_shown(at[1], "nudg_a", "toast"))
    shop.ingest(
        nudge_reaction("NUDGE_DISMISSED", at[2], "nudg_a"),
        nudge_shown(at[3], "nudg_b", "chat_bubble"),
    )
    shop.ingest(nudge_reaction("NUDGE_CLICKED", at[4], "nudg_a"))
    assert _nudge_rows(runtime, site_id) == {"nudg_a": False, "nudg_b": False}
    shop.ingest(purchase(at[5]))
    [session] = shop.sessions()
    assert len(extended) == 4 and set(extended) == {session["id"]}
    assert session["nudge_count"] == 2
    assert _nudge_rows(runtime, site_id) == {"nudg_a": True, "nudg_b": False}
    assert _nudge_outcomes(runtime, site_id) == {
        "nudg_a": ("clicked", True, True),
        "nudg_b": ("shown", False, False),
    }
    # Another show rewrites the session's nudges: nudg_a keeps the credit its stored purchase
    # gave, though no purchase is among the new events.
    shop.ingest(nudge_shown(at[9], "nudg_c", "toast"))
    assert _nudge_rows(runtime, site_id) == {"nudg_a": True, "nudg_b": False, "nudg_c": False}
    assert len(extended) == 5
    _check_against_recomputation(runtime, site_id)


def test_a_show_after_its_own_reaction_is_re_derived(
    client: TestClient, runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A reaction stored before its nudge was shown counts once the show arrives; the stored
    nudge rows cannot say so (the nudge had none), so the session is re-derived."""
    extended = _spy_extensions(monkeypatch)
    shop, site_id = _new_shop(client, runtime)
    at = [format_timestamp_ms(T0 + n * MINUTE) for n in range(5)]
    shop.ingest(page_view(at[0], "/a"), nudge_reaction("NUDGE_CLICKED", at[1], "nudg_a"))
    shop.ingest(page_view(at[2], "/b"))  # appended: the orphan stays in the state
    shop.ingest(nudge_shown(at[3], "nudg_a", "toast"))
    assert len(extended) == 1
    assert _nudge_outcomes(runtime, site_id) == {"nudg_a": ("clicked", True, False)}
    _check_against_recomputation(runtime, site_id)


def test_a_show_into_a_state_without_orphans_is_re_derived(
    client: TestClient, runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A state stored before it recorded orphans cannot tell whether a show takes earlier
    reactions: the session is re-derived (and stores a state that can tell)."""
    extended = _spy_extensions(monkeypatch)
    shop, site_id = _new_shop(client, runtime)
    at = [format_timestamp_ms(T0 + n * MINUTE) for n in range(5)]
    shop.ingest(page_view(at[0], "/a"), nudge_reaction("NUDGE_CLICKED", at[1], "nudg_a"))
    with runtime.database.write() as connection:
        [state] = connection.execute(
            select(sessions.c.summary_state).where(sessions.c.site_id == site_id)
        ).scalars()
        old = orjson.loads(state)
        del old[summary.ORPHANS]
        connection.execute(
            update(sessions)
            .where(sessions.c.site_id == site_id)
            .values(summary_state=orjson.dumps(old).decode())
        )
    shop.ingest(nudge_shown(at[2], "nudg_a", "toast"))
    shop.ingest(nudge_reaction("NUDGE_DISMISSED", at[3], "nudg_a"))  # appended again
    assert len(extended) == 1
    assert _nudge_outcomes(runtime, site_id) == {"nudg_a": ("clicked", True, True)}
    _check_against_recomputation(runtime, site_id)


def test_sessions_without_a_stored_state_are_re_derived(
    client: TestClient, runtime: Runtime
) -> None:
    """Sessions stored before migration 0004 have no summary state: they take the slow path."""
    shop, site_id = _new_shop(client, runtime)
    shop.ingest(page_view(format_timestamp_ms(T0), "/a"))
    with runtime.database.write() as connection:
        connection.execute(
            update(sessions).where(sessions.c.site_id == site_id).values(summary_state=None)
        )
    shop.ingest(page_view(format_timestamp_ms(T0 + MINUTE), "/b"))
    shop.ingest(page_view(format_timestamp_ms(T0 + 2 * MINUTE), "/c"))
    [session] = shop.sessions()
    assert session["page_count"] == 3
    _check_against_recomputation(runtime, site_id)
