"""Overview and Nudges pages: every number equals the API's for the same period."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from elnudge.dashboard.nudges_page import lift_sentence
from elnudge.provisioning import CreatedSite, create_site
from elnudge.reports.experiment import ExperimentReport
from elnudge.runtime import Runtime
from tests.storefront import ShopApi, add_to_cart, nudge_reaction, nudge_shown, page_view, purchase

PERIOD = {"from": "2026-04-10T00:00:00Z", "to": "2026-04-25T00:00:00Z"}


def traffic(shop: ShopApi) -> None:
    events = []
    for i in range(12):
        session, ts = f"v{i}", f"2026-04-{12 + i % 5:02d}T10:{i:02d}:00Z"
        events.append(page_view(ts, "/products/ultra-stride-v2", session=session))
        if i % 2:
            nudge = f"nudg_01JNUDGE{i:017d}"
            kind = ("toast", "chat_bubble", "exit_modal")[i % 3]
            events.append(nudge_shown(ts.replace(":00Z", ":10Z"), nudge, kind, session=session))
            events.append(
                nudge_reaction("NUDGE_CLICKED", ts.replace(":00Z", ":20Z"), nudge, session=session)
            )
        if i % 3 == 0:
            events.append(add_to_cart(ts.replace(":00Z", ":30Z"), session=session))
            events.append(purchase(ts.replace(":00Z", ":40Z"), session=session))
    shop.ingest(*events)


def number(html: str, element_id: str) -> str:
    found = re.search(rf'id="{element_id}">([^<]*)<', html)
    assert found, element_id
    return found.group(1)


def test_overview_numbers_equal_the_apis(
    signed_in: TestClient, shop: ShopApi, site: CreatedSite
) -> None:
    traffic(shop)
    page = signed_in.get(f"/dashboard/sites/{site.site_id}/overview?from=2026-04-10&to=2026-04-24")
    assert page.status_code == 200
    listed = shop.walk(limit=200, **PERIOD)
    report = shop.client.get("/v1/reports/nudges", params=PERIOD, headers=shop.headers).json()[
        "data"
    ]
    converted = sum(s["converted"] for s in listed)
    assert number(page.text, "total-sessions") == str(len(listed))
    assert number(page.text, "total-conversion-rate") == f"{converted / len(listed) * 100:.1f}%"
    average = round(sum(s["intent_score"] for s in listed) / len(listed), 1)
    assert number(page.text, "total-average-intent") == str(average)
    shown = sum(row["shown"] for row in report["by_type"])
    assert shown > 0 and number(page.text, "total-nudges-shown") == str(shown)
    influenced = sum(row["influenced_conversions"] for row in report["by_type"])
    assert number(page.text, "total-influenced") == str(influenced)
    assert page.text.count('class="bar"') == 4 * 15  # four charts, fifteen days


def test_nudges_page_equals_the_report(
    signed_in: TestClient, shop: ShopApi, site: CreatedSite
) -> None:
    traffic(shop)
    page = signed_in.get(f"/dashboard/sites/{site.site_id}/nudges?from=2026-04-10&to=2026-04-24")
    assert page.status_code == 200
    report = shop.client.get("/v1/reports/nudges", params=PERIOD, headers=shop.headers).json()[
        "data"
    ]
    for row in report["by_type"]:
        block = re.search(rf'data-type="{row["type"]}">(.*?)</tr>', page.text, re.S)
        assert block, row["type"]
        shown = dict(re.findall(r'data-field="(\w+)">(\d+)<', block.group(1)))
        for field in ("shown", "clicked", "chat_opened", "conversions", "influenced_conversions"):
            assert shown[field] == str(row[field]), (row["type"], field)
    baseline = report["baseline"]["conversion_rate"]
    assert number(page.text, "baseline-rate") == f"{baseline * 100:.2f}%"
    treatment = report["experiment"]["treatment"]["conversion_rate"]
    assert number(page.text, "treatment-rate") == f"{treatment * 100:.2f}%"
    assert lift_sentence(report["experiment"]) in page.text


@pytest.mark.parametrize("page", ["overview", "nudges"])
def test_bad_periods_are_a_message(signed_in: TestClient, site: CreatedSite, page: str) -> None:
    base = f"/dashboard/sites/{site.site_id}/{page}"
    assert "first day is after" in signed_in.get(base + "?from=2026-04-20&to=2026-04-01").text
    assert signed_in.get(base + "?from=soon").status_code == 400
    assert signed_in.get(base + "?period=all").status_code == 400


@pytest.mark.parametrize("page", ["overview", "nudges"])
def test_another_sites_page_is_the_same_404(
    signed_in: TestClient, runtime: Runtime, page: str
) -> None:
    with runtime.database.write() as connection:
        another = create_site(connection, name="Other", plan="starter", now_ms=0)
    unknown = signed_in.get("/dashboard/sites/site_unknown/overview")
    other = signed_in.get(f"/dashboard/sites/{another.site_id}/{page}")
    assert other.status_code == 404 and other.text == unknown.text


def experiment(lift: float | None, low: float, high: float) -> ExperimentReport:
    arm = {"sessions": 10, "conversions": 1, "conversion_rate": 0.1}
    return {  # type: ignore[typeddict-item]
        "treatment": arm,
        "holdout": arm,
        "relative_lift": lift,
        "ci95": None if lift is None else [low, high],
    }


def test_the_lift_in_one_plain_sentence() -> None:
    assert "Not enough data" in lift_sentence(experiment(None, 0, 0))
    assert "12.0% more often" in lift_sentence(experiment(0.12, 0.03, 0.22))
    assert "paying off" in lift_sentence(experiment(0.12, 0.03, 0.22))
    assert "could still be chance" in lift_sentence(experiment(0.05, -0.02, 0.12))
    assert "costing sales" in lift_sentence(experiment(-0.2, -0.3, -0.1))
