"""`stop`: exactly the lock holder gets SIGTERM, SIGKILL only after the timeout, nobody else."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from twitter_blocker.cli.run import root
from twitter_blocker.config import resolve_paths
from twitter_blocker.emulator import Emulator
from twitter_blocker.ops.processes.stop import StopOutcome, stop_run
from twitter_blocker.proc.pids import proc_locks_holders
from twitter_blocker.proc.runlock import read_holder
from twitter_blocker.store.history import History

# A stand-in for a run: takes the run lock, records a process_log row, and on SIGTERM
# ends the row as interrupted and exits 75 (what the engine does). IGNORE=1 ignores SIGTERM.
HOLDER = textwrap.dedent(
    """
    import os, signal, sys, time
    from pathlib import Path
    from twitter_blocker.proc.runlock import RunLock
    from twitter_blocker.store.history import History
    db = Path(sys.argv[1])
    lock = RunLock(db.with_name(db.name + ".lock"))
    lock.acquire(command="python3 main.py --all")
    history = History.open(db)
    run_id = history.start_run("python3 main.py --all", 10)
    stop = []
    if os.environ.get("IGNORE") == "1":
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
    else:
        signal.signal(signal.SIGTERM, lambda *a: stop.append(1))
    print("ready", flush=True)
    while not stop:
        time.sleep(0.02)
    history.end_run(run_id, status="interrupted", exit_code=75, end_reason="interrupted",
                    counts={"blocked": 3})
    history.close()
    lock.release()
    sys.exit(75)
    """
)


def _start_holder(db: Path, *, ignore: bool = False) -> subprocess.Popen[str]:
    env = dict(os.environ, IGNORE="1" if ignore else "0")
    child = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(db)], stdout=subprocess.PIPE, text=True, env=env
    )
    assert child.stdout is not None
    assert child.stdout.readline().strip() == "ready"
    child.stdout.close()  # the holder prints nothing more
    return child


@pytest.fixture
def bystander() -> Iterator[subprocess.Popen[bytes]]:
    """A process that must never be signalled (it looks like the tool by name)."""
    child = subprocess.Popen(
        [sys.executable, "-c", "import time; time.sleep(60)", "twitter_blocker", "main.py"]
    )
    yield child
    child.kill()
    child.wait()


def test_stop_with_nothing_running_exits_0(tmp_path: Path) -> None:
    result = CliRunner().invoke(root, ["stop", "--data-dir", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "nothing to stop" in result.output


def test_stop_ends_the_holder_gracefully_and_touches_nobody_else(
    tmp_path: Path, bystander: subprocess.Popen[bytes]
) -> None:
    db = tmp_path / "block_history.db"
    child = _start_holder(db)
    result = CliRunner().invoke(root, ["stop", "--data-dir", str(tmp_path), "--timeout", "20"])
    assert child.wait(timeout=20) == 75  # the run exited resumable, by itself
    assert result.exit_code == 0, result.output
    assert f"pid {child.pid} stopped gracefully" in result.output
    assert "no run is active" in result.output
    assert "interrupted, exit 75" in result.output
    assert bystander.poll() is None  # still alive: never signalled
    holder = read_holder(db.with_name(db.name + ".lock"))
    assert holder is None or not holder.held


def test_stop_kills_only_after_the_timeout(tmp_path: Path) -> None:
    db = tmp_path / "block_history.db"
    child = _start_holder(db, ignore=True)
    paths = resolve_paths(data_dir=tmp_path, env={})
    result = stop_run(paths.lock_file, paths.db, timeout=0.5, poll=0.05)
    assert result.outcome is StopOutcome.KILLED
    assert result.signals == ["SIGTERM", "SIGKILL"]
    assert result.waited_seconds >= 0.5
    assert child.wait(timeout=10) == -signal.SIGKILL


def test_stale_lock_file_signals_nobody(tmp_path: Path, bystander: subprocess.Popen[bytes]) -> None:
    paths = resolve_paths(data_dir=tmp_path, env={})
    # a file left by a dead run that named a pid which is now someone else's
    paths.lock_file.write_text(json.dumps({"pid": bystander.pid, "started_at": "x"}))
    sent: list[tuple[int, int]] = []
    result = stop_run(paths.lock_file, paths.db, send=lambda pid, sig: sent.append((pid, sig)))
    assert result.outcome is StopOutcome.NOT_RUNNING
    assert sent == []
    assert bystander.poll() is None


def test_lock_file_naming_another_pid_is_refused(
    tmp_path: Path, bystander: subprocess.Popen[bytes]
) -> None:
    """The flock is held, but the file names a different live pid: refuse to signal anyone."""
    db = tmp_path / "block_history.db"
    child = _start_holder(db)
    try:
        lock = db.with_name(db.name + ".lock")
        holders = proc_locks_holders(lock)
        if holders is None:
            pytest.skip("/proc/locks cannot name the holder on this filesystem")
        assert holders == {child.pid}
        with open(lock, "r+") as handle:  # rewrite the content without taking the lock
            handle.truncate(0)
            handle.write(json.dumps({"pid": bystander.pid, "started_at": "x"}))
        sent: list[tuple[int, int]] = []
        result = stop_run(lock, db, send=lambda pid, sig: sent.append((pid, sig)))
        assert result.outcome is StopOutcome.REFUSED
        assert sent == []
        assert str(child.pid) in result.detail
        cli = CliRunner().invoke(root, ["stop", "--data-dir", str(tmp_path)])
        assert cli.exit_code == 1
        assert bystander.poll() is None and child.poll() is None
    finally:
        child.send_signal(signal.SIGTERM)
        child.wait(timeout=10)


def test_stop_json_output(tmp_path: Path) -> None:
    db = tmp_path / "block_history.db"
    History.open(db).close()
    child = _start_holder(db)
    result = CliRunner().invoke(root, ["stop", "--json", "--data-dir", str(tmp_path)])
    assert child.wait(timeout=20) == 75
    data = json.loads(result.output)
    assert data["outcome"] == "stopped" and data["pid"] == child.pid
    assert data["last_run"]["status"] == "interrupted"
    assert data["last_run"]["exit_code"] == 75


def _blocks(emulator: Emulator) -> dict[str, int]:
    calls: dict[str, int] = {}
    for account in emulator.state()["accounts"].values():
        calls.update(account.get("block_calls", {}))
    return calls


def test_stop_ends_a_real_run_and_the_next_run_resumes(
    tmp_path: Path, emulator_factory: Callable[..., Emulator]
) -> None:
    """A real CLI run waits on a spent blocks window; `stop` ends it (75); the rerun finishes."""
    emulator = emulator_factory(population=40, window_seconds=3.0, limits={"blocks/create": 2})
    emulator.write_fixture(tmp_path)
    command = [
        sys.executable, "-m", "twitter_blocker", "--max-users", "4", "--delay", "0",
        "--data-dir", str(tmp_path), "--api-base", emulator.base_url,
    ]  # fmt: skip
    run = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        lock = tmp_path / "block_history.db.lock"
        while time.monotonic() < deadline:  # wait until it blocked 2 and sits on the window
            holder = read_holder(lock)
            if len(_blocks(emulator)) >= 2 and holder is not None and holder.held:
                break
            assert run.poll() is None, "the run ended before it could be stopped"
            time.sleep(0.05)
        else:
            pytest.fail(f"the run never waited on a spent window: {_blocks(emulator)}")
        result = CliRunner().invoke(root, ["stop", "--data-dir", str(tmp_path)])
        assert run.wait(timeout=30) == 75
    finally:
        if run.poll() is None:
            run.kill()
            run.wait()
    assert result.exit_code == 0, result.output
    assert "stopped gracefully" in result.output and "interrupted, exit 75" in result.output
    rerun = subprocess.run(command, capture_output=True, text=True, timeout=90)
    assert rerun.returncode == 0, rerun.stdout + rerun.stderr
    blocks = _blocks(emulator)
    assert all(count == 1 for count in blocks.values()), blocks  # nobody blocked twice
    with History.open(tmp_path / "block_history.db") as history:
        runs = history.conn.execute("SELECT status, exit_code FROM process_log ORDER BY id")
        assert [tuple(r) for r in runs] == [("interrupted", 75), ("done", 0)]
