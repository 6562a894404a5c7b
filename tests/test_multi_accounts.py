"""Several accounts in one process (issue 14): ``--data-dir`` given several times.

Each data directory is its own account (cookies, ledger, logs, lock, budgets); what one
account proves about a target is shared, relationships and blocks are not; a failure stays
with its account and the exit code is the most severe.
"""

from __future__ import annotations

import json
import shutil
import signal
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from test_cli_support import (
    _restore_process_state,  # noqa: F401  (autouse fixture)
    db_rows,
    invoke,
    start_module,
)

from twitter_blocker.cli.multirun import print_accounts
from twitter_blocker.config import Paths
from twitter_blocker.emulator import Emulator
from twitter_blocker.engine.accounts import AccountOutcome, MultiReport, most_severe
from twitter_blocker.engine.facts import FactsCounts
from twitter_blocker.engine.runtypes import RunReport
from twitter_blocker.inputs.normalize import fold_handle
from twitter_blocker.verify import (
    blocked_set_diff,
    compare_db_with_truth,
    doubly_blocked,
    expected_blocked_ids,
)

Factory = Callable[..., Emulator]
FINAL_KINDS = {"suspended", "deactivated", "never_existed", "renamed"}


def _accounts(emu: Emulator, tmp: Path, n: int) -> tuple[Path, list[Path]]:
    """The fixture in ``tmp/fixture``; one data directory per viewer with its cookies only."""
    fixture = tmp / "fixture"
    emu.write_fixture(fixture)
    dirs = []
    for index in range(n):
        data = tmp / f"acct{index}"
        data.mkdir()
        name = "cookies.json" if index == 0 else f"cookies_{index}.json"
        shutil.copy(fixture / name, data / "cookies.json")
        dirs.append(data)
    return fixture, dirs


def _args(emu: Emulator, dirs: list[Path], *extra: str) -> list[str]:
    args = [arg for d in dirs for arg in ("--data-dir", str(d))]
    return [*args, "--api-base", emu.base_url, "--delay", "0", *extra]


def _viewer_state(emu: Emulator, truth: dict[str, Any]) -> dict[str, Any]:
    account: dict[str, Any] = emu.state()["accounts"][str(truth["viewer"]["user_id"])]
    return account


def _blocked_before(emu: Emulator, n: int) -> list[set[str]]:
    """Each viewer's blocks before the run (another viewer may block a suspended target)."""
    return [set(_viewer_state(emu, emu.truth(index))["blocked"]) for index in range(n)]


def _assert_matches(emu: Emulator, db: Path, truth: dict[str, Any], before: set[str]) -> None:
    comparison = compare_db_with_truth(db, truth, by_id=False)
    assert comparison.ok, comparison.mismatches[:10]
    assert comparison.checked == len(truth["targets"])
    account = _viewer_state(emu, truth)
    expected = expected_blocked_ids(truth) | before
    extra, missing = blocked_set_diff(account["blocked"], expected)
    assert not extra and not missing, (extra, missing)
    assert doubly_blocked(account["block_calls"]) == []


def _secrets(emu: Emulator, n: int) -> list[str]:
    return [
        str(c["value"])
        for index in range(n)
        for c in emu.cookies(index)
        if c["name"] in ("auth_token", "ct0")
    ]


def _last_run(db: Path) -> tuple[Any, ...]:
    rows = db_rows(db, "SELECT exit_code, end_reason FROM process_log ORDER BY id DESC LIMIT 1")
    return rows[0]


def test_the_fixture_writes_every_accounts_truth(tmp_path: Path, emulator_factory: Factory) -> None:
    emu = emulator_factory(population=40, viewers=3)
    fixture, _ = _accounts(emu, tmp_path, 3)
    for index in range(3):
        name = "truth.json" if index == 0 else f"truth_{index}.json"
        truth = json.loads((fixture / name).read_text())
        assert truth == emu.truth(index)
        viewer = emu.state()["accounts"][truth["viewer"]["user_id"]]
        assert viewer["index"] == index
    # each viewer has its own relationships, so the truths differ where those decide
    assert emu.truth(1)["targets"] != emu.truth(0)["targets"]


