"""The read model of the ledger: typed rows and aggregates of ``block_history.db``.

One module reads the ledger's tables for everyone who only looks: ``ops`` (diagnose,
health, stop, recover, timeline, rate limits), ``engine.inspect`` (``--test-user``) and
``verify``. ``store.stats`` builds ``--stats`` from the same rows (``RUN_COLUMNS``, ``run_info``).

Tolerant mode, for damaged or busy databases: ``open_readonly`` opens with ``mode=ro`` (no
migration, no file created when it is missing, no write lock taken, so it works while a run is
writing; inside ``quiet_reads`` not even -wal/-shm beside an idle one) and yields a
``LedgerConnection``. No function here raises on a database error: a query that fails gives an
empty answer and is recorded in ``conn.unread`` (what could not be read, and why), so callers
can say so. ``integrity()`` is where damage is reported.

The runbook's own verbatim queries stay in ``ops/database/integrity.py`` (so their numbers can
be compared with a shell session); that is the one other module that runs SQL on the ledger.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..proc.pids import pid_alive
from ..x.models import ACCOUNT_OUTCOMES as ACCOUNT_OUTCOMES
from ..x.models import AUTH_OUTCOMES as AUTH_OUTCOMES
from ..x.models import Outcome as Outcome
from .models import PERMANENT_USER_STATUSES as PERMANENT_USER_STATES
from .models import RunInfo as RunInfo

_FROM = re.compile(r"\bFROM\s+(\w+)")


@dataclass(frozen=True, slots=True)
class AttemptRow:
    """One row of ``attempts`` (never holds a secret; messages are redacted again on display)."""

    id: int
    at: str | None
    run_id: int | None
    operation: str | None
    user_id: str | None
    http_status: int | None
    code: int | None
    message: str | None
    outcome: str | None


@dataclass(frozen=True, slots=True)
class BudgetRow:
    """One persisted rate window (``rate_budgets``)."""

    account: str
    operation: str
    limit: int | None
    remaining: int | None
    reset_epoch: float | None
    updated_epoch: float | None


@dataclass(frozen=True, slots=True)
class Progress:
    """A cheap snapshot used to tell whether a run moved the database forward."""

    last_run_id: int
    last_attempt_id: int
    by_status: dict[str, int]
    temporary_failures: int


class LedgerConnection(sqlite3.Connection):
    """A read-only connection that remembers what it could not read (``unread``)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.unread: list[str] = []


# Quiet reads (the dashboard): without a -wal file no connection has the database open (a
# WAL connection always has one), so the main file is whole, yet a plain mode=ro open would
# create -wal and -shm beside it. immutable=1 reads it and creates nothing. A writer that
# starts meanwhile writes to its new -wal; only a checkpoint (after about 1000 pages) touches
# the main file, so a caller compares ``signature`` before and after and reads again if the
# file changed under it. Off by default: ``diagnose`` reads for seconds, and must not race.
_QUIET: ContextVar[bool] = ContextVar("readmodel_quiet", default=False)


@contextmanager
def quiet_reads() -> Iterator[None]:
    """Inside: ``open_readonly`` leaves no -wal/-shm beside an idle database (see above)."""
    token = _QUIET.set(True)
    try:
        yield
    finally:
        _QUIET.reset(token)


def signature(path: Path) -> tuple[bool, int, int]:
    """(has a -wal, mtime ns, size) of a database file: changes when a writer came."""
    try:
        info = path.stat()
    except OSError:
        return (False, 0, 0)
    return (Path(f"{path}-wal").exists(), info.st_mtime_ns, info.st_size)


@contextmanager
def open_readonly(path: Path) -> Iterator[LedgerConnection | None]:
    """A read-only connection, or None when the file does not exist or cannot be opened."""
    if not path.is_file():
        yield None
        return
    quiet = "&immutable=1" if _QUIET.get() and not Path(f"{path}-wal").exists() else ""
    try:
        conn = sqlite3.connect(
            f"{path.resolve().as_uri()}?mode=ro{quiet}",
            uri=True,
            timeout=5.0,
            factory=LedgerConnection,
        )
    except sqlite3.Error:
        yield None
        return
    try:
        conn.execute("PRAGMA busy_timeout = 5000")
        yield conn
    finally:
        conn.close()


def _rows(
    conn: sqlite3.Connection, sql: str, params: tuple[object, ...] = ()
) -> list[tuple[object, ...]]:
    try:
        return list(conn.execute(sql, params).fetchall())
    except sqlite3.Error as exc:
        unread = getattr(conn, "unread", None)
        if isinstance(unread, list):
            table = _FROM.search(sql)
            unread.append(f"{table[1] if table else sql}: {type(exc).__name__}: {exc}")
        return []


