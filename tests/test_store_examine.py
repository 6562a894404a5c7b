"""``store.examine``: a database is judged read-only, writing nothing (the refusals of damaged
and foreign files through the CLI are in tests/test_cli_databases.py)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from twitter_blocker.errors import InputError
from twitter_blocker.inputs.targets import Target
from twitter_blocker.store.examine import examine_database
from twitter_blocker.store.history import History


def _ours(path: Path, targets: int) -> Path:
    with History.open(path) as history:
        history.import_targets([Target(f"sn:u{i}", None, f"u{i}", i) for i in range(targets)])
    return path


def test_a_sound_wal_database_is_read_without_a_wal_or_shm_file(tmp_path: Path) -> None:
    db = _ours(tmp_path / "block_history.db", 20)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["block_history.db"]
    before = db.read_bytes()
    examine_database(db)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["block_history.db"]
    assert db.read_bytes() == before


def test_absent_and_empty_files_pass_and_a_directory_is_bad_input(tmp_path: Path) -> None:
    examine_database(tmp_path / "new.db")
    (tmp_path / "empty.db").write_bytes(b"")
    examine_database(tmp_path / "empty.db")
    (tmp_path / "dir.db").mkdir()
    with pytest.raises(InputError, match="directory"):
        examine_database(tmp_path / "dir.db")


def test_the_earlier_tools_database_and_a_table_less_one_pass(tmp_path: Path) -> None:
    old = tmp_path / "old.db"
    conn = sqlite3.connect(old)
    conn.execute(
        "CREATE TABLE block_history(id INTEGER PRIMARY KEY, user_id TEXT,"
        " screen_name TEXT NOT NULL, display_name TEXT, blocked_at TIMESTAMP, status TEXT,"
        " error_message TEXT,"
        " user_status TEXT, retry_count INTEGER, last_retry_at TIMESTAMP, response_code INTEGER)"
    )
    conn.commit()
    conn.close()
    examine_database(old)
    bare = tmp_path / "bare.db"
    sqlite3.connect(bare).execute("VACUUM").connection.close()
    examine_database(bare)
