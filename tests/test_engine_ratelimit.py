"""Rate budgets with shortened windows (limits kept small): no 429, lookups run ahead of
blocks, budgets survive a restart, --max-wait and the block caps hold."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from test_engine_support import (
    Recorder,
    block_calls,
    db_query,
    mismatches,
    op_calls,
    run,
    statuses,
    truth,
    workspace,
)

from twitter_blocker.emulator import Emulator
from twitter_blocker.inputs.cookies import load_cookies
from twitter_blocker.x.client import XClient

Factory = Callable[..., Emulator]
LOOKUPS = ("UsersByScreenNames", "UserByScreenName", "UsersByRestIds", "UserByRestId")


def test_spent_windows_are_waited_out_and_lookups_run_while_blocks_wait(
    emulator_factory: Factory, tmp_path: Path
) -> None:
    emu = emulator_factory(
        population=45,
        window_seconds=1.0,
        limits={"blocks/create": 8, "UsersByScreenNames": 2, "UserByScreenName": 40},
    )
    paths = workspace(emu, tmp_path)
    progress = Recorder()
    report = run(paths, emu, progress=progress, batch_size=10, auto_retry=True)
    assert (report.end_reason, report.exit_code) == ("done", 0)
    assert "429" not in statuses(emu)  # never sent into a spent window
    assert report.counts["blocked"] > 2 * 8  # several block windows were needed
    assert any(kind == "waiting" for kind, _ in progress.events)
    assert mismatches(paths) == []
    # lookups went on between blocks: some lookup call sits between two block calls
    order = [op for (op,) in db_query(paths, "SELECT operation FROM attempts ORDER BY id")]
    first_block = order.index("blocks/create")
    last_block = len(order) - 1 - order[::-1].index("blocks/create")
    assert any(op in LOOKUPS for op in order[first_block:last_block])
    budgets = dict(
        db_query(
            paths,
            'SELECT operation, "limit" FROM rate_budgets WHERE operation = ?',
            "blocks/create",
        )
    )
    assert budgets == {"blocks/create": 8}


def test_budgets_survive_a_restart_and_max_wait_bounds_waiting(
    emulator_factory: Factory, tmp_path: Path
) -> None:
    emu = emulator_factory(population=30, window_seconds=1.5, limits={"blocks/create": 6})
    paths = workspace(emu, tmp_path)
    first = run(paths, emu, max_wait=0.5)
    assert (first.end_reason, first.exit_code) == ("max_wait", 75)
    assert first.counts["blocked"] == 6
    assert first.message is not None and "resume" in first.message
    remaining = db_query(
        paths,
        "SELECT remaining FROM rate_budgets WHERE operation = 'blocks/create'",
    )
    assert remaining == [(0,)]
    calls = op_calls(emu, "blocks/create")
    # a new process knows the window is spent: it does not even try
    second = run(paths, emu, max_wait=0.5)
    assert second.end_reason == "max_wait"
    assert op_calls(emu, "blocks/create") == calls
    third = run(paths, emu, auto_retry=True)
    assert third.exit_code == 0
    assert "429" not in statuses(emu)
    assert mismatches(paths) == []
    assert max(block_calls(emu).values()) == 1


def test_hourly_cap_holds_across_runs(emulator_factory: Factory, tmp_path: Path) -> None:
    emu = emulator_factory(population=40)
    paths = workspace(emu, tmp_path)
    first = run(paths, emu, max_blocks_per_hour=4, max_wait=60)
    assert (first.end_reason, first.exit_code) == ("cap", 75)
    assert len(block_calls(emu)) == 4
    second = run(paths, emu, max_blocks_per_hour=4, max_wait=60)
    assert second.end_reason == "cap"
    assert len(block_calls(emu)) == 4
    assert op_calls(emu, "blocks/create") == 4
    daily = run(paths, emu, max_blocks_per_hour=10, max_blocks_per_day=6, max_wait=60)
    assert daily.end_reason == "cap"
    assert op_calls(emu, "blocks/create") == 6


def test_a_429_anyway_waits_for_its_reset(emulator_factory: Factory, tmp_path: Path) -> None:
    # the window outlasts the run's lookups on any machine, so the run meets the spent window
    emu = emulator_factory(population=30, window_seconds=3.0, limits={"blocks/create": 8})
    paths = workspace(emu, tmp_path)
    already = [t for t in truth(paths)["targets"] if t["expected"] == "already_blocked"]
    others = [t for t in truth(paths)["targets"] if t["expected"] == "blocked"]
    # Another device of the same account spends the block window behind our back.
    with XClient(load_cookies(paths.cookies), api_base=emu.base_url) as client:
        for t in (already * 8)[:8]:
            client.block(t["user_id"])
    report = run(paths, emu, auto_retry=True)
    assert report.exit_code == 0
    assert statuses(emu)["429"] == 1  # one refused call, then it waited for the reset
    assert mismatches(paths) == []
    assert all(block_calls(emu)[t["user_id"]] == 1 for t in others)
