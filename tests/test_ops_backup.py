"""backup / restore over real files and real SQLite (ops layer and CLI)."""

from __future__ import annotations

import json
import sqlite3
import stat
import subprocess
import sys
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from twitter_blocker.cli.run import root
from twitter_blocker.config import Paths, resolve_paths
from twitter_blocker.errors import DatabaseBusyError, InputError
from twitter_blocker.ops.backups.backup import (
    LATEST,
    LATEST_DB,
    MANIFEST,
    Manifest,
    Role,
    parse_duration,
    prune,
    take_backup,
    utc_iso,
)
from twitter_blocker.ops.backups.restore import BackupRejected, restore_backup, verify_backup
from twitter_blocker.proc.runlock import RunLock
from twitter_blocker.store.db import connect, migrate
from twitter_blocker.store.schema import MIGRATIONS

NOW = datetime(2026, 11, 29, 2, 0, tzinfo=UTC)
COOKIE_SECRET = "a" * 40


def make_paths(tmp_path: Path) -> Paths:
    return resolve_paths(data_dir=tmp_path, env={})


def make_db(path: Path, rows: int = 3) -> None:
    conn = connect(path)
    try:
        migrate(conn, MIGRATIONS)
        for n in range(rows):
            conn.execute(
                "INSERT INTO block_history(user_id, screen_name, status, created_at, updated_at)"
                " VALUES (?, ?, 'pending', ?, ?)",
                (str(1000 + n), f"user{n}", utc_iso(NOW), utc_iso(NOW)),
            )
    finally:
        conn.close()


def make_data_dir(tmp_path: Path, rows: int = 3) -> Paths:
    paths = make_paths(tmp_path)
    make_db(paths.db, rows)
    paths.cookies.write_text(
        json.dumps([{"name": "auth_token", "value": COOKIE_SECRET}, {"name": "ct0", "value": "c"}])
    )
    paths.cookies.chmod(0o600)
    paths.users_file.write_text('["alice", "bob"]')
    return paths


def count_rows(db: Path) -> int:
    conn = sqlite3.connect(db)
    try:
        return int(conn.execute("SELECT count(*) FROM block_history").fetchone()[0])
    finally:
        conn.close()


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_backup_layout_modes_and_manifest(tmp_path: Path) -> None:
    paths = make_data_dir(tmp_path)
    result = take_backup(paths, now=NOW)
    assert result.folder == paths.backup_dir / "auto_20261129_0200"
    assert mode(result.folder) == 0o700 and mode(paths.backup_dir) == 0o700
    assert mode(result.folder / "cookies.json") == 0o600
    assert (result.folder / "cookies.json").read_bytes() == paths.cookies.read_bytes()
    manifest = Manifest.from_json((result.folder / MANIFEST).read_text())
    assert manifest.created_at == "2026-11-29T02:00:00.000Z"
    assert {f.role for f in manifest.files} == {Role.DB, Role.COOKIES, Role.USERS}
    db_entry = manifest.entry(Role.DB)
    assert db_entry is not None and db_entry.integrity == "ok"
    assert db_entry.method == "sqlite-backup"
    assert COOKIE_SECRET not in (result.folder / MANIFEST).read_text()
    assert (paths.backup_dir / LATEST).resolve() == result.folder.resolve()
    assert count_rows(paths.backup_dir / LATEST_DB) == 3
    assert count_rows(paths.backup_dir / LATEST / "block_history.db") == 3
    assert result.ok


def test_emergency_backup_with_cache(tmp_path: Path) -> None:
    paths = make_data_dir(tmp_path)
    paths.cache_dir.mkdir()
    cache = sqlite3.connect(paths.cache_db)
    cache.execute("CREATE TABLE t(x)")
    cache.execute("INSERT INTO t VALUES (1)")
    cache.commit()
    cache.close()
    result = take_backup(paths, emergency=True, with_cache=True, now=NOW)
    assert result.folder == tmp_path / "emergency_backup_20261129_020000"
    assert result.latest is None
    assert (result.folder / "cache" / "cache.db").is_file()
    assert not (paths.backup_dir / LATEST).exists()
    entry = result.manifest.entry(Role.CACHE_DB)
    assert entry is not None and entry.integrity == "ok"


