"""UTC timestamps as the project writes them, in one place.

- ``utc_iso``: ``2026-11-29T02:15:50.123Z`` (milliseconds, the database's format: one fixed
  width, so stored timestamps compare correctly as strings) or ``2026-11-29T02:15:50Z``
  (``timespec="seconds"``, for reports);
- ``utc_stamp``: ``20261129T021550Z``, for file names;
- ``parse_utc``: the inverse of ``utc_iso`` (any ISO-8601 string with ``Z`` or an offset).

A naive datetime is taken as UTC; a number is epoch seconds. Local time is for people only, at
the CLI edge.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Literal

Moment = datetime | float | None

_second: tuple[int, str] = (-1, "")  # (epoch second, its text) of the latest ``utc_iso()``


def _utc(moment: Moment) -> datetime:
    if moment is None:
        return datetime.now(UTC)
    if not isinstance(moment, datetime):
        return datetime.fromtimestamp(moment, UTC)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def utc_iso(
    moment: Moment = None, *, timespec: Literal["milliseconds", "seconds"] = "milliseconds"
) -> str:
    """``moment`` (default now) as ``YYYY-MM-DDTHH:MM:SS.mmmZ`` (or without ``.mmm``)."""
    if moment is None and timespec == "milliseconds":
        return _now_ms()
    # isoformat (C, no format string to parse) on the naive UTC time: a run stamps several
    # rows per target, and strftime was the larger part of each stamp's cost.
    return _utc(moment).replace(tzinfo=None).isoformat(timespec=timespec) + "Z"


def _now_ms() -> str:
    """Now, as ``utc_iso()`` writes it: the text of the second is kept (a run stamps several
    rows per target, many a second), the milliseconds truncated as ``datetime.now`` does."""
    global _second
    second, nanos = divmod(time.time_ns(), 1_000_000_000)
    cached, text = _second
    if cached != second:
        text = datetime.fromtimestamp(second, UTC).replace(tzinfo=None).isoformat()
        _second = (second, text)
    return f"{text}.{nanos // 1_000_000:03d}Z"


def utc_stamp(moment: Moment = None) -> str:
    """``moment`` (default now) for file names: ``20261129T021550Z``."""
    return _utc(moment).strftime("%Y%m%dT%H%M%SZ")


def parse_utc(text: str) -> datetime:
    """An ISO-8601 string (``Z`` or an offset; naive taken as UTC) as an aware datetime.
    Raises ``ValueError`` when it is not one."""
    value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def epoch_or_none(text: str | None) -> float | None:
    """Seconds since the epoch of an ISO-8601 string; ``None`` for nothing or a malformed one."""
    if not text:
        return None
    try:
        return parse_utc(text).timestamp()
    except ValueError:
        return None
