"""Run modes through the CLI: --max-users, --dry-run, --retry, --auto-retry, --reset-retry,
--test-user and --skip-invalid, against the emulator over loopback."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from test_cli_support import (
    World,
    _restore_process_state,  # noqa: F401  (autouse fixture)
    db_rows,
    invoke,
    make_world,
)

from twitter_blocker.emulator import Emulator

Factory = Callable[..., Emulator]


def _decided(world: World) -> int:
    rows = db_rows(world.db, "SELECT COUNT(*) FROM block_history WHERE status != 'pending'")
    return int(rows[0][0])


def _temporary_failures(world: World) -> list[tuple[Any, ...]]:
    return db_rows(
        world.db,
        "SELECT id, attempts, next_attempt_at, reason FROM block_history "
        "WHERE status = 'failed' AND reason LIKE 'error:%'",
    )


@pytest.mark.parametrize(
    ("flags", "limit"),
    [(["--max-users", "5"], 5), (["--max-users", "3"], 3), (["--all", "--max-users", "4"], 4)],
)
def test_test_run_processes_at_most_n_targets(
    tmp_path: Path, emulator_factory: Factory, flags: list[str], limit: int
) -> None:
    world = make_world(emulator_factory, tmp_path)
    result = invoke(world.args(*flags))
    assert result.exit_code == 0, result.stderr
    assert _decided(world) == limit
    assert sum(world.block_calls().values()) <= limit
    pending = db_rows(world.db, "SELECT COUNT(*) FROM block_history WHERE status = 'pending'")
    assert pending[0][0] > 0
    # the whole list afterwards: the test run's targets are not looked at again
    whole = invoke(world.args("--all", "--auto-retry"))
    assert whole.exit_code == 0, whole.stderr
    world.assert_matches_truth()


def test_dry_run_blocks_nobody_and_writes_the_report(
    tmp_path: Path, emulator_factory: Factory
) -> None:
    world = make_world(emulator_factory, tmp_path)
    blocked_before = list(world.account()["blocked"])
    result = invoke(world.args("--dry-run", "--all"))
    assert result.exit_code == 0, result.stderr
    assert world.calls("blocks/create") == 0
    assert world.block_calls() == {}
    assert world.account()["blocked"] == blocked_before
    report = json.loads((world.data / "dry_run_report.json").read_text())
    plan = report["plan"]
    truth = world.truth["targets"]
    assert len(plan) == len(truth)
    would_block = {p["user_id"] for p in plan if p["action"] == "block"}
    expected = {str(t["user_id"]) for t in truth if t["expected"] == "blocked"}
    assert would_block == expected
    assert f"would block {len(expected)} accounts" in result.stderr
    # a real run afterwards still blocks exactly the expected set
    real = invoke(world.args("--all", "--auto-retry"))
    assert real.exit_code == 0, real.stderr
    world.assert_matches_truth()


def _fail_some(world: World, n: int) -> list[int]:
    """``n`` test runs of one target each while X answers 503: ``n`` temporary failures."""
    world.emu.set_switches(error_5xx_rate=1.0)
    for _ in range(n):
        result = invoke(world.args("--max-users", "1"))
        assert result.exit_code == 75, result.stderr  # X never answered: not "done"
    world.emu.set_switches(error_5xx_rate=0.0)
    failed = [int(row[0]) for row in _temporary_failures(world)]
    assert len(failed) == n, failed
    return failed


def test_retry_pass_alone_really_blocks(tmp_path: Path, emulator_factory: Factory) -> None:
    world = make_world(emulator_factory, tmp_path)
    failed = _fail_some(world, 2)
    assert world.block_calls() == {}
    retry = invoke(world.args("--retry"))
    assert retry.exit_code == 0, retry.stderr
    assert "[retry]" in retry.stderr and "[main]" not in retry.stderr
    assert not _temporary_failures(world)
    retried = db_rows(
        world.db,
        f"SELECT user_id FROM block_history WHERE id IN ({failed[0]}, {failed[1]}) "
        "AND status = 'blocked'",
    )
    assert {str(r[0]) for r in retried} <= set(world.block_calls())
    assert _decided(world) == 2  # --retry touched nobody else
    assert invoke(world.args("--all")).exit_code == 0
    world.assert_matches_truth()


def test_reset_retry_keeps_everyone_queued(tmp_path: Path, emulator_factory: Factory) -> None:
    world = make_world(emulator_factory, tmp_path)
    failed = _fail_some(world, 3)
    reset = invoke(world.args("--reset-retry"))
    assert reset.exit_code == 0, reset.stderr
    assert "3 targets" in reset.stdout
    after = _temporary_failures(world)
    assert [int(row[0]) for row in after] == failed  # nobody left the queue
    assert all(int(row[1]) == 0 and row[2] is None for row in after)  # and all are due now
    assert world.block_calls() == {}  # --reset-retry alone calls nobody
    assert invoke(world.args("--retry", "--reset-retry")).exit_code == 0
    assert not _temporary_failures(world)
    assert invoke(world.args("--all")).exit_code == 0
    world.assert_matches_truth()


def test_retry_with_max_users_takes_that_many_candidates(
    tmp_path: Path, emulator_factory: Factory
) -> None:
    world = make_world(emulator_factory, tmp_path)
    failed = _fail_some(world, 3)
    assert invoke(world.args("--reset-retry")).exit_code == 0
    result = invoke(world.args("--retry", "--max-users", "1"))
    assert result.exit_code == 0, result.stderr
    assert [int(row[0]) for row in _temporary_failures(world)] == failed[1:]


def test_auto_retry_runs_the_retry_pass_after_the_main_pass(
    tmp_path: Path, emulator_factory: Factory
) -> None:
    world = make_world(emulator_factory, tmp_path)
    failed = _fail_some(world, 2)
    assert invoke(world.args("--reset-retry")).exit_code == 0  # due now: no backoff wait here
    plain = invoke(world.args("--all"))  # without --auto-retry: failures stay for later
    assert plain.exit_code == 0, plain.stderr
    assert "[retry]" not in plain.stderr
    assert [int(row[0]) for row in _temporary_failures(world)] == failed
    result = invoke(world.args("--all", "--auto-retry"))
    assert result.exit_code == 0, result.stderr
    assert "[retry]" in result.stderr  # the retry pass ran in the same command
    assert not _temporary_failures(world)
    world.assert_matches_truth()


def test_test_user_is_read_only(tmp_path: Path, emulator_factory: Factory) -> None:
    world = make_world(emulator_factory, tmp_path)
    target = next(t for t in world.truth["targets"] if t["expected"] == "blocked")
    result = invoke(world.args("--test-user", f"@{target['screen_name']}"))
    assert result.exit_code == 0, result.stderr
    assert str(target["user_id"]) in result.stdout
    assert "a run would:   block" in result.stdout
    assert "blocking:      no" in result.stdout
    assert world.calls("blocks/create") == 0 and world.calls("blocks/destroy") == 0
    assert not world.db.exists()  # read-only: no ledger is created
    follower = next(t for t in world.truth["targets"] if t["expected"] == "skipped_follower")
    result = invoke(world.args("--test-user", str(follower["user_id"])))
    assert result.exit_code == 0, result.stderr
    assert "follows you:   yes" in result.stdout and "skip" in result.stdout
    assert world.calls("blocks/create") == 0


def test_skip_invalid_runs_and_reports_the_line(tmp_path: Path, emulator_factory: Factory) -> None:
    world = make_world(emulator_factory, tmp_path)
    handles = [t["identifier"] for t in world.truth["targets"]][:6]
    lines = [*handles[:3], "not a handle!", *handles[3:]]
    users = world.data / "users.txt"
    users.write_text("\n".join(lines) + "\n", encoding="utf-8")
    strict = invoke(world.args("--all", "--users-file", str(users)))
    assert strict.exit_code == 2 and f"{users}:4" in strict.stderr, strict.stderr
    assert not world.db.exists()
    result = invoke(world.args("--all", "--skip-invalid", "--users-file", str(users)))
    assert result.exit_code == 0, result.stderr
    rows = db_rows(world.db, "SELECT COUNT(*) FROM block_history")
    assert rows == [(6,)]
    assert _decided(world) == 6
    assert f"{users}:4" in result.stderr or "line 4" in result.stderr, result.stderr


def test_duplicates_are_merged_and_reported(tmp_path: Path, emulator_factory: Factory) -> None:
    world = make_world(emulator_factory, tmp_path)
    blocked = [t for t in world.truth["targets"] if t["expected"] == "blocked"]
    first, second, third = blocked[:3]
    lines = [
        first["screen_name"],
        second["screen_name"],
        "@" + str(first["screen_name"]).upper(),  # line 3: the same handle, other case
        f"https://x.com/{second['screen_name']}",  # line 4: the same account as a profile URL
        third["screen_name"],
    ]
    users = world.data / "users.txt"
    users.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = invoke(world.args("--all", "--users-file", str(users)))
    assert result.exit_code == 0, result.stderr
    assert db_rows(world.db, "SELECT COUNT(*) FROM block_history") == [(3,)]
    assert sum(world.block_calls().values()) == 3
    assert db_rows(world.db, "SELECT COUNT(*) FROM block_history WHERE status = 'blocked'") == [
        (3,)
    ]
    assert "duplicate" in result.stderr and f"{users}:3" in result.stderr, result.stderr


def test_test_user_with_rejected_cookies_exits_3_with_the_fix(
    tmp_path: Path, emulator_factory: Factory
) -> None:
    world = make_world(emulator_factory, tmp_path)
    cookie_file = world.data / "cookies.json"
    old = cookie_file.read_bytes()
    world.emu.renew_cookies(0)
    cookie_file.write_bytes(old)
    result = invoke(world.args("--test-user", str(world.truth["targets"][0]["identifier"])))
    assert result.exit_code == 3, result.stderr
    lines = result.stderr_lines
    assert len(lines) == 1 and lines[0].startswith("error: "), lines
    for words in ("auth_token", "ct0", "export", "x.com"):
        assert words in lines[0], (words, lines[0])


@pytest.mark.parametrize(("state", "code"), [("locked", "326"), ("suspended", "64")])
def test_test_user_on_a_locked_account_exits_4_saying_unlock_first(
    tmp_path: Path, emulator_factory: Factory, state: str, code: str
) -> None:
    world = make_world(emulator_factory, tmp_path)
    world.emu.set_account_state(0, state)
    result = invoke(world.args("--test-user", str(world.truth["targets"][0]["identifier"])))
    assert result.exit_code == 4, result.stderr
    lines = result.stderr_lines
    assert len(lines) == 1 and lines[0].startswith("error: "), lines
    assert f"code {code}" in lines[0] and "at https://x.com first" in lines[0], lines[0]
