"""`recover`: the runbook phases as child processes of our CLI, checked by exit code and db."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from twitter_blocker.cli.run import root
from twitter_blocker.config import resolve_paths
from twitter_blocker.emulator import Emulator
from twitter_blocker.errors import DatabaseBusyError
from twitter_blocker.ops.processes.recover import (
    EXIT_TIMEOUT,
    NORMAL_OPERATION,
    PHASES,
    Phase,
    recover,
)

FAST = (Phase(1, 1, 0.0, 60.0, "minimal test"), Phase(2, 5, 0.0, 60.0, "small batch"))


@pytest.fixture
def data_dir(tmp_path: Path, emulator: Emulator) -> Path:
    emulator.write_fixture(tmp_path)
    return tmp_path


def _block_calls(emulator: Emulator) -> dict[str, int]:
    calls: dict[str, int] = {}
    for account in emulator.state()["accounts"].values():
        calls.update(account.get("block_calls", {}))
    return calls


def test_runbook_phases_and_limits() -> None:
    assert [(p.max_users, p.delay, p.timeout) for p in PHASES] == [(1, 5.0, 30.0), (5, 3.0, 60.0)]


def test_dry_run_phases_pass_and_block_nobody(data_dir: Path, emulator: Emulator) -> None:
    args = ["recover", "--dry-run", "--data-dir", str(data_dir), "--api-base", emulator.base_url]
    result = CliRunner().invoke(root, args)
    assert result.exit_code == 0, result.output
    assert "phase 1 passed" in result.output and "phase 2 passed" in result.output
    assert NORMAL_OPERATION in result.output
    assert "nobody was blocked" in result.output
    assert _block_calls(emulator) == {}
    assert emulator.state()["calls"]  # the phases did look targets up


def test_real_phases_block_and_are_checked_in_the_db(data_dir: Path, emulator: Emulator) -> None:
    paths = resolve_paths(data_dir=data_dir, env={})
    result = recover(paths, emulator.base_url, phases=FAST)
    assert result.ok, [(p.reason, p.output_tail) for p in result.phases]
    assert [p.run.status for p in result.phases if p.run] == ["done", "done"]
    assert all(p.new_temporary_failures == 0 for p in result.phases)
    assert sum(p.decided for p in result.phases) >= 2
    assert all(count == 1 for count in _block_calls(emulator).values())
    assert "--data-dir" in result.phases[0].command and "--dry-run" not in result.phases[0].command


def test_rejected_cookies_stop_at_phase_1_with_its_exit_code(
    data_dir: Path, emulator: Emulator
) -> None:
    cookies = json.loads((data_dir / "cookies.json").read_text())
    for cookie in cookies:
        if cookie["name"] == "auth_token":
            cookie["value"] = "0" * 40
    (data_dir / "cookies.json").write_text(json.dumps(cookies))
    args = ["recover", "--dry-run", "--data-dir", str(data_dir), "--api-base", emulator.base_url]
    result = CliRunner().invoke(root, args)
    assert result.exit_code == 3, result.output
    assert "phase 1 failed (exit 3)" in result.output
    assert "phase 2" not in result.output
    assert NORMAL_OPERATION not in result.output
    for cookie in cookies:
        if cookie["name"] == "ct0":
            assert cookie["value"] not in result.output


def test_bad_target_list_fails_phase_1_with_exit_2(data_dir: Path, emulator: Emulator) -> None:
    (data_dir / "users.json").write_text("{not json")
    paths = resolve_paths(data_dir=data_dir, env={})
    result = recover(paths, emulator.base_url, dry_run=True, phases=FAST)
    assert not result.ok and result.exit_code == 2
    assert len(result.phases) == 1
    assert "users.json" in "\n".join(result.phases[0].output_tail)


def test_overrunning_phase_is_stopped_and_reported(data_dir: Path, emulator: Emulator) -> None:
    paths = resolve_paths(data_dir=data_dir, env={})
    slow = (Phase(1, 1, 0.0, 0.05, "minimal test"),)
    result = recover(paths, emulator.base_url, dry_run=True, phases=slow, grace=10.0)
    assert not result.ok and result.exit_code == EXIT_TIMEOUT
    assert "did not finish within" in result.reason and "phase 1" in result.reason
    assert result.phases[0].timed_out


def test_recover_refuses_while_a_run_holds_the_db(data_dir: Path, emulator: Emulator) -> None:
    code = textwrap.dedent(
        """
        import sys
        from pathlib import Path
        from twitter_blocker.proc.runlock import RunLock
        RunLock(Path(sys.argv[1])).acquire()
        print("ready", flush=True)
        sys.stdin.readline()
        """
    )
    lock = data_dir / "block_history.db.lock"
    child = subprocess.Popen(
        [sys.executable, "-c", code, str(lock)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert child.stdin is not None and child.stdout is not None
    try:
        assert child.stdout.readline().strip() == "ready"
        with pytest.raises(DatabaseBusyError):
            recover(resolve_paths(data_dir=data_dir, env={}), emulator.base_url, dry_run=True)
        args = ["recover", "--data-dir", str(data_dir), "--api-base", emulator.base_url]
        result = CliRunner().invoke(root, args)
        assert result.exit_code == 5
        assert str(child.pid) in result.output
    finally:
        child.stdin.close()
        child.wait(timeout=10)
        child.stdout.close()


def test_runbook_stats_one_liner_from_the_data_dir(data_dir: Path, emulator: Emulator) -> None:
    recover(resolve_paths(data_dir=data_dir, env={}), emulator.base_url, phases=FAST[:1])
    out = subprocess.run(
        [sys.executable, str(Path(__file__).resolve().parents[1] / "main.py"), "--stats"],
        cwd=data_dir,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.returncode == 0, out.stderr
    assert "blocked" in out.stdout or "skipped" in out.stdout


def test_a_second_dry_run_passes_when_every_lookup_is_cached(
    data_dir: Path, emulator: Emulator
) -> None:
    """Issue 9 item 2: a dry run answered from the lookup cache makes no call and decides
    nothing in the database; its run row still proves it looked at and decided targets."""
    paths = resolve_paths(data_dir=data_dir, env={})
    first = recover(paths, emulator.base_url, dry_run=True, phases=FAST)
    assert first.ok, [(p.reason, p.output_tail) for p in first.phases]
    calls = len(emulator.state()["calls"])
    second = recover(paths, emulator.base_url, dry_run=True, phases=FAST)
    assert second.ok, [(p.reason, p.output_tail) for p in second.phases]
    assert len(emulator.state()["calls"]) - calls <= 2  # answered from the cache
    assert all("dry run" in p.reason for p in second.phases)
    assert _block_calls(emulator) == {}


def test_a_dry_run_after_a_real_recovery_passes(data_dir: Path, emulator: Emulator) -> None:
    paths = resolve_paths(data_dir=data_dir, env={})
    assert recover(paths, emulator.base_url, phases=FAST).ok
    after = recover(paths, emulator.base_url, dry_run=True, phases=FAST)
    assert after.ok, [(p.reason, p.output_tail) for p in after.phases]
