"""Times as a site's owner reads them: in the site's time zone, and periods given as dates."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from elnudge.errors import InvalidRequest
from elnudge.timestamps import DAY_MS, parse_timestamp


def local_time(moment_ms: int | str, timezone: str, with_seconds: bool = False) -> str:
    """`2026-04-29 12:14` in `timezone`, from epoch ms or an API timestamp."""
    ms = parse_timestamp(moment_ms) if isinstance(moment_ms, str) else moment_ms
    moment = datetime.fromtimestamp(ms / 1000, UTC).astimezone(ZoneInfo(timezone))
    return moment.strftime("%Y-%m-%d %H:%M:%S" if with_seconds else "%Y-%m-%d %H:%M")


def local_date(ms: int, timezone: str) -> date:
    return datetime.fromtimestamp(ms / 1000, UTC).astimezone(ZoneInfo(timezone)).date()


def parse_date(value: str, param: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError as error:
        message = f"{param} must be a date like 2026-04-01."
        raise InvalidRequest(message, param=param) from error


def day_start_ms(day: date, timezone: str) -> int:
    """The first millisecond of `day` in `timezone`."""
    start = datetime.combine(day, datetime.min.time(), tzinfo=ZoneInfo(timezone))
    return int(start.timestamp() * 1000)


def period_bounds(first: date, last: date, timezone: str) -> tuple[int, int]:
    """[start of `first`, start of the day after `last`) in ms: a period of whole local days."""
    return day_start_ms(first, timezone), day_start_ms(last + timedelta(days=1), timezone)


def default_period(now_ms: int, timezone: str, days: int = 30) -> tuple[date, date]:
    """The last `days` local days, today included."""
    today = local_date(now_ms, timezone)
    return today - timedelta(days=days - 1), today


__all__ = [
    "DAY_MS",
    "day_start_ms",
    "default_period",
    "local_date",
    "local_time",
    "parse_date",
    "period_bounds",
]