def _int(value: object) -> int | None:
    return value if isinstance(value, int) else None


def _str(value: object) -> str | None:
    return value if isinstance(value, str) else None


def _float(value: object) -> float | None:
    return float(value) if isinstance(value, int | float) else None


RUN_COLUMNS = (
    "id, started_at, ended_at, pid, command, status, exit_code, end_reason, "
    "targets, blocked, skipped, failed, api_calls"
)
_ATTEMPT_COLUMNS = "id, at, run_id, operation, user_id, http_status, code, message, outcome"


def run_info(row: tuple[object, ...]) -> RunInfo:
    """One ``process_log`` row (``RUN_COLUMNS``); a ``running`` row whose pid is gone reads
    ``crashed`` in ``state``."""
    pid, status = _int(row[3]), _str(row[5])
    return RunInfo(
        id=_int(row[0]) or 0,
        started_at=_str(row[1]),
        ended_at=_str(row[2]),
        pid=pid,
        command=_str(row[4]),
        status=status,
        state="crashed" if status == "running" and not pid_alive(pid) else str(status),
        exit_code=_int(row[6]),
        end_reason=_str(row[7]),
        targets=_int(row[8]),
        blocked=_int(row[9]),
        skipped=_int(row[10]),
        failed=_int(row[11]),
        api_calls=_int(row[12]),
    )


def _attempt(row: tuple[object, ...]) -> AttemptRow:
    return AttemptRow(
        id=_int(row[0]) or 0,
        at=_str(row[1]),
        run_id=_int(row[2]),
        operation=_str(row[3]),
        user_id=_str(row[4]),
        http_status=_int(row[5]),
        code=_int(row[6]),
        message=_str(row[7]),
        outcome=_str(row[8]),
    )


def last_runs(conn: sqlite3.Connection, limit: int = 5) -> list[RunInfo]:
    """The newest runs first."""
    sql = f"SELECT {RUN_COLUMNS} FROM process_log ORDER BY id DESC LIMIT ?"
    return [run_info(row) for row in _rows(conn, sql, (limit,))]


def runs_since(conn: sqlite3.Connection, since_iso: str, after_id: int = 0) -> list[RunInfo]:
    """Runs started or ended at/after ``since_iso`` (or with id > after_id), oldest first."""
    sql = (
        f"SELECT {RUN_COLUMNS} FROM process_log "
        "WHERE id > ? AND (started_at >= ? OR ended_at >= ?) ORDER BY id"
    )
    return [run_info(row) for row in _rows(conn, sql, (after_id, since_iso, since_iso))]


def last_run_where(conn: sqlite3.Connection, *, running: bool) -> RunInfo | None:
    """The newest run still recorded as ``running`` (or the newest that is not)."""
    where = "status = 'running'" if running else "status != 'running'"
    sql = f"SELECT {RUN_COLUMNS} FROM process_log WHERE {where} ORDER BY id DESC LIMIT 1"
    rows = _rows(conn, sql)
    return run_info(rows[0]) if rows else None


def decisions_by_key(
    conn: sqlite3.Connection, keys: tuple[str, ...] | None = None
) -> dict[str, tuple[str | None, str | None, str | None]]:
    """``target_keys`` key -> (status, user_status, reason) of its row (all keys, or ``keys``)."""
    sql = (
        "SELECT k.key, h.status, h.user_status, h.reason FROM target_keys k "
        "JOIN block_history h ON h.id = k.history_id"
    )
    params: tuple[object, ...] = ()
    if keys is not None:
        sql += f" WHERE k.key IN ({', '.join('?' for _ in keys)})"
        params = keys
    return {str(k): (_str(s), _str(u), _str(r)) for k, s, u, r in _rows(conn, sql, params)}


def runs_after(conn: sqlite3.Connection, after_id: int) -> list[RunInfo]:
    sql = f"SELECT {RUN_COLUMNS} FROM process_log WHERE id > ? ORDER BY id"
    return [run_info(row) for row in _rows(conn, sql, (after_id,))]


def attempts_between(
    conn: sqlite3.Connection, since_iso: str, until_iso: str, *, failures_only: bool = False
) -> list[AttemptRow]:
    """Attempts in ``[since, until]``, oldest first; optionally only the unsuccessful ones."""
    where = "at >= ? AND at <= ?"
    params: tuple[str, ...] = (since_iso, until_iso)
    if failures_only:
        where += " AND outcome IS NOT ?"
        params = (*params, Outcome.OK)
    sql = f"SELECT {_ATTEMPT_COLUMNS} FROM attempts WHERE {where} ORDER BY id"
    return [_attempt(row) for row in _rows(conn, sql, params)]


