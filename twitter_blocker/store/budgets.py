"""Persisted rate windows and pacing events (tables ``rate_budgets``, ``pacing_events``).

A restart reads back what is left of each window and when it resets, and the
hourly/daily block caps count the ``block`` events of the last hour/day with one
indexed query. Both share the ledger's connection; each write commits (or joins the
caller's transaction). The store decides nothing: the times it writes come from the
caller's clock (the engine's ``Clock``, a ``FakeClock`` in tests) through ``at_epoch``,
or from the ``clock`` it was given.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import StrEnum

from ..x.models import RateInfo
from .db import joined, transaction
from .models import BudgetState


class PacingKind(StrEnum):
    """``pacing_events.kind``."""

    BLOCK = "block"  # one blocks/create that went out
    SESSION_KILLED = "session_killed"  # X dropped the session after a burst of blocks
    LOCKED = "locked"  # own account locked (326)


@dataclass(frozen=True, slots=True)
class PacingEvent:
    id: int
    account: str
    kind: str
    at_epoch: float
    detail: str | None


class Budgets:
    """Rate budgets per (account, operation) and pacing events per account."""

    def __init__(self, conn: sqlite3.Connection, *, clock: Callable[[], float] = time.time) -> None:
        self.conn = conn
        self.clock = clock

    # --- rate windows -------------------------------------------------------------------------

    def update(self, account: str, operation: str, info: RateInfo) -> None:
        """Remember the latest ``x-rate-limit-*`` headers of one operation."""
        self.update_many(account, [(operation, info)])

    def update_many(
        self,
        account: str,
        items: Iterable[tuple[str, RateInfo]],
        *,
        at_epoch: float | None = None,
    ) -> None:
        """Several operations at once (one commit), seen at ``at_epoch`` (default: now)."""
        now = self.clock() if at_epoch is None else at_epoch
        rows = [
            (account, op, int(i.limit), int(i.remaining), float(i.reset), now) for op, i in items
        ]
        if not rows:
            return
        # One row (a run's usual flush: the block call's window) is one statement, whole by
        # itself: no savepoint inside the caller's transaction (two statements fewer).
        with transaction(self.conn) if len(rows) > 1 else joined(self.conn):
            self.conn.executemany(
                'INSERT INTO rate_budgets(account, operation, "limit", remaining, reset_epoch,'
                " updated_epoch) VALUES (?, ?, ?, ?, ?, ?)"
                " ON CONFLICT(account, operation) DO UPDATE SET"
                ' "limit" = excluded."limit", remaining = excluded.remaining,'
                " reset_epoch = excluded.reset_epoch, updated_epoch = excluded.updated_epoch",
                rows,
            )

    def get(self, account: str, operation: str) -> RateInfo | None:
        found = self.conn.execute(
            'SELECT "limit", remaining, reset_epoch FROM rate_budgets'
            " WHERE account = ? AND operation = ?",
            (account, operation),
        ).fetchone()
        if found is None:
            return None
        return RateInfo(limit=int(found[0]), remaining=int(found[1]), reset=float(found[2]))

    def all(self, account: str) -> dict[str, RateInfo]:
        """Every persisted window of one account, by operation."""
        return {
            str(op): RateInfo(limit=int(lim), remaining=int(rem), reset=float(reset))
            for op, lim, rem, reset in self.conn.execute(
                'SELECT operation, "limit", remaining, reset_epoch FROM rate_budgets'
                " WHERE account = ? ORDER BY operation",
                (account,),
            )
        }

    def states(self, account: str | None = None) -> list[BudgetState]:
        """Every window (of every account unless one is named), with when it was seen."""
        sql = (
            'SELECT account, operation, "limit", remaining, reset_epoch, updated_epoch'
            " FROM rate_budgets"
        )
        params: tuple[str, ...] = ()
        if account is not None:
            sql += " WHERE account = ?"
            params = (account,)
        return [
            BudgetState(
                account=str(a),
                operation=str(op),
                limit=int(lim),
                remaining=int(rem),
                reset_epoch=float(reset),
                updated_epoch=float(upd),
            )
            for a, op, lim, rem, reset, upd in self.conn.execute(
                sql + " ORDER BY account, operation", params
            )
        ]

    # --- pacing events ------------------------------------------------------------------------

    def record_event(
        self,
        account: str,
        kind: PacingKind | str,
        detail: str | None = None,
        *,
        at_epoch: float | None = None,
    ) -> None:
        """One pacing event (a block, a session kill, a lock). One small insert."""
        when = self.clock() if at_epoch is None else at_epoch
        with joined(self.conn):
            self.conn.execute(
                "INSERT INTO pacing_events(account, kind, at_epoch, detail) VALUES (?, ?, ?, ?)",
                (account, str(kind), when, detail),
            )

    def count_events(self, account: str, kind: PacingKind | str, since_epoch: float) -> int:
        """Events of one kind at or after ``since_epoch`` (indexed range count)."""
        found = self.conn.execute(
            "SELECT count(*) FROM pacing_events WHERE account = ? AND kind = ? AND at_epoch >= ?",
            (account, str(kind), since_epoch),
        ).fetchone()
        return int(found[0])

    def oldest_event_since(
        self, account: str, kind: PacingKind | str, since_epoch: float
    ) -> float | None:
        """The earliest event in the window: a cap frees a slot when it ages out."""
        found = self.conn.execute(
            "SELECT min(at_epoch) FROM pacing_events"
            " WHERE account = ? AND kind = ? AND at_epoch >= ?",
            (account, str(kind), since_epoch),
        ).fetchone()
        return None if found is None or found[0] is None else float(found[0])

    def last_event(self, account: str, kind: PacingKind | str) -> PacingEvent | None:
        found = self.conn.execute(
            "SELECT id, account, kind, at_epoch, detail FROM pacing_events"
            " WHERE account = ? AND kind = ? ORDER BY at_epoch DESC LIMIT 1",
            (account, str(kind)),
        ).fetchone()
        if found is None:
            return None
        return PacingEvent(int(found[0]), str(found[1]), str(found[2]), float(found[3]), found[4])

    def purge_events(self, before_epoch: float, kind: PacingKind | str = PacingKind.BLOCK) -> int:
        """Drop events of ``kind`` older than ``before_epoch`` (block events older than a day
        no longer count towards any cap). Returns how many were dropped."""
        with transaction(self.conn):
            cur = self.conn.execute(
                "DELETE FROM pacing_events WHERE kind = ? AND at_epoch < ?",
                (str(kind), before_epoch),
            )
            return int(cur.rowcount)
