"""XClient failure paths over loopback HTTP: auth, csrf, account state, rate limits, transients,
the 336 self-heal, and secrets never leaking into records, errors or reprs."""

from __future__ import annotations

import json
import socket
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import httpx
import pytest

from twitter_blocker.engine.clock import SystemClock
from twitter_blocker.engine.scheduler import Scheduler
from twitter_blocker.errors import AccountBlockedError, AuthError, InputError
from twitter_blocker.inputs.cookies import Cookies, load_cookies
from twitter_blocker.twitter_api import TwitterAPI
from twitter_blocker.x import endpoints
from twitter_blocker.x.client import XClient
from twitter_blocker.x.errors import (
    AccountLocked,
    AccountSuspended,
    CsrfMismatch,
    FeaturesOutdated,
    RateLimited,
    Transient,
    XAuthError,
    XError,
)
from twitter_blocker.x.models import BlockStatus, CallRecord, UserState


@dataclass
class Env:
    emu: Any
    dir: Path
    cookies: Cookies
    truth: dict[str, Any]
    records: list[CallRecord]
    clients: list[XClient]

    def client(self, cookies: Any = None, **kw: Any) -> XClient:
        # the rate authority is the scheduler: one per client, fed by what the client saw
        sched = Scheduler.standalone(SystemClock())
        c = XClient(
            cookies or self.cookies,
            api_base=self.emu.base_url,
            observer=sched.watching(self.records.append),
            gate=sched.check,
            **kw,
        )
        self.clients.append(c)
        return c

    def target(self, kind: str) -> dict[str, Any]:
        return next(t for t in self.truth["targets"] if t["kind"] == kind)


@pytest.fixture
def env_factory(
    emulator_factory: Callable[..., Any], tmp_path: Path
) -> Iterator[Callable[..., Env]]:
    made: list[Env] = []

    def make(**config: Any) -> Env:
        emu = emulator_factory(**{"seed": 4, "population": 60, **config})
        emu.write_fixture(tmp_path)
        env = Env(emu, tmp_path, load_cookies(tmp_path / "cookies.json"), emu.truth(), [], [])
        made.append(env)
        return env

    yield make
    for env in made:
        for client in env.clients:
            client.close()


@pytest.fixture
def env(env_factory: Callable[..., Env]) -> Env:
    return env_factory()


def secrets_of(cookies: Cookies) -> list[str]:
    return [cookies.auth_token, cookies.ct0, cookies.header_value()]


def assert_no_secret(cookies: Cookies, *things: object) -> None:
    for thing in things:
        text = repr(thing) + str(thing)
        for secret in secrets_of(cookies):
            assert secret not in text


# ------------------------------------------------------------------ authentication
def test_revoked_auth_token_is_auth_failed(env: Env) -> None:
    bad = replace(env.cookies, auth_token="0" * 40)
    client = env.client(bad)
    with pytest.raises(XAuthError) as info:
        client.lookup_handle(env.target("active")["screen_name"])
    assert info.value.code == 32 and info.value.http_status == 401
    with pytest.raises(XAuthError) as info2:
        client.block(env.target("active")["user_id"])
    assert info2.value.code == 32
    assert [r.outcome for r in env.records] == ["auth_failed", "auth_failed"]
    assert_no_secret(env.cookies, info.value, info2.value, env.records, client)
    assert_no_secret(bad, info.value, env.records, client)


def test_auth_failure_on_graphql_200(env_factory: Callable[..., Env]) -> None:
    env = env_factory(auth_graphql_200=True)
    client = env.client(replace(env.cookies, auth_token="0" * 40))
    with pytest.raises(XAuthError):
        client.lookup_id(env.target("active")["user_id"])
    assert env.records[0].http_status == 200 and env.records[0].code == 32


@dataclass(frozen=True)
class WrongCsrf:
    """Sends a csrf header that differs from the ct0 cookie."""

    inner: Cookies

    @property
    def ct0(self) -> str:
        return "f" * 32

    @property
    def user_id(self) -> str | None:
        return self.inner.user_id

    def header_value(self) -> str:
        return self.inner.header_value()


def test_csrf_mismatch(env: Env) -> None:
    client = env.client(WrongCsrf(env.cookies))
    with pytest.raises(CsrfMismatch) as info:
        client.viewer()
    assert info.value.code == 353 and info.value.exit_code == 3
    assert env.records[0].outcome == "csrf_mismatch"
    # Viewer's auth failure is not papered over by the verify_credentials fallback.
    assert [r.operation for r in env.records] == ["Viewer"]


