"""One connection factory, one transaction helper, named ordered migrations.

Connections run in autocommit mode (``isolation_level=None``): nothing is ever
left half-open by the sqlite3 module's implicit transactions, and every write
goes through :func:`transaction`, which nests with savepoints and rolls back on
any exception. A process keeps one connection per file for its whole life.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

from ..errors import StoreError
from ..messages import msg
from ..timefmt import parse_utc, utc_iso

_SAVEPOINT = "tb_level"


# The store's names for the one UTC format (``twitter_blocker.timefmt``):
# ``2026-11-29T02:15:50.123Z``, one fixed width so stored timestamps compare as strings.
utc_now_iso = utc_iso  # called without an argument: now
iso = utc_iso
parse_iso = parse_utc


def connect(path: Path | str, *, readonly: bool = False) -> sqlite3.Connection:
    """Open (creating if needed) a database file with the project's pragmas.

    Raises :class:`StoreError` when the file is not a SQLite database or is damaged.
    ``readonly`` opens an existing file without the write-side pragmas (for reports).
    """
    target = Path(path)
    try:
        if readonly:
            conn = sqlite3.connect(
                f"{target.resolve().as_uri()}?mode=ro", uri=True, isolation_level=None
            )
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(str(target), isolation_level=None)
    except (sqlite3.Error, OSError) as exc:
        raise StoreError(msg("store.cannot_open", path=target, detail=exc)) from exc
    with closed_on_failure(conn, target):
        # busy_timeout: wait up to 5 s for another connection's write lock instead of
        # failing at once with "database is locked" (a reader like `--stats` can overlap a run).
        conn.execute("PRAGMA busy_timeout = 5000")
        if not readonly:
            # WAL: readers (stats, health, backup) never block the run's writer, and a
            # commit is one append to the log, so committing every decision stays cheap.
            mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
            if str(mode).lower() != "wal":
                raise StoreError(msg("store.no_wal", path=target, mode=mode))
            # synchronous NORMAL: in WAL mode a commit survives a process crash (kill -9);
            # only an OS crash or power loss can lose the last commits, never corrupt the file.
            conn.execute("PRAGMA synchronous = NORMAL")
            # temp_store MEMORY: the set-based import's temp tables never touch the disk.
            conn.execute("PRAGMA temp_store = MEMORY")
        # foreign_keys ON: target_keys rows die with their block_history row (ON DELETE CASCADE).
        conn.execute("PRAGMA foreign_keys = ON")
        # Touch the schema so a file that is not a database fails here, not mid-run.
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    return conn


@contextmanager
def closed_on_failure(conn: sqlite3.Connection, path: Path | str) -> Iterator[None]:
    """Close ``conn`` when the block fails; a file that is not a database (or is damaged)
    becomes a :class:`StoreError` naming ``path``."""
    try:
        yield
    except sqlite3.DatabaseError as exc:
        conn.close()
        raise StoreError(msg("store.not_a_database", path=path, detail=exc)) from exc
    except BaseException:
        conn.close()
        raise


def _in_transaction(conn: sqlite3.Connection) -> bool:
    return conn.in_transaction


def transaction(conn: sqlite3.Connection) -> _Transaction:
    """Run the block atomically: commit on success, roll back on any exception.

    The outermost level is ``BEGIN IMMEDIATE`` (takes the write lock up front, so two
    writers never deadlock on a lock upgrade); inner levels are savepoints, so a nested
    failure undoes only its own part when the caller catches it.
    """
    return _Transaction(conn)


# One name for every level: RELEASE and ROLLBACK TO act on the most recent savepoint of that
# name, which strict nesting makes this level's own; and the same three statements are
# prepared once (a numbered name was compiled anew for every level, per row).
_BEGIN_SAVEPOINT = f"SAVEPOINT {_SAVEPOINT}"
_RELEASE = f"RELEASE {_SAVEPOINT}"
_ROLLBACK_TO = f"ROLLBACK TO {_SAVEPOINT}"


class _Transaction:
    """``transaction`` as a plain context manager: a run enters several per target, and a
    generator-based one cost a generator, a wrapper object and four extra calls each time."""

    __slots__ = ("conn", "outer")

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        self.outer = False

    def __enter__(self) -> sqlite3.Connection:
        conn = self.conn
        self.outer = not conn.in_transaction
        conn.execute("BEGIN IMMEDIATE" if self.outer else _BEGIN_SAVEPOINT)
        return conn

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        conn = self.conn
        if exc_type is None:
            conn.execute("COMMIT" if self.outer else _RELEASE)
        elif _in_transaction(conn):  # a failed COMMIT/BEGIN may have ended it
            if self.outer:
                conn.execute("ROLLBACK")
            else:
                conn.execute(_ROLLBACK_TO)
                conn.execute(_RELEASE)


def joined(conn: sqlite3.Connection) -> _Joined:
    """Writes that need no savepoint of their own: a transaction of their own when none is
    open; inside one, nothing more, because either
    - they are one statement, which SQLite applies or undoes whole by itself (a failed one
      leaves the caller's transaction going on), or
    - their failure always ends the caller's transaction (nothing between them and the
      caller's ``transaction`` catches it), whose rollback undoes them whole.
    A run writes this way per target (a decision, a budget, a deferred decision inside a
    block's write-ahead commit, a lookup's identity inside its batch's commit): a savepoint
    there cost two more statements each."""
    return _Joined(conn)


class _Joined:
    __slots__ = ("conn", "own")

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        self.own: _Transaction | None = None

    def __enter__(self) -> sqlite3.Connection:
        if not self.conn.in_transaction:
            self.own = _Transaction(self.conn)
            return self.own.__enter__()
        return self.conn

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self.own is not None:
            self.own.__exit__(exc_type, exc, tb)


# --- migrations ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Migration:
    """One named schema step. ``statements`` run in order inside one transaction."""

    version: int
    name: str
    statements: Sequence[str] = ()
    apply: Callable[[sqlite3.Connection], None] | None = None


_MIGRATIONS_TABLE = """
CREATE TABLE IF NOT EXISTS schema_migrations(
  version INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  applied_at TEXT NOT NULL
)"""


def applied_versions(conn: sqlite3.Connection) -> dict[int, str]:
    """Versions recorded in ``schema_migrations`` (empty when the table does not exist)."""
    exists = conn.execute(
        "SELECT 1 FROM sqlite_master WHERE type='table' AND name='schema_migrations'"
    ).fetchone()
    if not exists:
        return {}
    return {int(v): str(n) for v, n in conn.execute("SELECT version, name FROM schema_migrations")}


def migrate(
    conn: sqlite3.Connection,
    migrations: Sequence[Migration],
    *,
    path: Path | str = "database",
    legacy_tables: Sequence[str] = (),
) -> list[str]:
    """Apply the pending migrations in version order, each in its own transaction.

    Returns the names applied (empty when up to date: re-running is a no-op).
    Raises :class:`StoreError` when the file was written by a newer version of this
    tool, or holds one of ``legacy_tables`` without our migrations table (a database
    of another tool that a blind ``CREATE TABLE IF NOT EXISTS`` would misread).
    """
    ordered = sorted(migrations, key=lambda m: m.version)
    known = {m.version for m in ordered}
    try:
        done = applied_versions(conn)
        if not done and legacy_tables:
            names = {
                str(r[0]) for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")
            }
            foreign = sorted(names & set(legacy_tables))
            if foreign:
                raise StoreError(msg("store.foreign_schema", path=path, tables=", ".join(foreign)))
        newer = sorted(set(done) - known)
        if newer:
            raise StoreError(
                msg("store.too_new", path=path, version=max(newer), known=max(known, default=0))
            )
        pending = [m for m in ordered if m.version not in done]
        applied: list[str] = []
        if not pending:
            return applied  # up to date: no write lock taken (a reader may open mid-run)
        with transaction(conn):
            conn.execute(_MIGRATIONS_TABLE)
        for migration in pending:
            with transaction(conn):
                recorded = conn.execute(
                    "SELECT 1 FROM schema_migrations WHERE version = ?", (migration.version,)
                ).fetchone()
                if recorded:  # another process applied it while we waited for the lock
                    continue
                for statement in migration.statements:
                    conn.execute(statement)
                if migration.apply is not None:
                    migration.apply(conn)
                conn.execute(
                    "INSERT INTO schema_migrations(version, name, applied_at) VALUES (?, ?, ?)",
                    (migration.version, migration.name, utc_now_iso()),
                )
            applied.append(migration.name)
        return applied
    except sqlite3.DatabaseError as exc:
        raise StoreError(msg("store.not_a_database", path=path, detail=exc)) from exc


def open_database(
    path: Path | str, migrations: Sequence[Migration], *, legacy_tables: Sequence[str] = ()
) -> sqlite3.Connection:
    """connect + migrate; closes the connection again if migrating fails."""
    conn = connect(path)
    try:
        migrate(conn, migrations, path=path, legacy_tables=legacy_tables)
    except BaseException:
        conn.close()
        raise
    return conn
