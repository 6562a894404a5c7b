"""Emulator v1.1 endpoints (X-FACTS.md 3): blocks, lookups, friendships, verify_credentials."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from twitter_blocker.emulator import Emulator

Http = Callable[..., Any]  # the emulator_http fixture (conftest.EmulatorHttp)


def _ids(emu: Emulator, kind: str) -> list[str]:
    return [t["user_id"] for t in emu.truth()["targets"] if t["kind"] == kind]


def _viewer_state(emu: Emulator) -> dict[str, Any]:
    state: dict[str, Any] = emu.state()["accounts"][emu.truth()["viewer"]["user_id"]]
    return state


def test_block_self_suspended_unknown(emulator: Emulator, emulator_http: Http) -> None:
    http = emulator_http(emulator)
    me = emulator.truth()["viewer"]["user_id"]
    r = http.post("blocks/create.json", {"user_id": me})
    assert (r.status_code, r.content) == (
        403,
        b'{"errors":[{"message":"Sorry, you can\'t block yourself.","code":147}]}',
    )
    for uid in (_ids(emulator, "suspended")[0], _ids(emulator, "deactivated")[0], "123"):
        r = http.post("blocks/create.json", {"user_id": uid})
        assert (r.status_code, r.content) == (
            404,
            b'{"errors":[{"code":50,"message":"User not found."}]}',
        )
    emulator.set_switches(not_found_code=34)
    r = http.post("blocks/destroy.json", {"user_id": "123"})
    assert r.json() == {"errors": [{"code": 34, "message": "Sorry, that page does not exist."}]}
    assert _viewer_state(emulator)["block_calls"] == {}


def test_block_by_screen_name_and_include_blocking(emulator: Emulator, emulator_http: Http) -> None:
    http = emulator_http(emulator)
    t = next(t for t in emulator.truth()["targets"] if t["kind"] == "case_variant")
    r = http.post("blocks/create.json", {"screen_name": t["identifier"], "include_blocking": "1"})
    assert r.status_code == 200
    assert r.json()["screen_name"] == t["screen_name"] and r.json()["blocking"] is True
    assert r.headers["x-rate-limit-limit"] == "187"
    assert r.headers["x-twitter-response-tags"] == "BouncerCompliant"
    emulator.set_switches(block_rate_headers=False, include_blocking_honoured=False)
    r = http.post("blocks/destroy.json", {"user_id": t["user_id"], "include_blocking": "1"})
    assert "x-rate-limit-limit" not in r.headers and "blocking" not in r.json()
    assert t["user_id"] not in _viewer_state(emulator)["blocked"]
    r = http.post("blocks/destroy.json", {"user_id": t["user_id"]})  # not blocking: still 200
    assert r.status_code == 200


def test_blocking_a_followed_user_ends_the_follow(emulator: Emulator, emulator_http: Http) -> None:
    http = emulator_http(emulator)
    uid = _ids(emulator, "mutual")[0]
    http.post("blocks/create.json", {"user_id": uid})
    conn = http.get("friendships/lookup.json", {"user_id": uid}).json()[0]["connections"]
    assert conn == ["blocking"]


def test_blocks_ids_cursored_and_filtered(
    emulator_factory: Callable[..., Emulator], emulator_http: Http
) -> None:
    emu = emulator_factory(blocks_ids_page=3)
    http = emulator_http(emu)
    already = set(_ids(emu, "already_blocked"))
    suspended = _ids(emu, "suspended")[:2]
    for uid in suspended:  # blocked while active in reality; now suspended: filtered out
        emu.world.note_block(emu.world.account(0), uid)
    seen: list[str] = []
    cursor = "-1"
    pages = 0
    while True:
        r = http.get("blocks/ids.json", {"cursor": cursor, "stringify_ids": "true"})
        assert r.status_code == 200 and r.headers["x-rate-limit-limit"] == "15"
        body = r.json()
        assert len(body["ids"]) <= 3 and body["total_count"] is None
        seen += body["ids"]
        pages += 1
        if body["next_cursor"] == 0:
            assert body["next_cursor_str"] == "0"
            break
        cursor = body["next_cursor_str"]
    assert set(seen) == already
    assert pages == -(-(len(already) + 2) // 3)
    ints = http.get("blocks/ids.json").json()["ids"]
    assert all(isinstance(i, int) for i in ints)


def test_blocks_list(emulator: Emulator, emulator_http: Http) -> None:
    body = emulator_http(emulator).get("blocks/list.json").json()
    assert {"users", "next_cursor", "previous_cursor", "total_count"} <= set(body)
    assert body["users"] and all(
        u["id_str"] in _ids(emulator, "already_blocked") for u in body["users"]
    )


def test_users_lookup(emulator: Emulator, emulator_http: Http) -> None:
    http = emulator_http(emulator)
    active = _ids(emulator, "active")[:2]
    gone = [_ids(emulator, "suspended")[0], _ids(emulator, "deactivated")[0], "42"]
    r = http.get("users/lookup.json", {"user_id": ",".join(active + gone)})
    assert r.status_code == 200 and r.headers["x-rate-limit-limit"] == "900"
    assert sorted(u["id_str"] for u in r.json()) == sorted(active)
    r = http.get("users/lookup.json", {"user_id": ",".join(gone)})
    assert (r.status_code, r.content) == (
        404,
        b'{"errors":[{"code":17,"message":"No user matches for specified terms."}]}',
    )
    r = http.post("users/lookup.json", {"user_id": ",".join(str(i) for i in range(101))})
    assert r.status_code == 403


def test_friendships_lookup_connections(emulator: Emulator, emulator_http: Http) -> None:
    http = emulator_http(emulator)
    pairs = {
        _ids(emulator, "following")[0]: ["following"],
        _ids(emulator, "follower")[0]: ["followed_by"],
        _ids(emulator, "mutual")[0]: ["following", "followed_by"],
        _ids(emulator, "already_blocked")[0]: ["blocking"],
        _ids(emulator, "active")[0]: ["none"],
    }
    uids = [*pairs, _ids(emulator, "suspended")[0]]
    r = http.get("friendships/lookup.json", {"user_id": ",".join(uids)})
    assert r.headers["x-rate-limit-limit"] == "15"
    got = {row["id_str"]: row["connections"] for row in r.json()}
    assert got == pairs


def test_friendships_show(emulator: Emulator, emulator_http: Http) -> None:
    http = emulator_http(emulator)
    uid = _ids(emulator, "follower")[0]
    rel = http.get("friendships/show.json", {"target_id": uid}).json()["relationship"]
    assert rel["source"]["id_str"] == emulator.truth()["viewer"]["user_id"]
    assert rel["source"]["followed_by"] is True and rel["source"]["blocking"] is False
    assert rel["target"]["following"] is True and rel["target"]["id_str"] == uid
    r = http.get("friendships/show.json", {"target_id": "42"})
    assert (r.status_code, r.json()["errors"][0]["code"]) == (404, 50)


def test_verify_credentials(emulator: Emulator, emulator_http: Http) -> None:
    r = emulator_http(emulator).get("account/verify_credentials.json")
    body = r.json()
    assert r.headers["x-rate-limit-limit"] == "75"
    assert body["screen_name"] == "emu_viewer" and body["suspended"] is False
    assert body["needs_phone_verification"] is False


def test_wrong_method_or_path_is_404_34(emulator: Emulator, emulator_http: Http) -> None:
    http = emulator_http(emulator)
    for r in (http.get("blocks/create.json"), http.get("no/such.json"), http.get("blocks/ids")):
        assert (r.status_code, r.json()["errors"][0]["code"]) == (404, 34)
