"""The safety flags as the CLI wires them: --allowlist, --block-following, --block-followers,
self in the list, and the persisted block caps."""

from __future__ import annotations

import json
import shutil
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
from twitter_blocker.verify import compare_db_with_truth, expected_blocked_ids

Factory = Callable[..., Emulator]


def _row(world: World, user_id: str) -> tuple[Any, ...]:
    rows = db_rows(
        world.db,
        "SELECT status, user_status, reason FROM block_history WHERE user_id = ?",
        (user_id,),
    )
    assert len(rows) == 1, rows
    return rows[0]


def _targets(world: World, kind: str) -> list[dict[str, Any]]:
    return [t for t in world.truth["targets"] if t["kind"] == kind]


def test_allowlist_by_handle_and_by_id_is_never_blocked(
    tmp_path: Path, emulator_factory: Factory
) -> None:
    world = make_world(emulator_factory, tmp_path)
    by_handle, by_id = _targets(world, "active")[:2]
    allow = tmp_path / "allow.txt"
    allow.write_text(
        f"# friends\n@{str(by_handle['screen_name']).upper()}\n{by_id['user_id']}\n",
        encoding="utf-8",
    )
    dry = invoke(world.args("--dry-run", "--all", "--allowlist", str(allow)))
    assert dry.exit_code == 0, dry.stderr
    plan = json.loads((world.data / "dry_run_report.json").read_text())["plan"]
    skipped = {p["user_id"]: p["reason"] for p in plan if p["action"] == "skip"}
    assert skipped[str(by_handle["user_id"])] == "allowlisted"
    assert skipped[str(by_id["user_id"])] == "allowlisted"
    result = invoke(world.args("--all", "--auto-retry", "--allowlist", str(allow)))
    assert result.exit_code == 0, result.stderr
    calls = world.block_calls()
    for target in (by_handle, by_id):
        uid = str(target["user_id"])
        assert uid not in calls and uid not in world.account()["blocked"]
        assert _row(world, uid) == ("skipped", "active", "allowlisted")
    blocked = {str(t["user_id"]) for t in world.truth["targets"] if t["expected"] == "blocked"}
    assert set(calls) == blocked - {str(by_handle["user_id"]), str(by_id["user_id"])}


def test_own_account_in_the_list_is_skipped_as_self(
    tmp_path: Path, emulator_factory: Factory
) -> None:
    world = make_world(emulator_factory, tmp_path)
    viewer = world.truth["viewer"]
    users = world.data / "users.txt"
    handles = [t["identifier"] for t in world.truth["targets"][:3]]
    users.write_text("\n".join([*handles, f"@{viewer['screen_name']}"]) + "\n", encoding="utf-8")
    result = invoke(world.args("--all", "--users-file", str(users)))
    assert result.exit_code == 0, result.stderr
    assert str(viewer["user_id"]) not in world.block_calls()
    assert _row(world, str(viewer["user_id"])) == ("skipped", "active", "self")


@pytest.mark.parametrize(
    ("flag", "now_blocked", "still_skipped"),
    [
        ("--block-followers", ("follower",), ("following", "mutual")),
        ("--block-following", ("following",), ("follower", "mutual")),
    ],
)
def test_block_following_and_followers_switch_one_rule_each(
    tmp_path: Path,
    emulator_factory: Factory,
    flag: str,
    now_blocked: tuple[str, ...],
    still_skipped: tuple[str, ...],
) -> None:
    world = make_world(emulator_factory, tmp_path, population=60)
    result = invoke(world.args("--all", "--auto-retry", flag))
    assert result.exit_code == 0, result.stderr
    calls = world.block_calls()
    for kind in now_blocked:
        targets = _targets(world, kind)
        assert targets, kind
        for target in targets:
            assert _row(world, str(target["user_id"])) == ("blocked", "active", "blocked")
            assert calls.get(str(target["user_id"])) == 1
    for kind in still_skipped:
        for target in _targets(world, kind):
            status, _, reason = _row(world, str(target["user_id"]))
            assert status == "skipped" and reason in ("following", "followed_by"), (kind, reason)
            assert str(target["user_id"]) not in calls


