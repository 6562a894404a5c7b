"""db check / recover / init over real, deliberately damaged SQLite files."""

from __future__ import annotations

import json
import random
import sqlite3
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner

from twitter_blocker.cli.run import root
from twitter_blocker.config import Paths, resolve_paths
from twitter_blocker.emulator import Emulator
from twitter_blocker.errors import DatabaseBusyError, InputError
from twitter_blocker.ops.database.check import Stage, check_database, init_database
from twitter_blocker.ops.database.integrity import check_integrity
from twitter_blocker.ops.database.recover import Method, recover_database
from twitter_blocker.proc.runlock import RunLock
from twitter_blocker.store.db import applied_versions, connect, migrate
from twitter_blocker.store.importer import import_targets
from twitter_blocker.store.schema import MIGRATIONS

ROWS = 2000


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


def test_recover_salvages_the_intact_rows(tmp_path: Path) -> None:
    paths = paths_for(tmp_path)
    make_db(paths.db)
    lost = corrupt_leaf(paths.db)
    damaged = paths.db.read_bytes()
    result = recover_database(paths.db, lock_file=paths.lock_file)
    assert result.method is Method.PAGES
    assert result.check.ok, result.check.summary
    rows = _recovered_rows(result.output)
    assert len(rows) == ROWS - lost
    assert all(s == f"user{int(u) - 1000}" for u, s in rows)  # nothing garbled
    assert not result.applied
    assert paths.db.read_bytes() == damaged  # untouched without --apply
    counts = {t.table: t for t in result.tables}
    assert result.unreadable_pages == 1
    # keys of the lost rows dropped with them; every salvaged row has its id: and sn: keys
    assert counts["target_keys"].rows == 2 * len(rows)
    assert result.orphans_dropped == lost


def test_recover_apply_swaps_in_and_keeps_the_damaged_file(tmp_path: Path) -> None:
    paths = paths_for(tmp_path)
    make_db(paths.db)
    corrupt_leaf(paths.db)
    damaged = paths.db.read_bytes()
    result = recover_database(paths.db, lock_file=paths.lock_file, apply=True)
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
        recover_database(paths.db, lock_file=paths.lock_file, apply=True)
    assert paths.db.read_bytes() == damaged


def test_recover_of_a_file_that_is_not_a_database_is_not_applied(tmp_path: Path) -> None:
    db = tmp_path / "block_history.db"
    db.write_bytes(b"\x00garbage" * 1000)
    result = recover_database(db, lock_file=tmp_path / "x.lock", apply=True)
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


# --- the page reader: every row on an undamaged page, losses told, nothing twice -------


def entry_pages(db: Path, table: str) -> list[int]:
    """The page each row (entry) of ``table`` lives on, in key order, per SQLite's dbstat.

    A table b-tree holds its rows in its leaves; a WITHOUT ROWID table (an index
    b-tree) also on its interior pages, between the subtrees (in-order).
    """
    conn = sqlite3.connect(db)
    try:
        stat = conn.execute(
            "SELECT path, pageno, pagetype, ncell FROM dbstat"
            " WHERE name = ? AND pagetype != 'overflow'",
            (table,),
        ).fetchall()
        sql = conn.execute("SELECT sql FROM sqlite_master WHERE name = ?", (table,)).fetchone()[0]
    finally:
        conn.close()
    index_tree = "WITHOUT ROWID" in sql
    by_path = {str(p): (int(n), str(t), int(k)) for p, n, t, k in stat}

    def visit(path: str) -> list[int]:
        pageno, kind, ncell = by_path[path]
        if kind == "leaf":
            return [pageno] * ncell
        kids = sorted(
            p
            for p in by_path
            if p.startswith(path) and p != path and p[len(path) :].count("/") == 1
        )
        order: list[int] = []
        for i, kid in enumerate(kids):
            order += visit(kid)
            if index_tree and i < ncell:
                order.append(pageno)
        return order

    return visit("/")


def damage_pages(db: Path, pages: set[int], fill: bytes = b"\xa5") -> None:
    with db.open("r+b") as handle:
        for pageno in pages:
            handle.seek((pageno - 1) * 4096)
            handle.write(fill * 4096)


def _rows(db: Path, sql: str) -> list[tuple[object, ...]]:
    conn = sqlite3.connect(db)
    try:
        return [tuple(r) for r in conn.execute(sql)]
    finally:
        conn.close()


