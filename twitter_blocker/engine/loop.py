"""One pass over the ledger: claim -> look up -> decide -> block -> record.

Single-threaded and cooperative: each turn does whichever request may go out
now (a block if the block budget, ``--delay`` and the caps allow; else a lookup
batch if the lookahead queue has room and the lookup budget allows) or waits
until the earliest of them may. So while blocks wait for their window, lookups
for the next targets keep filling the queue, and a run takes about
max(lookup time, block time); a wait also reads a full batch of earlier blocks
back (``readback.py``), so the read-back adds no window after the last block. One
request is in flight at a time, so no budget is ever overshot between a response
and the next send.

Safety: a block decision needs fresh relationship data (this run's lookup, or
a relationship cache entry younger than its lifetime), checked again when the block is sent
(``blocks.py``); failures follow ``failures.py``. A row whose block call
may have landed before a crash (``block_sent_at``) gets an uncached lookup first;
if X says we block it, it is recorded as blocked without another call.
"""

from __future__ import annotations

import logging
import random
import threading
from collections import Counter, deque
from collections.abc import Callable, Iterator

from ..logs import ErrorLog
from ..messages import msg
from ..store.db import joined
from ..store.history import History
from ..store.models import Row
from ..x.client import XClient
from ..x.contract import ContractStale
from ..x.errors import (
    XAccountError,
    XAuthError,
    XError,
)
from ..x.models import ANSWERED, CallRecord, LookupResult
from .blocks import BlockPath, Queues
from .clock import Clock, iso
from .failures import Failures, Stop
from .ledger import Ledger
from .lookups import OP_HANDLES, OP_IDS, LookupPath
from .readback import ReadBack
from .retry import Backoff
from .runtypes import PlannedAction, ProgressSink, RunOptions
from .scheduler import DEFAULT_BLOCK_LIMIT, Scheduler
from .work import LookupCache, Work, cached_answer

log = logging.getLogger("twitter_blocker.engine")

# The client resolves batch elements it cannot attribute (suspended users have no rest_id
# in a batch answer) with single lookups: keep that much of their budget before a batch.
SINGLE_OP = {OP_IDS: "UserByRestId", OP_HANDLES: "UserByScreenName"}
SINGLE_RESERVE = 0.5  # of a batch
PAGE = 500
LOOKAHEAD_WINDOWS = 2
NOT_FAILURES = ANSWERED  # X answered: the session works (x.models)
LOG_WAITS_FROM = 5.0  # seconds: shorter waits (--delay pacing) are logged at DEBUG only
READBACK_GAP = 0.5  # seconds: a wait at least this long reads a batch of blocks back first

__all__ = ["PAGE", "Pass", "Stop"]
ATTEMPT_BATCH = 100  # attempt-log rows buffered between block commits (see Pass.flush)


