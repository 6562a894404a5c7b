"""``XClient.friendships_lookup`` (v1.1 friendships/lookup, X-FACTS.md 3.6) over the emulator,
and the parser of its ``connections``."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from twitter_blocker.emulator import Emulator
from twitter_blocker.engine.clock import SystemClock
from twitter_blocker.engine.scheduler import Scheduler
from twitter_blocker.inputs.cookies import load_cookies
from twitter_blocker.x.client import XClient
from twitter_blocker.x.errors import RateLimited
from twitter_blocker.x.models import CallRecord
from twitter_blocker.x.parse import parse_friendships_lookup


def test_connections_per_id_and_gone_ids_left_out(
    emulator_factory: Callable[..., Emulator], tmp_path: Path
) -> None:
    emu = emulator_factory(seed=6, population=200, limits={"friendships/lookup": 2})
    emu.write_fixture(tmp_path)
    records: list[CallRecord] = []
    targets: list[dict[str, Any]] = emu.truth()["targets"]
    by_kind = {t["kind"]: t["user_id"] for t in targets if t["user_id"]}
    sched = Scheduler.standalone(SystemClock())  # the rate authority: one per client
    with XClient(
        load_cookies(tmp_path / "cookies.json"),
        api_base=emu.base_url,
        observer=sched.watching(records.append),
        gate=sched.check,
    ) as client:
        ids = [by_kind[k] for k in ("following", "follower", "mutual", "already_blocked", "active")]
        got = client.friendships_lookup([*ids, by_kind["suspended"], by_kind["deactivated"]])
        assert set(got) == set(ids)  # suspended and deactivated are left out (X-FACTS.md 3.6)
        flags = {uid: (r.following, r.followed_by, r.blocking) for uid, r in got.items()}
        assert flags == {
            by_kind["following"]: (True, False, False),
            by_kind["follower"]: (False, True, False),
            by_kind["mutual"]: (True, True, False),
            by_kind["already_blocked"]: (False, False, True),
            by_kind["active"]: (False, False, False),
        }
        assert records[0].rate is not None and records[0].rate.limit == 2
        assert client.friendships_lookup([by_kind["suspended"]]) == {}
        with pytest.raises(RateLimited):  # the window is spent: not even sent
            client.friendships_lookup(ids)
        assert len(records) == 2
        with pytest.raises(ValueError):
            client.friendships_lookup([str(i) for i in range(101)])


def test_parse_connections() -> None:
    body = [
        {"id_str": "1", "screen_name": "a", "connections": ["following", "followed_by"]},
        {"id": 2, "connections": ["none"]},
        {"id_str": "3"},  # no connections: proves nothing, left out
        "junk",
    ]
    got = parse_friendships_lookup(body)
    assert got is not None and set(got) == {"1", "2"}
    assert (got["1"].following, got["1"].followed_by, got["1"].screen_name) == (True, True, "a")
    assert (got["2"].following, got["2"].blocking) == (False, False)
    assert parse_friendships_lookup({"errors": []}) is None
