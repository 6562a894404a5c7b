"""The block list both ways over the real emulator: export, sync, unblock --run (and a kill -9
during it), --action mute, block.js round trip, mute.js refused as a block list."""

from __future__ import annotations

import csv
import io
import json
import signal
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

from tests.conftest import EmulatorHttp
from tests.test_cli_support import World, db_rows, invoke, killed_when, make_world, start_module
from twitter_blocker.emulator import Emulator
from twitter_blocker.verify import expected_blocked_ids

Factory = Callable[..., Emulator]


def _blocked(world: World) -> set[str]:
    return set(world.account()["blocked"])


def _hand_block(world: World, ids: list[str]) -> None:
    url = f"{world.emu.base_url}/__emulator__/accounts/0/blocks"
    httpx.post(url, json={"ids": ids}).raise_for_status()


def _list_file(world: World, name: str, ids: list[str]) -> Path:
    path = world.data / name
    path.write_text(json.dumps({"format": "user_id", "users": ids}), encoding="utf-8")
    return path


def _active_ids(world: World) -> list[str]:
    return [str(t["user_id"]) for t in world.truth["targets"] if t["kind"] == "active"]


def _last_run(world: World) -> int:
    stats = invoke(world.args("--stats", "--json"))
    assert stats.exit_code == 0, stats.stderr
    return int(json.loads(stats.stdout)["last_run"]["id"])


def _export_csv(world: World) -> list[dict[str, str]]:
    out = invoke(["blocks", "export", "--from-x", "--format", "csv", *world.args()[:4]])
    assert out.exit_code == 0, out.stderr
    return list(csv.DictReader(io.StringIO(out.stdout)))


def _run(world: World, users: Path, *extra: str) -> None:
    result = invoke(world.args("--all", "--users-file", str(users), *extra))
    assert result.exit_code == 0, result.stderr


def test_round_trip_export_then_undo_one_run(tmp_path: Path, emulator_factory: Factory) -> None:
    world = make_world(emulator_factory, tmp_path, population=40)
    active = _active_ids(world)
    by_hand, first, second = active[:2], active[2:6], active[6:12]
    _hand_block(world, by_hand)
    _run(world, _list_file(world, "first.json", first))
    before = _blocked(world)
    _run(world, _list_file(world, "second.json", second))
    run_id = _last_run(world)
    assert _blocked(world) == before | set(second)

    rows = _export_csv(world)
    assert [r["user_id"] for r in rows] and set(rows[0]) >= {"user_id", "screen_name"}
    assert {r["user_id"] for r in rows} == _blocked(world)

    undo = invoke(["unblock", "--run", str(run_id), *world.args()])
    assert undo.exit_code == 0, undo.stderr
    assert _blocked(world) == before  # hand blocks and the first run's blocks stay
    assert set(by_hand) | set(first) <= _blocked(world)
    # the ledger stays true: the undone rows are no longer counted as blocked
    undone = db_rows(world.db, "SELECT user_id FROM block_history WHERE reason = 'unblocked'")
    assert {r[0] for r in undone} == set(second)
    blocked_rows = db_rows(world.db, "SELECT user_id FROM block_history WHERE status='blocked'")
    assert not {r[0] for r in blocked_rows} & set(second)
    # a second undo changes nothing and sends nothing
    calls = world.calls("blocks/destroy")
    again = invoke(["unblock", "--run", str(run_id), *world.args()])
    assert again.exit_code == 0 and world.calls("blocks/destroy") == calls
    stats = invoke(world.args("--stats", "--json"))
    assert json.loads(stats.stdout)["actions"]["undone_runs"] == [run_id]