def test_hourly_cap_is_kept_across_runs(tmp_path: Path, emulator_factory: Factory) -> None:
    world = make_world(emulator_factory, tmp_path)
    capped = ("--all", "--max-blocks-per-hour", "2", "--max-wait", "1")
    first = invoke(world.args(*capped))
    assert first.exit_code == 75, first.stderr
    assert sum(world.block_calls().values()) == 2
    second = invoke(world.args(*capped))  # a restart does not reset the cap
    assert second.exit_code == 75, second.stderr
    assert sum(world.block_calls().values()) == 2
    uncapped = invoke(world.args("--all", "--auto-retry"))
    assert uncapped.exit_code == 0, uncapped.stderr
    world.assert_matches_truth()


def test_empty_404_on_block_is_not_a_permanent_not_found(
    tmp_path: Path, emulator_factory: Factory
) -> None:
    world = make_world(emulator_factory, tmp_path, population=10)
    # No transaction id can be made (the /home page is a challenge page, so the retry with one
    # is not possible): transient now; the engine backs off; --max-wait ends the run.
    world.emu.set_switches(tid_operations=["blocks/create"], home_cloudflare=True)
    result = invoke(world.args("--all", "--max-wait", "1"))
    assert result.exit_code == 75, result.stderr
    active = [str(t["user_id"]) for t in world.truth["targets"] if t["expected"] == "blocked"]
    assert world.calls("blocks/create") > 0  # the lookups found them active; the block got 404
    gone = db_rows(
        world.db,
        "SELECT user_id FROM block_history WHERE user_status = 'not_found' "
        f"AND user_id IN ({', '.join('?' * len(active))})",
        active,
    )
    assert gone == [], f"{len(gone)} active targets recorded as permanently not found"


def test_a_user_id_list_ends_in_the_truth_by_id(tmp_path: Path, emulator_factory: Factory) -> None:
    world = make_world(emulator_factory, tmp_path, population=40)
    users = world.data / "users_ids.json"
    result = invoke(world.args("--all", "--auto-retry", "--users-file", str(users)))
    assert result.exit_code == 0, result.stderr
    world.assert_matches_truth(by_id=True)


def test_a_lost_or_damaged_cache_changes_no_decision(
    tmp_path: Path, emulator_factory: Factory
) -> None:
    world = make_world(emulator_factory, tmp_path, population=40)
    assert invoke(world.args("--dry-run", "--all")).exit_code == 0  # fills the cache
    cache = world.data / "cache"
    shutil.rmtree(cache)
    assert invoke(world.args("--max-users", "10")).exit_code == 0
    (cache / "cache.db").write_bytes(b"garbage, not SQLite\n" * 100)
    for leftover in cache.glob("cache.db-*"):
        leftover.unlink()
    result = invoke(world.args("--all", "--auto-retry"))
    assert result.exit_code == 0, result.stderr
    world.assert_matches_truth()


def test_a_growing_list_and_the_same_accounts_by_id_make_no_second_row(
    tmp_path: Path, emulator_factory: Factory
) -> None:
    world = make_world(emulator_factory, tmp_path, population=40)
    handles = [t["identifier"] for t in world.truth["targets"]]
    first = world.data / "first.txt"
    first.write_text("\n".join(handles[:10]) + "\n", encoding="utf-8")
    assert invoke(world.args("--all", "--users-file", str(first))).exit_code == 0
    assert invoke(world.args("--all", "--auto-retry")).exit_code == 0  # the whole list
    by_id = world.data / "users_ids.json"
    result = invoke(world.args("--all", "--auto-retry", "--users-file", str(by_id)))
    assert result.exit_code == 0, result.stderr
    assert (
        db_rows(
            world.db,
            "SELECT user_id, screen_name, COUNT(*) as count FROM block_history "
            "GROUP BY user_id, screen_name HAVING count > 1",
        )
        == []
    )
    ids = [str(t["user_id"]) for t in world.truth["targets"] if t["user_id"]]
    rows = db_rows(world.db, "SELECT user_id FROM block_history WHERE user_id IS NOT NULL")
    assert sorted(str(r[0]) for r in rows) == sorted(set(ids))  # one row per account
    truth = world.truth
    for by in (False, True):  # a renamed account: not found by its old handle, blocked by id
        comparison = compare_db_with_truth(world.db, truth, by_id=by)
        assert comparison.ok, comparison.mismatches[:5]
    expected = expected_blocked_ids(truth) | expected_blocked_ids(truth, by_id=True)
    assert set(world.account()["blocked"]) == expected
    assert all(n == 1 for n in world.block_calls().values())
