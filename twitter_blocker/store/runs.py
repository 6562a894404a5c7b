"""``attempts`` (every API call) and ``process_log`` (one row per run).

Nothing secret is ever stored: messages and commands pass through :func:`scrub`.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Protocol

from ..errors import StoreError
from ..messages import msg
from ..redact import redact
from ..x.models import CallRecord
from .db import iso, transaction, utc_now_iso

MAX_MESSAGE = 500


def scrub(text: str | None, limit: int = MAX_MESSAGE) -> str | None:
    """Mask ``name=value`` pairs of secret names and bare token-like hex runs; cap the length."""
    if text is None:
        return None
    return redact(text)[:limit]


class CallLike(Protocol):
    """What :func:`add_attempts` reads; ``x.models.CallRecord`` fits."""

    @property
    def operation(self) -> str: ...
    @property
    def started_at(self) -> float: ...
    @property
    def elapsed(self) -> float: ...
    @property
    def http_status(self) -> int | None: ...
    @property
    def code(self) -> int | None: ...
    @property
    def message(self) -> str | None: ...
    @property
    def outcome(self) -> str: ...


# Keep the concrete type checked against the protocol.
_CALL_RECORD_FITS: type[CallLike] = CallRecord

RUN_COUNTS = ("targets", "blocked", "skipped", "failed", "api_calls")


def add_attempts(
    conn: sqlite3.Connection,
    run_id: int | None,
    records: Sequence[CallLike],
    *,
    history_id: int | None = None,
    user_id: str | None = None,
) -> None:
    """Insert API calls with one executemany (one commit, or the caller's transaction)."""
    if not records:
        return
    rows = [
        (
            iso(datetime.fromtimestamp(r.started_at, UTC)),
            run_id,
            r.operation,
            user_id,
            history_id,
            r.http_status,
            r.code,
            scrub(r.message),
            r.outcome,
            round(r.elapsed * 1000.0, 3),
        )
        for r in records
    ]
    with transaction(conn):
        conn.executemany(
            "INSERT INTO attempts(at, run_id, operation, user_id, history_id, http_status,"
            " code, message, outcome, elapsed_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            rows,
        )


def start_run(conn: sqlite3.Connection, command: str, targets: int) -> int:
    """A ``process_log`` row in state ``running`` for this process; returns its id."""
    with transaction(conn):
        cur = conn.execute(
            "INSERT INTO process_log(started_at, pid, command, status, targets, blocked,"
            " skipped, failed, api_calls) VALUES (?, ?, ?, 'running', ?, 0, 0, 0, 0)",
            (utc_now_iso(), os.getpid(), scrub(command, 1000), targets),
        )
        return int(cur.lastrowid or 0)


def run_exists(conn: sqlite3.Connection, run_id: int) -> bool:
    """Is there a ``process_log`` row ``run_id``?"""
    return conn.execute("SELECT 1 FROM process_log WHERE id = ?", (run_id,)).fetchone() is not None


def write_run(
    conn: sqlite3.Connection,
    run_id: int,
    counts: Mapping[str, int],
    end: tuple[str, int, str] | None,
) -> None:
    """Update the counts in ``RUN_COUNTS`` (others are ignored); ``end`` = (status,
    exit_code, end_reason) also closes the run with ``ended_at`` = now."""
    fields = [c for c in RUN_COUNTS if c in counts]
    sets = [f"{c} = ?" for c in fields]
    params: list[object] = [int(counts[c]) for c in fields]
    if end is not None:
        sets += ["status = ?", "exit_code = ?", "end_reason = ?", "ended_at = ?"]
        params += [end[0], end[1], end[2], utc_now_iso()]
    if not sets:
        return
    with transaction(conn):
        cur = conn.execute(
            f"UPDATE process_log SET {', '.join(sets)} WHERE id = ?", [*params, run_id]
        )
        if cur.rowcount != 1:
            raise StoreError(msg("store.no_run", run_id=run_id))
