"""What the ledger did lately, for the dashboard (``serve``) and ``/metrics``: read only.

Every function takes a connection from :func:`readmodel.open_readonly` and is tolerant like
the rest of the read model: a query that fails gives an empty answer and is noted in
``conn.unread``. Blocks are counted from ``actions`` (confirmed blocks only, ``state =
'done'``), the same rows ``--stats`` counts in ``actions.counts``.
"""

from __future__ import annotations

import sqlite3

from .readmodel import _ATTEMPT_COLUMNS, AttemptRow, _attempt, _int, _rows, _str


def blocks_by_hour(conn: sqlite3.Connection, since_iso: str) -> dict[str, int]:
    """Confirmed blocks made by runs since ``since_iso``, by UTC hour (``YYYY-MM-DDTHH``)."""
    sql = (
        "SELECT substr(done_at, 1, 13), count(*) FROM actions "
        "WHERE action = 'block' AND state = 'done' AND origin = 'run' AND done_at >= ? "
        "GROUP BY 1"
    )
    return {str(hour): _int(n) or 0 for hour, n in _rows(conn, sql, (since_iso,))}


def last_block_at(conn: sqlite3.Connection) -> str | None:
    """When the newest confirmed block was made (UTC ISO), or None."""
    sql = "SELECT max(done_at) FROM actions WHERE action = 'block' AND state = 'done'"
    rows = _rows(conn, sql)
    return _str(rows[0][0]) if rows else None


def blocks_of_run(conn: sqlite3.Connection, run_id: int) -> int:
    """Confirmed blocks one run made."""
    sql = "SELECT count(*) FROM actions WHERE action = 'block' AND state = 'done' AND run_id = ?"
    rows = _rows(conn, sql, (run_id,))
    return _int(rows[0][0]) or 0 if rows else 0


def decided_since(conn: sqlite3.Connection, since_iso: str) -> int:
    """Targets that left ``pending`` (any verdict) since ``since_iso``: the run's pace."""
    sql = "SELECT count(*) FROM block_history WHERE status != 'pending' AND updated_at >= ?"
    rows = _rows(conn, sql, (since_iso,))
    return _int(rows[0][0]) or 0 if rows else 0


def attempts_by_outcome(conn: sqlite3.Connection) -> dict[str, int]:
    """Every recorded call by its outcome (``ok``, ``rate_limited``, ``auth_failed``, ...)."""
    sql = "SELECT coalesce(outcome, 'unknown'), count(*) FROM attempts GROUP BY 1"
    return {str(outcome): _int(n) or 0 for outcome, n in _rows(conn, sql)}


def recent_failures(conn: sqlite3.Connection, limit: int = 8) -> list[AttemptRow]:
    """The newest unsuccessful calls, newest first."""
    sql = (
        f"SELECT {_ATTEMPT_COLUMNS} FROM attempts WHERE outcome IS NOT 'ok' "
        "ORDER BY id DESC LIMIT ?"
    )
    return [_attempt(row) for row in _rows(conn, sql, (limit,))]
