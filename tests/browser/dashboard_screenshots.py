"""Screenshots of every dashboard page with a month of demo shoppers, on a desktop and on a
phone: docs/dashboard-*.png.

    .venv/bin/python -m tests.browser.dashboard_screenshots [OUTPUT_DIRECTORY]   # default: docs

Not a test: run it after changing the look, and look at every picture.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path
from typing import Any

from playwright.sync_api import sync_playwright

from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS
from tests.browser.dashboard import running_dashboard, sign_in
from tests.browser.screenshots import DESKTOP, PHONE


def main(output: Path) -> None:
    with tempfile.TemporaryDirectory() as folder, running_dashboard(Path(folder)) as live:
        session_id = next(
            s["id"]
            for s in live.api.get("/v1/sessions?limit=200").json()["data"]
            if s["nudge_count"] and s["page_count"] >= 4
        )
        pages = {
            "signin": None,
            "overview": live.page_url("overview"),
            "sessions": live.page_url("sessions"),
            "session": live.page_url(f"sessions/{session_id}"),
            "nudges": live.page_url("nudges"),
            "settings": live.page_url("settings"),
        }
        with sync_playwright() as driver:
            browser = driver.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            for size, options in (("desktop", DESKTOP), ("phone", PHONE)):
                context = browser.new_context(**options)
                page: Any = context.new_page()
                page.goto(f"{live.base}/dashboard/signin")
                page.screenshot(path=str(output / f"dashboard-signin-{size}.png"))
                sign_in(page, live.base)
                for name, url in pages.items():
                    if url is None:
                        continue
                    page.goto(url)
                    page.screenshot(
                        path=str(output / f"dashboard-{name}-{size}.png"),
                        full_page=size == "desktop",
                    )
                context.close()
            browser.close()


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "docs"))
