"""Blocks are read back: X can answer blocks/create with a success and not keep it."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

from tests.test_cli_support import invoke, make_world
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
