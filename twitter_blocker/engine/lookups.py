"""The lookup path of a pass: one batch of ids or handles -> decisions in the ledger.

A failed batch is retried here, in halves (``split``), so one bad element costs only its
own target an attempt; the client falls back to single lookups only where a batch answer
itself is unusable (``x/lookups.py``). Answered targets get their user id (merging
duplicate rows), a decision (``policy.decide``) and, for blocks, a place in the block
queue (``blocks.py``).
"""

from __future__ import annotations

import threading

from ..messages import msg
from ..store.db import transaction
from ..store.history import History
from ..store.models import Reason, Status, UserStatus
from ..x.client import XClient
from ..x.contract import ContractStale
from ..x.errors import Inconclusive, RateLimited, UnexpectedResponse, XError
from ..x.models import LookupResult, User, UserState
from .blocks import Queues
from .clock import Clock
from .facts import SharedFacts
from .failures import Failures, Stop
from .ledger import Done, Ledger
from .policy import Action, decide
from .relations import Relations
from .runtypes import RunOptions
from .work import LookupCache, Work

OP_IDS = "UsersByRestIds"
OP_HANDLES = "UsersByScreenNames"


class LookupPath:
    """Lookups for one pass. Owns the batch halving and the rows seen in this run."""

    def __init__(
        self,
        *,
        options: RunOptions,
        client: XClient,
        history: History,
        cache: LookupCache,
        clock: Clock,
        ledger: Ledger,
        failures: Failures,
        viewer_id: str,
    ) -> None:
        self.o = options
        self.client = client
        self.history = history
        self.cache = cache
        self.clock = clock
        self.ledger = ledger
        self.failures = failures
        self.viewer_id = viewer_id
        self.dry = options.mode == "dry_run"
        self.seen_users: dict[str, Work] = {}
        self.split: dict[str, int] = {}  # lookup batch size per operation while failures last
        self.relations = Relations(client)  # nodes without relationship data (relations.py)
        self.facts: SharedFacts | None = None  # several accounts in one process (facts.py)
        self.account = viewer_id
        self.stop = threading.Event()  # the run's stop flag (set with ``facts``)

    def batch_size(self, op: str) -> int:
        return self.split.get(op, self.o.batch_size)

    def run(self, q: Queues, op: str) -> None:
        """Look one batch of ``op`` up, decide its answered targets, record them."""
        queue = q.ids if op == OP_IDS else q.handles
        batch = [queue.popleft() for _ in range(min(self.batch_size(op), len(queue)))]
        if self.facts is None:
            self._run(q, op, batch)
            return
        keys = [(w.user_id or "") if op == OP_IDS else w.handle_key for w in batch]
        if not self.facts.claim(self.account, keys, self.stop):
            queue.extendleft(reversed(batch))
            return
        try:  # another account may have proved some of them while this one waited
            answered, moved, batch = self.facts.split(batch, op == OP_HANDLES)
            q.ids.extend(moved)
            if answered:
                self.settle(answered, q)
            if batch:
                self._run(q, op, batch)
        finally:
            self.facts.release(self.account, keys)

    def _run(self, q: Queues, op: str, batch: list[Work]) -> None:
        queue = q.ids if op == OP_IDS else q.handles
        try:
            if op == OP_IDS:
                results = self.client.lookup_ids([w.user_id or "" for w in batch])
            else:
                results = self.client.lookup_handles([w.screen_name or "" for w in batch])
            results = self.relations.complete(results)
        except RateLimited as exc:
            if self.failures.rate_limited(exc, op):
                self.ledger.failed(batch, exc)
            else:
                queue.extendleft(reversed(batch))
            return
        except ContractStale as exc:  # X moved and a refresh found nothing: stop, resumable
            raise Stop("stale_contract", exc, detail=str(exc)) from exc
        except XError as exc:
            if not self.failures.temporary(exc):
                raise
            self.failures.pause(op, exc)
            if len(batch) > 1:
                # Isolate the failure: retry in halves; only a single target's own failure
                # costs it an attempt, so one bad element cannot exhaust a whole batch.
                self.split[op] = max(1, len(batch) // 2)
                queue.extendleft(reversed(batch))
            else:
                self.ledger.failed(batch, exc)
            return
        self.failures.succeeded(op)
        self.split[op] = min(self.o.batch_size, self.batch_size(op) * 2)
        by_key = {r.key: r for r in results}
        pairs: list[tuple[Work, LookupResult]] = []
        for w in batch:
            key = w.user_id if op == OP_IDS else w.handle_key
            hit = by_key.get(key or "")
            if hit is None:
                # X's answer proved nothing for it (errors beside empty data): retry later
                text = f"{op}: the answer proved nothing for {w.label}"
                missing = Inconclusive(text, operation=op, http_status=200)
                self.ledger.failed([w], missing)
            else:
                pairs.append((w, hit))
        self.cache.put_lookups(self.viewer_id, results)
        now = self.clock.now()
        for w, _ in pairs:
            w.checked_at = now
        self.settle(pairs, q)
        if self.relations.exhausted is not None:
            error = self.relations.exhausted
            detail = msg("run.no_relationships", error=error)
            raise Stop("relationships_unavailable", error, detail=detail)

    def settle(self, pairs: list[tuple[Work, LookupResult]], q: Queues) -> None:
        """Decide every answered target; everything is recorded in one transaction."""
        done: Done = []
        with transaction(self.history.conn):
            for w, hit in pairs:
                uid = hit.user.user_id if hit.user is not None else hit.user_id
                if uid is not None and not self._identify(w, uid, hit):
                    continue
                if hit.state is not UserState.ACTIVE or hit.user is None:
                    self.ledger.gone(done, w, hit.state)
                else:
                    self._decide(w, hit.user, q, done)
        self.ledger.advance(done)

    def _identify(self, w: Work, uid: str, hit: LookupResult) -> bool:
        """Give the row its user id (merging duplicate rows). False: the account was already
        handled in this run under another row, which now carries this one's keys. Called
        inside ``settle``'s transaction, which any failure ends: no savepoint of its own."""
        name = hit.user.screen_name if hit.user is not None else None
        first = self.seen_users.get(uid)
        if first is not None and first is not w and first.row_id != w.row_id:
            first.row_id = self.history.resolve_identity(w.row_id, uid, name, join=True)
            return False
        if not w.known_id or w.user_id != uid:
            w.row_id = self.history.resolve_identity(w.row_id, uid, name, join=True)
            w.known_id = True
        w.user_id = uid
        self.seen_users[uid] = w
        return True

    def _decide(
        self,
        w: Work,
        user: User,
        q: Queues,
        done: Done,
    ) -> None:
        if w.screen_name is None:
            w.screen_name = user.screen_name
        if w.fresh and user.blocking:
            # Our block call from before the crash landed: record it, never send another.
            self.ledger.final(done, w, Status.BLOCKED, UserStatus.ACTIVE, Reason.BLOCKED, user)
            return
        d = decide(
            user,
            viewer_id=self.viewer_id,
            allowlist=self.o.allowlist,
            skip_following=self.o.skip_following,
            skip_followers=self.o.skip_followers,
        )
        if d.action is Action.BLOCK and not user.relationship_known:
            # X sent no relationship data (its fields moved again?): never block blind.
            refused = UnexpectedResponse(
                f"no relationship data for {w.label}: not blocking without it",
                operation="lookup",
            )
            self.ledger.failed([w], refused)
            return
        if d.action is Action.BLOCK:
            if self.dry:
                self.ledger.would_block(done, w, user)
            else:
                q.blocks.append((w, user))
        elif d.action is Action.ALREADY_BLOCKED:
            self.ledger.final(
                done, w, Status.BLOCKED, UserStatus.ACTIVE, Reason.ALREADY_BLOCKED, user
            )
        else:
            assert d.reason is not None
            self.ledger.final(done, w, Status.SKIPPED, UserStatus.ACTIVE, d.reason, user)