def test_missing_files_are_listed_and_nothing_at_all_is_an_input_error(tmp_path: Path) -> None:
    paths = make_paths(tmp_path)
    make_db(paths.db)
    result = take_backup(paths, now=NOW)
    assert set(result.manifest.missing) == {"cookies", "users"}
    empty = make_paths(tmp_path / "empty")
    empty.data_dir.mkdir()
    with pytest.raises(InputError):
        take_backup(empty, now=NOW)
    assert not empty.backup_dir.exists() or not any(empty.backup_dir.glob("auto_*"))


def _backup_at(paths: Paths, moment: datetime) -> Path:
    return take_backup(paths, now=moment, retention=timedelta(days=365)).folder


def test_retention_prunes_exactly_what_is_older_than_the_limit(tmp_path: Path) -> None:
    paths = make_data_dir(tmp_path, rows=1)
    limit = timedelta(hours=24)
    just_over = _backup_at(paths, NOW - limit - timedelta(minutes=1))
    exactly = _backup_at(paths, NOW - limit)
    just_under = _backup_at(paths, NOW - limit + timedelta(minutes=1))
    recent = _backup_at(paths, NOW - timedelta(hours=1))
    result = take_backup(paths, now=NOW, retention=limit)
    assert result.pruned == (just_over,)
    assert not just_over.exists()
    assert exactly.exists() and just_under.exists() and recent.exists()
    assert (paths.backup_dir / LATEST).resolve() == result.folder.resolve()


def test_retention_uses_the_manifest_time_not_mtime(tmp_path: Path) -> None:
    paths = make_data_dir(tmp_path, rows=1)
    old = _backup_at(paths, NOW - timedelta(hours=30))  # files are brand new on disk
    _backup_at(paths, NOW - timedelta(hours=1))  # the newest good backup is always kept
    kept = prune(paths.backup_dir, retention=timedelta(hours=24), now=NOW, keep=Path("/none"))
    assert kept == [old]


def test_same_minute_backups_do_not_collide(tmp_path: Path) -> None:
    paths = make_data_dir(tmp_path, rows=1)
    first = take_backup(paths, now=NOW).folder
    second = take_backup(paths, now=NOW + timedelta(seconds=5)).folder
    assert first != second and first.exists() and second.exists()


@pytest.mark.parametrize("text", ["0h", "abc", "-3h", "24x"])
def test_bad_retention_is_an_input_error(text: str) -> None:
    with pytest.raises(InputError):
        parse_duration(text)


def test_retention_units() -> None:
    assert parse_duration("24h") == timedelta(hours=24)
    assert parse_duration("90m") == timedelta(minutes=90)
    assert parse_duration("7d") == timedelta(days=7)


def test_backup_while_another_thread_writes_restores_every_committed_row(tmp_path: Path) -> None:
    paths = make_data_dir(tmp_path, rows=0)
    stop = threading.Event()
    committed = [0]
    errors: list[BaseException] = []

    def writer() -> None:
        conn = connect(paths.db)
        try:
            while not stop.is_set():
                n = committed[0] + 1
                conn.execute(
                    "INSERT INTO block_history(user_id, screen_name, status, created_at, "
                    "updated_at) VALUES (?, ?, 'blocked', ?, ?)",
                    (str(n), f"u{n}", utc_iso(NOW), utc_iso(NOW)),
                )
                committed[0] = n  # autocommit: the row is committed once execute returns
        except BaseException as exc:
            errors.append(exc)
        finally:
            conn.close()

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        while committed[0] < 200:
            threading.Event().wait(0.01)
        before = committed[0]
        result = take_backup(paths, now=NOW)
        while committed[0] < before + 100:  # the writer keeps going after the snapshot
            threading.Event().wait(0.01)
    finally:
        stop.set()
        thread.join()
    assert not errors
    target = make_paths(tmp_path / "restored")
    target.data_dir.mkdir()
    restored = restore_backup(target, result.folder, now=NOW)
    assert restored.check is not None and restored.check.ok
    conn = sqlite3.connect(target.db)
    ids = [int(r[0]) for r in conn.execute("SELECT user_id FROM block_history ORDER BY id")]
    conn.close()
    assert len(ids) >= before  # every row committed before the backup started
    assert ids == list(range(1, len(ids) + 1))  # a consistent prefix, no torn rows
    assert len(ids) <= committed[0]


