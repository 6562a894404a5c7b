"""Phased recovery (runbook "段階的復旧"), checked by exit code *and* by the database.

Each phase runs our own CLI as a real child process (``python -m
twitter_blocker --max-users N --delay S`` with the same paths and API base),
under the runbook's time limits (30 s, 60 s). A phase passes when the child
exits 0, wrote a finished ``process_log`` row, added no temporary failures, and
moved the database forward when there was work to do. The first failing phase
stops the recovery with its exit code and reason. ``dry_run`` passes
``--dry-run`` to every phase: the runbook's "tests" blocked for real.
When a phase overruns its limit the child gets SIGTERM (it commits and exits
75), and SIGKILL only if it does not exit within ``grace`` seconds.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from ...config import Paths
from ...engine.runner import DRY_RUN_REPORT
from ...errors import EXIT_OK, EXIT_RESUMABLE, EXIT_UNEXPECTED, DatabaseBusyError
from ...messages import msg
from ...proc.runlock import read_holder
from ...store import readmodel as dbfacts
from ..redact import redact

NORMAL_OPERATION = "python3 main.py --all --auto-retry"
EXIT_TIMEOUT = 124  # what the runbook's `timeout` reports


@dataclass(frozen=True, slots=True)
class Phase:
    number: int
    max_users: int
    delay: float
    timeout: float
    label: str


PHASES: tuple[Phase, ...] = (
    Phase(1, 1, 5.0, 30.0, "minimal test (フェーズ1: 最小限テスト)"),
    Phase(2, 5, 3.0, 60.0, "small batch (フェーズ2: 少量データテスト)"),
)


@dataclass(frozen=True, slots=True)
class PhaseResult:
    phase: Phase
    command: list[str]
    exit_code: int  # the child's code, 124 when it overran, 1 when the db check failed
    child_exit_code: int | None
    timed_out: bool
    ok: bool
    reason: str
    run: dbfacts.RunInfo | None  # the process_log row the phase wrote
    new_attempts: int
    decided: int  # rows that reached a final state during the phase
    new_temporary_failures: int
    elapsed: float
    output_tail: list[str]  # last lines of the child's output, masked


@dataclass(frozen=True, slots=True)
class RecoverResult:
    phases: list[PhaseResult]
    ok: bool
    exit_code: int
    reason: str
    next_command: str | None  # printed after every phase passed
    dry_run: bool


def phase_command(
    paths: Paths, api_base: str, phase: Phase, *, dry_run: bool, python: str = sys.executable
) -> list[str]:
    command = [
        python,
        "-m",
        "twitter_blocker",
        "--max-users",
        str(phase.max_users),
        "--delay",
        str(phase.delay),
        "--data-dir",
        str(paths.data_dir),
        "--db",
        str(paths.db),
        "--cookies",
        str(paths.cookies),
        "--users-file",
        str(paths.users_file),
        "--cache-dir",
        str(paths.cache_dir),
        "--api-base",
        api_base,
    ]
    if dry_run:
        command.append("--dry-run")
    return command


def _snapshot(db: Path) -> dbfacts.Progress:
    with dbfacts.open_readonly(db) as conn:
        return dbfacts.progress(conn)


def _decided(progress: dbfacts.Progress) -> int:
    return sum(count for status, count in progress.by_status.items() if status != "pending")


def _run_child(
    command: list[str], cwd: Path, timeout: float, grace: float
) -> tuple[int, bool, str]:
    """Run ``command``; on overrun SIGTERM, then SIGKILL after ``grace``. (code, timed_out, out)."""
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    child = subprocess.Popen(
        command,
        cwd=cwd,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        errors="replace",
    )
    try:
        out, _ = child.communicate(timeout=timeout)
        return child.returncode, False, out
    except subprocess.TimeoutExpired:
        child.send_signal(signal.SIGTERM)
        try:
            out, _ = child.communicate(timeout=grace)
        except subprocess.TimeoutExpired:
            child.kill()
            out, _ = child.communicate()
        return child.returncode, True, out


def _planned(report: Path, since: str | None) -> int:
    """Targets in the dry-run plan written at or after ``since`` (0: none, stale or unreadable)."""
    try:
        data = json.loads(report.read_text(encoding="utf-8"))
        written, plan = str(data["generated_at"]), data["plan"]
    except (OSError, ValueError, KeyError, TypeError):
        return 0
    if since is None or written < since or not isinstance(plan, list):
        return 0
    return len(plan)


def run_phase(
    paths: Paths, api_base: str, phase: Phase, *, dry_run: bool, grace: float = 15.0
) -> PhaseResult:
    command = phase_command(paths, api_base, phase, dry_run=dry_run)
    before = _snapshot(paths.db)
    started = time.monotonic()
    code, timed_out, output = _run_child(command, paths.data_dir, phase.timeout, grace)
    elapsed = time.monotonic() - started
    after = _snapshot(paths.db)
    with dbfacts.open_readonly(paths.db) as conn:
        runs = dbfacts.runs_after(conn, before.last_run_id) if conn is not None else []
    run = runs[-1] if runs else None
    new_attempts = after.last_attempt_id - before.last_attempt_id
    decided = _decided(after) - _decided(before)
    new_failures = max(0, after.temporary_failures - before.temporary_failures)
    pending_before = before.by_status.get("pending", 0)
    tail = [redact(line) for line in output.splitlines()[-20:]]

    def result(exit_code: int, ok: bool, reason: str) -> PhaseResult:
        return PhaseResult(
            phase, command, exit_code, code, timed_out, ok, reason, run, new_attempts,
            decided, new_failures, elapsed, tail,
        )  # fmt: skip

    if timed_out:
        return result(EXIT_TIMEOUT, False, f"did not finish within {phase.timeout:.0f}s")
    if code != EXIT_OK:
        return result(code, False, f"the run exited with {code}")
    if run is None:
        return result(EXIT_UNEXPECTED, False, "the run wrote no process_log row")
    if run.status != "done":
        return result(EXIT_UNEXPECTED, False, f"the run's process_log row says {run.status}")
    if new_failures:
        return result(EXIT_UNEXPECTED, False, f"{new_failures} new temporary failures")
    work_left = pending_before > 0 or (run.targets or 0) > 0
    # A dry run records no decision in block_history, and answers from the lookup cache make
    # no call: the plan it wrote during this phase is the evidence that it decided.
    dry_decided = _planned(paths.data_dir / DRY_RUN_REPORT, run.started_at) if dry_run else 0
    if work_left and new_attempts == 0 and decided == 0 and dry_decided == 0:
        return result(EXIT_UNEXPECTED, False, "no progress: no call made, no target decided")
    if not work_left:
        return result(EXIT_OK, True, "nothing left to process")
    if dry_run:
        looked = max(run.targets or 0, dry_decided)
        summary = f"{looked} targets looked up and decided (dry run)"
    else:
        summary = f"{decided} targets decided"
    return result(EXIT_OK, True, f"{summary}, {new_attempts} API calls, no new failures")


def recover(
    paths: Paths,
    api_base: str,
    *,
    dry_run: bool = False,
    phases: tuple[Phase, ...] = PHASES,
    grace: float = 15.0,
) -> RecoverResult:
    """Run the phases in order; stop at the first failure with its exit code and reason.

    Raises DatabaseBusyError (exit 5) when a run already holds this database.
    """
    holder = read_holder(paths.lock_file)
    if holder is not None and holder.held:
        pid = holder.pid if holder.pid is not None else "unknown"
        raise DatabaseBusyError(msg("db.busy", pid=pid, db=paths.db), pid=holder.pid)
    results: list[PhaseResult] = []
    for phase in phases:
        outcome = run_phase(paths, api_base, phase, dry_run=dry_run, grace=grace)
        results.append(outcome)
        if not outcome.ok:
            code = outcome.exit_code if outcome.exit_code != EXIT_OK else EXIT_UNEXPECTED
            if outcome.child_exit_code == EXIT_RESUMABLE and not outcome.timed_out:
                code = EXIT_RESUMABLE
            reason = f"phase {phase.number} ({phase.label}) failed: {outcome.reason}"
            return RecoverResult(results, False, code, reason, None, dry_run)
    return RecoverResult(results, True, EXIT_OK, "every phase passed", NORMAL_OPERATION, dry_run)
