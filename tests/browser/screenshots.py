"""Screenshots of the widget on the demo shop, on a desktop and on a phone: docs/widget-*.png.

    .venv/bin/python -m tests.browser.screenshots [OUTPUT_DIRECTORY]   # default: docs

The real server and sdk.js, Debian's Chromium, and the relay's answers scripted as in the
widget's tests (the engine decides nothing here). Not a test: run it after changing the look.
"""

from __future__ import annotations

import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from playwright.sync_api import sync_playwright

from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, DESKTOP_CHROME, running_shop
from tests.browser.nudges import INSTRUMENT, ScriptedRelay, nudge, on_event

DESKTOP: dict[str, Any] = {"viewport": {"width": 1280, "height": 800}, "device_scale_factor": 1}
PHONE: dict[str, Any] = {
    "viewport": {"width": 390, "height": 844},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
}
PRODUCT = "/products/tempo-racer-3"


def _toast(page: Any, shop: str) -> None:
    ScriptedRelay(page, on_event("PRODUCT_VIEW", nudge("toast")))
    page.goto(shop + PRODUCT)


def _bubble(page: Any, shop: str) -> None:
    ScriptedRelay(page, on_event("PRODUCT_VIEW", nudge("chat_bubble")))
    page.goto(shop + PRODUCT)


def _modal(page: Any, shop: str) -> None:
    ScriptedRelay(page, on_event("EXIT_INTENT", nudge("exit_modal")))
    page.goto(shop + PRODUCT)
    page.click("#add-to-cart")
    page.evaluate("__eln('track', 'EXIT_INTENT', {})")


def _bar(page: Any, shop: str) -> None:
    ScriptedRelay(page, on_event("CHECKOUT_STAGE", nudge("sticky_bar")))
    page.goto(shop + PRODUCT)
    page.click("#add-to-cart")
    page.goto(shop + "/checkout")


def _chat(page: Any, shop: str) -> None:
    _bar(page, shop)
    page.wait_for_function("window.__widgetRoot && __widgetRoot.querySelector('.r .b')")
    page.evaluate("__widgetRoot.querySelector('.r .b').click()")


SCENES: dict[str, Callable[[Any, str], None]] = {
    "toast": _toast,
    "bubble": _bubble,
    "modal": _modal,
    "chat": _chat,  # with the sticky bar below it
}


def take(output: Path) -> list[Path]:
    """Every scene on both devices; returns the files written."""
    written = []
    with (
        tempfile.TemporaryDirectory() as directory,
        running_shop(Path(directory)) as live,
        sync_playwright() as driver,
    ):
        args = [*CHROMIUM_ARGS, f"--user-agent={DESKTOP_CHROME}"]
        browser = driver.chromium.launch(executable_path=CHROMIUM, args=args)
        for device, options in (("desktop", DESKTOP), ("phone", PHONE)):
            for name, scene in SCENES.items():
                context = browser.new_context(**options)
                page = context.new_page()
                page.add_init_script(INSTRUMENT)
                scene(page, live.shop)
                page.wait_for_function(
                    "window.__widgetRoot && __widgetRoot.querySelector('.w > :not(.s)')"
                )
                page.evaluate("Promise.all(__widgetRoot.getAnimations().map(a => a.finished))")
                path = output / f"widget-{name}-{device}.png"
                page.screenshot(path=str(path))
                written.append(path)
                context.close()
        browser.close()
    return written


if __name__ == "__main__":
    for path in take(Path(sys.argv[1] if len(sys.argv) > 1 else "docs")):
        print(path)
