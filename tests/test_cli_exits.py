"""Exit codes of a real run against the emulator: 0, 3, 4, 5 and 75 (then resume to the truth)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from test_cli_support import (
    Result,
    World,
    _restore_process_state,  # noqa: F401  (autouse fixture)
    db_rows,
    invoke,
    killed_when,
    make_world,
    start_module,
    wait_for,
)

from twitter_blocker.emulator import Emulator

Factory = Callable[..., Emulator]


def _status_counts(world: World) -> dict[str, int]:
    rows = db_rows(world.db, "SELECT status, COUNT(*) FROM block_history GROUP BY status")
    return {str(status): int(count) for status, count in rows}


def _last_run(world: World) -> tuple[str, int, str]:
    rows = db_rows(
        world.db,
        "SELECT status, exit_code, end_reason FROM process_log ORDER BY id DESC LIMIT 1",
    )
    status, code, reason = rows[0]
    return str(status), int(code), str(reason)


def test_full_run_exits_0_and_matches_the_truth(tmp_path: Path, emulator_factory: Factory) -> None:
    world = make_world(emulator_factory, tmp_path)
    result = invoke(world.args("--all", "--auto-retry"))
    assert result.exit_code == 0, result.stderr
    assert "Traceback" not in result.stderr
    world.assert_matches_truth()
    assert _last_run(world) == ("done", 0, "done")
    # a second run finds nothing to do: no API call, nothing blocked twice
    calls_before = world.emu.state()["calls"]
    again = invoke(world.args("--all", "--auto-retry"))
    assert again.exit_code == 0, again.stderr
    assert world.emu.state()["calls"] == calls_before
    world.assert_matches_truth()


def _revoke_cookies(world: World) -> None:
    """Log in again at 'x.com': the fixture's cookie file keeps the old, now rejected session."""
    cookie_file = world.data / "cookies.json"
    old = cookie_file.read_bytes()
    world.emu.renew_cookies(0)
    cookie_file.write_bytes(old)


def test_rejected_cookies_exit_3_with_the_fix(tmp_path: Path, emulator_factory: Factory) -> None:
    world = make_world(emulator_factory, tmp_path)
    _revoke_cookies(world)
    result = invoke(world.args("--all"))
    assert result.exit_code == 3, result.stderr
    assert "Traceback" not in result.stderr
    last = result.stderr_lines[-1]
    assert last.startswith("error: "), last
    for words in ("auth_token", "ct0", "export", "x.com"):
        assert words in last, (words, last)
    assert world.block_calls() == {}
    assert _last_run(world)[1] == 3
    assert "pending" in _status_counts(world)  # nothing was decided on a rejected session


def test_session_killed_mid_run_exits_3_and_suggests_a_cap(
    tmp_path: Path, emulator_factory: Factory
) -> None:
    world = make_world(emulator_factory, tmp_path, session_kill_after=4)
    result = invoke(world.args("--all", "--auto-retry"))
    assert result.exit_code == 3, result.stderr
    assert "Traceback" not in result.stderr
    assert result.stderr.count("--max-blocks-per-hour") == 1, result.stderr
    assert sum(world.block_calls().values()) == 4
    blocked = db_rows(world.db, "SELECT user_id FROM block_history WHERE status = 'blocked'")
    assert {str(r[0]) for r in blocked} >= set(world.block_calls())
    # a fresh login, then the same command finishes the list without blocking anyone twice
    world.emu.set_switches(session_kill_after=None)
    world.emu.renew_cookies(0)  # rewrites the fixture's cookies.json
    again = invoke(world.args("--all", "--auto-retry"))
    assert again.exit_code == 0, again.stderr
    world.assert_matches_truth()


@pytest.mark.parametrize(("state", "code"), [("locked", "326"), ("suspended", "64")])
def test_own_account_locked_or_suspended_exits_4(
    tmp_path: Path, emulator_factory: Factory, state: str, code: str
) -> None:
    world = make_world(emulator_factory, tmp_path)
    world.emu.set_account_state(0, state)
    result = invoke(world.args("--all", "--auto-retry"))
    assert result.exit_code == 4, result.stderr
    assert "Traceback" not in result.stderr
    last = result.stderr_lines[-1]
    assert last.startswith("error: ") and code in last and "x.com" in last, last
    assert world.block_calls() == {}
    # never retried automatically: the next run stops the same way and still blocks nobody
    again = invoke(world.args("--all", "--auto-retry"))
    assert again.exit_code == 4, again.stderr
    assert world.block_calls() == {}