def test_client_sends_the_web_headers(env: Env) -> None:
    seen: list[httpx.Request] = []

    def spy(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"data": {}})

    with XClient(
        env.cookies, api_base="http://x.test", transport=httpx.MockTransport(spy)
    ) as client:
        client.lookup_handle("someone")
        client.block("12345")
    post = seen[1]
    assert post.method == "POST" and post.url.path == "/i/api/1.1/blocks/create.json"
    assert post.headers["content-type"] == "application/x-www-form-urlencoded"
    assert post.content == b"user_id=12345"
    assert post.headers["x-csrf-token"] == env.cookies.ct0
    assert seen[0].method == "GET" and seen[0].headers["content-type"] == "application/json"
    assert seen[0].url.path == endpoints.graphql_path("UserByScreenName")
    h = seen[0].headers
    assert h["x-csrf-token"] == env.cookies.ct0
    assert h["authorization"] == f"Bearer {endpoints.WEB_BEARER}"
    assert h["x-twitter-auth-type"] == "OAuth2Session" and h["x-twitter-active-user"] == "yes"
    assert h["cookie"] == env.cookies.header_value()
    assert "x-twitter-auth-token" not in h
    params = seen[0].url.params
    assert json.loads(params["variables"]) == {
        "screen_name": "someone",
        "withSafetyModeUserFields": True,
    }
    assert json.loads(params["features"]) == dict(endpoints.FEATURES["UserByScreenName"])


# ------------------------------------------------------------------ own account
def test_locked_account_after_blocks(env_factory: Callable[..., Env]) -> None:
    env = env_factory(lock_after=1)
    client = env.client()
    client.block(env.target("active")["user_id"])
    with pytest.raises(AccountLocked) as info:
        client.lookup_id(env.target("active")["user_id"])
    assert info.value.code == 326 and info.value.exit_code == 4
    with pytest.raises(AccountLocked):
        client.block(env.target("protected")["user_id"])
    assert env.records[-1].outcome == "account_locked"


def test_locked_graphql_200_form(env_factory: Callable[..., Env]) -> None:
    env = env_factory(lock_after=1, lock_graphql_form="200")
    client = env.client()
    client.block(env.target("active")["user_id"])
    with pytest.raises(AccountLocked):
        client.lookup_handles([env.target("active")["screen_name"]])
    assert env.records[-1].http_status == 200


def test_own_account_suspended(env: Env) -> None:
    env.emu.set_account_state(0, "suspended")
    client = env.client()
    with pytest.raises(AccountSuspended) as info:
        client.block(env.target("active")["user_id"])
    assert info.value.code == 64 and info.value.exit_code == 4
    with pytest.raises(AccountSuspended):
        client.viewer()


# ------------------------------------------------------------------ rate limits
def test_spent_window_raises_with_reset(env_factory: Callable[..., Env]) -> None:
    env = env_factory(limits={"UserByRestId": 2}, window_seconds=30.0)
    client = env.client()
    uid = env.target("active")["user_id"]
    client.lookup_id(uid)
    client.lookup_id(uid)
    last_rate = env.records[-1].rate
    assert last_rate is not None and last_rate.remaining == 0
    # The client knows the window is spent: it raises without walking into a 429.
    with pytest.raises(RateLimited) as info:
        client.lookup_id(uid)
    assert len(env.records) == 2
    assert info.value.reset == last_rate.reset and info.value.suspicious is False
    # A client without that memory gets X's 429 with the same reset.
    with pytest.raises(RateLimited) as info2:
        env.client().lookup_id(uid)
    err = info2.value
    assert err.reset is not None and time.time() < err.reset <= time.time() + 31
    assert err.reset == last_rate.reset and err.suspicious is False
    assert env.records[-1].outcome == "rate_limited" and env.records[-1].http_status == 429
    assert env.emu.state()["calls"]["UserByRestId"] == {"200": 2, "429": 1}


def test_spent_window_opens_again_after_its_reset(env_factory: Callable[..., Env]) -> None:
    env = env_factory(limits={"UserByRestId": 1}, window_seconds=1.0)
    client = env.client()
    uid = env.target("active")["user_id"]
    client.lookup_id(uid)
    with pytest.raises(RateLimited) as info:
        client.lookup_id(uid)
    assert info.value.reset is not None
    time.sleep(max(0.0, info.value.reset - time.time()) + 0.05)
    assert client.lookup_id(uid).state is UserState.ACTIVE
    assert [r.outcome for r in env.records] == ["ok", "ok"]


@pytest.mark.parametrize(("body", "status"), [("text", 429), ("json200", 200)])
def test_rate_limit_body_variants(env_factory: Callable[..., Env], body: str, status: int) -> None:
    env = env_factory(limits={"UserByScreenName": 1}, rate_limit_body=body)
    handle = env.target("active")["screen_name"]
    env.client().lookup_handle(handle)
    with pytest.raises(RateLimited) as info:
        env.client().lookup_handle(handle)  # a fresh client: the request is really sent
    assert info.value.reset is not None
    assert env.records[-1].http_status == status and env.records[-1].outcome == "rate_limited"


