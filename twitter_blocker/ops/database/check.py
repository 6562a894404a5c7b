"""Check a SQLite database: quick check, then the full integrity check, then foreign keys.

The checks run in increasing cost and stop at the first failure, so a badly
damaged file is reported quickly and a healthy one gets every check. The file is
opened with ``mode=rw`` so a missing database is reported, never created.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from enum import Enum
from pathlib import Path

from ...errors import InputError
from ...messages import msg

# Rows of problems kept per check; a damaged file can report thousands.
MAX_PROBLEMS = 20


class Stage(Enum):
    OPEN = "open"
    QUICK = "quick_check"
    INTEGRITY = "integrity_check"
    FOREIGN_KEYS = "foreign_key_check"


@dataclass(frozen=True, slots=True)
class CheckResult:
    """The outcome of ``check_database``.

    ``failed_stage`` is None when every stage passed; ``problems`` holds what the
    failing stage reported (SQLite's own wording, at most ``MAX_PROBLEMS`` lines).
    """

    path: Path
    exists: bool
    stages_passed: tuple[Stage, ...]
    failed_stage: Stage | None
    problems: tuple[str, ...]

    @property
    def ok(self) -> bool:
        return self.exists and self.failed_stage is None

    @property
    def summary(self) -> str:
        if not self.exists:
            return "missing"
        if self.failed_stage is None:
            return "ok"
        first = self.problems[0] if self.problems else "failed"
        return f"{self.failed_stage.value}: {first}"


@contextlib.contextmanager
def open_existing(
    path: Path, *, timeout: float = 5.0, immutable: bool = False
) -> Iterator[sqlite3.Connection]:
    """Open an existing database without creating it; always closed on exit.

    ``immutable`` opens read-only and ignores journals and locks: only for files
    nothing else writes (backup copies), so checking them can never change them.
    """
    mode = "mode=ro&immutable=1" if immutable else "mode=rw"
    conn = sqlite3.connect(f"{path.absolute().as_uri()}?{mode}", uri=True, timeout=timeout)
    try:
        yield conn
    finally:
        conn.close()


def _pragma_rows(conn: sqlite3.Connection, sql: str) -> list[str]:
    return [" ".join(str(col) for col in row) for row in conn.execute(sql).fetchmany(MAX_PROBLEMS)]


def _fk_problems(conn: sqlite3.Connection) -> list[str]:
    rows = conn.execute("PRAGMA foreign_key_check").fetchmany(MAX_PROBLEMS)
    return [
        f"{table} rowid {rowid} references a missing row of {parent} (fk {fkid})"
        for table, rowid, parent, fkid in rows
    ]


def check_database(path: Path, *, quick_only: bool = False, immutable: bool = False) -> CheckResult:
    """Run quick_check -> integrity_check -> foreign_key_check, stopping at the first failure.

    ``quick_only`` stops after the quick check (the health check uses it).
    """
    if not path.is_file():
        return CheckResult(path, False, (), None, ())
    passed: list[Stage] = []
    stage = Stage.OPEN
    try:
        with open_existing(path, immutable=immutable) as conn:
            # A garbage header only shows when the schema is first read.
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
            passed.append(stage)
            stages = (Stage.QUICK,) if quick_only else (Stage.QUICK, Stage.INTEGRITY)
            for stage in stages:
                rows = _pragma_rows(conn, f"PRAGMA {stage.value}({MAX_PROBLEMS})")
                if rows != ["ok"]:
                    return CheckResult(path, True, tuple(passed), stage, tuple(rows))
                passed.append(stage)
            if not quick_only:
                stage = Stage.FOREIGN_KEYS
                problems = _fk_problems(conn)
                if problems:
                    return CheckResult(path, True, tuple(passed), stage, tuple(problems))
                passed.append(stage)
    except sqlite3.DatabaseError as exc:
        return CheckResult(path, True, tuple(passed), stage, (str(exc),))
    return CheckResult(path, True, tuple(passed), None, ())


def sidecars(path: Path) -> list[tuple[Path, str]]:
    return [(Path(f"{path}{suffix}"), suffix) for suffix in ("", "-wal", "-shm", "-journal")]


def move_aside(path: Path, tag: str) -> Path:
    """Rename ``path`` and its -wal/-shm/-journal to ``<path>.<tag>...``; returns the new main path.

    The sidecars move too: a -wal left beside a swapped-in file would be replayed into it.
    """
    kept = path.with_name(f"{path.name}.{tag}")
    for src, suffix in sidecars(path):
        if src.exists():
            os.replace(src, Path(f"{kept}{suffix}"))
    return kept


def init_database(db: Path) -> Path:
    """Create an empty database with the current schema; refuses to overwrite any file."""
    if db.exists():
        raise InputError(msg("ops.db.exists"), where=str(db))
    from ...store.db import connect, migrate
    from ...store.schema import MIGRATIONS

    db.parent.mkdir(parents=True, exist_ok=True)
    conn = connect(db)
    try:
        migrate(conn, MIGRATIONS, path=db)
    finally:
        conn.close()
    return db
