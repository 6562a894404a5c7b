"""Whole runs while X moves: rotated queryIds from the start and mid-run (both web builds),
a Cloudflare page on /home (clean stop naming the override file, then the file heals it),
transaction ids on every operation, and the ``endpoints`` command."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.test_cli_support import invoke, make_world
from twitter_blocker.emulator import Emulator
from twitter_blocker.emulator.queryids import ids_for_epoch
from twitter_blocker.emulator.webapp import FEATURE_VALUES

Factory = Callable[..., Emulator]


def _fetches(emu: Emulator) -> tuple[int, int]:
    calls = emu.state()["calls"]
    return sum(calls.get("home", {}).values()), sum(calls.get("bundle", {}).values())


@pytest.mark.parametrize("build", ["legacy", "x-web"])
def test_rotated_from_the_start_ends_in_the_truth(
    tmp_path: Path, emulator_factory: Factory, build: str
) -> None:
    world = make_world(emulator_factory, tmp_path, query_id_epoch=1, web_build=build)
    result = invoke(world.args("--all", "--auto-retry"))
    assert result.exit_code == 0, result.stderr
    world.assert_matches_truth()
    home, scripts = _fetches(world.emu)
    assert home == 1 and home + scripts <= 3, (home, scripts)
    # the discovered set was cached for the account: the next run reads no page at all
    world.emu.reset()
    world.emu.set_switches(query_id_epoch=1, web_build=build)
    again = invoke(world.args("--all", "--auto-retry"))
    assert again.exit_code == 0, again.stderr
    assert _fetches(world.emu) == (0, 0)


@pytest.mark.parametrize("build", ["legacy", "x-web"])
def test_rotation_mid_run_ends_in_the_truth(
    tmp_path: Path, emulator_factory: Factory, build: str
) -> None:
    world = make_world(emulator_factory, tmp_path, population=250, web_build=build, latency_ms=2)
    done = threading.Event()
    calls = world.emu.world.calls

    def rotate() -> None:  # right after X answered the first lookup batch
        while not done.is_set():
            if calls.get("UsersByScreenNames"):
                world.emu.set_switches(query_id_epoch=5)
                return
            time.sleep(0.0005)

    watcher = threading.Thread(target=rotate, daemon=True)
    watcher.start()
    try:
        result = invoke(world.args("--all", "--auto-retry"))
    finally:
        done.set()
        watcher.join(5)
    assert result.exit_code == 0, result.stderr
    assert world.emu.state()["switches"]["query_id_epoch"] == 5
    world.assert_matches_truth()
    home, scripts = _fetches(world.emu)
    assert home == 1 and home + scripts <= 3, (home, scripts)


def test_cloudflare_and_rotation_stop_then_the_override_file_heals(
    tmp_path: Path, emulator_factory: Factory
) -> None:
    world = make_world(emulator_factory, tmp_path, query_id_epoch=2, home_cloudflare=True)
    started = time.monotonic()
    stopped = invoke(world.args("--all", "--auto-retry"))
    assert stopped.exit_code == 75, stopped.stderr
    assert time.monotonic() - started < 60
    assert "x-endpoints.json" in stopped.stderr and "Cloudflare" in stopped.stderr
    assert _fetches(world.emu) == (1, 0)
    assert world.block_calls() == {}
    ids = ids_for_epoch(2)
    flags = {**FEATURE_VALUES, "rweb_epoch2_profile_enabled": True}
    override = {op: {"query_id": qid, "features": flags} for op, qid in ids.items()}
    (world.data / "x-endpoints.json").write_text(json.dumps(override), encoding="utf-8")
    healed = invoke(world.args("--all", "--auto-retry"))
    assert healed.exit_code == 0, healed.stderr
    world.assert_matches_truth()
    assert _fetches(world.emu) == (1, 0)  # the override needed no page
    listing = invoke(["endpoints", "--json", "--data-dir", str(world.data)])
    assert listing.exit_code == 0, listing.stderr
    rows = {r["operation"]: r for r in json.loads(listing.stdout)}
    assert rows["UsersByScreenNames"]["source"] == "override"
    assert rows["UsersByScreenNames"]["query_id"] == ids["UsersByScreenNames"]
    assert rows["UsersByScreenNames"]["last_ok"] is True


def test_bad_override_file_is_exit_2_naming_the_key(
    tmp_path: Path, emulator_factory: Factory
) -> None:
    world = make_world(emulator_factory, tmp_path)
    path = world.data / "x-endpoints.json"
    path.write_text('{"UserByScreenName": {"method": "PUT"}}', encoding="utf-8")
    result = invoke(world.args("--all"))
    assert result.exit_code == 2
    assert "x-endpoints.json: UserByScreenName.method" in result.stderr
    assert '{"OperationName": {"query_id"' in result.stderr and "Traceback" not in result.stderr
    assert not world.db.exists() and world.emu.state()["calls"] == {}  # nothing written, sent
    path.write_text('{"UserByScreenName": {"query_id": "x"}, "Nope": {}}', encoding="utf-8")
    assert "UserByScreenName.query_id" in invoke(world.args("--all")).stderr
    path.write_text("{not json", encoding="utf-8")
    bad = invoke(world.args("--all"))
    assert bad.exit_code == 2 and "x-endpoints.json: line 1" in bad.stderr


def test_transaction_ids_on_every_operation(tmp_path: Path, emulator_factory: Factory) -> None:
    for build in ("x-web", "legacy"):
        world = make_world(
            emulator_factory, tmp_path / build, tid_operations="*", tid_strict=True, web_build=build
        )
        result = invoke(world.args("--all", "--auto-retry"))
        assert result.exit_code == 0, result.stderr
        world.assert_matches_truth()
        calls = world.emu.state()["calls"]
        assert calls["blocks/create"]["404"] == 1  # once, then every block carries an id
        assert sum(calls["home"].values()) == 1


def test_endpoints_command_lists_pinned_then_discovered(
    tmp_path: Path, emulator_factory: Factory
) -> None:
    world = make_world(emulator_factory, tmp_path, query_id_epoch=3)
    listed = invoke(["endpoints", "--json", "--data-dir", str(world.data)])
    assert listed.exit_code == 0, listed.stderr
    rows = json.loads(listed.stdout)
    assert {r["source"] for r in rows} == {"pinned"}
    assert all(r["method"] == "GET" and r["at"] is None and r["features"] for r in rows)
    refreshed = invoke(
        [
            "endpoints",
            "--refresh",
            "--json",
            "--data-dir",
            str(world.data),
            "--api-base",
            world.emu.base_url,
        ]
    )
    assert refreshed.exit_code == 0, refreshed.stderr
    rows = {r["operation"]: r for r in json.loads(refreshed.stdout)}
    assert {op: r["query_id"] for op, r in rows.items()} == ids_for_epoch(3)
    assert rows["Viewer"]["source"] == "discovered" and rows["Viewer"]["build"] == "legacy"
    assert rows["Viewer"]["at"] is not None and rows["Viewer"]["last_ok"] is True
    text = invoke(["endpoints", "--data-dir", str(world.data)])
    assert text.exit_code == 0 and "discovered" in text.stdout


def test_a_ct0_x_sets_is_kept_in_the_cookie_file(tmp_path: Path, emulator_factory: Factory) -> None:
    world = make_world(emulator_factory, tmp_path, ct0_strict=True)
    cookie_file = world.data / "cookies.json"
    new = world.emu.rotate_ct0(0)  # X moved the session to a new ct0
    result = invoke(world.args("--all", "--auto-retry"))
    assert result.exit_code == 0, result.stderr
    world.assert_matches_truth()
    saved = {c["name"]: c["value"] for c in json.loads(cookie_file.read_text())}
    assert saved["ct0"] == new
    assert cookie_file.stat().st_mode & 0o777 == 0o600
    assert world.emu.state()["calls"]["UsersByScreenNames"].get("403") == 1  # one 353 only
    log = (world.data / "twitter_blocker.log").read_text()
    assert new not in log


def test_auth_check_says_whether_every_operation_answers(
    tmp_path: Path, emulator_factory: Factory
) -> None:
    world = make_world(emulator_factory, tmp_path)
    args = [
        "auth",
        "check",
        "--json",
        "--data-dir",
        str(world.data),
        "--api-base",
        world.emu.base_url,
    ]
    fine = invoke(args)
    assert fine.exit_code == 0, fine.stderr
    ops = {o["operation"]: o for o in json.loads(fine.stdout)["operations"]}
    assert set(ops) == {"UserByScreenName", "UserByRestId", "UsersByRestIds", "UsersByScreenNames"}
    assert all(o["ok"] and o["source"] == "pinned" for o in ops.values())
    world.emu.set_switches(query_id_epoch=9)
    moved = invoke(args[:2] + args[3:])
    assert moved.exit_code == 0, moved.stderr  # the session itself is fine
    assert "FAILED" in moved.stdout and "x-endpoints.json" in moved.stdout
    assert _fetches(world.emu) == (0, 0)  # a check only: nothing refreshed


def test_refresh_with_dead_cookies_is_exit_3_with_the_cookie_fix(
    tmp_path: Path, emulator_factory: Factory
) -> None:
    world = make_world(emulator_factory, tmp_path, query_id_epoch=1)
    cookie_file = world.data / "cookies.json"
    cookies = json.loads(cookie_file.read_text())
    for cookie in cookies:
        if cookie["name"] == "auth_token":
            cookie["value"] = "0" * 40
    cookie_file.write_text(json.dumps(cookies))
    args = [
        "endpoints",
        "--refresh",
        "--data-dir",
        str(world.data),
        "--api-base",
        world.emu.base_url,
    ]
    result = invoke(args)
    assert result.exit_code == 3, result.stderr
    assert "login page (307)" in result.stderr and "auth import" in result.stderr
    assert world.emu.state()["calls"]["home"] == {"307": 1}


def test_test_user_heals_too(tmp_path: Path, emulator_factory: Factory) -> None:
    world = make_world(emulator_factory, tmp_path, query_id_epoch=6, web_build="x-web")
    target = next(t for t in world.truth["targets"] if t["kind"] == "active")
    result = invoke(world.args("--test-user", target["screen_name"]))
    assert result.exit_code == 0, result.stderr
    assert target["screen_name"] in result.stdout
    assert _fetches(world.emu)[0] == 1


def test_an_operation_configured_to_need_a_transaction_id_sends_one_first(
    tmp_path: Path, emulator_factory: Factory
) -> None:
    world = make_world(
        emulator_factory, tmp_path, tid_operations=["UsersByScreenNames"], tid_strict=True
    )
    (world.data / "x-endpoints.json").write_text('{"UsersByScreenNames": {"tid": true}}')
    result = invoke(world.args("--all", "--auto-retry"))
    assert result.exit_code == 0, result.stderr
    world.assert_matches_truth()
    calls = world.emu.state()["calls"]
    assert "404" not in calls["UsersByScreenNames"]  # the first call already carried one
    assert sum(calls["home"].values()) == 1