@pytest.mark.parametrize(
    "offset",
    [0, 1, -1],
    ids=["pages-3-6-9", "pages-1-4-7-schema-lost", "5-percent-zeroed"],
)
def test_every_third_page_damaged_every_row_on_the_undamaged_pages_salvaged(
    tmp_path: Path, offset: int
) -> None:
    paths = paths_for(tmp_path)
    make_db(paths.db, rows=5000)
    conn = sqlite3.connect(paths.db)
    conn.execute("PRAGMA journal_mode=DELETE")
    pages = int(conn.execute("PRAGMA page_count").fetchone()[0])
    assert int(conn.execute("PRAGMA page_size").fetchone()[0]) == 4096
    conn.close()
    damaged = {p for p in range(1, pages + 1) if p % 3 == offset}
    if offset < 0:
        damaged = set(random.Random(5).sample(range(2, pages + 1), pages // 20))
    all_rows = _rows(paths.db, "SELECT * FROM block_history ORDER BY id")
    keys = _rows(paths.db, "SELECT key, history_id FROM target_keys ORDER BY key")
    on_good = {
        row
        for row, page in zip(all_rows, entry_pages(paths.db, "block_history"), strict=True)
        if page not in damaged
    }
    keys_on_good = {
        key
        for key, page in zip(keys, entry_pages(paths.db, "target_keys"), strict=True)
        if page not in damaged
    }
    damage_pages(paths.db, damaged, b"\x00" if offset < 0 else b"\xa5")
    out = CliRunner().invoke(root, ["db", "recover", "--data-dir", str(tmp_path)], env={})
    assert out.exit_code == 0, out.output
    recovered = tmp_path / "recovered.db"
    salvaged = set(_rows(recovered, "SELECT * FROM block_history"))
    assert salvaged == on_good  # every row of every undamaged page, each one intact
    assert len(on_good) > 3000 and len(keys_on_good) > 3000
    salvaged_ids = {row[0] for row in salvaged}
    got_keys = set(_rows(recovered, "SELECT key, history_id FROM target_keys"))
    assert {k for k in keys_on_good if k[1] in salvaged_ids} <= got_keys
    assert len(got_keys) == 2 * len(salvaged)  # id: and sn: for every row, no more
    assert f"{len(damaged)} unreadable" in out.output
    assert check_database(recovered).ok


def test_recover_of_random_bytes_is_a_failure(tmp_path: Path) -> None:
    db = tmp_path / "block_history.db"
    noise = random.Random(7).randbytes(64 * 4096)
    db.write_bytes(noise)
    for args in (["db", "recover"], ["db", "recover", "--apply"]):
        out = CliRunner().invoke(root, [*args, "--data-dir", str(tmp_path)], env={})
        assert out.exit_code == 1, out.output
        assert "nothing readable" in out.output
        assert ": ok" not in out.output
    assert db.read_bytes() == noise


@dataclass(frozen=True)
class ListedTarget:
    key: str
    user_id: str | None
    screen_name: str | None


def test_recover_apply_then_resume_adds_no_duplicate_rows(tmp_path: Path) -> None:
    paths = paths_for(tmp_path)
    conn = connect(paths.db)
    migrate(conn, MIGRATIONS)
    listed = [ListedTarget(f"sn:user{n}", None, f"user{n}") for n in range(3000)]
    import_targets(conn, listed)
    # half of them were looked up (id known), some blocked
    conn.execute(
        "UPDATE block_history SET user_id = CAST(id + 5000 AS TEXT),"
        " status = CASE WHEN id % 3 = 0 THEN 'blocked' ELSE 'pending' END WHERE id % 2 = 0"
    )
    conn.execute(
        "INSERT INTO target_keys(key, history_id) SELECT 'id:' || user_id, id"
        " FROM block_history WHERE user_id IS NOT NULL"
    )
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    # the keys are lost, the rows they lead to are not: a resume must still find them
    keys = sorted(set(entry_pages(paths.db, "target_keys")))
    index = sorted(set(entry_pages(paths.db, "idx_target_keys_history")))
    damage_pages(paths.db, set(keys[::3] + index[::3]))
    result = recover_database(paths.db, lock_file=paths.lock_file, apply=True)
    assert result.applied
    conn = connect(paths.db)
    try:
        import_targets(conn, listed)  # what a resume does first
        dups = conn.execute(
            "SELECT lower(screen_name), count(*) FROM block_history"
            " GROUP BY lower(screen_name) HAVING count(*) > 1"
        ).fetchall()
        total = conn.execute("SELECT count(*) FROM block_history").fetchone()[0]
    finally:
        conn.close()
    assert dups == [] and total == 3000
    assert check_integrity(paths).duplicates == ()


def test_a_stale_copy_of_a_row_loses_to_the_final_one(tmp_path: Path) -> None:
    paths = paths_for(tmp_path)
    make_db(paths.db, rows=600)
    conn = sqlite3.connect(paths.db)
    conn.execute("PRAGMA journal_mode=DELETE")
    conn.execute("UPDATE block_history SET status = 'pending', updated_at = 'a'")
    conn.commit()
    leaves = [
        int(r[0])
        for r in conn.execute(
            "SELECT pageno FROM dbstat WHERE name = 'block_history' AND pagetype = 'leaf'"
        )
    ]
    data = paths.db.read_bytes()
    stale = b"".join(data[(p - 1) * 4096 : p * 4096] for p in leaves)
    conn.execute("UPDATE block_history SET status = 'blocked', updated_at = 'b'")
    conn.commit()
    conn.close()
    # Old copies of the pages (pending) left in the file, on no freelist: as after a
    # crash mid-rewrite, or a lost freelist.
    with paths.db.open("ab") as handle:
        handle.write(stale)
    result = recover_database(paths.db, lock_file=paths.lock_file)
    assert result.check.ok
    rows = _rows(result.output, "SELECT id, status, updated_at FROM block_history ORDER BY id")
    assert rows == [(n, "blocked", "b") for n in range(1, 601)]
    counts = {t.table: t for t in result.tables}
    assert counts["block_history"].duplicates == 600


def test_recover_of_another_tools_database_is_a_failure(tmp_path: Path) -> None:
    db = tmp_path / "block_history.db"
    conn = sqlite3.connect(db)
    conn.execute("CREATE TABLE moz_cookies(id INTEGER PRIMARY KEY, name TEXT, value TEXT)")
    conn.execute("INSERT INTO moz_cookies(name, value) VALUES ('a', 'b')")
    conn.commit()
    conn.close()
    before = db.read_bytes()
    out = CliRunner().invoke(
        root, ["db", "recover", "--apply", "--data-dir", str(tmp_path)], env={}
    )
    assert out.exit_code == 1, out.output
    assert "none of this tool's tables" in out.output
    assert db.read_bytes() == before


def test_tables_that_are_not_ours_are_named(tmp_path: Path) -> None:
    paths = paths_for(tmp_path)
    make_db(paths.db, rows=10)
    conn = sqlite3.connect(paths.db)
    conn.execute("CREATE TABLE notes(x)")
    conn.commit()
    conn.close()
    result = recover_database(paths.db, lock_file=paths.lock_file)
    assert result.ok and result.note is not None and "notes" in result.note


def test_a_real_run_recovered_after_damage_resumes_without_duplicates(
    emulator_factory: Callable[..., Emulator], tmp_path: Path
) -> None:
    from test_engine_support import Recorder, block_calls, mismatches, run, workspace

    emu = emulator_factory(population=200, window_seconds=3.0)  # short rate windows
    paths = workspace(emu, tmp_path)
    stop = threading.Event()
    first = run(paths, emu, progress=Recorder(stop, stop_after=100), stop=stop)
    assert first.exit_code == 75
    conn = sqlite3.connect(paths.db)
    conn.execute("PRAGMA journal_mode=DELETE")
    pages = int(conn.execute("PRAGMA page_count").fetchone()[0])
    conn.close()
    damaged = {p for p in range(2, pages + 1) if p % 3 == 0}
    rows = _rows(paths.db, "SELECT id, user_id FROM block_history ORDER BY id")
    on_good = {
        row
        for row, page in zip(rows, entry_pages(paths.db, "block_history"), strict=True)
        if page not in damaged
    }
    damage_pages(paths.db, damaged)
    result = recover_database(paths.db, lock_file=paths.lock_file, apply=True)
    assert result.applied and result.unreadable_pages > 0
    assert set(_rows(paths.db, "SELECT id, user_id FROM block_history")) == on_good
    blocked_before = dict(block_calls(emu))
    second = run(paths, emu, auto_retry=True)
    assert second.exit_code == 0
    assert mismatches(paths) == []  # every target decided as X says, one row each
    assert check_integrity(paths).duplicates == ()
    assert _rows(paths.db, "SELECT count(*) FROM block_history") == [(200,)]
    again = {u for u, n in block_calls(emu).items() if n > blocked_before.get(u, 0)}
    salvaged_blocked = {u for _id, u in on_good if u in blocked_before}
    assert salvaged_blocked and not (again & salvaged_blocked)  # salvaged blocks not resent


def test_damaged_root_pages_lose_no_leaf_of_either_kind_of_table(tmp_path: Path) -> None:
    paths = paths_for(tmp_path)
    make_db(paths.db, rows=3000)
    roots = {
        str(n): int(r)
        for n, r in _rows(paths.db, "SELECT name, rootpage FROM sqlite_master WHERE type='table'")
    }
    damaged = {roots["block_history"], roots["target_keys"]}  # both interior pages
    keys = _rows(paths.db, "SELECT key, history_id FROM target_keys ORDER BY key")
    keys_on_good = {
        k
        for k, p in zip(keys, entry_pages(paths.db, "target_keys"), strict=True)
        if p not in damaged
    }
    assert len(keys_on_good) < len(keys)  # the WITHOUT ROWID root holds entries itself
    damage_pages(paths.db, damaged)
    result = recover_database(paths.db, lock_file=paths.lock_file)
    counts = {t.table: t for t in result.tables}
    assert counts["block_history"].rows == 3000
    got = set(_rows(result.output, "SELECT key, history_id FROM target_keys"))
    assert keys_on_good <= got
    assert result.unreadable_pages == 2
