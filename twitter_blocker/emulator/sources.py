"""Chain-source timelines: Followers, Following, BlueVerifiedFollowers, ListMembers, Retweeters,
Favoriters and SearchTimeline (quoters, repliers) over the graph of ``graph.py``.

Facts (public captures of 2025-2026; sources in docs/EMULATOR.md, "Chain sources"): user
lists page by a Bottom cursor ``"<n>|<sortIndex>"`` and end on one starting ``0|``; Followers
pages hold 50-70 users whatever ``count`` says; promo-only pages (``who-to-follow-*``) still
carry a cursor; Retweeters cursors are opaque base64 with ``stopOnEmptyResponse``; search pages
after the first deliver their cursors through ``TimelineReplaceEntry``; Favoriters on someone
else's post answers only a ``TimelineTerminateTimeline``. Assumptions (docs/EMULATOR.md): which
pages are promo-only (every seventh), that BlueVerifiedFollowers runs out into empty pages with
fresh cursors, and that a search past its end repeats the cursor it was sent.
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from typing import Any

from .graph import Graph, Post
from .shapes import Relation, stable_mix, user_node
from .world import Account, World

VARIABLES: dict[str, tuple[tuple[str, str], ...]] = {
    "Followers": (("userId", "NumericString!"), ("count", "Int!")),
    "Following": (("userId", "NumericString!"), ("count", "Int!")),
    "BlueVerifiedFollowers": (("userId", "NumericString!"), ("count", "Int!")),
    "ListMembers": (("listId", "ID!"), ("count", "Int!")),
    "Retweeters": (("tweetId", "NumericString!"), ("count", "Int!")),
    "Favoriters": (("tweetId", "NumericString!"), ("count", "Int!")),
    "SearchTimeline": (("rawQuery", "String!"), ("count", "Int!")),
}
_BASE = 6_503_585_151_335_227_393
_SORT = 1_905_470_080_662_110_208
PROMO_EVERY = 7  # [inf] every seventh Followers/Following page is promo-only


def _relation(account: Account, user_id: str) -> Relation:
    return Relation(
        following=user_id in account.following,
        followed_by=user_id in account.followers,
        blocking=user_id in account.blocked,
    )


def _node(world: World, account: Account, user_id: str) -> dict[str, Any] | None:
    person = world.population.people.get(user_id)
    if person is None:
        return None
    node = user_node(person, _relation(account, user_id), world.config.shape)
    if user_id in world.graph.verified:
        node["is_blue_verified"] = True
    if world.switches.relationships_moved:  # as on the lookups (graphql._served)
        node.pop("relationship_perspectives", None)
    return node


def _cursor_entry(kind: str, value: str, sort: int, **extra: Any) -> dict[str, Any]:
    content = {
        "entryType": "TimelineTimelineCursor",
        "__typename": "TimelineTimelineCursor",
        "value": value,
        "cursorType": kind,
        **extra,
    }
    return {"entryId": f"cursor-{kind.lower()}-{sort}", "sortIndex": str(sort), "content": content}


def _user_entry(node: dict[str, Any], sort: int) -> dict[str, Any]:
    item = {
        "itemType": "TimelineUser",
        "__typename": "TimelineUser",
        "user_results": {"result": node},
        "userDisplayType": "User",
    }
    return {
        "entryId": f"user-{node['rest_id']}",
        "sortIndex": str(sort),
        "content": {
            "entryType": "TimelineTimelineItem",
            "__typename": "TimelineTimelineItem",
            "itemContent": item,
            "clientEventInfo": {"component": "FollowersSgs"},
        },
    }


def _promo(sort: int) -> dict[str, Any]:
    return {
        "entryId": f"who-to-follow-{sort}",
        "sortIndex": str(sort),
        "content": {"entryType": "TimelineTimelineModule", "items": [], "displayType": "Vertical"},
    }


def _timeline(instructions: list[dict[str, Any]]) -> dict[str, Any]:
    return {"timeline": {"instructions": instructions}}


# ------------------------------------------------------------------ n|sortIndex user lists
def _decode_n(cursor: Any) -> tuple[int, int]:
    """(offset, page number) of a cursor this emulator issued; (0, 0) for none or garbage."""
    if not isinstance(cursor, str) or "|" not in cursor:
        return 0, 0
    try:
        n = int(cursor.split("|", 1)[0]) - _BASE
    except ValueError:
        return 0, 0
    return (n >> 12, n & 0xFFF) if n > 0 else (0, 0)


def _user_list(
    world: World,
    account: Account,
    ids: list[str],
    cursor: Any,
    size: Callable[[int], int],
    *,
    promo: bool,
    empty_tail: bool,
) -> list[dict[str, Any]]:
    offset, page = _decode_n(cursor)
    sort = _SORT - offset * 16 - page
    entries: list[dict[str, Any]] = []
    end = offset
    if promo and page % PROMO_EVERY == PROMO_EVERY - 1:
        entries.append(_promo(sort))  # a promo-only page: no users, a cursor that goes on
    else:
        end = min(len(ids), offset + size(page))
        for i in range(offset, end):
            node = _node(world, account, ids[i])
            if node is not None:
                entries.append(_user_entry(node, sort - (i - offset)))
    nxt = ((end << 12) | ((page + 1) & 0xFFF)) + _BASE
    if end >= len(ids) and not empty_tail and not (promo and end == offset and ids):
        bottom = f"0|{sort - 999}"
    else:
        bottom = f"{nxt}|{sort - 999}"
    entries.append(_cursor_entry("Bottom", bottom, sort - 999))
    entries.append(_cursor_entry("Top", f"-1|{sort + 1}", sort + 1))
    instructions: list[dict[str, Any]] = [{"type": "TimelineClearCache"}]
    if page == 0:
        instructions.append({"type": "TimelineTerminateTimeline", "direction": "Top"})
        instructions.append({"type": "TimelineTerminateTimeline", "direction": "Bottom"})
    instructions.append({"type": "TimelineAddEntries", "entries": entries})
    return instructions


def _sized(low: int, high: int, salt: int) -> Callable[[int], int]:
    return lambda page: low + stable_mix(str(page + 1), salt) % (high - low + 1)


def _user_of(variables: dict[str, Any]) -> str:
    return str(variables.get("userId"))


def _followers(world: World, account: Account, variables: dict[str, Any]) -> dict[str, Any]:
    ids = world.graph.followers_of(_user_of(variables))
    return _edge_page(world, account, variables, ids, _sized(50, 70, 3))


def _following(world: World, account: Account, variables: dict[str, Any]) -> dict[str, Any]:
    ids = world.graph.following_of(_user_of(variables))
    return _edge_page(world, account, variables, ids, _sized(60, 70, 5))


def _edge_page(
    world: World,
    account: Account,
    variables: dict[str, Any],
    ids: list[str],
    sizes: Callable[[int], int],
) -> dict[str, Any]:
    """One page of a user's followers or following (a user timeline)."""
    inst = _user_list(
        world, account, ids, variables.get("cursor"), sizes, promo=True, empty_tail=False
    )
    return {"user": {"result": {"__typename": "User", "timeline": _timeline(inst)}}}


