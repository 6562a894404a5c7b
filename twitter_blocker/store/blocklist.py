"""The ledger side of ``blocks sync`` and ``blocks export``: which rows X's block list maps to,
adopting a block made elsewhere, marking a block X no longer shows, and every block held now.

Nothing here commits: ``engine.blocklist.sync`` runs these inside its one transaction.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from ..inputs.normalize import id_key
from .actions import UNBLOCKED_ELSEWHERE
from .models import Reason


@dataclass(frozen=True, slots=True)
class Exported:
    """One blocked account for ``blocks export``: when, which run and why (None from X)."""

    user_id: str
    screen_name: str | None
    blocked_at: str | None
    run_id: int | None
    reason: str | None
    source: str | None


@dataclass(frozen=True, slots=True)
class LedgerBlock:
    """A ledger row held as blocked now, with its user id."""

    history_id: int
    user_id: str


def row_of_user(conn: sqlite3.Connection, user_id: str) -> int | None:
    """The id of the ledger row of ``user_id``."""
    found = conn.execute("SELECT id FROM block_history WHERE user_id = ?", (user_id,)).fetchone()
    return int(found[0]) if found is not None else None


def unresolved_row_of_handle(conn: sqlite3.Connection, screen_name: str) -> int | None:
    """The id of a row listed by handle whose user id is not known yet."""
    found = conn.execute(
        "SELECT id FROM block_history WHERE user_id IS NULL AND screen_name = ? COLLATE NOCASE",
        (screen_name,),
    ).fetchone()
    return int(found[0]) if found is not None else None


def adopt(conn: sqlite3.Connection, user_id: str, screen_name: str | None) -> int:
    """A block made elsewhere, new to the ledger: a ``blocked`` row (reason
    ``already_blocked``) and its id key; returns the row id. The caller's transaction."""
    conn.execute(
        "INSERT INTO block_history(user_id, screen_name, status, user_status, reason,"
        " created_at, updated_at, checked_at, blocked_at)"
        " VALUES (?, ?, 'blocked', 'active', ?, strftime('%Y-%m-%dT%H:%M:%fZ'),"
        " strftime('%Y-%m-%dT%H:%M:%fZ'), strftime('%Y-%m-%dT%H:%M:%fZ'),"
        " strftime('%Y-%m-%dT%H:%M:%fZ'))",
        (user_id, screen_name, str(Reason.ALREADY_BLOCKED)),
    )
    history_id = int(
        conn.execute("SELECT id FROM block_history WHERE user_id = ?", (user_id,)).fetchone()[0]
    )
    conn.execute(
        "INSERT OR IGNORE INTO target_keys(key, history_id) VALUES (?, ?)",
        (id_key(user_id), history_id),
    )
    return history_id


def blocked_now(conn: sqlite3.Connection) -> list[LedgerBlock]:
    """Every row held as blocked now that has a user id."""
    rows = conn.execute(
        "SELECT id, user_id FROM block_history WHERE status = 'blocked' AND user_id IS NOT NULL"
    ).fetchall()
    return [LedgerBlock(int(h), str(u)) for h, u in rows]


def mark_unblocked_elsewhere(conn: sqlite3.Connection, history_id: int) -> None:
    """X no longer shows this block: the row leaves ``blocked`` (``skipped``, reason
    ``unblocked_elsewhere``); nothing is deleted. The caller's transaction."""
    conn.execute(
        "UPDATE block_history SET status = 'skipped', reason = ?,"
        " updated_at = strftime('%Y-%m-%dT%H:%M:%fZ') WHERE id = ?",
        (UNBLOCKED_ELSEWHERE, history_id),
    )


def ledger_blocks(conn: sqlite3.Connection) -> list[Exported]:
    """Every account the ledger holds as blocked now, with when, which run and why."""
    rows = conn.execute(
        "SELECT b.user_id, b.screen_name, b.blocked_at, b.reason,"
        " (SELECT a.run_id FROM actions a WHERE a.history_id = b.id AND a.action = 'block'"
        "   AND a.state = 'done' ORDER BY a.id DESC LIMIT 1),"
        " coalesce((SELECT a.source FROM actions a WHERE a.history_id = b.id"
        "   AND a.action = 'block' AND a.source IS NOT NULL ORDER BY a.id DESC LIMIT 1),"
        "  (SELECT min(s.source) FROM row_sources s WHERE s.history_id = b.id))"
        " FROM block_history b WHERE b.status = 'blocked' AND b.user_id IS NOT NULL"
        " ORDER BY b.blocked_at, b.id"
    ).fetchall()
    return [
        Exported(
            str(r[0]),
            r[1],
            r[2],
            int(r[4]) if r[4] is not None else None,
            r[3],
            r[5],
        )
        for r in rows
    ]
