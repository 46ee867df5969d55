"""Every malformed or invalid credential gets the same 401 on every protected route; rolled keys
stop exactly when their grace ends; keys and their hashes leak nowhere."""

from __future__ import annotations

import logging

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, text

from elnudge.db.tables import metadata
from elnudge.keys.service import revoke_key, roll_key
from elnudge.keys.tokens import generate_key, hash_key
from elnudge.provisioning import CreatedSite
from elnudge.runtime import Runtime
from elnudge.vocabulary import KeyKind, Mode
from tests.reliability.tenants import new_site, without_request_id
from tests.storefront import page_view

ROUTES = (
    ("GET", "/v1/sessions"),
    ("GET", "/v1/sessions/sess_01KQ00000000000000000000ZZ"),
    ("POST", "/v1/events"),
)
BODY = {"events": [page_view("2026-05-01T11:00:00Z", "/")]}


def key_id_of(runtime: Runtime, token: str) -> str:
    with runtime.database.read() as connection:
        row = connection.execute(
            text("SELECT key_id FROM api_keys WHERE key_hash = :h"), {"h": hash_key(token)}
        ).one()
    return str(row[0])


def bad_credentials(
    runtime: Runtime, site: CreatedSite
) -> dict[str, dict[str, str] | dict[bytes, bytes]]:
    """Header sets that must all be refused, by name."""
    good = site.secret_key_live
    revoked, rolled = new_site(runtime), new_site(runtime)
    with runtime.database.write() as connection:
        now = runtime.clock.now_ms()
        revoke_key(connection, key_id_of(runtime, revoked.secret_key_live), now_ms=now)
        roll_key(
            connection,
            key_id_of(runtime, rolled.secret_key_live),
            now_ms=now - 3_600_001,
            grace_seconds=3600,
        )
    wrong_checksum = good[:-1] + ("A" if good[-1] != "A" else "B")
    auth = "Authorization"
    return {
        "missing": {},
        "empty": {auth: ""},
        "scheme only": {auth: "Bearer"},
        "scheme and space": {auth: "Bearer "},
        "wrong scheme": {auth: f"Basic {good}"},
        "token scheme": {auth: f"Token {good}"},
        "no scheme": {auth: good},
        "two spaces": {auth: f"Bearer  {good}"},
        "trailing space": {auth: f"Bearer {good} "},
        "tab": {auth: f"Bearer\t{good}"},
        "truncated": {auth: f"Bearer {good[:-3]}"},
        "prefix only": {auth: "Bearer sk_live_"},
        "bad checksum": {auth: f"Bearer {wrong_checksum}"},
        "upper case": {auth: f"Bearer {good.upper()}"},
        "swapped case": {auth: f"Bearer {good.swapcase()}"},
        "public key": {auth: f"Bearer {site.site_key_live}"},
        "never issued": {auth: f"Bearer {generate_key(KeyKind.SECRET, Mode.LIVE)}"},
        "revoked": {auth: f"Bearer {revoked.secret_key_live}"},
        "expired after roll": {auth: f"Bearer {rolled.secret_key_live}"},
        "key twice": {auth: f"Bearer {good} {good}"},
        "key as header": {"X-Api-Key": good},
        "very long": {auth: "Bearer " + "sk_live_" + "a" * 8000},
        "unicode": {auth.encode(): "Bearer sk_live_ünïcode".encode()},
    }


def test_every_bad_credential_gets_the_same_401(
    client: TestClient, runtime: Runtime, site: CreatedSite
) -> None:
    reference = None
    for name, headers in bad_credentials(runtime, site).items():
        for method, path in ROUTES:
            response = client.request(method, path, headers=headers, json=BODY)
            assert response.status_code == 401, (name, path, response.text)
            body = without_request_id(response)
            reference = reference or body
            assert body == reference, (name, path)
    for method, path in ROUTES:
        query = client.request(method, f"{path}?api_key={site.secret_key_live}", json=BODY)
        assert without_request_id(query) == reference
        good = f"Bearer {site.secret_key_live}"
        for pair in ((good, "Bearer junk"), ("Bearer junk", good), (good, good)):
            twice = [("Authorization", value) for value in pair]
            response = client.request(method, path, headers=twice, json=BODY)
            assert without_request_id(response) == reference, pair
        # The good key itself works on each route (so the 401s above are about the key).
        ok = client.request(
            method, path, headers={"Authorization": f"Bearer {site.secret_key_live}"}, json=BODY
        )
        assert ok.status_code in (200, 404), ok.text


def test_a_rolled_key_works_until_the_grace_ends_and_not_a_second_longer(
    client: TestClient, runtime: Runtime, site: CreatedSite, clock: object
) -> None:
    old = site.secret_key_live
    start = runtime.clock.now_ms()
    with runtime.database.write() as connection:
        new = roll_key(
            connection,
            key_id_of(runtime, old),
            now_ms=start,
            grace_seconds=runtime.settings.key_roll_grace_seconds,
        ).token
    grace_ms = runtime.settings.key_roll_grace_seconds * 1000

    def status(token: str) -> int:
        headers = {"Authorization": f"Bearer {token}"}
        return client.get("/v1/sessions", headers=headers).status_code

    for offset_ms in (0, 1000, grace_ms - 1000, grace_ms - 1):
        runtime.clock.set(start + offset_ms)  # type: ignore[attr-defined]
        assert (status(old), status(new)) == (200, 200), offset_ms
    for offset_ms in (grace_ms, grace_ms + 1000, grace_ms * 24):
        runtime.clock.set(start + offset_ms)  # type: ignore[attr-defined]
        assert (status(old), status(new)) == (401, 200), offset_ms


def test_keys_and_their_hashes_leak_nowhere(
    client: TestClient,
    runtime: Runtime,
    site: CreatedSite,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    tokens = [site.secret_key_live, site.secret_key_test, site.site_key_live, site.site_key_test]
    secrets = [*tokens, *(hash_key(token) for token in tokens)]
    bodies = []
    for token in tokens:
        for variant in (token, token[:-1] + "x", token + " "):
            for method, path in ROUTES:
                headers = {"Authorization": f"Bearer {variant}"}
                bodies.append(client.request(method, path, headers=headers, json=BODY).text)
    bad_body = {"events": [page_view("2026-05-01T11:00:00Z", f"/{site.secret_key_live}")]}
    bad_body["events"][0]["ts"] = "yesterday"
    headers = {"Authorization": f"Bearer {site.secret_key_live}"}
    bodies.append(client.post("/v1/events", headers=headers, json=bad_body).text)
    logged = caplog.text + "".join(record.getMessage() for record in caplog.records)
    for secret in secrets:
        assert secret not in logged
        assert not any(secret in body for body in bodies)
    with runtime.database.read() as connection:
        for table in metadata.sorted_tables:
            for row in connection.execute(select(table)):
                for column, value in zip(table.columns, row, strict=True):
                    if table.name == "api_keys" and column.name == "key_hash":
                        continue
                    assert not any(secret in str(value) for secret in secrets), (table, column)
