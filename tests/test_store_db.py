"""store.db: pragmas, transactions with savepoints, migrations, damaged files."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from twitter_blocker.errors import StoreError
from twitter_blocker.store.db import (
    Migration,
    applied_versions,
    connect,
    iso,
    joined,
    migrate,
    open_database,
    parse_iso,
    transaction,
)
from twitter_blocker.store.history import History
from twitter_blocker.store.schema import M001_INITIAL, MIGRATIONS


def _schema(conn: sqlite3.Connection) -> list[tuple[str, str, str]]:
    return sorted(
        (str(t), str(n), str(s))
        for t, n, s in conn.execute(
            "SELECT type, name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'"
        )
    )


def test_connect_sets_the_pragmas(tmp_path: Path) -> None:
    conn = connect(tmp_path / "sub" / "x.db")
    try:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert conn.execute("PRAGMA busy_timeout").fetchone()[0] == 5000
        assert conn.execute("PRAGMA synchronous").fetchone()[0] == 1  # NORMAL
        assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
        assert conn.isolation_level is None
    finally:
        conn.close()


def test_transaction_commits_and_rolls_back(tmp_path: Path) -> None:
    conn = connect(tmp_path / "x.db")
    conn.execute("CREATE TABLE t(v INTEGER)")
    with transaction(conn):
        conn.execute("INSERT INTO t VALUES (1)")
    assert not conn.in_transaction
    with pytest.raises(RuntimeError), transaction(conn):
        conn.execute("INSERT INTO t VALUES (2)")
        raise RuntimeError("boom")
    assert not conn.in_transaction
    assert [r[0] for r in conn.execute("SELECT v FROM t")] == [1]
    conn.close()


def test_nested_transaction_uses_savepoints(tmp_path: Path) -> None:
    conn = connect(tmp_path / "x.db")
    conn.execute("CREATE TABLE t(v INTEGER)")
    with transaction(conn):
        conn.execute("INSERT INTO t VALUES (1)")
        with pytest.raises(ValueError), transaction(conn):
            conn.execute("INSERT INTO t VALUES (2)")
            raise ValueError("inner fails")
        assert conn.in_transaction  # the outer one goes on
        with transaction(conn):
            conn.execute("INSERT INTO t VALUES (3)")
    assert [r[0] for r in conn.execute("SELECT v FROM t ORDER BY v")] == [1, 3]
    # an outer failure undoes the committed-looking inner savepoint too
    with pytest.raises(KeyError), transaction(conn):
        with transaction(conn):
            conn.execute("INSERT INTO t VALUES (4)")
        raise KeyError("outer fails")
    assert [r[0] for r in conn.execute("SELECT v FROM t ORDER BY v")] == [1, 3]
    conn.close()


def test_three_levels_each_undo_only_their_own_part(tmp_path: Path) -> None:
    """Every level's savepoint has the same name: each failure still undoes its own level."""
    conn = connect(tmp_path / "x.db")
    conn.execute("CREATE TABLE t(v INTEGER)")
    with transaction(conn):
        conn.execute("INSERT INTO t VALUES (10)")
        with pytest.raises(ValueError), transaction(conn):
            conn.execute("INSERT INTO t VALUES (11)")
            with transaction(conn):
                conn.execute("INSERT INTO t VALUES (12)")
            with pytest.raises(KeyError), transaction(conn):
                conn.execute("INSERT INTO t VALUES (13)")
                raise KeyError("innermost fails")
            conn.execute("INSERT INTO t VALUES (14)")
            assert [r[0] for r in conn.execute("SELECT v FROM t ORDER BY v")] == [10, 11, 12, 14]
            raise ValueError("middle fails")
        conn.execute("INSERT INTO t VALUES (15)")
    assert [r[0] for r in conn.execute("SELECT v FROM t ORDER BY v")] == [10, 15]
    conn.close()