def _verified(world: World, account: Account, variables: dict[str, Any]) -> dict[str, Any]:
    graph = world.graph
    ids = [u for u in graph.followers_of(_user_of(variables)) if u in graph.verified]
    inst = _user_list(
        world, account, ids, variables.get("cursor"), lambda _: 20, promo=False, empty_tail=True
    )
    return {"user": {"result": {"__typename": "User", "timeline": _timeline(inst)}}}


def _list_members(world: World, account: Account, variables: dict[str, Any]) -> dict[str, Any]:
    ids = world.graph.lists.get(str(variables.get("listId")))
    if ids is None:
        return {"list": {}}
    inst = _user_list(
        world, account, ids, variables.get("cursor"), lambda _: 20, promo=False, empty_tail=False
    )
    return {"list": {"members_timeline": _timeline(inst)}}


# ------------------------------------------------------------------ base64 (Retweeters, likers)
def _b64(offset: int) -> str:
    raw = offset.to_bytes(8, "big")
    return base64.b64encode(b"\x1c\x16" + raw + b"\x00\x00").decode("ascii")


def _unb64(cursor: Any) -> int:
    if not isinstance(cursor, str):
        return 0
    try:
        raw = base64.b64decode(cursor, validate=True)
    except ValueError:
        return 0
    return int.from_bytes(raw[2:10], "big") if len(raw) == 12 else 0