def test_kill_9_during_unblock_then_resume(tmp_path: Path, emulator_factory: Factory) -> None:
    world = make_world(emulator_factory, tmp_path, population=40, latency_ms=20.0)
    active = _active_ids(world)
    _hand_block(world, active[:2])
    before = _blocked(world)
    _run(world, _list_file(world, "list.json", active[2:14]))
    run_id = _last_run(world)
    args = ["unblock", "--run", str(run_id), *world.args(delay="0.15")]
    first = start_module(args, cwd=tmp_path)
    killed_when(first, lambda: world.calls("blocks/destroy") >= 3, "three unblock calls", poll=0.02)
    assert first.returncode == -signal.SIGKILL
    assert _blocked(world) != before  # killed half way
    resumed = invoke(["unblock", "--run", str(run_id), *world.args()])
    assert resumed.exit_code == 0, resumed.stderr
    assert _blocked(world) == before
    # nothing done twice: at most the one call in flight at the kill is sent again
    assert world.calls("blocks/destroy") <= 12 + 1


def test_sync_adopts_blocks_made_elsewhere(tmp_path: Path, emulator_factory: Factory) -> None:
    world = make_world(emulator_factory, tmp_path, population=40)
    active = _active_ids(world)
    users = _list_file(world, "list.json", active[:10])
    _run(world, _list_file(world, "other.json", active[10:12]))
    _hand_block(world, active[:3])
    sync = invoke(["blocks", "sync", *world.args()[:4]])
    assert sync.exit_code == 0, sync.stderr
    adopted = db_rows(
        world.db,
        "SELECT b.user_id FROM block_history b JOIN actions a ON a.history_id = b.id"
        " WHERE a.origin = 'external' AND b.status = 'blocked' AND b.reason = 'already_blocked'",
    )
    assert set(active[:3]) <= {r[0] for r in adopted}
    _run(world, users)
    calls = world.block_calls()
    assert not any(calls.get(uid) for uid in active[:3])  # no call for adopted accounts
    assert all(calls.get(uid) == 1 for uid in active[3:10])
    # unblocked in the app: the next sync marks the row, keeps it, and sends no block
    app = EmulatorHttp(world.emu)
    try:
        assert app.post("blocks/destroy.json", {"user_id": active[4]}).status_code == 200
    finally:
        app.close()
    again = invoke(["blocks", "sync", *world.args()[:4]])
    assert again.exit_code == 0, again.stderr
    row = db_rows(
        world.db, "SELECT status, reason FROM block_history WHERE user_id = ?", (active[4],)
    )
    assert row == [("skipped", "unblocked_elsewhere")]
    assert active[4] not in _blocked(world)


def test_action_mute_mutes_and_blocks_nobody(tmp_path: Path, emulator_factory: Factory) -> None:
    world = make_world(emulator_factory, tmp_path, population=40)
    before = _blocked(world)
    result = invoke(world.args("--all", "--action", "mute"))
    assert result.exit_code == 0, result.stderr
    assert set(world.account()["muted"]) == expected_blocked_ids(world.truth)
    assert _blocked(world) == before and not world.block_calls()
    unmute = invoke(["unmute", "--run", str(_last_run(world)), *world.args()])
    assert unmute.exit_code == 0, unmute.stderr
    assert world.account()["muted"] == []


def test_block_js_export_round_trips(tmp_path: Path, emulator_factory: Factory) -> None:
    world = make_world(emulator_factory, tmp_path, population=40)
    _run(world, world.data / "users_ids.json")
    out = world.data / "export.js"
    exported = invoke(
        ["blocks", "export", "--format", "block.js", "-o", str(out), *world.args()[:4]]
    )
    assert exported.exit_code == 0, exported.stderr
    assert out.stat().st_mode & 0o777 == 0o600
    ledger = {
        r[0] for r in db_rows(world.db, "SELECT user_id FROM block_history WHERE status='blocked'")
    }
    from twitter_blocker.inputs.targets import load_targets

    again = load_targets(out)
    assert again.format == "block.js"
    assert [t.user_id for t in again.targets] == [
        r[0]
        for r in db_rows(
            world.db,
            "SELECT user_id FROM block_history WHERE status='blocked' ORDER BY blocked_at, id",
        )
    ]
    assert {t.user_id for t in again.targets} == ledger
    # re-imported as a target list into a fresh ledger: the same accounts, X unchanged
    on_x = _blocked(world)
    fresh = world.args("--all", "--users-file", str(out), "--db", str(world.data / "fresh.db"))
    result = invoke(fresh)
    assert result.exit_code == 0, result.stderr
    assert _blocked(world) == on_x
    rows = db_rows(
        world.data / "fresh.db", "SELECT user_id FROM block_history WHERE status='blocked'"
    )
    assert {r[0] for r in rows} == ledger