def last_attempt(
    conn: sqlite3.Connection, outcomes: tuple[str, ...] | None = None
) -> AttemptRow | None:
    """The newest attempt (with one of ``outcomes`` when given)."""
    if outcomes:
        marks = ", ".join("?" for _ in outcomes)
        sql = (
            f"SELECT {_ATTEMPT_COLUMNS} FROM attempts WHERE outcome IN ({marks}) "
            "ORDER BY id DESC LIMIT 1"
        )
        rows = _rows(conn, sql, outcomes)
    else:
        rows = _rows(conn, f"SELECT {_ATTEMPT_COLUMNS} FROM attempts ORDER BY id DESC LIMIT 1")
    return _attempt(rows[0]) if rows else None


def last_rate_limited(conn: sqlite3.Connection) -> AttemptRow | None:
    """The newest 429 (or rate-limited answer) in ``attempts``."""
    sql = (
        f"SELECT {_ATTEMPT_COLUMNS} FROM attempts "
        "WHERE http_status = 429 OR outcome = ? ORDER BY id DESC LIMIT 1"
    )
    rows = _rows(conn, sql, (Outcome.RATE_LIMITED,))
    return _attempt(rows[0]) if rows else None


def budgets(conn: sqlite3.Connection) -> list[BudgetRow]:
    sql = (
        'SELECT account, operation, "limit", remaining, reset_epoch, updated_epoch '
        "FROM rate_budgets ORDER BY account, operation"
    )
    return [
        BudgetRow(
            account=str(row[0]),
            operation=str(row[1]),
            limit=_int(row[2]),
            remaining=_int(row[3]),
            reset_epoch=_float(row[4]),
            updated_epoch=_float(row[5]),
        )
        for row in _rows(conn, sql)
    ]


def status_counts(conn: sqlite3.Connection) -> dict[str, int]:
    """The runbook's ``SELECT status, COUNT(*) FROM block_history GROUP BY status``."""
    rows = _rows(conn, "SELECT status, COUNT(*) FROM block_history GROUP BY status")
    return {str(row[0]): _int(row[1]) or 0 for row in rows}


def duplicate_groups(conn: sqlite3.Connection) -> int:
    """How many groups the runbook's duplicate query returns (0 on a healthy database)."""
    sql = (
        "SELECT COUNT(*) FROM (SELECT user_id, screen_name, COUNT(*) AS count FROM block_history "
        "GROUP BY user_id, screen_name HAVING count > 1)"
    )
    rows = _rows(conn, sql)
    return _int(rows[0][0]) or 0 if rows else 0


def unverified_block_intents(conn: sqlite3.Connection) -> int:
    """Rows whose block call was sent but whose answer was never recorded."""
    rows = _rows(
        conn,
        "SELECT COUNT(*) FROM block_history WHERE status = 'pending' AND block_sent_at IS NOT NULL",
    )
    return _int(rows[0][0]) or 0 if rows else 0


def temporary_failures(conn: sqlite3.Connection, since_iso: str | None = None) -> int:
    """Failed rows that are not permanent (retry candidates), optionally updated since a time."""
    marks = ", ".join("?" for _ in PERMANENT_USER_STATES)
    sql = (
        "SELECT COUNT(*) FROM block_history WHERE status = 'failed' "
        f"AND (user_status IS NULL OR user_status NOT IN ({marks}))"
    )
    params: tuple[object, ...] = PERMANENT_USER_STATES
    if since_iso is not None:
        sql += " AND updated_at >= ?"
        params = (*params, since_iso)
    rows = _rows(conn, sql, params)
    return _int(rows[0][0]) or 0 if rows else 0


def progress(conn: sqlite3.Connection | None) -> Progress:
    if conn is None:
        return Progress(0, 0, {}, 0)
    run = _rows(conn, "SELECT COALESCE(MAX(id), 0) FROM process_log")
    attempt = _rows(conn, "SELECT COALESCE(MAX(id), 0) FROM attempts")
    return Progress(
        last_run_id=_int(run[0][0]) or 0 if run else 0,
        last_attempt_id=_int(attempt[0][0]) or 0 if attempt else 0,
        by_status=status_counts(conn),
        temporary_failures=temporary_failures(conn),
    )


def integrity(conn: sqlite3.Connection, *, quick: bool = False) -> list[str]:
    """``PRAGMA integrity_check`` (or ``quick_check``) lines; ``["ok"]`` when intact.

    A file that is not a database or cannot be read gives its error as the one line.
    """
    pragma = "quick_check" if quick else "integrity_check"
    try:
        return [str(row[0]) for row in conn.execute(f"PRAGMA {pragma}").fetchall()]
    except sqlite3.Error as exc:
        return [f"{type(exc).__name__}: {exc}"]


def table_names(conn: sqlite3.Connection) -> list[str]:
    rows = _rows(conn, "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
    return [str(row[0]) for row in rows]
