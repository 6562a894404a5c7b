"""Adopt a ``block_history.db`` written by the earlier tool (docs/SCHEMA.md, its adoption).

Its ``block_history`` (``screen_name NOT NULL``, ``status`` blocked|failed, duplicate
rows for handles without an id) and ``process_log`` are renamed to
``legacy_block_history``/``legacy_process_log`` (kept, never deleted), the current
schema is created, and one row per user is carried over, all in one transaction:

- ``blocked`` stays blocked (``already_blocked`` when the old row said so);
- ``failed`` with user_status suspended/not_found/deactivated stays a permanent failure;
- everything else becomes ``pending``: the old tool's follow checks trusted a 30-day
  cache and its error rows were unreliable, so this tool decides them again on fresh data.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Sequence

from .db import Migration, migrate, transaction, utc_now_iso
from .models import PERMANENT_USER_STATUSES

log = logging.getLogger("twitter_blocker.store")

# The old block_history had these; ours has target_keys beside it and schema_migrations.
_LEGACY_COLUMNS = {"screen_name", "user_id", "status", "error_message"}

_PERMANENT = "(" + ", ".join(f"'{s}'" for s in PERMANENT_USER_STATUSES) + ")"
_FAILED_FOR_GOOD = f"(l.status = 'failed' AND lower(l.user_status) IN {_PERMANENT})"
_SELECT_MAPPED = f"""
  SELECT CASE WHEN l.user_id IS NULL OR trim(l.user_id) = '' THEN NULL ELSE trim(l.user_id) END,
         trim(l.screen_name),
         CASE WHEN l.status = 'blocked' THEN 'blocked'
              WHEN {_FAILED_FOR_GOOD} THEN 'failed' ELSE 'pending' END,
         CASE WHEN l.status = 'blocked' THEN 'active'
              WHEN {_FAILED_FOR_GOOD} THEN lower(l.user_status) END,
         CASE WHEN l.status = 'blocked' AND l.error_message LIKE '%既にブロック済み%'
                THEN 'already_blocked'
              WHEN l.status = 'blocked' THEN 'blocked'
              WHEN {_FAILED_FOR_GOOD} AND lower(l.user_status) = 'suspended' THEN 'suspended'
              WHEN {_FAILED_FOR_GOOD} THEN 'not_found' END,
         :now, :now,
         CASE WHEN l.status = 'blocked' OR {_FAILED_FOR_GOOD}
              THEN strftime('%Y-%m-%dT%H:%M:%fZ', l.blocked_at) END,
         CASE WHEN l.status = 'blocked' THEN strftime('%Y-%m-%dT%H:%M:%fZ', l.blocked_at) END
"""
_INSERT = (
    "INSERT INTO block_history(user_id, screen_name, status, user_status, reason,"
    " created_at, updated_at, checked_at, blocked_at)"
)


def _tables(conn: sqlite3.Connection) -> set[str]:
    return {str(r[0]) for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}


def is_legacy(conn: sqlite3.Connection) -> bool:
    """True for a database of the earlier tool that this tool has never opened."""
    tables = _tables(conn)
    if "block_history" not in tables or "schema_migrations" in tables:
        return False
    columns = {str(r[1]) for r in conn.execute("PRAGMA table_info(block_history)")}
    return columns >= _LEGACY_COLUMNS and "target_keys" not in tables


def adopt(conn: sqlite3.Connection, migrations: Sequence[Migration]) -> int:
    """Keep the old tables under ``legacy_*`` names, create the schema, carry one row per
    user over. One transaction; returns the number of rows carried over."""
    now = utc_now_iso()
    with transaction(conn):
        conn.execute("ALTER TABLE block_history RENAME TO legacy_block_history")
        if "process_log" in _tables(conn):
            conn.execute("ALTER TABLE process_log RENAME TO legacy_process_log")
        migrate(conn, migrations)
        # Users with an id: their best row (blocked first, then the newest).
        conn.execute(
            f"""{_INSERT}{_SELECT_MAPPED}
                FROM (SELECT *, row_number() OVER (PARTITION BY trim(user_id)
                        ORDER BY status = 'blocked' DESC, id DESC) AS rn
                      FROM legacy_block_history
                      WHERE user_id IS NOT NULL AND trim(user_id) != '') AS l
                WHERE l.rn = 1 ORDER BY l.id""",
            {"now": now},
        )
        conn.execute(
            "INSERT OR IGNORE INTO target_keys(key, history_id)"
            " SELECT 'id:' || user_id, id FROM block_history WHERE user_id IS NOT NULL"
        )
        conn.execute(
            "INSERT OR IGNORE INTO target_keys(key, history_id)"
            " SELECT 'sn:' || lower(screen_name), id FROM block_history"
            " WHERE screen_name IS NOT NULL AND screen_name != user_id ORDER BY id"
        )
        # Handles never resolved to an id (the old tool appended one per run): one row each,
        # unless a user above already answers to that handle.
        conn.execute(
            f"""{_INSERT}{_SELECT_MAPPED}
                FROM (SELECT *, row_number() OVER (PARTITION BY lower(trim(screen_name))
                        ORDER BY status = 'blocked' DESC, id DESC) AS rn
                      FROM legacy_block_history
                      WHERE (user_id IS NULL OR trim(user_id) = '')
                        AND screen_name IS NOT NULL AND trim(screen_name) != '') AS l
                WHERE l.rn = 1 AND NOT EXISTS (SELECT 1 FROM target_keys k
                        WHERE k.key = 'sn:' || lower(trim(l.screen_name)))
                ORDER BY l.id""",
            {"now": now},
        )
        conn.execute(
            "INSERT OR IGNORE INTO target_keys(key, history_id)"
            " SELECT 'sn:' || lower(trim(screen_name)), id FROM block_history"
            " WHERE user_id IS NULL"
        )
        carried = int(conn.execute("SELECT count(*) FROM block_history").fetchone()[0])
    log.warning(
        "adopted %d targets from the earlier tool's block_history (kept as legacy_block_history)",
        carried,
    )
    return carried
