"""`client.reports.nudges()` against the real API (PRODUCT.md §10 `GET /v1/reports/nudges`)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from elnudge import InvalidRequestError
from elnudge.client import NudgeReport
from elnudge.vocabulary import NudgeType
from tests.client.conftest import Api, iso
from tests.client.servers import run_async
from tests.client.test_nudges_resource import shown_nudges


def test_the_report_is_typed_and_equals_the_api(api: Api) -> None:
    window = {"from": iso(api.now - timedelta(days=1)), "to": iso(api.now)}
    with api.client() as client:
        client.events.send(shown_nudges(api))
        report = client.reports.nudges(from_=window["from"], to=window["to"])
        with pytest.raises(InvalidRequestError) as raised:
            client.reports.nudges(from_="last week")
    with api.raw() as http:
        raw = http.get("/v1/reports/nudges", params=window).json()["data"]
    assert report == NudgeReport.from_api(raw)
    assert [row.type for row in report.by_type] == list(NudgeType)
    assert sum(row.shown for row in report.by_type) == 8
    assert raised.value.param == "from"

    async def fetch_async() -> NudgeReport:
        async with api.async_client() as client:
            return await client.reports.nudges(from_=window["from"], to=window["to"])

    assert run_async(fetch_async()) == report
