"""`client.visitors.delete()` against the real API (PRODUCT.md §10
`DELETE /v1/visitors/{visitor_id}`). Skips with "endpoint not on this branch" only while the
route is missing from the app's OpenAPI document."""

from __future__ import annotations

import pytest

from elnudge import NotFoundError
from elnudge.client import VisitorDeletion
from tests.client.conftest import Api, shopper_sessions
from tests.client.routes import needs_route
from tests.client.servers import run_async

pytestmark = needs_route("DELETE", "/v1/visitors/{visitor_id}")


def test_erasure_deletes_the_visitors_sessions_and_is_repeatable(api: Api) -> None:
    events = shopper_sessions(api.now, 4)
    for event in events[:2]:
        event["visitor_id"] = "cust/42"  # an id that must be quoted in the path
    with api.client() as client:
        client.events.send(events)
        before = {session.id for session in client.sessions.list().auto_paging_iter()}
        deleted = client.visitors.delete("cust/42")
        after = {session.id for session in client.sessions.list().auto_paging_iter()}
        gone = before - after
        for session_id in gone:
            with pytest.raises(NotFoundError):
                client.sessions.retrieve(session_id)
        again = client.visitors.delete("cust/42")
    assert deleted == VisitorDeletion(deleted=True, sessions=2, events=2) and len(gone) == 2
    assert again == VisitorDeletion(deleted=True, sessions=0, events=0)

    async def delete_async() -> VisitorDeletion:
        async with api.async_client() as client:
            return await client.visitors.delete("nobody")

    assert run_async(delete_async()) == VisitorDeletion(deleted=True, sessions=0, events=0)
