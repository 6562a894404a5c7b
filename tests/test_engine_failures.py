"""Failures end to end: transient errors, capped retries, auth, locks, session kills, bans,
and secrets that must never reach a file."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from test_engine_support import (
    block_calls,
    db_query,
    mismatches,
    op_calls,
    run,
    statuses,
    workspace,
)

from twitter_blocker import logs
from twitter_blocker.emulator import Emulator
from twitter_blocker.engine.runner import AccountStopped, AuthStopped
from twitter_blocker.inputs.cookies import load_cookies

Factory = Callable[..., Emulator]
FAST_RETRY = {"retry_base": 0.01, "retry_cap": 0.05}


def test_transient_errors_are_retried_until_every_target_is_right(
    emulator_factory: Factory, tmp_path: Path
) -> None:
    emu = emulator_factory(population=80, error_5xx_rate=0.25, loadshed_rate=0.05)
    paths = workspace(emu, tmp_path)
    report = run(paths, emu, auto_retry=True, **FAST_RETRY)
    assert (report.end_reason, report.exit_code) == ("done", 0)
    assert report.counts["failed_temporary"] > 0  # the faults really happened
    assert statuses(emu)["503"] > 0
    assert mismatches(paths) == []
    assert max(block_calls(emu).values()) == 1
    failed = db_query(
        paths,
        "SELECT count(*) FROM block_history WHERE status = 'failed'"
        " AND user_status NOT IN ('suspended', 'not_found')",
    )
    assert failed == [(0,)]
    errors = paths.error_log.read_text().splitlines()
    assert errors and all(json.loads(line)["http_status"] == 503 for line in errors)


def test_dropped_block_answers_are_verified_not_repeated(
    emulator_factory: Factory, tmp_path: Path
) -> None:
    emu = emulator_factory(population=60, drop_rate=0.3)
    paths = workspace(emu, tmp_path)
    report = run(paths, emu, auto_retry=True, **FAST_RETRY)
    assert report.exit_code == 0
    assert statuses(emu)["dropped"] > 0
    assert mismatches(paths) == []
    assert max(block_calls(emu).values()) == 1  # a landed block behind a dropped answer


def test_retries_stop_at_max_attempts_and_reset_retry_requeues(
    emulator_factory: Factory, tmp_path: Path
) -> None:
    emu = emulator_factory(population=8, error_5xx_rate=1.0)
    paths = workspace(emu, tmp_path)
    report = run(paths, emu, auto_retry=True, max_attempts=3, **FAST_RETRY)
    # X never answered once: not "done" (issue 8), but the attempts still stop at 3
    assert (report.end_reason, report.exit_code) == ("no_answer", 75)
    rows = db_query(paths, "SELECT status, attempts, reason FROM block_history")
    assert len(rows) == 8
    assert all(r == ("failed", 3, "error:503/130") for r in rows)
    calls = sum(statuses(emu).values())
    again = run(paths, emu, mode="retry", max_attempts=3, **FAST_RETRY)
    assert again.api_calls == {} and sum(statuses(emu).values()) == calls
    emu.set_switches(error_5xx_rate=0.0)
    healed = run(paths, emu, mode="retry", max_attempts=3, reset_retry=True)
    assert healed.exit_code == 0
    assert mismatches(paths) == []


def test_rejected_cookies_stop_at_once_with_exit_3(emulator: Emulator, tmp_path: Path) -> None:
    paths = workspace(emulator, tmp_path)
    exported = json.loads(paths.cookies.read_text())
    for cookie in exported:
        if cookie["name"] == "auth_token":
            cookie["value"] = "0" * 40
    paths.cookies.write_text(json.dumps(exported))
    with pytest.raises(AuthStopped) as info:
        run(paths, emulator)
    assert info.value.exit_code == 3
    assert info.value.report.end_reason == "auth_failed"
    assert "export auth_token and ct0" in str(info.value)
    assert sum(statuses(emulator).values()) == 1  # one refused call, no retry
    assert db_query(paths, "SELECT status, exit_code, end_reason FROM process_log") == [
        ("failed", 3, "auth_failed")
    ]


def test_a_session_kill_stops_and_remembers_how_many_blocks_preceded_it(
    emulator_factory: Factory, tmp_path: Path
) -> None:
    emu = emulator_factory(population=60, session_kill_after=7)
    paths = workspace(emu, tmp_path)
    with pytest.raises(AuthStopped) as info:
        run(paths, emu)
    report = info.value.report
    assert (report.end_reason, report.exit_code, report.blocks_before_stop) == (
        "session_killed",
        3,
        7,
    )
    assert "--max-blocks-per-hour" in str(info.value)
    events = db_query(paths, "SELECT kind, detail FROM pacing_events WHERE kind != 'block'")
    assert events == [("session_killed", json.dumps({"blocks": 7}))]
    assert len(block_calls(emu)) == 7
    # after a fresh login the run resumes where it stopped
    emu.renew_cookies(0)
    emu.write_fixture(tmp_path / "fresh")
    (tmp_path / "fresh" / "cookies.json").replace(paths.cookies)
    emu.set_switches(session_kill_after=None)
    assert run(paths, emu, auto_retry=True).exit_code == 0
    assert mismatches(paths) == []
    assert max(block_calls(emu).values()) == 1


def test_a_locked_account_stops_with_exit_4_and_is_never_retried(
    emulator_factory: Factory, tmp_path: Path
) -> None:
    emu = emulator_factory(population=60, lock_after=5)
    paths = workspace(emu, tmp_path)
    with pytest.raises(AccountStopped) as info:
        run(paths, emu)
    assert info.value.exit_code == 4
    assert info.value.report.end_reason == "account_locked"
    assert info.value.report.blocks_before_stop == 5
    assert "unlock" in str(info.value).lower()
    assert db_query(paths, "SELECT kind FROM pacing_events WHERE kind != 'block'") == [("locked",)]
    calls = sum(statuses(emu).values())
    with pytest.raises(AccountStopped):
        run(paths, emu)
    assert sum(statuses(emu).values()) == calls + 1  # one refused call, then stop


def test_code_88_with_budget_left_is_a_ban_signal(
    emulator_factory: Factory, tmp_path: Path
) -> None:
    emu = emulator_factory(population=60, window_seconds=0.5, code88_after=2)
    paths = workspace(emu, tmp_path)
    report = run(paths, emu, ban_signal_limit=2, batch_size=10)
    assert (report.end_reason, report.exit_code) == ("ban_signal", 75)
    assert report.message is not None


def test_secrets_never_reach_a_file(emulator_factory: Factory, tmp_path: Path) -> None:
    emu = emulator_factory(population=40, error_5xx_rate=0.3)
    paths = workspace(emu, tmp_path)
    logger = logs.setup_logging(paths, debug=True)
    try:
        run(paths, emu, auto_retry=True, **FAST_RETRY)
        run(paths, emu, mode="dry_run")
    finally:
        for handler in list(logger.handlers):
            logger.removeHandler(handler)
            handler.close()
    cookies = load_cookies(paths.cookies)
    secrets = [cookies.auth_token, cookies.ct0]
    files = [p for p in tmp_path.rglob("*") if p.is_file() and p.name != "cookies.json"]
    assert paths.log_file in files and paths.error_log in files
    for path in files:
        if path.name.startswith("cookies"):
            continue
        data = path.read_bytes()
        for secret in secrets:
            assert secret.encode() not in data, path.name
    assert op_calls(emu, "blocks/create") > 0