def test_three_accounts_one_run(tmp_path: Path, emulator_factory: Factory) -> None:
    emu = emulator_factory(population=60, viewers=3, window_seconds=30.0)
    fixture, dirs = _accounts(emu, tmp_path, 3)
    users = str(fixture / "users.json")
    before = _blocked_before(emu, 3)
    result = invoke(_args(emu, dirs, "--users-file", users, "--all", "--auto-retry"))
    assert result.exit_code == 0, result.stderr
    for index, data in enumerate(dirs):
        _assert_matches(emu, data / "block_history.db", emu.truth(index), before[index])
        assert _last_run(data / "block_history.db") == (0, "done")
        log = (data / "twitter_blocker.log").read_text()
        assert log.count(" ended: ") == 1, log  # its own account's records only
        for secret in _secrets(emu, 3):
            assert secret not in log
        assert data.name in result.stderr  # the report's table names every account
    # Facts are shared: every handle of the list was looked up by one account only, and a
    # target whose state is a fact (suspended, gone, a handle given up) by one account only.
    lookups = {int(k): v for k, v in emu.lookups().items()}
    for target in emu.truth(0)["targets"]:
        handle = fold_handle(target["identifier"])
        askers = [v for v, keys in lookups.items() if handle in keys]
        assert len(askers) == 1, (target, askers)
        if target["kind"] in FINAL_KINDS:
            uid = target["user_id"]
            by_id = [v for v, keys in lookups.items() if uid is not None and uid in keys]
            assert set(by_id) <= set(askers), (target, by_id, askers)
    # a second run finds nothing to do in any account and calls X for nothing
    calls = sum(sum(c.values()) for c in emu.state()["calls"].values())
    again = invoke(_args(emu, dirs, "--users-file", users, "--all", "--auto-retry"))
    assert again.exit_code == 0, again.stderr
    assert sum(sum(c.values()) for c in emu.state()["calls"].values()) == calls


def test_a_lock_stops_one_account_and_the_others_finish(
    tmp_path: Path, emulator_factory: Factory
) -> None:
    emu = emulator_factory(population=60, viewers=3, window_seconds=30.0)
    emu.set_switches(lock_after=3, lock_viewer=2)
    fixture, dirs = _accounts(emu, tmp_path, 3)
    before = _blocked_before(emu, 3)
    result = invoke(
        _args(emu, dirs, "--users-file", str(fixture / "users.json"), "--all", "--auto-retry")
    )
    assert result.exit_code == 4, result.stderr  # the most severe: an account locked
    for index in (0, 1):
        db = dirs[index] / "block_history.db"
        _assert_matches(emu, db, emu.truth(index), before[index])
        assert _last_run(dirs[index] / "block_history.db") == (0, "done")
    locked = dirs[2] / "block_history.db"
    assert _last_run(locked) == (4, "account_locked")
    assert len(_viewer_state(emu, emu.truth(2))["blocked"]) >= 3
    assert "account_locked" in result.stderr and "Traceback" not in result.stderr


def test_most_severe_exit_code() -> None:
    assert most_severe([0, 75, 0]) == 75
    assert most_severe([75, 5, 3]) == 3
    assert most_severe([3, 4, 0]) == 4
    assert most_severe([4, 2]) == 2
    assert most_severe([2, 1, 75]) == 1
    assert most_severe([]) == 0


def test_stats_and_ops_commands_show_one_row_per_account(
    tmp_path: Path, emulator_factory: Factory
) -> None:
    emu = emulator_factory(population=20, viewers=2, window_seconds=30.0)
    fixture, dirs = _accounts(emu, tmp_path, 2)
    users = str(fixture / "users.json")
    assert invoke(_args(emu, dirs, "--users-file", users, "--all")).exit_code == 0
    stats = invoke(_args(emu, dirs, "--stats", "--json"))
    assert stats.exit_code == 0, stats.stderr
    payload = json.loads(stats.stdout)
    assert sorted(payload) == ["acct0", "acct1"]
    for name, data in zip(("acct0", "acct1"), dirs, strict=True):
        alone = json.loads(invoke(["--data-dir", str(data), "--stats", "--json"]).stdout)
        assert payload[name]["by_status"] == alone["by_status"]
        assert payload[name]["data_dir"] == str(data)
    text = invoke(_args(emu, dirs, "--stats"))
    assert text.exit_code == 0 and "acct0" in text.stdout and "acct1" in text.stdout
    dir_args = [arg for d in dirs for arg in ("--data-dir", str(d))]
    for command in (["health"], ["ratelimit"], ["diagnose"]):
        out = invoke([*command, *dir_args, "--json"])
        assert out.exit_code in (0, 1, 2), (command, out.stderr)
        assert sorted(json.loads(out.stdout)) == ["acct0", "acct1"], command
        table = invoke([*command, *dir_args])
        assert "acct0" in table.stdout and "acct1" in table.stdout, command


def test_one_data_dir_commands_refuse_several(tmp_path: Path) -> None:
    a, b = tmp_path / "a", tmp_path / "b"
    for args in (
        ["backup", "--data-dir", str(a), "--data-dir", str(b)],
        ["--data-dir", str(a), "--data-dir", str(b), "--cookies", str(a / "c.json"), "--all"],
        ["--data-dir", str(a), "--data-dir", str(b), "--test-user", "someone"],
        ["ratelimit", "--wait", "--data-dir", str(a), "--data-dir", str(b)],
    ):
        result = invoke(args)
        assert result.exit_code == 2, (args, result.stderr)
        assert len(result.stderr_lines) == 1 and result.stderr.startswith("error: "), args
        assert not a.exists() and not b.exists()