def _joined_alone(tmp_path: Path, *values: int) -> tuple[sqlite3.Connection, list[str]]:
    """A table, ``values`` written in ``joined`` outside any transaction (checked to commit
    on their own), and the statements sent from then on."""
    conn = connect(tmp_path / "x.db")
    conn.execute("CREATE TABLE t(v INTEGER PRIMARY KEY)")
    sent: list[str] = []
    conn.set_trace_callback(sent.append)
    with joined(conn):
        for value in values:
            conn.execute("INSERT INTO t VALUES (?)", (value,))
    assert not conn.in_transaction and sent[0].startswith("BEGIN") and sent[-1] == "COMMIT"
    sent.clear()
    return conn, sent


def test_a_joined_statement_commits_alone_and_fails_alone_inside_a_transaction(
    tmp_path: Path,
) -> None:
    conn, sent = _joined_alone(tmp_path, 1)
    with transaction(conn):
        conn.execute("INSERT INTO t VALUES (2)")
        with pytest.raises(sqlite3.IntegrityError), joined(conn):
            conn.execute("INSERT INTO t VALUES (2)")  # fails whole, on its own
        with joined(conn):
            conn.execute("INSERT INTO t VALUES (3)")
        assert conn.in_transaction  # the outer one goes on
    assert not any("SAVEPOINT" in s for s in sent)
    assert [r[0] for r in conn.execute("SELECT v FROM t ORDER BY v")] == [1, 2, 3]
    conn.close()


def test_joined_writes_commit_alone_or_join_the_callers_transaction_whole(
    tmp_path: Path,
) -> None:
    conn, sent = _joined_alone(tmp_path, 1, 2)
    with pytest.raises(sqlite3.IntegrityError), transaction(conn):
        conn.execute("INSERT INTO t VALUES (3)")
        with joined(conn):
            conn.execute("INSERT INTO t VALUES (4)")
            conn.execute("INSERT INTO t VALUES (1)")  # fails: the caller's rollback undoes 3, 4
    assert not any("SAVEPOINT" in s for s in sent)
    assert [r[0] for r in conn.execute("SELECT v FROM t ORDER BY v")] == [1, 2]
    conn.close()


def test_a_second_connection_sees_only_committed_rows(tmp_path: Path) -> None:
    a = connect(tmp_path / "x.db")
    b = connect(tmp_path / "x.db")
    a.execute("CREATE TABLE t(v INTEGER)")
    with transaction(a):
        a.execute("INSERT INTO t VALUES (1)")
        assert b.execute("SELECT count(*) FROM t").fetchone()[0] == 0  # WAL: reader not blocked
    assert b.execute("SELECT count(*) FROM t").fetchone()[0] == 1
    a.close()
    b.close()


def test_migrate_from_blank_then_rerun_is_a_noop(tmp_path: Path) -> None:
    conn = connect(tmp_path / "x.db")
    assert migrate(conn, MIGRATIONS) == [
        "0001_initial",
        "0002_indexes",
        "0003_attempt_outcomes",
        "0004_account_meta",
        "0005_block_verified",
        "0007_actions",
    ]
    before = _schema(conn)
    assert migrate(conn, MIGRATIONS) == []
    assert _schema(conn) == before
    assert applied_versions(conn) == {
        1: "0001_initial",
        2: "0002_indexes",
        3: "0003_attempt_outcomes",
        4: "0004_account_meta",
        5: "0005_block_verified",
        7: "0007_actions",
    }
    names = {n for _, n, _ in before}
    for table in ("block_history", "target_keys", "attempts", "process_log"):
        assert table in names
    for table in ("rate_budgets", "pacing_events", "schema_migrations"):
        assert table in names
    assert "idx_block_history_status" in names
    conn.close()


def test_migrate_from_the_oldest_schema_reaches_the_same_schema(tmp_path: Path) -> None:
    old = connect(tmp_path / "old.db")
    assert migrate(old, [M001_INITIAL]) == ["0001_initial"]
    assert migrate(old, MIGRATIONS) == [
        "0002_indexes",
        "0003_attempt_outcomes",
        "0004_account_meta",
        "0005_block_verified",
        "0007_actions",
    ]
    blank = connect(tmp_path / "blank.db")
    migrate(blank, MIGRATIONS)
    assert _schema(old) == _schema(blank)
    old.close()
    blank.close()