WRITER = """
import sqlite3, sys
conn = sqlite3.connect(sys.argv[1], isolation_level=None, timeout=30)
conn.execute("PRAGMA journal_mode=WAL")
n = 0
while True:
    n += 1
    conn.execute(
        "INSERT INTO block_history(user_id, screen_name, status, created_at, updated_at)"
        " VALUES (?, ?, 'blocked', 'x', 'x')", (str(n), "u" + str(n)))
"""


def _max_id(db: Path) -> int:
    conn = sqlite3.connect(db, timeout=30)
    try:
        return int(conn.execute("SELECT coalesce(max(id), 0) FROM block_history").fetchone()[0])
    finally:
        conn.close()


def test_backup_while_another_process_writes(tmp_path: Path) -> None:
    paths = make_data_dir(tmp_path, rows=0)
    writer = subprocess.Popen([sys.executable, "-c", WRITER, str(paths.db)])
    try:
        while _max_id(paths.db) < 200:
            threading.Event().wait(0.01)
        committed_before = _max_id(paths.db)
        result = take_backup(paths, now=NOW)
        while _max_id(paths.db) < committed_before + 100:  # still writing afterwards
            assert writer.poll() is None
            threading.Event().wait(0.01)
    finally:
        writer.terminate()
        writer.wait(timeout=30)
    target = make_paths(tmp_path / "restored")
    target.data_dir.mkdir()
    restored = restore_backup(target, result.folder, now=NOW)
    assert restored.check is not None and restored.check.ok
    conn = sqlite3.connect(target.db)
    ids = [int(r[0]) for r in conn.execute("SELECT user_id FROM block_history ORDER BY id")]
    conn.close()
    assert len(ids) >= committed_before
    assert ids == list(range(1, len(ids) + 1))


def test_restore_keeps_current_files_aside_and_swaps(tmp_path: Path) -> None:
    paths = make_data_dir(tmp_path, rows=3)
    backup = take_backup(paths, now=NOW).folder
    make_db_extra = connect(paths.db)
    make_db_extra.execute(
        "INSERT INTO block_history(user_id, status, created_at, updated_at) "
        "VALUES ('999', 'blocked', 'x', 'x')"
    )
    make_db_extra.close()
    paths.users_file.write_text('["changed"]')
    Path(f"{paths.db}-wal").write_bytes(b"stray wal")  # must not be replayed into the restore
    result = restore_backup(paths, backup, now=NOW)
    assert count_rows(paths.db) == 3
    assert paths.users_file.read_text() == '["alice", "bob"]'
    kept = {f.role: f.kept for f in result.files}
    kept_db = kept[Role.DB]
    assert kept_db is not None
    assert kept_db.name == "block_history.db.before-restore-20261129T020000Z"
    assert Path(f"{kept_db}-wal").read_bytes() == b"stray wal"
    assert not Path(f"{paths.db}-wal").exists()
    Path(f"{kept_db}-wal").unlink()
    assert count_rows(kept_db) == 4
    assert mode(paths.cookies) == 0o600
    assert result.check is not None and result.check.ok


