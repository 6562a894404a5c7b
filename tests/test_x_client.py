"""XClient against the loopback emulator: lookups in every shape, batch mapping, blocks, viewer."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from twitter_blocker.inputs.cookies import Cookies, load_cookies
from twitter_blocker.x.client import XClient
from twitter_blocker.x.errors import TargetUnavailable
from twitter_blocker.x.models import BlockStatus, CallRecord, LookupResult, UserState

ById = {"suspended": UserState.SUSPENDED, "deactivated": UserState.NOT_FOUND}
ByHandle = {
    "suspended": UserState.SUSPENDED,
    "deactivated": UserState.NOT_FOUND,
    "never_existed": UserState.NOT_FOUND,
    "renamed": UserState.NOT_FOUND,
}


class Session:
    """An emulator, its fixture files, the primary viewer's cookies and a client factory."""

    def __init__(self, emu: Any, tmp: Path) -> None:
        self.emu = emu
        emu.write_fixture(tmp)
        self.dir = tmp
        self.cookies: Cookies = load_cookies(tmp / "cookies.json")
        self.truth: dict[str, Any] = emu.truth()
        self.records: list[CallRecord] = []
        self._clients: list[XClient] = []

    def client(self, cookies: Cookies | None = None, **kw: Any) -> XClient:
        c = XClient(
            cookies or self.cookies,
            api_base=self.emu.base_url,
            observer=self.records.append,
            **kw,
        )
        self._clients.append(c)
        return c

    def targets(self, *kinds: str) -> list[dict[str, Any]]:
        return [t for t in self.truth["targets"] if not kinds or t["kind"] in kinds]

    def ops(self) -> list[str]:
        return [r.operation for r in self.records]

    def close(self) -> None:
        for c in self._clients:
            c.close()


@pytest.fixture
def session_factory(
    emulator_factory: Callable[..., Any], tmp_path: Path
) -> Iterator[Callable[..., Session]]:
    made: list[Session] = []

    def make(**config: Any) -> Session:
        s = Session(emulator_factory(**config), tmp_path / f"s{len(made)}")
        made.append(s)
        return s

    yield make
    for s in made:
        s.close()


@pytest.fixture
def session(session_factory: Callable[..., Session]) -> Session:
    return session_factory(seed=3, population=200)


def check_result(result: LookupResult, target: dict[str, Any], *, by_id: bool) -> None:
    kind = target["kind"]
    expected = (ById if by_id else ByHandle).get(kind, UserState.ACTIVE)
    assert result.state is expected, (kind, target, result)
    if expected is UserState.ACTIVE:
        user = result.user
        assert user is not None and result.user_id == target["user_id"] == user.user_id
        assert user.screen_name == target["screen_name"]
        assert user.following is (kind in ("following", "mutual"))
        assert user.followed_by is (kind in ("follower", "mutual"))
        assert user.blocking is (kind == "already_blocked")
        assert user.relationship_known is True
        if kind == "protected":
            assert user.protected is True
    else:
        assert result.user is None
    if by_id and expected is UserState.SUSPENDED:
        assert result.user_id == target["user_id"]


@pytest.mark.parametrize("shape", ["current", "transitional", "legacy"])
def test_lookup_ids_every_shape(session_factory: Callable[..., Session], shape: str) -> None:
    s = session_factory(seed=5, population=150, shape=shape)
    targets = [t for t in s.targets() if t["user_id"]]
    results = s.client(batch_size=40).lookup_ids([t["user_id"] for t in targets])
    assert [r.key for r in results] == [t["user_id"] for t in targets]
    for result, target in zip(results, targets, strict=True):
        check_result(result, target, by_id=True)
    assert "UsersByRestIds" in s.ops()


@pytest.mark.parametrize("shape", ["current", "transitional", "legacy"])
def test_lookup_handles_every_shape(session_factory: Callable[..., Session], shape: str) -> None:
    s = session_factory(seed=6, population=120, shape=shape)
    targets = s.targets()
    results = s.client(batch_size=30).lookup_handles([t["identifier"] for t in targets])
    assert [r.key for r in results] == [t["identifier"].lower() for t in targets]
    for result, target in zip(results, targets, strict=True):
        check_result(result, target, by_id=False)


