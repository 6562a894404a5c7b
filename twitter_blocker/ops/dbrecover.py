"""Salvage a damaged database into ``recovered.db`` (runbook: データベース破損, ``.recover``).

The sqlite3 shell's ``.recover`` is used when it exists and works (some builds
list it but lack the page-reading table it needs, so it is probed first);
otherwise a Python salvage copies the file's own schema (or the current one when
the schema is unreadable) and reads every table rowid range by rowid range,
splitting a failing range in halves down to single rows, so only the rows on
unreadable pages are lost. Rows whose foreign key points at a lost row are
dropped, the copy is checked, and only ``apply`` swaps it in, under the run lock,
keeping the damaged file as ``<db>.damaged-<UTC>``.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sqlite3
import subprocess
import tempfile
from dataclasses import dataclass
from datetime import datetime
from enum import Enum
from pathlib import Path

from ..errors import InputError
from ..messages import msg
from .dbcheck import CheckResult, check_database, file_stamp, move_aside, open_existing, sidecars
from .lock import RunLock

RECOVERED_NAME = "recovered.db"
# Rows read per query by the Python salvage; a failing range is split in halves.
SALVAGE_CHUNK = 512
# Upper bound scanned when max(rowid) itself is unreadable.
SALVAGE_BLIND_MAX = 1 << 16


class Method(Enum):
    SHELL = "sqlite3 .recover"
    PYTHON = "python salvage"


@dataclass(frozen=True, slots=True)
class TableSalvage:
    table: str
    rows: int
    unreadable_rows: int  # rowids whose page could not be read (skipped)


@dataclass(frozen=True, slots=True)
class RecoverResult:
    source: Path
    output: Path
    method: Method
    tables: tuple[TableSalvage, ...]
    orphans_dropped: int
    check: CheckResult
    applied: bool
    damaged_kept: Path | None  # where the damaged file went when applied
    note: str | None = None  # why the shell was not used, or why apply was refused

    @property
    def rows(self) -> int:
        return sum(t.rows for t in self.tables)


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def shell_with_recover() -> str | None:
    """The sqlite3 shell when it exists and ``.recover`` works in it, else None.

    Some builds list ``.recover`` but lack the page-reading virtual table it needs
    ("SQL logic error"), so the shell is tried on a tiny database first.
    """
    shell = shutil.which("sqlite3")
    if shell is None:
        return None
    with tempfile.TemporaryDirectory() as tmp:
        probe = Path(tmp) / "probe.db"
        with contextlib.closing(sqlite3.connect(probe)) as conn:
            conn.execute("CREATE TABLE t(x)")
            conn.execute("INSERT INTO t VALUES (1)")
            conn.commit()
        try:
            out = subprocess.run(
                [shell, str(probe), ".recover"], capture_output=True, timeout=30, check=False
            )
        except (OSError, subprocess.SubprocessError):
            return None
    works = out.returncode == 0 and b"COMMIT" in out.stdout and b"INSERT" in out.stdout
    return shell if works else None


def _shell_recover(shell: str, source: Path, output: Path) -> None:
    dump = subprocess.run(
        [shell, str(source), ".recover"], capture_output=True, timeout=600, check=False
    )
    if dump.returncode != 0 or not dump.stdout:
        raise sqlite3.DatabaseError(dump.stderr.decode("utf-8", "replace").strip() or "no output")
    load = subprocess.run(
        [shell, str(output)], input=dump.stdout, capture_output=True, timeout=600, check=False
    )
    if load.returncode != 0 and not output.exists():
        raise sqlite3.DatabaseError(load.stderr.decode("utf-8", "replace").strip())


def _schema(src: sqlite3.Connection) -> list[tuple[str, str, str]]:
    """(type, name, sql) of the user's tables first, then indexes and triggers."""
    rows = src.execute(
        "SELECT type, name, sql FROM sqlite_master WHERE sql IS NOT NULL "
        "AND name NOT LIKE 'sqlite_%' AND type IN ('table', 'index', 'trigger')"
    ).fetchall()
    order = {"table": 0, "index": 1, "trigger": 2}
    return sorted(((str(t), str(n), str(s)) for t, n, s in rows), key=lambda r: order[r[0]])


def _store_schema(dest: sqlite3.Connection) -> None:
    """The current schema, for when the damaged file's own schema is unreadable."""
    from ..store.db import migrate
    from ..store.schema import MIGRATIONS

    migrate(dest, MIGRATIONS)


def _rowid_bounds(src: sqlite3.Connection, table: str) -> tuple[int, int]:
    try:
        lo, hi = src.execute(f"SELECT min(rowid), max(rowid) FROM {_quote(table)}").fetchone()
    except sqlite3.DatabaseError:
        return 1, SALVAGE_BLIND_MAX
    if lo is None:
        return 1, 0
    return int(lo), int(hi)


def _copy_range(
    src: sqlite3.Connection, dest: sqlite3.Connection, table: str, cols: str, lo: int, hi: int
) -> tuple[int, int]:
    """Copy rows with lo <= rowid <= hi; returns (rows copied, unreadable single rowids)."""
    # One rowid is a point lookup: a range scan would also step onto the next leaf
    # page, so the last row before a damaged page would be lost with it.
    where = "rowid = ?" if lo == hi else "rowid BETWEEN ? AND ?"
    try:
        rows = src.execute(
            f"SELECT rowid, {cols} FROM {_quote(table)} WHERE {where}",
            (lo,) if lo == hi else (lo, hi),
        ).fetchall()
    except sqlite3.DatabaseError:
        if lo == hi:
            return 0, 1
        mid = (lo + hi) // 2
        a_rows, a_bad = _copy_range(src, dest, table, cols, lo, mid)
        b_rows, b_bad = _copy_range(src, dest, table, cols, mid + 1, hi)
        return a_rows + b_rows, a_bad + b_bad
    if rows:
        marks = ", ".join("?" * len(rows[0]))
        dest.executemany(
            f"INSERT OR IGNORE INTO {_quote(table)}(rowid, {cols}) VALUES ({marks})", rows
        )
    return len(rows), 0


