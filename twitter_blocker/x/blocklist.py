"""Reading the account's own block and mute lists: GraphQL ``BlockedAccountsAll`` and
``MutedAccounts``, one typed page per call (docs/EMULATOR.md, "Block and mute lists").

End-of-list rules (docs/X-FACTS.md style, public clients twt, twscrape, mass-block-twitter):
- the next page is asked with the ``Bottom`` cursor's value, found anywhere in the answer;
- a Bottom cursor starting ``0|`` ends the list, and so do no Bottom cursor at all or the
  same cursor twice;
- an empty page with a new cursor is not an end: three empty pages in a row are;
- ``UserUnavailable`` and result-less user entries are skipped, never counted as users.
An answer with ``errors`` and no users proves nothing: it raises ``UnexpectedResponse``
(temporary), it never ends the list.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from .client import XClient
from .errors import UnexpectedResponse
from .models import BlockResult, User
from .parse import has_errors, user_from_node

EMPTY_PAGES_END = 3
PAGE_COUNT = 20


class ListKind(StrEnum):
    BLOCKED = "BlockedAccountsAll"
    MUTED = "MutedAccounts"


@dataclass(frozen=True, slots=True)
class ListPage:
    users: tuple[User, ...]
    next_cursor: str | None  # None: this page was the last
    skipped: int = 0  # unavailable or result-less entries


def walk_dicts(value: Any) -> Iterator[dict[str, Any]]:
    """Every dict in the answer (entries may sit under AddEntries, ReplaceEntry, PinEntry)."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            yield item
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(reversed(item))


def parse_page(body: Any, asked: str | None) -> ListPage:
    users: list[User] = []
    skipped = 0
    bottom: str | None = None
    seen: set[str] = set()
    for obj in walk_dicts(body.get("data") if isinstance(body, dict) else None):
        entry_id = obj.get("entryId")
        if isinstance(entry_id, str) and entry_id.startswith("user-"):
            content = obj.get("content") if isinstance(obj.get("content"), dict) else {}
            item = content.get("itemContent") if isinstance(content, dict) else None
            holder = item.get("user_results") if isinstance(item, dict) else None
            result = holder.get("result") if isinstance(holder, dict) else None
            user = None
            if isinstance(result, dict) and result.get("__typename", "User") == "User":
                user = user_from_node(result)
            if user is None:
                skipped += 1
            elif user.user_id not in seen:
                seen.add(user.user_id)
                users.append(user)
        elif obj.get("cursorType") == "Bottom" and isinstance(obj.get("value"), str):
            bottom = obj["value"]
    if has_errors(body) and not users:
        raise UnexpectedResponse("block/mute list: errors and no users in the answer")
    ended = bottom is None or bottom.startswith("0|") or bottom == asked
    return ListPage(tuple(users), None if ended else bottom, skipped)


def read_page(client: XClient, kind: ListKind, cursor: str | None) -> ListPage:
    variables: dict[str, Any] = {"count": PAGE_COUNT, "includePromotedContent": False}
    if cursor:
        variables["cursor"] = cursor
    op = str(kind)
    result = client._graphql(op, variables, targets=0)
    return parse_page(client._ok(result, op), cursor)


def read_all(
    client: XClient,
    kind: ListKind,
    *,
    cursor: str | None = None,
    on_page: Callable[[ListPage], None] | None = None,
) -> Iterator[User]:
    """Every user of the list from ``cursor`` (None: the top). ``on_page`` sees each page
    before its users are yielded, so a caller can persist ``next_cursor`` (resume)."""
    empty = 0
    while True:
        page = read_page(client, kind, cursor)
        if on_page is not None:
            on_page(page)
        yield from page.users
        empty = 0 if page.users else empty + 1
        if page.next_cursor is None or empty >= EMPTY_PAGES_END:
            return
        cursor = page.next_cursor


def mute(client: XClient, user_id: str) -> BlockResult:
    """``mutes/users/create``: the same answers as ``blocks/create`` (docs/EMULATOR.md)."""
    return client._block_call("mutes/users/create", str(user_id))


def unmute(client: XClient, user_id: str) -> BlockResult:
    """``mutes/users/destroy``."""
    return client._block_call("mutes/users/destroy", str(user_id))
