"""User rules: create, list and delete dashboard users; sign in and out.

A signed-in browser holds a random 256-bit token in its cookie; the database holds only the
token's SHA-256 (like API keys: the token is random enough that a plain hash is safe), so a
leaked database signs nobody in, and signing out deletes the row: the cookie is dead at once.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

from sqlalchemy.engine import Connection

from elnudge import ids
from elnudge.errors import InvalidRequest, NotFound
from elnudge.sites.repository import get_site
from elnudge.users import passwords, repository
from elnudge.vocabulary import Role

MAX_EMAIL_LENGTH = 320


@dataclass(frozen=True, slots=True)
class UserSite:
    site_id: str
    name: str
    timezone: str
    role: Role


@dataclass(frozen=True, slots=True)
class SignedInUser:
    user_id: str
    email: str
    sites: tuple[UserSite, ...]

    def site(self, site_id: str) -> UserSite | None:
        """The user's grant on `site_id`, or None when the site is not theirs (or unknown)."""
        return next((site for site in self.sites if site.site_id == site_id), None)


def normalize_email(email: str) -> str:
    """Emails compare case-insensitively and without surrounding spaces; a 400 if malformed."""
    clean = email.strip().lower()
    local, at, domain = clean.partition("@")
    if not (local and at and "." in domain) or len(clean) > MAX_EMAIL_LENGTH or " " in clean:
        raise InvalidRequest(f"{email!r} is not an email address.", param="email")
    return clean


def check_password(password: str) -> None:
    if not passwords.MIN_LENGTH <= len(password) <= passwords.MAX_LENGTH:
        message = f"A password needs {passwords.MIN_LENGTH} to {passwords.MAX_LENGTH} characters."
        raise InvalidRequest(message, param="password")


def parse_role(role: str) -> Role:
    try:
        return Role(role)
    except ValueError as error:
        raise InvalidRequest("role must be owner or viewer.", param="role") from error


def create_user(
    connection: Connection, *, email: str, password: str, site_id: str, role: str, now_ms: int
) -> str:
    """Give `email` access to a site with `role`, creating the user (or, for an existing one,
    setting the new password); the user's id. All checked before anything is written."""
    email, granted = normalize_email(email), parse_role(role)
    check_password(password)
    if get_site(connection, site_id) is None:
        raise NotFound(f"No site {site_id!r}.", param="site")
    password_hash = passwords.hash_password(password)
    user = repository.get_user_by_email(connection, email)
    if user is None:
        user_id = ids.new_id(ids.USER)
        repository.insert_user(
            connection,
            user_id=user_id,
            email=email,
            password_hash=password_hash,
            created_at=now_ms,
        )
    else:
        user_id = user["user_id"]
        repository.set_password(connection, user_id, password_hash)
    repository.grant_site(connection, user_id=user_id, site_id=site_id, role=granted)
    return user_id


def delete_user(connection: Connection, email: str) -> None:
    user = repository.get_user_by_email(connection, normalize_email(email))
    if user is None:
        raise NotFound(f"No user {email!r}.", param="email")
    repository.delete_user(connection, user["user_id"])


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def sign_in(
    connection: Connection, *, email: str, password: str, now_ms: int, lifetime_ms: int
) -> str | None:
    """A new session token when the password is right; None otherwise (the same work either
    way: an unknown email still verifies a decoy hash)."""
    user = repository.get_user_by_email(connection, email.strip().lower())
    if not passwords.verify_password(user["password_hash"] if user else None, password):
        return None
    assert user is not None
    token = secrets.token_urlsafe(32)
    repository.delete_expired_sessions(connection, user["user_id"], now_ms)
    repository.insert_session(
        connection,
        token_hash=hash_token(token),
        user_id=user["user_id"],
        created_at=now_ms,
        expires_at=now_ms + lifetime_ms,
    )
    return token


def signed_in_user(connection: Connection, token: str, now_ms: int) -> SignedInUser | None:
    """Who holds `token`, with their sites; None for an unknown, expired or ended session."""
    session = repository.find_session(connection, hash_token(token), now_ms)
    user = session and repository.get_user(connection, session["user_id"])
    if not user:
        return None
    sites = tuple(
        UserSite(row["site_id"], row["name"], row["timezone"], Role(row["role"]))
        for row in repository.user_site_list(connection, user["user_id"])
    )
    return SignedInUser(user_id=user["user_id"], email=user["email"], sites=sites)


def sign_out(connection: Connection, token: str) -> None:
    repository.delete_session(connection, hash_token(token))
