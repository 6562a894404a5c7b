"""Interrupt and resume: a stop request, a crash after a block landed, and ``kill -9``."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Callable
from pathlib import Path

from test_engine_support import (
    Recorder,
    block_calls,
    db_query,
    mismatches,
    run,
    truth,
    workspace,
)

from twitter_blocker.emulator import Emulator
from twitter_blocker.inputs.cookies import load_cookies
from twitter_blocker.inputs.targets import load_targets
from twitter_blocker.store.history import History
from twitter_blocker.x.client import XClient

Factory = Callable[..., Emulator]


def test_a_stop_request_commits_and_the_next_run_finishes(
    emulator_factory: Factory, tmp_path: Path
) -> None:
    emu = emulator_factory(population=120)
    paths = workspace(emu, tmp_path)
    stop = threading.Event()
    first = run(paths, emu, progress=Recorder(stop, stop_after=30), stop=stop, delay=0.01)
    assert (first.end_reason, first.exit_code) == ("interrupted", 75)
    assert 30 <= sum(first.counts.values()) < 120
    logged = db_query(paths, "SELECT status, exit_code, end_reason FROM process_log")
    assert logged == [("interrupted", 75, "interrupted")]
    second = run(paths, emu, auto_retry=True)
    assert (second.end_reason, second.exit_code) == ("done", 0)
    assert mismatches(paths) == []
    assert max(block_calls(emu).values()) == 1


def test_a_block_that_landed_before_a_crash_is_never_sent_again(
    emulator_factory: Factory, tmp_path: Path
) -> None:
    emu = emulator_factory(population=40)
    paths = workspace(emu, tmp_path)
    victims = [t for t in truth(paths)["targets"] if t["expected"] == "blocked"]
    landed, lost = victims[0], victims[1]
    # The state a kill -9 leaves: intent committed for both, one block call reached X.
    with History.open(paths.db) as history:
        history.import_targets(load_targets(paths.users_file).targets)
        for t in (landed, lost):
            row = history.find(f"sn:{t['identifier'].lower()}")
            assert row is not None
            row_id = history.resolve_identity(row.id, t["user_id"], t["screen_name"])
            history.mark_block_sent(row_id)
    with XClient(load_cookies(paths.cookies), api_base=emu.base_url) as client:
        client.block(landed["user_id"])
    report = run(paths, emu, auto_retry=True)
    assert report.exit_code == 0
    calls = block_calls(emu)
    assert calls[landed["user_id"]] == 1  # verified by a fresh lookup, not blocked again
    assert calls[lost["user_id"]] == 1  # the intent without a landed call is carried out once
    assert mismatches(paths) == []
    assert max(calls.values()) == 1


RUNNER = textwrap.dedent(
    """
    import sys, threading
    from pathlib import Path
    from twitter_blocker.config import resolve_paths
    from twitter_blocker.engine.runner import RunOptions, execute
    paths = resolve_paths(data_dir=Path(sys.argv[1]), env={})
    execute(paths, sys.argv[2], RunOptions(delay=0.02, auto_retry=True), stop=threading.Event())
    """
)


def test_kill_9_mid_run_then_resume_blocks_nobody_twice(
    emulator_factory: Factory, tmp_path: Path
) -> None:
    emu = emulator_factory(population=150)
    paths = workspace(emu, tmp_path)
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    proc = subprocess.Popen(
        [sys.executable, "-c", RUNNER, str(tmp_path), emu.base_url],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 60
        while len(block_calls(emu)) < 15:
            assert proc.poll() is None, proc.stderr.read() if proc.stderr else ""
            assert time.monotonic() < deadline, "the child never started blocking"
            time.sleep(0.01)
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.wait()
        if proc.stderr is not None:
            proc.stderr.close()
    assert proc.returncode == -signal.SIGKILL
    killed_at = len(block_calls(emu))
    assert killed_at < 90  # it really was cut off mid-list
    running = db_query(paths, "SELECT status FROM process_log")
    assert running == [("running",)]
    report = run(paths, emu, auto_retry=True)
    assert (report.end_reason, report.exit_code) == ("done", 0)
    assert mismatches(paths) == []
    assert max(block_calls(emu).values()) == 1
