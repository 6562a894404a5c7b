"""Which rows a run works on: pending rows and rows due a recheck (the main pass), and
retry candidates whose backoff is over (the retry rounds), read a page at a time."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime, timedelta

from ..store.history import History
from ..store.models import Row
from .clock import Clock, to_datetime
from .loop import PAGE
from .runtypes import RunOptions


def recheck_before(o: RunOptions, now_dt: datetime) -> datetime | None:
    """Rows decided before this are looked up again (``--recheck-permanent-days``)."""
    days = o.recheck_permanent_days
    return None if days is None else now_dt - timedelta(days=days)


def has_work(history: History, o: RunOptions, now_dt: datetime) -> bool:
    """Is there anything for this run to do (now or at a later retry)?"""
    if o.mode != "retry" and (o.sources or history.rows_to_process(1)):
        return True
    before = recheck_before(o, now_dt)
    if o.mode != "retry" and before is not None and history.recheck_candidates(before, 1):
        return True
    if o.mode == "retry" or (o.auto_retry and o.mode == "main"):
        if history.retry_candidates(now_dt, o.max_attempts, 1):
            return True
        return history.next_retry_at(o.max_attempts) is not None
    return False


def _pages(fetch: Callable[[int, int], list[Row]], limit: int | None) -> Iterator[Row]:
    """Rows of ``fetch(size, after_id)``, a page at a time, at most ``limit`` (None: all)."""
    taken, after = 0, 0
    while limit is None or taken < limit:
        rows = fetch(PAGE if limit is None else min(PAGE, limit - taken), after)
        if not rows:
            return
        for row in rows:
            taken += 1
            yield row
        after = rows[-1].id


def main_feed(history: History, o: RunOptions, clock: Clock) -> Iterator[Row]:
    """Pending rows, then rows due a recheck, up to ``--limit``, a page at a time."""
    taken, limit = 0, o.limit
    for row in _pages(history.rows_to_process, limit):
        taken += 1
        yield row
    before = recheck_before(o, to_datetime(clock.now()))  # read when the pending rows end
    if before is not None:
        left = None if limit is None else limit - taken
        yield from _pages(lambda size, after: history.recheck_candidates(before, size, after), left)


def retry_feed(
    history: History, o: RunOptions, now_dt: datetime, budget: list[int]
) -> Iterator[Row]:
    """Retry candidates due at ``now_dt``; ``budget[0]`` counts down what is left."""
    after = 0
    while budget[0] > 0:
        rows = history.retry_candidates(now_dt, o.max_attempts, min(PAGE, budget[0]), after)
        if not rows:
            return
        for row in rows:
            budget[0] -= 1
            yield row
        after = rows[-1].id


def count_due(history: History, o: RunOptions, now_dt: datetime) -> int:
    """How many retry candidates are due at ``now_dt``."""
    n, after = 0, 0
    while True:
        rows = history.retry_candidates(now_dt, o.max_attempts, PAGE, after)
        if not rows:
            return n
        n += len(rows)
        after = rows[-1].id
