"""When may the next request of each operation go out?

One budget per (account, operation), fed by the ``x-rate-limit-*`` headers of
every response and persisted through ``store.budgets`` so a restart knows what
is left and when the window resets. Rules:

- ``remaining == 0`` before ``reset``: the operation waits until the reset
  (plus a small margin for clock rounding). No request goes into a spent window.
- Unknown state (never seen, or the window has reset): one request may go out;
  its headers tell the rest. The run loop is single-threaded, so there is never
  more than one request in flight to overshoot with.
- A 429 anyway: the budget is spent until the reset the error carries.

This is the one authority for "may this operation send now?": the X client only
reports what it saw (``CallRecord.rate``) and asks ``check`` before each request;
the store (``store/budgets.py``) only persists; ``ops/ratelimit.py`` only reads what
was persisted. One ``Scheduler`` per account; no module-level state.

Block pacing for X's hidden limits (sessions killed after bursts of about 500
blocks, 326 locks): ``--delay`` is the floor between block calls, plus a small
jitter (up to 20 % of the delay, at most 0.5 s); optional hourly and daily caps
count the persisted ``block`` pacing events, so they hold across restarts.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Protocol

from ..inputs.cookies import Cookies
from ..x.client import XClient
from ..x.errors import RateLimited
from ..x.models import CallRecord, RateInfo
from ..x.resolver import Endpoints
from .clock import Clock

BLOCK_OPERATION = "blocks/create"
RESET_MARGIN = 0.05  # seconds after the advertised reset before we trust the new window
DEFAULT_RESET = 60.0  # a 429 without a reset header: try again after this long, doubling
MAX_GUESSED_RESET = 900.0  # up to X's window length
HOUR = 3600.0
DAY = 86400.0
JITTER_SHARE = 0.2
JITTER_MAX = 0.5
DEFAULT_BLOCK_LIMIT = 187  # X-FACTS.md 5.2, until the headers say otherwise


class BudgetStore(Protocol):
    """The part of ``store.budgets.Budgets`` the scheduler uses."""

    def update_many(
        self, account: str, items: Iterable[tuple[str, RateInfo]], *, at_epoch: float
    ) -> None: ...
    def all(self, account: str) -> Mapping[str, RateInfo]: ...
    def record_event(self, account: str, kind: str, detail: str, *, at_epoch: float) -> None: ...
    def count_events(self, account: str, kind: str, since_epoch: float) -> int: ...


class MemoryBudgets:
    """A ``BudgetStore`` that persists nothing: for a client used outside a run (one-shot
    checks, tests), so it still never sends into a window it saw spent."""

    def __init__(self) -> None:
        self._windows: dict[tuple[str, str], RateInfo] = {}
        self._events: list[tuple[str, str, float]] = []

    def update_many(
        self, account: str, items: Iterable[tuple[str, RateInfo]], *, at_epoch: float
    ) -> None:
        for op, info in items:
            self._windows[(account, op)] = info

    def all(self, account: str) -> Mapping[str, RateInfo]:
        return {op: info for (acc, op), info in self._windows.items() if acc == account}

    def record_event(self, account: str, kind: str, detail: str, *, at_epoch: float) -> None:
        self._events.append((account, kind, at_epoch))

    def count_events(self, account: str, kind: str, since_epoch: float) -> int:
        return sum(1 for a, k, t in self._events if a == account and k == kind and t >= since_epoch)


@dataclass(frozen=True, slots=True)
class Caps:
    per_hour: int | None = None
    per_day: int | None = None


class Scheduler:
    def __init__(
        self,
        store: BudgetStore,
        account: str,
        clock: Clock,
        *,
        delay: float = 1.0,
        caps: Caps = Caps(),
        rng: random.Random | None = None,
        on_budget: Callable[[str, RateInfo], None] | None = None,
    ) -> None:
        self.store = store
        self.account = account
        self.clock = clock
        self.delay = max(0.0, delay)
        self.caps = caps
        self.rng = rng or random.Random()
        self.on_budget = on_budget
        self._state: dict[str, RateInfo] = dict(store.all(account))
        self._dirty: set[str] = set()
        self._answered_spent: dict[str, float] = {}  # operation -> reset its last answer named
        self._guessed: dict[str, float] = {}  # operation -> a guessed wait after a bare 429
        self._holds: dict[str, float] = {}  # backoff after failed requests, not persisted
        self._last_block: float | None = None
        self._gap = self._next_gap()
        self.blocks_this_run = 0
        self.rate_limited_hits = 0

    @classmethod
    def standalone(cls, clock: Clock, account: str = "") -> Scheduler:
        """A scheduler for one client outside a run: in memory, nothing persisted."""
        return cls(MemoryBudgets(), account, clock, delay=0.0)

    def watching(self, then: Callable[[CallRecord], None]) -> Callable[[CallRecord], None]:
        """A client observer that feeds this scheduler, then ``then``."""

        def observe(record: CallRecord) -> None:
            self.observe(record)
            then(record)

        return observe

    # --- budgets ---------------------------------------------------------------------------
    def get(self, operation: str) -> RateInfo | None:
        return self._state.get(operation)

    def observe(self, record: CallRecord) -> None:
        """Feed one call's headers into its budget (called for every HTTP call)."""
        if record.http_status is not None:  # an answer: it says whether the window is spent
            if record.rate is not None and record.rate.remaining <= 0:
                self._answered_spent[record.operation] = record.rate.reset
            else:
                self._answered_spent.pop(record.operation, None)
        if record.rate is None:
            return
        self._set(record.operation, record.rate)

    def check(self, operation: str) -> None:
        """The X client's gate, asked before each request: raises ``RateLimited`` (nothing
        is sent) while the last *answer* of ``operation`` said its window is spent (its own
        reservations do not count here) and the reset is ahead. A request into a spent
        window only earns a 429 (and reads as a ban signal)."""
        reset = self._answered_spent.get(operation)
        if reset is None:
            return
        if self.clock.now() < reset:
            raise RateLimited(
                f"{operation}: window spent until its reset (not sent)",
                reset=reset,
                operation=operation,
            )
        del self._answered_spent[operation]

    def spent(self, operation: str, reset: float | None, guess: float = DEFAULT_RESET) -> None:
        """A 429/88 for ``operation``: nothing more until ``reset`` (or ``guess`` seconds from
        now when the answer carried no reset header)."""
        self.rate_limited_hits += 1
        now = self.clock.now()
        when = reset if reset is not None and reset > now else now + guess
        old = self._state.get(operation)
        limit = old.limit if old is not None else 0
        self._set(operation, RateInfo(limit=limit, remaining=0, reset=when))

    def refused(
        self,
        operation: str,
        reset: float | None,
        *,
        refusals: int,
        also: str = "",
        base_guess: float = DEFAULT_RESET,
    ) -> None:
        """The ``refusals``-th 429/88 in a row for ``operation`` (``also``: the operation X
        named, when another): both wait for ``reset``, or without one a guessed window
        (``base_guess`` doubling per refusal, up to ``MAX_GUESSED_RESET``)."""
        guess = min(MAX_GUESSED_RESET, base_guess * 2.0 ** min(refusals - 1, 10))
        self.spent(operation, reset, guess)
        if also and also != operation:
            self.spent(also, reset, guess)
        if reset is None:
            self._guessed[operation] = guess
        else:
            self._guessed.pop(operation, None)

    def guessed_wait(self, operation: str) -> float | None:
        """The guessed wait ``operation`` is in after a 429 without a reset (None: known)."""
        return self._guessed.get(operation)

    def forget_guess(self, operation: str) -> None:
        """``operation`` succeeded: its window is known again."""
        self._guessed.pop(operation, None)

    def _set(self, operation: str, info: RateInfo) -> None:
        self._state[operation] = info
        self._dirty.add(operation)
        if self.on_budget is not None:
            self.on_budget(operation, info)

    def ready_at(self, operation: str, need: int = 1) -> float:
        """Earliest epoch at which ``need`` more ``operation`` requests may go out."""
        now = self.clock.now()
        held = self._holds.get(operation, 0.0)
        info = self._state.get(operation)
        if info is None or info.remaining >= need:
            return max(now, held)
        opens = info.reset + RESET_MARGIN
        return max(now if now >= opens else opens, held)

    def lookup_ready_at(self, operation: str, single: str, reserve: int) -> float:
        """When a batch of ``operation`` may go out keeping ``reserve`` requests of its
        ``single`` fallback in hand (a batch answer that is unusable falls back to them)."""
        at = self.ready_at(operation)
        info = self._state.get(single)
        if info is not None and info.remaining < reserve:
            at = max(at, self.ready_at(single, reserve))
        return at

    def hold(self, operation: str, until: float) -> None:
        """No ``operation`` request before ``until`` (a backoff after a failed request)."""
        self._holds[operation] = max(until, self._holds.get(operation, 0.0))

    def held_until(self, operation: str) -> float:
        """The end of ``operation``'s backoff hold (0 when none was set)."""
        return self._holds.get(operation, 0.0)

    def reserve(self, operation: str) -> None:
        """A request of ``operation`` goes out now: count it before its answer, so a run
        killed in between leaves (at the next flush) a budget that is not too generous."""
        info = self._state.get(operation)
        if info is None or info.reset <= self.clock.now() or info.remaining <= 0:
            return
        self._set(operation, RateInfo(info.limit, info.remaining - 1, info.reset))

    def limit(self, operation: str, default: int) -> int:
        info = self._state.get(operation)
        return info.limit if info is not None and info.limit > 0 else default

    def flush(self) -> None:
        """Persist the budgets that changed since the last flush (call inside a transaction)."""
        if self._dirty:
            items = [(op, self._state[op]) for op in sorted(self._dirty)]
            self.store.update_many(self.account, items, at_epoch=self.clock.now())
        self._dirty.clear()

    # --- block pacing ----------------------------------------------------------------------
    def _next_gap(self) -> float:
        jitter = min(JITTER_MAX, self.delay * JITTER_SHARE)
        return self.delay + (self.rng.uniform(0.0, jitter) if jitter > 0 else 0.0)

    def block_ready_at(self) -> float:
        """When the next block call may go out: budget, ``--delay`` floor + jitter (caps apart)."""
        at = self.ready_at(BLOCK_OPERATION)
        if self._last_block is not None:
            at = max(at, self._last_block + self._gap)
        return at

    def note_block(self) -> None:
        """A block call went out (whatever its answer): pace the next one, count it."""
        now = self.clock.now()
        self._last_block = now
        self._gap = self._next_gap()
        self.blocks_this_run += 1
        self.store.record_event(self.account, "block", "", at_epoch=now)

    def cap_free_at(self) -> float | None:
        """None while under the caps; else the epoch when a block is allowed again."""
        now = self.clock.now()
        latest: float | None = None
        for cap, span in ((self.caps.per_hour, HOUR), (self.caps.per_day, DAY)):
            if cap is None:
                continue
            if self.store.count_events(self.account, "block", now - span) < cap:
                continue
            free = self._free_time(cap, span, now)
            latest = free if latest is None else max(latest, free)
        return latest

    def _free_time(self, cap: int, span: float, now: float) -> float:
        """Smallest t with fewer than ``cap`` blocks in (t - span, t]: a binary search on
        the persisted events (count_events is one indexed query)."""
        lo, hi = now - span, now
        for _ in range(40):
            if hi - lo < 0.01:
                break
            mid = (lo + hi) / 2
            if self.store.count_events(self.account, "block", mid) < cap:
                hi = mid
            else:
                lo = mid
        return hi + span

    def record_stop(self, kind: str, detail: str) -> None:
        """A session kill or lock: persist how many blocks this session made before it."""
        self.store.record_event(self.account, kind, detail, at_epoch=self.clock.now())


def gated_client(
    cookies: Cookies,
    *,
    api_base: str,
    clock: Clock,
    observer: Callable[[CallRecord], None] | None = None,
    endpoint_table: Endpoints | None = None,
) -> XClient:
    """An X client for a job outside a run (block-list reads, unblock and mute runs, collect) whose
    sends this module gates, as a run's are: nothing goes into a window the last answer
    said is spent (in memory: a restart learns the window from its first answer)."""
    scheduler = Scheduler.standalone(clock, cookies.user_id or "")
    watch = scheduler.watching(observer) if observer is not None else scheduler.observe
    client = XClient(cookies, api_base=api_base, observer=watch, endpoint_table=endpoint_table)
    client.gate = scheduler.check
    return client
