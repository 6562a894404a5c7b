"""S4's setup: a ``block_history.db`` whose every target is already in its final state.

The list is imported through ``store.History.import_targets`` (so keys and rows are exactly
what a run creates); the final states from ``truth.json`` (the DESIGN.md mapping, as
``twitter_blocker.verify`` reads it) are then written in one set-based transaction, which
takes a second instead of the minutes a run against a 15-minute window would.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from twitter_blocker.verify import EXPECTED_RECORD


def seed_final_db(db_path: Path, users_file: Path, truth: Mapping[str, Any]) -> int:
    """Import ``users_file`` into a fresh db and mark every row final; returns the row count."""
    from twitter_blocker.inputs.targets import load_targets
    from twitter_blocker.store.history import History

    history = History.open(db_path)
    history.import_targets(load_targets(users_file).targets)
    close = getattr(history, "close", None)
    if callable(close):
        close()

    by_key = {"sn:" + str(t["identifier"]).lstrip("@").lower(): t for t in truth["targets"]}
    now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
    conn = sqlite3.connect(db_path)
    try:
        rows = conn.execute(
            "SELECT k.key, h.id FROM target_keys k JOIN block_history h ON h.id = k.history_id"
        ).fetchall()
        updates: list[tuple[Any, ...]] = []
        used_ids: set[str] = set()
        for key, row_id in rows:
            target = by_key.get(key)
            if target is None:
                continue
            status, user_statuses, reason = EXPECTED_RECORD[str(target["expected"])]
            user_status = "not_found" if "not_found" in user_statuses else min(user_statuses)
            user_id = target.get("user_id") if status != "failed" else None
            if user_id is not None and str(user_id) in used_ids:
                user_id = None
            if user_id is not None:
                used_ids.add(str(user_id))
            blocked_at = now if status == "blocked" else None
            updates.append((user_id, status, user_status, reason, now, now, blocked_at, row_id))
        with conn:
            conn.executemany(
                "UPDATE block_history SET user_id = ?, status = ?, user_status = ?, reason = ?, "
                "updated_at = ?, checked_at = ?, blocked_at = ? WHERE id = ?",
                updates,
            )
        return len(updates)
    finally:
        conn.close()
