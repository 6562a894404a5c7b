"""The ledger: ``block_history`` (one row per target), ``attempts``, ``process_log``.

One :class:`History` holds one connection and is used from one thread. Every
``record_*``/``mark_*`` method commits before it returns (a ``kill -9`` at any
instant loses nothing that was recorded), unless the caller wraps several calls in
:func:`~twitter_blocker.store.db.transaction` to commit them together.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from pathlib import Path
from types import TracebackType
from typing import Any

from ..errors import StoreError
from ..messages import msg
from . import examine, identity, importer, legacy, runs
from .budgets import Budgets
from .db import closed_on_failure, connect, iso, joined, migrate, transaction, utc_now_iso
from .importer import TargetLike
from .models import (
    PERMANENT_USER_STATUSES,
    FinalRecord,
    ImportStats,
    Row,
    Stats,
    Status,
)
from .runs import CallLike, scrub
from .schema import LEGACY_TABLES, MIGRATIONS
from .stats import collect, counts_by_status

__all__ = ["CallLike", "History", "TargetLike", "scrub"]

_ROW_COLUMNS = (
    "b.id, b.user_id, b.screen_name, b.status, b.user_status, b.reason, b.attempts,"
    " b.block_sent_at, (SELECT group_concat(k.key, ' ') FROM target_keys k"
    " WHERE k.history_id = b.id), b.protected, b.next_attempt_at, b.checked_at,"
    " b.last_http_status, b.last_error_code, b.last_error"
)


def _row(values: Sequence[Any]) -> Row:
    keys = values[8]
    return Row(
        id=int(values[0]),
        user_id=values[1],
        screen_name=values[2],
        status=Status(values[3]),
        user_status=values[4],
        reason=values[5],
        attempts=int(values[6]),
        block_sent_at=values[7],
        keys=tuple(sorted(str(keys).split(" "))) if keys else (),
        protected=bool(values[9]),
        next_attempt_at=values[10],
        checked_at=values[11],
        last_http_status=values[12],
        last_error_code=values[13],
        last_error=values[14],
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
        # Rows this connection merged away -> their survivor, so a caller still holding an
        # old id (a target queued before its duplicate was found) records on the right row.
        self._merged: dict[int, int] = {}

    @classmethod
    def open(cls, path: Path) -> History:
        """Connect and bring the schema up to date. Raises StoreError on a bad file.

        A database of the earlier tool is adopted first (see :mod:`store.legacy`); one of
        another program is refused before anything is written (no WAL switch, no table).
        """
        examine.refuse_foreign(Path(path))
        conn = connect(path)
        with closed_on_failure(conn, path):
            if legacy.is_legacy(conn):
                legacy.adopt(conn, MIGRATIONS)
            migrate(conn, MIGRATIONS, path=path, legacy_tables=LEGACY_TABLES)
        return cls(conn, Path(path))

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
        """Add every target without a row (one transaction, set-based); see ``importer``."""
        return importer.import_targets(self.conn, targets)

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
        """The earliest ``next_attempt_at`` among retry candidates (ISO text).

        None when no candidate has one scheduled; candidates with NULL are due now and
        are returned by :meth:`retry_candidates` right away.
        """
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

    def resolve_identity(
        self, row_id: int, user_id: str, screen_name: str | None, *, join: bool = False
    ) -> int:
        """Set the row's user id (merging duplicates); returns the surviving row id. ``join``:
        no savepoint inside the caller's transaction (``db.joined``)."""
        return identity.resolve_identity(
            self.conn, row_id, user_id, screen_name, self._merged, join=join
        )

    def mark_block_sent(self, row_id: int) -> None:
        """Write-ahead intent: committed before the block call goes out."""
        now = utc_now_iso()
        with joined(self.conn):  # one effective UPDATE (``_update_row``)
            self._update_row(
                "UPDATE block_history SET block_sent_at = ?, updated_at = ? WHERE id = ?",
                (now, now),
                row_id,
            )

    def record_lookup(
        self, row_id: int, user_status: str | None, *, protected: bool = False
    ) -> None:
        """What a lookup said, without deciding (dry run): the row stays in its status."""
        now = utc_now_iso()
        with transaction(self.conn):
            self._update_row(
                "UPDATE block_history SET user_status = ?, protected = ?, checked_at = ?,"
                " updated_at = ? WHERE id = ?",
                (user_status, int(protected), now, now),
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
        with transaction(self.conn) if len(records) > 1 else joined(self.conn):
            for r in records:
                status = _final_status(r.status).value
                self._update_row(
                    """UPDATE block_history SET status = ?, user_status = ?, reason = ?,
                         protected = ?, next_attempt_at = NULL, last_http_status = NULL,
                         last_error_code = NULL, last_error = NULL, checked_at = ?,
                         updated_at = ?,
                         blocked_at = CASE WHEN ? = 'blocked' THEN coalesce(blocked_at, ?)
                                           ELSE blocked_at END
                       WHERE id = ?""",
                    (status, r.user_status, r.reason, int(r.protected), now, now, status, now),
                    r.row_id,
                )

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
        """A temporary failure: status failed, attempts + 1, retry from ``next_attempt_at``.

        A row already blocked or skipped keeps its decision (a failure of a duplicate
        that was merged into it changes nothing).
        """
        now = utc_now_iso()
        with transaction(self.conn):
            self._update_row(
                """UPDATE block_history SET status = 'failed', user_status = ?, reason = ?,
                     attempts = attempts + 1, last_http_status = ?, last_error_code = ?,
                     last_error = ?, next_attempt_at = ?, checked_at = ?, updated_at = ?
                   WHERE id = ? AND status IN ('pending', 'failed')""",
                (
                    user_status,
                    reason,
                    http_status,
                    code,
                    scrub(message),
                    None if next_attempt_at is None else iso(next_attempt_at),
                    now,
                    now,
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

    def _update_row(self, sql: str, params: Sequence[object], row_id: int) -> int:
        """Run ``sql`` (ending in ``WHERE id = ?``) with ``params`` + the row id.

        A row merged away by this History is followed to its survivor. Returns the number
        of rows changed: 0 when the row exists but the statement's own condition did not
        match. Raises StoreError when there is no such row.
        """
        target, seen = row_id, {row_id}
        while True:
            changed = int(self.conn.execute(sql, (*params, target)).rowcount)
            if changed:
                return changed
            exists = self.conn.execute("SELECT 1 FROM block_history WHERE id = ?", (target,))
            if exists.fetchone() is not None:
                return 0
            survivor = self._merged.get(target)
            if survivor is None or survivor in seen:
                raise StoreError(msg("store.no_row", row_id=row_id))
            target = survivor
            seen.add(target)

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
        runs.add_attempts(self.conn, run_id, records, history_id=history_id, user_id=user_id)

    def start_run(self, command: str, targets: int) -> int:
        """A ``process_log`` row in state ``running`` for this process."""
        return runs.start_run(self.conn, command, targets)

    def update_run(self, run_id: int, counts: Mapping[str, int]) -> None:
        """Progress counts of a running run (blocked, skipped, failed, api_calls, targets)."""
        runs.write_run(self.conn, run_id, counts, None)

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
        runs.write_run(self.conn, run_id, counts, (status, exit_code, end_reason))

    # --- reading ----------------------------------------------------------------------------

    def counts(self) -> dict[str, int]:
        """Rows per status; every status present (0 when none)."""
        return counts_by_status(self.conn)

    def stats(
        self, *, max_attempts: int = 10, samples: int = 5, now: datetime | None = None
    ) -> Stats:
        """Everything ``--stats`` shows (see :func:`twitter_blocker.store.stats.collect`)."""
        return collect(self.conn, max_attempts=max_attempts, samples=samples, now=now)
