"""Several accounts in one process (``--data-dir`` given several times).

Each data directory is its own account: its own cookies, ledger, logs, run lock, budgets and
pacing, exactly as a run of that directory alone (``runner.execute``). Each account is a task
of one ``coop.Hub``: it runs until it waits and the others run meanwhile, so no account ever
waits on another's rate window (nor, as threads did, hands the interpreter lock around at
every socket call and SQL statement); what one account proves
about a target (a handle's id, suspended, not found) is shared through ``facts.SharedFacts``.

A failure stays with its account: an auth failure, a lock or a session kill ends that
account's run (its reason in its own ledger, as always) while the others go on. The process
exit code is the most severe of the accounts' codes (``most_severe``).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import partial

from .. import coop, logs
from ..config import Paths
from ..errors import (
    EXIT_ACCOUNT,
    EXIT_AUTH,
    EXIT_DB_BUSY,
    EXIT_OK,
    EXIT_RESUMABLE,
    EXIT_UNEXPECTED,
    EXIT_USAGE,
    BlockerError,
)
from ..inputs.cookies import Cookies
from ..inputs.targets import TargetList
from .clock import Clock
from .facts import FactsCounts, SharedFacts
from .runner import execute
from .runtypes import AccountStopped, AuthStopped, ProgressSink, RunOptions, RunReport

log = logging.getLogger("twitter_blocker.engine")

# From least to most severe: done, resumable, another run holds a database, cookies to
# renew, an account locked or suspended, bad input, an unexpected error.
SEVERITY = (EXIT_OK, EXIT_RESUMABLE, EXIT_DB_BUSY, EXIT_AUTH, EXIT_ACCOUNT, EXIT_USAGE)
JOIN_SLICE = 0.5  # seconds: the main thread wakes this often so Ctrl-C reaches it


def most_severe(codes: Sequence[int]) -> int:
    """The process exit code of several accounts: the most severe of theirs."""

    def rank(code: int) -> int:
        return SEVERITY.index(code) if code in SEVERITY else len(SEVERITY)

    return max(codes, key=rank, default=EXIT_OK)


@dataclass(frozen=True, slots=True)
class AccountJob:
    """One account of a run: its data directory's paths and its inputs, already checked."""

    label: str  # how the report and the logs name it (the data directory)
    paths: Paths
    cookies: Cookies
    targets: TargetList | None


@dataclass(slots=True)
class AccountOutcome:
    label: str
    paths: Paths
    report: RunReport = field(default_factory=RunReport)
    exit_code: int = EXIT_OK
    reason: str = "done"
    message: str | None = None  # one line when it ended early


@dataclass(slots=True)
class MultiReport:
    outcomes: list[AccountOutcome]
    facts: FactsCounts

    @property
    def exit_code(self) -> int:
        return most_severe([o.exit_code for o in self.outcomes])


def execute_many(
    jobs: Sequence[AccountJob],
    api_base: str,
    options: RunOptions,
    *,
    stop: threading.Event,
    progress: Callable[[AccountJob], ProgressSink],
    clock: Clock | None = None,
) -> MultiReport:
    """Run every account at once and wait for all of them.

    The accounts are tasks of one ``coop.Hub`` on one worker thread: each runs until it
    waits (for X, a window, another account's lookup) and the others run meanwhile. The
    calling thread only joins, in slices, so Ctrl-C reaches it."""
    facts = SharedFacts()
    outcomes = [AccountOutcome(job.label, job.paths) for job in jobs]
    tasks = [
        partial(_one, job, outcome, api_base, options, stop, progress(job), clock, facts)
        for job, outcome in zip(jobs, outcomes, strict=True)
    ]
    failed: list[BaseException] = []

    def hub() -> None:
        try:
            coop.Hub().run(tasks)
        except BaseException as exc:  # a task's bug that escaped _one: every account ends
            failed.append(exc)

    # daemon: a second Ctrl-C ends the process at once
    thread = threading.Thread(target=hub, name="accounts", daemon=True)
    thread.start()
    while thread.is_alive():
        thread.join(JOIN_SLICE)
    for outcome in outcomes:
        if failed and outcome.reason == "done" and outcome.exit_code == EXIT_OK:
            outcome.exit_code, outcome.reason = EXIT_UNEXPECTED, "error"
            outcome.message = repr(failed[0])
    return MultiReport(outcomes, facts.counts)


def log_name(label: str) -> str:
    """The name an account's log records carry (``logs.ACCOUNT``): they go to its own log
    file."""
    return f"account:{label}"


def _one(
    job: AccountJob,
    out: AccountOutcome,
    api_base: str,
    options: RunOptions,
    stop: threading.Event,
    progress: ProgressSink,
    clock: Clock | None,
    facts: SharedFacts,
) -> None:
    logs.ACCOUNT.set(log_name(job.label))
    try:
        out.report = execute(
            job.paths,
            api_base,
            options,
            progress=progress,
            stop=stop,
            clock=clock,
            inputs=(job.cookies, job.targets),
            facts=facts,
        )
        out.exit_code, out.reason = int(out.report.exit_code), out.report.end_reason
        out.message = out.report.message
    except (AuthStopped, AccountStopped) as exc:
        out.report = exc.report
        out.exit_code, out.reason, out.message = exc.exit_code, exc.report.end_reason, str(exc)
    except BlockerError as exc:  # another account's cookies, a busy database, ...
        out.exit_code, out.message = exc.exit_code, str(exc)
        out.reason = out.report.end_reason = "error"
        log.error("%s: %s", job.label, exc)
    except Exception as exc:  # one account's bug must not take the others down
        out.exit_code, out.reason, out.message = EXIT_UNEXPECTED, "error", repr(exc)
        log.exception("%s: unexpected error", job.label)
    out.report.exit_code = out.exit_code
