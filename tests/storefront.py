"""Building event envelopes and calling the API as a store's back end (`ShopApi`) or a
storefront's SDK (`Relay`) would, for tests."""

from __future__ import annotations

import builtins
from typing import Any

import httpx2
import orjson
from fastapi.testclient import TestClient

DEFAULT_SESSION = "ses_test"
SHOP = "https://shop.example"


def envelope(
    event: str,
    ts: str,
    url: str = "/",
    data: dict[str, Any] | None = None,
    *,
    session: str = DEFAULT_SESSION,
    event_id: str | None = None,
    visitor: str | None = None,
) -> dict[str, Any]:
    """One envelope; a `url` given as a path is sent as a full URL on the test shop."""
    body: dict[str, Any] = {
        "session_id": session,
        "event": event,
        "ts": ts,
        "url": SHOP + url if url.startswith("/") else url,
        "data": data or {},
    }
    if event_id is not None:
        body["event_id"] = event_id
    if visitor is not None:
        body["visitor_id"] = visitor
    return body


def page_view(ts: str, path: str, **options: Any) -> dict[str, Any]:
    return envelope("PAGE_VIEW", ts, path, **options)


def add_to_cart(ts: str, path: str = "/products/ultra-stride-v2", **options: Any) -> dict[str, Any]:
    data = {"product_id": "ultra-stride-v2", "product_name": "Ultra Stride V2", "price": 129.0}
    return envelope("ADD_TO_CART", ts, path, {**data, "currency": "USD", "quantity": 1}, **options)


def purchase(ts: str, path: str = "/checkout/thank-you", **options: Any) -> dict[str, Any]:
    data = {"value": 129.0, "currency": "USD", "item_count": 1}
    return envelope("PURCHASE", ts, path, data, **options)


def nudge_shown(
    ts: str, nudge_id: str, kind: str, path: str = "/", **options: Any
) -> dict[str, Any]:
    return envelope("NUDGE_SHOWN", ts, path, {"nudge_id": nudge_id, "type": kind}, **options)


def nudge_reaction(
    event: str, ts: str, nudge_id: str, path: str = "/", **options: Any
) -> dict[str, Any]:
    return envelope(event, ts, path, {"nudge_id": nudge_id}, **options)


class ShopApi:
    """The REST API with one secret key."""

    def __init__(self, client: TestClient, key: str) -> None:
        self.client = client
        self.headers = {"Authorization": f"Bearer {key}"}

    def send(self, *events: dict[str, Any]) -> httpx2.Response:
        return self.client.post("/v1/events", headers=self.headers, json={"events": list(events)})

    def ingest(self, *events: dict[str, Any]) -> dict[str, Any]:
        """Send events and insist they were accepted."""
        response = self.send(*events)
        assert response.status_code == 200, response.text
        result: dict[str, Any] = response.json()
        return result

    def list(self, **params: Any) -> httpx2.Response:
        return self.client.get("/v1/sessions", headers=self.headers, params=params)

    def sessions(self, **params: Any) -> builtins.list[dict[str, Any]]:
        response = self.list(**params)
        assert response.status_code == 200, response.text
        data: builtins.list[dict[str, Any]] = response.json()["data"]
        return data

    def get(self, session_id: str) -> httpx2.Response:
        return self.client.get(f"/v1/sessions/{session_id}", headers=self.headers)

    def detail(self, session_id: str) -> dict[str, Any]:
        response = self.get(session_id)
        assert response.status_code == 200, response.text
        data: dict[str, Any] = response.json()["data"]
        return data

    def walk(self, **params: Any) -> builtins.list[dict[str, Any]]:
        """Every page of a listing, following next_cursor."""
        seen: builtins.list[dict[str, Any]] = []
        response = self.list(**params)
        while True:
            assert response.status_code == 200, response.text
            body = response.json()
            seen.extend(body["data"])
            if not body["has_more"]:
                assert body["next_cursor"] is None
                return seen
            response = self.list(cursor=body["next_cursor"], limit=params.get("limit", 50))


CHROME = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36"
)
ORIGIN = "https://shop.example"
OWN_KEY = object()  # the fixture's site key


class Relay:
    """POSTs to /v1/relay with one site key, from a desktop Chrome on the shop's origin."""

    def __init__(self, client: TestClient, site_key: str) -> None:
        self.client = client
        self.site_key = site_key

    def post(
        self,
        *events: dict[str, Any],
        sent_at: Any = None,
        site_key: Any = OWN_KEY,
        headers: dict[str, str] | None = None,
        content_type: str = "text/plain;charset=UTF-8",
        extra: dict[str, Any] | None = None,
    ) -> httpx2.Response:
        """`extra` members join the body (e.g. the SDK's `quiet_zones`)."""
        body: dict[str, Any] = {
            "site_key": self.site_key if site_key is OWN_KEY else site_key,
            "events": list(events),
            **(extra or {}),
        }
        if sent_at is not None:
            body["sent_at"] = sent_at
        return self.raw(orjson.dumps(body), headers=headers, content_type=content_type)

    def raw(
        self,
        content: bytes,
        *,
        headers: dict[str, str] | None = None,
        content_type: str = "text/plain;charset=UTF-8",
    ) -> httpx2.Response:
        sent = {"content-type": content_type, "user-agent": CHROME, "origin": ORIGIN}
        return self.client.post("/v1/relay", content=content, headers={**sent, **(headers or {})})

    def send(self, *events: dict[str, Any], **options: Any) -> dict[str, Any]:
        """Post and insist on a 200; the counts."""
        response = self.post(*events, **options)
        assert response.status_code == 200, response.text
        result: dict[str, Any] = response.json()
        return result