def test_single_lookups_match_batch(session: Session) -> None:
    client = session.client()
    kinds = ("active", "protected", "suspended", "deactivated", "renamed", "following", "follower")
    for target in [t for kind in kinds for t in session.targets(kind)[:3]]:
        check_result(client.lookup_handle("@" + target["identifier"]), target, by_id=False)
        if target["user_id"]:
            check_result(client.lookup_id(target["user_id"]), target, by_id=True)


def test_batch_of_suspended_only_needs_no_single_calls(session: Session) -> None:
    ids = [t["user_id"] for t in session.targets("suspended")]
    assert len(ids) >= 2
    results = session.client().lookup_ids(ids)
    assert all(r.state is UserState.SUSPENDED for r in results)
    assert [r.user_id for r in results] == ids
    assert session.ops() == ["UsersByRestIds"]


def test_batch_of_missing_only_needs_no_single_calls(session: Session) -> None:
    handles = [t["identifier"] for t in session.targets("never_existed", "renamed")]
    results = session.client().lookup_handles(handles)
    assert all(r.state is UserState.NOT_FOUND for r in results)
    assert session.ops() == ["UsersByScreenNames"]


def test_ambiguous_unavailable_elements_resolved_one_by_one(session: Session) -> None:
    mixed = session.targets("suspended")[:2] + session.targets("deactivated")[:2]
    mixed += session.targets("active")[:3]
    results = session.client().lookup_ids([t["user_id"] for t in mixed])
    for result, target in zip(results, mixed, strict=True):
        check_result(result, target, by_id=True)
    # Two suspended and two empty elements cannot be tied to ids: keys are asked for alone
    # until the counts settle the rest (at most 3 single calls for 2 + 2).
    assert 2 <= session.ops().count("UserByRestId") <= 3
    assert session.ops().count("UsersByRestIds") == 1


def test_rest_id_beside_batch_result_attributes_directly(
    session_factory: Callable[..., Session],
) -> None:
    s = session_factory(seed=3, population=200, rest_id_beside_batch_result=True)
    mixed = s.targets("suspended")[:2] + s.targets("deactivated")[:2] + s.targets("active")[:3]
    results = s.client().lookup_ids([t["user_id"] for t in mixed])
    for result, target in zip(results, mixed, strict=True):
        check_result(result, target, by_id=True)
    assert s.ops() == ["UsersByRestIds"]


def test_duplicate_keys_get_one_result_each(session: Session) -> None:
    t = session.targets("active")[0]
    results = session.client().lookup_handles(
        [t["screen_name"], "@" + t["screen_name"].upper(), t["screen_name"]]
    )
    assert len(results) == 1 and results[0].state is UserState.ACTIVE
    assert session.records[0].targets == 1


def test_batch_failure_is_raised_not_paid_for_with_single_lookups(
    session_factory: Callable[..., Session],
) -> None:
    from twitter_blocker.x.errors import Transient

    s = session_factory(seed=3, population=200, tid_operations=("UsersByScreenNames",))
    targets = s.targets("active")[:3] + s.targets("suspended")[:1]
    with pytest.raises(Transient):
        s.client().lookup_handles([t["identifier"] for t in targets])
    assert s.ops() == ["UsersByScreenNames"]
    assert s.records[0].outcome == "tid_rejected" and s.records[0].targets == 4


def test_viewer_and_verify_credentials_fallback(session_factory: Callable[..., Session]) -> None:
    s = session_factory(seed=3, population=50)
    me = s.truth["viewer"]
    client = s.client()
    user = client.viewer()
    assert (user.user_id, user.screen_name) == (me["user_id"], me["screen_name"])
    assert client.viewer_id == me["user_id"]
    s.emu.set_switches(tid_operations=["Viewer"])
    assert s.client().viewer().user_id == me["user_id"]
    assert s.ops()[-2:] == ["Viewer", "account/verify_credentials"]


