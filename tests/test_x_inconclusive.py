"""Answers that prove nothing, over the real emulator: ``errors`` beside empty data never
become a verdict, and a failed batch lookup is not paid for with single lookups."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from twitter_blocker.emulator import Emulator
from twitter_blocker.inputs.cookies import load_cookies
from twitter_blocker.x.client import XClient
from twitter_blocker.x.errors import Inconclusive, Transient
from twitter_blocker.x.models import CallRecord, UserState

SINGLE = {"UsersByRestIds": "UserByRestId", "UsersByScreenNames": "UserByScreenName"}


class World:
    def __init__(self, emu: Emulator, tmp: Path) -> None:
        emu.write_fixture(tmp)
        self.emu = emu
        self.cookies = load_cookies(tmp / "cookies.json")
        self.truth: dict[str, Any] = emu.truth()
        self.records: list[CallRecord] = []
        self.clients: list[XClient] = []

    def client(self) -> XClient:
        c = XClient(self.cookies, api_base=self.emu.base_url, observer=self.records.append)
        self.clients.append(c)
        return c

    def targets(self, kind: str) -> list[dict[str, Any]]:
        return [t for t in self.truth["targets"] if t["kind"] == kind]

    def ops(self) -> list[str]:
        return [r.operation for r in self.records]


@pytest.fixture
def world_factory(
    emulator_factory: Callable[..., Emulator], tmp_path: Path
) -> Iterator[Callable[..., World]]:
    made: list[World] = []

    def make(**config: Any) -> World:
        w = World(emulator_factory(**{"seed": 5, "population": 300, **config}), tmp_path)
        made.append(w)
        return w

    yield make
    for w in made:
        for c in w.clients:
            c.close()


# ------------------------------------------- item 2: errors beside empty data
@pytest.mark.parametrize("form", ["empty", "null", "missing"])
@pytest.mark.parametrize("by_id", [True, False])
def test_single_lookup_with_errors_beside_no_user_proves_nothing(
    world_factory: Callable[..., World], form: str, by_id: bool
) -> None:
    w = world_factory(errors_empty_next=1, errors_empty_form=form)
    target = w.targets("active")[0]
    client = w.client()
    lookup = (
        (lambda: client.lookup_id(target["user_id"]))
        if by_id
        else (lambda: client.lookup_handle(target["identifier"]))
    )
    with pytest.raises(Transient):
        lookup()
    assert w.records[-1].outcome == "inconclusive"
    assert lookup().state is UserState.ACTIVE  # the same target, once X answers whole


@pytest.mark.parametrize("form", ["empty", "null", "missing"])
@pytest.mark.parametrize("op", ["UsersByRestIds", "UsersByScreenNames"])
def test_batch_with_errors_decides_only_real_nodes(
    world_factory: Callable[..., World], form: str, op: str
) -> None:
    w = world_factory(errors_empty_next=1, errors_empty_form=form)
    picked = w.targets("active")[:6] + w.targets("suspended")[:1] + w.targets("deactivated")[:1]
    client = w.client()
    if op == "UsersByRestIds":
        keys = [t["user_id"] for t in picked]
        results = client.lookup_ids(keys)
    else:
        keys = [t["identifier"].lower() for t in picked]
        results = client.lookup_handles(keys)
    decided = {r.key: r for r in results}
    # every decided key is right; nothing was decided from an empty element or a missing one
    truth = {
        (t["user_id"] if op == "UsersByRestIds" else t["identifier"].lower()): t for t in picked
    }
    for key, r in decided.items():
        kind = truth[key]["kind"]
        expected = {"suspended": UserState.SUSPENDED, "deactivated": UserState.NOT_FOUND}
        assert r.state is expected.get(kind, UserState.ACTIVE), (key, kind, r)
    assert 0 < len(decided) < len(keys)
    assert not any(r.state is UserState.NOT_FOUND for r in results)
    assert w.ops() == [op]  # the undecided keys cost no single lookup
    # asked again (X answers whole now), every key is decided
    again = client.lookup_ids(keys) if op == "UsersByRestIds" else client.lookup_handles(keys)
    assert [r.key for r in again] == keys


def test_batch_of_not_found_with_errors_is_not_not_found(
    world_factory: Callable[..., World],
) -> None:
    # Four empty elements and an error: nothing in the answer is real, so the whole batch
    # is a temporary failure (the caller backs off), never four "not found".
    w = world_factory(errors_empty_next=1)
    handles = [t["identifier"] for t in w.targets("never_existed")[:4]]
    client = w.client()
    with pytest.raises(Inconclusive):
        client.lookup_handles(handles)
    assert w.ops() == ["UsersByScreenNames"] and w.records[0].outcome == "inconclusive"
    results = client.lookup_handles(handles)
    assert [r.state for r in results] == [UserState.NOT_FOUND] * 4


# ------------------------------------------- item 6: a failed batch
@pytest.mark.parametrize("op", ["UsersByRestIds", "UsersByScreenNames"])
def test_a_failed_batch_of_100_costs_no_single_lookup(
    world_factory: Callable[..., World], op: str
) -> None:
    w = world_factory(population=400, error_5xx_rate=0.0)
    people = [t for t in w.truth["targets"] if t["user_id"]][:100]
    keys = [t["user_id"] if op == "UsersByRestIds" else t["screen_name"] for t in people]
    assert len(keys) == 100
    client = w.client()
    w.emu.set_switches(tid_operations=[op])  # the batch answers an empty 404 (X-FACTS.md 6)
    call = client.lookup_ids if op == "UsersByRestIds" else client.lookup_handles
    with pytest.raises(Transient):
        call(keys)
    assert w.ops() == [op]
    assert w.ops().count(SINGLE[op]) == 0
    w.emu.set_switches(tid_operations=[])
    assert len(call(keys)) == 100


@pytest.mark.parametrize(
    "switch", [{"error_5xx_rate": 1.0}, {"loadshed_rate": 1.0}, {"drop_rate": 1.0}]
)
def test_batch_server_errors_and_dropped_answers_raise(
    world_factory: Callable[..., World], switch: dict[str, Any]
) -> None:
    w = world_factory(**switch)
    with pytest.raises(Transient):
        w.client().lookup_ids([t["user_id"] for t in w.targets("active")[:10]])
    assert w.ops() == ["UsersByRestIds"]


def test_a_refused_batch_operation_falls_back_to_singles(
    world_factory: Callable[..., World],
) -> None:
    # 400 from the batch operation itself (here: more ids than it takes): singles decide.
    w = world_factory(batch_limit=2)
    picked = w.targets("active")[:3]
    client = w.client()
    results = client.lookup_ids([t["user_id"] for t in picked])
    assert [r.state for r in results] == [UserState.ACTIVE] * 3
    assert w.ops() == ["UsersByRestIds"] + ["UserByRestId"] * 3


# ------------------------------------------- the parser's part
def test_parse_marks_empty_nodes_beside_errors_unproven() -> None:
    from twitter_blocker.x.parse import NodeKind, parse_batch, parse_single

    err = {"errors": [{"message": "Dependency: Internal error", "code": 131}]}
    for data in ({}, {"user": {}}, {"user": None}, {"user": {"result": {}}}):
        assert parse_single({"data": data}).kind is NodeKind.EMPTY  # "no such user"
        assert parse_single({"data": data, **err}).kind is NodeKind.UNPROVEN
        assert parse_single({"data": data, **err}).state is None
    real = {"result": {"__typename": "User", "rest_id": "1", "core": {"screen_name": "a"}}}
    gone = {"result": {"__typename": "UserUnavailable", "reason": "Suspended"}}
    assert parse_single({"data": {"user": real}, **err}).kind is NodeKind.USER
    assert parse_single({"data": {"user": gone}, **err}).state is UserState.SUSPENDED
    kinds = [n.kind for n in parse_batch({"data": {"users": [real, {}, None, gone]}, **err})]
    assert kinds == [NodeKind.USER, NodeKind.UNPROVEN, NodeKind.UNPROVEN, NodeKind.UNAVAILABLE]
    plain = [n.kind for n in parse_batch({"data": {"users": [real, {}]}})]
    assert plain == [NodeKind.USER, NodeKind.EMPTY]
