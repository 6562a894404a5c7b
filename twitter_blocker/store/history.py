"""The ledger: ``block_history`` (one row per target), ``attempts``, ``process_log``.

One :class:`History` holds one connection and is used from one thread. Every
``record_*``/``mark_*`` method commits before it returns (a ``kill -9`` at any
instant loses nothing that was recorded), unless the caller wraps several calls in
:func:`~twitter_blocker.store.db.transaction` to commit them together.
"""

from __future__ import annotations

import os
import re
import sqlite3
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import Protocol

from twitter_blocker.errors import StoreError
from twitter_blocker.messages import msg
from twitter_blocker.store import identity
from twitter_blocker.store.budgets import Budgets
from twitter_blocker.store.db import iso, open_database, transaction, utc_now_iso
from twitter_blocker.store.models import (
    PERMANENT_USER_STATUSES,
    FinalRecord,
    ImportStats,
    Row,
    Stats,
    Status,
)
from twitter_blocker.store.schema import LEGACY_TABLES, MIGRATIONS
from twitter_blocker.store.stats import collect
from twitter_blocker.x.models import CallRecord

MAX_MESSAGE = 500

# Secret-looking fragments never reach the database, whatever a caller passes in.
_SECRET = re.compile(
    r"(auth_token|ct0|x-csrf-token|csrf|cookie|authorization)(\s*[=:]\s*)([^\s;,&\"']+)",
    re.IGNORECASE,
)


def scrub(text: str | None, limit: int = MAX_MESSAGE) -> str | None:
    """Mask ``name=value`` pairs of secret names and cap the length."""
    if text is None:
        return None
    return _SECRET.sub(lambda m: f"{m.group(1)}{m.group(2)}***", text)[:limit]


class TargetLike(Protocol):
    """What :meth:`History.import_targets` reads; ``inputs.targets.Target`` fits."""

    @property
    def key(self) -> str: ...
    @property
    def user_id(self) -> str | None: ...
    @property
    def screen_name(self) -> str | None: ...


class CallLike(Protocol):
    """What :meth:`History.add_attempts` reads; ``x.models.CallRecord`` fits."""

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

_ROW_COLUMNS = (
    "b.id, b.user_id, b.screen_name, b.status, b.user_status, b.reason, b.attempts,"
    " b.block_sent_at, (SELECT group_concat(k.key, ' ') FROM target_keys k"
    " WHERE k.history_id = b.id), b.protected, b.next_attempt_at, b.checked_at,"
    " b.last_http_status, b.last_error_code, b.last_error"
)


def _row(values: Sequence[object]) -> Row:
    keys = values[8]
    return Row(
        id=int(values[0]),  # type: ignore[call-overload]
        user_id=values[1],  # type: ignore[arg-type]
        screen_name=values[2],  # type: ignore[arg-type]
        status=Status(str(values[3])),
        user_status=values[4],  # type: ignore[arg-type]
        reason=values[5],  # type: ignore[arg-type]
        attempts=int(values[6]),  # type: ignore[call-overload]
        block_sent_at=values[7],  # type: ignore[arg-type]
        keys=tuple(sorted(str(keys).split(" "))) if keys else (),
        protected=bool(values[9]),
        next_attempt_at=values[10],  # type: ignore[arg-type]
        checked_at=values[11],  # type: ignore[arg-type]
        last_http_status=values[12],  # type: ignore[arg-type]
        last_error_code=values[13],  # type: ignore[arg-type]
        last_error=values[14],  # type: ignore[arg-type]
    )


def _final_status(status: Status | str) -> Status:
    try:
        value = Status(status)
    except ValueError:
        value = None
    if value is None or value is Status.PENDING:
        allowed = ", ".join(s.value for s in Status if s is not Status.PENDING)
        raise StoreError(msg("store.bad_status", status=status, allowed=allowed))
    return value


_PERMANENT_SQL = ", ".join(f"'{s}'" for s in PERMANENT_USER_STATUSES)


