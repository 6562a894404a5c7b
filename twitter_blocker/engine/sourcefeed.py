"""``--source`` on a run: collect and block in one pipelined run.

The feed asks each source for its next page whenever that operation's window is open, imports
the new accounts into the ledger (and their timeline user data, relationship flags included,
into the lookup cache, so a fresh and complete node decides without a second lookup), and hands
pending rows to the pass in between: blocks start while pages still arrive, each within its
own budget. Each source keeps its cursor and what it collected (with the source's name) in
``sources/<name>.collect-state`` in the data directory, so a stopped run resumes its pages too.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from ..errors import InputError
from ..inputs.normalize import id_key
from ..messages import msg
from ..store.collect import CollectState
from ..store.history import History
from ..store.models import Row
from ..x.models import LookupResult, UserState
from ..x.sources import BY_HANDLE, Source, parse_source
from .failures import Stop
from .runtypes import RunOptions
from .sources import Collector, CollectStopped, SourceClient, SourceProblem, resolve_key
from .work import LookupCache

STATE_DIR = "sources"


@dataclass(frozen=True, slots=True)
class SourceTarget:
    key: str
    user_id: str | None
    screen_name: str | None


def state_path(data_dir: Path, source: Source) -> Path:
    slug = re.sub(r"[^A-Za-z0-9_-]+", "_", str(source))
    return data_dir / STATE_DIR / f"{slug}.collect-state"


class SourceFeed:
    def __init__(
        self,
        client: SourceClient,
        history: History,
        cache: LookupCache | None,
        viewer_id: str,
        sources: list[Source],
        data_dir: Path,
        *,
        include_source: bool,
        skip_verified: bool,
        page: int = 500,
    ) -> None:
        (data_dir / STATE_DIR).mkdir(parents=True, exist_ok=True)
        self.states = [CollectState(state_path(data_dir, s), str(s)) for s in sources]
        self.collectors = [
            Collector(client, s, st) for s, st in zip(sources, self.states, strict=True)
        ]
        self.history, self.cache, self.viewer_id = history, cache, viewer_id
        self.include_source, self.skip_verified, self.page = include_source, skip_verified, page
        self.collected = 0  # the source account itself: the handle's id, or a post URL's author

    def _wanted(self, c: Collector, user_id: str, screen_name: str, verified: bool) -> bool:
        """The decisions made at collection: the source account itself (the handle's id, or a
        post URL's author) only with --include-source; verified accounts not with
        --skip-verified. The rest is the pass's usual policy."""
        author = (c.source.author or "").lower()
        if not self.include_source and (user_id == c.key or screen_name.lower() == author):
            return False
        return not (self.skip_verified and verified)

    def _import(self, pairs: Iterable[tuple[str, str]]) -> None:
        targets = [SourceTarget(id_key(uid), uid, handle) for uid, handle in pairs]
        self.history.import_targets(targets)
        self.collected += len(targets)

    def catch_up(self) -> None:
        """Import what earlier runs collected (a run stopped between a page's commit and its
        import, or other flags now): importing a known target is a no-op."""
        for c, state in zip(self.collectors, self.states, strict=True):
            if c.source.kind in BY_HANDLE and c.key is None and not self.include_source:
                c.key = resolve_key(c.client, c.source)
            self._import(
                (uid, handle) for uid, handle, verified in state.accounts()
                if self._wanted(c, uid, handle, verified)
            )  # fmt: skip

    def close(self) -> None:
        for state in self.states:
            state.close()

    def _step(self) -> float | None:
        """One page from every source whose window is open; the earliest reset of the others
        (None when every source has ended)."""
        waits: list[float] = []
        for c in self.collectors:
            if c.end_reason is not None:
                continue
            step = c.step()
            if step.wait_until is not None:
                waits.append(step.wait_until)
                continue
            users = [
                u for u in step.users if self._wanted(c, u.user_id, u.screen_name,
                                                      u.user_id in step.verified)
            ]  # fmt: skip
            if users:
                if self.cache is not None:
                    self.cache.put_lookups(
                        self.viewer_id,
                        [LookupResult(u.user_id, UserState.ACTIVE, u, u.user_id) for u in users],
                    )
                self._import((u.user_id, u.screen_name) for u in users)
            if c.end_reason is None:
                waits.append(0.0)
        return min(waits) if waits else None

    def rows(self, wait_until: Callable[[float, str], None]) -> Iterator[Row]:
        after = 0
        while True:
            nxt = self._step()
            rows = self.history.rows_to_process(self.page, after)
            if rows:
                after = rows[-1].id
                yield from rows
                continue
            if nxt is None:
                return
            if nxt > 0.0:
                wait_until(nxt, "source window")


class _Pass(Protocol):
    client: Any
    cache: LookupCache
    viewer_id: str

    def run(self, phase: str, feed: Iterator[Row], total: int) -> Any: ...
    def wait_until(self, when: float, reason: str) -> None: ...


def source_pass(p: _Pass, o: RunOptions, history: History, data_dir: Path) -> None:
    """The run's --source pass: one pipelined feed of every source (see the module doc)."""
    sources = [s for s in map(parse_source, o.sources) if s is not None]
    feed = SourceFeed(
        p.client, history, p.cache, p.viewer_id, sources, data_dir,
        include_source=o.include_source, skip_verified=o.skip_verified,
    )  # fmt: skip
    try:
        feed.catch_up()
        p.run(o.mode, feed.rows(p.wait_until), 0)
    except SourceProblem as exc:
        raise InputError(msg(exc.key, **exc.values)) from exc
    except CollectStopped as exc:
        why = "max_wait" if exc.reason == "rate" else "outage"
        raise Stop(why, detail=f"--source: {exc.reason}") from exc
    finally:
        feed.close()
