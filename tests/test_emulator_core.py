"""Emulator core over loopback HTTP: lookups, blocks, state, windows, fixtures, determinism."""

from __future__ import annotations

import json
import stat
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from conftest import EmulatorHttp

from twitter_blocker.emulator import Emulator, EmulatorConfig, start_emulator

Http = Callable[..., EmulatorHttp]


def _target(emu: Emulator, kind: str) -> dict[str, Any]:
    return next(t for t in emu.truth()["targets"] if t["kind"] == kind)


def test_user_by_screen_name_current_shape(emulator: Emulator, emulator_http: Http) -> None:
    http = emulator_http(emulator)
    t = _target(emulator, "active")
    r = http.gql(
        "UserByScreenName", {"screen_name": t["identifier"], "withSafetyModeUserFields": True}
    )
    assert r.status_code == 200
    assert r.headers["content-type"] == "application/json;charset=utf-8"
    assert r.headers["x-rate-limit-limit"] == "150"
    assert r.headers["x-rate-limit-remaining"] == "149"
    node = r.json()["data"]["user"]["result"]
    assert node["__typename"] == "User"
    assert node["rest_id"] == t["user_id"]
    assert node["core"]["screen_name"] == t["screen_name"]
    assert "legacy" not in node
    assert node["relationship_perspectives"]["blocking"] is False
    assert set(node["privacy"]) == {"protected"}


def test_block_flips_relationship_and_is_counted(emulator: Emulator, emulator_http: Http) -> None:
    http = emulator_http(emulator)
    t = _target(emulator, "active")
    r = http.post("blocks/create.json", {"user_id": t["user_id"]})
    assert r.status_code == 200
    body = r.json()
    assert body["id_str"] == t["user_id"] and "blocking" not in body
    again = http.post("blocks/create.json", {"user_id": t["user_id"]})
    assert again.status_code == 200  # idempotent
    r = http.gql("UserByRestId", {"userId": t["user_id"]})
    assert r.json()["data"]["user"]["result"]["relationship_perspectives"]["blocking"] is True
    state = emulator.state()
    viewer = emulator.truth()["viewer"]["user_id"]
    assert state["accounts"][viewer]["block_calls"][t["user_id"]] == 2
    assert t["user_id"] in state["accounts"][viewer]["blocked"]
    assert state["calls"]["blocks/create"] == {"200": 2}
    assert state["windows"][viewer]["blocks/create"] == 1


def test_not_found_cases(emulator: Emulator, emulator_http: Http) -> None:
    http = emulator_http(emulator)
    for kind in ("never_existed", "deactivated", "renamed"):
        t = _target(emulator, kind)
        r = http.gql("UserByScreenName", {"screen_name": t["identifier"]})
        assert (r.status_code, r.content) == (200, b'{"data":{}}'), kind
    r = http.gql("UserByRestId", {"userId": _target(emulator, "deactivated")["user_id"]})
    assert r.content == b'{"data":{"user":{}}}'
    sus = _target(emulator, "suspended")
    r = http.gql("UserByRestId", {"userId": sus["user_id"]})
    assert r.json() == {
        "data": {
            "user": {
                "rest_id": sus["user_id"],
                "result": {
                    "__typename": "UserUnavailable",
                    "message": "User is suspended",
                    "reason": "Suspended",
                },
            }
        }
    }


def test_rate_window_exhausts_and_reset_header_is_integer(
    emulator_factory: Callable[..., Emulator], emulator_http: Http
) -> None:
    emu = emulator_factory(limits={"Viewer": 2})
    http = emulator_http(emu)
    first = http.gql("Viewer", {"withCommunitiesMemberships": True})
    second = http.gql("Viewer", {"withCommunitiesMemberships": True})
    third = http.gql("Viewer", {"withCommunitiesMemberships": True})
    assert [r.status_code for r in (first, second, third)] == [200, 200, 429]
    assert [r.headers["x-rate-limit-remaining"] for r in (first, second, third)] == ["1", "0", "0"]
    assert first.headers["x-rate-limit-reset"] == third.headers["x-rate-limit-reset"]
    assert int(first.headers["x-rate-limit-reset"]) > 0
    assert third.content == b'{"errors":[{"code":88,"message":"Rate limit exceeded"}]}'


def test_fixture_files(emulator: Emulator, tmp_path: Path) -> None:
    emulator.write_fixture(tmp_path)
    cookies = json.loads((tmp_path / "cookies.json").read_text())
    assert {c["name"] for c in cookies} >= {"auth_token", "ct0", "twid"}
    assert stat.S_IMODE((tmp_path / "cookies.json").stat().st_mode) == 0o600
    assert (tmp_path / "cookies_1.json").exists()
    users = json.loads((tmp_path / "users.json").read_text())
    ids = json.loads((tmp_path / "users_ids.json").read_text())
    truth = json.loads((tmp_path / "truth.json").read_text())
    assert users["format"] == "screen_name" and ids["format"] == "user_id"
    assert len(users["users"]) == 200 == len(truth["targets"])
    assert truth == emulator.truth()


def test_same_seed_same_population() -> None:
    a = start_emulator(EmulatorConfig(seed=7, population=300))
    b = start_emulator(EmulatorConfig(seed=7, population=300))
    c = start_emulator(EmulatorConfig(seed=8, population=300))
    try:
        assert a.truth() == b.truth() != c.truth()
        assert a.cookies(0) == b.cookies(0)
    finally:
        for emu in (a, b, c):
            emu.stop()


def test_unknown_option_is_rejected() -> None:
    with pytest.raises(TypeError):
        EmulatorConfig(no_such_switch=True)


def test_fixture_files_are_byte_identical_per_seed(tmp_path: Path) -> None:
    for name in ("a", "b"):
        emu = start_emulator(EmulatorConfig(seed=5, population=150))
        try:
            emu.write_fixture(tmp_path / name)
        finally:
            emu.stop()
    for file in ("cookies.json", "cookies_1.json", "users.json", "users_ids.json", "truth.json"):
        assert (tmp_path / "a" / file).read_bytes() == (tmp_path / "b" / file).read_bytes(), file


def test_truth_follows_the_kinds() -> None:
    emu = start_emulator(EmulatorConfig(seed=2, population=1000))
    try:
        truth = emu.truth()
    finally:
        emu.stop()
    by_kind: dict[str, set[tuple[str, str | None]]] = {}
    for t in truth["targets"]:
        by_kind.setdefault(t["kind"], set()).add((t["expected"], t["expected_by_id"]))
    assert by_kind["renamed"] == {("not_found", "blocked")}
    assert by_kind["never_existed"] == {("not_found", None)}
    assert by_kind["mutual"] == {("skipped_following", "skipped_following")}
    assert by_kind["protected"] == {("blocked", "blocked")}
    assert len(by_kind) == 11
    ids = [t["user_id"] for t in truth["targets"] if t["user_id"]]
    assert len(ids) == len(set(ids))
    handles = [t["identifier"].lower() for t in truth["targets"]]
    assert len(handles) == len(set(handles))