def test_code88_with_remaining_is_suspicious(env_factory: Callable[..., Env]) -> None:
    env = env_factory(code88_after=1)
    client = env.client()
    uid = env.target("active")["user_id"]
    with pytest.raises(RateLimited) as info:
        for _ in range(3):
            client.lookup_id(uid)
    assert info.value.suspicious is True


def test_rate_limited_batch_is_not_expanded_into_singles(env_factory: Callable[..., Env]) -> None:
    env = env_factory(limits={"UsersByRestIds": 0})
    with pytest.raises(RateLimited):
        env.client().lookup_ids([env.target("active")["user_id"]])
    assert [r.operation for r in env.records] == ["UsersByRestIds"]


# ------------------------------------------------------------------ transient failures
@pytest.mark.parametrize(
    ("switch", "status"),
    [
        ({"cloudflare_rate": 1.0}, 403),
        ({"loadshed_rate": 1.0}, 503),
        ({"error_5xx_rate": 1.0}, 503),
        ({"malformed_rate": 1.0}, 200),
        ({"drop_rate": 1.0}, None),
    ],
)
def test_transient_failures(
    env_factory: Callable[..., Env], switch: dict[str, Any], status: int | None
) -> None:
    env = env_factory(**switch)
    client = env.client()
    with pytest.raises(Transient):
        client.block(env.target("active")["user_id"])
    assert len(env.records) == 1
    rec = env.records[0]
    assert rec.outcome == "transient" and rec.http_status == status
    assert_no_secret(env.cookies, rec)


def test_empty_403_is_an_auth_signal(env_factory: Callable[..., Env]) -> None:
    """Our decision (outcomes.py): an empty 403 means "session expired or banned": stop."""
    env = env_factory(empty_403_rate=1.0)
    with pytest.raises(XAuthError) as info:
        env.client().block(env.target("active")["user_id"])
    assert info.value.http_status == 403 and info.value.exit_code == 3
    assert env.records[0].outcome == "auth_failed"


def test_timeout_is_transient(env_factory: Callable[..., Env]) -> None:
    env = env_factory(latency_ms=400.0)
    with pytest.raises(Transient) as info:
        env.client(timeout=0.1).lookup_id(env.target("active")["user_id"])
    assert "timed out" in str(info.value)
    assert env.records[0].http_status is None


def test_connection_refused_is_transient(env: Env) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    client = XClient(env.cookies, api_base=f"http://127.0.0.1:{port}", observer=env.records.append)
    env.clients.append(client)
    with pytest.raises(Transient):
        client.block("1")
    assert env.records[0].outcome == "transient"


def test_missing_transaction_id_is_tid_rejected(env_factory: Callable[..., Env]) -> None:
    env = env_factory(tid_operations=("UserByScreenName",))
    with pytest.raises(Transient):
        env.client().lookup_handle(env.target("active")["screen_name"])
    assert env.records[0].outcome == "tid_rejected" and env.records[0].http_status == 404


@pytest.mark.parametrize("operation", ["blocks/create", "blocks/destroy"])
def test_missing_transaction_id_on_a_block_is_transient_not_not_found(
    env_factory: Callable[..., Env], operation: str
) -> None:
    """An empty 404 on v1.1 is a rejected transaction id (X-FACTS.md 6), never "user not found"."""
    env = env_factory(tid_operations=(operation,))
    client = env.client()
    target = env.target("active")["user_id"]
    call = client.block if operation == "blocks/create" else client.unblock
    with pytest.raises(Transient) as info:
        call(target)
    assert info.value.http_status == 404 and info.value.code is None
    [record] = env.records
    assert (record.operation, record.outcome) == (operation, "tid_rejected")
    assert record.http_status == 404
    viewer = env.truth["viewer"]["user_id"]
    assert target not in env.emu.state()["accounts"][viewer]["blocked"]
    env.emu.set_switches(tid_operations=[])  # the same target, once X accepts the call
    assert call(target).status is BlockStatus.OK


def test_errors_beside_data_use_the_data(env_factory: Callable[..., Env]) -> None:
    env = env_factory(errors_with_data=True)
    target = env.target("following")
    result = env.client().lookup_handle(target["screen_name"])
    assert result.state is UserState.ACTIVE and result.user is not None
    assert result.user.following is True


