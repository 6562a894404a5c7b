"""Graceful stop through the run lock (runbook "緊急停止"), instead of ``pkill -f``.

The runbook kills every process whose command line matches a pattern, which can
hit other data directories, other users' runs, or an editor. ``stop_run`` acts
on exactly one process: the pid recorded in this database's lock file, and only
after checking that the pid is alive and really holds that lock (``/proc/locks``
where available). It sends SIGTERM (the run finishes or abandons its in-flight
request, commits, ends its process_log row and exits 75), waits for the lock to
be released, and sends SIGKILL only after ``timeout`` (a kill is still safe:
every decision is committed and block calls are write-ahead logged).
"""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from ...proc.pids import pid_alive, proc_locks_holders
from ...proc.runlock import Holder, read_holder
from ...store import readmodel as dbfacts


class StopOutcome(StrEnum):
    NOT_RUNNING = "not_running"  # no lock file, or nobody holds the lock
    STOPPED = "stopped"  # SIGTERM was enough
    KILLED = "killed"  # SIGKILL after the timeout
    REFUSED = "refused"  # the recorded pid does not hold the lock: nothing was signalled
    STILL_RUNNING = "still_running"  # even SIGKILL did not free the lock in time


@dataclass(frozen=True, slots=True)
class StopResult:
    outcome: StopOutcome
    pid: int | None
    signals: list[str]
    waited_seconds: float
    detail: str
    last_run: dbfacts.RunInfo | None = None  # the run's process_log row after the stop

    @property
    def ok(self) -> bool:
        return self.outcome in (StopOutcome.NOT_RUNNING, StopOutcome.STOPPED, StopOutcome.KILLED)


def verify_holder(lock_file: Path, holder: Holder) -> str | None:
    """None when ``holder.pid`` may be signalled; otherwise the reason not to."""
    if holder.pid is None:
        return "the lock file names no pid"
    if holder.pid == os.getpid():
        return "the lock is held by this very process"
    if not pid_alive(holder.pid):
        return f"pid {holder.pid} is not alive"
    holders = proc_locks_holders(lock_file)
    if holders is not None and holder.pid not in holders:
        found = ", ".join(str(pid) for pid in sorted(holders)) or "none"
        return f"pid {holder.pid} does not hold {lock_file.name} (holders per /proc/locks: {found})"
    return None


def _released(lock_file: Path, pid: int) -> bool:
    current = read_holder(lock_file)
    return current is None or not current.held or current.pid != pid


def _wait_release(
    lock_file: Path,
    pid: int,
    deadline: float,
    *,
    poll: float,
    clock: Callable[[], float],
    sleep: Callable[[float], None],
) -> bool:
    while True:
        if _released(lock_file, pid):
            return True
        if clock() >= deadline:
            return False
        sleep(poll)


def _last_run(db: Path) -> dbfacts.RunInfo | None:
    with dbfacts.open_readonly(db) as conn:
        runs = dbfacts.last_runs(conn, 1) if conn is not None else []
    return runs[0] if runs else None


def stop_run(
    lock_file: Path,
    db: Path,
    *,
    timeout: float = 30.0,
    kill_wait: float = 10.0,
    poll: float = 0.1,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
    send: Callable[[int, int], None] = os.kill,
) -> StopResult:
    """Stop the run holding ``lock_file``: SIGTERM, wait up to ``timeout``, then SIGKILL."""
    started = clock()
    holder = read_holder(lock_file)
    if holder is None or not holder.held:
        detail = "no run holds the lock" if holder is None else "the lock file is stale (no holder)"
        return StopResult(StopOutcome.NOT_RUNNING, None, [], 0.0, detail, _last_run(db))
    reason = verify_holder(lock_file, holder)
    if reason is not None or holder.pid is None:
        return StopResult(
            StopOutcome.REFUSED, holder.pid, [], 0.0, reason or "no pid", _last_run(db)
        )
    pid = holder.pid
    signals: list[str] = []
    try:
        send(pid, signal.SIGTERM)
        signals.append("SIGTERM")
    except ProcessLookupError:
        pass
    if _wait_release(lock_file, pid, started + timeout, poll=poll, clock=clock, sleep=sleep):
        waited = clock() - started
        return StopResult(
            StopOutcome.STOPPED,
            pid,
            signals,
            waited,
            f"pid {pid} released the lock after SIGTERM",
            _last_run(db),
        )
    # Still holding after the timeout: check it is still the same holder, then kill it.
    current = read_holder(lock_file)
    if current is not None and current.held and current.pid == pid and pid_alive(pid):
        try:
            send(pid, signal.SIGKILL)
            signals.append("SIGKILL")
        except ProcessLookupError:
            pass
    released = _wait_release(
        lock_file, pid, clock() + kill_wait, poll=poll, clock=clock, sleep=sleep
    )
    outcome = StopOutcome.KILLED if released else StopOutcome.STILL_RUNNING
    detail = (
        f"pid {pid} ignored SIGTERM for {timeout:.0f}s and was killed"
        if released
        else f"pid {pid} still holds the lock after SIGKILL"
    )
    return StopResult(outcome, pid, signals, clock() - started, detail, _last_run(db))
