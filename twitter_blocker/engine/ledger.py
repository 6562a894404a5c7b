"""Recording what happened to each target: the ledger row, the counts, the progress line,
and in a dry run the plan.

A dry run records lookup facts only: ids (through ``resolve_identity``, done by the
loop), gone accounts as permanent failures, and ``user_status``/``protected`` of the
others; to-be-blocked and skipped rows stay pending, so the real run decides them.
"""

from __future__ import annotations

import logging
import random
from collections import Counter

from ..store.history import History
from ..store.models import Reason, Status, UserStatus
from ..x.errors import XError
from ..x.models import User, UserState
from .clock import Clock, to_datetime
from .outcomes import GONE, OUTCOME_OF, SKIPPED, TargetOutcome
from .retry import Backoff, failure_reason
from .runtypes import PlannedAction, ProgressSink
from .work import Work

log = logging.getLogger("twitter_blocker.engine")

# (outcome, target label, log line), announced (progress + one INFO line) after the commit
Done = list[tuple[TargetOutcome, str, str]]

_DRY_ACTION = {Status.BLOCKED: "already_blocked", Status.SKIPPED: "skip", Status.FAILED: "fail"}


_VERBS = {TargetOutcome.BLOCKED: "blocked", TargetOutcome.ALREADY_BLOCKED: "already blocked"}
_DRY_VERBS = {Status.BLOCKED: "already blocked", Status.SKIPPED: "would skip"}


def _decision(w: Work, verb: str, reason: str) -> str:
    """The log line of one decision: handle, id, decision, reason (never a secret)."""
    why = "" if reason.replace("_", " ") == verb else f" ({reason})"
    return f"decision {w.label} (id {w.user_id or 'unknown'}): {verb}{why}"


class Ledger:
    def __init__(
        self,
        history: History,
        progress: ProgressSink,
        clock: Clock,
        *,
        dry: bool,
        backoff: Backoff,
        rng: random.Random,
    ) -> None:
        self.history = history
        self.progress = progress
        self.clock = clock
        self.dry = dry
        self.backoff = backoff
        self.rng = rng
        self.counts: Counter[str] = Counter()  # every outcome, retries included
        self.last: dict[int, TargetOutcome] = {}  # row id -> its latest outcome: each target once
        self.plan: list[PlannedAction] = []

    def final(
        self,
        done: Done,
        w: Work,
        status: Status,
        user_status: UserStatus,
        reason: Reason,
        user: User | None = None,
    ) -> None:
        protected = user.protected if user is not None else False
        if self.dry:
            self._plan(w, _DRY_ACTION[status], str(reason), protected)
            if status is Status.FAILED:
                # A lookup fact, not a decision: the ledger learns the account is gone.
                self.history.record_final(w.row_id, status, user_status, reason)
            else:
                self.history.record_lookup(w.row_id, user_status, protected=protected)
        else:
            self.history.record_final(w.row_id, status, user_status, reason, protected=protected)
        outcome = OUTCOME_OF[reason]
        self.last[w.row_id] = outcome
        verb = _VERBS.get(outcome, status.value)
        if self.dry:
            verb = _DRY_VERBS.get(status, verb)
        done.append((outcome, w.label, _decision(w, verb, str(reason))))

    def gone(self, done: Done, w: Work, state: UserState) -> None:
        """Suspended or not found (deactivated reads the same; so does an answer without a
        user): a permanent failure."""
        user_status, reason = GONE.get(state, GONE[UserState.NOT_FOUND])
        self.final(done, w, Status.FAILED, user_status, reason)

    def would_block(self, done: Done, w: Work, user: User) -> None:
        """Dry run: the decision a real run would act on."""
        self._plan(w, "block", "", user.protected)
        self.history.record_lookup(w.row_id, UserStatus.ACTIVE, protected=user.protected)
        self.last[w.row_id] = TargetOutcome.WOULD_BLOCK
        done.append((TargetOutcome.WOULD_BLOCK, w.label, _decision(w, "would block", "dry run")))

    def failed(self, works: list[Work], exc: XError) -> None:
        """A temporary failure for each target: attempts + 1, retry after its own backoff."""
        now = self.clock.now()
        reason = failure_reason(exc)
        for w in works:
            when = now + self.backoff.delay(w.attempts + 1, self.rng)
            self.history.record_failure(
                w.row_id,
                user_status=None,
                reason=reason,
                http_status=exc.http_status,
                code=exc.code,
                message=str(exc),
                next_attempt_at=to_datetime(when),
            )
            if self.dry:
                self._plan(w, "unknown", reason, False)
            self.counts[TargetOutcome.FAILED_TEMPORARY.value] += 1
            self.last[w.row_id] = TargetOutcome.FAILED_TEMPORARY
            self.progress.advance(TargetOutcome.FAILED_TEMPORARY, w.label)
            retry = f"{reason}; retry after {to_datetime(when):%H:%M:%S} UTC"
            log.info("%s", _decision(w, "temporary failure", retry))
        log.warning("temporary failure (%s) for %d target(s): %s", reason, len(works), exc)

    def advance(self, done: Done) -> None:
        for outcome, label, line in done:
            self.counts[outcome.value] += 1  # RunReport.counts: plain keys (logs, --json)
            self.progress.advance(outcome, label)
            log.info("%s", line)

    def _plan(self, w: Work, action: str, reason: str, protected: bool) -> None:
        self.plan.append(
            PlannedAction(
                target=w.label,
                user_id=w.user_id,
                screen_name=w.screen_name,
                action=action,
                reason=reason,
                protected=protected,
            )
        )


def run_counts(last: dict[int, TargetOutcome], *, dry: bool) -> dict[str, int]:
    """``process_log`` counts: each target once, by its latest outcome in the run. A dry
    run's ``blocked`` is what it would block (already-blocked targets count as skipped)."""
    out = {"blocked": 0, "skipped": 0, "failed": 0}
    for outcome in last.values():
        if outcome in (TargetOutcome.WOULD_BLOCK, TargetOutcome.BLOCKED):
            out["blocked"] += 1
        elif outcome is TargetOutcome.ALREADY_BLOCKED:
            out["skipped" if dry else "blocked"] += 1
        elif outcome in SKIPPED:
            out["skipped"] += 1
        else:
            out["failed"] += 1
    return out
