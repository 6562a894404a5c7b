"""Emulator authentication in X's order (X-FACTS.md 1.2, 8.2), over loopback HTTP."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from twitter_blocker.emulator import Emulator

Http = Callable[..., Any]  # the emulator_http fixture (conftest.EmulatorHttp)

E89 = b'{"errors":[{"code":89,"message":"Invalid or expired token."}]}'
E353 = (
    b'{"errors":[{"code":353,"message":"This request requires a matching csrf cookie '
    b'and header."}]}'
)
E32_GQL = b'{"errors":[{"message":"Could not authenticate you","code":32}]}'
E32_V11 = b'{"errors":[{"code":32,"message":"Could not authenticate you."}]}'
E215 = b'{"errors":[{"code":215,"message":"Bad Authentication data."}]}'


def _viewer(http: Any) -> Any:
    return http.gql("Viewer", {"withCommunitiesMemberships": True})


@pytest.mark.parametrize("bearer", [None, "Bearer nope", "Basic abc"])
def test_bad_bearer_is_401_89_before_anything(
    emulator: Emulator, emulator_http: Http, bearer: str | None
) -> None:
    http = emulator_http(emulator)
    r = http.gql("Viewer", authorization=bearer, cookie=None)
    assert (r.status_code, r.content) == (401, E89)
    r = http.post("blocks/create.json", {"user_id": "1"}, authorization=bearer)
    assert (r.status_code, r.content) == (401, E89)
    assert "x-rate-limit-limit" not in r.headers


def test_configured_extra_bearer_is_accepted(
    emulator_factory: Callable[..., Emulator], emulator_http: Http
) -> None:
    emu = emulator_factory(extra_bearers=("AAAAsecond",))
    http = emulator_http(emu)
    assert http.gql("Viewer", authorization="Bearer AAAAsecond").status_code == 200


def test_no_cookies_on_v11_is_400_215(emulator: Emulator, emulator_http: Http) -> None:
    http = emulator_http(emulator)
    r = http.get("account/verify_credentials.json", cookie=None, **{"x-csrf-token": None})
    assert (r.status_code, r.content) == (400, E215)


@pytest.mark.parametrize("csrf", [None, "0" * 32])
def test_csrf_mismatch_is_403_353_with_new_ct0(
    emulator: Emulator, emulator_http: Http, csrf: str | None
) -> None:
    http = emulator_http(emulator)
    for r in (
        http.gql("Viewer", **{"x-csrf-token": csrf}),
        http.post("blocks/create.json", {"user_id": "1"}, **{"x-csrf-token": csrf}),
    ):
        assert (r.status_code, r.content) == (403, E353)
        assert r.headers["set-cookie"].startswith("ct0=")
    # the old ct0 keeps working
    assert _viewer(http).status_code == 200


def test_any_matching_csrf_pair_passes(emulator: Emulator, emulator_http: Http) -> None:
    http = emulator_http(emulator)
    r = http.gql(
        "Viewer",
        cookie=f"auth_token={http.auth_token}; ct0=abcdef",
        **{"x-csrf-token": "abcdef"},
    )
    assert r.status_code == 200


def test_unknown_auth_token_is_401_32_in_each_form(emulator: Emulator, emulator_http: Http) -> None:
    http = emulator_http(emulator)
    http.auth_token = "f" * 40
    r = _viewer(http)
    assert (r.status_code, r.content) == (401, E32_GQL)
    r = http.post("blocks/create.json", {"user_id": "1"})
    assert (r.status_code, r.content) == (401, E32_V11)
    emulator.set_switches(auth_graphql_200=True)
    r = _viewer(http)
    assert (r.status_code, r.content) == (200, E32_GQL)


def test_locked_and_suspended_viewer(emulator: Emulator, emulator_http: Http) -> None:
    http = emulator_http(emulator)
    emulator.set_account_state(0, "locked")
    r = http.post("blocks/create.json", {"user_id": "1"})
    assert r.status_code == 403
    assert r.json()["errors"][0]["code"] == 326
    assert r.json()["errors"][0]["message"].startswith("To protect our users from spam")
    r = _viewer(http)
    err = r.json()["errors"][0]
    assert r.status_code == 403
    assert err["code"] == 326 and err["message"].startswith(
        "Authorization: Denied by access control"
    )
    emulator.set_switches(lock_graphql_form="200")
    assert _viewer(http).status_code == 200
    emulator.set_account_state(0, "suspended")
    r = http.get("account/verify_credentials.json")
    assert r.status_code == 403
    assert r.json() == {
        "errors": [
            {
                "code": 64,
                "message": "Your account is suspended and is not permitted to access this feature.",
            }
        ]
    }
    # the other viewer is unaffected
    assert _viewer(emulator_http(emulator, viewer=1)).status_code == 200


def test_auth_order_bearer_before_csrf_before_token(
    emulator: Emulator, emulator_http: Http
) -> None:
    http = emulator_http(emulator)
    http.auth_token = "bad"
    assert http.gql("Viewer", authorization="Bearer x", **{"x-csrf-token": "y"}).status_code == 401
    assert http.gql("Viewer", **{"x-csrf-token": "y"}).status_code == 403
    assert http.gql("Viewer").status_code == 401


def test_api_host_style_prefix(emulator: Emulator, emulator_http: Http) -> None:
    http = emulator_http(emulator, prefix="")
    assert http.gql("Viewer").status_code == 200
    assert http.get("account/verify_credentials.json").status_code == 200


def test_session_kill_after_n_blocks_then_renewal(
    emulator_factory: Callable[..., Emulator], emulator_http: Http, tmp_path: Path
) -> None:
    emu = emulator_factory(session_kill_after=3)
    emu.write_fixture(tmp_path)
    http = emulator_http(emu)
    ids = [t["user_id"] for t in emu.truth()["targets"] if t["kind"] == "active"][:4]
    statuses = [http.post("blocks/create.json", {"user_id": uid}).status_code for uid in ids]
    assert statuses == [200, 200, 200, 401]
    r = _viewer(http)
    assert (r.status_code, r.content) == (401, E32_GQL)
    assert emu.state()["accounts"][emu.truth()["viewer"]["user_id"]]["session"] == "killed"
    cookies = emu.renew_cookies(0)
    token = next(c["value"] for c in cookies if c["name"] == "auth_token")
    assert token != http.auth_token
    assert token in (tmp_path / "cookies.json").read_text()
    http.auth_token = token
    assert http.post("blocks/create.json", {"user_id": ids[3]}).status_code == 200


def test_lock_after_n_blocks(
    emulator_factory: Callable[..., Emulator], emulator_http: Http
) -> None:
    emu = emulator_factory(lock_after=2)
    http = emulator_http(emu)
    ids = [t["user_id"] for t in emu.truth()["targets"] if t["kind"] == "active"][:3]
    statuses = [http.post("blocks/create.json", {"user_id": uid}).status_code for uid in ids]
    assert statuses == [200, 200, 403]
    emu.set_account_state(0, "active")
    assert http.post("blocks/create.json", {"user_id": ids[2]}).status_code == 200
