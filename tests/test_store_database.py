"""database.DatabaseManager: the runbook's one-liner and the read helpers."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from twitter_blocker.database import DatabaseManager
from twitter_blocker.inputs.targets import Target
from twitter_blocker.store.history import History
from twitter_blocker.store.models import Status

RUNBOOK_SNIPPET = """
from twitter_blocker.database import DatabaseManager
db = DatabaseManager('block_history.db')
db.init_database()
print('✅ 最小限データベース作成完了')
"""


def test_the_runbooks_one_liner_creates_a_minimal_database(tmp_path: Path) -> None:
    root = Path(__file__).resolve().parents[1]
    env = dict(os.environ, PYTHONPATH=str(root))
    for _ in range(2):  # and running it again changes nothing
        out = subprocess.run(
            [sys.executable, "-c", RUNBOOK_SNIPPET],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
        assert "作成完了" in out.stdout
    with History.open(tmp_path / "block_history.db") as h:
        assert h.conn.execute("SELECT COUNT(*) FROM block_history").fetchone()[0] == 0
        versions = [v for (v,) in h.conn.execute("SELECT version FROM schema_migrations")]
        assert versions == [1, 2, 3, 4]


def test_read_helpers(tmp_path: Path) -> None:
    path = tmp_path / "block_history.db"
    with History.open(path) as h:
        h.import_targets(
            [
                Target("id:1", "1", None, 1),
                Target("sn:alice", None, "Alice", 2),
                Target("id:3", "3", None, 3),
            ]
        )
        h.resolve_identity(2, "2", "Alice")
        h.record_final(2, Status.BLOCKED, "active", "blocked")
        h.record_final(3, Status.FAILED, "suspended", "suspended")
    with DatabaseManager(path) as db:
        assert repr(db) == f"DatabaseManager({str(path)!r})"
        assert db.count_by_status() == {"pending": 1, "blocked": 1, "skipped": 0, "failed": 1}
        assert db.get_blocked_count() == 1
        assert db.get_permanent_failures_count() == 1
        assert db.get_stats().total == 3
        assert db.is_already_blocked("@alice") and db.is_already_blocked("2")
        assert not db.is_already_blocked("1") and not db.is_already_blocked("nobody")
        found = db.find_user("ALICE")
        assert found is not None and found.user_id == "2"
        assert db.last_run_state() is None


def test_default_path_follows_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TWITTER_BLOCK_DB", str(tmp_path / "elsewhere.db"))
    db = DatabaseManager()
    db.init_database()
    db.close()
    assert (tmp_path / "elsewhere.db").exists()
