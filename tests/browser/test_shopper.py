"""A shopper in a real Chromium: the SDK, the relay, ingestion and the Sessions API together."""

from __future__ import annotations

from typing import Any

from tests.browser.conftest import LiveShop, wait_for

PRODUCT = "ultra-stride-v2"


def flush(page: Any) -> None:
    page.evaluate("window.__eln.flush()")


def test_a_shopper_browses_adds_to_cart_checks_out_and_buys(page: Any, live_shop: LiveShop) -> None:
    page.goto(live_shop.shop + "/")
    card = page.locator(f'[data-eln-product="prod_{PRODUCT}"]').first
    card.hover()
    page.wait_for_timeout(2300)  # over the SDK's 2 s hover threshold
    card.click()
    page.wait_for_url(f"**/shop/products/{PRODUCT}")
    page.mouse.wheel(0, 20_000)  # to the bottom: 25, 50, 75 and 100 %
    page.wait_for_function("window.scrollY > 0")
    page.wait_for_timeout(300)  # the SDK looks at the scroll position at most every 100 ms
    page.click("#add-to-cart")
    page.wait_for_selector("#added:not([hidden])")
    assert page.text_content("#cart-count") == "1"
    page.click("#added a")
    page.wait_for_url("**/shop/cart")
    page.click("#checkout")
    page.wait_for_url("**/shop/checkout")
    page.click("#pay")
    page.wait_for_url("**/shop/thank-you")
    assert page.text_content("#order-id")
    flush(page)

    def converted() -> dict[str, Any] | None:
        listed = live_shop.sessions()
        return listed[0] if listed and listed[0]["converted"] else None

    session = wait_for(converted, what="the converted session in GET /v1/sessions")
    assert len(live_shop.sessions()) == 1
    # /shop/, the product, /shop/cart, /shop/checkout, /shop/thank-you
    assert session["page_count"] == 5

    detail = live_shop.detail(session["id"])
    types = [event["type"] for event in detail["events"]]
    funnel = ["PRODUCT_VIEW", "ADD_TO_CART", "CHECKOUT_STAGE", "PURCHASE"]
    assert [kind for kind in types if kind in funnel] == [
        "PRODUCT_VIEW",
        "ADD_TO_CART",
        "CHECKOUT_STAGE",
        "CHECKOUT_STAGE",
        "CHECKOUT_STAGE",
        "PURCHASE",
    ]
    assert types[0] == "PAGE_VIEW" and detail["events"][0]["url"] == "/shop/"
    assert {"ELEMENT_HOVER", "CLICK", "SCROLL_DEPTH"} <= set(types)
    assert [e["url"] for e in detail["events"] if e["type"] == "PURCHASE"] == ["/shop/thank-you"]

    stored = live_shop.stored_events()
    scores = [row["intent_score"] for row in stored]
    add_index = next(i for i, row in enumerate(stored) if row["type"] == "ADD_TO_CART")
    assert scores[add_index] > scores[0]  # a cart add raised the score
    assert scores[-1] == session["intent_score"] > scores[0]
    depths = sorted(
        int(row["data"].split(":")[1].rstrip("}"))
        for row in stored
        if row["type"] == "SCROLL_DEPTH"
    )
    assert depths == [25, 50, 75, 100]  # each once for the product page

    [row] = live_shop.stored_sessions()
    assert (row["browser"], row["os"], row["is_bot"]) == ("Chrome", "Linux", False)


def test_headless_chromium_is_stored_but_flagged_as_a_bot(
    headless_browser: Any, live_shop: LiveShop
) -> None:
    headless = headless_browser.new_context()
    try:
        tab = headless.new_page()
        tab.goto(live_shop.shop + "/")
        flush(tab)
        wait_for(live_shop.stored_sessions, what="the headless session to be stored")
    finally:
        headless.close()
    [row] = live_shop.stored_sessions()
    assert row["is_bot"] is True and row["browser"] == "HeadlessChrome"
    assert live_shop.sessions() == []


