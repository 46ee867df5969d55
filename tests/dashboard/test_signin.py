"""Sign-in, sign-out, cookies, CSRF and the sign-in rate limits."""

from __future__ import annotations

from fastapi.testclient import TestClient

from elnudge.app import create_app
from elnudge.clock import FrozenClock
from elnudge.config import Settings
from elnudge.db import Database
from elnudge.runtime import Runtime, build_runtime
from tests.dashboard.conftest import PASSWORD, csrf_of, sign_in


def test_pages_need_a_sign_in(client: TestClient) -> None:
    for path in (
        "/dashboard/",
        "/dashboard/sites/site_x/sessions",
        "/dashboard/sites/site_x/settings",
    ):
        response = client.get(path, follow_redirects=False)
        assert response.status_code == 303 and response.headers["location"] == "/dashboard/signin"


def test_the_session_cookie_is_httponly_and_samesite_lax(client: TestClient, owner: str) -> None:
    response = sign_in(client, owner)
    assert response.status_code == 303 and response.headers["location"] == "/dashboard/"
    cookie = next(
        c for c in response.headers.get_list("set-cookie") if c.startswith("elnudge_session=")
    )
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Secure" not in cookie
    assert "Path=/dashboard" in cookie


def test_the_cookie_is_secure_over_https(runtime: Runtime, owner: str) -> None:
    with TestClient(create_app(runtime=runtime), base_url="https://testserver") as secure:
        response = sign_in(secure, owner)
    cookie = next(
        c for c in response.headers.get_list("set-cookie") if c.startswith("elnudge_session=")
    )
    assert "Secure" in cookie


def test_a_wrong_password_says_so_and_signs_nobody_in(client: TestClient, owner: str) -> None:
    response = sign_in(client, owner, "wrong password!")
    assert response.status_code == 401 and "Wrong email or password." in response.text
    assert "elnudge_session" not in client.cookies
    assert client.get("/dashboard/", follow_redirects=False).status_code == 303


def test_a_sign_in_form_without_its_token_is_refused(client: TestClient, owner: str) -> None:
    client.get("/dashboard/signin")
    response = client.post("/dashboard/signin", data={"email": owner, "password": PASSWORD})
    assert response.status_code == 403 and "expired" in response.text
    assert "elnudge_session" not in client.cookies


def test_five_wrong_passwords_make_the_account_wait(
    client: TestClient, owner: str, clock: FrozenClock
) -> None:
    for _ in range(5):
        assert sign_in(client, owner, "wrong password!").status_code == 401
    refused = sign_in(client, owner)  # even the right password waits
    assert refused.status_code == 429 and "Too many sign-in attempts" in refused.text
    assert int(refused.headers["retry-after"]) > 0
    clock.advance(seconds=15 * 60 + 1)
    assert sign_in(client, owner).status_code == 303


def test_right_passwords_do_not_count_against_the_account(client: TestClient, owner: str) -> None:
    for _ in range(8):
        client.cookies.clear()  # a new browser each time
        assert sign_in(client, owner).status_code == 303


def test_attempts_are_limited_per_client(
    database: Database, database_url: str, clock: FrozenClock, owner: str
) -> None:
    settings = Settings(
        database_url=database_url, migrate_on_start=False, dashboard_signin_per_client="3/minute"
    )
    runtime = build_runtime(settings, database=database, clock=clock)
    with TestClient(create_app(runtime=runtime)) as client:
        statuses = [sign_in(client, f"nobody{i}@example.com").status_code for i in range(4)]
    assert statuses == [401, 401, 401, 429]


def test_sign_out_ends_the_session_for_good(signed_in: TestClient) -> None:
    token = signed_in.cookies["elnudge_session"]
    home = signed_in.get("/dashboard/sites/x/sessions", follow_redirects=False)
    assert home.status_code == 404  # signed in: an unknown site is a 404, not a redirect
    page = signed_in.get("/dashboard/")
    response = signed_in.post(
        "/dashboard/signout", data={"csrf_token": csrf_of(page.text)}, follow_redirects=False
    )
    assert response.status_code == 303 and response.headers["location"] == "/dashboard/signin"
    signed_in.cookies.set("elnudge_session", token, path="/dashboard")  # a copied cookie
    again = signed_in.get("/dashboard/", follow_redirects=False)
    assert again.headers["location"] == "/dashboard/signin"


def test_sign_out_without_the_token_is_refused(signed_in: TestClient) -> None:
    response = signed_in.post("/dashboard/signout", data={"next": "/"})
    assert response.status_code == 403
    still = signed_in.get("/dashboard/", follow_redirects=False)
    assert still.headers["location"] != "/dashboard/signin"


def test_signed_in_users_skip_the_form(signed_in: TestClient) -> None:
    response = signed_in.get("/dashboard/signin", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/dashboard/"


def test_dashboard_without_slash_redirects(client: TestClient) -> None:
    response = client.get("/dashboard", follow_redirects=False)
    assert response.status_code == 307 and response.headers["location"] == "/dashboard/"


def test_pages_carry_a_strict_content_security_policy(client: TestClient) -> None:
    response = client.get("/dashboard/signin")
    assert "default-src 'self'" in response.headers["content-security-policy"]
    assert response.headers["x-frame-options"] == "DENY"


def test_unknown_urls_and_methods_are_pages_not_json(signed_in: TestClient) -> None:
    missing = signed_in.get("/dashboard/nowhere")
    assert missing.status_code == 404 and "<h1>Not found</h1>" in missing.text
    wrong_method = signed_in.get("/dashboard/signout")
    assert wrong_method.status_code == 405 and "<h1>Not allowed</h1>" in wrong_method.text