def test_lock_after_some_blocks_exits_4_and_resumes_after_unlock(
    tmp_path: Path, emulator_factory: Factory
) -> None:
    world = make_world(emulator_factory, tmp_path, lock_after=3)
    result = invoke(world.args("--all", "--auto-retry"))
    assert result.exit_code == 4, result.stderr
    assert "326" in result.stderr
    assert sum(world.block_calls().values()) == 3
    world.emu.set_switches(lock_after=None)
    world.emu.set_account_state(0, "active")
    again = invoke(world.args("--all", "--auto-retry"))
    assert again.exit_code == 0, again.stderr
    world.assert_matches_truth()


def _holder_pid(world: World) -> int | None:
    lock = world.data / "block_history.db.lock"
    try:
        return int(json.loads(lock.read_text())["pid"])
    except (OSError, ValueError, KeyError):
        return None


def _finish(proc: subprocess.Popen[str]) -> Result:
    out, err = proc.communicate(timeout=60)
    return Result(proc.returncode, out, err)


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_signal_exits_75_second_run_exits_5_then_resume_finishes(
    tmp_path: Path, emulator_factory: Factory, sig: signal.Signals
) -> None:
    world = make_world(emulator_factory, tmp_path)
    # --delay 60: after its first block the run waits a minute before the next one
    first = start_module(world.args("--all", "--auto-retry", delay="60"), cwd=tmp_path)
    try:
        wait_for(lambda: sum(world.block_calls().values()) >= 1, "the first block call")
        wait_for(lambda: _holder_pid(world) == first.pid, "the run lock")
        busy = invoke(world.args("--all", "--auto-retry"))
        assert busy.exit_code == 5, busy.stderr
        assert len(busy.stderr_lines) == 1 and str(first.pid) in busy.stderr, busy.stderr
        assert "Traceback" not in busy.stderr
        os.kill(first.pid, sig)
        stopped = _finish(first)
    finally:
        if first.poll() is None:
            first.kill()
            first.wait()
    assert stopped.exit_code == 75, stopped.stderr
    assert "Traceback" not in stopped.stderr
    assert "resume" in stopped.stderr
    assert _last_run(world)[:2] == ("interrupted", 75)
    blocked_so_far = dict(world.block_calls())
    assert blocked_so_far and all(n == 1 for n in blocked_so_far.values())
    rows = db_rows(world.db, "SELECT user_id FROM block_history WHERE status = 'blocked'")
    assert set(blocked_so_far) <= {str(r[0]) for r in rows}  # every landed block is recorded
    resumed = invoke(world.args("--all", "--auto-retry"))
    assert resumed.exit_code == 0, resumed.stderr
    world.assert_matches_truth()


def test_busy_database_is_not_touched(tmp_path: Path, emulator_factory: Factory) -> None:
    world = make_world(emulator_factory, tmp_path)
    first = start_module(world.args("--all", delay="60"), cwd=tmp_path)
    try:
        wait_for(lambda: _holder_pid(world) == first.pid, "the run lock")
        wait_for(lambda: sum(world.block_calls().values()) >= 1, "the first block call")
        for args in (["--all"], ["--retry"], ["--dry-run", "--all"], ["--reset-retry"]):
            busy = invoke(world.args(*args))
            assert busy.exit_code == 5, (args, busy.stderr)
            assert str(first.pid) in busy.stderr
        stats = invoke(world.args("--stats", "--json"))  # read-only: works during a run
        assert stats.exit_code == 0, stats.stderr
        assert json.loads(stats.stdout)["last_run"]["state"] == "running"
    finally:
        first.kill()
        first.wait()
        if first.stdout is not None:
            first.stdout.close()
        if first.stderr is not None:
            first.stderr.close()
    assert sum(world.block_calls().values()) == 1  # nobody else sent a block meanwhile
    assert db_rows(world.db, "SELECT COUNT(*) FROM process_log") == [(1,)]  # no run was started


