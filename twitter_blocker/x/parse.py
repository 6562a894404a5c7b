"""Pure functions from X's JSON to typed values. No HTTP, no client.

User nodes come in three shapes (X-FACTS.md 2.3): current (``core``,
``privacy``, ``relationship_perspectives``, no ``legacy``), transitional (the
same plus a ``legacy`` that lost those keys) and legacy (everything in
``legacy``, false flags often omitted). Each field is read from the current
place first, then the transitional, then the legacy one; a flag found nowhere
is False.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Any

from .models import Relationship, User, UserState

_FLAGS = ("following", "followed_by", "blocking", "blocked_by")


class NodeKind(Enum):
    USER = "user"  # a readable user
    UNAVAILABLE = "unavailable"  # __typename UserUnavailable
    EMPTY = "empty"  # no result at all: unknown, renamed or deactivated
    UNPROVEN = "unproven"  # no result, but errors beside it: proves nothing (X-FACTS.md 2.2)


@dataclass(frozen=True, slots=True)
class Node:
    """One parsed ``user`` / ``users[]`` element, before it is tied to a requested key.

    ``rest_id`` is the user's id when X revealed it (inside a User, or beside
    ``result`` for UserUnavailable). ``reason`` is the UserUnavailable reason.
    """

    kind: NodeKind
    user: User | None = None
    rest_id: str | None = None
    reason: str | None = None

    @property
    def state(self) -> UserState | None:
        """The lookup state this node proves on its own; None when it proves nothing."""
        if self.kind is NodeKind.USER:
            return UserState.ACTIVE
        if self.kind is NodeKind.EMPTY:
            return UserState.NOT_FOUND
        return unavailable_state(self.reason)


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _str(value: Any) -> str | None:
    if isinstance(value, str) and value:
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return None


def _first(*candidates: Any) -> Any:
    """The first candidate that is not None (a present false flag stays False)."""
    return next((c for c in candidates if c is not None), None)


def unavailable_state(reason: str | None) -> UserState | None:
    """SUSPENDED for "Suspended"; NOT_FOUND for deleted/deactivated; None when unclear."""
    if reason is None:
        return None
    low = reason.lower()
    if low == "suspended":
        return UserState.SUSPENDED
    if low in ("deleted", "deactivated", "notfound", "not_found", "unavailable"):
        return UserState.NOT_FOUND
    return None


def _reason(result: dict[str, Any]) -> str | None:
    reason = _str(result.get("reason")) or _str(result.get("unavailable_reason"))
    if reason is not None:
        return reason
    # No reason key at all: only then is the message read.
    message = _str(result.get("message")) or ""
    return "Suspended" if "suspended" in message.lower() else None


def user_from_node(result: dict[str, Any]) -> User | None:
    """A GraphQL ``User`` node of any shape; None when it has no id or handle."""
    legacy = _dict(result.get("legacy"))
    core = _dict(result.get("core"))
    privacy = _dict(result.get("privacy"))
    rel = _dict(result.get("relationship_perspectives"))
    user_id = _str(result.get("rest_id")) or _str(legacy.get("id_str"))
    screen_name = _str(_first(core.get("screen_name"), legacy.get("screen_name")))
    if user_id is None or screen_name is None:
        return None
    flags = {name: _first(rel.get(name), legacy.get(name)) is True for name in _FLAGS}
    # Relationship data is known when the node carries it, or when it is a pure legacy-era
    # node (no ``core``), whose false flags X omitted (X-FACTS.md 2.3). A node of the newer
    # shapes without ``relationship_perspectives`` carries none: its flags are not facts.
    known = (
        "relationship_perspectives" in result
        or any(legacy.get(name) is not None for name in _FLAGS)
        or (not core and bool(legacy))
    )
    return User(
        user_id=user_id,
        screen_name=screen_name,
        name=_str(_first(core.get("name"), legacy.get("name"))) or "",
        protected=_first(privacy.get("protected"), legacy.get("protected")) is True,
        follow_request_sent=_first(
            result.get("follow_request_sent"), legacy.get("follow_request_sent")
        )
        is True,
        relationship_known=known,
        **flags,
    )


def parse_node(element: Any) -> Node:
    """One ``{"rest_id"?, "result"?}`` holder (``data.user`` or an element of ``data.users``)."""
    holder = _dict(element)
    result = holder.get("result")
    if not isinstance(result, dict) or not result:
        return Node(NodeKind.EMPTY)
    beside = _str(holder.get("rest_id"))
    typename = result.get("__typename")
    if typename == "UserUnavailable":
        return Node(
            NodeKind.UNAVAILABLE,
            rest_id=beside or _str(result.get("rest_id")),
            reason=_reason(result),
        )
    user = user_from_node(result)
    if user is None:
        # A node we cannot read is not proof of absence.
        return Node(NodeKind.UNAVAILABLE, rest_id=beside or _str(result.get("rest_id")))
    return Node(NodeKind.USER, user=user, rest_id=user.user_id)


def has_errors(body: Any) -> bool:
    """True when the answer carries a non-empty ``errors`` list (beside its data or not)."""
    errors = _dict(body).get("errors")
    return isinstance(errors, list) and bool(errors)


def _proven(node: Node, errors: bool) -> Node:
    """An empty node beside ``errors`` proves nothing: X may have failed to fetch that user
    (code 131 "may come with partial data", X-FACTS.md 2.5). Only real nodes decide then."""
    return Node(NodeKind.UNPROVEN) if errors and node.kind is NodeKind.EMPTY else node


def parse_single(body: Any) -> Node:
    """``UserByScreenName`` / ``UserByRestId``: ``{"data":{"user":{...}}}``, ``{"data":{}}``.

    Without ``errors``, ``{"data":{}}``, ``{"user":{}}`` and ``{"user":null}`` mean "no such
    user" (X-FACTS.md 2.2); with ``errors`` beside them they are ``UNPROVEN``.
    """
    data = _dict(_dict(body).get("data"))
    return _proven(parse_node(data.get("user")), has_errors(body))


def parse_batch(body: Any) -> list[Node]:
    """``UsersByRestIds`` / ``UsersByScreenNames``: ``{"data":{"users":[...]}}``.

    Empty elements are ``EMPTY`` (not found, X-FACTS.md 2.4 G) unless ``errors`` stand beside
    the list; then they are ``UNPROVEN``, and so is the absence of an element (the caller
    checks ``has_errors``).
    """
    users = _dict(_dict(body).get("data")).get("users")
    if not isinstance(users, list):
        return []
    errors = has_errors(body)
    return [_proven(parse_node(element), errors) for element in users]


def has_batch_list(body: Any) -> bool:
    """True when the body carries ``data.users`` as a list (else the batch answer is unusable)."""
    return isinstance(_dict(_dict(body).get("data")).get("users"), list)


def parse_viewer(body: Any) -> User | None:
    """``Viewer``: ``data.viewer.user_results.result``, any shape."""
    viewer = _dict(_dict(_dict(body).get("data")).get("viewer"))
    result = _dict(_dict(viewer.get("user_results")).get("result"))
    return user_from_node(result) if result else None


def user_from_v1(obj: Any) -> User | None:
    """A v1.1 user object (``account/verify_credentials``, ``users/lookup``, ``blocks/create``)."""
    d = _dict(obj)
    user_id = _str(d.get("id_str")) or _str(d.get("id"))
    screen_name = _str(d.get("screen_name"))
    if user_id is None or screen_name is None:
        return None
    return User(
        user_id=user_id,
        screen_name=screen_name,
        name=_str(d.get("name")) or "",
        protected=d.get("protected") is True,
        following=d.get("following") is True,
        followed_by=d.get("followed_by") is True,
        blocking=d.get("blocking") is True,
        blocked_by=d.get("blocked_by") is True,
        follow_request_sent=d.get("follow_request_sent") is True,
        relationship_known="following" in d or "followed_by" in d,
    )


def parse_friendship(body: Any, target_id: str) -> Relationship | None:
    """``friendships/show``: the viewer is ``source``. None when the body has no relationship."""
    rel = _dict(_dict(body).get("relationship"))
    source = _dict(rel.get("source"))
    target = _dict(rel.get("target"))
    if not source:
        return None
    return Relationship(
        user_id=_str(target.get("id_str")) or _str(target.get("id")) or target_id,
        following=source.get("following") is True,
        followed_by=source.get("followed_by") is True,
        blocking=source.get("blocking") is True,
        screen_name=_str(target.get("screen_name")),
    )


def parse_friendships_lookup(body: Any) -> dict[str, Relationship] | None:
    """``friendships/lookup``: ``[{"id_str", "screen_name", "connections": [...]}]`` (X-FACTS.md
    3.6) as id -> Relationship. None when the body is not a list."""
    if not isinstance(body, list):
        return None
    out: dict[str, Relationship] = {}
    for item in body:
        d = _dict(item)
        uid = _str(d.get("id_str")) or _str(d.get("id"))
        raw = d.get("connections")
        if uid is None or not isinstance(raw, list):
            continue  # an entry without its connections proves nothing
        connections = {c for c in raw if isinstance(c, str)}
        out[uid] = Relationship(
            user_id=uid,
            following="following" in connections,
            followed_by="followed_by" in connections,
            blocking="blocking" in connections,
            screen_name=_str(d.get("screen_name")),
        )
    return out


def parse_block_ids(body: Any) -> tuple[list[str], str]:
    """``blocks/ids``: (ids as strings, next cursor as a string; "0" at the end)."""
    d = _dict(body)
    raw = d.get("ids")
    ids = [s for s in (_str(i) for i in raw) if s] if isinstance(raw, list) else []
    cursor = _str(d.get("next_cursor_str")) or _str(d.get("next_cursor")) or "0"
    return ids, cursor


def screen_name_of_v1(obj: Any) -> str | None:
    return _str(_dict(obj).get("screen_name"))
