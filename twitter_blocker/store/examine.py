"""Is this file a database this tool may open for writing? Decided without writing a byte.

``examine_database`` opens the file read-only (``immutable`` when a WAL-mode file has no
``-wal`` beside it, so SQLite creates no ``-wal``/``-shm`` either) and refuses, in one line
naming the path and what to do:

- a directory or an unreadable file (``InputError``, exit 2);
- a file that is not SQLite (``StoreError``, exit 1, as every database refusal);
- a database of another program (tables but neither our ``schema_migrations`` nor the
  earlier tool's ``block_history``): a Firefox ``cookies.sqlite`` given as ``--db`` must not
  be switched to WAL or get our tables;
- a damaged database: a bounded ``PRAGMA quick_check`` (at most ``budget`` seconds, so a
  huge file is never a long wait) or any read error, pointing to ``db recover`` / ``restore``.

Absent and empty files pass: opening them creates a new database.
"""

from __future__ import annotations

import os
import sqlite3
import time
from pathlib import Path

from ..errors import InputError, StoreError
from ..messages import msg
from . import legacy

HEADER = b"SQLite format 3\x00"
QUICK_CHECK_SECONDS = 2.0
OURS = "schema_migrations"


def _one_line(detail: object) -> str:
    text = " ".join(str(detail).split())
    return text if len(text) <= 160 else text[:157] + "..."


def _uri(path: Path, header: bytes) -> str:
    wal = len(header) >= 20 and header[18] == 2 and header[19] == 2
    real = Path(os.path.realpath(path))
    immutable = wal and not Path(f"{real}-wal").exists()
    return f"{real.as_uri()}?mode=ro" + ("&immutable=1" if immutable else "")


def examine_database(path: Path, *, budget: float = QUICK_CHECK_SECONDS) -> None:
    """Raise unless ``path`` is absent, empty, or a sound database of ours (or of the earlier
    tool, or one without tables): ``InputError`` for the path, ``StoreError`` for the file."""
    where = str(path)
    if not path.exists():
        return
    if path.is_dir():
        raise InputError(msg("store.is_directory"), where=where)
    try:
        with path.open("rb") as handle:
            header = handle.read(100)
    except OSError as exc:
        raise InputError(msg("store.unreadable", detail=exc.strerror), where=where) from None
    if not header:
        return
    if not header.startswith(HEADER):
        raise StoreError(f"{where}: {msg('store.not_sqlite')}")
    try:
        conn = sqlite3.connect(_uri(path, header), uri=True, isolation_level=None)
    except sqlite3.Error as exc:
        raise StoreError(f"{where}: {msg('store.damaged', detail=_one_line(exc))}") from None
    try:
        _check(conn, where, budget)
    except sqlite3.DatabaseError as exc:
        raise StoreError(f"{where}: {msg('store.damaged', detail=_one_line(exc))}") from None
    finally:
        conn.close()


def _refuse_foreign(conn: sqlite3.Connection, where: str) -> None:
    tables = sorted(
        str(r[0])
        for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        if not str(r[0]).startswith("sqlite_")
    )
    if tables and OURS not in tables and not legacy.is_legacy(conn):
        raise StoreError(f"{where}: {msg('store.foreign', tables=', '.join(tables))}")


def refuse_foreign(path: Path) -> None:
    """``StoreError`` when ``path`` holds another program's tables (read through SQLite
    only, read-only: safe beside this process's other connections to the file). Unreadable
    or damaged files are left to the opening that follows, which reports them."""
    try:
        if not path.is_file() or path.stat().st_size == 0:
            return
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    except (OSError, sqlite3.Error):
        return
    try:
        _refuse_foreign(conn, str(path))
    except sqlite3.Error:
        return
    finally:
        conn.close()


def _check(conn: sqlite3.Connection, where: str, budget: float) -> None:
    _refuse_foreign(conn, where)
    deadline = time.monotonic() + budget
    conn.set_progress_handler(lambda: int(time.monotonic() > deadline), 10_000)
    try:
        result = conn.execute("PRAGMA quick_check(1)").fetchone()
    except sqlite3.OperationalError as exc:
        if "interrupt" in str(exc).lower():
            return  # out of time: the opening and the schema read were sound
        raise
    finally:
        conn.set_progress_handler(None, 0)
    if result is None or str(result[0]) != "ok":
        detail = _one_line(result[0] if result else "no answer")
        raise StoreError(f"{where}: {msg('store.damaged', detail=detail)}")
