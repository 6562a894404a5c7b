"""What the ledger did lately, for the dashboard (``serve``) and ``/metrics``: read only.

Every function takes a connection from :func:`readmodel.open_readonly` and is tolerant like
the rest of the read model: a query that fails gives an empty answer and is noted in
``conn.unread``. Blocks are counted from ``actions`` (confirmed blocks only, ``state =
'done'``), the same rows ``--stats`` counts in ``actions.counts``.
"""

from __future__ import annotations

import sqlite3

from ..x.models import Outcome
from .actions import Act
from .models import Status
from .readmodel import _ATTEMPT_COLUMNS, AttemptRow, _attempt, _int, _rows, _str

# A confirmed block (the rows ``actions.counts`` counts); the action is bound, not spelled.
_DONE_BLOCK = "action = ? AND state = 'done'"


def _count(conn: sqlite3.Connection, sql: str, params: tuple[object, ...]) -> int:
    rows = _rows(conn, sql, params)
    return (_int(rows[0][0]) or 0) if rows else 0


def blocks_by_hour(conn: sqlite3.Connection, since_iso: str) -> dict[str, int]:
    """Confirmed blocks made by runs since ``since_iso``, by UTC hour (``YYYY-MM-DDTHH``)."""
    sql = (
        "SELECT substr(done_at, 1, 13), count(*) FROM actions "
        f"WHERE {_DONE_BLOCK} AND origin = 'run' AND done_at >= ? GROUP BY 1"
    )
    return {str(hour): _int(n) or 0 for hour, n in _rows(conn, sql, (Act.BLOCK, since_iso))}


def last_block_at(conn: sqlite3.Connection) -> str | None:
    """When the newest confirmed block was made (UTC ISO), or None."""
    sql = f"SELECT max(done_at) FROM actions WHERE {_DONE_BLOCK}"
    rows = _rows(conn, sql, (Act.BLOCK,))
    return _str(rows[0][0]) if rows else None


def blocks_of_run(conn: sqlite3.Connection, run_id: int) -> int:
    """Confirmed blocks one run made."""
    sql = f"SELECT count(*) FROM actions WHERE {_DONE_BLOCK} AND run_id = ?"
    return _count(conn, sql, (Act.BLOCK, run_id))


def decided_since(conn: sqlite3.Connection, since_iso: str) -> int:
    """Targets that left ``pending`` (any verdict) since ``since_iso``: the run's pace."""
    sql = "SELECT count(*) FROM block_history WHERE status != ? AND updated_at >= ?"
    return _count(conn, sql, (Status.PENDING, since_iso))


def attempts_by_outcome(conn: sqlite3.Connection) -> dict[str, int]:
    """Every recorded call by its outcome (``ok``, ``rate_limited``, ``auth_failed``, ...)."""
    sql = "SELECT coalesce(outcome, 'unknown'), count(*) FROM attempts GROUP BY 1"
    return {str(outcome): _int(n) or 0 for outcome, n in _rows(conn, sql)}


def recent_failures(conn: sqlite3.Connection, limit: int = 8) -> list[AttemptRow]:
    """The newest unsuccessful calls, newest first."""
    sql = f"SELECT {_ATTEMPT_COLUMNS} FROM attempts WHERE outcome IS NOT ? ORDER BY id DESC LIMIT ?"
    return [_attempt(row) for row in _rows(conn, sql, (Outcome.OK, limit))]
