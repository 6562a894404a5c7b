"""The ledger's read model: typed rows, and a tolerant mode that never raises."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from twitter_blocker.store import readmodel
from twitter_blocker.store.history import History
from twitter_blocker.store.models import RunInfo


def test_a_missing_file_is_no_connection_and_creates_nothing(tmp_path: Path) -> None:
    db = tmp_path / "block_history.db"
    with readmodel.open_readonly(db) as conn:
        assert conn is None
    assert not db.exists()


def test_a_damaged_file_gives_empty_answers_and_says_what_it_could_not_read(
    tmp_path: Path,
) -> None:
    db = tmp_path / "block_history.db"
    db.write_bytes(b"this is not a database" * 100)
    with readmodel.open_readonly(db) as conn:
        assert conn is not None
        assert readmodel.last_runs(conn) == []
        assert readmodel.status_counts(conn) == {}
        assert readmodel.last_attempt(conn) is None
        assert len(conn.unread) == 3
        assert all("DatabaseError" in line for line in conn.unread)


def test_a_database_without_the_ledger_tables_is_read_as_empty(tmp_path: Path) -> None:
    db = tmp_path / "block_history.db"
    sqlite3.connect(db).execute("CREATE TABLE other(x)").connection.close()
    with readmodel.open_readonly(db) as conn:
        assert conn is not None
        assert readmodel.last_run_where(conn, running=True) is None
        assert readmodel.decisions_by_key(conn) == {}
        assert conn.unread == [
            "process_log: OperationalError: no such table: process_log",
            "target_keys: OperationalError: no such table: target_keys",
        ]


def test_a_healthy_ledger_reads_as_the_store_types(tmp_path: Path) -> None:
    db = tmp_path / "block_history.db"
    history = History.open(db)
    try:
        run_id = history.start_run("run", 3)
    finally:
        history.close()
    with readmodel.open_readonly(db) as conn:
        assert conn is not None
        (run,) = readmodel.last_runs(conn)
        assert isinstance(run, RunInfo)
        assert (run.id, run.pid, run.status, run.state) == (
            run_id,
            os.getpid(),
            "running",
            "running",
        )
        assert readmodel.last_run_where(conn, running=True) == run
        assert readmodel.last_run_where(conn, running=False) is None
        assert conn.unread == []
