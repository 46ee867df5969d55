"""What a public key can do: anyone can copy `pk_live_…` from a storefront's HTML, so nothing
sent with it may suppress, overwrite or reveal what the store's back end sent with a secret key
(event ids live in separate scopes), on both backends."""

from __future__ import annotations

from fastapi.testclient import TestClient

from elnudge.provisioning import CreatedSite
from tests.storefront import Relay, ShopApi, page_view, purchase

T = "2026-05-01T11:50:00Z"
ORDER_ID = "ord-1002-purchase"


def test_a_relayed_event_id_cannot_swallow_the_back_ends_purchase(
    relay: Relay, shop: ShopApi
) -> None:
    # An attacker relays the order's id first, in the shopper's own session...
    assert relay.send(page_view(T, "/", event_id=ORDER_ID))["accepted"] == 1
    # ...and the back end's real purchase is still stored, and converts the session.
    assert shop.ingest(purchase("2026-05-01T11:51:00Z", event_id=ORDER_ID)) == {
        "accepted": 1,
        "duplicates": 0,
    }
    [session] = shop.sessions()
    assert session["converted"] is True


def test_the_relay_reveals_nothing_about_ids_the_back_end_stored(
    relay: Relay, shop: ShopApi
) -> None:
    shop.ingest(purchase(T, event_id=ORDER_ID))
    probe = relay.send(page_view("2026-05-01T11:51:00Z", "/", event_id=ORDER_ID))
    assert probe["accepted"] == 1 and probe["duplicates"] == 0
    [session] = shop.sessions()
    assert session["converted"] is True  # and the purchase was not overwritten


def test_relayed_ids_are_scoped_to_their_client_session(relay: Relay, shop: ShopApi) -> None:
    first = relay.send(page_view(T, "/", event_id="ce_1", session="ses_a"))
    assert first["accepted"] == 1
    # The same id from another client session is another event: nothing is revealed...
    other = relay.send(page_view(T, "/", event_id="ce_1", session="ses_b"))
    assert other["accepted"] == 1 and other["duplicates"] == 0 and other["invalid"] == 0
    # ...while the SDK's own retry in its session is still stored once.
    retry = relay.send(page_view(T, "/", event_id="ce_1", session="ses_a"))
    assert retry["accepted"] == 0 and retry["duplicates"] == 1
    assert len(shop.sessions()) == 2


def test_secret_key_ids_keep_one_scope_per_site_and_mode(
    client: TestClient, site: CreatedSite
) -> None:
    shop = ShopApi(client, site.secret_key_live)
    assert shop.ingest(page_view(T, "/", event_id="x", session="k1"))["accepted"] == 1
    # A back end's id is unique across its sessions, as the API has always promised.
    again = shop.ingest(page_view("2026-05-01T11:51:00Z", "/b", event_id="x", session="k2"))
    assert again == {"accepted": 0, "duplicates": 1}
