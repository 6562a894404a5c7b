"""Collect a chain source page by page: resumable, paced by the operation's own window, ended
on X's end-of-list signals (docs/X-FACTS.md; docs/EMULATOR.md).

Each page goes to the state (``store/collect.py``) in one transaction with the cursor after
it, then to ``on_page``; a killed collect resumes at the next page. A spent window (known from
the previous answer's headers, so nothing is sent into it) is waited out up to ``max_wait``.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Protocol

from twitter_blocker.store.collect import CollectState
from twitter_blocker.x.errors import RateLimited, Transient
from twitter_blocker.x.models import LookupResult, UserState
from twitter_blocker.x.sources import BY_HANDLE, OPERATION, Kind, Source, parse_page, variables

EMPTY_PAGES_END = 3  # consecutive pages without users (twscrape's rule, X-FACTS.md)
TRANSIENT_TRIES = 5


class EndReason(StrEnum):
    END_CURSOR = "end cursor"
    NO_CURSOR = "no cursor"
    REPEATED_CURSOR = "repeated cursor"
    EMPTY_PAGES = "three empty pages in a row"
    STOP_ON_EMPTY = "empty page (stopOnEmptyResponse)"
    TERMINATED = "timeline terminated"
    LIMIT = "limit reached"


class SourceClient(Protocol):
    def lookup_handle(self, handle: str) -> LookupResult: ...
    def timeline_page(self, operation: str, variables: dict[str, Any]) -> Any: ...


class SourceProblem(Exception):
    """The source cannot be collected as named (exit 2): ``key`` is a messages.py key."""

    def __init__(self, key: str, **values: object) -> None:
        super().__init__(key)
        self.key = key
        self.values = values


class CollectStopped(Exception):
    """A temporary stop (exit 75): the state holds everything so far; run again to resume."""

    def __init__(self, reason: str, reset: float | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.reset = reset


@dataclass(frozen=True, slots=True)
class Collected:
    count: int
    pages: int
    end_reason: str


def resolve_key(client: SourceClient, source: Source) -> str:
    if source.kind not in BY_HANDLE:
        return source.arg
    found = client.lookup_handle(source.arg)
    if found.state is not UserState.ACTIVE or found.user is None:
        raise SourceProblem("collect.no_account", handle=source.arg, state=str(found.state))
    return found.user.user_id


def collect(
    client: SourceClient,
    source: Source,
    state: CollectState,
    *,
    on_page: Callable[[list[tuple[str, str]]], None],
    limit: int | None = None,
    max_wait: float = 900.0,
    sleep: Callable[[float], None] = time.sleep,
    now: Callable[[], float] = time.time,
) -> Collected:
    progress = state.progress()
    if progress.end_reason is not None:
        return Collected(progress.count, progress.pages, progress.end_reason)
    key = resolve_key(client, source)
    operation = OPERATION[source.kind]
    cursor, streak, count = progress.cursor, progress.empty_streak, progress.count
    first = progress.pages == 0
    transient = 0
    while True:
        if limit is not None and count >= limit:
            state.finish(EndReason.LIMIT)
            return _done(state)
        try:
            body = client.timeline_page(operation, variables(source, key, cursor))
        except RateLimited as exc:
            wait = (exc.reset or 0.0) - now() + 1.0
            if exc.suspicious or exc.reset is None or wait > max_wait:
                raise CollectStopped("rate", exc.reset) from exc
            sleep(max(0.0, wait))
            continue
        except Transient as exc:
            transient += 1
            if transient >= TRANSIENT_TRIES:
                raise CollectStopped("transient") from exc
            sleep(min(30.0, 2.0**transient))
            continue
        transient = 0
        page = parse_page(body)
        if not page.has_timeline:
            raise SourceProblem("collect.no_timeline", source=str(source))
        if first and page.terminated_only and source.kind is Kind.LIKERS:
            raise SourceProblem("collect.likers_hidden", source=str(source))
        first = False
        users = [(u.user_id, u.screen_name) for u in page.users]
        streak = 0 if users else streak + 1
        end = _end(page.cursor, cursor, streak, page.stop_on_empty, page.terminated_only, users)
        added = state.add_page(
            users,
            sent=cursor,
            cursor=page.cursor,
            empty_streak=streak,
            end_reason=end,
            limit=limit,
        )
        count += len(added)
        if added:
            on_page(added)
        if end is not None:
            return _done(state)
        cursor = page.cursor


def _end(
    nxt: str | None,
    sent: str | None,
    streak: int,
    stop_on_empty: bool,
    terminated: bool,
    users: list[tuple[str, str]],
) -> str | None:
    if terminated:
        return EndReason.TERMINATED
    if nxt is None:
        return EndReason.NO_CURSOR
    if nxt.startswith("0|"):
        return EndReason.END_CURSOR
    if stop_on_empty and not users:
        return EndReason.STOP_ON_EMPTY
    if nxt == sent:
        return EndReason.REPEATED_CURSOR
    if streak >= EMPTY_PAGES_END:
        return EndReason.EMPTY_PAGES
    return None


def _done(state: CollectState) -> Collected:
    progress = state.progress()
    return Collected(progress.count, progress.pages, progress.end_reason or "")