# ------------------------------------------------------------------ 336 self-heal
def test_features_self_heal(env_factory: Callable[..., Env]) -> None:
    required = (*endpoints.FEATURES["UserByScreenName"], "brand_new_flag_enabled")
    env = env_factory(required_features={"UserByScreenName": required})
    client = env.client()
    handle = env.target("active")["screen_name"]
    assert client.lookup_handle(handle).state is UserState.ACTIVE
    assert [r.outcome for r in env.records] == ["features_outdated", "ok"]
    assert env.records[0].code == 336
    assert client.lookup_handle(handle).state is UserState.ACTIVE
    assert len(env.records) == 3  # the flag stays for the life of the client


def test_second_336_raises_features_outdated() -> None:
    """A server that names a new flag on every call: heal once, then give up.

    (The emulator requires a fixed set, so this one case uses a mock transport.)
    """
    calls: list[str] = []

    def always_more(request: httpx.Request) -> httpx.Response:
        name = f"flag_{len(calls)}_enabled"
        calls.append(name)
        message = f"The following features cannot be null: {name}"
        return httpx.Response(400, json={"errors": [{"code": 336, "message": message}]})

    records: list[CallRecord] = []
    cookies = Cookies(auth_token="a" * 40, ct0="b" * 32, user_id="1")
    client = XClient(
        cookies,
        api_base="http://x.test",
        observer=records.append,
        transport=httpx.MockTransport(always_more),
    )
    with client, pytest.raises(FeaturesOutdated) as info:
        client.lookup_id("2")
    assert info.value.missing == ("flag_1_enabled",)
    assert len(calls) == 2 and [r.outcome for r in records] == ["features_outdated"] * 2


# ------------------------------------------------------------------ facade and secrets
def test_twitter_api_facade(env: Env, monkeypatch: pytest.MonkeyPatch) -> None:
    with TwitterAPI(cookies_file=env.dir / "cookies.json", api_base=env.emu.base_url) as api:
        info = api.get_login_user_info()
    assert info["id"] == env.truth["viewer"]["user_id"]
    assert info["screen_name"] == env.truth["viewer"]["screen_name"] and "name" in info
    monkeypatch.setenv("TWITTER_COOKIES_PATH", str(env.dir / "cookies.json"))
    monkeypatch.setenv("TWITTER_API_BASE", env.emu.base_url)
    with TwitterAPI() as default:
        assert default.get_login_user_info() == info
    assert_no_secret(env.cookies, api)


def test_twitter_api_facade_clear_auth_error(env: Env, tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"auth_token": "0" * 40, "ct0": "1" * 32}))
    with (
        TwitterAPI(cookies_file=bad, api_base=env.emu.base_url) as api,
        pytest.raises(AuthError) as info,
    ):
        api.get_login_user_info()
    assert "auth_token" in str(info.value) and "0" * 40 not in str(info.value)


def test_twitter_api_facade_locked(env: Env) -> None:
    env.emu.set_account_state(0, "locked")
    api = TwitterAPI(cookies_file=env.dir / "cookies.json", api_base=env.emu.base_url)
    with api, pytest.raises(AccountBlockedError) as info:
        api.get_login_user_info()
    assert "326" in str(info.value)


def test_error_messages_and_records_hold_no_secret(env: Env) -> None:
    errors: list[XError] = []
    client = env.client(WrongCsrf(env.cookies))
    for call in (client.viewer, lambda: client.block("1"), lambda: client.lookup_ids(["1"])):
        try:
            call()
        except XError as exc:
            errors.append(exc)
    assert len(errors) == 3
    assert_no_secret(env.cookies, errors, env.records, client, env.cookies)


@pytest.mark.parametrize("base", ["x.com", "ftp://x.com", "https://", ""])
def test_bad_api_base_is_input_error(env: Env, base: str) -> None:
    with pytest.raises(InputError) as info:
        XClient(env.cookies, api_base=base)
    assert info.value.exit_code == 2 and "api-base" in str(info.value)


def test_runbook_one_liner(env: Env) -> None:
    """The runbook's auth test, run from the data directory with the default cookies.json."""
    import os
    import subprocess
    import sys

    code = (
        "from twitter_blocker.twitter_api import TwitterAPI; "
        "print(TwitterAPI().get_login_user_info())"
    )
    environ = {k: v for k, v in os.environ.items() if k != "TWITTER_COOKIES_PATH"}
    environ["TWITTER_API_BASE"] = env.emu.base_url
    out = subprocess.run(
        [sys.executable, "-c", code],
        cwd=env.dir,
        env=environ,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert env.truth["viewer"]["user_id"] in out.stdout
    assert env.truth["viewer"]["screen_name"] in out.stdout
    for secret in secrets_of(env.cookies):
        assert secret not in out.stdout + out.stderr
