"""The block path of a pass: the write-ahead commit, the ``blocks/create`` call, and what
its answer proves.

- The relationship data behind a block must be fresh when the block is *sent*, not when
  it was decided: older than ``RunOptions.relationship_lifetime`` and the target goes back
  to the lookup queue (its new answer decides again).
- The budget is counted before the call and committed with the write-ahead mark, so a
  run killed while the call is in flight leaves no budget the window no longer has.
- "Not found" or "suspended" from ``blocks/create`` for an account a lookup just found
  active is a contradiction (code 34 is also what a retired or refused path answers): one
  lookup re-verifies it; only when the lookup agrees is the verdict recorded.
"""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

from ..store.db import transaction
from ..store.history import History
from ..store.models import Reason, Status, UserStatus
from ..x.client import XClient
from ..x.errors import RateLimited, UnexpectedResponse, XError
from ..x.models import BlockResult, BlockStatus, User, UserState
from .clock import Clock
from .failures import BLOCK_OP, Failures
from .ledger import Done, Ledger
from .readback import ReadBack
from .runtypes import RunOptions
from .scheduler import Scheduler
from .work import Work

log = logging.getLogger("twitter_blocker.engine")

VERIFY_OP = "UserByRestId"


@dataclass
class Queues:
    ids: deque[Work]
    handles: deque[Work]
    blocks: deque[tuple[Work, User]]

    def lookups(self) -> int:
        return len(self.ids) + len(self.handles)

    def empty(self) -> bool:
        return not (self.ids or self.handles or self.blocks)


class BlockPath:
    def __init__(
        self,
        *,
        options: RunOptions,
        client: XClient,
        history: History,
        scheduler: Scheduler,
        ledger: Ledger,
        failures: Failures,
        clock: Clock,
        flush: Callable[[], None],
        defer: Callable[[Callable[[], None]], None],
        readback: ReadBack,
    ) -> None:
        self.o = options
        self.client = client
        self.history = history
        self.sched = scheduler
        self.ledger = ledger
        self.failures = failures
        self.clock = clock
        self.flush = flush  # deferred records, budgets (and now and then attempts)
        self.defer = defer  # record with the next commit (one commit per block call)
        self.readback = readback  # blocks X answered OK, read back while waiting or at the end

    def stale(self, w: Work) -> bool:
        age = self.clock.now() - (w.checked_at if w.checked_at is not None else float("-inf"))
        return age > self.o.relationship_lifetime

    def send(self, q: Queues) -> None:
        w, user = q.blocks.popleft()
        if self.stale(w):
            log.info("relationship data of %s is too old to block on: looking it up again", w.label)
            q.ids.append(w)
            return
        with transaction(self.history.conn):  # one commit, before the call: write-ahead
            self.sched.reserve(BLOCK_OP)
            self.flush()
            self.history.mark_block_sent(w.row_id)
            self.sched.note_block()
        try:
            result = self.client.block(user.user_id)
        except RateLimited as exc:
            if self.failures.rate_limited(exc, BLOCK_OP):
                self.ledger.failed([w], exc)
            else:
                q.blocks.appendleft((w, user))
            return
        except XError as exc:
            if not self.failures.temporary(exc):
                raise
            w.fresh = True  # it may have landed: the retry re-verifies before blocking
            self.ledger.failed([w], exc)
            self.failures.forbidden_block(exc)
            self.failures.pause(BLOCK_OP, exc)
            return
        self.failures.succeeded(BLOCK_OP)
        self._answer(w, user, result)

    def _answer(self, w: Work, user: User, result: BlockResult) -> None:
        """A clear answer (OK, self) is recorded with the next commit (the next block's
        write-ahead, a wait, the pass's end): one commit per block call, not two. A kill -9
        before it leaves ``block_sent_at`` set and the resume looks the row up again first.
        A contradiction is re-verified and recorded now."""
        if result.status is BlockStatus.OK:
            self.failures.agreed()
            self.readback.note(user.user_id)
            self.defer(lambda: self._final(w, user, Status.BLOCKED, Reason.BLOCKED))
        elif result.status is BlockStatus.SELF:
            self.defer(lambda: self._final(w, user, Status.SKIPPED, Reason.SELF))
        else:
            done: Done = []
            self._verify(w, user, result, done)
            self.ledger.advance(done)

    def _final(self, w: Work, user: User, status: Status, reason: Reason) -> None:
        done: Done = []
        self.ledger.final(done, w, status, UserStatus.ACTIVE, reason, user)
        self.ledger.advance(done)

    def _verify(self, w: Work, user: User, result: BlockResult, done: Done) -> None:
        """blocks/create says the account is gone; a lookup just said it is active."""
        doubt = UnexpectedResponse(
            f"{BLOCK_OP}: HTTP {result.http_status}, code {result.code} ({result.status.value})"
            f" for {w.label}, whom a lookup finds active",
            operation=BLOCK_OP,
            http_status=result.http_status,
            code=result.code,
        )
        try:
            hit = self.client.lookup_id(user.user_id)
        except RateLimited as exc:
            self.failures.rate_limited(exc, VERIFY_OP)
            self.ledger.failed([w], doubt)
            return
        except XError as exc:
            if not self.failures.temporary(exc):
                raise
            self.ledger.failed([w], doubt)
            self.failures.pause(VERIFY_OP, exc)
            return
        if hit.state is not UserState.ACTIVE or hit.user is None:
            self.failures.agreed()
            self.ledger.gone(done, w, hit.state)
        elif hit.user.blocking:  # X does block it: the call landed after all
            self.failures.agreed()
            self.ledger.final(done, w, Status.BLOCKED, UserStatus.ACTIVE, Reason.BLOCKED, user)
        else:
            log.warning("contradiction: %s", doubt)
            self.ledger.failed([w], doubt)
            self.failures.contradiction(doubt)
