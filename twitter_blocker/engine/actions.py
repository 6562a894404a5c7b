"""Unblock, mute and unmute runs: a planned list of accounts, one call each, every call
written ahead in ``actions`` and completed after X's answer (``store/actions.py``).

The guarantees are the block run's: ``dry_run`` makes no call and writes nothing; a run is a
``process_log`` row with its exit code; the pace is ``delay`` between calls and the
``x-rate-limit-*`` headers of the answers (a spent window waits for its reset, or stops with
exit 75 when that is longer than ``max_wait``); a run killed at any instant resumes with the
same command: confirmed calls are not repeated, a call in flight (``sent``) is sent again,
which is safe because X answers these calls 200 whatever the state (docs/EMULATOR.md).
An answer that proves nothing (a 5xx, a timeout) stops the run resumably (exit 75).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from ..errors import EXIT_OK, EXIT_RESUMABLE
from ..store import actions as store
from ..store.actions import Act, Planned
from ..store.history import History
from ..x import blocklist
from ..x.client import XClient
from ..x.errors import RateLimited, Transient, UnexpectedResponse
from ..x.models import BlockResult, BlockStatus, CallRecord
from .outcomes import TargetOutcome
from .runtypes import NullProgress, ProgressSink

log = logging.getLogger("twitter_blocker.engine")

OPERATIONS: dict[Act, str] = {
    Act.BLOCK: "blocks/create",
    Act.UNBLOCK: "blocks/destroy",
    Act.MUTE: "mutes/users/create",
    Act.UNMUTE: "mutes/users/destroy",
}
# the action that undoes another, and the pair that says where a user stands
OPPOSITE: dict[Act, Act] = {
    Act.BLOCK: Act.UNBLOCK,
    Act.UNBLOCK: Act.BLOCK,
    Act.MUTE: Act.UNMUTE,
    Act.UNMUTE: Act.MUTE,
}


# a per-target answer of the call -> the outcome it counts as (SELF stays itself)
_GONE = {
    BlockStatus.NOT_FOUND: TargetOutcome.NOT_FOUND,
    BlockStatus.SUSPENDED: TargetOutcome.SUSPENDED,
}


def call(client: XClient, act: Act, user_id: str) -> BlockResult:
    """The one X call of ``act`` (the block path dispatches here too)."""
    if act is Act.BLOCK:
        return client.block(user_id)
    if act is Act.UNBLOCK:
        return client.unblock(user_id)
    if act is Act.MUTE:
        return blocklist.mute(client, user_id)
    return blocklist.unmute(client, user_id)


@dataclass
class ActionPlan:
    act: Act
    targets: list[Planned]
    command: str
    undoes_run: int | None = None
    source: str | None = None


@dataclass
class ActionReport:
    act: Act
    planned: int = 0
    done: int = 0
    already: int = 0  # done by an earlier (killed) run of the same plan
    failed: int = 0
    api_calls: int = 0
    exit_code: int = EXIT_OK
    end_reason: str = "done"
    run_id: int | None = None
    done_ids: list[str] = field(default_factory=list)


@dataclass
class Pacing:
    delay: float = 1.0
    max_wait: float | None = None
    sleep: Callable[[float], None] = time.sleep
    now: Callable[[], float] = time.time


class _Stop(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def run_plan(
    history: History,
    client_factory: Callable[[Callable[[CallRecord], None]], XClient],
    plan: ActionPlan,
    *,
    dry_run: bool = False,
    pacing: Pacing | None = None,
    progress: ProgressSink | None = None,
    stop: threading.Event | None = None,
) -> ActionReport:
    pacing = pacing or Pacing()
    progress = progress or NullProgress()
    stop = stop or threading.Event()
    report = ActionReport(plan.act, planned=len(plan.targets))
    conn = history.conn
    todo: list[Planned] = []
    for p in plan.targets:
        if store.latest(conn, p.user_id, (plan.act, OPPOSITE[plan.act])) is plan.act:
            report.already += 1  # confirmed by an earlier run: never twice
        else:
            todo.append(p)
    progress.start(str(plan.act), len(todo))
    if dry_run:
        for p in todo:
            progress.advance("planned", p.screen_name or p.user_id)
        return report
    run_id = history.start_run(plan.command, len(todo))
    report.run_id = run_id
    records: list[CallRecord] = []
    status, code, reason = "failed", 1, "error"
    try:
        with client_factory(records.append) as client:
            _send_all(history, client, plan, todo, report, pacing, progress, stop, run_id)
        status, code, reason = "done", EXIT_OK, "done"
    except _Stop as exc:
        status, code, reason = "interrupted", EXIT_RESUMABLE, exc.reason
    finally:
        report.api_calls = len(records)
        history.add_attempts(run_id, records)
        report.exit_code, report.end_reason = code, reason
        history.end_run(
            run_id,
            status=status,
            exit_code=code,
            end_reason=reason,
            counts={
                "targets": len(todo),
                "skipped": report.already,
                "failed": report.failed,
                "api_calls": len(records),
            },
        )
    return report


def _send_all(
    history: History,
    client: XClient,
    plan: ActionPlan,
    todo: list[Planned],
    report: ActionReport,
    pacing: Pacing,
    progress: ProgressSink,
    stop: threading.Event,
    run_id: int,
) -> None:
    op = OPERATIONS[plan.act]
    for index, p in enumerate(todo):
        if stop.is_set():
            raise _Stop("interrupted")
        if index:
            pacing.sleep(pacing.delay)
        action_id = store.write_ahead(
            history.conn, p, plan.act, run_id=run_id, source=plan.source, undoes_run=plan.undoes_run
        )
        result = _call_paced(client, plan.act, p.user_id, pacing, progress, op)
        ok = result.status is BlockStatus.OK
        store.complete(history.conn, action_id, plan.act, ok)
        label = p.screen_name or p.user_id
        if ok:
            report.done += 1
            report.done_ids.append(p.user_id)
            progress.advance(str(plan.act), label)
        else:
            report.failed += 1
            progress.advance(_GONE.get(result.status, result.status), label)


def _call_paced(
    client: XClient, act: Act, user_id: str, pacing: Pacing, progress: ProgressSink, op: str
) -> BlockResult:
    while True:
        try:
            return call(client, act, user_id)
        except RateLimited as exc:
            reset = exc.reset if exc.reset is not None else pacing.now() + 60.0
            wait = max(0.0, reset - pacing.now())
            if exc.suspicious or (pacing.max_wait is not None and wait > pacing.max_wait):
                raise _Stop("rate_limited") from exc
            progress.waiting(reset, f"{op} rate limit")
            log.info("%s: window spent, waiting %.0f s for its reset", op, wait)
            pacing.sleep(wait)
        except (Transient, UnexpectedResponse) as exc:
            log.warning("%s: %s (resumable)", op, exc)
            raise _Stop("transient") from exc