class History:
    """The ledger of one ``block_history.db``."""

    def __init__(self, conn: sqlite3.Connection, path: Path | None = None) -> None:
        self.conn = conn
        self.path = path
        self._budgets: Budgets | None = None

    @classmethod
    def open(cls, path: Path) -> History:
        """Connect and bring the schema up to date. Raises StoreError on a bad file."""
        return cls(open_database(path, MIGRATIONS, legacy_tables=LEGACY_TABLES), Path(path))

    @property
    def budgets(self) -> Budgets:
        """The rate budgets and pacing events, over this same connection."""
        if self._budgets is None:
            self._budgets = Budgets(self.conn)
        return self._budgets

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> History:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # --- targets ----------------------------------------------------------------------------

    def import_targets(self, targets: Iterable[TargetLike]) -> ImportStats:
        """Add every target without a row; one transaction, set-based.

        A target is known when its key (or, for id targets, its user id) already leads
        to a row. New rows are numbered in list order. Re-importing inserts nothing.
        """
        conn = self.conn
        now = utc_now_iso()
        with transaction(conn):
            conn.execute(
                "CREATE TEMP TABLE IF NOT EXISTS import_targets("
                " ord INTEGER PRIMARY KEY, key TEXT NOT NULL UNIQUE, user_id TEXT,"
                " screen_name TEXT)"
            )
            conn.execute(
                "CREATE INDEX IF NOT EXISTS temp.import_targets_user ON import_targets(user_id)"
            )
            # n numbers the new rows 1, 2, ... in list order.
            conn.execute(
                "CREATE TEMP TABLE IF NOT EXISTS import_new(n INTEGER PRIMARY KEY, ord INTEGER)"
            )
            conn.execute("DELETE FROM temp.import_targets")
            conn.execute("DELETE FROM temp.import_new")
            conn.executemany(
                "INSERT OR IGNORE INTO temp.import_targets(key, user_id, screen_name)"
                " VALUES (?, ?, ?)",
                ((t.key, t.user_id, t.screen_name) for t in targets),
            )
            total = conn.execute("SELECT count(*) FROM temp.import_targets").fetchone()[0]
            # Id targets whose user already has a row under another key: give it this key.
            attach_by_id = (
                "INSERT OR IGNORE INTO target_keys(key, history_id)"
                " SELECT i.key, b.id FROM temp.import_targets i"
                " JOIN block_history b ON b.user_id = i.user_id"
                " WHERE i.user_id IS NOT NULL"
            )
            conn.execute(attach_by_id)
            # The first target of each new user gets a row.
            new = conn.execute(
                "INSERT INTO temp.import_new(n, ord) SELECT NULL, i.ord FROM temp.import_targets i"
                " WHERE NOT EXISTS (SELECT 1 FROM target_keys k WHERE k.key = i.key)"
                "   AND (i.user_id IS NULL OR NOT EXISTS (SELECT 1 FROM temp.import_targets j"
                "        WHERE j.user_id = i.user_id AND j.ord < i.ord))"
                " ORDER BY i.ord"
            ).rowcount
            base = conn.execute("SELECT coalesce(max(id), 0) FROM block_history").fetchone()[0]
            conn.execute(
                "INSERT INTO block_history(id, user_id, screen_name, created_at, updated_at)"
                " SELECT ? + w.n, i.user_id, i.screen_name, ?, ? FROM temp.import_new w"
                " JOIN temp.import_targets i ON i.ord = w.ord ORDER BY w.n",
                (base, now, now),
            )
            conn.execute(
                "INSERT INTO target_keys(key, history_id) SELECT i.key, ? + w.n"
                " FROM temp.import_new w JOIN temp.import_targets i ON i.ord = w.ord",
                (base,),
            )
            # Later keys of a user that appeared twice in this list.
            conn.execute(attach_by_id)
            # Targets listed with both an id and a handle also answer to the handle.
            conn.execute(
                "INSERT OR IGNORE INTO target_keys(key, history_id)"
                " SELECT 'sn:' || lower(i.screen_name), k.history_id"
                " FROM temp.import_targets i JOIN target_keys k ON k.key = i.key"
                " WHERE i.user_id IS NOT NULL AND i.screen_name IS NOT NULL"
                "   AND i.key LIKE 'id:%'"
            )
            conn.execute("DELETE FROM temp.import_targets")
            conn.execute("DELETE FROM temp.import_new")
        return ImportStats(new=int(new), known=int(total) - int(new))

    def find(self, key: str) -> Row | None:
        """The row a target key (``id:..``/``sn:..``) leads to, if any."""
        found = self.conn.execute(
            f"SELECT {_ROW_COLUMNS} FROM target_keys t JOIN block_history b"
            " ON b.id = t.history_id WHERE t.key = ?",
            (key,),
        ).fetchone()
        return None if found is None else _row(found)

    def get(self, row_id: int) -> Row | None:
        found = self.conn.execute(
            f"SELECT {_ROW_COLUMNS} FROM block_history b WHERE b.id = ?", (row_id,)
        ).fetchone()
        return None if found is None else _row(found)

    def get_many(self, row_ids: Sequence[int]) -> dict[int, Row]:
        """Rows by id, one query per 1,000 ids."""
        out: dict[int, Row] = {}
        for start in range(0, len(row_ids), 1000):
            chunk = [int(i) for i in row_ids[start : start + 1000]]
            placeholders = ",".join("?" * len(chunk))
            for values in self.conn.execute(
                f"SELECT {_ROW_COLUMNS} FROM block_history b WHERE b.id IN ({placeholders})",
                chunk,
            ):
                row = _row(values)
                out[row.id] = row
        return out

    # --- queues (all paged by id) -----------------------------------------------------------

    def rows_to_process(self, limit: int, after_id: int = 0) -> list[Row]:
        """Pending rows in id order, ``limit`` at a time after ``after_id``.

        Includes rows whose ``block_sent_at`` is set: re-verify those before blocking.
        """
        return [
            _row(v)
            for v in self.conn.execute(
                f"SELECT {_ROW_COLUMNS} FROM block_history b"
                " WHERE b.status = 'pending' AND b.id > ? ORDER BY b.id LIMIT ?",
                (after_id, limit),
            )
        ]

    def retry_candidates(
        self, now: datetime, max_attempts: int, limit: int, after_id: int = 0
    ) -> list[Row]:
        """Temporary failures that are due: failed, user not gone, attempts < max."""
        return [
            _row(v)
            for v in self.conn.execute(
                f"SELECT {_ROW_COLUMNS} FROM block_history b"
                " WHERE b.status = 'failed'"
                f"   AND (b.user_status IS NULL OR b.user_status NOT IN ({_PERMANENT_SQL}))"
                "   AND b.attempts < ? AND (b.next_attempt_at IS NULL OR b.next_attempt_at <= ?)"
                "   AND b.id > ? ORDER BY b.id LIMIT ?",
                (max_attempts, iso(now), after_id, limit),
            )
        ]

    def next_retry_at(self, max_attempts: int) -> str | None:
        """When the earliest waiting retry candidate becomes due (None: none waiting)."""
        found = self.conn.execute(
            "SELECT min(next_attempt_at) FROM block_history WHERE status = 'failed'"
            f" AND (user_status IS NULL OR user_status NOT IN ({_PERMANENT_SQL}))"
            " AND attempts < ?",
            (max_attempts,),
        ).fetchone()
        return None if found is None else found[0]

    def recheck_candidates(self, older_than: datetime, limit: int, after_id: int = 0) -> list[Row]:
        """Permanent failures last checked before ``older_than`` (suspensions get lifted)."""
        return [
            _row(v)
            for v in self.conn.execute(
                f"SELECT {_ROW_COLUMNS} FROM block_history b"
                f" WHERE b.status = 'failed' AND b.user_status IN ({_PERMANENT_SQL})"
                "   AND coalesce(b.checked_at, b.updated_at) < ?"
                "   AND b.id > ? ORDER BY b.id LIMIT ?",
                (iso(older_than), after_id, limit),
            )
        ]

    # --- recording (each commits) -----------------------------------------------------------

    def resolve_identity(self, row_id: int, user_id: str, screen_name: str | None) -> int:
        """Set the row's user id (merging duplicates); returns the surviving row id."""
        return identity.resolve_identity(self.conn, row_id, user_id, screen_name)

    def mark_block_sent(self, row_id: int) -> None:
        """Write-ahead intent: committed before the block call goes out."""
        now = utc_now_iso()
        with transaction(self.conn):
            self._update_one(
                "UPDATE block_history SET block_sent_at = ?, updated_at = ? WHERE id = ?",
                (now, now, row_id),
                row_id,
            )

    def record_lookup(
        self, row_id: int, user_status: str | None, *, protected: bool = False
    ) -> None:
        """What a lookup said, without deciding (dry run): the row stays in its status."""
        now = utc_now_iso()
        with transaction(self.conn):
            self._update_one(
                "UPDATE block_history SET user_status = ?, protected = ?, checked_at = ?,"
                " updated_at = ? WHERE id = ?",
                (user_status, int(protected), now, now, row_id),
                row_id,
            )

    def record_final(
        self,
        row_id: int,
        status: Status | str,
        user_status: str | None,
        reason: str | None,
        *,
        protected: bool = False,
    ) -> None:
        """A decision: blocked, skipped or failed for good. Clears the error fields."""
        self.record_final_many([FinalRecord(row_id, status, user_status, reason, protected)])

    def record_final_many(self, records: Sequence[FinalRecord]) -> None:
        """Several decisions in one transaction (one commit)."""
        now = utc_now_iso()
        params = []
        for r in records:
            status = _final_status(r.status).value
            params.append(
                (status, r.user_status, r.reason, int(r.protected), now, now, status, now, r.row_id)
            )
        with transaction(self.conn):
            changed = 0
            for p in params:
                changed += self.conn.execute(
                    """UPDATE block_history SET status = ?, user_status = ?, reason = ?,
                         protected = ?, next_attempt_at = NULL, last_http_status = NULL,
                         last_error_code = NULL, last_error = NULL, checked_at = ?,
                         updated_at = ?,
                         blocked_at = CASE WHEN ? = 'blocked' THEN coalesce(blocked_at, ?)
                                           ELSE blocked_at END
                       WHERE id = ?""",
                    p,
                ).rowcount
            if changed != len(records):
                missing = [r.row_id for r in records if self.get(r.row_id) is None]
                raise StoreError(msg("store.no_row", row_id=missing[0] if missing else "?"))

    def record_failure(
        self,
        row_id: int,
        *,
        user_status: str | None,
        reason: str | None,
        http_status: int | None,
        code: int | None,
        message: str | None,
        next_attempt_at: datetime | None,
    ) -> None:
        """A temporary failure: status failed, attempts + 1, retry from ``next_attempt_at``."""
        now = utc_now_iso()
        with transaction(self.conn):
            self._update_one(
                """UPDATE block_history SET status = 'failed', user_status = ?, reason = ?,
                     attempts = attempts + 1, last_http_status = ?, last_error_code = ?,
                     last_error = ?, next_attempt_at = ?, checked_at = ?, updated_at = ?
                   WHERE id = ?""",
                (
                    user_status,
                    reason,
                    http_status,
                    code,
                    scrub(message),
                    None if next_attempt_at is None else iso(next_attempt_at),
                    now,
                    now,
                    row_id,
                ),
                row_id,
            )

    def reset_attempts(self) -> int:
        """``--reset-retry``: attempts = 0 and due now, for every row not done. Nobody leaves
        the queue: the rows keep their status, so they are retry candidates again."""
        with transaction(self.conn):
            cur = self.conn.execute(
                "UPDATE block_history SET attempts = 0, next_attempt_at = NULL, updated_at = ?"
                " WHERE status IN ('pending', 'failed')"
                "   AND (attempts != 0 OR next_attempt_at IS NOT NULL)",
                (utc_now_iso(),),
            )
            return int(cur.rowcount)

    def _update_one(self, sql: str, params: Sequence[object], row_id: int) -> None:
        if self.conn.execute(sql, params).rowcount != 1:
            raise StoreError(msg("store.no_row", row_id=row_id))

    # --- attempts and runs --------------------------------------------------------------------

    def add_attempts(
        self,
        run_id: int | None,
        records: Sequence[CallLike],
        *,
        history_id: int | None = None,
        user_id: str | None = None,
    ) -> None:
        """Record API calls (one executemany, one commit). Messages are scrubbed."""
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
        with transaction(self.conn):
            self.conn.executemany(
                "INSERT INTO attempts(at, run_id, operation, user_id, history_id, http_status,"
                " code, message, outcome, elapsed_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                rows,
            )

    def start_run(self, command: str, targets: int) -> int:
        """A ``process_log`` row in state ``running`` for this process."""
        with transaction(self.conn):
            cur = self.conn.execute(
                "INSERT INTO process_log(started_at, pid, command, status, targets, blocked,"
                " skipped, failed, api_calls) VALUES (?, ?, ?, 'running', ?, 0, 0, 0, 0)",
                (utc_now_iso(), os.getpid(), scrub(command, 1000), targets),
            )
            return int(cur.lastrowid or 0)

    def update_run(self, run_id: int, counts: Mapping[str, int]) -> None:
        """Progress counts of a running run (blocked, skipped, failed, api_calls, targets)."""
        self._write_run(run_id, counts, None)

    def end_run(
        self,
        run_id: int,
        *,
        status: str,
        exit_code: int,
        end_reason: str,
        counts: Mapping[str, int],
    ) -> None:
        """Close the run: status done | interrupted | failed, with its final counts."""
        self._write_run(run_id, counts, (status, exit_code, end_reason))

    def _write_run(
        self, run_id: int, counts: Mapping[str, int], end: tuple[str, int, str] | None
    ) -> None:
        fields = [
            c for c in ("targets", "blocked", "skipped", "failed", "api_calls") if c in counts
        ]
        sets = [f"{c} = ?" for c in fields]
        params: list[object] = [int(counts[c]) for c in fields]
        if end is not None:
            sets += ["status = ?", "exit_code = ?", "end_reason = ?", "ended_at = ?"]
            params += [end[0], end[1], end[2], utc_now_iso()]
        if not sets:
            return
        with transaction(self.conn):
            self._update_one(
                f"UPDATE process_log SET {', '.join(sets)} WHERE id = ?",
                [*params, run_id],
                run_id,
            )

    # --- reading ----------------------------------------------------------------------------

    def counts(self) -> dict[str, int]:
        """Rows per status; every status present (0 when none)."""
        out = {s.value: 0 for s in Status}
        for status, n in self.conn.execute(
            "SELECT status, count(*) FROM block_history GROUP BY status"
        ):
            out[str(status)] = int(n)
        return out

    def stats(
        self, *, max_attempts: int = 10, samples: int = 5, now: datetime | None = None
    ) -> Stats:
        """Everything ``--stats`` shows (see :func:`twitter_blocker.store.stats.collect`)."""
        return collect(self.conn, max_attempts=max_attempts, samples=samples, now=now)
