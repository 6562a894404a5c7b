"""Chain sources: which timeline lists the accounts around a bad actor, and how to read a page.

A source is ``KIND:ARG``: ``followers:@h``, ``following:@h``, ``verified-followers:@h``,
``retweeters:<post>``, ``quoters:<post>``, ``repliers:<post>``, ``likers:<post>`` (a post URL or
id) and ``list-members:<list URL or id>``. Page shapes and end signals, with their public
sources: docs/EMULATOR.md ("Chain sources"). A page is read by searching the whole response
for entries and the Bottom cursor (search pages after the first deliver it through
``TimelineReplaceEntry``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from .blocklist import walk_dicts
from .models import User
from .parse import user_from_node


class Kind(StrEnum):
    FOLLOWERS = "followers"
    FOLLOWING = "following"
    VERIFIED_FOLLOWERS = "verified-followers"
    RETWEETERS = "retweeters"
    QUOTERS = "quoters"
    REPLIERS = "repliers"
    LIKERS = "likers"
    LIST_MEMBERS = "list-members"


OPERATION: dict[Kind, str] = {
    Kind.FOLLOWERS: "Followers",
    Kind.FOLLOWING: "Following",
    Kind.VERIFIED_FOLLOWERS: "BlueVerifiedFollowers",
    Kind.RETWEETERS: "Retweeters",
    Kind.QUOTERS: "SearchTimeline",
    Kind.REPLIERS: "SearchTimeline",
    Kind.LIKERS: "Favoriters",
    Kind.LIST_MEMBERS: "ListMembers",
}
BY_HANDLE = (Kind.FOLLOWERS, Kind.FOLLOWING, Kind.VERIFIED_FOLLOWERS)
_HANDLE = re.compile(r"^@?([A-Za-z0-9_]{1,15})$")
_POST = re.compile(
    r"^(?:https?://(?:www\.|mobile\.)?(?:x|twitter)\.com/([A-Za-z0-9_]{1,15})/status/)?(\d{1,25})"
    r"(?:[/?#].*)?$"
)
_LIST = re.compile(r"^(?:https?://(?:www\.)?(?:x|twitter)\.com/i/lists/)?(\d{1,25})/?$")
_SKIP_PREFIXES = ("cursor-", "messageprompt-", "module-", "who-to-follow-", "promoted-")


@dataclass(frozen=True, slots=True)
class Source:
    kind: Kind
    arg: str  # handle (no @), post id or list id
    author: str | None = None  # the post's author, when a post URL names it

    def __str__(self) -> str:
        return f"{self.kind}:{'@' if self.kind in BY_HANDLE else ''}{self.arg}"


def parse_source(text: str) -> Source | None:
    """The source named by ``text``; None when it is not one (the caller explains)."""
    head, sep, arg = text.strip().partition(":")
    if not sep:
        return None
    try:
        kind = Kind(head.strip().lower())
    except ValueError:
        return None
    arg = arg.strip()
    if kind in BY_HANDLE:
        found = _HANDLE.match(arg)
    elif kind is Kind.LIST_MEMBERS:
        found = _LIST.match(arg)
    else:
        post = _POST.match(arg)
        return Source(kind, post.group(2), post.group(1)) if post else None
    return Source(kind, found.group(1)) if found else None


def variables(source: Source, key: str, cursor: str | None) -> dict[str, Any]:
    """The variables of one page request; ``key`` is the user id for handle sources."""
    kind = source.kind
    out: dict[str, Any]
    if kind in BY_HANDLE:
        out = {"userId": key, "count": 20, "includePromotedContent": False}
    elif kind is Kind.LIST_MEMBERS:
        out = {"listId": key, "count": 20}
    elif kind in (Kind.QUOTERS, Kind.REPLIERS):
        operator = "quoted_tweet_id" if kind is Kind.QUOTERS else "conversation_id"
        out = {
            "rawQuery": f"{operator}:{key}",
            "count": 20,
            "querySource": "typed_query",
            "product": "Latest",
        }
    else:
        out = {"tweetId": key, "count": 20, "includePromotedContent": True}
    if cursor is not None:
        out["cursor"] = cursor
    return out


@dataclass(frozen=True, slots=True)
class Page:
    users: list[User]  # in page order, may repeat (one replier, two replies)
    cursor: str | None  # the Bottom cursor, None when the page has none
    stop_on_empty: bool  # the cursor said stopOnEmptyResponse
    terminated_only: bool  # nothing but TimelineTerminateTimeline (likers hidden)
    has_timeline: bool  # the response held a timeline at all
    verified: frozenset[str] = frozenset()  # ids whose node says is_blue_verified


def _author(entry: dict[str, Any]) -> dict[str, Any] | None:
    content = entry.get("content")
    item = content.get("itemContent") if isinstance(content, dict) else None
    if not isinstance(item, dict):
        return None
    users = item.get("user_results")
    if isinstance(users, dict):
        result = users.get("result")
        return result if isinstance(result, dict) else None
    tweet = item.get("tweet_results")
    result = tweet.get("result") if isinstance(tweet, dict) else None
    if isinstance(result, dict) and isinstance(result.get("tweet"), dict):
        result = result["tweet"]  # TweetWithVisibilityResults
    core = result.get("core") if isinstance(result, dict) else None
    holder = core.get("user_results") if isinstance(core, dict) else None
    node = holder.get("result") if isinstance(holder, dict) else None
    return node if isinstance(node, dict) else None


def parse_page(body: Any) -> Page:
    instructions: list[dict[str, Any]] = []
    for obj in walk_dicts(body):
        found = obj.get("instructions")
        if isinstance(found, list):
            instructions.extend(i for i in found if isinstance(i, dict))
    users: list[User] = []
    cursor: str | None = None
    stop = False
    entries: list[dict[str, Any]] = []
    verified: set[str] = set()
    for inst in instructions:
        if isinstance(inst.get("entries"), list):
            entries.extend(e for e in inst["entries"] if isinstance(e, dict))
        if isinstance(inst.get("entry"), dict):
            entries.append(inst["entry"])
    for entry in entries:
        for obj in walk_dicts(entry.get("content")):
            if obj.get("cursorType") == "Bottom" and isinstance(obj.get("value"), str):
                cursor, stop = obj["value"], obj.get("stopOnEmptyResponse") is True
        entry_id = str(entry.get("entryId", ""))
        if entry_id.startswith(_SKIP_PREFIXES):
            continue
        node = _author(entry)
        if node is None or node.get("__typename") not in (None, "User"):
            continue  # no result (quality filter) or UserUnavailable
        user = user_from_node(node)
        if user is not None:
            users.append(user)
            if node.get("is_blue_verified") is True:
                verified.add(user.user_id)
    terminated = bool(instructions) and all(
        i.get("type") == "TimelineTerminateTimeline" for i in instructions
    )
    return Page(users, cursor, stop, terminated, bool(instructions), frozenset(verified))
