"""Emulator rate windows, failure switches and the control API, over loopback HTTP."""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from twitter_blocker.emulator import Emulator

Http = Callable[..., Any]  # the emulator_http fixture (conftest.EmulatorHttp)


def test_window_reopens_at_the_advertised_reset(
    emulator_factory: Callable[..., Emulator], emulator_http: Http
) -> None:
    emu = emulator_factory(window_seconds=1.0, limits={"Viewer": 1})
    http = emulator_http(emu)
    first = http.gql("Viewer")
    assert first.status_code == 200
    assert http.gql("Viewer").status_code == 429
    reset = int(first.headers["x-rate-limit-reset"])
    time.sleep(max(0.0, reset - time.time()) + 0.01)
    again = http.gql("Viewer")
    assert again.status_code == 200
    assert int(again.headers["x-rate-limit-reset"]) > reset
    viewer = emu.truth()["viewer"]["user_id"]
    assert emu.state()["windows"][viewer]["Viewer"] == 2
    assert emu.state()["calls"]["Viewer"] == {"200": 2, "429": 1}


def test_windows_are_per_viewer_and_operation(
    emulator_factory: Callable[..., Emulator], emulator_http: Http
) -> None:
    emu = emulator_factory(limits={"Viewer": 1})
    a, b = emulator_http(emu), emulator_http(emu, viewer=1)
    assert a.gql("Viewer").status_code == 200
    assert b.gql("Viewer").status_code == 200
    assert a.gql("Viewer").status_code == 429
    assert a.get("account/verify_credentials.json").status_code == 200


def test_unlimited_operation_sends_no_rate_headers(
    emulator_factory: Callable[..., Emulator], emulator_http: Http
) -> None:
    emu = emulator_factory(limits={"Viewer": None})
    r = emulator_http(emu).gql("Viewer")
    assert r.status_code == 200 and "x-rate-limit-limit" not in r.headers


@pytest.mark.parametrize(
    ("form", "status", "body"),
    [
        ("text", 429, b"Rate limit exceeded.\n"),
        ("json200", 200, b'{"errors":[{"code":88,"message":"Rate limit exceeded"}]}'),
    ],
)
def test_rate_limit_body_variants(
    emulator_factory: Callable[..., Emulator],
    emulator_http: Http,
    form: str,
    status: int,
    body: bytes,
) -> None:
    emu = emulator_factory(limits={"Viewer": 1}, rate_limit_body=form)
    http = emulator_http(emu)
    http.gql("Viewer")
    r = http.gql("Viewer")
    assert (r.status_code, r.content) == (status, body)
    assert r.headers["x-rate-limit-remaining"] == "0"


def test_code_88_while_remaining(emulator: Emulator, emulator_http: Http) -> None:
    emulator.set_switches(code88_after=2)
    http = emulator_http(emulator)
    codes = [http.gql("Viewer") for _ in range(3)]
    assert [r.status_code for r in codes] == [200, 200, 429]
    assert codes[2].headers["x-rate-limit-remaining"] == "98"
    assert codes[2].json()["errors"][0]["code"] == 88


def test_cloudflare_html_403(emulator: Emulator, emulator_http: Http) -> None:
    emulator.set_switches(cloudflare_rate=1.0)
    r = emulator_http(emulator).gql("Viewer", authorization=None)  # before any auth check
    assert r.status_code == 403
    assert r.headers["content-type"].startswith("text/html") and "cf-ray" in r.headers
    assert b"Cloudflare" in r.content


def test_loadshed_over_capacity_and_empty_403(emulator: Emulator, emulator_http: Http) -> None:
    http = emulator_http(emulator)
    emulator.set_switches(loadshed_rate=1.0)
    r = http.gql("Viewer")
    assert (r.status_code, r.json()) == (503, {"errors": [{"message": "LoadShed"}]})
    emulator.set_switches(loadshed_rate=0.0, error_5xx_rate=1.0)
    r = http.post("blocks/create.json", {"user_id": "1"})
    assert (r.status_code, r.json()["errors"][0]["code"]) == (503, 130)
    emulator.set_switches(error_5xx_rate=0.0, empty_403_rate=1.0)
    r = http.gql("Viewer")
    assert (r.status_code, r.content) == (403, b"")
    assert "x-rate-limit-limit" not in r.headers


def test_dropped_connection(emulator: Emulator, emulator_http: Http) -> None:
    emulator.set_switches(drop_rate=1.0)
    http = emulator_http(emulator)
    with pytest.raises(httpx.RemoteProtocolError):
        http.gql("Viewer")
    emulator.set_switches(drop_rate=0.0)
    assert http.gql("Viewer").status_code == 200
    assert emulator.state()["calls"]["Viewer"] == {"dropped": 1, "200": 1}


def test_malformed_json(emulator: Emulator, emulator_http: Http) -> None:
    emulator.set_switches(malformed_rate=1.0)
    r = emulator_http(emulator).gql("Viewer")
    assert r.status_code == 200
    with pytest.raises(ValueError):
        json.loads(r.content)


def test_latency_switch_still_answers(emulator: Emulator, emulator_http: Http) -> None:
    emulator.set_switches(latency_ms=20)
    assert emulator_http(emulator).gql("Viewer").status_code == 200


def _tid() -> str:
    raw = bytes([7]) + bytes(68) + bytes([7 ^ 3])
    return base64.b64encode(raw).decode().rstrip("=")


