"""Rate-limit state (runbook "API制限違反"): what is left of each window and when it resets.

The facts come from what the runs persisted: the ``x-rate-limit-*`` headers of
every response (``rate_budgets``) and the last 429 in ``attempts``. Nothing is
sent to X. ``wait_for_reset`` replaces the runbook's blind ``sleep 900``: it
sleeps exactly until the relevant window resets, and can be interrupted.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ...store.readmodel import AttemptRow, BudgetRow, budgets, last_rate_limited, open_readonly
from ...timefmt import epoch_or_none

# X's rate windows are 15 minutes; a 429 without a known reset is assumed to end one window later.
DEFAULT_WINDOW_SECONDS = 900.0


@dataclass(frozen=True, slots=True)
class OperationLimit:
    """One (account, operation) window as last seen."""

    account: str
    operation: str
    limit: int | None
    remaining: int | None
    reset_epoch: float | None
    updated_epoch: float | None
    exhausted: bool  # remaining == 0 and the reset is still ahead
    # The reset time has passed: the window is fresh, ``remaining`` is its full ``limit``
    # and ``reset_epoch`` says when it reset (the next reset is unknown until a call).
    fresh: bool = False

    def seconds_to_reset(self, now: float) -> float | None:
        if self.fresh or self.reset_epoch is None:
            return None
        return max(0.0, self.reset_epoch - now)


@dataclass(frozen=True, slots=True)
class Last429:
    at: str | None
    operation: str | None
    http_status: int | None
    code: int | None
    reset_epoch: float | None  # from that operation's persisted window, or 429 time + 15 min


@dataclass(frozen=True, slots=True)
class RateLimitReport:
    now_epoch: float
    operations: list[OperationLimit]
    last_429: Last429 | None
    wait_until: float | None  # the reset that blocks work right now; None: nothing to wait for

    @property
    def limited(self) -> list[OperationLimit]:
        return [op for op in self.operations if op.exhausted]


def _operation(row: BudgetRow, now: float) -> OperationLimit:
    fresh = row.reset_epoch is not None and row.reset_epoch <= now
    return OperationLimit(
        account=row.account,
        operation=row.operation,
        limit=row.limit,
        remaining=row.limit if fresh and row.limit is not None else row.remaining,
        reset_epoch=row.reset_epoch,
        updated_epoch=row.updated_epoch,
        exhausted=row.remaining == 0 and not fresh and row.reset_epoch is not None,
        fresh=fresh,
    )


def build_report(rows: list[BudgetRow], last: AttemptRow | None, *, now: float) -> RateLimitReport:
    operations = [_operation(row, now) for row in rows]
    last_429: Last429 | None = None
    pending: list[float] = [op.reset_epoch for op in operations if op.exhausted and op.reset_epoch]
    if last is not None:
        window_resets = [
            row.reset_epoch
            for row in rows
            if row.operation == last.operation and row.reset_epoch is not None
        ]
        at_epoch = epoch_or_none(last.at)
        reset = max(window_resets) if window_resets else None
        if reset is None and at_epoch is not None:
            reset = at_epoch + DEFAULT_WINDOW_SECONDS
        if reset is not None and at_epoch is not None and reset < at_epoch:
            reset = at_epoch + DEFAULT_WINDOW_SECONDS  # the window seen was older than the 429
        last_429 = Last429(last.at, last.operation, last.http_status, last.code, reset)
        if reset is not None and reset > now:
            pending.append(reset)
    return RateLimitReport(
        now_epoch=now,
        operations=operations,
        last_429=last_429,
        wait_until=max(pending) if pending else None,
    )


def rate_limit_report(db: Path, *, now: float | None = None) -> RateLimitReport:
    """Read the persisted windows and the last 429 of ``db`` (read-only)."""
    current = time.time() if now is None else now
    with open_readonly(db) as conn:
        if conn is None:
            return RateLimitReport(current, [], None, None)
        return build_report(budgets(conn), last_rate_limited(conn), now=current)


def wait_for_reset(
    until_epoch: float,
    *,
    stop: threading.Event | None = None,
    time_fn: Callable[[], float] = time.time,
    margin: float = 1.0,
) -> bool:
    """Sleep until ``until_epoch`` plus ``margin`` seconds. False when ``stop`` ended it early."""
    event = stop or threading.Event()
    remaining = until_epoch + margin - time_fn()
    while remaining > 0:
        if event.wait(min(remaining, 1.0)):
            return False
        remaining = until_epoch + margin - time_fn()
    return not event.is_set()