def _opaque_list(
    world: World, account: Account, ids: list[str], cursor: Any
) -> list[dict[str, Any]]:
    offset = _unb64(cursor)
    sort = _SORT - offset
    end = min(len(ids), offset + 20)
    entries: list[dict[str, Any]] = []
    for i in range(offset, end):
        node = _node(world, account, ids[i])
        if node is not None:
            entries.append(_user_entry(node, sort - (i - offset)))
    # past the end: an empty page whose cursor says to stop on it
    entries.append(_cursor_entry("Bottom", _b64(end), sort - 999, stopOnEmptyResponse=True))
    entries.append(_cursor_entry("Top", _b64(offset) + "T", sort + 1))
    return [{"type": "TimelineAddEntries", "entries": entries}]


def _post(world: World, variables: dict[str, Any]) -> Post | None:
    return world.graph.posts.get(str(variables.get("tweetId")))


def _retweeters(world: World, account: Account, variables: dict[str, Any]) -> dict[str, Any]:
    post = _post(world, variables)
    ids = post.retweeters if post is not None else []
    inst = _opaque_list(world, account, ids, variables.get("cursor"))
    return {"retweeters_timeline": _timeline(inst), "responseObjects": {}}


def _favoriters(world: World, account: Account, variables: dict[str, Any]) -> dict[str, Any]:
    post = _post(world, variables)
    if post is None or post.author_id != account.user_id:  # likes are private (June 2024)
        inst = [{"type": "TimelineTerminateTimeline", "direction": "Bottom"}]
    else:
        inst = _opaque_list(world, account, post.likers, variables.get("cursor"))
    return {"favoriters_timeline": _timeline(inst)}


# ------------------------------------------------------------------ SearchTimeline
def _tweets_for(graph: Graph, query: str) -> list[tuple[str, str]] | None:
    operator, _, value = query.strip().partition(":")
    post = graph.posts.get(value.strip())
    if post is None:
        return [] if operator in ("quoted_tweet_id", "conversation_id") else None
    if operator == "quoted_tweet_id":
        return [(f"{int(post.post_id) + 1 + i}", author) for i, author in enumerate(post.quoters)]
    if operator == "conversation_id":
        return post.replies
    return None


def _tweet_entry(node: dict[str, Any], tweet_id: str, sort: int, legacy: dict[str, Any]) -> Any:
    tweet: dict[str, Any] = {
        "__typename": "Tweet",
        "rest_id": tweet_id,
        "core": {"user_results": {"result": node}},
        "legacy": {"id_str": tweet_id, "user_id_str": node["rest_id"], **legacy},
    }
    if sort % 5 == 0:  # visibility-limited tweets nest one level down
        tweet = {"__typename": "TweetWithVisibilityResults", "tweet": tweet}
    return {
        "entryId": f"tweet-{tweet_id}",
        "sortIndex": str(sort),
        "content": {
            "entryType": "TimelineTimelineItem",
            "__typename": "TimelineTimelineItem",
            "itemContent": {"itemType": "TimelineTweet", "tweet_results": {"result": tweet}},
        },
    }


