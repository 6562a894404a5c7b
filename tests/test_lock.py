"""The run lock: one run per database, the holder's pid named, stale files ignored."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from twitter_blocker.errors import EXIT_DB_BUSY, DatabaseBusyError
from twitter_blocker.proc.runlock import RunLock, read_holder


def test_acquire_writes_holder_and_release_frees(tmp_path: Path) -> None:
    path = tmp_path / "block_history.db.lock"
    lock = RunLock(path)
    lock.acquire(command="run --all")
    try:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        data = json.loads(path.read_text())
        assert data["pid"] == os.getpid()
        assert data["command"] == "run --all"
        assert data["started_at"].endswith("Z")
        holder = read_holder(path)
        assert holder is not None
        assert holder.held and holder.alive and holder.pid == os.getpid()
    finally:
        lock.release()
    holder = read_holder(path)
    assert holder is not None and not holder.held
    with RunLock(path):
        pass


def test_second_lock_in_same_process_is_busy(tmp_path: Path) -> None:
    path = tmp_path / "db.lock"
    with RunLock(path):
        with pytest.raises(DatabaseBusyError) as info:
            RunLock(path).acquire()
        assert info.value.pid == os.getpid()
        assert str(os.getpid()) in str(info.value)
        assert info.value.exit_code == EXIT_DB_BUSY


def test_lock_held_by_other_process_names_its_pid(tmp_path: Path) -> None:
    path = tmp_path / "db.lock"
    code = textwrap.dedent(
        f"""
        import sys
        from pathlib import Path
        from twitter_blocker.proc.runlock import RunLock
        lock = RunLock(Path({str(path)!r}))
        lock.acquire()
        print("ready", flush=True)
        sys.stdin.readline()
        """
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", code], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    try:
        assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
        with pytest.raises(DatabaseBusyError) as info:
            RunLock(path).acquire()
        assert info.value.pid == proc.pid
        assert str(proc.pid) in str(info.value)
    finally:
        proc.kill()
        proc.communicate()
    # the kernel dropped the flock with the process: the file left behind is not a lock
    holder = read_holder(path)
    assert holder is not None and holder.pid == proc.pid and not holder.held and not holder.alive
    with RunLock(path):
        assert read_holder(path) is not None


def test_stale_or_garbage_file_is_not_a_lock(tmp_path: Path) -> None:
    path = tmp_path / "db.lock"
    path.write_text("not json")
    holder = read_holder(path)
    assert holder is not None and holder.pid is None and not holder.held
    lock = RunLock(path)
    lock.acquire()
    lock.release()
    lock.release()  # idempotent
    assert read_holder(tmp_path / "missing.lock") is None


def test_a_hard_link_of_the_database_is_the_same_lock(tmp_path: Path) -> None:
    db = tmp_path / "block_history.db"
    db.write_bytes(b"")
    os.link(db, tmp_path / "other.db")
    with RunLock(tmp_path / "block_history.db.lock", db=db):
        with pytest.raises(DatabaseBusyError) as info:
            RunLock(tmp_path / "other.db.lock", db=tmp_path / "other.db").acquire()
        assert info.value.pid == os.getpid()
    with RunLock(tmp_path / "other.db.lock", db=tmp_path / "other.db"):
        pass  # released with the first lock


def test_the_lock_file_of_a_symlinked_database_is_next_to_the_real_one(tmp_path: Path) -> None:
    from twitter_blocker.config import resolve_paths

    (tmp_path / "real").mkdir()
    (tmp_path / "link.db").symlink_to(tmp_path / "real" / "block_history.db")
    paths = resolve_paths(data_dir=tmp_path, db="link.db", env={})
    assert paths.lock_file == (tmp_path / "real" / "block_history.db.lock").resolve()