def _salvage_scan(
    src: sqlite3.Connection, dest: sqlite3.Connection, table: str, cols: str
) -> TableSalvage:
    """A WITHOUT ROWID table: one scan in key order, keeping every row read before an error."""
    marks = ", ".join("?" * len(cols.split(", ")))
    insert = f"INSERT OR IGNORE INTO {_quote(table)}({cols}) VALUES ({marks})"
    copied, bad = 0, 0
    try:
        for row in src.execute(f"SELECT {cols} FROM {_quote(table)}"):
            dest.execute(insert, row)
            copied += 1
    except sqlite3.DatabaseError:
        bad = 1
    return TableSalvage(table, copied, bad)


def _salvage_table(src: sqlite3.Connection, dest: sqlite3.Connection, table: str) -> TableSalvage:
    names = [str(row[1]) for row in dest.execute(f"PRAGMA table_info({_quote(table)})")]
    cols = ", ".join(_quote(n) for n in names)
    sql = dest.execute("SELECT sql FROM sqlite_master WHERE name = ?", (table,)).fetchone()[0]
    if "WITHOUT ROWID" in " ".join(str(sql).upper().split()):
        return _salvage_scan(src, dest, table, cols)
    lo, hi = _rowid_bounds(src, table)
    copied = bad = 0
    start = lo
    while start <= hi:
        end = min(start + SALVAGE_CHUNK - 1, hi)
        rows, unreadable = _copy_range(src, dest, table, cols, start, end)
        copied += rows
        bad += unreadable
        start = end + 1
    return TableSalvage(table, copied, bad)


def _python_salvage(source: Path, output: Path) -> dict[str, int]:
    """Copy every readable row table by table; returns unreadable rowids per table."""
    unreadable: dict[str, int] = {}
    with open_existing(source) as src, contextlib.closing(sqlite3.connect(output)) as dest:
        try:
            schema = _schema(src)
        except sqlite3.DatabaseError as exc:
            if "not a database" in str(exc):
                return unreadable  # nothing in this file can be read
            schema = []
        if schema:
            for kind, _name, sql in schema:
                if kind == "table":
                    dest.execute(sql)
        else:
            _store_schema(dest)
        tables = [
            str(r[0])
            for r in dest.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            )
        ]
        for table in tables:
            unreadable[table] = _salvage_table(src, dest, table).unreadable_rows
            dest.commit()
        for kind, _name, sql in schema:
            if kind != "table":
                with contextlib.suppress(sqlite3.DatabaseError):
                    dest.execute(sql)
        dest.commit()
    return unreadable


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
    conn.commit()
    return dropped


def _count_tables(path: Path) -> list[TableSalvage]:
    with contextlib.closing(sqlite3.connect(path)) as conn:
        names = [
            str(r[0])
            for r in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' "
                "AND name NOT LIKE 'sqlite_%' ORDER BY name"
            )
        ]
        return [
            TableSalvage(n, int(conn.execute(f"SELECT count(*) FROM {_quote(n)}").fetchone()[0]), 0)
            for n in names
        ]


def _remove_with_sidecars(path: Path) -> None:
    for src, _suffix in sidecars(path):
        src.unlink(missing_ok=True)


def recover_database(
    db: Path,
    *,
    lock_file: Path,
    apply: bool = False,
    use_shell: bool = True,
    now: datetime | None = None,
) -> RecoverResult:
    """Salvage every readable row of ``db`` into ``recovered.db`` beside it and verify it.

    With ``apply`` (and only when the copy passes every check and holds tables) the
    damaged file is kept as ``<db>.damaged-<UTC>`` and the copy takes its place,
    under the run lock (``DatabaseBusyError`` while a run holds it).
    """
    if not db.is_file():
        raise InputError(msg("ops.db.missing"), where=str(db))
    output = db.with_name(RECOVERED_NAME)
    _remove_with_sidecars(output)
    method, note = Method.PYTHON, None
    unreadable: dict[str, int] = {}
    shell = shell_with_recover() if use_shell else None
    if shell is not None:
        try:
            _shell_recover(shell, db, output)
            method = Method.SHELL
        except (sqlite3.DatabaseError, OSError, subprocess.SubprocessError) as exc:
            note = msg("ops.recover.shell_failed", detail=str(exc)[:200])
            _remove_with_sidecars(output)
    elif use_shell:
        note = msg("ops.recover.no_shell")
    if method is Method.PYTHON:
        unreadable = _python_salvage(db, output)
    with contextlib.closing(sqlite3.connect(output)) as conn:
        orphans = _drop_orphans(conn)
    tables = tuple(
        TableSalvage(t.table, t.rows, unreadable.get(t.table, 0)) for t in _count_tables(output)
    )
    check = check_database(output)
    applied, kept = False, None
    if apply:
        if not check.ok or not tables:
            note = msg("ops.recover.not_applied", why=check.summary if tables else "no tables")
        else:
            with RunLock(lock_file) as _lock:
                kept = move_aside(db, f"damaged-{file_stamp(now)}")
                os.replace(output, db)
            applied = True
    return RecoverResult(db, output, method, tables, orphans, check, applied, kept, note)
