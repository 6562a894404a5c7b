"""Set-based import of a target list into the ledger (temp tables, no per-target queries)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from typing import Protocol

from .db import transaction, utc_now_iso
from .models import ImportStats

IMPORT_CACHE_KIB = 64 * 1024  # page cache while importing (SQLite default: 2 MiB)


class TargetLike(Protocol):
    """What :func:`import_targets` reads; ``inputs.targets.Target`` fits."""

    @property
    def key(self) -> str: ...
    @property
    def user_id(self) -> str | None: ...
    @property
    def screen_name(self) -> str | None: ...


def import_targets(conn: sqlite3.Connection, targets: Iterable[TargetLike]) -> ImportStats:
    """Add every target without a row; one transaction, a fixed handful of statements.

    A target is known when its key (or, for an id target, its user id) already leads
    to a row. New rows are numbered in list order. Re-importing inserts nothing.
    """
    now = utc_now_iso()
    cache_size = conn.execute("PRAGMA cache_size").fetchone()[0]
    # A big page cache while the indexes of a large list are built, then back to normal.
    conn.execute(f"PRAGMA cache_size = -{IMPORT_CACHE_KIB}")
    try:
        with transaction(conn):
            new, total = _import(conn, targets, now)
    finally:
        conn.execute(f"PRAGMA cache_size = {int(cache_size)}")
    return ImportStats(new=new, known=total - new)


def _import(conn: sqlite3.Connection, targets: Iterable[TargetLike], now: str) -> tuple[int, int]:
    conn.execute("DROP TABLE IF EXISTS temp.import_targets")
    conn.execute("DROP TABLE IF EXISTS temp.import_new")
    # Loaded without indexes (fast appends), indexed once afterwards.
    conn.execute(
        "CREATE TEMP TABLE import_targets("
        " ord INTEGER PRIMARY KEY, key TEXT NOT NULL, user_id TEXT, screen_name TEXT)"
    )
    conn.executemany(
        "INSERT INTO temp.import_targets(key, user_id, screen_name) VALUES (?, ?, ?)",
        ((t.key, t.user_id, t.screen_name) for t in targets),
    )
    conn.execute("CREATE INDEX temp.import_targets_key ON import_targets(key, ord)")
    conn.execute(
        "CREATE INDEX temp.import_targets_user ON import_targets(user_id, ord)"
        " WHERE user_id IS NOT NULL"
    )
    total = int(conn.execute("SELECT count(DISTINCT key) FROM temp.import_targets").fetchone()[0])
    # Id targets whose user already has a row under another key: give it this key.
    attach_by_id = (
        "INSERT OR IGNORE INTO target_keys(key, history_id)"
        " SELECT i.key, b.id FROM temp.import_targets i"
        " JOIN block_history b ON b.user_id = i.user_id"
        " WHERE i.user_id IS NOT NULL"
    )
    conn.execute(attach_by_id)
    # The first target of each new key and user gets a row; n numbers them in list order.
    conn.execute("CREATE TEMP TABLE import_new(n INTEGER PRIMARY KEY, ord INTEGER)")
    new = int(
        conn.execute(
            "INSERT INTO temp.import_new(n, ord) SELECT NULL, i.ord FROM temp.import_targets i"
            " WHERE NOT EXISTS (SELECT 1 FROM target_keys k WHERE k.key = i.key)"
            "   AND NOT EXISTS (SELECT 1 FROM temp.import_targets j"
            "        WHERE j.key = i.key AND j.ord < i.ord)"
            "   AND (i.user_id IS NULL OR NOT EXISTS (SELECT 1 FROM temp.import_targets j"
            "        WHERE j.user_id = i.user_id AND j.ord < i.ord))"
            " ORDER BY i.ord"
        ).rowcount
    )
    base = conn.execute("SELECT coalesce(max(id), 0) FROM block_history").fetchone()[0]
    conn.execute(
        "INSERT INTO block_history(id, user_id, screen_name, created_at, updated_at)"
        " SELECT ? + w.n, i.user_id, i.screen_name, ?, ? FROM temp.import_new w"
        " JOIN temp.import_targets i ON i.ord = w.ord ORDER BY w.n",
        (base, now, now),
    )
    # In key order: the key index grows at its end instead of everywhere at once.
    conn.execute(
        "INSERT INTO target_keys(key, history_id) SELECT i.key, ? + w.n"
        " FROM temp.import_new w JOIN temp.import_targets i ON i.ord = w.ord ORDER BY i.key",
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
    conn.execute("DROP TABLE temp.import_targets")
    conn.execute("DROP TABLE temp.import_new")
    return new, total
