"""One HTTP attempt of one delivery: the address checked again (DNS can change), the body
signed, a POST with no redirects followed and at most 5 seconds for the whole answer."""

from __future__ import annotations

import time
from dataclasses import dataclass

import httpx

from elnudge import __version__
from elnudge.errors import InvalidRequest
from elnudge.webhooks.addresses import check_url
from elnudge.webhooks.signing import EVENT_ID_HEADER, SIGNATURE_HEADER, signature_header

TIMEOUT_SECONDS = 5.0
MAX_ANSWER_BYTES = 64 * 1024  # read (and then dropped) at most this much of an answer
USER_AGENT = f"elNudge-Webhooks/{__version__}"


@dataclass(frozen=True, slots=True)
class Attempt:
    ok: bool
    status: int | None  # the receiver's HTTP status, None when there was no answer
    error: str | None


def new_http_client() -> httpx.Client:
    return httpx.Client(
        timeout=httpx.Timeout(TIMEOUT_SECONDS),
        follow_redirects=False,
        headers={"User-Agent": USER_AGENT},
        trust_env=False,  # no proxy from the environment: the address check is the one that holds
    )


def attempt(
    http: httpx.Client,
    *,
    url: str,
    payload: str,
    event_id: str,
    secrets: list[str],
    allow_local: bool,
) -> Attempt:
    """POST the payload; success is a 2xx within TIMEOUT_SECONDS, anything else a failure."""
    try:
        check_url(url, allow_local=allow_local)
    except InvalidRequest as refused:
        return Attempt(False, None, f"refused: {refused.message}")
    raw = payload.encode()
    headers = {
        "Content-Type": "application/json",
        SIGNATURE_HEADER: signature_header(raw, secrets),
        EVENT_ID_HEADER: event_id,
    }
    deadline = time.monotonic() + TIMEOUT_SECONDS
    try:
        with http.stream("POST", url, content=raw, headers=headers) as response:
            read = 0
            for chunk in response.iter_raw():
                read += len(chunk)
                if read > MAX_ANSWER_BYTES or time.monotonic() > deadline:
                    break
            if time.monotonic() > deadline:
                return Attempt(False, response.status_code, "timeout: no answer within 5 s")
            ok = 200 <= response.status_code < 300
            error = None if ok else f"HTTP {response.status_code}"
            return Attempt(ok, response.status_code, error)
    except httpx.TimeoutException:
        return Attempt(False, None, "timeout: no answer within 5 s")
    except httpx.HTTPError as error:
        return Attempt(False, None, f"{type(error).__name__}: {error}"[:500])
