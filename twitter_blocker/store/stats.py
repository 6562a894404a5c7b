"""Read-only statistics over the ledger: what ``--stats``, ``health`` and ``diagnose`` show."""

from __future__ import annotations

import dataclasses
import shlex
import sqlite3
from datetime import UTC, datetime
from typing import Any

from . import actions
from .budgets import Budgets
from .db import iso
from .models import (
    PERMANENT_USER_STATUSES,
    ErrorSample,
    RunInfo,
    Stats,
    Status,
)
from .readmodel import RUN_COLUMNS, run_info

_PERMANENT_SQL = ", ".join(f"'{s}'" for s in PERMANENT_USER_STATUSES)
_TEMPORARY = f"status = 'failed' AND (user_status IS NULL OR user_status NOT IN ({_PERMANENT_SQL}))"


def last_runs(conn: sqlite3.Connection, limit: int = 1) -> list[RunInfo]:
    """The newest ``process_log`` rows, newest first; a dead ``running`` row reads ``crashed``."""
    return [
        run_info(tuple(v))
        for v in conn.execute(
            f"SELECT {RUN_COLUMNS} FROM process_log ORDER BY id DESC LIMIT ?", (limit,)
        )
    ]


def _grouped(conn: sqlite3.Connection, column: str, null_as: str) -> dict[str, int]:
    return {
        (null_as if value is None else str(value)): int(n)
        for value, n in conn.execute(
            f"SELECT {column}, count(*) FROM block_history GROUP BY {column} ORDER BY 2 DESC"
        )
    }


def counts_by_status(conn: sqlite3.Connection) -> dict[str, int]:
    """Rows per status; every status present (0 when none)."""
    out = {s.value: 0 for s in Status}
    out.update(_grouped(conn, "status", "unknown"))
    return out


def error_samples(conn: sqlite3.Connection, limit: int = 5) -> list[ErrorSample]:
    """The latest distinct errors carried by failed rows, with how many rows carry each."""
    return [
        ErrorSample(
            http_status=http,
            code=code,
            message=str(message),
            count=int(n),
            last_at=last,
        )
        for http, code, message, n, last in conn.execute(
            "SELECT last_http_status, last_error_code, last_error, count(*), max(updated_at)"
            " FROM block_history WHERE status = 'failed' AND last_error IS NOT NULL"
            " GROUP BY last_http_status, last_error_code, last_error"
            " ORDER BY max(updated_at) DESC LIMIT ?",
            (limit,),
        )
    ]


def collect(
    conn: sqlite3.Connection,
    *,
    max_attempts: int = 10,
    samples: int = 5,
    now: datetime | None = None,
) -> Stats:
    """Every figure of :class:`Stats`, each one exact SQL (a handful of queries in total)."""
    moment = iso(now or datetime.now(UTC))
    by_status = counts_by_status(conn)
    (
        pending,
        sent_unconfirmed,
        candidates,
        due,
        exhausted,
        permanent,
    ) = conn.execute(
        f"""SELECT
              coalesce(sum(status = 'pending'), 0),
              coalesce(sum(status != 'blocked' AND block_sent_at IS NOT NULL), 0),
              coalesce(sum({_TEMPORARY} AND attempts < ?), 0),
              coalesce(sum({_TEMPORARY} AND attempts < ?
                  AND (next_attempt_at IS NULL OR next_attempt_at <= ?)), 0),
              coalesce(sum({_TEMPORARY} AND attempts >= ?), 0),
              coalesce(sum(status = 'failed' AND user_status IN ({_PERMANENT_SQL})), 0)
            FROM block_history""",
        (max_attempts, max_attempts, moment, max_attempts),
    ).fetchone()
    runs = last_runs(conn, 1)
    return Stats(
        total=sum(by_status.values()),
        by_status=by_status,
        by_user_status=_grouped(conn, "user_status", "unknown"),
        by_reason=_grouped(conn, "reason", "none"),
        pending=int(pending),
        block_sent_unconfirmed=int(sent_unconfirmed),
        retry_candidates=int(candidates),
        retry_due=int(due),
        retry_exhausted=int(exhausted),
        permanent_failures=int(permanent),
        error_samples=error_samples(conn, samples),
        last_run=runs[0] if runs else None,
        rate_limits=Budgets(conn).states(),
    )


def is_dry_run(run: RunInfo) -> bool:
    """A ``--dry-run`` run: its ``blocked`` count is what it would block."""
    try:
        return "--dry-run" in shlex.split(run.command or "")
    except ValueError:
        return "--dry-run" in (run.command or "")


def action_stats(conn: sqlite3.Connection) -> dict[str, Any]:
    """Confirmed blocks, mutes, unblocks and unmutes apart, and the runs undone."""
    counts = {a.value: 0 for a in actions.Act}
    counts.update(actions.counts(conn))
    return {"counts": counts, "undone_runs": actions.undone_runs(conn)}


EMPTY = Stats(0, {}, {}, {}, 0, 0, 0, 0, 0, 0)  # no database yet: scripts still get JSON


def stats_document(stats: Stats, acts: dict[str, Any] | None) -> dict[str, Any]:
    """The JSON of ``--stats --json`` (the dashboard's ``stats`` is this same document)."""
    payload = dataclasses.asdict(stats)
    payload["done"] = stats.done
    if stats.last_run is not None:
        payload["last_run"]["dry_run"] = is_dry_run(stats.last_run)
    if acts:
        payload["actions"] = acts
    return payload
