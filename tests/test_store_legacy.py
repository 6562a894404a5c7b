"""store.legacy: a block_history.db of the earlier tool is adopted, not misread."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from twitter_blocker.store.history import History
from twitter_blocker.store.models import Status

# The earlier tool's schema (docs/SCHEMA.md, its adoption), as it created it.
LEGACY_SCHEMA = """
CREATE TABLE block_history (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    screen_name TEXT NOT NULL,
    user_id TEXT,
    display_name TEXT,
    blocked_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP,
    status TEXT DEFAULT 'blocked',
    response_code INTEGER,
    error_message TEXT,
    retry_count INTEGER DEFAULT 0,
    last_retry_at TIMESTAMP,
    user_status TEXT,
    UNIQUE(user_id)
);
CREATE TABLE process_log (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    session_start TIMESTAMP DEFAULT CURRENT_TIMESTAMP,
    total_targets INTEGER, processed INTEGER, blocked INTEGER, skipped INTEGER,
    errors INTEGER, completed BOOLEAN DEFAULT FALSE
);
"""

ROWS = [
    # screen_name, user_id, status, response_code, error_message, user_status
    ("alice", "1", "blocked", 200, None, "active"),
    ("bob", "2", "blocked", 200, "既にブロック済み", "active"),
    ("carol", "3", "failed", 0, "User suspended", "suspended"),
    ("dave", "4", "failed", 0, "フォロー関係あり", "active"),
    ("erin", "5", "failed", 503, "Unknown error", "active"),
    ("gone", None, "failed", 404, "ユーザー情報取得失敗", None),
    ("gone", None, "failed", 404, "ユーザー情報取得失敗", None),  # appended again next run
    ("Gone", None, "failed", 404, "ユーザー情報取得失敗", None),
    ("ALICE", None, "failed", 404, "ユーザー情報取得失敗", None),  # same handle as user 1
    ("frank", "6", "failed", 0, "User deactivated", "deactivated"),
]


def make_legacy(path: Path) -> None:
    conn = sqlite3.connect(path)
    conn.executescript(LEGACY_SCHEMA)
    conn.executemany(
        "INSERT INTO block_history(screen_name, user_id, status, response_code, error_message,"
        " user_status, blocked_at) VALUES (?, ?, ?, ?, ?, ?, '2025-06-20 10:00:00')",
        ROWS,
    )
    conn.execute("INSERT INTO process_log(total_targets, processed) VALUES (10, 10)")
    conn.commit()
    conn.close()


def test_a_database_of_the_earlier_tool_is_adopted(tmp_path: Path) -> None:
    path = tmp_path / "block_history.db"
    make_legacy(path)
    with History.open(path) as h:
        db = h.conn
        tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        assert {"legacy_block_history", "legacy_process_log", "target_keys"} <= tables
        assert db.execute("SELECT count(*) FROM legacy_block_history").fetchone()[0] == len(ROWS)
        by_status = dict(db.execute("SELECT status, COUNT(*) FROM block_history GROUP BY status"))
        assert by_status == {"blocked": 2, "failed": 2, "pending": 3}
        assert db.execute(
            "SELECT user_id, screen_name, COUNT(*) as count FROM block_history"
            " GROUP BY user_id, screen_name HAVING count > 1"
        ).fetchall() == []  # fmt: skip
        bob = h.find("id:2")
        assert bob is not None and (bob.status, bob.reason) == (Status.BLOCKED, "already_blocked")
        alice = h.find("sn:alice")
        assert alice is not None and alice.user_id == "1" and alice.status is Status.BLOCKED
        carol = h.find("sn:carol")
        assert carol is not None
        assert (carol.status, carol.user_status, carol.reason) == (
            Status.FAILED,
            "suspended",
            "suspended",
        )
        frank = h.find("id:6")
        assert frank is not None and frank.user_status == "deactivated"
        # follow-skipped and errored rows are decided again on fresh data
        assert {str(r.screen_name).lower() for r in h.rows_to_process(10)} == {
            "dave",
            "erin",
            "gone",
        }
        assert h.stats().permanent_failures == 2
        blocked_at = db.execute("SELECT blocked_at FROM block_history WHERE user_id='1'")
        assert blocked_at.fetchone()[0] == "2025-06-20T10:00:00.000Z"
    with History.open(path) as h:  # opening again changes nothing
        assert sum(h.counts().values()) == 7
        assert h.import_targets([]).new == 0


def test_a_database_of_another_program_is_refused_without_a_write(tmp_path: Path) -> None:
    """Whoever opens it (not only the CLI, which examines it first): no WAL, no table."""
    import pytest

    from twitter_blocker.errors import StoreError

    for sql in (
        "CREATE TABLE moz_cookies(id INTEGER PRIMARY KEY, name TEXT, value TEXT)",
        "CREATE TABLE block_history(foo, bar)",
    ):
        db = tmp_path / f"other{len(list(tmp_path.iterdir()))}.sqlite"
        conn = sqlite3.connect(db)
        conn.execute(sql)
        conn.commit()
        conn.close()
        before = db.read_bytes()
        with pytest.raises(StoreError, match="another tool"):
            History.open(db)
        assert db.read_bytes() == before
        assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(db.name)) == [db.name]
