"""What a run shows while it works: a rich bar on a terminal, plain periodic lines otherwise."""

from __future__ import annotations

import io
import os
import pty
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path

import pytest
from test_cli_support import (
    _restore_process_state,  # noqa: F401  (autouse fixture)
    invoke,
    make_world,
    subprocess_env,
)

from twitter_blocker.emulator import Emulator

Factory = Callable[..., Emulator]


def test_terminal_gets_a_rich_progress_bar(tmp_path: Path, emulator_factory: Factory) -> None:
    world = make_world(emulator_factory, tmp_path)
    master, slave = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-m", "twitter_blocker", *world.args("--all", "--auto-retry")],
        cwd=tmp_path,
        env=subprocess_env({"TERM": "xterm-256color", "COLUMNS": "140"}),
        stdout=subprocess.DEVNULL,
        stderr=slave,
    )
    os.close(slave)
    chunks: list[bytes] = []

    def drain() -> None:
        while True:
            try:
                data = os.read(master, 4096)
            except OSError:  # EIO: the child closed the terminal
                return
            if not data:
                return
            chunks.append(data)

    reader = threading.Thread(target=drain, daemon=True)
    reader.start()
    try:
        assert proc.wait(timeout=60) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        reader.join(timeout=10)
        os.close(master)
    screen = b"".join(chunks).decode("utf-8", "replace")
    total = len(world.truth["targets"])
    assert "\x1b[" in screen  # drawn with terminal control sequences
    assert "━" in screen  # the bar
    assert f"{total}/{total}" in screen
    assert "blocked" in screen and "ETA" in screen
    world.assert_matches_truth()


def test_pipe_gets_plain_lines(tmp_path: Path, emulator_factory: Factory) -> None:
    world = make_world(emulator_factory, tmp_path)
    result = invoke(world.args("--all", "--auto-retry"))
    assert result.exit_code == 0, result.stderr
    total = len(world.truth["targets"])
    assert "\x1b[" not in result.stderr and "━" not in result.stderr
    assert f"[main] 0/{total}" in result.stderr
    final = [line for line in result.stderr_lines if line.startswith(f"[main] {total}/{total}")]
    assert final and "blocked" in final[-1] and "ETA" in final[-1]
    assert result.stderr_lines[-1].startswith("run: blocked ")


def test_debug_errors_prints_each_failed_target(tmp_path: Path, emulator_factory: Factory) -> None:
    world = make_world(emulator_factory, tmp_path)
    suspended = [t for t in world.truth["targets"] if t["expected"] == "suspended"]
    result = invoke(world.args("--all", "--debug-errors"))
    assert result.exit_code == 0, result.stderr
    for target in suspended:
        assert any(
            str(target["screen_name"]) in line and "suspended" in line
            for line in result.stderr_lines
        ), target


def test_debug_logs_to_the_console_too(tmp_path: Path, emulator_factory: Factory) -> None:
    world = make_world(emulator_factory, tmp_path, population=5)
    quiet = invoke(world.args("--max-users", "2"))
    assert quiet.exit_code == 0, quiet.stderr
    assert "run 1 ended" not in quiet.stderr
    loud = invoke(world.args("--all", "--debug"))
    assert loud.exit_code == 0, loud.stderr
    assert "run 2 ended" in loud.stderr  # the log lines, on stderr as well as in the file
    assert "run 2 ended" in (world.data / "twitter_blocker.log").read_text(encoding="utf-8")


def test_eta_comes_from_the_block_budget() -> None:
    from twitter_blocker.cli.progress import PlainProgress

    now = 1_000_000.0
    progress = PlainProgress(stream=io.StringIO(), interval=3600)
    progress.start("main", 400)
    assert progress.t.eta_seconds(now) is None  # no budget seen yet
    progress.budget("blocks/create", 187, 187, now + 100)
    # 400 blocks: 187 before the reset at +100 s, 187 in the next window, 26 in the one after
    assert progress.t.eta_seconds(now) == 100 + 900
    progress.budget("UsersByScreenNames", 0, 50, now + 5000)  # other operations don't count
    assert progress.t.eta_seconds(now) == 100 + 900
    for n in range(100):
        progress.advance("blocked" if n % 4 else "skipped_following", f"@someone{n}")
    # a quarter were skipped so far: 300 left, 225 of them expected to need a block
    assert progress.t.eta_seconds(now) == 100
    progress.waiting(now + 60, "blocks/create window resets")
    assert progress.t.wait_text(now) == "waiting 60s: blocks/create window resets"


def test_already_blocked_is_counted_apart_from_skipped() -> None:
    from twitter_blocker.cli.progress import _Tracker

    t = _Tracker()
    t.start("main", 4)
    for outcome in ("blocked", "already_blocked", "skipped_following", "not_found"):
        t.advance(outcome)
    assert t.counts_text() == "blocked 1 (+1 already)  skipped 1  failed 1"


def test_window_length_is_learnt_from_the_first_call_of_a_window() -> None:
    import time as _time

    from twitter_blocker.cli.progress import _Tracker

    t = _Tracker()
    t.start("main", 1000)
    t.budget("blocks/create", remaining=186, limit=187, reset_epoch=_time.time() + 10)
    assert 9 <= t.window <= 11
    # 1000 targets, all needing blocks: 186 now, then 814 more = 5 windows after this one.
    eta = t.eta_seconds(_time.time())
    assert eta is not None and 45 <= eta <= 62


def test_eta_includes_the_delay_pacing_and_its_jitter() -> None:
    """Issue 9 item 8: 200 blocks inside one window's budget still take 200 x --delay."""
    from twitter_blocker.cli.progress import PlainProgress

    now = 1_000_000.0
    progress = PlainProgress(stream=io.StringIO(), interval=3600, delay=1.0)
    progress.start("main", 200)
    # before any budget is known, pacing alone: 200 x (1.0 s + mean jitter 0.1 s)
    assert progress.t.eta_seconds(now) == pytest.approx(200 * 1.1)
    progress.budget("blocks/create", 187, 187, now + 900)
    # 187 paced blocks fit before the reset at +900 s; the 13 others follow it, paced
    assert progress.t.eta_seconds(now) == pytest.approx(900 + 13 * 1.1)
    # a window too short for the pacing: 100 blocks now (100 s), the rest in the next window
    progress.budget("blocks/create", 187, 187, now + 110)
    eta = progress.t.eta_seconds(now)
    assert eta == pytest.approx(110 + (200 - 100) * 1.1)
    progress.t.delay, progress.t.jitter = 0.0, 0.0
    assert progress.t.eta_seconds(now) == 110  # without pacing: the 13 left go right after
    short = PlainProgress(stream=io.StringIO(), interval=3600)
    short.start("main", 10)
    short.budget("blocks/create", 187, 187, now + 900)
    assert short.t.eta_seconds(now) == 0
    short.waiting(now + 30, "UsersByScreenNames window resets")
    assert short.t.eta_seconds(now) == 30  # nothing ends before the current wait does
    out = io.StringIO()
    line = PlainProgress(stream=out, delay=1.0)
    line.start("main", 216)
    assert "ETA 3:57" in out.getvalue()  # 216 x 1.1 s, not "ETA 0:00" nor "ETA --"
