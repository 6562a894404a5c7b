"""Block read-back in the ledger: ``verified_at`` when X was seen keeping a block, and a
block X did not keep going back to the retry queue.

X can answer a write with a success and drop it (X-FACTS.md 9.7 reports it for GraphQL
writes), so a block is verified by reading ``blocking`` back (``engine/readback.py``).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence

from .db import transaction

NOT_KEPT = "block_not_kept"


def mark_verified(conn: sqlite3.Connection, user_ids: Sequence[str], at: str) -> int:
    """Blocked rows of ``user_ids`` get ``verified_at`` = ``at`` (UTC ISO); how many."""
    if not user_ids:
        return 0
    with transaction(conn):
        cur = conn.execute(
            "UPDATE block_history SET verified_at = ?, updated_at = ?"
            " WHERE status = 'blocked' AND user_id IN (SELECT value FROM json_each(?))",
            (at, at, json.dumps(list(user_ids))),
        )
    return cur.rowcount


def requeue_unkept(conn: sqlite3.Connection, user_ids: Sequence[str], now: str) -> int:
    """Blocked rows X did not keep: back to ``failed`` (due now, attempts + 1, reason
    ``block_not_kept``). ``block_sent_at`` stays, so the retry looks the target up uncached
    before it blocks again."""
    if not user_ids:
        return 0
    with transaction(conn):
        cur = conn.execute(
            "UPDATE block_history SET status = 'failed', reason = ?, attempts = attempts + 1,"
            " next_attempt_at = ?, verified_at = NULL, blocked_at = NULL, updated_at = ?,"
            " last_error = ?"
            " WHERE status = 'blocked' AND user_id IN (SELECT value FROM json_each(?))",
            (
                NOT_KEPT,
                now,
                now,
                "X answered the block but did not keep it",
                json.dumps(list(user_ids)),
            ),
        )
    return cur.rowcount
