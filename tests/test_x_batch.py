"""Batch mapping edge cases the emulator cannot produce on purpose (it answers consistently):
answers that contradict the batch counts, unrequested or duplicated elements, reasons that
prove nothing. A scripted transport stands in for X here; everything else is the real client.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from twitter_blocker.inputs.cookies import Cookies
from twitter_blocker.x.client import XClient
from twitter_blocker.x.models import CallRecord, UserState

COOKIES = Cookies(auth_token="a" * 40, ct0="b" * 32, user_id="1")


def user(uid: str, handle: str) -> dict[str, Any]:
    return {"result": {"__typename": "User", "rest_id": uid, "core": {"screen_name": handle}}}


SUSPENDED: dict[str, Any] = {"result": {"__typename": "UserUnavailable", "reason": "Suspended"}}
EMPTY: dict[str, Any] = {}

Script = dict[str, Callable[[dict[str, Any]], dict[str, Any]]]


@pytest.fixture
def scripted() -> Iterator[Callable[[Script], tuple[XClient, list[CallRecord]]]]:
    made: list[XClient] = []

    def make(script: Script) -> tuple[XClient, list[CallRecord]]:
        def handler(request: httpx.Request) -> httpx.Response:
            op = request.url.path.rsplit("/", 1)[-1]
            variables = json.loads(request.url.params["variables"])
            return httpx.Response(200, json=script[op](variables))

        records: list[CallRecord] = []
        client = XClient(
            COOKIES,
            api_base="http://x.test",
            observer=records.append,
            transport=httpx.MockTransport(handler),
        )
        made.append(client)
        return client, records

    yield make
    for c in made:
        c.close()


def test_shuffled_and_unrequested_elements(scripted: Callable[[Script], Any]) -> None:
    client, records = scripted(
        {
            "UsersByRestIds": lambda v: {
                "data": {
                    "users": [
                        user("30", "c"),
                        user("99", "zz"),  # not asked for
                        user("10", "a"),
                        user("30", "c"),  # twice
                        EMPTY,
                    ]
                }
            }
        }
    )
    results = client.lookup_ids(["10", "20", "30"])
    assert [(r.key, r.state) for r in results] == [
        ("10", UserState.ACTIVE),
        ("20", UserState.NOT_FOUND),
        ("30", UserState.ACTIVE),
    ]
    assert results[0].user is not None and results[0].user.screen_name == "a"
    assert len(records) == 1


def test_single_answer_contradicting_counts_resolves_the_rest(
    scripted: Callable[[Script], Any],
) -> None:
    singles = {"a": user("1", "a"), "b": SUSPENDED, "c": EMPTY}

    def single(v: dict[str, Any]) -> dict[str, Any]:
        return {"data": {"user": singles[v["screen_name"]]} if v["screen_name"] != "c" else {}}

    client, records = scripted(
        {
            "UsersByScreenNames": lambda v: {"data": {"users": [SUSPENDED, EMPTY, SUSPENDED]}},
            "UserByScreenName": single,
        }
    )
    results = client.lookup_handles(["A", "b", "c"])
    # "a" answered ACTIVE alone although the batch showed two suspended and one empty:
    # the counts are no longer trusted and every key is asked for.
    assert [r.state for r in results] == [
        UserState.ACTIVE,
        UserState.SUSPENDED,
        UserState.NOT_FOUND,
    ]
    assert [r.operation for r in records].count("UserByScreenName") == 3


def test_unknown_reason_prevents_counting(scripted: Callable[[Script], Any]) -> None:
    protected = {"result": {"__typename": "UserUnavailable", "reason": "Protected"}}

    def single(v: dict[str, Any]) -> dict[str, Any]:
        uid = v["userId"]
        return {"data": {"user": SUSPENDED | {"rest_id": uid} if uid == "5" else {}}}

    client, records = scripted(
        {
            "UsersByRestIds": lambda v: {"data": {"users": [protected, SUSPENDED]}},
            "UserByRestId": single,
        }
    )
    results = client.lookup_ids(["5", "6"])
    assert [r.state for r in results] == [UserState.SUSPENDED, UserState.NOT_FOUND]
    assert results[0].user_id == "5"
    assert [r.operation for r in records] == ["UsersByRestIds", "UserByRestId", "UserByRestId"]


def test_elimination_stops_when_one_state_is_left(scripted: Callable[[Script], Any]) -> None:
    asked: list[str] = []

    def single(v: dict[str, Any]) -> dict[str, Any]:
        asked.append(v["userId"])
        return {"data": {"user": {}}}

    client, _ = scripted(
        {
            "UsersByRestIds": lambda v: {"data": {"users": [SUSPENDED, EMPTY]}},
            "UserByRestId": single,
        }
    )
    results = client.lookup_ids(["7", "8"])
    # "7" is not found alone, so the one suspended element must be "8".
    assert asked == ["7"]
    assert [(r.key, r.state, r.user_id) for r in results] == [
        ("7", UserState.NOT_FOUND, "7"),
        ("8", UserState.SUSPENDED, "8"),
    ]


def test_batch_answer_without_users_list_falls_back(scripted: Callable[[Script], Any]) -> None:
    client, records = scripted(
        {
            "UsersByRestIds": lambda v: {"data": {}},
            "UserByRestId": lambda v: {"data": {"user": user(v["userId"], "h" + v["userId"])}},
        }
    )
    results = client.lookup_ids(["1", "2"])
    assert all(r.state is UserState.ACTIVE for r in results)
    assert [r.operation for r in records] == ["UsersByRestIds", "UserByRestId", "UserByRestId"]


def test_more_keys_than_batch_size_are_split(scripted: Callable[[Script], Any]) -> None:
    def batch(v: dict[str, Any]) -> dict[str, Any]:
        return {"data": {"users": [user(i, "h" + i) for i in reversed(v["userIds"])]}}

    client, records = scripted({"UsersByRestIds": batch})
    client.batch_size = 2
    results = client.lookup_ids([str(i) for i in range(5)])
    assert [r.key for r in results] == ["0", "1", "2", "3", "4"]
    assert [r.targets for r in records] == [2, 2, 1]


def test_a_batch_operation_refused_with_400_336_falls_back_to_singles() -> None:
    """A 400 the self-heal cannot cure is the batch operation itself refusing the request:
    the singles (with their own feature sets) decide, and the batch is not tried again."""
    asked: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        op = request.url.path.rsplit("/", 1)[-1]
        asked.append(op)
        if op == "UsersByRestIds":
            name = f"flag_{len(asked)}_enabled"  # a new flag every time: no heal helps
            message = f"The following features cannot be null: {name}"
            return httpx.Response(400, json={"errors": [{"code": 336, "message": message}]})
        uid = json.loads(request.url.params["variables"])["userId"]
        return httpx.Response(200, json={"data": {"user": user(uid, "h" + uid)}})

    client = XClient(COOKIES, api_base="http://x.test", transport=httpx.MockTransport(handler))
    with client:
        assert [r.state for r in client.lookup_ids(["1", "2"])] == [UserState.ACTIVE] * 2
        assert [r.state for r in client.lookup_ids(["3"])] == [UserState.ACTIVE]
    assert asked == ["UsersByRestIds", "UsersByRestIds", *["UserByRestId"] * 3]
