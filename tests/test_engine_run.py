"""End to end over loopback: every outcome, truth, re-runs, dry run, safety with the cache."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from test_engine_support import (
    Recorder,
    block_calls,
    db_query,
    mismatches,
    op_calls,
    rows_by_key,
    run,
    statuses,
    truth,
    workspace,
)

from twitter_blocker.config import resolve_paths
from twitter_blocker.emulator import Emulator
from twitter_blocker.engine.runner import RunOptions, execute
from twitter_blocker.engine.usercheck import inspect_user
from twitter_blocker.errors import DatabaseBusyError, InputError
from twitter_blocker.proc.runlock import RunLock
from twitter_blocker.store.cache import Cache
from twitter_blocker.x.models import LookupResult, User, UserState

Factory = Callable[..., Emulator]


def test_handles_end_in_their_true_state_and_nothing_is_blocked_twice(
    emulator_factory: Factory, tmp_path: Path
) -> None:
    emu = emulator_factory(population=150)
    paths = workspace(emu, tmp_path)
    progress = Recorder()
    report = run(paths, emu, progress=progress, auto_retry=True)
    assert (report.end_reason, report.exit_code) == ("done", 0)
    assert mismatches(paths) == []
    calls = block_calls(emu)
    assert calls and max(calls.values()) == 1
    assert report.counts["blocked"] == len(calls) == report.api_calls["blocks/create"]
    for outcome in ("already_blocked", "skipped_following", "skipped_follower", "suspended"):
        assert report.counts[outcome] > 0, outcome
    assert report.counts["not_found"] > 0
    assert "429" not in statuses(emu)
    assert progress.outcomes == report.counts
    # protected accounts are blocked and recorded as such
    protected = db_query(paths, "SELECT count(*) FROM block_history WHERE protected = 1")[0][0]
    assert protected > 0
    # process_log: one row, done, with its counts
    runs = db_query(paths, "SELECT status, exit_code, end_reason, blocked FROM process_log")
    recorded = report.counts["blocked"] + report.counts["already_blocked"]
    assert runs == [("done", 0, "done", recorded)]
    # the runbook's duplicate query tells the truth
    dupes = db_query(
        paths,
        "SELECT user_id, screen_name, count(*) FROM block_history"
        " GROUP BY user_id, screen_name HAVING count(*) > 1",
    )
    assert dupes == []


def test_a_rerun_over_a_finished_list_makes_no_call(
    emulator_factory: Factory, tmp_path: Path
) -> None:
    emu = emulator_factory(population=80)
    paths = workspace(emu, tmp_path)
    run(paths, emu, auto_retry=True)
    before = sum(statuses(emu).values())
    again = run(paths, emu, auto_retry=True)
    assert (again.end_reason, again.exit_code, again.api_calls) == ("done", 0, {})
    assert sum(statuses(emu).values()) == before
    assert mismatches(paths) == []


def test_an_id_list_ends_in_its_true_state(emulator_factory: Factory, tmp_path: Path) -> None:
    emu = emulator_factory(population=120, seed=5)
    paths = workspace(emu, tmp_path, by_id=True)
    report = run(paths, emu, auto_retry=True)
    assert report.exit_code == 0
    assert mismatches(paths, by_id=True) == []
    assert max(block_calls(emu).values()) == 1
    assert "UsersByScreenNames" not in report.api_calls


@pytest.mark.slow
def test_a_1000_target_fixture_matches_truth(emulator_factory: Factory, tmp_path: Path) -> None:
    emu = emulator_factory(population=1000, seed=11, window_seconds=2.0)
    paths = workspace(emu, tmp_path)
    report = run(paths, emu, auto_retry=True)
    assert report.exit_code == 0
    assert mismatches(paths) == []
    assert max(block_calls(emu).values()) == 1
    assert "429" not in statuses(emu)
    assert report.counts["blocked"] > 187  # more than one block window was needed


def test_self_and_allowlisted_accounts_are_never_blocked(
    emulator_factory: Factory, tmp_path: Path
) -> None:
    emu = emulator_factory(population=40)
    paths = workspace(emu, tmp_path)
    data = truth(paths)
    me = data["viewer"]["screen_name"]
    victims = [t for t in data["targets"] if t["expected"] == "blocked"]
    spared_handle, spared_id = victims[0], victims[1]
    users = json.loads(paths.users_file.read_text())
    users["users"].append(me)
    paths.users_file.write_text(json.dumps(users))
    allow = frozenset({f"sn:{spared_handle['identifier'].lower()}", f"id:{spared_id['user_id']}"})
    report = run(paths, emu, allowlist=allow)
    rows = rows_by_key(paths)
    assert rows[f"sn:{me.lower()}"] == ("skipped", "active", "self")
    assert rows[f"sn:{spared_handle['identifier'].lower()}"] == ("skipped", "active", "allowlisted")
    assert rows[f"sn:{spared_id['identifier'].lower()}"] == ("skipped", "active", "allowlisted")
    calls = block_calls(emu)
    assert spared_handle["user_id"] not in calls and spared_id["user_id"] not in calls
    assert data["viewer"]["user_id"] not in calls
    assert report.counts["skipped_self"] == 1 and report.counts["skipped_allowlisted"] == 2


def _followed(paths_truth: dict[str, object]) -> list[dict[str, str]]:
    targets = paths_truth["targets"]
    assert isinstance(targets, list)
    return [t for t in targets if t["expected"] in ("skipped_following", "skipped_follower")]


@pytest.mark.parametrize("cache_state", ["stale", "profile_only"])
def test_follow_safety_holds_with_a_stale_or_missing_relationship_cache(
    emulator_factory: Factory, tmp_path: Path, cache_state: str
) -> None:
    emu = emulator_factory(population=60)
    paths = workspace(emu, tmp_path)
    data = truth(paths)
    viewer = data["viewer"]["user_id"]
    followed = _followed(data)
    assert followed
    lies = [
        LookupResult(
            t["user_id"],
            UserState.ACTIVE,
            user=User(user_id=t["user_id"], screen_name=t["screen_name"]),  # "no relationship"
            user_id=t["user_id"],
        )
        for t in followed
    ]
    paths.cache_dir.mkdir(parents=True, exist_ok=True)
    if cache_state == "stale":
        two_hours_ago = time.time() - 7200
        with Cache.open(paths.cache_db, clock=lambda: two_hours_ago) as cache:
            cache.put_lookups(viewer, lies)
    else:
        with Cache.open(paths.cache_db) as cache:
            cache.put_ids([(t["screen_name"], t["user_id"]) for t in followed])
            cache.put_profiles(lies)
    run(paths, emu)
    calls = block_calls(emu)
    assert all(t["user_id"] not in calls for t in followed)
    assert mismatches(paths) == []


def test_a_fresh_cache_answers_without_a_lookup(emulator_factory: Factory, tmp_path: Path) -> None:
    emu = emulator_factory(population=50)
    paths = workspace(emu, tmp_path)
    dry = run(paths, emu, mode="dry_run")
    assert dry.api_calls.get("blocks/create", 0) == 0
    lookups_before = op_calls(emu, "UsersByScreenNames") + op_calls(emu, "UsersByRestIds")
    real = run(paths, emu)
    assert real.exit_code == 0
    lookups_after = op_calls(emu, "UsersByScreenNames") + op_calls(emu, "UsersByRestIds")
    # every decision came from the fresh cache; the one call more reads the blocks back
    assert lookups_after == lookups_before + 1
    assert real.api_calls.get("UsersByScreenNames", 0) == 0
    assert mismatches(paths) == []


def test_dry_run_blocks_nobody_and_saves_its_plan(
    emulator_factory: Factory, tmp_path: Path
) -> None:
    emu = emulator_factory(population=60)
    paths = workspace(emu, tmp_path)
    report = run(paths, emu, mode="dry_run")
    assert report.exit_code == 0
    assert block_calls(emu) == {} and op_calls(emu, "blocks/create") == 0
    expected_blocks = sum(1 for t in truth(paths)["targets"] if t["expected"] == "blocked")
    planned = [p for p in report.plan if p.action == "block"]
    assert len(planned) == expected_blocks == report.counts["would_block"]
    saved = json.loads((paths.data_dir / "dry_run_report.json").read_text())
    assert len(saved["plan"]) == len(report.plan)
    statuses_left = dict(db_query(paths, "SELECT status, count(*) FROM block_history GROUP BY 1"))
    assert "blocked" not in statuses_left and "skipped" not in statuses_left
    assert statuses_left["pending"] >= expected_blocks
    known_ids = db_query(paths, "SELECT count(*) FROM block_history WHERE user_id IS NOT NULL")
    assert known_ids[0][0] >= expected_blocks  # lookups were recorded


def test_max_users_limits_a_test_run(emulator_factory: Factory, tmp_path: Path) -> None:
    emu = emulator_factory(population=60)
    paths = workspace(emu, tmp_path)
    report = run(paths, emu, limit=5)
    assert sum(report.counts.values()) == 5
    pending = db_query(paths, "SELECT count(*) FROM block_history WHERE status = 'pending'")
    assert pending[0][0] == 55


def test_one_run_per_database(emulator: Emulator, tmp_path: Path) -> None:
    paths = workspace(emulator, tmp_path)
    with RunLock(paths.lock_file), pytest.raises(DatabaseBusyError) as info:
        run(paths, emulator)
    assert info.value.exit_code == 5
    assert str(info.value.pid) in str(info.value)
    assert sum(statuses(emulator).values()) == 0


def test_bad_input_writes_nothing(emulator: Emulator, tmp_path: Path) -> None:
    paths = workspace(emulator, tmp_path)
    paths.cookies.unlink()
    with pytest.raises(InputError):
        run(paths, emulator)
    assert not paths.db.exists()
    paths = workspace(emulator, tmp_path / "other")
    paths.users_file.write_text("{not json")
    with pytest.raises(InputError):
        execute(paths, emulator.base_url, RunOptions())
    assert not paths.db.exists()
    assert resolve_paths(data_dir=tmp_path, env={}).db == tmp_path / "block_history.db"


def test_recheck_permanent_looks_gone_accounts_up_again(
    emulator_factory: Factory, tmp_path: Path
) -> None:
    emu = emulator_factory(population=60)
    paths = workspace(emu, tmp_path)
    run(paths, emu, auto_retry=True)
    gone = db_query(
        paths, "SELECT count(*) FROM block_history WHERE user_status IN ('suspended','not_found')"
    )[0][0]
    assert gone > 0
    assert run(paths, emu, recheck_permanent_days=1).api_calls == {}  # checked too recently
    again = run(paths, emu, recheck_permanent_days=0)
    assert sum(again.api_calls.values()) > 0
    assert again.counts["suspended"] + again.counts["not_found"] == gone
    assert op_calls(emu, "blocks/create") == len(block_calls(emu))
    assert mismatches(paths) == []


def test_inspect_user_is_read_only(emulator_factory: Factory, tmp_path: Path) -> None:
    emu = emulator_factory(population=40)
    paths = workspace(emu, tmp_path)
    targets = truth(paths)["targets"]
    followed = next(t for t in targets if t["expected"] == "skipped_following")
    victim = next(t for t in targets if t["expected"] == "blocked")
    suspended = next(t for t in targets if t["expected"] == "suspended")
    report = inspect_user(paths, emu.base_url, "@" + followed["screen_name"])
    assert report.would == "skip:following"
    assert report.relationship is not None and report.relationship.following
    assert report.db_status is None
    assert inspect_user(paths, emu.base_url, victim["user_id"]).would == "block"
    assert inspect_user(paths, emu.base_url, suspended["screen_name"]).would == "fail:suspended"
    assert op_calls(emu, "blocks/create") == 0 and not paths.db.exists()
    run(paths, emu)
    after = inspect_user(paths, emu.base_url, f"https://x.com/{victim['screen_name']}")
    assert after.db_status == "blocked (blocked)"
    assert after.would == "already_blocked"


def test_without_twid_the_viewer_is_asked_once(emulator_factory: Factory, tmp_path: Path) -> None:
    emu = emulator_factory(population=30)
    paths = workspace(emu, tmp_path)
    exported = [c for c in json.loads(paths.cookies.read_text()) if c["name"] != "twid"]
    paths.cookies.write_text(json.dumps(exported))
    report = run(paths, emu)
    assert report.exit_code == 0
    assert (
        report.api_calls.get("Viewer", 0) + report.api_calls.get("account/verify_credentials", 0)
        == 1
    )
    assert mismatches(paths) == []


@pytest.mark.parametrize("shape", ["transitional", "legacy"])
def test_older_user_node_shapes_reach_the_same_truth(
    emulator_factory: Factory, tmp_path: Path, shape: str
) -> None:
    emu = emulator_factory(population=80, shape=shape)
    paths = workspace(emu, tmp_path)
    report = run(paths, emu, auto_retry=True)
    assert report.exit_code == 0
    assert mismatches(paths) == []
    assert max(block_calls(emu).values()) == 1


def test_another_accounts_cache_never_decides_for_this_one(
    emulator_factory: Factory, tmp_path: Path
) -> None:
    emu = emulator_factory(population=60)
    paths = workspace(emu, tmp_path / "a")
    other = resolve_paths(
        data_dir=tmp_path / "b",
        cookies=paths.data_dir / "cookies_1.json",
        users_file=paths.users_file,
        cache_dir=paths.cache_dir,
        env={},
    )
    (tmp_path / "b").mkdir()
    first = run(other, emu)  # the second account fills the shared cache with its own view
    assert first.exit_code == 0
    lookups = op_calls(emu, "UsersByScreenNames") + op_calls(emu, "UsersByRestIds")
    report = run(paths, emu, auto_retry=True)
    assert report.exit_code == 0
    after = op_calls(emu, "UsersByScreenNames") + op_calls(emu, "UsersByRestIds")
    assert after > lookups  # its relationships were looked up, not borrowed
    assert mismatches(paths) == []
    followed = _followed(truth(paths))
    assert all(t["user_id"] not in block_calls(emu) for t in followed)


def test_duplicates_and_skipped_entries_are_named_with_their_lines(
    emulator_factory: Factory, tmp_path: Path
) -> None:
    emu = emulator_factory(population=20)
    paths = workspace(emu, tmp_path)
    handles = [t["identifier"] for t in truth(paths)["targets"]][:4]
    users = paths.data_dir / "users.txt"
    users.write_text("\n".join([*handles, "@" + handles[0].upper(), "not a handle!"]) + "\n")
    paths = resolve_paths(data_dir=paths.data_dir, users_file=users, env={})
    progress = Recorder()
    report = run(paths, emu, progress=progress, skip_invalid=True)
    notes = [str(event[1][1]) for event in progress.events if event[0] == "note"]
    assert any(f"{users}:5" in n and "duplicate" in n for n in notes), notes
    assert any(f"{users}:6" in n and "invalid" in n for n in notes), notes
    assert (report.duplicates, report.invalid) == (1, 1)
    assert sum(report.counts.values()) == 4


def test_no_block_without_relationship_data(emulator_factory: Factory, tmp_path: Path) -> None:
    # If X moved the relationship flags again (X-FACTS.md 2.3), a node without them must
    # never be read as "not following": with friendships/lookup and /show failing too
    # (engine/relations.py), nobody is blocked, every active target waits.
    emu = emulator_factory(
        population=40,
        relationships_moved=True,
        overloaded_operations=["friendships/lookup", "friendships/show"],
    )
    paths = workspace(emu, tmp_path)
    report = run(paths, emu, limit=None, retry_base=0.01, retry_cap=0.02)
    assert sum(block_calls(emu).values()) == 0
    assert report.counts["failed_temporary"] > 0
    # once X sends relationship data again, the retry pass reaches the truth
    emu.set_switches(relationships_moved=False, overloaded_operations=[])
    run(paths, emu, mode="retry", limit=None, retry_base=0.01, retry_cap=0.02)
    assert mismatches(paths) == []
    assert max(block_calls(emu).values()) == 1