def _search(world: World, account: Account, variables: dict[str, Any]) -> dict[str, Any]:
    query = str(variables.get("rawQuery", ""))
    tweets = _tweets_for(world.graph, query) or []
    cursor = variables.get("cursor")
    offset = _unb64(cursor)
    first = cursor is None
    sort = _SORT - offset
    entries: list[dict[str, Any]] = []
    _, _, post_id = query.partition(":")
    field = "quoted_status_id_str" if query.startswith("quoted") else "conversation_id_str"
    end = min(len(tweets), offset + 20)
    for i in range(offset, end):
        tweet_id, author = tweets[i]
        node = _node(world, account, author)
        if node is not None:
            legacy = {field: post_id.strip(), "quoted_status_result": {}}
            entries.append(_tweet_entry(node, tweet_id, sort - (i - offset), legacy))
    if first and world.graph.hubs:  # a promoted tweet by someone who did not quote or reply
        node = _node(world, account, world.graph.hubs[-1])
        if node is not None:
            promoted = _tweet_entry(node, str(_SORT + 7), sort - 500, {})
            promoted["entryId"] = f"promoted-tweet-{_SORT + 7}-{sort}"
            entries.append(promoted)
    bottom = _b64(end) if end > offset or first else str(cursor)  # past the end: repeats
    bottom_entry = _cursor_entry("Bottom", bottom, sort - 999)
    top_entry = _cursor_entry("Top", _b64(offset) + "T", sort + 1)
    instructions: list[dict[str, Any]]
    if first:
        instructions = [
            {"type": "TimelineAddEntries", "entries": [*entries, top_entry, bottom_entry]}
        ]
    else:
        instructions = [
            {"type": "TimelineAddEntries", "entries": entries},
            {"type": "TimelineReplaceEntry", "entry_id_to_replace": "sq-cursor-top",
             "entry": top_entry},
            {"type": "TimelineReplaceEntry", "entry_id_to_replace": "sq-cursor-bottom",
             "entry": bottom_entry},
        ]  # fmt: skip
    return {"search_by_raw_query": {"search_timeline": _timeline(instructions)}}


OPERATIONS: dict[str, Callable[[World, Account, dict[str, Any]], dict[str, Any]]] = {
    "Followers": _followers,
    "Following": _following,
    "BlueVerifiedFollowers": _verified,
    "ListMembers": _list_members,
    "Retweeters": _retweeters,
    "Favoriters": _favoriters,
    "SearchTimeline": _search,
}


# ------------------------------------------------------------------ control routes (truth)
def graph_truth(world: World, screen_name: str | None) -> dict[str, Any] | None:
    """``GET /__emulator__/graph[/{screen_name}]``: one account's edges, or the hubs, posts and
    lists to test with."""
    graph = world.graph
    people = world.population.people
    if screen_name is None:
        return {
            "hubs": [
                {"user_id": h, "screen_name": people[h].screen_name,
                 "followers": len(graph.followers_of(h))}
                for h in graph.hubs
            ],
            "posts": [{"id": p.post_id, "author_id": p.author_id} for p in graph.posts.values()],
            "lists": [{"id": k, "members": len(v)} for k, v in graph.lists.items()],
        }  # fmt: skip
    person = world.population.find_handle(screen_name.lstrip("@"))
    if person is None:
        return None
    followers = graph.followers_of(person.user_id)
    return {
        "user_id": person.user_id,
        "followers": followers,
        "following": graph.following_of(person.user_id),
        "verified_followers": [u for u in followers if u in graph.verified],
    }


def post_truth(world: World, post_id: str) -> dict[str, Any] | None:
    post = world.graph.posts.get(post_id)
    if post is not None:
        return {
            "id": post.post_id,
            "author_id": post.author_id,
            "retweeters": post.retweeters,
            "quoters": post.quoters,
            "repliers": post.repliers,
            "likers": post.likers,
        }
    members = world.graph.lists.get(post_id)
    return None if members is None else {"id": post_id, "members": members}