def test_single_page_app_route_changes_are_page_views(page: Any, live_shop: LiveShop) -> None:
    page.goto(live_shop.shop + "/")
    page.evaluate("history.pushState({}, '', '/shop/spa/step-2')")
    page.evaluate("history.pushState({}, '', '/shop/spa/step-2#same-page')")  # no new page
    page.evaluate("history.back()")
    page.evaluate("history.back()")  # popstate back to /shop/
    page.wait_for_function("location.pathname === '/shop/'")
    flush(page)

    def page_views() -> list[str] | None:
        urls = [row["url"] for row in live_shop.stored_events() if row["type"] == "PAGE_VIEW"]
        return urls if len(urls) >= 3 else None

    assert wait_for(page_views, what="three page views") == [
        "/shop/",
        "/shop/spa/step-2",
        "/shop/",
    ]


def test_a_storefront_on_another_origin_reports_through_cors(
    page: Any, live_shop: LiveShop
) -> None:
    storefront = live_shop.base.replace("127.0.0.1", "localhost") + "/xshop/"
    page.goto(storefront + "products/daily-miles")
    page.evaluate("__eln('config', {debug: true, flushInterval: 600000})")  # explicit sends only

    def add_to_cart(response: Any) -> bool:
        return response.url.endswith("/v1/relay") and "ADD_TO_CART" in (
            response.request.post_data or ""
        )

    # Listening before the click: the add to cart is a trigger, sent at the end of the click's
    # task, and its answer can arrive before a listener set up after the click would see it.
    with (
        page.expect_console_message(lambda m: m.text.startswith("[elNudge] sent")) as logged,
        page.expect_response(add_to_cart) as sent,
    ):
        page.click("#add-to-cart")
        page.evaluate("window.__eln.flush()")
    relay_call = sent.value
    assert relay_call.request.header_value("origin") == storefront.removesuffix("/xshop/")
    assert relay_call.ok
    # The page's script could read the answer: CORS let it through.
    assert "accepted" in logged.value.text
    assert "ADD_TO_CART" in live_shop.event_types()
    assert live_shop.sessions()[0]["page_count"] == 1


def test_leaving_through_the_top_is_one_exit_intent_per_page_and_lowers_the_score(
    page: Any, live_shop: LiveShop
) -> None:
    page.goto(live_shop.shop + f"/products/{PRODUCT}")
    page.evaluate("__eln('config', {flushInterval: 600000})")  # explicit sends only
    flush(page)

    def scored() -> dict[str, Any] | None:
        listed = live_shop.sessions()
        return listed[0] if listed and listed[0]["intent_score"] > 0 else None

    before = wait_for(scored, what="the product view's score in GET /v1/sessions")

    def leave_through_the_top() -> None:
        page.mouse.move(300, 200)
        page.mouse.move(300, -5)  # out of the viewport above it: towards the tab bar

    leave_through_the_top()
    leave_through_the_top()  # the same page again: not a second exit intent
    flush(page)

    def exit_intents(count: int) -> list[dict[str, Any]] | None:
        rows = [row for row in live_shop.stored_events() if row["type"] == "EXIT_INTENT"]
        return rows if len(rows) >= count else None

    [exit_row] = wait_for(lambda: exit_intents(1), what="the EXIT_INTENT event")
    detail = live_shop.detail(before["id"])
    assert [event["type"] for event in detail["events"]].count("EXIT_INTENT") == 1
    assert exit_row["url"] == f"/shop/products/{PRODUCT}"
    assert detail["intent_score"] == exit_row["intent_score"] < before["intent_score"]

    page.evaluate("history.pushState({}, '', '/shop/cart')")  # a new page: it may leave again
    leave_through_the_top()
    flush(page)
    rows = wait_for(lambda: exit_intents(2), what="the second page's EXIT_INTENT")
    assert [row["url"] for row in rows] == [f"/shop/products/{PRODUCT}", "/shop/cart"]