@pytest.mark.parametrize("victim", ["block_history.db", "cookies.json", "users.json"])
def test_restore_refuses_a_tampered_backup_and_names_the_file(tmp_path: Path, victim: str) -> None:
    paths = make_data_dir(tmp_path)
    backup = take_backup(paths, now=NOW).folder
    target = backup / victim
    data = bytearray(target.read_bytes())
    data[len(data) // 2] ^= 0xFF
    target.write_bytes(bytes(data))
    before = paths.users_file.read_bytes()
    with pytest.raises(BackupRejected) as err:
        restore_backup(paths, backup, now=NOW)
    assert victim in str(err.value)
    assert paths.users_file.read_bytes() == before
    assert not list(tmp_path.glob("*.before-restore-*"))


def test_restore_refuses_a_backup_without_manifest(tmp_path: Path) -> None:
    paths = make_data_dir(tmp_path)
    backup = take_backup(paths, now=NOW).folder
    (backup / MANIFEST).unlink()
    with pytest.raises(InputError):
        verify_backup(backup)


def test_restore_refuses_while_a_run_holds_the_lock(tmp_path: Path) -> None:
    paths = make_data_dir(tmp_path)
    backup = take_backup(paths, now=NOW).folder
    lock = RunLock(paths.lock_file)
    lock.acquire("run")
    try:
        with pytest.raises(DatabaseBusyError):
            restore_backup(paths, backup, now=NOW)
    finally:
        lock.release()
    assert not list(tmp_path.glob("*.before-restore-*"))


# --- CLI -------------------------------------------------------------------------


def test_cli_backup_json_and_restore(tmp_path: Path) -> None:
    paths = make_data_dir(tmp_path)
    runner = CliRunner()
    out = runner.invoke(root, ["backup", "--data-dir", str(tmp_path), "--json"], env={})
    assert out.exit_code == 0, out.output
    data = json.loads(out.output)
    folder = Path(data["folder"])
    assert folder.parent == paths.backup_dir
    assert COOKIE_SECRET not in out.output
    out = runner.invoke(root, ["restore", str(folder), "--data-dir", str(tmp_path)], env={})
    assert out.exit_code == 0, out.output


def test_restore_only_the_database_keeps_newer_cookies(tmp_path: Path) -> None:
    paths = make_data_dir(tmp_path)
    backup = take_backup(paths, now=NOW).folder
    paths.cookies.write_text('[{"name": "auth_token", "value": "newer"}]')
    result = restore_backup(paths, backup, only=frozenset({Role.DB}), now=NOW)
    assert [f.role for f in result.files] == [Role.DB]
    assert "newer" in paths.cookies.read_text()
    out = CliRunner().invoke(
        root, ["restore", str(backup), "--only", "users", "--data-dir", str(tmp_path)], env={}
    )
    assert out.exit_code == 0, out.output
    assert "newer" in paths.cookies.read_text()


def test_cli_restore_tampered_exits_1_naming_the_file(tmp_path: Path) -> None:
    make_data_dir(tmp_path)
    runner = CliRunner()
    out = runner.invoke(root, ["backup", "--emergency", "--data-dir", str(tmp_path)], env={})
    assert out.exit_code == 0, out.output
    folder = next(tmp_path.glob("emergency_backup_*"))
    (folder / "users.json").write_text("[]")
    out = runner.invoke(root, ["restore", str(folder), "--data-dir", str(tmp_path)], env={})
    assert out.exit_code == 1
    assert "users.json" in out.output


def test_cli_restore_while_locked_exits_5(tmp_path: Path) -> None:
    paths = make_data_dir(tmp_path)
    folder = take_backup(paths, now=NOW).folder
    with RunLock(paths.lock_file):
        out = CliRunner().invoke(
            root, ["restore", str(folder), "--data-dir", str(tmp_path)], env={}
        )
    assert out.exit_code == 5


# --- a --with-cache backup restores; a damaged source never costs the last good backup ---


def _with_cache(paths: Paths) -> None:
    paths.cache_dir.mkdir(exist_ok=True)
    cache = sqlite3.connect(paths.cache_db)
    cache.execute("CREATE TABLE t(x)")
    cache.execute("INSERT INTO t VALUES (1)")
    cache.commit()
    cache.close()


def test_an_emergency_backup_with_cache_restores_whole_and_db_only(tmp_path: Path) -> None:
    paths = make_data_dir(tmp_path)
    _with_cache(paths)
    folder = take_backup(paths, emergency=True, with_cache=True, now=NOW).folder
    entry = verify_backup(folder).manifest.entry(Role.CACHE_DB)
    assert entry is not None and entry.name == "cache/cache.db"
    runner = CliRunner()
    only_db = runner.invoke(
        root, ["restore", str(folder), "--only", "db", "--data-dir", str(tmp_path)], env={}
    )
    assert only_db.exit_code == 0, only_db.output
    whole = runner.invoke(root, ["restore", str(folder), "--data-dir", str(tmp_path)], env={})
    assert whole.exit_code == 0, whole.output
    cache = sqlite3.connect(paths.cache_db)
    assert cache.execute("SELECT x FROM t").fetchall() == [(1,)]
    cache.close()


def _damage(db: Path) -> None:
    conn = sqlite3.connect(db)
    page_size = int(conn.execute("PRAGMA page_size").fetchone()[0])
    pages = int(conn.execute("PRAGMA page_count").fetchone()[0])
    conn.execute("PRAGMA journal_mode=DELETE")
    conn.close()
    with db.open("r+b") as handle:
        for pageno in range(2, pages + 1):
            handle.seek((pageno - 1) * page_size)
            handle.write(b"\xa5" * page_size)


def test_a_damaged_source_prunes_nothing_and_leaves_latest_alone(tmp_path: Path) -> None:
    paths = make_data_dir(tmp_path, rows=50)
    good = take_backup(paths, now=NOW - timedelta(hours=30)).folder
    _damage(paths.db)
    result = take_backup(paths, now=NOW, retention=timedelta(hours=24))
    assert not result.ok
    assert result.pruned == ()
    assert good.exists()
    assert (paths.backup_dir / LATEST).resolve() == good.resolve()
    assert (paths.backup_dir / LATEST_DB).resolve() == (good / "block_history.db").resolve()
    out = CliRunner().invoke(root, ["backup", "--data-dir", str(tmp_path)], env={})
    assert out.exit_code == 1
    assert good.exists()


def test_retention_keeps_the_newest_verified_good_backup(tmp_path: Path) -> None:
    paths = make_data_dir(tmp_path, rows=50)
    good = take_backup(paths, now=NOW - timedelta(hours=50)).folder
    _damage(paths.db)
    take_backup(paths, now=NOW - timedelta(hours=40))
    take_backup(paths, now=NOW - timedelta(hours=30))
    pruned = prune(paths.backup_dir, retention=timedelta(hours=24), now=NOW, keep=Path("/none"))
    assert good.exists() and good not in pruned
    assert len(pruned) == 2  # the damaged copies age out


def test_backup_never_changes_the_mode_of_the_data_directory(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    data.chmod(0o1777)
    paths = make_data_dir(data)
    take_backup(paths, now=NOW)
    take_backup(paths, emergency=True, now=NOW)
    assert mode(data) == 0o1777
    assert mode(paths.backup_dir) == 0o700


def test_a_with_cache_backup_written_by_an_earlier_version_restores(tmp_path: Path) -> None:
    paths = make_data_dir(tmp_path)
    _with_cache(paths)
    folder = take_backup(paths, emergency=True, with_cache=True, now=NOW).folder
    manifest = (folder / MANIFEST).read_text()
    # earlier versions recorded the cache copy as "cache.db" though it lives in cache/
    (folder / MANIFEST).write_text(manifest.replace('"cache/cache.db"', '"cache.db"'))
    result = restore_backup(paths, folder, now=NOW)
    assert {f.role for f in result.files} == {Role.DB, Role.COOKIES, Role.USERS, Role.CACHE_DB}