def test_block_outcomes(session: Session) -> None:
    client = session.client()
    viewer_id = session.truth["viewer"]["user_id"]
    active = session.targets("active")[0]["user_id"]
    ok = client.block(active)
    assert ok.status is BlockStatus.OK and ok.http_status == 200
    assert ok.screen_name == session.targets("active")[0]["screen_name"]
    again = client.block(active)  # X is idempotent: already blocking is a plain 200
    assert again.status is BlockStatus.OK
    assert client.block(viewer_id).status is BlockStatus.SELF
    gone = client.block(session.targets("deactivated")[0]["user_id"])
    assert (gone.status, gone.http_status, gone.code) == (BlockStatus.NOT_FOUND, 404, 50)
    susp = client.block(session.targets("suspended")[0]["user_id"])
    assert susp.status in (BlockStatus.NOT_FOUND, BlockStatus.SUSPENDED)
    state = session.emu.state()
    assert active in state["accounts"][viewer_id]["blocked"]
    assert state["accounts"][viewer_id]["block_calls"][active] == 2
    assert [r.outcome for r in session.records] == ["ok", "ok", "self", "not_found", susp.status]


def test_block_not_found_code_34(session_factory: Callable[..., Session]) -> None:
    s = session_factory(seed=3, population=60, not_found_code=34)
    result = s.client().block("999999999999")
    assert (result.status, result.code) == (BlockStatus.NOT_FOUND, 34)


def test_unblock_and_blocked_ids(session: Session) -> None:
    client = session.client()
    already = {t["user_id"] for t in session.targets("already_blocked")}
    assert already <= set(client.blocked_ids())
    fresh = session.targets("active")[1]["user_id"]
    client.block(fresh)
    assert fresh in set(client.blocked_ids())
    assert client.unblock(fresh).status is BlockStatus.OK
    assert fresh not in set(client.blocked_ids())


def test_friendship(session: Session) -> None:
    client = session.client()
    for kind, following, followed_by, blocking in [
        ("following", True, False, False),
        ("follower", False, True, False),
        ("mutual", True, True, False),
        ("already_blocked", False, False, True),
        ("active", False, False, False),
    ]:
        target = session.targets(kind)[0]
        rel = client.friendship(target["user_id"])
        assert rel.user_id == target["user_id"]
        assert (rel.following, rel.followed_by, rel.blocking) == (following, followed_by, blocking)


def test_friendship_with_unknown_target_raises_target_unavailable(session: Session) -> None:
    with pytest.raises(TargetUnavailable) as info:
        session.client().friendship("999999999999")
    assert info.value.state in (UserState.NOT_FOUND, UserState.SUSPENDED)


def test_every_request_reports_one_record_with_rate_info(session: Session) -> None:
    client = session.client()
    ids = [t["user_id"] for t in session.targets("active")[:5]]
    client.lookup_ids(ids)
    client.lookup_handle(session.targets("active")[0]["screen_name"])
    client.block(ids[0])
    assert [r.operation for r in session.records] == [
        "UsersByRestIds",
        "UserByScreenName",
        "blocks/create",
    ]
    batch = session.records[0]
    assert batch.targets == 5 and batch.http_status == 200 and batch.outcome == "ok"
    assert batch.rate is not None and batch.rate.remaining == batch.rate.limit - 1
    calls = session.emu.state()["calls"]
    assert calls["UsersByRestIds"] == {"200": 1}


def test_singles_paid_for_survive_an_interrupted_batch(
    session_factory: Callable[..., Session],
) -> None:
    """Rate limits in the middle of settling a batch: asking again later repeats no single."""
    import time

    from twitter_blocker.x.errors import RateLimited

    s = session_factory(seed=3, population=200, limits={"UserByScreenName": 2}, window_seconds=1.0)
    picked = s.targets("suspended")[:3] + s.targets("never_existed")[:3] + s.targets("active")[:2]
    client = s.client()
    handles = [t["identifier"] for t in picked]
    interruptions = 0
    while True:
        try:
            results = client.lookup_handles(handles)
            break
        except RateLimited as exc:
            interruptions += 1
            assert interruptions < 10
            time.sleep(max(0.0, (exc.reset or 0) - time.time()) + 0.05)
    assert interruptions >= 1
    for result, target in zip(results, picked, strict=True):
        check_result(result, target, by_id=False)
    # 3 suspended + 3 empty elements settle by elimination with at most 5 singles; without
    # keeping the answers, every interruption would have cost the same singles again.
    assert s.ops().count("UserByScreenName") <= 5
