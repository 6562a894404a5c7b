"""The client follows X as it moves: pinned ids first, discovery from x.com/home as healing
(both web builds), transaction ids, POST, and clean stops, over the real emulator."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from twitter_blocker.emulator.queryids import PUBLISHED_IDS, ids_for_epoch
from twitter_blocker.inputs.cookies import Cookies, load_cookies
from twitter_blocker.x import endpoints
from twitter_blocker.x.client import XClient
from twitter_blocker.x.contract import DISCOVERED, OVERRIDE, ContractStale, Override
from twitter_blocker.x.models import CallRecord, UserState
from twitter_blocker.x.resolver import Endpoints


class Env:
    def __init__(self, emu: Any, tmp: Path) -> None:
        self.emu = emu
        emu.write_fixture(tmp)
        self.cookies: Cookies = load_cookies(tmp / "cookies.json")
        self.truth: dict[str, Any] = emu.truth()
        self.records: list[CallRecord] = []
        self.clients: list[XClient] = []

    def client(self, **kw: Any) -> XClient:
        table = kw.pop("table", None) or Endpoints(heal=True)
        c = XClient(
            self.cookies,
            api_base=self.emu.base_url,
            observer=self.records.append,
            endpoint_table=table,
            **kw,
        )
        self.clients.append(c)
        return c

    def target(self, kind: str) -> dict[str, Any]:
        return next(t for t in self.truth["targets"] if t["kind"] == kind)

    def page_fetches(self) -> tuple[int, int]:
        calls = self.emu.state()["calls"]
        return sum(calls.get("home", {}).values()), sum(calls.get("bundle", {}).values())


@pytest.fixture
def make_env(emulator_factory: Callable[..., Any], tmp_path: Path) -> Iterator[Callable[..., Env]]:
    made: list[Env] = []

    def make(**config: Any) -> Env:
        env = Env(emulator_factory(**{"seed": 5, "population": 40, **config}), tmp_path)
        made.append(env)
        return env

    yield make
    for env in made:
        for c in env.clients:
            c.close()


def test_pinned_ids_are_the_published_ones() -> None:
    assert dict(endpoints.QUERY_IDS) == PUBLISHED_IDS


def test_pinned_ids_cost_no_discovery(make_env: Callable[..., Env]) -> None:
    env = make_env()
    client = env.client()
    assert client.lookup_handle(env.target("active")["screen_name"]).state is UserState.ACTIVE
    client.lookup_ids([env.target("active")["user_id"]])
    assert env.page_fetches() == (0, 0)
    assert [r.outcome for r in env.records] == ["ok", "ok"]


@pytest.mark.parametrize("build", ["legacy", "x-web"])
def test_rotated_ids_heal_from_home_in_one_read(make_env: Callable[..., Env], build: str) -> None:
    env = make_env(query_id_epoch=1, web_build=build)
    client = env.client()
    active = env.target("active")
    assert client.lookup_handle(active["screen_name"]).state is UserState.ACTIVE
    [found] = client.lookup_ids([active["user_id"]])
    assert found.state is UserState.ACTIVE
    assert client.viewer().user_id == env.truth["viewer"]["user_id"]
    home, scripts = env.page_fetches()
    assert home == 1 and home + scripts <= 3
    table = {e.operation: e for e in client.endpoints.table()}
    assert {op: e.query_id for op, e in table.items()} == ids_for_epoch(1)
    assert all(e.source == DISCOVERED and e.build == build for e in table.values())
    # the new build also requires a new flag: it came with the discovered features
    assert table["UserByRestId"].features["rweb_epoch1_profile_enabled"] is True
    outcomes = [r.outcome for r in env.records]
    assert outcomes.count("tid_rejected") == 1


def test_rotation_mid_run(make_env: Callable[..., Env]) -> None:
    env = make_env()
    client = env.client()
    handle = env.target("active")["screen_name"]
    client.lookup_handle(handle)
    env.emu.set_switches(query_id_epoch=7)
    assert client.lookup_handle(handle).state is UserState.ACTIVE
    assert env.page_fetches()[0] == 1
    # a second rotation in the same run: the operation has had its refresh; stop cleanly
    env.emu.set_switches(query_id_epoch=8)
    with pytest.raises(ContractStale, match=r"x-endpoints\.json"):
        client.lookup_handle(handle)
    assert env.page_fetches()[0] == 1


def test_query_unspecified_is_a_stale_signal(make_env: Callable[..., Env]) -> None:
    env = make_env(query_id_epoch=2, stale_id_form="unspecified")
    client = env.client()
    assert client.lookup_id(env.target("active")["user_id"]).state is UserState.ACTIVE
    assert env.page_fetches()[0] == 1


def test_cloudflare_home_stops_without_hammering(make_env: Callable[..., Env]) -> None:
    env = make_env(query_id_epoch=1, home_cloudflare=True)
    client = env.client()
    with pytest.raises(ContractStale, match=r"Cloudflare.*x-endpoints\.json"):
        client.lookup_handle(env.target("active")["screen_name"])
    assert env.page_fetches() == (1, 0)


def test_override_beats_pinned_and_is_not_rediscovered(make_env: Callable[..., Env]) -> None:
    env = make_env(query_id_epoch=3)
    new = ids_for_epoch(3)
    table = Endpoints(heal=True, overrides={"UserByRestId": Override(query_id=new["UserByRestId"])})
    client = env.client(table=table)
    result = client.lookup_id(env.target("active")["user_id"])
    assert result.state is UserState.ACTIVE  # the 336 for the new flag healed by itself
    assert table.get("UserByRestId").source == OVERRIDE
    assert env.page_fetches() == (0, 0)


def test_post_only_operation_heals_to_post(make_env: Callable[..., Env]) -> None:
    env = make_env(post_operations=["UserByScreenName"])
    client = env.client()
    assert client.lookup_handle(env.target("active")["screen_name"]).state is UserState.ACTIVE
    assert client.endpoints.get("UserByScreenName").method == "POST"


def test_transaction_id_gated_operation_heals_with_a_verified_id(
    make_env: Callable[..., Env],
) -> None:
    for build in ("legacy", "x-web"):
        env = make_env(tid_operations=["UsersByRestIds"], tid_strict=True, web_build=build)
        client = env.client()
        ids = [env.target("active")["user_id"], env.target("follower")["user_id"]]
        assert [r.state for r in client.lookup_ids(ids)] == [UserState.ACTIVE] * 2
        assert [r.state for r in client.lookup_ids(ids)] == [UserState.ACTIVE] * 2
        assert [r.outcome for r in env.records[-3:]] == ["tid_rejected", "ok", "ok"]
        env.records.clear()


def test_no_invented_headers(make_env: Callable[..., Env]) -> None:
    """A real logged-in session sends no x-client-uuid and no x-xp-forwarded-for."""
    from twitter_blocker.x.transport import web_headers

    env = make_env()
    headers = web_headers(env.cookies, "https://x.com")
    assert not {"x-client-uuid", "x-xp-forwarded-for", "x-client-transaction-id"} & set(headers)
