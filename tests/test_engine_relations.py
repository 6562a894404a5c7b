"""User nodes without relationship data (X moved the fields twice, X-FACTS.md 2.3): the run asks
friendships/lookup, then friendships/show, within their windows, and stops resumably (exit 75)
when neither answers, instead of ending "done" with targets never decided."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from test_cli_support import (
    _restore_process_state,  # noqa: F401  (autouse fixture)
    invoke,
    make_world,
)
from test_engine_support import block_calls, mismatches, op_calls, run, truth, workspace

from twitter_blocker.emulator import Emulator
from twitter_blocker.errors import EXIT_RESUMABLE

Factory = Callable[..., Emulator]
FAST_RETRY: dict[str, Any] = {"retry_base": 0.01, "retry_cap": 0.05}


def _followed(paths: Any) -> list[str]:
    kinds = ("following", "follower", "mutual")
    return [t["user_id"] for t in truth(paths)["targets"] if t["kind"] in kinds]


@pytest.mark.parametrize("by_id", [False, True])
def test_nodes_without_relationships_are_decided_with_friendships_lookup(
    emulator_factory: Factory, tmp_path: Path, by_id: bool
) -> None:
    emu = emulator_factory(population=150, relationships_moved=True)
    paths = workspace(emu, tmp_path, by_id=by_id)
    report = run(paths, emu, auto_retry=True, **FAST_RETRY)
    assert (report.end_reason, report.exit_code) == ("done", 0)
    assert mismatches(paths, by_id=by_id) == []
    assert report.counts.get("failed_temporary", 0) == 0
    calls = block_calls(emu)
    assert calls and max(calls.values()) == 1
    assert not set(_followed(paths)) & set(calls)  # nobody the viewer follows or is followed by
    lookups = op_calls(emu, "friendships/lookup")
    assert 0 < lookups <= 4  # about one per lookup batch of 100, not one per target
    assert op_calls(emu, "friendships/show") == 0


def test_friendships_show_answers_when_friendships_lookup_fails(
    emulator_factory: Factory, tmp_path: Path
) -> None:
    emu = emulator_factory(
        population=40, relationships_moved=True, overloaded_operations=["friendships/lookup"]
    )
    paths = workspace(emu, tmp_path)
    report = run(paths, emu, auto_retry=True, **FAST_RETRY)
    assert (report.end_reason, report.exit_code) == ("done", 0)
    assert mismatches(paths) == []
    assert op_calls(emu, "friendships/show") > 0
    assert max(block_calls(emu).values()) == 1


def test_both_windows_spent_waits_for_the_reset_and_never_earns_a_429(
    emulator_factory: Factory, tmp_path: Path
) -> None:
    emu = emulator_factory(
        population=30,
        relationships_moved=True,
        # a window far longer than the work between two batches, so the counts below do not
        # depend on the machine's speed (a 1 s window rolled over mid-run on a slow CI)
        window_seconds=4.0,
        limits={"friendships/lookup": 1, "friendships/show": 3},
    )
    paths = workspace(emu, tmp_path)
    report = run(paths, emu, auto_retry=True, batch_size=10, **FAST_RETRY)
    assert (report.end_reason, report.exit_code) == ("done", 0)
    assert mismatches(paths) == []
    calls = emu.state()["calls"]
    for op in ("friendships/lookup", "friendships/show"):
        assert "429" not in calls.get(op, {}), calls.get(op)
    # both sources were used, over more than one window of each
    assert op_calls(emu, "friendships/lookup") >= 2 and op_calls(emu, "friendships/show") > 3
    assert max(block_calls(emu).values()) == 1


def test_when_neither_source_answers_the_run_stops_resumably(
    emulator_factory: Factory, tmp_path: Path
) -> None:
    emu = emulator_factory(
        population=60,
        relationships_moved=True,
        overloaded_operations=["friendships/lookup", "friendships/show"],
    )
    paths = workspace(emu, tmp_path)
    report = run(paths, emu, auto_retry=True, **FAST_RETRY)
    assert (report.end_reason, report.exit_code) == ("relationships_unavailable", EXIT_RESUMABLE)
    assert "friendships/lookup" in report.message and "resume" in report.message
    assert sum(block_calls(emu).values()) == 0  # nothing blocked blind
    # bounded: a few lookup batches' worth of calls, not max_attempts per target
    assert op_calls(emu, "friendships/show") <= 3 * 3
    # once X answers again, the same command reaches the truth
    emu.set_switches(overloaded_operations=[])
    again = run(paths, emu, auto_retry=True, **FAST_RETRY)
    assert (again.end_reason, again.exit_code) == ("done", 0)
    assert mismatches(paths) == []
    assert max(block_calls(emu).values()) == 1


def test_the_viewer_in_the_list_needs_no_relationship(
    emulator_factory: Factory, tmp_path: Path
) -> None:
    emu = emulator_factory(
        population=10,
        relationships_moved=True,
        overloaded_operations=["friendships/lookup", "friendships/show"],
    )
    paths = workspace(emu, tmp_path)
    paths.users_file.write_text(truth(paths)["viewer"]["screen_name"] + "\n")
    report = run(paths, emu, **FAST_RETRY)
    assert (report.end_reason, report.exit_code) == ("done", 0)
    assert report.counts["skipped_self"] == 1
    assert op_calls(emu, "friendships/lookup") + op_calls(emu, "friendships/show") == 0


def test_the_cli_exits_75_with_one_clear_line(tmp_path: Path, emulator_factory: Factory) -> None:
    world = make_world(
        emulator_factory,
        tmp_path,
        population=330,
        relationships_moved=True,
        overloaded_operations=["friendships/lookup", "friendships/show"],
    )
    result = invoke(world.args("--all"))
    assert result.exit_code == 75, result.stderr
    assert "Traceback" not in result.stderr
    text = result.stderr + result.stdout
    assert "friendships/lookup" in text and "resume" in text
    assert sum(world.block_calls().values()) == 0