def test_transaction_id_check(emulator: Emulator, emulator_http: Http) -> None:
    http = emulator_http(emulator)
    emulator.set_switches(tid_operations=["UserByScreenName"])
    assert http.gql("Viewer").status_code == 200
    r = http.gql("UserByScreenName", {"screen_name": "x"})
    assert (r.status_code, r.content) == (404, b"")
    assert r.headers["x-rate-limit-remaining"] == "149"  # a TID 404 uses a request
    ok = http.gql("UserByScreenName", {"screen_name": "x"}, **{"x-client-transaction-id": "abc"})
    assert ok.status_code == 200
    emulator.set_switches(tid_strict=True)
    bad = http.gql("UserByScreenName", {"screen_name": "x"}, **{"x-client-transaction-id": "abc"})
    assert bad.status_code == 404
    # well-formed but not signed with the page's key material (test_emulator_moves has a real one)
    unsigned = http.gql(
        "UserByScreenName", {"screen_name": "x"}, **{"x-client-transaction-id": _tid()}
    )
    assert unsigned.status_code == 404


def test_control_api(emulator: Emulator, emulator_http: Http) -> None:
    http = emulator_http(emulator)
    ctl = httpx.Client(base_url=emulator.base_url + "/__emulator__")
    try:
        uid = next(t["user_id"] for t in emulator.truth()["targets"] if t["kind"] == "active")
        http.post("blocks/create.json", {"user_id": uid})
        state = ctl.get("/state").json()
        assert state == emulator.state()
        assert state["calls"]["blocks/create"] == {"200": 1}
        assert ctl.get("/truth").json() == emulator.truth()
        r = ctl.post("/switches", json={"code88_after": 0})
        assert r.json()["code88_after"] == 0
        assert http.gql("Viewer").status_code == 429
        assert ctl.post("/switches", json={"nope": 1}).status_code == 400
        assert ctl.post("/accounts/0/state", json={"state": "locked"}).json() == {"state": "locked"}
        old = http.auth_token
        cookies = ctl.post("/accounts/0/cookies").json()
        new = next(c["value"] for c in cookies if c["name"] == "auth_token")
        assert new != old and ctl.get("/accounts/0/cookies").json() == cookies
        assert ctl.post("/accounts/9/cookies").status_code == 404
        assert ctl.post("/reset").json() == {"reset": True}
        after = emulator.state()
        assert after["calls"] == {} and after["switches"]["code88_after"] is None
        assert http.gql("Viewer").status_code == 200  # original cookies and state are back
    finally:
        ctl.close()


def test_every_switch_has_a_converter_and_bad_values_change_nothing() -> None:
    from dataclasses import fields

    from twitter_blocker.emulator.config import _CONVERTERS, Switches

    assert set(_CONVERTERS) == {f.name for f in fields(Switches)}
    sw = Switches()
    with pytest.raises(ValueError, match="drop_rate"):
        sw.update(lock_after=3, drop_rate=2)
    assert sw.lock_after is None  # all or nothing
    sw.update(lock_after="5", tid_operations="Viewer,UserByRestId", errors_with_data="true")
    assert (sw.lock_after, sw.tid_operations, sw.errors_with_data) == (
        5,
        ("Viewer", "UserByRestId"),
        True,
    )


def test_session_kill_counts_a_rolling_window(emulator: Emulator) -> None:
    emulator.set_switches(session_kill_after=3, session_kill_window=60.0)
    world = emulator.world
    account = world.account(0)
    ids = [t["user_id"] for t in emulator.truth()["targets"] if t["kind"] == "active"]
    world.note_block(account, ids[0], now=1000.0)
    world.note_block(account, ids[1], now=1030.0)
    world.note_block(account, ids[2], now=1061.0)  # the first fell out of the window
    assert account.auth_token is not None
    world.note_block(account, ids[3], now=1062.0)
    assert account.auth_token is None


def test_control_api_renewal_and_reset_rewrite_the_fixture_cookies(
    emulator: Emulator, tmp_path: Path
) -> None:
    emulator.write_fixture(tmp_path)
    original = (tmp_path / "cookies_1.json").read_text()
    with httpx.Client(base_url=emulator.base_url + "/__emulator__") as ctl:
        renewed = ctl.post("/accounts/1/cookies").json()
        assert json.loads((tmp_path / "cookies_1.json").read_text()) == renewed
        assert (tmp_path / "cookies_1.json").read_text() != original
        ctl.post("/reset")
    assert (tmp_path / "cookies_1.json").read_text() == original


def test_next_n_switches_answer_then_count_down(emulator: Emulator, emulator_http: Http) -> None:
    http = emulator_http(emulator)
    target = next(t for t in emulator.truth()["targets"] if t["expected"] == "blocked")
    form = {"user_id": target["user_id"]}
    emulator.set_switches(
        empty_403_next=1,
        block_refused_next=1,
        block_not_found_next=1,
        block_forbidden_next=1,
        not_found_code=34,
        block_forbidden_code=200,
    )
    empty = http.gql("Viewer")
    assert (empty.status_code, empty.content) == (403, b"")
    refused = http.post("blocks/create.json", form)
    assert refused.status_code == 429
    assert refused.json()["errors"][0]["code"] == 88
    assert not any(h.startswith("x-rate-limit") for h in refused.headers)
    gone = http.post("blocks/create.json", form)
    assert (gone.status_code, gone.json()["errors"][0]["code"]) == (404, 34)
    forbidden = http.post("blocks/create.json", form)
    assert (forbidden.status_code, forbidden.json()["errors"][0]["code"]) == (403, 200)
    assert http.post("blocks/create.json", form).status_code == 200  # all counted down
    assert http.gql("Viewer").status_code == 200
    switches = emulator.state()["switches"]
    assert [switches[n] for n in ("empty_403_next", "block_refused_next")] == [0, 0]
    assert emulator.state()["accounts"][emulator.truth()["viewer"]["user_id"]]["block_calls"] == {
        target["user_id"]: 1
    }
