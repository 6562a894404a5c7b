"""The runbook's data integrity check (データ整合性確認), as one typed report.

It runs the runbook's own queries (tables, total, counts by status, permanent
failures, duplicate (user_id, screen_name) groups) so their numbers can be
compared with a shell session, adds the database check, checksums (sha256, and
md5 because the runbook uses ``md5sum``) of the database, cookie and users files,
and the combinations that cannot happen in a healthy ledger. It never writes.
"""

from __future__ import annotations

import hashlib
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from ...config import Paths
from ...messages import msg
from ...proc.runlock import read_holder
from .check import CheckResult, check_database, open_existing

# The runbook's queries, verbatim (whitespace aside).
SQL_TOTAL = "SELECT COUNT(*) as total_records FROM block_history"
SQL_BY_STATUS = "SELECT status, COUNT(*) FROM block_history GROUP BY status"
SQL_PERMANENT = (
    "SELECT COUNT(*) as permanent_failures FROM block_history WHERE status = 'failed' "
    "AND user_status IN ('suspended', 'not_found', 'deactivated')"
)
SQL_DUPLICATES = (
    "SELECT user_id, screen_name, COUNT(*) as count FROM block_history "
    "GROUP BY user_id, screen_name HAVING count > 1"
)
SQL_TABLES = "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"

# Rows left half-way through a block call: the write-ahead intent was committed,
# the outcome never was. Harmless while the run that wrote it is alive.
SQL_IN_FLIGHT = (
    "SELECT COUNT(*) FROM block_history WHERE status = 'pending' AND block_sent_at IS NOT NULL"
)
# Final states that the engine never writes (docs/DESIGN.md, final states table).
SQL_IMPOSSIBLE = """
SELECT status, user_status, reason, COUNT(*) FROM block_history
WHERE status NOT IN ('pending', 'blocked', 'skipped', 'failed')
   OR (user_status IS NOT NULL
       AND user_status NOT IN ('active', 'suspended', 'not_found', 'deactivated'))
   OR (status IN ('blocked', 'skipped')
       AND user_status IN ('suspended', 'not_found', 'deactivated'))
   OR (status = 'blocked' AND reason IS NOT NULL AND reason NOT IN ('blocked', 'already_blocked'))
   OR (status = 'failed' AND reason IN ('blocked', 'already_blocked'))
GROUP BY status, user_status, reason
"""


@dataclass(frozen=True, slots=True)
class FileSum:
    name: str
    path: Path
    exists: bool
    size: int | None
    sha256: str | None
    md5: str | None


@dataclass(frozen=True, slots=True)
class Duplicate:
    user_id: str | None
    screen_name: str | None
    count: int


@dataclass(frozen=True, slots=True)
class Combo:
    status: str | None
    user_status: str | None
    reason: str | None
    count: int


@dataclass(frozen=True, slots=True)
class IntegrityReport:
    db: Path
    check: CheckResult
    tables: tuple[str, ...]
    total_records: int | None
    by_status: tuple[tuple[str, int], ...]
    permanent_failures: int | None
    duplicates: tuple[Duplicate, ...]
    in_flight: int  # pending rows with block_sent_at
    run_active: bool
    impossible: tuple[Combo, ...]
    files: tuple[FileSum, ...]
    read_error: str | None  # the queries failed (damaged or foreign database)

    @property
    def problems(self) -> tuple[str, ...]:
        found: list[str] = []
        if not self.check.exists:
            found.append(msg("ops.integrity.db_missing", path=self.db))
        elif not self.check.ok:
            found.append(msg("ops.integrity.db_damaged", detail=self.check.summary))
        if self.read_error is not None:
            found.append(msg("ops.integrity.unreadable", detail=self.read_error))
        if self.duplicates:
            rows = sum(d.count for d in self.duplicates)
            found.append(msg("ops.integrity.duplicates", groups=len(self.duplicates), rows=rows))
        if self.in_flight and not self.run_active:
            found.append(msg("ops.integrity.in_flight", count=self.in_flight))
        for c in self.impossible:
            found.append(
                msg(
                    "ops.integrity.impossible",
                    count=c.count,
                    status=c.status,
                    user_status=c.user_status,
                    reason=c.reason,
                )
            )
        return tuple(found)

    @property
    def ok(self) -> bool:
        return not self.problems


def file_sum(name: str, path: Path) -> FileSum:
    if not path.is_file():
        return FileSum(name, path, False, None, None, None)
    sha, md5 = hashlib.sha256(), hashlib.md5(usedforsecurity=False)
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            sha.update(block)
            md5.update(block)
    return FileSum(name, path, True, path.stat().st_size, sha.hexdigest(), md5.hexdigest())


def _count(conn: sqlite3.Connection, sql: str) -> int:
    return int(conn.execute(sql).fetchone()[0])


def check_integrity(paths: Paths) -> IntegrityReport:
    """Run the runbook's integrity check on one data directory."""
    holder = read_holder(paths.lock_file)
    run_active = holder is not None and holder.held
    check = check_database(paths.db)
    tables: tuple[str, ...] = ()
    total = permanent = None
    by_status: tuple[tuple[str, int], ...] = ()
    duplicates: tuple[Duplicate, ...] = ()
    impossible: tuple[Combo, ...] = ()
    in_flight = 0
    read_error = None
    if check.exists:
        try:
            with open_existing(paths.db) as conn:
                tables = tuple(sorted(str(r[0]) for r in conn.execute(SQL_TABLES)))
                total = _count(conn, SQL_TOTAL)
                by_status = tuple((str(s), int(n)) for s, n in conn.execute(SQL_BY_STATUS))
                permanent = _count(conn, SQL_PERMANENT)
                duplicates = tuple(
                    Duplicate(u, s, int(n)) for u, s, n in conn.execute(SQL_DUPLICATES)
                )
                in_flight = _count(conn, SQL_IN_FLIGHT)
                impossible = tuple(
                    Combo(s, u, r, int(n)) for s, u, r, n in conn.execute(SQL_IMPOSSIBLE)
                )
        except sqlite3.DatabaseError as exc:
            read_error = str(exc)
    files = (
        file_sum("database", paths.db),
        file_sum("cookies", paths.cookies),
        file_sum("users", paths.users_file),
    )
    return IntegrityReport(
        db=paths.db,
        check=check,
        tables=tables,
        total_records=total,
        by_status=by_status,
        permanent_failures=permanent,
        duplicates=duplicates,
        in_flight=in_flight,
        run_active=run_active,
        impossible=impossible,
        files=files,
        read_error=read_error,
    )
