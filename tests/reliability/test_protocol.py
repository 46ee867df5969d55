"""HTTP details a generic client or fuzzer relies on."""

from __future__ import annotations

from fastapi.testclient import TestClient


def test_a_405_lists_the_allowed_methods(client: TestClient) -> None:
    for method, path, allowed in (
        ("TRACE", "/healthz", "GET, HEAD"),  # every GET route answers HEAD (web/head.py)
        ("DELETE", "/v1/sessions", "GET, HEAD"),
        ("PUT", "/v1/events", "POST"),
        ("POST", "/v1/sessions/sess_01KQ00000000000000000000ZZ", "GET, HEAD"),
    ):
        response = client.request(method, path)
        assert response.status_code == 405
        assert response.headers["allow"] == allowed
        assert response.json()["error"] == "MethodNotAllowed"
        assert response.headers["request-id"] == response.json()["request_id"]