def test_two_directories_of_one_account_are_refused(
    tmp_path: Path, emulator_factory: Factory
) -> None:
    emu = emulator_factory(population=10, viewers=2)
    _, dirs = _accounts(emu, tmp_path, 2)
    shutil.copy(dirs[0] / "cookies.json", dirs[1] / "cookies.json")
    result = invoke(_args(emu, dirs, "--all"))
    assert result.exit_code == 2, result.stderr
    assert len(result.stderr_lines) == 1 and "acct0" in result.stderr
    assert not (dirs[0] / "block_history.db").exists()
    assert emu.state()["calls"] == {}


def test_a_ledger_of_another_account_is_refused_before_any_account_runs(
    tmp_path: Path, emulator_factory: Factory
) -> None:
    emu = emulator_factory(population=10, viewers=3)
    fixture, dirs = _accounts(emu, tmp_path, 3)
    users = str(fixture / "users.json")
    assert invoke(_args(emu, dirs[:2], "--users-file", users, "--all")).exit_code == 0
    shutil.copy(fixture / "cookies_2.json", dirs[1] / "cookies.json")  # acct1's ledger
    calls = emu.state()["calls"]
    result = invoke(_args(emu, [dirs[0], dirs[1]], "--users-file", users, "--all"))
    assert result.exit_code == 2, result.stderr
    lines = result.stderr_lines
    assert len(lines) == 1 and lines[0].startswith("error: "), lines
    own = emu.truth(1)["viewer"]["user_id"]
    other = emu.truth(2)["viewer"]["user_id"]
    assert own in lines[0] and other in lines[0]
    assert emu.state()["calls"] == calls


def test_one_directory_given_twice_is_one_account(
    tmp_path: Path, emulator_factory: Factory
) -> None:
    emu = emulator_factory(population=10, viewers=2)
    fixture, dirs = _accounts(emu, tmp_path, 1)
    (tmp_path / "link").symlink_to(dirs[0])
    args = _args(emu, [dirs[0], tmp_path / "link"], "--users-file", str(fixture / "users.json"))
    result = invoke([*args, "--all"])
    assert result.exit_code == 0, result.stderr
    assert "1 accounts" not in result.stderr and "2 accounts" not in result.stderr
    assert _last_run(dirs[0] / "block_history.db") == (0, "done")


def test_an_auth_failure_stops_its_account_only(tmp_path: Path, emulator_factory: Factory) -> None:
    emu = emulator_factory(population=20, viewers=3, window_seconds=30.0)
    fixture, dirs = _accounts(emu, tmp_path, 3)
    cookies = json.loads((dirs[2] / "cookies.json").read_text())
    for cookie in cookies:
        if cookie["name"] == "auth_token":
            cookie["value"] = "f" * 40  # a session X does not know (signed out elsewhere)
    (dirs[2] / "cookies.json").write_text(json.dumps(cookies))
    before = _blocked_before(emu, 3)
    result = invoke(_args(emu, dirs, "--users-file", str(fixture / "users.json"), "--all"))
    assert result.exit_code == 3, result.stderr  # the most severe: cookies to renew
    for index in (0, 1):
        _assert_matches(emu, dirs[index] / "block_history.db", emu.truth(index), before[index])
    assert _last_run(dirs[2] / "block_history.db") == (3, "auth_failed")
    assert "f" * 40 not in result.stderr


def test_a_signal_stops_every_account_resumably(tmp_path: Path, emulator_factory: Factory) -> None:
    emu = emulator_factory(population=20, viewers=2, window_seconds=30.0)
    fixture, dirs = _accounts(emu, tmp_path, 2)
    args = _args(emu, dirs, "--users-file", str(fixture / "users.json"), "--all")
    args[args.index("--delay") + 1] = "60"  # after its first block each account waits a minute
    proc = start_module(args, cwd=tmp_path)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            states = [_viewer_state(emu, emu.truth(i)) for i in range(2)]
            if all(sum(s["block_calls"].values()) >= 1 for s in states):
                break
            time.sleep(0.1)
        else:
            raise AssertionError("no block call in every account")
        proc.send_signal(signal.SIGINT)
        _out, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 75, err
    assert "Traceback" not in err
    for data in dirs:
        assert _last_run(data / "block_history.db") == (75, "interrupted")


def test_the_table_counts_temporary_failures_and_never_calls_them_work_left(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A run that ended ``done`` retried its temporary failures to a verdict: the column counts
    those failures as the one-account summary does, and never says anything is left to retry."""
    paths = Paths(tmp_path, tmp_path / "db", tmp_path / "c", tmp_path / "u", tmp_path / "cache")
    done = AccountOutcome("alice", paths, RunReport(counts={"failed_temporary": 3}))
    print_accounts(MultiReport([done], FactsCounts()))
    table = capsys.readouterr().err
    assert "temporary failures" in table and "retry" not in table