def test_kill_9_mid_run_then_resume_blocks_nobody_twice(
    tmp_path: Path, emulator_factory: Factory
) -> None:
    world = make_world(emulator_factory, tmp_path, population=40, latency_ms=20.0)
    first = start_module(world.args("--all", "--auto-retry", delay="0.1"), cwd=tmp_path)
    killed_when(first, lambda: sum(world.block_calls().values()) >= 4, "four block calls")
    assert first.returncode == -signal.SIGKILL
    landed = dict(world.block_calls())
    resumed = invoke(world.args("--all", "--auto-retry"))
    assert resumed.exit_code == 0, resumed.stderr
    world.assert_matches_truth()  # includes: no target received two block calls
    assert all(world.block_calls()[uid] == 1 for uid in landed)


def test_max_wait_stops_with_75_instead_of_waiting_for_the_window(
    tmp_path: Path, emulator_factory: Factory
) -> None:
    world = make_world(
        emulator_factory, tmp_path, window_seconds=600.0, limits={"blocks/create": 3}
    )
    result = invoke(world.args("--all", "--max-wait", "2"))
    assert result.exit_code == 75, result.stderr
    assert "Traceback" not in result.stderr
    assert "resume" in result.stderr
    assert sum(world.block_calls().values()) == 3  # never walked into the spent window
    assert world.emu.state()["calls"]["blocks/create"].get("429", 0) == 0
    assert _last_run(world)[:2] == ("interrupted", 75)


def test_sigterm_while_waiting_for_the_rate_window_then_resume(
    tmp_path: Path, emulator_factory: Factory
) -> None:
    world = make_world(
        emulator_factory, tmp_path, population=10, window_seconds=3.0, limits={"blocks/create": 5}
    )
    first = start_module(world.args("--all", "--auto-retry"), cwd=tmp_path)
    try:
        wait_for(lambda: sum(world.block_calls().values()) >= 5, "a spent block window")
        time.sleep(0.5)  # into the wait for the window's reset
        first.send_signal(signal.SIGTERM)
        stopped = _finish(first)
    finally:
        if first.poll() is None:
            first.kill()
            first.wait()
    assert stopped.exit_code == 75, stopped.stderr
    assert "waiting" in stopped.stderr  # the wait and its reason were shown
    assert sum(world.block_calls().values()) == 5
    assert world.emu.state()["calls"]["blocks/create"].get("429", 0) == 0
    resumed = invoke(world.args("--all", "--auto-retry"))
    assert resumed.exit_code == 0, resumed.stderr
    world.assert_matches_truth()
    assert world.emu.state()["calls"]["blocks/create"].get("429", 0) == 0


def test_damaged_database_is_one_line_exit_1_and_left_alone(
    tmp_path: Path, emulator_factory: Factory
) -> None:
    world = make_world(emulator_factory, tmp_path)
    garbage = b"this is not an SQLite database\n" * 64
    world.db.write_bytes(garbage)
    for args in (["--all"], ["--stats"], ["--retry"]):
        result = invoke(world.args(*args))
        assert result.exit_code == 1, (args, result.stderr)
        lines = result.stderr_lines
        assert len(lines) == 1 and lines[0].startswith("error: "), lines
        assert str(world.db) in lines[0] and "db recover" in lines[0], lines[0]
    assert world.db.read_bytes() == garbage
    assert world.block_calls() == {}


def test_second_sigint_abandons_the_request_in_flight_and_still_exits_75(
    tmp_path: Path, emulator_factory: Factory
) -> None:
    world = make_world(emulator_factory, tmp_path, latency_ms=3000.0)
    first = start_module(world.args("--all", "--auto-retry"), cwd=tmp_path)
    try:
        wait_for(lambda: _holder_pid(world) == first.pid, "the run lock")
        time.sleep(0.5)  # the first lookup is in flight (3 s latency)
        first.send_signal(signal.SIGINT)
        time.sleep(0.2)
        first.send_signal(signal.SIGINT)
        stopped = _finish(first)
    finally:
        if first.poll() is None:
            first.kill()
            first.wait()
    assert stopped.exit_code == 75, stopped.stderr
    assert "Traceback" not in stopped.stderr
    last = stopped.stderr_lines[-1]
    assert last.startswith("error: ") and "interrupted" in last and "resume" in last, last
    assert _last_run(world)[:2] == ("interrupted", 75)
    world.emu.set_switches(latency_ms=0.0)
    resumed = invoke(world.args("--all", "--auto-retry"))
    assert resumed.exit_code == 0, resumed.stderr
    world.assert_matches_truth()
