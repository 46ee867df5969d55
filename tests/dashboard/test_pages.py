"""Sessions, Session and Settings pages through the real app: the same data as the API,
filters and paging, bad input as a message, isolation between sites, viewers and CSRF."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from elnudge.keys.repository import list_keys
from elnudge.provisioning import CreatedSite, create_site
from elnudge.runtime import Runtime
from elnudge.sites.service import update_site
from elnudge.sites.summary import site_summary
from tests.dashboard.conftest import add_user, csrf_of, sign_in
from tests.storefront import ShopApi, add_to_cart, nudge_shown, page_view, purchase

SESSION_LINK = re.compile(r"/sessions/(sess_[0-9A-Z]{26})")


def ids_on(html: str) -> list[str]:
    return SESSION_LINK.findall(html)


def url(site: CreatedSite, page: str) -> str:
    return f"/dashboard/sites/{site.site_id}/{page}"


def some_sessions(shop: ShopApi, count: int) -> None:
    events = [
        page_view(f"2026-04-20T10:{i // 60:02d}:{i % 60:02d}Z", "/", session=f"s{i}")
        for i in range(count)
    ]
    shop.ingest(*events)


def a_nudged_purchase(shop: ShopApi) -> str:
    shop.ingest(
        page_view("2026-04-21T09:00:00Z", "/products/ultra-stride-v2", session="buyer"),
        nudge_shown(
            "2026-04-21T09:00:30Z", "nudg_01JBUYERNUDGE0000000000000", "toast", session="buyer"
        ),
        add_to_cart("2026-04-21T09:01:00Z", session="buyer"),
        purchase("2026-04-21T09:02:00Z", session="buyer"),
    )
    buyer: str = next(s["id"] for s in shop.sessions() if s["converted"])
    return buyer


def test_sessions_page_lists_the_apis_sessions_and_pages(
    signed_in: TestClient, shop: ShopApi, site: CreatedSite
) -> None:
    some_sessions(shop, 60)
    first = signed_in.get(url(site, "sessions"))
    assert first.status_code == 200
    shown = ids_on(first.text)
    assert len(shown) == 50 and 'rel="next"' in first.text
    next_url = re.search(r'href="(\?[^"]*cursor=[^"]*)"', first.text)
    assert next_url
    second = signed_in.get(url(site, "sessions") + next_url.group(1).replace("&amp;", "&"))
    shown += ids_on(second.text)
    assert 'rel="next"' not in second.text
    assert shown == [s["id"] for s in shop.walk(limit=200)]


def test_filters(signed_in: TestClient, shop: ShopApi, site: CreatedSite) -> None:
    some_sessions(shop, 3)
    buyer = a_nudged_purchase(shop)
    everyone = ids_on(signed_in.get(url(site, "sessions")).text)
    assert len(everyone) == 4
    for query in ("converted=true", "with_nudges=true", "min_intent=60"):
        assert ids_on(signed_in.get(url(site, f"sessions?{query}")).text) == [buyer], query
    assert buyer not in ids_on(signed_in.get(url(site, "sessions?converted=false")).text)
    assert ids_on(signed_in.get(url(site, "sessions?from=2026-04-21&to=2026-04-21")).text) == [
        buyer
    ]


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("from=2026-04-22&to=2026-04-21", "first day is after its last"),
        ("from=yesterday", "from must be a date"),
        ("cursor=eyJpZCI6IjEifQ==", "The cursor is not valid"),
        ("min_intent=high", "min_intent must be a whole number"),
        ("converted=maybe", "converted must be true or false"),
        ("colour=red", "Unknown filter"),
    ],
)
def test_bad_input_is_a_message_on_the_page(
    signed_in: TestClient, site: CreatedSite, query: str, message: str
) -> None:
    response = signed_in.get(url(site, f"sessions?{query}"))
    assert response.status_code == 400 and message in response.text


def test_session_page_shows_the_curve_nudges_and_timeline(
    signed_in: TestClient, shop: ShopApi, site: CreatedSite
) -> None:
    buyer = a_nudged_purchase(shop)
    response = signed_in.get(url(site, f"sessions/{buyer}"))
    assert response.status_code == 200
    assert '<svg class="chart"' in response.text and 'class="curve"' in response.text
    assert response.text.count('class="mark"') == 1 and "toast shown at" in response.text
    for event in ("page view", "add to cart", "purchase"):
        assert event in response.text
    assert "2026-04-21 09:00" in response.text  # UTC by default


def test_times_follow_the_sites_time_zone(
    signed_in: TestClient, shop: ShopApi, site: CreatedSite, runtime: Runtime
) -> None:
    buyer = a_nudged_purchase(shop)
    with runtime.database.write() as connection:
        update_site(connection, site.site_id, timezone="Asia/Tokyo")
    response = signed_in.get(url(site, f"sessions/{buyer}"))
    assert "2026-04-21 18:00" in response.text


def another_site(runtime: Runtime) -> CreatedSite:
    with runtime.database.write() as connection:
        return create_site(connection, name="Other", plan="starter", now_ms=0)


def test_every_page_gives_the_same_404_for_another_sites_ids(
    signed_in: TestClient, runtime: Runtime, site: CreatedSite, client: TestClient
) -> None:
    other = another_site(runtime)
    other_shop = ShopApi(client, other.secret_key_live)
    other_session = a_nudged_purchase(other_shop)
    unknown = signed_in.get(url(site, "sessions/sess_01JXXXXXXXXXXXXXXXXXXXXXXX"))
    assert unknown.status_code == 404
    foreign = [
        signed_in.get(url(other, "sessions")),
        signed_in.get(url(other, f"sessions/{other_session}")),
        signed_in.get(url(site, f"sessions/{other_session}")),
        signed_in.get(url(other, "settings")),
        signed_in.get("/dashboard/sites/site_unknown/settings"),
    ]
    for response in foreign:
        assert response.status_code == 404 and response.text == unknown.text
    token = csrf_of(signed_in.get(url(site, "settings")).text)
    posted = signed_in.post(url(other, "settings/engine"), data={"csrf_token": token})
    assert posted.status_code == 404 and posted.text == unknown.text
    with runtime.database.read() as connection:
        other_key = list_keys(connection, other.site_id)[0]["key_id"]
    revoked = signed_in.post(url(site, f"keys/{other_key}/revoke"), data={"csrf_token": token})
    assert revoked.status_code == 404 and revoked.text == unknown.text


def engine_form(token: str, **changes: str) -> dict[str, str]:
    form = {
        "csrf_token": token,
        "nudges_enabled": "on",
        "holdout_percent": "10",
        "agent_name": "Maya",
        "toast_position": "bottom-right",
        "free_shipping_threshold": "",
        "free_shipping_currency": "",
        "monthly_sessions": "plan",
        "quiet_zones": "",
        "timezone": "UTC",
    }
    return {**form, **changes}


def test_settings_changes_persist(
    signed_in: TestClient, site: CreatedSite, runtime: Runtime
) -> None:
    token = csrf_of(signed_in.get(url(site, "settings")).text)
    form = engine_form(
        token,
        holdout_percent="25",
        agent_name="Sam",
        quiet_zones="/account/*\n/cart",
        free_shipping_threshold="50",
        free_shipping_currency="usd",
        timezone="Europe/Paris",
    )
    saved = signed_in.post(url(site, "settings/engine"), data=form, follow_redirects=False)
    assert saved.status_code == 303
    origins = signed_in.post(
        url(site, "settings/origins"),
        data={"csrf_token": token, "origins": "https://shop.example"},
        follow_redirects=False,
    )
    assert origins.status_code == 303
    with runtime.database.read() as connection:
        summary = site_summary(connection, site.site_id, runtime.clock.now_ms())
    engine = summary["engine"]
    assert (engine["holdout_percent"], engine["agent_name"]) == (25, "Sam")
    assert engine["quiet_zones"] == ["/account/*", "/cart"]
    assert (engine["free_shipping_threshold"], engine["free_shipping_currency"]) == (50, "USD")
    assert summary["timezone"] == "Europe/Paris"
    assert summary["allowed_origins"] == ["https://shop.example"]
    page = signed_in.get(url(site, "settings?saved=engine"))
    assert 'value="Sam"' in page.text and "Saved." in page.text


@pytest.mark.parametrize(
    ("changes", "label"),
    [
        ({"holdout_percent": "80"}, "Holdout share"),
        ({"holdout_percent": "ten"}, "holdout_percent"),
        ({"timezone": "Mars/Olympus"}, "Unknown time zone"),
        ({"quiet_zones": "no-slash"}, "Quiet zones"),
        ({"free_shipping_threshold": "50"}, "Free-shipping"),
    ],
)
def test_a_bad_setting_is_a_message_and_changes_nothing(
    signed_in: TestClient, site: CreatedSite, runtime: Runtime, changes: dict[str, str], label: str
) -> None:
    token = csrf_of(signed_in.get(url(site, "settings")).text)
    response = signed_in.post(
        url(site, "settings/engine"), data=engine_form(token, agent_name="Zed", **changes)
    )
    assert response.status_code == 400 and label in response.text
    with runtime.database.read() as connection:
        summary = site_summary(connection, site.site_id, runtime.clock.now_ms())
    assert summary["engine"]["agent_name"] == "Maya" and summary["timezone"] == "UTC"


def test_a_viewer_sees_settings_but_cannot_post(
    client: TestClient, site: CreatedSite, runtime: Runtime
) -> None:
    viewer = add_user(runtime, site.site_id, f"viewer-{site.site_id.lower()}@example.com", "viewer")
    assert sign_in(client, viewer).status_code == 303
    page = client.get(url(site, "settings"))
    assert page.status_code == 200 and "You are a viewer" in page.text
    token = csrf_of(page.text)
    for path, data in [
        ("settings/engine", engine_form(token, agent_name="Viewer")),
        ("settings/origins", {"csrf_token": token, "origins": ""}),
        ("keys", {"csrf_token": token, "kind": "secret", "mode": "live"}),
    ]:
        response = client.post(url(site, path), data=data)
        assert response.status_code == 403 and "Viewers can see settings" in response.text


def test_a_forged_form_is_refused(
    signed_in: TestClient, site: CreatedSite, runtime: Runtime
) -> None:
    for token in ("", "0" * 64):
        response = signed_in.post(
            url(site, "settings/engine"), data=engine_form(token, agent_name="Forged")
        )
        assert response.status_code == 403 and "did not come from this dashboard" in response.text
    with runtime.database.read() as connection:
        assert site_summary(connection, site.site_id, 0)["engine"]["agent_name"] == "Maya"


def test_an_oversized_or_foreign_form_is_a_clear_error(
    signed_in: TestClient, site: CreatedSite
) -> None:
    big = signed_in.post(url(site, "settings/origins"), data={"origins": "x" * 70_000})
    assert big.status_code == 413 and "larger than" in big.text
    json_body = signed_in.post(url(site, "settings/origins"), json={"origins": ""})
    assert json_body.status_code == 400


def test_keys_create_roll_revoke(
    signed_in: TestClient, site: CreatedSite, client: TestClient
) -> None:
    token = csrf_of(signed_in.get(url(site, "settings")).text)
    created = signed_in.post(
        url(site, "keys"), data={"csrf_token": token, "kind": "secret", "mode": "live"}
    )
    assert created.status_code == 200 and "shown only this once" in created.text
    new_key = re.search(r'id="new-key">(sk_live_[^<]+)<', created.text)
    assert new_key
    api = client.get("/v1/sessions", headers={"Authorization": f"Bearer {new_key.group(1)}"})
    assert api.status_code == 200
    assert new_key.group(1) not in signed_in.get(url(site, "settings")).text  # once only
    key_id = re.findall(r"/keys/(key_[0-9A-Z]{26})/revoke", created.text)[-1]
    rolled = signed_in.post(url(site, f"keys/{key_id}/roll"), data={"csrf_token": token})
    assert rolled.status_code == 200 and re.search(r'id="new-key">sk_live_', rolled.text)
    revoked = signed_in.post(
        url(site, f"keys/{key_id}/revoke"), data={"csrf_token": token}, follow_redirects=False
    )
    assert revoked.status_code == 303
    gone = client.get("/v1/sessions", headers={"Authorization": f"Bearer {new_key.group(1)}"})
    assert gone.status_code == 401
    public = signed_in.post(
        url(site, "keys"), data={"csrf_token": token, "kind": "public", "mode": "live"}
    )
    assert "data-site-key=&#34;pk_live_" in public.text or 'data-site-key="pk_live_' in public.text
    bad = signed_in.post(
        url(site, "keys"), data={"csrf_token": token, "kind": "root", "mode": "live"}
    )
    assert bad.status_code == 400 and "kind must be one of" in bad.text


def test_install_snippet_says_whether_events_arrive(
    signed_in: TestClient, site: CreatedSite, shop: ShopApi
) -> None:
    before = signed_in.get(url(site, "settings")).text
    assert 'id="events-arriving">no<' in before
    some_sessions(shop, 1)
    after = signed_in.get(url(site, "settings")).text
    assert 'id="events-arriving">yes<' in after and "last at 2026-04-20 10:00" in after


def test_a_user_with_several_sites_picks_one(
    client: TestClient, site: CreatedSite, runtime: Runtime
) -> None:
    other = another_site(runtime)
    email = add_user(runtime, site.site_id, f"multi-{site.site_id.lower()}@example.com")
    add_user(runtime, other.site_id, email, "viewer")
    sign_in(client, email)
    picker = client.get("/dashboard/")
    assert picker.status_code == 200 and "Your sites" in picker.text
    assert site.site_id in picker.text and other.site_id in picker.text
