"""Property: on random shoppers, `by_type` and `baseline` equal a brute-force count over the
Sessions API (`GET /v1/sessions` and `GET /v1/sessions/{id}`), on both backends.

The session detail shows each nudge's most engaged `outcome` only, so a nudge clicked and then
dismissed reads as "clicked" there: `clicked` and `dismissed` are checked against the reactions
the test sent (and bounded below by the outcomes the API shows); everything else is counted
from the API alone.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from elnudge.provisioning import create_site
from elnudge.runtime import Runtime
from elnudge.timestamps import HOUR_MS
from elnudge.vocabulary import NudgeType
from tests.metrics.shoppers import visit
from tests.storefront import ShopApi

KINDS = [kind.value for kind in NudgeType]
REACTIONS = ("clicked", "dismissed", "chat_opened")


@dataclass(frozen=True)
class Shopper:
    nudges: tuple[tuple[str, tuple[str, ...]], ...]  # (type, reactions in order)
    buys: bool
    visitor: int | None


shoppers = st.lists(
    st.builds(
        Shopper,
        nudges=st.lists(
            st.tuples(
                st.sampled_from(KINDS),
                st.lists(st.sampled_from(REACTIONS), max_size=3).map(tuple),
            ),
            max_size=3,
        ).map(tuple),
        buys=st.booleans(),
        visitor=st.none() | st.integers(0, 2),
    ),
    min_size=1,
    max_size=6,
)


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(crowd=shoppers)
def test_by_type_equals_a_brute_force_count_over_the_sessions_api(
    client: TestClient, runtime: Runtime, crowd: list[Shopper]
) -> None:
    with runtime.database.write() as connection:
        site = create_site(connection, name="Prop", plan="starter", now_ms=runtime.clock.now_ms())
    shop = ShopApi(client, site.secret_key_live)
    start = runtime.clock.now_ms() - 20 * HOUR_MS
    sent: Counter[tuple[str, str]] = Counter()
    for number, shopper in enumerate(crowd):
        nudges = tuple(
            (f"nudg_{number}x{index}", kind, reactions)
            for index, (kind, reactions) in enumerate(shopper.nudges)
        )
        visit(
            shop,
            f"key{number}",
            start + number * HOUR_MS,  # an hour apart: one session per shopper
            nudges=nudges,
            buys=shopper.buys,
            visitor=None if shopper.visitor is None else f"visitor{shopper.visitor}",
        )
        for kind, reactions in shopper.nudges:
            for reaction in set(reactions):
                sent[kind, reaction] += 1
    response = client.get("/v1/reports/nudges", headers=shop.headers)
    assert response.status_code == 200, response.text
    result = response.json()["data"]
    expected = brute_force(shop)
    for row in result["by_type"]:
        kind = row["type"]
        assert row["shown"] == expected["shown"][kind]
        assert row["chat_opened"] == expected["chat_opened"][kind]
        assert row["sessions"] == expected["sessions"][kind]
        assert row["conversions"] == expected["conversions"][kind]
        assert row["influenced_conversions"] == expected["influenced"][kind]
        for reaction in ("clicked", "dismissed"):
            assert row[reaction] == sent[kind, reaction]
            assert row[reaction] >= expected[reaction][kind]
        assert row["click_rate"] == (round(row["clicked"] / row["shown"], 4) if row["shown"] else 0)
    assert result["baseline"]["sessions"] == expected["baseline"]["sessions"]
    assert result["baseline"]["conversions"] == expected["baseline"]["conversions"]


def brute_force(shop: ShopApi) -> dict[str, Counter[str]]:
    """Every count the Sessions API lets one make by hand, session by session."""
    counts: dict[str, Counter[str]] = {
        name: Counter()
        for name in (
            "shown",
            "clicked",
            "dismissed",
            "chat_opened",
            "sessions",
            "conversions",
            "influenced",
            "baseline",
        )
    }
    for item in shop.walk():
        detail: dict[str, Any] = shop.detail(item["id"])
        kinds = set()
        for nudge in detail["nudges"]:
            kinds.add(nudge["type"])
            counts["shown"][nudge["type"]] += 1
            if nudge["outcome"] != "shown":
                counts[nudge["outcome"]][nudge["type"]] += 1
            counts["influenced"][nudge["type"]] += nudge["influenced_conversion"]
        for kind in kinds:
            counts["sessions"][kind] += 1
            counts["conversions"][kind] += detail["converted"]
        if all(nudge["outcome"] == "shown" for nudge in detail["nudges"]):
            counts["baseline"]["sessions"] += 1
            counts["baseline"]["conversions"] += detail["converted"]
    return counts
