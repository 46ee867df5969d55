"""The Knowledge page in Chromium (issue 17: knowledge managed from the dashboard): an owner
adds an entry, imports a CSV file (a bad one first: each bad row named), removes an entry
after confirming; every state of the page passes axe-core. A viewer sees no form."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from elnudge.knowledge import service
from tests.browser.dashboard import (
    VIEWER,
    LiveDashboard,
    axe_violations,
    running_dashboard,
    sign_in,
)

GOOD = "kind,title,body,url\nfaq,Do you gift wrap?,Yes: choose it at checkout.,/gifts\n"
GOOD += 'policy,Price match,"We match any UK store\'s price, within 7 days.",\n'
BAD = "kind,title,body\nfaq,Q,A\nblog,Q,A\nfaq,,A\n"


@pytest.fixture(scope="module")
def dashboard(tmp_path_factory: pytest.TempPathFactory, playwright: Any) -> Iterator[LiveDashboard]:
    with running_dashboard(tmp_path_factory.mktemp("knowledge"), days=2, per_day=10) as live:
        yield live


def titles(dashboard: LiveDashboard) -> list[str]:
    with dashboard.database.read() as connection:
        entries = service.list_entries(connection, dashboard.site.site_id)
    return [entry["title"] for entry in entries]


def shown_titles(page: Any) -> list[str]:
    titles: list[str] = page.locator("#entries .title").all_inner_texts()
    return titles


def test_an_owner_adds_imports_and_removes_entries(
    page: Any, dashboard: LiveDashboard, tmp_path: Path
) -> None:
    sign_in(page, dashboard.base)
    page.wait_for_url(re.compile(r"/overview$"))
    page.click("nav >> text=Knowledge")
    page.wait_for_url(re.compile(r"/knowledge$"))
    assert shown_titles(page)[: len(titles(dashboard))] == titles(dashboard)[::-1][:50]
    assert axe_violations(page) == []

    page.select_option("#kind", "faq")
    page.fill("#title", "Can I collect in store?")
    page.fill("#body", "Yes, from our Denver store, the next day.")
    page.fill("#url", "/stores")
    page.click("button:text-is('Add entry')")
    page.wait_for_url(re.compile(r"\?added=1$"))
    assert page.locator("text=Added 1 entry.").is_visible()
    assert shown_titles(page)[0] == "Can I collect in store?"

    bad = tmp_path / "bad.csv"
    bad.write_text(BAD)
    page.set_input_files("#file", str(bad))
    page.click("button:text-is('Import')")
    page.locator(".problems li").first.wait_for()
    problems = page.locator(".problems li").all_inner_texts()
    assert [p.split(":")[0] for p in problems] == ["Line 3", "Line 4"]
    assert page.locator("[role=alert]").is_visible()
    assert axe_violations(page) == []
    assert "Q" not in titles(dashboard)

    good = tmp_path / "good.csv"
    good.write_text(GOOD)
    page.set_input_files("#file", str(good))
    page.click("button:text-is('Import')")
    page.wait_for_url(re.compile(r"\?added=2$"))
    assert page.locator("text=Added 2 entries.").is_visible()
    assert shown_titles(page)[:2] == ["Price match", "Do you gift wrap?"]
    assert titles(dashboard)[-3:] == ["Can I collect in store?", "Do you gift wrap?", "Price match"]

    page.click("[aria-label^='Remove “Do you gift wrap?”']")
    assert page.locator("h1").inner_text() == "Remove this entry?"
    assert page.locator("text=Yes: choose it at checkout.").is_visible()
    assert axe_violations(page) == []
    page.click("button:text-is('Remove entry')")
    page.wait_for_url(re.compile(r"\?removed=1$"))
    assert page.locator("text=Removed.").is_visible()
    assert "Do you gift wrap?" not in shown_titles(page)
    assert "Do you gift wrap?" not in titles(dashboard)
    assert axe_violations(page) == []


def test_a_viewer_sees_the_entries_and_no_form(page: Any, dashboard: LiveDashboard) -> None:
    sign_in(page, dashboard.base, VIEWER)
    page.goto(dashboard.page_url("knowledge"))
    assert page.locator("text=You are a viewer").is_visible()
    assert page.locator("#entries tbody tr").count() > 0
    for form in ("form[action$='/knowledge']", "#file", "a[href$='/remove']"):
        assert page.locator(form).count() == 0, form
    assert axe_violations(page) == []
