"""Authentication: one 401 for all failures; rolled keys have a grace period; revoke is instant."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from elnudge.clock import FrozenClock
from elnudge.keys import service as keys
from elnudge.keys.tokens import generate_key
from elnudge.provisioning import CreatedSite
from elnudge.runtime import Runtime
from elnudge.vocabulary import KeyKind, Mode

ROUTES = [
    ("GET", "/v1/sessions"),
    ("GET", "/v1/sessions/sess_01J0000000000000000000000A"),
    ("POST", "/v1/events"),
]


def call(client: TestClient, method: str, path: str, headers: dict[str, str]) -> Any:
    return client.request(
        method, path, headers=headers, json={"events": []} if method == "POST" else None
    )


def without_request_id(response: Any) -> dict[str, Any]:
    body: dict[str, Any] = response.json()
    body.pop("request_id")
    return body


def bad_credentials(site: CreatedSite) -> list[dict[str, str]]:
    key = site.secret_key_live
    return [
        {},
        {"Authorization": ""},
        {"Authorization": "Bearer"},
        {"Authorization": "Bearer "},
        {"Authorization": f"Basic {key}"},
        {"Authorization": key},
        {"Authorization": f"Bearer {key[:-1]}"},
        {"Authorization": f"Bearer {key[:-1]}{'A' if key[-1] != 'A' else 'B'}"},  # bad checksum
        {"Authorization": f"Bearer {key.upper()}"},
        {"Authorization": f"Bearer  {key}"},
        {"Authorization": f"Bearer {site.site_key_live}"},  # a public key
        {
            "Authorization": f"Bearer {generate_key(KeyKind.SECRET, Mode.LIVE)}"
        },  # well-formed, unknown
        {"X-Api-Key": key},
    ]


@pytest.mark.parametrize(("method", "path"), ROUTES)
def test_every_way_of_failing_gives_the_same_401(
    client: TestClient, site: CreatedSite, method: str, path: str
) -> None:
    bodies = []
    for headers in bad_credentials(site):
        response = call(client, method, path, headers)
        assert response.status_code == 401, (headers, response.text)
        assert response.headers["Request-Id"] == response.json()["request_id"]
        bodies.append(without_request_id(response))
    query_key = client.get(f"/v1/sessions?api_key={site.secret_key_live}")
    assert query_key.status_code == 401
    bodies.append(without_request_id(query_key))
    assert all(body == bodies[0] for body in bodies)
    assert bodies[0]["error"] == "Unauthorized"


def test_rolled_key_works_until_the_grace_period_ends(
    client: TestClient, site: CreatedSite, runtime: Runtime, clock: FrozenClock
) -> None:
    old = {"Authorization": f"Bearer {site.secret_key_live}"}
    with runtime.database.write() as connection:
        key_id = keys.authenticate(
            connection, site.secret_key_live, kind=KeyKind.SECRET, now_ms=clock.now_ms()
        ).key_id
        new = keys.roll_key(connection, key_id, now_ms=clock.now_ms(), grace_seconds=3600)
    new_headers = {"Authorization": f"Bearer {new.token}"}
    clock.advance(seconds=3599)
    assert client.get("/v1/sessions", headers=old).status_code == 200
    clock.advance(ms=999)
    assert client.get("/v1/sessions", headers=old).status_code == 200
    clock.advance(ms=1)
    assert client.get("/v1/sessions", headers=old).status_code == 401
    assert client.get("/v1/sessions", headers=new_headers).status_code == 200


def test_revoked_key_stops_at_once(
    client: TestClient, site: CreatedSite, runtime: Runtime, clock: FrozenClock
) -> None:
    headers = {"Authorization": f"Bearer {site.secret_key_live}"}
    assert client.get("/v1/sessions", headers=headers).status_code == 200
    with runtime.database.write() as connection:
        principal = keys.authenticate(
            connection, site.secret_key_live, kind=KeyKind.SECRET, now_ms=clock.now_ms()
        )
        keys.revoke_key(connection, principal.key_id, now_ms=clock.now_ms())
    assert client.get("/v1/sessions", headers=headers).status_code == 401


def test_keys_are_stored_only_as_hashes(site: CreatedSite, runtime: Runtime) -> None:
    with runtime.database.read() as connection:
        dump = " ".join(
            str(value)
            for row in connection.exec_driver_sql("SELECT * FROM api_keys")
            for value in row
        )
    for key in (site.secret_key_live, site.secret_key_test, site.site_key_live, site.site_key_test):
        assert key not in dump and key[8:] not in dump


def test_the_scheme_is_case_insensitive(client: TestClient, site: CreatedSite) -> None:
    response = client.get(
        "/v1/sessions", headers={"Authorization": f"bearer {site.secret_key_live}"}
    )
    assert response.status_code == 200
