"""The cache file itself: schema, opening, and replacing a damaged file.

A damaged cache never stops a run: the file (with its -wal/-shm) is moved to
``cache.db.corrupt-<UTC time>`` and an empty cache is created in its place; if even
that fails (read-only directory, full disk), the run caches in memory.
"""

from __future__ import annotations

import logging
import sqlite3
from pathlib import Path

from ..errors import StoreError
from ..messages import msg
from ..timefmt import utc_stamp
from .db import Migration, connect, migrate

log = logging.getLogger("twitter_blocker.store.cache")

CACHE_MIGRATIONS: tuple[Migration, ...] = (
    Migration(
        1,
        "0001_cache_layers",
        (
            """CREATE TABLE handles(
  handle TEXT PRIMARY KEY,
  user_id TEXT NOT NULL,
  fetched_epoch REAL NOT NULL
) WITHOUT ROWID""",
            """CREATE TABLE profiles(
  user_id TEXT PRIMARY KEY,
  state TEXT NOT NULL,
  screen_name TEXT,
  name TEXT,
  protected INTEGER NOT NULL DEFAULT 0,
  fetched_epoch REAL NOT NULL
) WITHOUT ROWID""",
            """CREATE TABLE relationships(
  viewer TEXT NOT NULL,
  user_id TEXT NOT NULL,
  following INTEGER NOT NULL,
  followed_by INTEGER NOT NULL,
  blocking INTEGER NOT NULL,
  fetched_epoch REAL NOT NULL,
  PRIMARY KEY(viewer, user_id)
) WITHOUT ROWID""",
            # purge_expired deletes by age.
            "CREATE INDEX idx_handles_age ON handles(fetched_epoch)",
            "CREATE INDEX idx_profiles_age ON profiles(fetched_epoch)",
            "CREATE INDEX idx_relationships_age ON relationships(fetched_epoch)",
        ),
    ),
    Migration(
        2,
        "0002_endpoints",
        (
            # The GraphQL contract in use per account and operation (store/endpoint_cache.py).
            """CREATE TABLE endpoints(
  account TEXT NOT NULL,
  operation TEXT NOT NULL,
  query_id TEXT NOT NULL,
  method TEXT NOT NULL,
  features TEXT NOT NULL,
  source TEXT NOT NULL,
  build TEXT,
  discovered_epoch REAL,
  last_ok INTEGER,
  last_call_epoch REAL,
  PRIMARY KEY(account, operation)
) WITHOUT ROWID""",
        ),
    ),
)

# SQLite primary result codes that mean the file itself is damaged.
_SQLITE_CORRUPT = 11
_SQLITE_NOTADB = 26


# SQLite primary result codes that mean the file itself is damaged.
_SQLITE_CORRUPT = 11
_SQLITE_NOTADB = 26


def is_corruption(exc: BaseException) -> bool:
    """True for "database disk image is malformed" / "file is not a database"."""
    code = getattr(exc, "sqlite_errorcode", None)
    if isinstance(code, int):
        return (code & 0xFF) in (_SQLITE_CORRUPT, _SQLITE_NOTADB)
    text = str(exc).lower()
    return "malformed" in text or "not a database" in text


def open_cache_file(path: Path) -> tuple[sqlite3.Connection, str | None]:
    """Open (creating) the cache; a file that cannot be used is replaced (with a warning)."""
    try:
        conn = connect(path)
    except StoreError as exc:
        return replace_damaged(path, exc)
    try:
        migrate(conn, CACHE_MIGRATIONS, path=path)
    except StoreError as exc:
        conn.close()
        return replace_damaged(path, exc)
    return conn, None


def replace_damaged(path: Path, exc: BaseException) -> tuple[sqlite3.Connection, str]:
    """Move the damaged file aside, start an empty cache; returns it and the warning."""
    moved = path.with_name(f"{path.name}.corrupt-{utc_stamp()}")
    for suffix in ("", "-wal", "-shm"):
        src = Path(f"{path}{suffix}")
        if src.exists():
            try:
                src.replace(Path(f"{moved}{suffix}"))
            except OSError:
                src.unlink(missing_ok=True)
    cause = exc.__cause__ or exc
    warning = msg("cache.corrupt", path=path, detail=cause, moved=moved.name)
    log.warning("%s", warning)
    try:
        conn = connect(path)
        migrate(conn, CACHE_MIGRATIONS, path=path)
        return conn, warning
    except (StoreError, OSError) as again:  # no usable file at all: keep going in memory
        log.warning("cache %s unusable (%s); caching in memory for this run", path, again)
        conn = sqlite3.connect(":memory:", isolation_level=None)
        migrate(conn, CACHE_MIGRATIONS, path=":memory:")
        return conn, warning