def test_mute_js_is_refused_as_a_block_list(tmp_path: Path, emulator_factory: Factory) -> None:
    world = make_world(emulator_factory, tmp_path, population=10)
    ids = _active_ids(world)[:2]
    entries: list[dict[str, Any]] = [{"muting": {"accountId": i}} for i in ids]
    mute_js = world.data / "mute.js"
    mute_js.write_text("window.YTD.mute.part0 = " + json.dumps(entries), encoding="utf-8")
    result = invoke(world.args("--all", "--users-file", str(mute_js)))
    assert result.exit_code == 2
    assert "--action mute" in result.stderr and len(result.stderr.strip().splitlines()) <= 2
    assert not (world.data / "block_history.db").exists() and not world.block_calls()
    muted = invoke(world.args("--all", "--users-file", str(mute_js), "--action", "mute"))
    assert muted.exit_code == 0, muted.stderr
    assert set(world.account()["muted"]) == set(ids)


def test_read_from_x_stops_on_a_spent_window_and_resumes(
    tmp_path: Path, emulator_factory: Factory
) -> None:
    world = make_world(emulator_factory, tmp_path, population=90, limits={"BlockedAccountsAll": 2})
    people = world.emu.world.population.people
    usable = [uid for uid, p in people.items() if p.visible and p.status == "active"]
    _hand_block(world, usable[:70])
    on_x = _blocked(world) & set(usable)  # X's list leaves out suspended and gone accounts
    first = invoke(["blocks", "export", "--from-x", "--max-wait", "0", *world.args()[:4]])
    assert first.exit_code == 75, first.stderr
    assert "run the same command again" in first.stderr
    read = db_rows(world.db, "SELECT read FROM list_cursors")
    assert read and read[0][0] > 0  # the pages read are kept
    world.emu.world.windows.clear()  # the window resets
    second = invoke(["blocks", "export", "--from-x", "--format", "txt", *world.args()[:4]])
    assert second.exit_code == 0, second.stderr
    assert set(second.stdout.split()) == on_x and len(second.stdout.split()) == len(on_x)
    assert world.calls("BlockedAccountsAll") == 3 + 1  # 2 ok + one 429, then the rest only


def test_unblock_source_and_dry_run(tmp_path: Path, emulator_factory: Factory) -> None:
    world = make_world(emulator_factory, tmp_path, population=40)
    active = _active_ids(world)
    before = _blocked(world)
    _run(world, _list_file(world, "a.json", active[:4]))
    _run(world, _list_file(world, "b.json", active[4:8]))
    dry = invoke(["unblock", "--source", "a.json", "--dry-run", *world.args()])
    assert dry.exit_code == 0, dry.stderr
    assert "4 accounts would get unblock" in dry.stdout and world.calls("blocks/destroy") == 0
    undo = invoke(["unblock", "--source", "a.json", *world.args()])
    assert undo.exit_code == 0, undo.stderr
    assert _blocked(world) == before | set(active[4:8])
    neither = invoke(["unblock", *world.args()])
    assert neither.exit_code == 2


def test_export_without_a_database_writes_nothing(tmp_path: Path) -> None:
    out = invoke(["blocks", "export", "--data-dir", str(tmp_path)])
    assert out.exit_code == 0, out.stderr
    assert out.stdout == "user_id,screen_name,blocked_at,run_id,reason,source\n"
    assert list(tmp_path.iterdir()) == []
