"""The dashboard in Chromium: sign in, every page with a month of demo shoppers, filters and
paging, a session's curve, settings that persist, viewers, forged forms, sign-out, the
sign-in limit, numbers equal to the API's, axe-core, one isolation test per page, and every
page on a phone's 390 px."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest

from tests.browser.dashboard import (
    LOCKED,
    PASSWORD,
    VIEWER,
    LiveDashboard,
    axe_violations,
    running_dashboard,
    sign_in,
)
from tests.browser.screenshots import PHONE

PAGES = ("overview", "sessions", "nudges", "knowledge", "settings")
ELNUDGE = str(Path(sys.executable).with_name("elnudge"))


@pytest.fixture(scope="module")
def dashboard(tmp_path_factory: pytest.TempPathFactory, playwright: Any) -> Iterator[LiveDashboard]:
    with running_dashboard(tmp_path_factory.mktemp("dashboard")) as live:
        yield live


@pytest.fixture
def owner_page(page: Any, dashboard: LiveDashboard) -> Any:
    """A tab signed in as the site's owner, that records every host it requests from."""
    page.hosts = set()
    page.on("request", lambda request: page.hosts.add(urlparse(request.url).netloc))
    sign_in(page, dashboard.base)
    page.wait_for_url(re.compile(r"/overview$"))
    return page


def first_session_url(dashboard: LiveDashboard) -> str:
    session_id = dashboard.api.get("/v1/sessions?limit=1").json()["data"][0]["id"]
    return dashboard.page_url(f"sessions/{session_id}")


def test_every_page_loads_from_this_server_alone_and_passes_axe(
    owner_page: Any, dashboard: LiveDashboard
) -> None:
    urls = [dashboard.page_url(page) for page in PAGES] + [first_session_url(dashboard)]
    for url in urls:
        response = owner_page.goto(url)
        assert response.status == 200, url
        assert owner_page.locator("h1").is_visible()
        assert axe_violations(owner_page) == [], url
    owner_page.goto(f"{dashboard.base}/dashboard/signin")  # signed in: redirected
    assert owner_page.hosts == {urlparse(dashboard.base).netloc}


def test_sign_in_and_error_pages_pass_axe(page: Any, dashboard: LiveDashboard) -> None:
    page.goto(f"{dashboard.base}/dashboard/signin")
    assert axe_violations(page) == []
    sign_in(page, dashboard.base)
    page.goto(dashboard.page_url("overview", dashboard.other))
    assert axe_violations(page) == []


def test_sessions_filters_and_paging(owner_page: Any, dashboard: LiveDashboard) -> None:
    owner_page.goto(dashboard.page_url("sessions"))
    first_page = owner_page.locator("table.sessions tbody tr a").all_inner_texts()
    assert len(first_page) == 50
    owner_page.click("a[rel=next]")
    second_page = owner_page.locator("table.sessions tbody tr a").all_inner_texts()
    assert second_page and second_page[0] <= first_page[-1]
    owner_page.goto(dashboard.page_url("sessions"))
    owner_page.select_option("#converted", "true")
    owner_page.fill("#min_intent", "50")
    owner_page.click("form.filters button")
    rows = owner_page.locator("table.sessions tbody tr")
    assert rows.count() > 0
    for row in rows.all():
        cells = row.locator("td").all_inner_texts()
        assert cells[3] == "Yes" and int(cells[2]) >= 50
    assert "converted=true" in owner_page.url


def test_a_session_page_shows_its_curve(owner_page: Any, dashboard: LiveDashboard) -> None:
    nudged = next(
        s for s in dashboard.api.get("/v1/sessions?limit=200").json()["data"] if s["nudge_count"]
    )
    owner_page.goto(dashboard.page_url(f"sessions/{nudged['id']}"))
    curve = owner_page.locator("svg.chart path.curve")
    assert curve.is_visible() and curve.bounding_box()["width"] > 100
    assert owner_page.locator("svg.chart g.mark").count() >= 1
    assert owner_page.locator(".timeline li").count() >= 1


