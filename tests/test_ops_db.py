"""db check / recover / init over real, deliberately damaged SQLite files."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from twitter_blocker.cli.run import root
from twitter_blocker.config import Paths, resolve_paths
from twitter_blocker.errors import DatabaseBusyError, InputError
from twitter_blocker.ops.dbcheck import Stage, check_database, init_database
from twitter_blocker.ops.dbrecover import Method, recover_database, shell_with_recover
from twitter_blocker.ops.lock import RunLock
from twitter_blocker.store.db import applied_versions, connect, migrate
from twitter_blocker.store.schema import MIGRATIONS

ROWS = 2000
HAS_SHELL = shell_with_recover() is not None


def make_db(path: Path, rows: int = ROWS) -> None:
    conn = connect(path)
    try:
        migrate(conn, MIGRATIONS)
        conn.execute("BEGIN")
        for n in range(rows):
            cur = conn.execute(
                "INSERT INTO block_history(user_id, screen_name, status, user_status, reason,"
                " last_error, created_at, updated_at)"
                " VALUES (?, ?, 'blocked', 'active', 'blocked', ?, 'x', 'x')",
                (str(1000 + n), f"user{n}", "padding " * 20),
            )
            conn.execute(
                "INSERT INTO target_keys(key, history_id) VALUES (?, ?)",
                (f"sn:user{n}", cur.lastrowid),
            )
        conn.execute("COMMIT")
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        conn.close()


def corrupt_leaf(path: Path, table: str = "block_history") -> int:
    """Overwrite one leaf page of ``table`` in the middle of the file; returns its cell count."""
    conn = sqlite3.connect(path)
    try:
        page_size = int(conn.execute("PRAGMA page_size").fetchone()[0])
        leaves = conn.execute(
            "SELECT pageno, ncell FROM dbstat WHERE name = ? AND pagetype = 'leaf' ORDER BY pageno",
            (table,),
        ).fetchall()
        conn.execute("PRAGMA journal_mode=DELETE")
    finally:
        conn.close()
    pageno, ncell = leaves[len(leaves) // 2]
    with path.open("r+b") as handle:
        handle.seek((pageno - 1) * page_size)
        handle.write(b"\xa5" * page_size)
    return int(ncell)


def paths_for(tmp_path: Path) -> Paths:
    return resolve_paths(data_dir=tmp_path, env={})


def test_healthy_database_passes_every_stage(tmp_path: Path) -> None:
    paths = paths_for(tmp_path)
    make_db(paths.db, rows=10)
    result = check_database(paths.db)
    assert result.ok
    assert result.stages_passed == (Stage.OPEN, Stage.QUICK, Stage.INTEGRITY, Stage.FOREIGN_KEYS)


def test_missing_database_is_reported_not_created(tmp_path: Path) -> None:
    result = check_database(tmp_path / "none.db")
    assert not result.ok and not result.exists
    assert not (tmp_path / "none.db").exists()


def test_corrupted_page_is_detected_by_the_quick_check(tmp_path: Path) -> None:
    paths = paths_for(tmp_path)
    make_db(paths.db)
    corrupt_leaf(paths.db)
    result = check_database(paths.db)
    assert not result.ok
    assert result.failed_stage is Stage.QUICK
    assert result.problems


def test_garbage_file_fails_at_open(tmp_path: Path) -> None:
    db = tmp_path / "block_history.db"
    db.write_bytes(b"this is not a database" * 200)
    result = check_database(db)
    assert result.failed_stage is Stage.OPEN


def test_foreign_key_violation_is_reported(tmp_path: Path) -> None:
    paths = paths_for(tmp_path)
    make_db(paths.db, rows=3)
    conn = sqlite3.connect(paths.db)  # foreign_keys off on this connection
    conn.execute("INSERT INTO target_keys(key, history_id) VALUES ('sn:ghost', 999)")
    conn.commit()
    conn.close()
    result = check_database(paths.db)
    assert result.failed_stage is Stage.FOREIGN_KEYS
    assert "target_keys" in result.problems[0]


def _recovered_rows(path: Path) -> list[tuple[str, str]]:
    conn = sqlite3.connect(path)
    try:
        return [
            (str(u), str(s))
            for u, s in conn.execute("SELECT user_id, screen_name FROM block_history")
        ]
    finally:
        conn.close()


@pytest.mark.parametrize(
    "use_shell",
    [
        pytest.param(True, marks=pytest.mark.skipif(not HAS_SHELL, reason="no sqlite3 shell")),
        False,
    ],
)
def test_recover_salvages_the_intact_rows(tmp_path: Path, use_shell: bool) -> None:
    paths = paths_for(tmp_path)
    make_db(paths.db)
    lost = corrupt_leaf(paths.db)
    damaged = paths.db.read_bytes()
    result = recover_database(paths.db, lock_file=paths.lock_file, use_shell=use_shell)
    assert result.method is (Method.SHELL if use_shell else Method.PYTHON)
    assert result.check.ok, result.check.summary
    rows = _recovered_rows(result.output)
    assert ROWS - lost <= len(rows) < ROWS
    assert all(s == f"user{int(u) - 1000}" for u, s in rows)  # nothing garbled
    assert not result.applied
    assert paths.db.read_bytes() == damaged  # untouched without --apply
    counts = {t.table: t for t in result.tables}
    assert counts["target_keys"].rows == len(rows)  # keys of lost rows dropped with them
    assert result.orphans_dropped == ROWS - len(rows)
    if not use_shell:
        assert counts["block_history"].unreadable_rows > 0


def test_without_a_working_shell_recover_falls_back_to_python(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path / "empty-bin"))
    paths = paths_for(tmp_path)
    make_db(paths.db, rows=100)
    result = recover_database(paths.db, lock_file=paths.lock_file, use_shell=True)
    assert result.method is Method.PYTHON
    assert result.note is not None and ".recover" in result.note
    counts = {t.table: t.rows for t in result.tables}
    assert counts["block_history"] == 100 and counts["target_keys"] == 100  # nothing lost
    assert result.check.ok


def test_recover_apply_swaps_in_and_keeps_the_damaged_file(tmp_path: Path) -> None:
    paths = paths_for(tmp_path)
    make_db(paths.db)
    corrupt_leaf(paths.db)
    damaged = paths.db.read_bytes()
    result = recover_database(paths.db, lock_file=paths.lock_file, apply=True, use_shell=False)
    assert result.applied and result.damaged_kept is not None
    assert result.damaged_kept.read_bytes() == damaged
    assert check_database(paths.db).ok
    assert not result.output.exists()
    conn = connect(paths.db)  # the store opens it and sees its migrations
    try:
        assert set(applied_versions(conn)) == {m.version for m in MIGRATIONS}
    finally:
        conn.close()


def test_recover_apply_refused_while_a_run_holds_the_lock(tmp_path: Path) -> None:
    paths = paths_for(tmp_path)
    make_db(paths.db, rows=50)
    corrupt_leaf(paths.db)
    damaged = paths.db.read_bytes()
    with RunLock(paths.lock_file), pytest.raises(DatabaseBusyError):
        recover_database(paths.db, lock_file=paths.lock_file, apply=True, use_shell=False)
    assert paths.db.read_bytes() == damaged


def test_recover_of_a_file_that_is_not_a_database_is_not_applied(tmp_path: Path) -> None:
    db = tmp_path / "block_history.db"
    db.write_bytes(b"\x00garbage" * 1000)
    result = recover_database(db, lock_file=tmp_path / "x.lock", apply=True, use_shell=False)
    assert not result.applied
    assert result.rows == 0
    assert db.read_bytes() == b"\x00garbage" * 1000


def test_init_creates_the_schema_and_refuses_to_overwrite(tmp_path: Path) -> None:
    db = tmp_path / "sub" / "block_history.db"
    init_database(db)
    assert check_database(db).ok
    conn = sqlite3.connect(db)
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    conn.close()
    assert {"block_history", "target_keys", "attempts", "process_log"} <= tables
    before = db.read_bytes()
    with pytest.raises(InputError):
        init_database(db)
    assert db.read_bytes() == before


# --- CLI -------------------------------------------------------------------------


def test_cli_db_check_exit_codes(tmp_path: Path) -> None:
    paths = paths_for(tmp_path)
    make_db(paths.db)
    runner = CliRunner()
    ok = runner.invoke(root, ["db", "check", "--data-dir", str(tmp_path)], env={})
    assert ok.exit_code == 0, ok.output
    corrupt_leaf(paths.db)
    bad = runner.invoke(root, ["db", "check", "--data-dir", str(tmp_path), "--json"], env={})
    assert bad.exit_code == 1
    data = json.loads(bad.output)
    assert data["ok"] is False and data["failed_stage"] == "quick_check"


def test_cli_db_recover_and_init(tmp_path: Path) -> None:
    paths = paths_for(tmp_path)
    make_db(paths.db, rows=300)
    corrupt_leaf(paths.db)
    runner = CliRunner()
    out = runner.invoke(
        root, ["db", "recover", "--apply", "--python-salvage", "--data-dir", str(tmp_path)], env={}
    )
    assert out.exit_code == 0, out.output
    assert "swapped in" in out.output
    out = runner.invoke(root, ["db", "init", "--data-dir", str(tmp_path)], env={})
    assert out.exit_code == 2
    assert "block_history.db" in out.output
    fresh = tmp_path / "fresh"
    out = runner.invoke(root, ["db", "init", "--data-dir", str(fresh)], env={})
    assert out.exit_code == 0, out.output
    assert (fresh / "block_history.db").is_file()
