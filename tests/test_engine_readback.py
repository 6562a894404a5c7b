"""Blocks are read back: X can answer blocks/create with a success and not keep it."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

from tests.test_cli_support import invoke, make_world
from tests.test_engine_support import block_calls, db_query, mismatches, run, workspace
from twitter_blocker.emulator import Emulator

Factory = Callable[..., Emulator]


def _rows(db: Path, sql: str) -> list[tuple[object, ...]]:
    conn = sqlite3.connect(db)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def test_dropped_blocks_are_found_and_blocked_again(
    tmp_path: Path, emulator_factory: Factory
) -> None:
    world = make_world(emulator_factory, tmp_path, population=60, block_drop_rate=0.3)
    result = invoke(world.args("--all", "--auto-retry"))
    assert result.exit_code == 0, result.stderr
    world.assert_matches_truth()
    dropped = world.emu.state()["calls"]["blocks/create"].get("not_kept", 0)
    assert dropped > 0
    unverified = _rows(
        world.db,
        "SELECT user_id FROM block_history WHERE status = 'blocked' AND reason = 'blocked'"
        " AND verified_at IS NULL",
    )
    assert unverified == []
    assert world.calls("UsersByRestIds") > 0


def test_kept_blocks_are_verified_and_nothing_is_blocked_twice(
    tmp_path: Path, emulator_factory: Factory
) -> None:
    world = make_world(emulator_factory, tmp_path, population=40)
    result = invoke(world.args("--all"))
    assert result.exit_code == 0, result.stderr
    world.assert_matches_truth()
    blocked = _rows(
        world.db,
        "SELECT count(*), count(verified_at) FROM block_history"
        " WHERE status = 'blocked' AND reason = 'blocked'",
    )
    assert blocked[0][0] > 0 and blocked[0][0] == blocked[0][1]
    assert set(world.block_calls().values()) == {1}


def test_blocks_are_read_back_while_blocks_wait_for_their_window(
    emulator_factory: Factory, tmp_path: Path
) -> None:
    """Blocks waiting for their window leave time to read earlier blocks back: the read-back
    then happens before the last block, not in a window of its own after it."""
    emu = emulator_factory(population=30, window_seconds=2.5, limits={"blocks/create": 6})
    paths = workspace(emu, tmp_path)
    report = run(paths, emu, batch_size=5)
    assert report.exit_code == 0
    assert mismatches(paths) == []
    assert set(block_calls(emu).values()) == {1}
    (blocked, verified, early) = db_query(
        paths,
        "SELECT count(*), count(verified_at), sum(verified_at < (SELECT max(block_sent_at)"
        " FROM block_history)) FROM block_history WHERE status = 'blocked' AND reason = 'blocked'",
    )[0]
    assert blocked > 12  # more than two windows of blocks: the run waited at least twice
    assert verified == blocked
    assert early >= 5  # a full batch read back before the last block call went out


def test_a_failing_read_back_is_not_retried_at_every_wait(
    emulator_factory: Factory, tmp_path: Path
) -> None:
    """Read-backs fail (503/130 on UsersByRestIds): the blocks stand, unverified, and the run
    does not try again at each of its waits, only once more when the pass ends."""
    emu = emulator_factory(
        population=30,
        window_seconds=2.5,
        limits={"blocks/create": 6},
        overloaded_operations=["UsersByRestIds"],
    )
    paths = workspace(emu, tmp_path)
    report = run(paths, emu, batch_size=5)
    assert report.exit_code == 0
    assert mismatches(paths) == []
    (blocked, verified) = db_query(
        paths,
        "SELECT count(*), count(verified_at) FROM block_history"
        " WHERE status = 'blocked' AND reason = 'blocked'",
    )[0]
    assert blocked > 12 and verified == 0
    reads = sum(emu.state()["calls"]["UsersByRestIds"].values())
    assert 1 <= reads <= 2  # the run waited at least twice: no read at each wait