def test_settings_persist_and_show_in_sites_show(owner_page: Any, dashboard: LiveDashboard) -> None:
    owner_page.goto(dashboard.page_url("settings"))
    owner_page.fill("#agent_name", "Rosa")
    owner_page.fill("#holdout_percent", "20")
    owner_page.click("text=Save nudge settings")
    assert owner_page.locator("text=Saved.").is_visible()
    assert owner_page.input_value("#agent_name") == "Rosa"
    env = {**os.environ, "ELNUDGE_DATABASE_URL": dashboard.url}
    shown = subprocess.run(
        [ELNUDGE, "sites", "show", dashboard.site.site_id, "--json"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    engine = json.loads(shown.stdout)["engine"]
    assert (engine["agent_name"], engine["holdout_percent"]) == ("Rosa", 20)


def test_a_viewer_cannot_post_settings(page: Any, dashboard: LiveDashboard) -> None:
    sign_in(page, dashboard.base, VIEWER)
    page.goto(dashboard.page_url("settings"))
    assert page.locator("text=You are a viewer").is_visible()
    assert page.locator("#agent_name").is_disabled()
    token = page.locator("input[name=csrf_token]").first.get_attribute("value")
    response = page.request.post(
        dashboard.page_url("settings/engine"),
        form={"csrf_token": token, "agent_name": "Viewer", "holdout_percent": "10"},
    )
    assert response.status == 403


def test_a_forged_form_is_refused(owner_page: Any, dashboard: LiveDashboard) -> None:
    owner_page.goto(dashboard.page_url("settings"))
    owner_page.evaluate(
        "document.querySelectorAll('input[name=csrf_token]').forEach(e => e.remove())"
    )
    owner_page.fill("#agent_name", "Forger")
    with owner_page.expect_response(re.compile("settings/engine")) as answer:
        owner_page.click("text=Save nudge settings")
    assert answer.value.status == 403
    assert owner_page.locator("text=did not come from this dashboard").is_visible()
    owner_page.goto(dashboard.page_url("settings"))
    assert owner_page.input_value("#agent_name") != "Forger"


def test_sign_out_ends_the_session(owner_page: Any, dashboard: LiveDashboard) -> None:
    owner_page.click("text=Sign out")
    owner_page.wait_for_url(re.compile(r"/signin$"))
    owner_page.goto(dashboard.page_url("overview"))
    assert owner_page.url.endswith("/dashboard/signin")


def test_five_wrong_passwords_are_slowed_down(page: Any, dashboard: LiveDashboard) -> None:
    for _ in range(5):
        sign_in(page, dashboard.base, LOCKED, "not the password")
        assert page.locator("text=Wrong email or password.").is_visible()
    sign_in(page, dashboard.base, LOCKED, PASSWORD)
    assert page.locator("text=Too many sign-in attempts").is_visible()
    assert page.url.endswith("/dashboard/signin")


def test_overview_and_nudges_numbers_equal_the_api(
    owner_page: Any, dashboard: LiveDashboard
) -> None:
    owner_page.goto(dashboard.page_url("overview"))
    start = owner_page.input_value("#from")
    end = owner_page.input_value("#to")
    shown = {
        name: owner_page.inner_text(f"#{name}")
        for name in ("total-sessions", "total-nudges-shown", "total-influenced")
    }
    period = {"from": f"{start}T00:00:00Z", "to": f"{end}T23:59:59.999Z"}  # UTC site
    report = dashboard.api.get("/v1/reports/nudges", params=period).json()["data"]
    sessions = 0
    cursor: str | None = None
    while True:
        params: dict[str, str | int] = {**period, "limit": 200}
        if cursor:
            params["cursor"] = cursor
        body = dashboard.api.get("/v1/sessions", params=params).json()
        sessions += len(body["data"])
        cursor = body["next_cursor"]
        if not cursor:
            break
    assert shown["total-sessions"] == f"{sessions:,}"
    assert shown["total-nudges-shown"] == f"{sum(r['shown'] for r in report['by_type']):,}"
    influenced = sum(r["influenced_conversions"] for r in report["by_type"])
    assert shown["total-influenced"] == f"{influenced:,}"
    owner_page.goto(dashboard.page_url("nudges"))
    for row in report["by_type"]:
        line = owner_page.locator(f"tr[data-type={row['type']}]")
        assert line.locator("[data-field=shown]").inner_text() == str(row["shown"])
        assert line.locator("[data-field=clicked]").inner_text() == str(row["clicked"])
        assert line.locator("[data-field=chat_opened]").inner_text() == str(row["chat_opened"])
        assert line.locator("[data-field=conversions]").inner_text() == str(row["conversions"])


@pytest.mark.parametrize("page_name", [*PAGES, "session"])
def test_another_sites_page_is_the_same_404(
    owner_page: Any, dashboard: LiveDashboard, page_name: str
) -> None:
    unknown = owner_page.goto(f"{dashboard.base}/dashboard/sites/site_unknown/{page_name}s")
    unknown_text = owner_page.inner_text("main")
    if page_name == "session":
        other_id = dashboard.api.get("/v1/sessions?limit=1").json()["data"][0]["id"]
        url = dashboard.page_url(f"sessions/{other_id}", dashboard.other)
    else:
        url = dashboard.page_url(page_name, dashboard.other)
    response = owner_page.goto(url)
    assert unknown.status == response.status == 404
    assert owner_page.inner_text("main") == unknown_text


def nudged_session_url(dashboard: LiveDashboard) -> str:
    sessions = dashboard.api.get("/v1/sessions?limit=200").json()["data"]
    return dashboard.page_url(f"sessions/{next(s['id'] for s in sessions if s['nudge_count'])}")


WRAPS = """() => [...document.querySelectorAll("table")].map(table => {
  const wrap = table.parentElement, style = getComputedStyle(wrap);
  return {cls: wrap.className, tabindex: wrap.getAttribute("tabindex"),
    role: wrap.getAttribute("role"),
    named: wrap.hasAttribute("aria-labelledby") || wrap.hasAttribute("aria-label"),
    overflow: style.overflowX,
    shade: style.backgroundImage.split("linear-gradient").length - 1 === 4};
})"""
WRAPPED = {
    "cls": "table-wrap",
    "tabindex": "0",
    "role": "region",
    "named": True,
    "overflow": "auto",
    "shade": True,
}


def test_every_page_fits_a_phone_and_its_tables_scroll_in_their_card(
    browser: Any, dashboard: LiveDashboard
) -> None:
    context = browser.new_context(**PHONE)
    page = context.new_page()
    sign_in(page, dashboard.base)
    page.wait_for_url(re.compile(r"/overview$"))
    session = nudged_session_url(dashboard)
    tables = 0
    for url in [*(dashboard.page_url(name) for name in PAGES), session]:
        assert page.goto(url).status == 200, url
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["viewport"]["width"], (url, width)  # the page never scrolls sideways
        wraps = page.evaluate(WRAPS)
        assert wraps and all(wrap == WRAPPED for wrap in wraps), (url, wraps)
        tables += len(wraps)
        assert axe_violations(page) == [], url
    assert tables >= 6
    # The Session page's nudges were cut off ("Outcon"): their table now scrolls in its card,
    # and scrolled to its end, its last column is whole.
    page.goto(session)
    wrap = page.locator("section[aria-labelledby=nudges-title] .table-wrap")
    assert wrap.evaluate("e => e.scrollWidth > e.clientWidth")
    wrap.evaluate("e => { e.scrollLeft = e.scrollWidth; }")
    last = wrap.locator("th").last.bounding_box()
    box = wrap.bounding_box()
    assert box["x"] <= last["x"] and last["x"] + last["width"] <= box["x"] + box["width"] + 1
    context.close()