def test_a_failing_migration_leaves_nothing_behind(tmp_path: Path) -> None:
    conn = connect(tmp_path / "x.db")
    migrate(conn, [M001_INITIAL])
    broken = Migration(2, "0002_broken", ("CREATE TABLE half(v)", "THIS IS NOT SQL"))
    with pytest.raises(StoreError):
        migrate(conn, [M001_INITIAL, broken])
    assert applied_versions(conn) == {1: "0001_initial"}
    assert conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'half'").fetchone() is None
    conn.close()


def test_a_newer_database_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "x.db"
    conn = open_database(path, MIGRATIONS)
    conn.execute("INSERT INTO schema_migrations VALUES (99, '0099_future', 'x')")
    conn.close()
    with pytest.raises(StoreError, match="newer than this tool knows"):
        History.open(path)


def test_a_file_that_is_not_a_database_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "block_history.db"
    path.write_bytes(b"this is not sqlite at all\n" * 200)
    with pytest.raises(StoreError) as info:
        History.open(path)
    text = str(info.value)
    assert "block_history.db" in text
    assert "\n" not in text


def test_a_database_of_another_tool_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "block_history.db"
    raw = sqlite3.connect(path)
    raw.execute("CREATE TABLE block_history(id INTEGER PRIMARY KEY, screen_name TEXT NOT NULL)")
    raw.commit()
    raw.close()
    with pytest.raises(StoreError, match="another tool"):
        History.open(path)


def test_readonly_connection_cannot_write(tmp_path: Path) -> None:
    path = tmp_path / "x.db"
    open_database(path, MIGRATIONS).close()
    ro = connect(path, readonly=True)
    assert ro.execute("SELECT count(*) FROM block_history").fetchone()[0] == 0
    with pytest.raises(sqlite3.OperationalError):
        ro.execute("DELETE FROM block_history")
    ro.close()


def test_iso_timestamps_are_fixed_width_utc() -> None:
    from datetime import UTC, datetime, timedelta, timezone

    moment = datetime(2026, 11, 29, 11, 15, 50, 123456, tzinfo=timezone(timedelta(hours=9)))
    assert iso(moment) == "2026-11-29T02:15:50.123Z"
    assert iso(datetime(2026, 1, 2, 3, 4, 5)) == "2026-01-02T03:04:05.000Z"
    assert parse_iso("2026-11-29T02:15:50.123Z") == datetime(
        2026, 11, 29, 2, 15, 50, 123000, tzinfo=UTC
    )


def test_opening_an_up_to_date_database_takes_no_write_lock(tmp_path: Path) -> None:
    path = tmp_path / "block_history.db"
    History.open(path).close()
    writer = connect(path)
    writer.execute("BEGIN IMMEDIATE")  # a run in the middle of a write
    try:
        with History.open(path) as reader:  # --stats, health, diagnose
            assert reader.counts()["pending"] == 0
            assert reader.stats().total == 0
    finally:
        writer.execute("ROLLBACK")
        writer.close()


def test_unopenable_paths_raise_store_error(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    with pytest.raises(StoreError, match="cannot open"):
        connect(blocker / "block_history.db")  # its directory cannot exist
    with pytest.raises(StoreError, match="cannot open"):
        connect(tmp_path)  # a directory, not a file
    with pytest.raises(StoreError, match="cannot open"):
        connect(tmp_path / "missing.db", readonly=True)


def test_the_last_call_of_an_outcome_uses_an_index(tmp_path: Path) -> None:
    with History.open(tmp_path / "x.db") as h:
        plan = " ".join(
            str(r[-1])
            for r in h.conn.execute(
                "EXPLAIN QUERY PLAN SELECT id, at FROM attempts WHERE outcome = 'rate_limited'"
                " ORDER BY id DESC LIMIT 1"
            )
        )
        assert "idx_attempts_outcome" in plan
