"""The viewer's own block and mute lists as X serves them, and the mute calls.

- GraphQL ``BlockedAccountsAll`` (root ``data.viewer.timeline.timeline``) and ``MutedAccounts``
  (root ``data.viewer.muting_timeline.timeline``): ``TimelineAddEntries`` of ``user-<id>``
  entries, then ``cursor-bottom-*`` / ``cursor-top-*`` entries whose values are
  ``"<n>|<sortIndex>"``; the last page's Bottom cursor starts with ``0|`` (docs/EMULATOR.md,
  "Block and mute lists"). Page one also carries ``TimelineClearCache`` and
  ``TimelineTerminateTimeline{direction:"Top"}``. Pages hold ``count`` list slots (20 when not
  given); unavailable accounts are dropped from the page, so short pages are normal.
- v1.1 ``mutes/users/create`` / ``mutes/users/destroy``: 200 and the v1.1 user object.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .bodies import Reply
from .population import Person, Status
from .shapes import Relation, user_node
from .world import Account, World

DEFAULT_COUNT = 20
MAX_COUNT = 100  # a larger count is served as this many slots [inf]
SORT_BASE = 1_905_470_080_662_110_208  # sortIndex values count down from here [inf]

BLOCKED_ALL = "BlockedAccountsAll"
MUTED = "MutedAccounts"
VARIABLES: dict[str, tuple[tuple[str, str], ...]] = {BLOCKED_ALL: (), MUTED: ()}


def _offset(cursor: Any) -> int:
    if not isinstance(cursor, str) or "|" not in cursor:
        return 0
    head = cursor.split("|", 1)[0]
    return int(head) if head.isdigit() else 0


def _count(variables: Mapping[str, Any]) -> int:
    count = variables.get("count", DEFAULT_COUNT)
    if not isinstance(count, int) or count < 1:
        return DEFAULT_COUNT
    return min(count, MAX_COUNT)


def _cursor(kind: str, value: str, sort_index: int) -> dict[str, Any]:
    return {
        "entryId": f"cursor-{kind.lower()}-{sort_index}",
        "sortIndex": str(sort_index),
        "content": {
            "entryType": "TimelineTimelineCursor",
            "__typename": "TimelineTimelineCursor",
            "value": value,
            "cursorType": kind,
        },
    }


def _page(
    world: World, account: Account, ids: list[str], variables: Mapping[str, Any], *, muted: bool
) -> dict[str, Any]:
    ordered = list(reversed(ids))  # most recent first
    offset, count = _offset(variables.get("cursor")), _count(variables)
    chunk = ordered[offset : offset + count]
    entries: list[dict[str, Any]] = []
    for position, uid in enumerate(chunk, start=offset):
        person: Person | None = world.population.people.get(uid)
        if person is None or not person.visible or person.status is not Status.ACTIVE:
            continue  # suspended or gone: dropped from the page
        rel = Relation(
            following=uid in account.following,
            followed_by=uid in account.followers,
            blocking=uid in account.blocked,
            muting=uid in account.muted,
        )
        sort_index = SORT_BASE - position
        entries.append(
            {
                "entryId": f"user-{uid}",
                "sortIndex": str(sort_index),
                "content": {
                    "entryType": "TimelineTimelineItem",
                    "__typename": "TimelineTimelineItem",
                    "itemContent": {
                        "itemType": "TimelineUser",
                        "__typename": "TimelineUser",
                        "user_results": {
                            "result": user_node(person, rel, world.config.shape),
                        },
                    },
                },
            }
        )
    end = offset + count >= len(ordered)
    bottom_sort = SORT_BASE - offset - count
    bottom = f"0|{bottom_sort}" if end else f"{offset + count}|{bottom_sort}"
    entries.append(_cursor("Bottom", bottom, bottom_sort))
    entries.append(_cursor("Top", f"-1|{SORT_BASE - offset + 1}", SORT_BASE - offset + 1))
    instructions: list[dict[str, Any]] = []
    if offset == 0:
        instructions.append({"type": "TimelineClearCache"})
        instructions.append({"type": "TimelineTerminateTimeline", "direction": "Top"})
    instructions.append({"type": "TimelineAddEntries", "entries": entries})
    timeline = {"timeline": {"instructions": instructions}}
    key = "muting_timeline" if muted else "timeline"
    return {"viewer": {key: timeline}}


def blocked_accounts_all(world: World, account: Account, variables: dict[str, Any]) -> Any:
    return _page(world, account, list(account.blocked), variables, muted=False)


def muted_accounts(world: World, account: Account, variables: dict[str, Any]) -> Any:
    return _page(world, account, list(account.muted), variables, muted=True)


def _mute_call(world: World, account: Account, params: Mapping[str, str], mute: bool) -> Reply:
    from . import rest  # rest imports graphql, which imports us

    person = rest.target(world, account, params)
    if isinstance(person, Reply):
        return person
    with world.lock:
        if mute:
            account.muted[person.user_id] = None
        else:
            account.muted.pop(person.user_id, None)
    return rest.block_reply(world, account, person, params)


def mutes_create(world: World, account: Account, params: Mapping[str, str]) -> Reply:
    return _mute_call(world, account, params, True)


def mutes_destroy(world: World, account: Account, params: Mapping[str, str]) -> Reply:
    return _mute_call(world, account, params, False)


def block_by_hand(world: World, index: int, ids: list[str]) -> list[str]:
    """Blocks made outside the tool (the app, another tool): the control API's
    ``POST /__emulator__/accounts/{index}/blocks``. Unknown ids are skipped; returns the added."""
    added: list[str] = []
    with world.lock:
        account = world.account(index)
        for uid in ids:
            if uid in world.population.people and uid != account.user_id:
                account.blocked[uid] = None
                account.following.discard(uid)
                account.followers.discard(uid)
                added.append(uid)
    return added
