"""HTTP details a generic client or fuzzer relies on."""

from __future__ import annotations

from fastapi.testclient import TestClient


def test_a_405_lists_the_allowed_methods(client: TestClient) -> None:
    for method, path, allowed in (
        ("TRACE", "/healthz", "GET"),
        ("DELETE", "/v1/sessions", "GET"),
        ("PUT", "/v1/events", "POST"),
        ("POST", "/v1/sessions/sess_01KQ00000000000000000000ZZ", "GET"),
    ):
        response = client.request(method, path)
        assert response.status_code == 405
        assert response.headers["allow"] == allowed
        assert response.json()["error"] == "MethodNotAllowed"
        assert response.headers["request-id"] == response.json()["request_id"]
