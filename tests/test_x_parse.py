"""Pure parsing of X's JSON (X-FACTS.md 2.4 example bodies A-G, v1.1 objects)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from twitter_blocker.x.models import UserState
from twitter_blocker.x.parse import (
    NodeKind,
    parse_batch,
    parse_block_ids,
    parse_friendship,
    parse_single,
    parse_viewer,
    unavailable_state,
    user_from_v1,
)

UID = "1500000000000000001"

# A. current shape (2026-08), every flag present and false.
BODY_A = json.loads(
    """{"data":{"user":{"result":{
  "__typename":"User","id":"VXNlcjoxNTAwMDAwMDAwMDAwMDAwMDAx","rest_id":"1500000000000000001",
  "is_blue_verified":false,"profile_image_shape":"Circle",
  "core":{"created_at":"Mon Mar 07 12:00:00 +0000 2022","name":"Example Person",
          "screen_name":"example_person"},
  "avatar":{"image_url":"https://pbs.twimg.com/profile_images/1/x_normal.jpg"},
  "privacy":{"protected":false},
  "relationship_perspectives":{"blocked_by":false,"blocking":false,"followed_by":false,
                               "following":false,"live_following":false,"muting":false},
  "relationship_counts":{"followers":120,"following":80},
  "follow_request_sent":false,"has_graduated_access":true
}}}}"""
)

# B. legacy shape (<= 2025-04): blocking true, false flags omitted.
BODY_B = json.loads(
    """{"data":{"user":{"result":{
  "__typename":"User","id":"VXNlcjoxNTAwMDAwMDAwMDAwMDAwMDAx","rest_id":"1500000000000000001",
  "legacy":{"created_at":"Mon Mar 07 12:00:00 +0000 2022","name":"Example Person",
            "screen_name":"example_person","blocking":true,"following":false,
            "description":"hello","followers_count":120}
}}}}"""
)

# C. transitional shape: core/privacy/relationship_perspectives plus a reduced legacy.
BODY_C = {
    "data": {
        "user": {
            "result": {
                "__typename": "User",
                "rest_id": UID,
                "core": {"name": "Example Person", "screen_name": "Example_Person"},
                "privacy": {"protected": True},
                "relationship_perspectives": {"following": True},
                "legacy": {"followers_count": 120, "description": "hello", "time_zone": ""},
            }
        }
    }
}


def _current(**rel: bool) -> dict[str, Any]:
    body: dict[str, Any] = json.loads(json.dumps(BODY_A))
    body["data"]["user"]["result"]["relationship_perspectives"] = rel
    return body


def test_current_shape_a() -> None:
    node = parse_single(BODY_A)
    assert node.kind is NodeKind.USER and node.state is UserState.ACTIVE
    user = node.user
    assert user is not None
    assert (user.user_id, user.screen_name, user.name) == (UID, "example_person", "Example Person")
    assert not (user.protected or user.following or user.followed_by or user.blocking)


def test_legacy_shape_b_with_omitted_false_flags() -> None:
    user = parse_single(BODY_B).user
    assert user is not None
    assert user.screen_name == "example_person" and user.name == "Example Person"
    assert user.blocking is True
    assert user.following is False and user.followed_by is False and user.protected is False


def test_transitional_shape_c() -> None:
    user = parse_single(BODY_C).user
    assert user is not None
    assert user.screen_name == "Example_Person"
    assert user.protected is True and user.following is True
    assert user.followed_by is False and user.blocking is False


def test_protected_current_shape_d() -> None:
    body = _current(following=False, followed_by=False, blocking=False)
    body["data"]["user"]["result"]["privacy"] = {"protected": True}
    user = parse_single(body).user
    assert user is not None and user.protected is True


def test_current_flags_win_over_legacy() -> None:
    body = _current(following=True, followed_by=True)
    body["data"]["user"]["result"]["legacy"] = {"following": False, "screen_name": "old_name"}
    user = parse_single(body).user
    assert user is not None
    assert user.following is True and user.followed_by is True
    assert user.screen_name == "example_person"


def test_only_blocked_by_present_means_other_flags_false() -> None:
    user = parse_single(_current(blocked_by=False)).user
    assert user is not None
    assert (user.following, user.followed_by, user.blocking, user.blocked_by) == (
        False,
        False,
        False,
        False,
    )


def test_followed_by_only_in_legacy_is_read() -> None:
    body = _current()
    body["data"]["user"]["result"]["legacy"] = {"followed_by": True}
    user = parse_single(body).user
    assert user is not None and user.followed_by is True


def test_suspended_e_with_rest_id_beside_result() -> None:
    body = {
        "data": {
            "user": {
                "rest_id": "2040364845615173632",
                "result": {
                    "__typename": "UserUnavailable",
                    "message": "User is suspended",
                    "reason": "Suspended",
                },
            }
        }
    }
    node = parse_single(body)
    assert node.kind is NodeKind.UNAVAILABLE
    assert node.state is UserState.SUSPENDED
    assert node.rest_id == "2040364845615173632"


def test_suspended_with_unavailable_reason_key() -> None:
    body = {
        "data": {
            "user": {"result": {"__typename": "UserUnavailable", "unavailable_reason": "Suspended"}}
        }
    }
    node = parse_single(body)
    assert node.state is UserState.SUSPENDED and node.rest_id is None


def test_unavailable_with_unknown_reason_proves_nothing() -> None:
    body = {"data": {"user": {"result": {"__typename": "UserUnavailable", "reason": "Protected"}}}}
    assert parse_single(body).state is None
    assert unavailable_state("NsfwLoggedOut") is None
    assert unavailable_state(None) is None


@pytest.mark.parametrize(
    "body", [{"data": {}}, {"data": {"user": {}}}, {"data": {"user": {"result": {}}}}]
)
def test_not_found_f(body: dict[str, Any]) -> None:
    node = parse_single(body)
    assert node.kind is NodeKind.EMPTY and node.state is UserState.NOT_FOUND


def test_mixed_batch_g() -> None:
    body = {
        "data": {
            "users": [
                {
                    "result": {
                        "__typename": "User",
                        "rest_id": UID,
                        "core": {"screen_name": "example_person", "name": "Example Person"},
                        "privacy": {"protected": False},
                        "relationship_perspectives": {"following": False, "blocking": False},
                    }
                },
                {
                    "result": {
                        "__typename": "UserUnavailable",
                        "reason": "Suspended",
                        "message": "User is suspended",
                    }
                },
                {},
            ]
        }
    }
    nodes = parse_batch(body)
    assert [n.kind for n in nodes] == [NodeKind.USER, NodeKind.UNAVAILABLE, NodeKind.EMPTY]
    assert nodes[0].rest_id == UID
    assert nodes[1].state is UserState.SUSPENDED and nodes[1].rest_id is None


def test_user_node_without_handle_is_not_a_user() -> None:
    body = {"data": {"user": {"result": {"__typename": "User", "rest_id": UID}}}}
    node = parse_single(body)
    assert node.kind is NodeKind.UNAVAILABLE and node.state is None


def test_viewer_any_shape() -> None:
    for result in (BODY_A, BODY_B, BODY_C):
        node = result["data"]["user"]["result"]
        user = parse_viewer({"data": {"viewer": {"user_results": {"result": node}}}})
        assert user is not None and user.user_id == UID
    assert parse_viewer({"data": {}}) is None


def test_v1_user_object() -> None:
    user = user_from_v1(
        {
            "id": 783214,
            "id_str": "783214",
            "screen_name": "Twitter",
            "name": "Twitter",
            "protected": False,
            "following": True,
            "suspended": False,
        }
    )
    assert user is not None
    assert (user.user_id, user.screen_name, user.following, user.blocking) == (
        "783214",
        "Twitter",
        True,
        False,
    )
    assert user_from_v1({"id_str": "1"}) is None


def test_friendship_show() -> None:
    body = {
        "relationship": {
            "source": {"id_str": "1", "following": False, "followed_by": True, "blocking": True},
            "target": {"id": 783214, "id_str": "783214", "screen_name": "Twitter"},
        }
    }
    rel = parse_friendship(body, "783214")
    assert rel is not None
    assert (rel.user_id, rel.following, rel.followed_by, rel.blocking, rel.screen_name) == (
        "783214",
        False,
        True,
        True,
        "Twitter",
    )
    assert parse_friendship({}, "1") is None


def test_block_ids_page() -> None:
    ids, cursor = parse_block_ids({"ids": [1, "2"], "next_cursor": 0, "next_cursor_str": "0"})
    assert ids == ["1", "2"] and cursor == "0"
    ids, cursor = parse_block_ids({"ids": ["3"], "next_cursor": 1234, "next_cursor_str": "1234"})
    assert cursor == "1234"


def test_x_package_imports_only_downwards() -> None:
    """x knows nothing of SQLite, the emulator, the engine, inputs or printing."""
    import ast
    from pathlib import Path

    import twitter_blocker.x as xpkg

    forbidden = ("emulator", "store", "engine", "inputs", "cli", "ops", "sqlite3", "rich")
    for path in Path(xpkg.__file__).parent.glob("*.py"):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            elif isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            else:
                continue
            for name in names:
                parts = name.split(".")
                assert not any(p in forbidden for p in parts), f"{path.name} imports {name}"


def test_relationship_known_only_when_the_node_carries_relationship_data() -> None:
    for body in (BODY_A, BODY_B, BODY_C, _current(blocked_by=False)):
        user = parse_single(body).user
        assert user is not None and user.relationship_known is True
    moved = json.loads(json.dumps(BODY_A))
    del moved["data"]["user"]["result"]["relationship_perspectives"]
    moved["data"]["user"]["result"]["legacy"] = {"description": "hello"}
    user = parse_single(moved).user
    assert user is not None
    assert user.relationship_known is False and user.following is False
    v1 = user_from_v1({"id_str": "1", "screen_name": "a"})
    assert v1 is not None and v1.relationship_known is False


def test_parsers_never_raise_on_odd_json() -> None:
    from hypothesis import given, settings
    from hypothesis import strategies as st

    keys = [
        "data",
        "user",
        "users",
        "result",
        "__typename",
        "rest_id",
        "core",
        "legacy",
        "screen_name",
        "relationship_perspectives",
        "following",
        "reason",
        "viewer",
        "user_results",
        "relationship",
        "source",
        "ids",
        "next_cursor_str",
    ]
    leaves = st.none() | st.booleans() | st.integers() | st.text(max_size=8)
    values = st.recursive(
        leaves,
        lambda c: st.lists(c, max_size=3) | st.dictionaries(st.sampled_from(keys), c, max_size=5),
        max_leaves=25,
    )

    @settings(max_examples=300, deadline=None)
    @given(values)
    def check(body: Any) -> None:
        parse_single(body)
        parse_batch(body)
        parse_viewer(body)
        user_from_v1(body)
        parse_friendship(body, "1")
        parse_block_ids(body)

    check()


def test_a_pure_legacy_node_without_flags_is_known_not_following() -> None:
    # Legacy-era nodes omitted false flags (X-FACTS.md 2.3): absent means false there.
    body = {
        "data": {
            "user": {
                "result": {
                    "__typename": "User",
                    "rest_id": "42",
                    "legacy": {"screen_name": "someone", "name": "Some One"},
                }
            }
        }
    }
    user = parse_single(body).user
    assert user is not None and user.relationship_known is True
    assert not (user.following or user.followed_by or user.blocking)