class Pass:
    """Runs passes for one run of one account. The run (``runner.execute``) owns the parts."""

    def __init__(
        self,
        *,
        options: RunOptions,
        client: XClient,
        history: History,
        cache: LookupCache,
        scheduler: Scheduler,
        clock: Clock,
        progress: ProgressSink,
        stop: threading.Event,
        viewer_id: str,
        run_id: int,
        error_log: ErrorLog | None,
        rng: random.Random,
    ) -> None:
        self.o = options
        self.client = client
        self.history = history
        self.cache = cache
        self.sched = scheduler
        self.clock = clock
        self.progress = progress
        self.stop = stop
        self.viewer_id = viewer_id
        self.run_id = run_id
        self.error_log = error_log
        self.rng = rng
        self.dry = options.mode == "dry_run"
        backoff = Backoff(options.retry_base, options.retry_cap)
        self.ledger = Ledger(history, progress, clock, dry=self.dry, backoff=backoff, rng=rng)
        self.failures = Failures(options, client, scheduler, clock, progress, rng)
        # Records that wait for the next commit (a block's answer: see BlockPath.send).
        self._deferred: list[Callable[[], None]] = []
        self.readback = ReadBack(client, clock, options.batch_size)  # blocks to read back
        self.blocks = BlockPath(
            options=options,
            client=client,
            history=history,
            scheduler=scheduler,
            ledger=self.ledger,
            failures=self.failures,
            clock=clock,
            flush=self._flush_before_block,
            defer=self._defer,
            readback=self.readback,
        )
        self.lookups = LookupPath(
            options=options,
            client=client,
            history=history,
            cache=cache,
            clock=clock,
            ledger=self.ledger,
            failures=self.failures,
            viewer_id=viewer_id,
        )
        self._batch_size = self.lookups.batch_size
        self._lookup = self.lookups.run
        self._calls: list[CallRecord] = []

    @property
    def counts(self) -> Counter[str]:
        return self.ledger.counts

    @property
    def plan(self) -> list[PlannedAction]:
        return self.ledger.plan

    # --- calls: every HTTP call lands here (the client's observer) ------------------------
    def observe(self, record: CallRecord) -> None:
        self._calls.append(record)
        self.sched.observe(record)
        if record.outcome in NOT_FAILURES:
            self.failures.answered()

    def flush(self, *, attempts: bool = True) -> None:
        """Persist deferred records, buffered attempts and budgets (inside the caller's
        transaction if any). ``attempts=False``: keep the attempt log buffered (a kill -9
        loses at most ATTEMPT_BATCH log rows, never a decision, mark or budget)."""
        deferred, self._deferred = self._deferred, []
        if deferred:
            # Inside a block's write-ahead commit (``BlockPath.send``, which catches nothing
            # around it) no savepoint: a failure rolls the whole commit back.
            with joined(self.history.conn):
                for record in deferred:
                    record()
        if attempts:
            calls, self._calls = self._calls, []
            if calls:
                self.history.add_attempts(self.run_id, calls)
                failed = [c for c in calls if c.outcome not in NOT_FAILURES]
                if failed and self.error_log is not None:
                    self.error_log.write_many([_error_entry(c, self.run_id) for c in failed])
        self.sched.flush()

    def _defer(self, record: Callable[[], None]) -> None:
        """Run ``record`` inside the next commit (``flush``)."""
        self._deferred.append(record)

    def _flush_before_block(self) -> None:
        """Inside a block's write-ahead commit: deferred records and budgets always; the
        attempt log only every ATTEMPT_BATCH calls (write amplification)."""
        self.flush(attempts=len(self._calls) >= ATTEMPT_BATCH)

    # --- the pass ------------------------------------------------------------------------
    def run(self, phase: str, feed: Iterator[Row], total: int) -> None:
        """Process every row ``feed`` yields. Raises ``Stop`` to end early."""
        self.progress.start(phase, total)
        self.lookups.seen_users.clear()
        q = Queues(deque(), deque(), deque())
        exhausted = False
        try:
            while True:
                if self.stop.is_set():
                    raise Stop("interrupted")
                while not exhausted and self._wants_more(q):
                    exhausted = not self._claim(feed, q)
                block_at = self._block_at() if q.blocks else None
                if block_at is not None and block_at <= self.clock.now():
                    self.blocks.send(q)
                    continue
                lookup_at = self._lookup_at(q, exhausted)
                if lookup_at is not None and lookup_at[0] <= self.clock.now():
                    self._lookup(q, lookup_at[1])
                    continue
                if exhausted and q.empty():
                    self._read_back()
                    return
                times = [t for t in (block_at, lookup_at[0] if lookup_at else None) if t]
                if not times:  # pragma: no cover - defensive: nothing can move
                    raise Stop("stalled")
                if self._read_back_while_waiting(min(times)):
                    continue
                self.wait_until(min(times), self._why(block_at, lookup_at))
        finally:
            self.flush()

    def _lookahead(self) -> int:
        limit = self.sched.limit("blocks/create", DEFAULT_BLOCK_LIMIT)
        return max(self.o.batch_size, LOOKAHEAD_WINDOWS * limit)

    def _wants_more(self, q: Queues) -> bool:
        if len(q.blocks) >= self._lookahead():
            return False
        return len(q.ids) < self.o.batch_size and len(q.handles) < self.o.batch_size

    def _claim(self, feed: Iterator[Row], q: Queues) -> bool:
        """Take up to a page of rows; answer what the cache can. False when the feed is dry."""
        rows: list[Row] = []
        for row in feed:
            rows.append(row)
            if len(rows) >= PAGE:
                break
        if not rows:
            return False
        works = [Work.from_row(r) for r in rows]
        need_ids = [w for w in works if w.user_id is None and w.screen_name and not w.fresh]
        if need_ids:
            known = self.cache.get_ids([w.handle_key for w in need_ids])
            for w in need_ids:
                w.user_id = known.get(w.handle_key)
        with_id = [w.user_id for w in works if w.user_id is not None and not w.fresh]
        profiles = self.cache.get_profiles(with_id) if with_id else {}
        rels = self.cache.get_relationships(self.viewer_id, with_id) if profiles else {}
        times = self.cache.get_relationship_times(self.viewer_id, list(rels)) if rels else {}
        answered: list[tuple[Work, LookupResult]] = []
        for w in works:
            hit = cached_answer(w, profiles, rels)
            if hit is not None:
                w.checked_at = times.get(w.user_id or "")
                answered.append((w, hit))
            elif w.user_id is not None:
                q.ids.append(w)
            elif w.screen_name:
                q.handles.append(w)
            else:  # pragma: no cover - a row always has an id or a handle
                log.warning("row %s has neither id nor handle", w.row_id)
        if answered:
            self.lookups.settle(answered, q)
        return True

    # --- timing ----------------------------------------------------------------------------
    def _block_at(self) -> float:
        at = self.sched.block_ready_at()
        if self.o.max_blocks_per_hour or self.o.max_blocks_per_day:
            free = self.sched.cap_free_at()
            if free is not None:
                if self.o.max_wait is not None and free - self.clock.now() > self.o.max_wait:
                    raise Stop("cap", detail=msg("run.cap", at=iso(free)))
                at = max(at, free)
        return at

    def _lookup_at(self, q: Queues, exhausted: bool) -> tuple[float, str] | None:
        if len(q.blocks) >= self._lookahead():
            return None
        best: tuple[float, str] | None = None
        for op, queue in ((OP_IDS, q.ids), (OP_HANDLES, q.handles)):
            if not queue or (len(queue) < self._batch_size(op) and not exhausted):
                continue
            reserve = max(1, int(min(len(queue), self.o.batch_size) * SINGLE_RESERVE))
            at = self.sched.lookup_ready_at(op, SINGLE_OP[op], reserve)
            if best is None or at < best[0]:
                best = (at, op)
        return best

    def _why(self, block_at: float | None, lookup_at: tuple[float, str] | None) -> str:
        """What the coming wait is for, in the words the progress display shows."""
        if lookup_at is None or (block_at is not None and block_at <= lookup_at[0]):
            window = self.sched.ready_at("blocks/create")
            if block_at is not None and block_at > window + 0.001:
                capped = self.o.max_blocks_per_hour or self.o.max_blocks_per_day
                return "block cap" if capped and self.sched.cap_free_at() else "--delay pacing"
            held = self.failures.wait_label("blocks/create", window)
            return held or "blocks/create window resets"
        held = self.failures.wait_label(lookup_at[1], lookup_at[0])
        return held or f"{lookup_at[1]} window resets"

    def wait_until(self, when: float, reason: str) -> None:
        seconds = when - self.clock.now()
        if seconds <= 0:
            return
        if self.o.max_wait is not None and seconds > self.o.max_wait:
            raise Stop("max_wait", detail=f"{reason}: would wait {seconds:.0f} s")
        self.flush()
        if seconds > 1.0:
            self.progress.waiting(when, reason)
            level = logging.INFO if seconds > LOG_WAITS_FROM else logging.DEBUG
            log.log(level, "waiting %.1f s: %s", seconds, reason)
        if self.clock.wait(seconds, self.stop):
            raise Stop("interrupted")

    def _read_back_while_waiting(self, until: float) -> bool:
        """A full batch of blocks read back while the pass would wait at least READBACK_GAP
        anyway (so the read-back adds no window after the last block); True if it read."""
        if self.dry or not self.readback.has_full_batch():
            return False
        if until - self.clock.now() < READBACK_GAP:
            return False
        return self._read_back(full_only=True) > 0

    def _read_back(self, *, full_only: bool = False) -> int:
        """Read this pass's blocks back (``readback.py``); blocks X did not keep are requeued.
        The deferred block answers are committed first: only recorded blocks are marked."""
        try:
            if self.dry:
                return 0
            self.flush()
            return self.readback.run(
                self.history.conn, self.sched, self.ledger.counts, full_only=full_only
            )
        except (XAuthError, XAccountError, ContractStale) as exc:
            raise Stop(_stop_reason(exc), exc, detail=str(exc)) from exc


def _stop_reason(exc: XError) -> str:
    if isinstance(exc, ContractStale):
        return "stale_contract"
    return "auth" if isinstance(exc, XAuthError) else "account"


def _error_entry(call: CallRecord, run_id: int) -> dict[str, object]:
    return {
        "at": call.started_at,
        "run_id": run_id,
        "operation": call.operation,
        "http_status": call.http_status,
        "code": call.code,
        "message": call.message,
        "outcome": call.outcome,
        "elapsed_ms": round(call.elapsed * 1000.0, 1),
    }


FeedFactory = Callable[[], Iterator[Row]]
