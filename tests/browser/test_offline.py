"""Everything elNudge serves works with the internet cut off and asks no other origin for
anything: the API docs render their operations, the demo shop renders and loads the SDK."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.browser.conftest import LiveShop
from tests.browser.offline import DOCS_READY, OFFLINE_PAGES, offline, visit

DOCS = Path(__file__).parents[2] / "docs"


@pytest.mark.parametrize("path", list(OFFLINE_PAGES))
def test_pages_render_with_other_origins_blocked(
    context: Any, page: Any, live_shop: LiveShop, path: str
) -> None:
    with offline(context, live_shop.base) as log:
        visit(page, live_shop.base + path, ready=OFFLINE_PAGES[path])
    log.assert_clean()
    assert any(url.endswith(".js") for url in log.served), log.served


def test_the_docs_list_every_operation_offline(
    context: Any, page: Any, live_shop: LiveShop
) -> None:
    with offline(context, live_shop.base) as log:
        visit(page, live_shop.base + "/docs", ready=DOCS_READY)
        operations = page.eval_on_selector_all(
            ".opblock-summary-path", "nodes => nodes.map(n => n.getAttribute('data-path'))"
        )
        document = live_shop.api.get("/openapi.json").json()
        icon = page.eval_on_selector("link[rel~=icon]", "link => link.href")
    log.assert_clean()
    assert sorted(set(operations)) == sorted(document["paths"])
    assert icon.startswith(live_shop.base + "/docs/assets/favicon.")


def test_the_offline_check_catches_a_foreign_request(
    context: Any, page: Any, live_shop: LiveShop
) -> None:
    """The guard itself: a page that asks another origin is caught, and the request blocked."""
    with offline(context, live_shop.base) as log:
        visit(page, live_shop.base + "/shop/", ready="true")
        page.evaluate("fetch('https://cdn.example/x.js').catch(() => null)")
        page.wait_for_timeout(200)
    assert log.foreign == ["https://cdn.example/x.js"]
    with pytest.raises(AssertionError, match="other origins"):
        log.assert_clean()


def screenshot_docs(page: Any, base: str, path: Path) -> None:
    """docs/api-docs-offline.png: /docs as a reader sees it with no internet."""
    page.set_viewport_size({"width": 1280, "height": 900})
    visit(page, base + "/docs", ready=DOCS_READY)
    page.screenshot(path=str(path))


def test_screenshot_of_the_docs_offline(
    context: Any, page: Any, live_shop: LiveShop, tmp_path: Path
) -> None:
    with offline(context, live_shop.base) as log:
        screenshot_docs(page, live_shop.base, tmp_path / "docs.png")
    log.assert_clean()
    assert (tmp_path / "docs.png").stat().st_size > 10_000
