"""What a new user sees: the bare command, plain output in pipes, the ETA, counts that add up,
and a log whose last lines say what happened (issue 9, items 7-9, 17-19)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from test_cli_support import (
    _restore_process_state,  # noqa: F401  (autouse fixture)
    db_rows,
    invoke,
    make_world,
    run_module,
    snapshot,
)

from twitter_blocker.emulator import Emulator

Factory = Callable[..., Emulator]


# --- item 18: a bare command blocks nobody ------------------------------------------------------


def test_bare_command_shows_what_a_run_would_do_and_blocks_nobody(
    tmp_path: Path, emulator_factory: Factory
) -> None:
    world = make_world(emulator_factory, tmp_path)
    before = snapshot(world.data)
    for extra in ([], ["--delay", "5.0"]):
        result = invoke(world.args(*extra))
        assert result.exit_code == 0, result.stderr
        out = result.stdout + result.stderr
        total = len(world.truth["targets"])
        assert f"{total} targets" in out
        assert "nobody was blocked" in out
        for command in ("--dry-run --all", "--max-users 5", "--all --auto-retry", "--stats"):
            assert f"twitter-blocker {command}" in out, command
    assert (
        world.emu.state()["calls"] == {}
        or sum(sum(v.values()) for v in world.emu.state()["calls"].values()) == 0
    )
    assert world.block_calls() == {}
    assert snapshot(world.data) == before  # nothing written: no database, no cache, no log
    assert not world.db.exists()


def test_bare_command_in_an_empty_directory_says_what_is_missing(tmp_path: Path) -> None:
    result = invoke(["--data-dir", str(tmp_path)])
    assert result.exit_code == 0, result.stderr
    out = result.stdout + result.stderr
    assert "cookies.json" in out and "not found" in out
    assert "users.json" in out
    assert list(tmp_path.iterdir()) == []


def test_bare_command_after_a_run_counts_what_is_left(
    tmp_path: Path, emulator_factory: Factory
) -> None:
    world = make_world(emulator_factory, tmp_path)
    assert invoke(world.args("--max-users", "3")).exit_code == 0
    calls = world.emu.state()["calls"]
    result = invoke(world.args())
    assert result.exit_code == 0, result.stderr
    total = len(world.truth["targets"])
    assert f"{total - 3} pending" in result.stdout
    assert world.emu.state()["calls"] == calls  # no API call at all


# --- item 17: piped output has no width limit and no repeats ------------------------------------


def test_piped_stats_are_not_wrapped(tmp_path: Path, emulator_factory: Factory) -> None:
    world = make_world(emulator_factory, tmp_path)
    assert invoke(world.args("--all", "--auto-retry")).exit_code == 0
    result = run_module(world.args("--stats"), cwd=tmp_path, env={"COLUMNS": "40"})
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert any(line.startswith("Retry candidates: ") and "unconfirmed: 0" in line for line in lines)
    assert any(line.startswith("Last run #1: ") and "API calls" in line for line in lines)


def test_piped_progress_prints_the_final_line_once(
    tmp_path: Path, emulator_factory: Factory
) -> None:
    world = make_world(emulator_factory, tmp_path)
    result = run_module(world.args("--all", "--auto-retry"), cwd=tmp_path)
    assert result.exit_code == 0, result.stderr
    lines = result.stderr_lines
    assert len(lines) == len(set(lines)), lines  # no line printed twice
    total = len(world.truth["targets"])
    assert sum(line.startswith(f"[main] {total}/{total}") for line in lines) == 1, lines


@pytest.mark.parametrize("twid", [True, False])
def test_revoked_cookies_say_nothing_of_nothing_to_do_or_empty_progress(
    tmp_path: Path, emulator_factory: Factory, twid: bool
) -> None:
    """Item 7: X rejects the cookies at the first call (the viewer lookup without twid)."""
    world = make_world(emulator_factory, tmp_path)
    cookies = json.loads((world.data / "cookies.json").read_text())
    cookies = [c for c in cookies if twid or c["name"] != "twid"]
    for cookie in cookies:
        if cookie["name"] == "auth_token":
            cookie["value"] = "0" * len(cookie["value"])
    (world.data / "cookies.json").write_text(json.dumps(cookies))
    result = run_module(world.args("--all"), cwd=tmp_path)
    assert result.exit_code == 3, result.stderr
    assert "[] 0/0" not in result.stderr
    assert "nothing to do" not in result.stderr, result.stderr
    assert len(result.stderr_lines) == len(set(result.stderr_lines)), result.stderr
    assert result.stderr_lines[-1].startswith("error: X rejected the session cookies")


# --- item 9: counts that add up -----------------------------------------------------------------


def _last_run(db: Path) -> tuple[int, int, int, int]:
    rows = db_rows(db, "SELECT targets, blocked, skipped, failed FROM process_log ORDER BY id")
    targets, blocked, skipped, failed = rows[-1]
    return int(targets), int(blocked), int(skipped), int(failed)


def test_a_target_retried_is_counted_once(tmp_path: Path, emulator_factory: Factory) -> None:
    from test_engine_support import run, workspace

    emu = emulator_factory(population=40, window_seconds=5.0, error_5xx_rate=0.2, seed=3)
    paths = workspace(emu, tmp_path)
    report = run(paths, emu, limit=None, auto_retry=True, retry_base=0.01, retry_cap=0.02)
    assert report.exit_code == 0
    assert report.counts["failed_temporary"] > 0  # some targets failed, then were retried
    targets, blocked, skipped, failed = _last_run(paths.db)
    assert targets == len(emu.truth()["targets"])
    assert blocked + skipped + failed == targets


def test_stats_after_a_dry_run_mark_it_and_call_nothing_blocked(
    tmp_path: Path, emulator_factory: Factory
) -> None:
    world = make_world(emulator_factory, tmp_path)
    assert run_module(world.args("--dry-run", "--all"), cwd=tmp_path).exit_code == 0
    plan = json.loads((world.data / "dry_run_report.json").read_text())
    stats = run_module(world.args("--stats"), cwd=tmp_path)
    line = next(x for x in stats.stdout.splitlines() if x.startswith("Last run #1"))
    assert "dry run" in line, line
    assert "blocked" not in line.replace("nothing blocked", ""), line
    would = sum(1 for p in plan["plan"] if p["action"] == "block")
    assert f"would block {would}" in line, line
    targets, blocked, skipped, failed = _last_run(world.db)
    assert blocked + skipped + failed == targets


# --- item 19: a log that says what happened -----------------------------------------------------


def test_the_log_names_every_decision_and_keeps_pacing_waits_out(
    tmp_path: Path, emulator_factory: Factory
) -> None:
    world = make_world(emulator_factory, tmp_path, population=8)
    result = invoke(world.args("--all", delay="1.0"))
    assert result.exit_code == 0, result.stderr
    log = (world.data / "twitter_blocker.log").read_text(encoding="utf-8")
    lines = log.splitlines()
    assert not [x for x in lines if "--delay pacing" in x]  # short waits are DEBUG only
    tail = "\n".join(lines[-50:])
    decisions = [x for x in lines if " INFO " in x and "decision" in x]
    assert len(decisions) == len(world.truth["targets"]), decisions
    words = {
        "blocked": "blocked",
        "already_blocked": "already blocked",
        "skipped_following": "skipped",
        "skipped_follower": "skipped",
        "suspended": "failed",
        "not_found": "failed",
        "deactivated": "failed",
    }
    for target in world.truth["targets"]:
        line = next(x for x in decisions if f"@{target['screen_name']} " in x)
        assert line in tail
        assert f"id {target['user_id']}" in line, line
        assert words[target["expected"]] in line, (target, line)
    for secret in world.secrets():
        assert secret not in log
