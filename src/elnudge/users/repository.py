"""All SQL of dashboard users, their sites and their sign-in sessions."""

from __future__ import annotations

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.engine import Connection, RowMapping

from elnudge.db.tables import dashboard_sessions, sites, user_sites, users


def insert_user(connection: Connection, **values: object) -> None:
    connection.execute(insert(users).values(**values))


def get_user_by_email(connection: Connection, email: str) -> RowMapping | None:
    query = select(users).where(users.c.email == email)
    return connection.execute(query).mappings().first()


def set_password(connection: Connection, user_id: str, password_hash: str) -> None:
    connection.execute(
        update(users).where(users.c.user_id == user_id).values(password_hash=password_hash)
    )


def get_user(connection: Connection, user_id: str) -> RowMapping | None:
    return connection.execute(select(users).where(users.c.user_id == user_id)).mappings().first()


def list_users(connection: Connection) -> list[RowMapping]:
    """Every user with each of their sites and roles (one row per user and site)."""
    query = (
        select(users.c.user_id, users.c.email, user_sites.c.site_id, user_sites.c.role)
        .select_from(users.outerjoin(user_sites, user_sites.c.user_id == users.c.user_id))
        .order_by(users.c.email, user_sites.c.site_id)
    )
    return list(connection.execute(query).mappings())


def grant_site(connection: Connection, *, user_id: str, site_id: str, role: str) -> None:
    revoke_site(connection, user_id=user_id, site_id=site_id)
    connection.execute(insert(user_sites).values(user_id=user_id, site_id=site_id, role=role))


def revoke_site(connection: Connection, *, user_id: str, site_id: str) -> None:
    connection.execute(
        delete(user_sites).where(user_sites.c.site_id == site_id, user_sites.c.user_id == user_id)
    )


def delete_user(connection: Connection, user_id: str) -> None:
    """The user, their grants and their sign-in sessions."""
    connection.execute(delete(dashboard_sessions).where(dashboard_sessions.c.user_id == user_id))
    connection.execute(delete(user_sites).where(user_sites.c.user_id == user_id))
    connection.execute(delete(users).where(users.c.user_id == user_id))


def user_site_list(connection: Connection, user_id: str) -> list[RowMapping]:
    """The sites a user may see: id, name, time zone and the user's role, by name."""
    query = (
        select(sites.c.site_id, sites.c.name, sites.c.timezone, user_sites.c.role)
        .select_from(user_sites.join(sites, sites.c.site_id == user_sites.c.site_id))
        .where(user_sites.c.user_id == user_id)
        .order_by(sites.c.name, sites.c.site_id)
    )
    return list(connection.execute(query).mappings())


def insert_session(connection: Connection, **values: object) -> None:
    connection.execute(insert(dashboard_sessions).values(**values))


def find_session(connection: Connection, token_hash: str, now_ms: int) -> RowMapping | None:
    query = select(dashboard_sessions).where(
        dashboard_sessions.c.token_hash == token_hash, dashboard_sessions.c.expires_at > now_ms
    )
    return connection.execute(query).mappings().first()


def delete_session(connection: Connection, token_hash: str) -> None:
    connection.execute(
        delete(dashboard_sessions).where(dashboard_sessions.c.token_hash == token_hash)
    )


def delete_expired_sessions(connection: Connection, user_id: str, now_ms: int) -> None:
    connection.execute(
        delete(dashboard_sessions).where(
            dashboard_sessions.c.user_id == user_id, dashboard_sessions.c.expires_at <= now_ms
        )
    )


def count_users(connection: Connection) -> int:
    return int(connection.execute(select(func.count()).select_from(users)).scalar_one())
