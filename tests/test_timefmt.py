"""timefmt.utc_iso: one fixed-width UTC format, milliseconds truncated, any input zone."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone

from hypothesis import given
from hypothesis import strategies as st

from twitter_blocker.timefmt import parse_utc, utc_iso

MS = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z")
SECONDS = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ")


@given(st.floats(min_value=0, max_value=4_102_444_800, allow_nan=False))
def test_utc_iso_is_fixed_width_and_truncates_to_the_millisecond(epoch: float) -> None:
    text = utc_iso(epoch)
    assert MS.fullmatch(text)
    moment = datetime.fromtimestamp(epoch, UTC)
    assert parse_utc(text) == moment.replace(microsecond=moment.microsecond // 1000 * 1000)
    short = utc_iso(epoch, timespec="seconds")
    assert SECONDS.fullmatch(short) and short == text[:19] + "Z"


def test_utc_iso_of_an_aware_and_a_naive_datetime() -> None:
    tokyo = datetime(2026, 11, 29, 11, 15, 50, 123999, tzinfo=timezone(timedelta(hours=9)))
    assert utc_iso(tokyo) == "2026-11-29T02:15:50.123Z"
    assert utc_iso(datetime(2026, 11, 29, 2, 15, 50)) == "2026-11-29T02:15:50.000Z"
    assert utc_iso(datetime(2026, 11, 29, 2, 15, 50), timespec="seconds") == "2026-11-29T02:15:50Z"


def test_now_is_written_as_the_time_it_was_then() -> None:
    """``utc_iso()`` keeps the text of the current second: each call still reads the clock."""
    before = datetime.now(UTC).replace(microsecond=0)
    stamps = [utc_iso() for _ in range(3)]
    after = datetime.now(UTC)
    assert stamps == sorted(stamps)
    for text in stamps:
        assert len(text) == len("2026-11-29T02:15:50.123Z") and text.endswith("Z")
        assert before <= parse_utc(text) <= after
