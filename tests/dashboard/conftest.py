"""Signing in to the dashboard through the real app (TestClient), on both backends."""

from __future__ import annotations

import re

import httpx2
import pytest
from fastapi.testclient import TestClient

from elnudge.provisioning import CreatedSite
from elnudge.runtime import Runtime
from elnudge.users import service

PASSWORD = "correct horse battery"
_CSRF = re.compile(r'name="csrf_token" value="([^"]*)"')


def csrf_of(html: str) -> str:
    """The CSRF token of the first form on a page."""
    found = _CSRF.search(html)
    assert found, "no form with a CSRF token on this page"
    return found.group(1)


def add_user(runtime: Runtime, site_id: str, email: str, role: str = "owner") -> str:
    with runtime.database.write() as connection:
        service.create_user(
            connection, email=email, password=PASSWORD, site_id=site_id, role=role, now_ms=0
        )
    return email


def sign_in(client: TestClient, email: str, password: str = PASSWORD) -> httpx2.Response:
    form = client.get("/dashboard/signin")
    return client.post(
        "/dashboard/signin",
        data={"email": email, "password": password, "csrf_token": csrf_of(form.text)},
        follow_redirects=False,
    )


@pytest.fixture
def owner(runtime: Runtime, site: CreatedSite) -> str:
    return add_user(runtime, site.site_id, f"owner-{site.site_id.lower()}@example.com")


@pytest.fixture
def signed_in(client: TestClient, owner: str) -> TestClient:
    """The client, signed in as the site's owner."""
    response = sign_in(client, owner)
    assert response.status_code == 303, response.text
    return client
