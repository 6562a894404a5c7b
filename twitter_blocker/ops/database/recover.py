"""Salvage a damaged database into ``recovered.db`` (runbook: データベース破損, ``.recover``).

The file is read page by page (``ops.pagesalvage``, as SQLite's ``.recover`` does;
many sqlite3 shells lack a working ``.recover``), so every row on an undamaged page
is found even when the b-tree above it is damaged. The rows go into a fresh
database with our schema: one row per unique key (a stale copy of a row loses to
the one further along: a final status beats pending, a later ``updated_at`` beats
an earlier one), rows whose parent row was lost are dropped, and every ledger row
gets back the ``id:``/``sn:`` keys a resume looks targets up by, so resuming never
adds a second row for a user. Losses are counted (unreadable pages, rows skipped);
a file with nothing readable is a failure. Only ``apply`` swaps the copy in, under
the run lock, keeping the damaged file as ``<db>.damaged-<UTC>``.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from dataclasses import dataclass
from datetime import datetime
from enum import Enum
from pathlib import Path

from ...errors import InputError
from ...messages import msg
from ...proc.runlock import RunLock
from ...store.identity import rebuild_keys
from ...store.models import STATUS_RANK
from ...timefmt import utc_stamp
from .check import CheckResult, check_database, move_aside, sidecars
from .pagesalvage import Row, Scan, TableScan, scan_file

RECOVERED_NAME = "recovered.db"
# Columns telling which of two copies of a row is the later one, most telling first.
_LATEST_COLUMNS = ("updated_at", "updated_epoch", "ended_at", "at", "at_epoch", "applied_at")


class Method(Enum):
    PAGES = "page reader"


@dataclass(frozen=True, slots=True)
class TableSalvage:
    table: str
    rows: int  # rows in the recovered copy
    skipped_rows: int  # cells on this table's pages that could not be read or did not fit
    duplicates: int  # older copies of a row (same key) left out
    unreadable_pages: int  # pages its b-tree points at that could not be read


@dataclass(frozen=True, slots=True)
class RecoverResult:
    source: Path
    output: Path
    method: Method
    readable: bool  # False: not one page of the file could be read (or it is not ours)
    foreign: bool  # its schema is readable and holds none of our tables
    pages: int
    unreadable_pages: int  # neither a readable b-tree page nor on the freelist
    unattributed_rows: int  # rows on pages that fit no table (or several)
    tables: tuple[TableSalvage, ...]
    orphans_dropped: int
    keys_rebuilt: int
    check: CheckResult
    applied: bool
    damaged_kept: Path | None  # where the damaged file went when applied
    note: str | None = None  # why apply was refused, or which tables were not ours

    @property
    def rows(self) -> int:
        return sum(t.rows for t in self.tables)

    @property
    def skipped_rows(self) -> int:
        return self.unattributed_rows + sum(t.skipped_rows for t in self.tables)

    @property
    def ok(self) -> bool:
        return self.readable and self.check.ok


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _rank(row: Row) -> tuple[int, str, bool]:
    """Sort key of the copies of one row: the most final, then the latest, then a live page."""
    status = row.values.get("status")
    final = STATUS_RANK.get(status, -1) if isinstance(status, str) else -1
    latest = next(
        (str(row.values[c]) for c in _LATEST_COLUMNS if row.values.get(c) is not None), ""
    )
    return (final, latest, row.reached)


def _insert(dest: sqlite3.Connection, table: TableScan) -> tuple[int, int]:
    """Insert the best copy of every row; returns (duplicates left out, rows refused)."""
    columns = [str(r[1]) for r in dest.execute(f"PRAGMA table_info({_quote(table.name)})")]
    duplicates = refused = 0
    # Rows the fresh schema holds already (schema_migrations) are not the user's duplicates.
    fresh = int(dest.execute(f"SELECT count(*) FROM {_quote(table.name)}").fetchone()[0])
    with_rowid = not _without_rowid(dest, table.name)
    for row in sorted(table.rows, key=_rank, reverse=True):
        names = [c for c in columns if c in row.values]
        values = [row.values[c] for c in names]
        if row.rowid is not None and with_rowid:
            names, values = ["rowid", *names], [row.rowid, *values]
        sql = (
            f"INSERT INTO {_quote(table.name)}({', '.join(_quote(n) for n in names)}) "
            f"VALUES ({', '.join('?' * len(names))})"
        )
        try:
            dest.execute(sql, values)
        except sqlite3.IntegrityError as exc:
            if "UNIQUE" in str(exc) or "PRIMARY KEY" in str(exc):
                duplicates += 0 if fresh else 1
            else:
                refused += 1
    return duplicates, refused


def _without_rowid(dest: sqlite3.Connection, table: str) -> bool:
    sql = dest.execute("SELECT sql FROM sqlite_master WHERE name = ?", (table,)).fetchone()
    return sql is not None and "WITHOUT ROWID" in " ".join(str(sql[0]).upper().split())


def _drop_orphans(conn: sqlite3.Connection) -> int:
    """Delete rows whose foreign key points at a row that was lost; returns how many."""
    tables = {str(r[0]) for r in conn.execute("PRAGMA foreign_key_check").fetchall()}
    dropped = 0
    for table in sorted(tables):
        for fk in conn.execute(f"PRAGMA foreign_key_list({_quote(table)})").fetchall():
            parent, child_col, parent_col = str(fk[2]), str(fk[3]), fk[4]
            target = _quote(str(parent_col)) if parent_col else "rowid"
            cur = conn.execute(
                f"DELETE FROM {_quote(table)} WHERE {_quote(child_col)} IS NOT NULL AND "
                f"{_quote(child_col)} NOT IN (SELECT {target} FROM {_quote(parent)})"
            )
            dropped += max(cur.rowcount, 0)
    return dropped


def _fresh(output: Path) -> sqlite3.Connection:
    from ...store.db import migrate
    from ...store.schema import MIGRATIONS

    conn = sqlite3.connect(output, isolation_level=None)
    migrate(conn, MIGRATIONS, path=output)
    return conn


def _salvage(source: Path, output: Path) -> tuple[Scan | None, list[TableSalvage], int, int]:
    with contextlib.closing(_fresh(output)) as dest:
        expected = [
            (str(t), str(n), str(s))
            for t, n, s in dest.execute(
                "SELECT type, name, sql FROM sqlite_master WHERE sql IS NOT NULL"
            )
        ]
        scan = scan_file(source, expected)
        salvaged: list[TableSalvage] = []
        orphans = keys = 0
        dest.execute("BEGIN")
        if scan is not None:
            counted = []
            for table in scan.tables.values():
                duplicates, refused = _insert(dest, table)
                counted.append((table, duplicates, refused))
            orphans = _drop_orphans(dest)
            keys = rebuild_keys(dest)
            for table, duplicates, refused in counted:
                rows = dest.execute(f"SELECT count(*) FROM {_quote(table.name)}").fetchone()[0]
                salvaged.append(
                    TableSalvage(
                        table.name,
                        int(rows),
                        table.skipped + refused,
                        duplicates,
                        table.broken_pages,
                    )
                )
        dest.execute("COMMIT")
    return scan, salvaged, orphans, keys


def _remove_with_sidecars(path: Path) -> None:
    for src, _suffix in sidecars(path):
        src.unlink(missing_ok=True)


def recover_database(
    db: Path,
    *,
    lock_file: Path,
    apply: bool = False,
    now: datetime | None = None,
) -> RecoverResult:
    """Salvage every readable row of ``db`` into ``recovered.db`` beside it and verify it.

    With ``apply`` (and only when something was readable and the copy passes every
    check) the damaged file is kept as ``<db>.damaged-<UTC>`` and the copy takes its
    place, under the run lock (``DatabaseBusyError`` while a run holds it).
    """
    if not db.is_file():
        raise InputError(msg("ops.db.missing"), where=str(db))
    output = db.with_name(RECOVERED_NAME)
    _remove_with_sidecars(output)
    scan, tables, orphans, keys = _salvage(db, output)
    foreign = scan is not None and scan.foreign
    readable = scan is not None and scan.readable and not foreign
    check = check_database(output)
    applied, kept = False, None
    note = None
    if scan is not None and scan.other_tables:
        note = msg("ops.recover.other_tables", tables=", ".join(scan.other_tables))
    if apply:
        if not readable:
            note = msg("ops.recover.not_applied", why=msg("ops.recover.nothing_readable"))
        elif not check.ok:
            note = msg("ops.recover.not_applied", why=check.summary)
        else:
            with RunLock(lock_file) as _lock:
                kept = move_aside(db, f"damaged-{utc_stamp(now)}")
                os.replace(output, db)
            applied = True
    return RecoverResult(
        source=db,
        output=output,
        method=Method.PAGES,
        readable=readable,
        foreign=foreign,
        pages=scan.pages if scan else 0,
        unreadable_pages=scan.unreadable_pages if scan else 0,
        unattributed_rows=scan.unattributed_rows if scan else 0,
        tables=tuple(tables),
        orphans_dropped=orphans,
        keys_rebuilt=keys,
        check=check,
        applied=applied,
        damaged_kept=kept,
        note=note,
    )
