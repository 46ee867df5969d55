"""Key rules: issue, roll (with a grace period), revoke, and authenticate a request's key."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, TypeVar

from sqlalchemy.engine import Connection, RowMapping

from elnudge import ids
from elnudge.errors import InvalidRequest, NotFound, Unauthorized
from elnudge.keys import repository, tokens
from elnudge.sites import plans
from elnudge.sites.repository import get_site
from elnudge.vocabulary import KeyKind, Mode

Choice = TypeVar("Choice", bound=StrEnum)


@dataclass(frozen=True, slots=True)
class Principal:
    """Who is calling: one site in one mode, through one key."""

    site_id: str
    mode: str
    key_id: str
    plan: str
    api_window_days: int
    storage_days: int
    cursor_secret: str
    engine_settings: str | None = None  # the site's nudge engine settings (JSON; None: defaults)
    installed: bool = True  # whether the site's SDK has sent an event yet (`app.installed`)


@dataclass(frozen=True, slots=True)
class IssuedKey:
    key_id: str
    site_id: str
    mode: str
    kind: str
    token: str  # the full key: shown once, never stored


def create_key(
    connection: Connection, *, site_id: str, mode: str, kind: str, now_ms: int
) -> IssuedKey:
    """A new key of `kind` for the site in `mode`; an unknown kind or mode is a 400."""
    token = tokens.generate_key(_choice(KeyKind, kind, "kind"), _choice(Mode, mode, "mode"))
    key_id = ids.new_id(ids.KEY)
    repository.insert_key(
        connection,
        site_id=site_id,
        key_id=key_id,
        mode=mode,
        kind=kind,
        key_hash=tokens.hash_key(token),
        hint=token[-4:],
        created_at=now_ms,
    )
    return IssuedKey(key_id=key_id, site_id=site_id, mode=mode, kind=kind, token=token)


def _choice(enum: type[Choice], value: str, param: str) -> Choice:
    try:
        return enum(value)
    except ValueError as error:
        names = ", ".join(member.value for member in enum)
        raise InvalidRequest(f"{param} must be one of {names}.", param=param) from error


def issue_key(
    connection: Connection, *, site_id: str, mode: str, kind: str, now_ms: int
) -> IssuedKey:
    """An extra key for an existing site."""
    if get_site(connection, site_id) is None:
        raise NotFound(f"No site {site_id!r}.")
    return create_key(connection, site_id=site_id, mode=mode, kind=kind, now_ms=now_ms)


def _usable_key(connection: Connection, key_id: str, now_ms: int) -> RowMapping:
    row = repository.get_key(connection, key_id)
    if row is None or not is_active(row, now_ms):
        raise NotFound(f"No active key {key_id!r}.")
    return row


def roll_key(connection: Connection, key_id: str, *, now_ms: int, grace_seconds: int) -> IssuedKey:
    """Issue a replacement; the old key keeps working for `grace_seconds`, then stops."""
    old = _usable_key(connection, key_id, now_ms)
    new = create_key(
        connection, site_id=old["site_id"], mode=old["mode"], kind=old["kind"], now_ms=now_ms
    )
    expires_at = now_ms + grace_seconds * 1000
    if old["expires_at"] is not None:
        expires_at = min(expires_at, old["expires_at"])
    repository.update_key(connection, old["site_id"], key_id, expires_at=expires_at)
    return new


def revoke_key(connection: Connection, key_id: str, *, now_ms: int) -> None:
    """Stop a key at once."""
    old = _usable_key(connection, key_id, now_ms)
    repository.update_key(connection, old["site_id"], key_id, revoked_at=now_ms)


def is_active(row: Mapping[Any, Any], now_ms: int) -> bool:
    """Not revoked, and not past the end of a roll's grace period."""
    if row["revoked_at"] is not None:
        return False
    return row["expires_at"] is None or now_ms < row["expires_at"]


def authenticate(
    connection: Connection,
    token: str,
    *,
    kind: KeyKind,
    now_ms: int,
    memo: dict[str, Any] | None = None,
) -> Principal:
    """The principal for a presented key of `kind`, or the one Unauthorized for every failure.

    `memo` (`Database.memo`): key rows already read, by hash, while nothing in the database
    has changed since; a key found there needs no query (a revocation, a roll, a plan change
    are changes, so they are seen at once). Expiry is checked against `now_ms` every time."""
    hashed = tokens.hash_key(token)
    row = memo.get(_MEMO + hashed) if memo is not None else None
    if row is None or row["kind"] != kind:
        row = repository.find_by_hash(connection, key_hash(token, kind))
        if memo is not None and row is not None:
            memo[_MEMO + hashed] = row
    return principal_of(row, now_ms)


_MEMO = "key:"  # this module's entries in a Database.memo


def key_hash(token: str, kind: KeyKind) -> str:
    """The stored hash of a well-formed key of `kind`; Unauthorized for any other token."""
    parsed = tokens.parse_key(token)
    if parsed is None or parsed.kind != kind:
        raise Unauthorized()
    return tokens.hash_key(token)


def principal_of(row: Mapping[str, Any] | None, now_ms: int) -> Principal:
    """The principal of a key's row (`repository.find_by_hash`); Unauthorized when there is
    none or the key is no longer active."""
    if row is None or not is_active(row, now_ms):
        raise Unauthorized()
    return Principal(
        site_id=row["site_id"],
        mode=row["mode"],
        key_id=row["key_id"],
        plan=row["plan"],
        api_window_days=plans.api_window_days(row["plan"], row["api_window_days"]),
        storage_days=plans.storage_days(row["plan"], row["storage_days"]),
        cursor_secret=row["cursor_secret"],
        engine_settings=row["engine_settings"],
        installed=row["installed_at"] is not None,
    )
