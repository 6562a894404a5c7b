"""Collect a chain source page by page: resumable, paced by the operation's own window, ended
on X's end-of-list signals (docs/EMULATOR.md, chain sources, with their public sources).

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

from ..store.collect import CollectState
from ..x.errors import RateLimited, Transient
from ..x.models import LookupResult, User, UserState
from ..x.sources import BY_HANDLE, OPERATION, Kind, Source, parse_page, variables

EMPTY_PAGES_END = 3  # consecutive pages without users (twscrape's rule; docs/EMULATOR.md)
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


@dataclass(frozen=True, slots=True)
class Step:
    """One step of a collector: a page stored (``users`` new to the collect, with their nodes),
    or ``wait_until`` (the window is spent), or the end."""

    users: list[User]
    verified: frozenset[str]
    wait_until: float | None = None
    end_reason: str | None = None


class Collector:
    def __init__(
        self,
        client: SourceClient,
        source: Source,
        state: CollectState,
        *,
        limit: int | None = None,
        now: Callable[[], float] = time.time,
    ) -> None:
        self.client, self.source, self.state, self.limit, self.now = (
            client, source, state, limit, now
        )  # fmt: skip
        progress = state.progress()
        self.cursor, self.streak, self.count = (
            progress.cursor,
            progress.empty_streak,
            progress.count,
        )
        self.first = progress.pages == 0
        self.end_reason = progress.end_reason
        self.key: str | None = None
        self.transient = 0

    def step(self) -> Step:
        """Ask for the next page (never into a spent window); store it in one transaction."""
        if self.end_reason is not None:
            return Step([], frozenset(), end_reason=self.end_reason)
        if self.limit is not None and self.count >= self.limit:
            self.state.finish(EndReason.LIMIT)
            self.end_reason = EndReason.LIMIT
            return Step([], frozenset(), end_reason=self.end_reason)
        if self.key is None:
            self.key = resolve_key(self.client, self.source)
        source, cursor = self.source, self.cursor
        try:
            body = self.client.timeline_page(
                OPERATION[source.kind], variables(source, self.key, cursor)
            )
        except RateLimited as exc:
            if exc.suspicious or exc.reset is None:
                raise CollectStopped("rate", exc.reset) from exc
            return Step([], frozenset(), wait_until=exc.reset + 1.0)
        except Transient as exc:
            self.transient += 1
            if self.transient >= TRANSIENT_TRIES:
                raise CollectStopped("transient") from exc
            return Step([], frozenset(), wait_until=self.now() + min(30.0, 2.0**self.transient))
        self.transient = 0
        page = parse_page(body)
        if not page.has_timeline:
            raise SourceProblem("collect.no_timeline", source=str(source))
        if self.first and page.terminated_only and source.kind is Kind.LIKERS:
            raise SourceProblem("collect.likers_hidden", source=str(source))
        self.first = False
        pairs = [(u.user_id, u.screen_name) for u in page.users]
        self.streak = 0 if pairs else self.streak + 1
        end = _end(
            page.cursor, cursor, self.streak, page.stop_on_empty, page.terminated_only, pairs
        )
        added = self.state.add_page(
            pairs,
            sent=cursor,
            cursor=page.cursor,
            empty_streak=self.streak,
            end_reason=end,
            limit=self.limit,
            verified=page.verified,
        )
        self.count += len(added)
        self.cursor, self.end_reason = page.cursor, end
        new = {uid for uid, _ in added}
        users = list({u.user_id: u for u in page.users if u.user_id in new}.values())
        return Step(users, page.verified, end_reason=end)


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
    on_wait: Callable[[float], None] | None = None,
) -> Collected:
    collector = Collector(client, source, state, limit=limit, now=now)
    while True:
        step = collector.step()
        if step.users:
            on_page([(u.user_id, u.screen_name) for u in step.users])
        if step.end_reason is not None:
            return _done(state)
        if step.wait_until is not None:
            wait = step.wait_until - now()
            if wait > max_wait:
                raise CollectStopped("rate", step.wait_until)
            if on_wait is not None and wait > 1.0:
                on_wait(wait)
            sleep(max(0.0, wait))


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
