"""The client's requests and typed results for every endpoint of the API contract, against a
scripted local server answering with the contract's own examples. (The contract tests in
`test_*_resource.py` run the same resources against the real app once its routes exist.)"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from elnudge import AsyncClient, Client
from elnudge.client import (
    Nudge,
    NudgePreview,
    NudgeReport,
    SessionDetail,
    VisitorDeletion,
)
from elnudge.vocabulary import NudgeType, Outcome
from tests.client.scripted import Answer, scripted
from tests.client.servers import run_async

KEY = "sk_test_scripted"
NUDGE = {
    "id": "nudg_01HY8QWK9LMNO2PQR3ST4UV5WX",
    "session_id": "sess_01HY8QVZK3MN2PXRT5GW4JCBD",
    "type": "toast",
    "shown_at": "2026-04-29T10:16:30Z",
    "outcome": "clicked",
    "influenced_conversion": True,
}
REPORT: dict[str, Any] = {
    "from": "2026-04-01T00:00:00Z",
    "to": "2026-05-01T00:00:00Z",
    "by_type": [
        {
            "type": kind,
            "shown": 120,
            "clicked": 30,
            "dismissed": 50,
            "chat_opened": 12,
            "click_rate": 0.25,
            "dismiss_rate": 0.4167,
            "chat_open_rate": 0.1,
            "sessions": 118,
            "conversions": 21,
            "conversion_rate": 0.178,
            "influenced_conversions": 17,
        }
        for kind in ("chat_bubble", "toast", "exit_modal", "sticky_bar")
    ],
    "baseline": {"sessions": 5400, "conversions": 97, "conversion_rate": 0.018},
    "experiment": {
        "treatment": {"sessions": 900, "conversions": 40, "conversion_rate": 0.0444},
        "holdout": {"sessions": 100, "conversions": 3, "conversion_rate": 0.03},
        "relative_lift": 0.48,
        "ci95": [-0.55, 3.9],
        "ci95_always_valid": [-0.8, 9.1],
        "srm": {
            "expected_holdout_share": 0.1,
            "observed_holdout_share": 0.1,
            "p_value": 1.0,
            "mismatch": False,
        },
        "mde": 1.9,
        "days_to_detect_10pct": 210,
    },
}


def call(answer: Any, action: Any) -> tuple[Any, Any]:
    """Run `action(client)` against a server answering `answer`; the result and the request."""
    with scripted(Answer(body=answer)) as server, Client(KEY, base_url=server.base_url) as c:
        result = action(c)
    (request,) = server.received
    return result, request


def test_nudges_list_sends_its_filters_and_pages() -> None:
    page_body = {"data": [NUDGE], "has_more": True, "next_cursor": "abc="}
    last = {"data": [NUDGE], "has_more": False, "next_cursor": None}
    with (
        scripted(Answer(body=page_body), Answer(body=last)) as server,
        Client(KEY, base_url=server.base_url) as client,
    ):
        page = client.nudges.list(session_id="sess_1", type="toast", limit=1)
        walked = list(page.auto_paging_iter())
    first, second = server.received
    assert first.path == "/v1/nudges?session_id=sess_1&type=toast&limit=1"
    assert second.path == "/v1/nudges?session_id=sess_1&type=toast&limit=1&cursor=abc%3D"
    assert walked == [Nudge.from_api(NUDGE)] * 2
    assert walked[0].type is NudgeType.TOAST and walked[0].outcome is Outcome.CLICKED


def test_nudges_preview_for_a_session_or_for_events() -> None:
    offer = {"nudge_id": "nudg_1", "type": "exit_modal", "message": "Wait", "cta": "Chat"}
    body = {"data": {"nudge": {**offer, "delay_ms": 0}, "rule": "exit_intent", "reasons": []}}
    preview, request = call(body, lambda c: c.nudges.preview(session_id="sess_1"))
    assert request.method == "POST" and request.path == "/v1/nudges/preview"
    assert request.body == {"session_id": "sess_1"}
    assert isinstance(preview, NudgePreview) and preview.rule == "exit_intent"
    assert preview.nudge is not None and preview.nudge.type is NudgeType.EXIT_MODAL
    assert preview.nudge.extra == {"delay_ms": 0}
    none = {"data": {"nudge": None, "rule": None, "reasons": ["quiet zone"]}}
    events = [{"session_id": "s", "event": "EXIT_INTENT", "ts": "2026-04-29T10:00:00Z"}]
    preview, request = call(none, lambda c: c.nudges.preview(events=events, visitor_id="v1"))
    assert request.body == {"events": events, "visitor_id": "v1"}
    assert preview.nudge is None and preview.reasons == ("quiet zone",)
    with pytest.raises(ValueError):
        Client(KEY).nudges.preview()


def test_the_nudge_report_is_typed_field_by_field() -> None:
    report, request = call({"data": REPORT}, lambda c: c.reports.nudges(from_="2026-04-01"))
    assert request.path == "/v1/reports/nudges?from=2026-04-01"
    assert isinstance(report, NudgeReport)
    assert report.from_ == datetime(2026, 4, 1, tzinfo=UTC)
    assert [row.type for row in report.by_type] == list(NudgeType)
    assert report.by_type[0].dismiss_rate == 0.4167 and report.baseline.conversions == 97
    experiment = report.experiment
    assert experiment is not None and experiment.ci95 == (-0.55, 3.9)
    assert experiment.srm is not None and experiment.srm.mismatch is False
    assert experiment.days_to_detect_10pct == 210 and experiment.holdout.sessions == 100
    experiment_body = {**REPORT["experiment"], "relative_lift": None, "ci95": None}
    undefined = {**REPORT, "experiment": experiment_body}
    report, _ = call({"data": undefined}, lambda c: c.reports.nudges())
    assert report.experiment.relative_lift is None and report.experiment.ci95 is None


def test_visitors_delete_quotes_the_id() -> None:
    body = {"deleted": True, "sessions": 2, "events": 14}
    deletion, request = call(body, lambda c: c.visitors.delete("cust/42?x"))
    assert request.method == "DELETE" and request.path == "/v1/visitors/cust%2F42%3Fx"
    assert deletion == VisitorDeletion(deleted=True, sessions=2, events=14)


def test_session_detail_from_the_seed_example() -> None:
    seed: dict[str, Any] = {
        "id": "sess_01HY8QVZK3MN2PXRT5GW4JCBD",
        "started_at": "2026-04-29T10:14:32Z",
        "ended_at": "2026-04-29T10:28:07Z",
        "page_count": 6,
        "intent_score": 82,
        "converted": True,
        "nudge_count": 2,
        "events": [{"type": "PAGE_VIEW", "url": "/", "occurred_at": "2026-04-29T10:14:32Z"}],
        "nudges": [{**NUDGE, "nudge_id": NUDGE["id"], "type": "holo_banner"}],
    }
    del seed["nudges"][0]["id"], seed["nudges"][0]["session_id"]
    detail, _ = call({"data": seed}, lambda c: c.sessions.retrieve(seed["id"]))
    assert isinstance(detail, SessionDetail) and detail.intent_score == 82
    assert detail.nudges[0].type == "holo_banner"  # a type this client does not know yet


def test_the_async_client_speaks_the_same_requests() -> None:
    async def run(base_url: str) -> tuple[Any, Any, Any]:
        async with AsyncClient(KEY, base_url=base_url) as client:
            page = await client.nudges.list(type="toast")
            report = await client.reports.nudges(to=datetime(2026, 5, 1, 12, 30))
            deleted = await client.visitors.delete("v1")
            return page, report, deleted

    answers = (
        Answer(body={"data": [NUDGE], "has_more": False, "next_cursor": None}),
        Answer(body={"data": REPORT}),
        Answer(body={"deleted": True, "sessions": 0, "events": 0}),
    )
    with scripted(*answers) as server:
        page, report, deleted = run_async(run(server.base_url))
    paths = [request.path for request in server.received]
    assert paths == [
        "/v1/nudges?type=toast",
        "/v1/reports/nudges?to=2026-05-01T12%3A30%3A00.000Z",
        "/v1/visitors/v1",
    ]
    assert page.data == [Nudge.from_api(NUDGE)] and report.baseline.sessions == 5400
    assert deleted.sessions == 0
