"""Read blocks back: X can answer ``blocks/create`` with a success and not keep the block.

The blocks a pass made are looked up again in batches (``UsersByRestIds``): a full batch while
the pass waits anyway (for a block window or the ``--delay`` pacing), keeping half of the
operation's window for the lookups; the rest when the pass has nothing else to do. Only while
that operation's window has budget now (never a wait for it), so reading back adds no window.
``blocking`` true: the row gets ``verified_at``. ``blocking`` false on an active account: X
did not keep it; the row goes back to the retry queue (``block_not_kept``) and is blocked
again by the retry pass after an uncached lookup. Anything else (gone, no relationship data, a
failed read) leaves the row blocked and unverified.
"""

from __future__ import annotations

import logging
import sqlite3
from collections import Counter

from ..store.verification import mark_verified, requeue_unkept
from ..x.client import XClient
from ..x.errors import RateLimited, XAccountError, XAuthError, XError
from ..x.models import UserState
from .clock import Clock, iso
from .outcomes import TargetOutcome
from .scheduler import Scheduler

log = logging.getLogger("twitter_blocker.engine")

OP = "UsersByRestIds"
DEFAULT_LIMIT = 150  # X-FACTS.md 5.2 (unknown; read from the headers once an answer says)
KEEP_FOR_LOOKUPS = 0.5  # of the window, left to lookups by a read-back while blocks wait


class ReadBack:
    """The blocks of this run not read back yet."""

    def __init__(self, client: XClient, clock: Clock, batch_size: int) -> None:
        self.client = client
        self.clock = clock
        self.batch_size = max(1, batch_size)
        self.pending: list[str] = []
        self.verified = 0
        self.not_kept = 0
        self.failed = False  # a read failed: no more reading back while waiting in this run

    def note(self, user_id: str) -> None:
        self.pending.append(user_id)

    def has_full_batch(self) -> bool:
        return not self.failed and len(self.pending) >= self.batch_size

    def run(
        self,
        conn: sqlite3.Connection,
        sched: Scheduler,
        counts: Counter[str],
        *,
        full_only: bool = False,
    ) -> int:
        """Read back what the budget allows now (``full_only``: full batches only, keeping
        half of the window for lookups); how many batches were read. Blocks X did not keep
        are requeued.

        Raises auth/account errors (the caller stops the run); other failures end the
        read-back for now and leave the rest unverified.
        """
        dropped_all: list[str] = []
        need = 1 + int(sched.limit(OP, DEFAULT_LIMIT) * KEEP_FOR_LOOKUPS) if full_only else 1
        read = 0
        while self.pending and (not full_only or len(self.pending) >= self.batch_size):
            if sched.ready_at(OP, need) > self.clock.now():
                break
            chunk = self.pending[: self.batch_size]
            try:
                results = self.client.lookup_ids(chunk)
            except (XAuthError, XAccountError):
                raise
            except (RateLimited, XError) as exc:
                log.info("block read-back paused (%s); %d unverified", exc, len(self.pending))
                self.failed = True
                break
            del self.pending[: len(chunk)]
            read += 1
            kept: list[str] = []
            dropped: list[str] = []
            for r in results:
                user = r.user
                if r.state is not UserState.ACTIVE or user is None or not user.relationship_known:
                    continue
                (kept if user.blocking else dropped).append(r.key)
            now = iso(self.clock.now())
            self.verified += mark_verified(conn, kept, now)
            n = requeue_unkept(conn, dropped, now)
            self.not_kept += n
            if dropped:
                log.warning("X did not keep %d block(s); they go back to the retry queue", n)
            dropped_all.extend(dropped)
        if dropped_all:
            # counted once more when blocked again
            counts[TargetOutcome.BLOCKED.value] -= len(dropped_all)
            counts[TargetOutcome.BLOCK_NOT_KEPT.value] += len(dropped_all)
        return read
