"""How the SDK delivers: a late-loading SDK, a closing tab, an idle tab, a broken relay."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

from tests.browser.conftest import LiveShop, wait_for

QUIET = "__eln('config', {flushInterval: 600000})"  # only explicit flushes and beacons send
# Counts the page's calls to the relay as they are made, in the page: unlike network events,
# the count is exact as soon as a Playwright call that ran the page's timers returns.
COUNT_RELAY_CALLS = """
window.relayCalls = 0;
const fetchForReal = window.fetch;
window.fetch = function (url) {
  if (String(url).endsWith('/v1/relay')) window.relayCalls += 1;
  return fetchForReal.apply(this, arguments);
};
"""


def test_queue_stub_replays_calls_made_before_the_sdk_loaded(
    page: Any, live_shop: LiveShop
) -> None:
    held: list[Any] = []
    page.route("**/sdk/*.js", lambda route: held.append(route))  # loads when the test says
    page.goto(live_shop.shop + "/", wait_until="domcontentloaded")
    page.evaluate(
        "__eln('identify', 'shopper-7');"
        "__eln('track', 'CUSTOM', {name: 'early-1'});"
        "__eln('track', 'CUSTOM', {name: 'early-2'})"
    )
    assert page.evaluate("!window.__eln.loaded && window.__eln.q.length") == 3
    # Playwright delivers route events only while it is called: wait through it.
    wait_for(lambda: held or page.wait_for_timeout(50), what="the request for sdk.js")
    held[0].continue_()
    page.wait_for_function("window.__eln.loaded === true")
    page.evaluate("window.__eln.flush()")

    def stored() -> list[dict[str, Any]] | None:
        rows = live_shop.stored_events()
        return rows if len(rows) >= 3 else None

    rows = wait_for(stored, what="the queued events")
    assert [row["type"] for row in rows] == ["PAGE_VIEW", "CUSTOM", "CUSTOM"]
    assert [row["data"] for row in rows[1:]] == ['{"name":"early-1"}', '{"name":"early-2"}']
    assert {row["visitor_id"] for row in rows} == {"shopper-7"}


def test_a_closed_tab_delivers_its_last_events_by_beacon(context: Any, live_shop: LiveShop) -> None:
    tab = context.new_page()
    tab.goto(live_shop.shop + "/")
    tab.evaluate(QUIET)
    tab.evaluate("__eln('track', 'CUSTOM', {name: 'last-words'})")
    tab.wait_for_timeout(500)
    assert "CUSTOM" not in live_shop.event_types()  # still queued in the page
    tab.close(run_before_unload=True)

    wait_for(lambda: "CUSTOM" in live_shop.event_types(), what="the beacon's events")
    assert live_shop.event_types().count("PAGE_VIEW") == 1


def test_a_tab_idle_for_over_30_minutes_starts_a_new_session(
    page: Any, live_shop: LiveShop
) -> None:
    page.clock.install()
    page.goto(live_shop.shop + "/")
    first_key = page.evaluate("JSON.parse(sessionStorage.getItem('eln_session')).id")
    page.clock.fast_forward("20:00")  # 20 minutes: still the same session
    page.click('a[href="/shop/products/daily-miles"]')
    page.wait_for_url("**/products/daily-miles")
    assert page.evaluate("JSON.parse(sessionStorage.getItem('eln_session')).id") == first_key
    page.clock.fast_forward("31:00")  # then 31 idle minutes
    page.click("#add-to-cart")
    second_key = page.evaluate("JSON.parse(sessionStorage.getItem('eln_session')).id")
    assert second_key != first_key
    page.evaluate("window.__eln.flush()")

    def two_sessions() -> list[dict[str, Any]] | None:
        listed = live_shop.sessions()
        return listed if len(listed) == 2 else None

    newest, oldest = wait_for(two_sessions, what="two sessions in GET /v1/sessions")
    assert oldest["page_count"] == 2  # the catalogue and the product page
    assert newest["page_count"] == 0  # the cart add and its click only
    keys = {row["client_key"] for row in live_shop.stored_sessions()}
    assert keys == {first_key, second_key}


def test_a_page_with_a_failing_relay_keeps_working(page: Any, live_shop: LiveShop) -> None:
    attempts: list[str] = []

    def refuse(route: Any) -> None:
        attempts.append(route.request.url)
        route.abort("connectionrefused")

    page.route("**/v1/relay", refuse)
    messages: list[str] = []
    page.on("console", lambda message: messages.append(message.text))
    page.goto(live_shop.shop + "/products/tempo-racer-3")
    page.evaluate("__eln('config', {debug: true}); window.__eln.flush()")
    page.click("#add-to-cart")
    assert page.text_content("#cart-count") == "1"  # the shop's own script is unaffected
    page.wait_for_timeout(2500)  # backoff: a retry within 0.5-1 s, the next within 1-2 s
    assert len(attempts) >= 2
    assert any(text.startswith("[elNudge] relay unavailable") for text in messages)
    assert page.evaluate("typeof window.__eln.track") == "function"
    assert live_shop.stored_events() == []
    page.click("#added a")
    page.wait_for_url("**/shop/cart")
    assert page.locator("#cart-items tr").count() == 1


def test_a_relay_answering_429_is_retried_after_its_retry_after(
    page: Any, live_shop: LiveShop
) -> None:
    bodies: list[dict[str, Any]] = []

    def throttle_once(route: Any) -> None:
        bodies.append(json.loads(route.request.post_data))
        if len(bodies) == 1:
            headers = {"Retry-After": "3", "Content-Type": "application/json"}
            route.fulfill(status=429, headers=headers, body='{"message": "Too many requests"}')
        else:
            route.continue_()

    page.route("**/v1/relay", throttle_once)
    page.add_init_script(COUNT_RELAY_CALLS)
    now = datetime.now(UTC)
    page.clock.install(time=now)
    # From here the page's timers run only when the test moves its clock.
    page.clock.pause_at(now + timedelta(seconds=5))
    page.goto(live_shop.shop + "/products/tempo-racer-3")
    page.evaluate(QUIET)
    with page.expect_response(lambda response: response.status == 429):
        page.clock.run_for(1)  # the page and product views can trigger a nudge: sent at once
    page.click("#add-to-cart")  # the shop works on while the SDK waits
    assert page.text_content("#cart-count") == "1"
    page.evaluate("window.__eln.flush()")  # waiting out Retry-After: no send before it ends
    # 2.9 s is past the SDK's own first backoff (0.5 to 1 s), short of the relay's 3 s.
    page.clock.run_for(2_900)
    assert page.evaluate("window.relayCalls") == 1
    with page.expect_response(lambda response: response.url.endswith("/v1/relay")) as retried:
        page.clock.run_for(200)
    assert retried.value.status == 200
    assert page.evaluate("window.relayCalls") == 2

    first, retry = (
        {event["event_id"]: event["event"] for event in body["events"]} for body in bodies
    )
    assert first.items() <= retry.items()  # the refused batch again, under the same ids
    assert {"ADD_TO_CART", "CLICK"} <= set(retry.values()) - set(first.values())

    def stored() -> list[dict[str, Any]] | None:
        rows = live_shop.stored_events()
        return rows if len(rows) >= len(retry) else None

    rows = wait_for(stored, what="the retried events")
    assert sorted(row["client_event_id"] for row in rows) == sorted(retry)  # each once
    assert page.evaluate("typeof window.__eln.track") == "function"
