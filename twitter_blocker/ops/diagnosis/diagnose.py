"""Emergency diagnosis (runbook "問題診断"): gather the facts, classify them into a level.

``diagnose()`` is read-only (see ``facts``) and returns a typed ``Diagnosis``:
the facts, the findings (each a runbook symptom with a one-line detail and the
commands that fix it), the overall level (レベル1/2/3, or None when healthy),
whether to escalate at once, and the next steps.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from ...config import Paths
from ...proc.facts import ProcessFacts, process_facts
from ...proc.pids import pid_alive
from ...store import readmodel as dbfacts
from ...timefmt import utc_iso
from ..access.ratelimit import RateLimitReport, rate_limit_report
from .facts import (
    LARGE_FILE_BYTES,
    LOG_TAIL_LINES,
    LONG_STOP_SECONDS,
    THRESHOLD_PERCENT,
    AuthFact,
    AuthState,
    DbFact,
    DiskFact,
    FileFact,
    MemoryFact,
    NetworkFact,
    auth_fact,
    db_fact,
    disk_fact,
    file_facts,
    known_secrets,
    memory_fact,
    probe_api,
    tail_lines,
)
from .levels import Finding, Level, Symptom, needs_immediate_escalation, next_steps, overall_level

# end reasons of a run that mean X made us stop for a long time
LONG_STOP_REASONS = (
    "session_killed",
    "locked",
    "suspicious_88",
    "max_wait",
    "rate_limit",
    "refusing_blocks",
)


@dataclass(frozen=True, slots=True)
class Diagnosis:
    at: str  # UTC ISO
    data_dir: str
    disk: DiskFact
    files: list[FileFact]
    db: DbFact
    memory: MemoryFact
    process: ProcessFacts
    log_tail: list[str]
    network: NetworkFact
    auth: AuthFact
    rate: RateLimitReport
    findings: list[Finding]
    level: Level | None
    escalate_now: bool
    steps: list[str]


def diagnose(
    paths: Paths,
    api_base: str,
    *,
    live: bool = False,
    probe_timeout: float = 3.0,
    tail: int = LOG_TAIL_LINES,
    now: float | None = None,
    thresholds: tuple[float, float] = (THRESHOLD_PERCENT, THRESHOLD_PERCENT),
) -> Diagnosis:
    """Collect every fact of the runbook's diagnosis script and classify them.

    ``thresholds`` are (disk %, memory %) above which a slowdown is reported.
    """
    current = time.time() if now is None else now
    files = file_facts(paths)
    db = db_fact(paths.db)
    disk = disk_fact(paths)
    memory = memory_fact()
    process = process_facts(paths.lock_file)
    network = probe_api(api_base, timeout=probe_timeout)
    auth = auth_fact(paths, db, api_base, live=live)
    rate = rate_limit_report(paths.db, now=current)
    findings = classify(
        paths, files, db, disk, memory, process, network, auth, rate, thresholds=thresholds
    )
    level = overall_level(findings)
    return Diagnosis(
        at=utc_iso(timespec="seconds"),
        data_dir=str(paths.data_dir),
        disk=disk,
        files=files,
        db=db,
        memory=memory,
        process=process,
        log_tail=tail_lines(paths.log_file, tail, known_secrets(paths)),
        network=network,
        auth=auth,
        rate=rate,
        findings=findings,
        level=level,
        escalate_now=needs_immediate_escalation(findings),
        steps=next_steps(findings, level),
    )


def _backups_exist(files: list[FileFact]) -> bool:
    return any(
        fact.exists and fact.label in ("backups", "emergency backup") and (fact.entries or 0) > 0
        for fact in files
    )


def classify(
    paths: Paths,
    files: list[FileFact],
    db: DbFact,
    disk: DiskFact,
    memory: MemoryFact,
    process: ProcessFacts,
    network: NetworkFact,
    auth: AuthFact,
    rate: RateLimitReport,
    *,
    thresholds: tuple[float, float] = (THRESHOLD_PERCENT, THRESHOLD_PERCENT),
) -> list[Finding]:
    """Map the facts onto the runbook's symptoms (pure: no I/O)."""
    found: list[Finding] = []
    stop_first = () if not process.running else ("twitter-blocker stop",)
    # --- level 1 ---------------------------------------------------------------------------
    if db.exists and not db.ok:
        found.append(
            Finding(
                Symptom.DB_CORRUPT,
                f"integrity check of {paths.db.name} failed: {'; '.join(db.integrity[:3])}",
                (
                    *stop_first,
                    "twitter-blocker backup --emergency",
                    "twitter-blocker db check",
                    "twitter-blocker db recover",
                    "twitter-blocker restore backup/latest",
                ),
            )
        )
    if not db.exists and _backups_exist(files):
        found.append(
            Finding(
                Symptom.DATA_LOSS,
                f"{paths.db.name} is missing but backups exist",
                ("twitter-blocker restore backup/latest",),
            )
        )
    if auth.state in (AuthState.FAILED, AuthState.NO_COOKIES, AuthState.BAD_FILE):
        found.append(
            Finding(
                Symptom.AUTH_FAILED,
                f"authentication {auth.state.value}: {auth.detail}",
                ("twitter-blocker auth check", "twitter-blocker auth import FILE"),
            )
        )
    elif auth.state is AuthState.ACCOUNT_BLOCKED:
        found.append(
            Finding(
                Symptom.AUTH_FAILED,
                f"the X account is locked or suspended: {auth.detail} (unlock it at x.com first)",
                ("twitter-blocker auth check",),
            )
        )
    run = db.last_run
    if (
        run is not None
        and run.status == "running"
        and not process.running
        and not pid_alive(run.pid)
    ):
        found.append(
            Finding(
                Symptom.APP_DOWN,
                f"run #{run.id} (pid {run.pid}) died without ending (started {run.started_at})",
                ("twitter-blocker integrity", "twitter-blocker recover --dry-run"),
            )
        )
    elif run is not None and run.status == "failed" and run.exit_code == 1:
        found.append(
            Finding(
                Symptom.APP_DOWN,
                f"run #{run.id} failed with exit 1 ({run.end_reason or 'unexpected error'})",
                ("twitter-blocker recover --dry-run",),
            )
        )
    # --- level 2 ---------------------------------------------------------------------------
    if not network.reachable:
        found.append(
            Finding(
                Symptom.FEATURE_DOWN,
                f"the API base {network.api_base} is unreachable: {network.detail}",
                ("check the network, or --api-base / TWITTER_API_BASE",),
            )
        )
    disk_limit, memory_limit = thresholds
    if disk.percent >= disk_limit:
        found.append(
            Finding(
                Symptom.SLOWDOWN,
                f"disk {disk.percent:.1f}% used (threshold {disk_limit:.0f}%)",
                ("twitter-blocker cleanup --dry-run", "twitter-blocker cleanup"),
            )
        )
    if memory.percent >= memory_limit:
        found.append(
            Finding(
                Symptom.SLOWDOWN,
                f"memory {memory.percent:.1f}% used (threshold {memory_limit:.0f}%)",
                ("twitter-blocker diagnose",),
            )
        )
    cookie = next((fact for fact in files if fact.label == "cookies"), None)
    if cookie is not None and cookie.exists and cookie.mode and int(cookie.mode, 8) & 0o077:
        found.append(
            Finding(
                Symptom.SECURITY,
                f"{cookie.path} is readable by other users (mode {cookie.mode})",
                (f"chmod 600 {cookie.path}",),
            )
        )
    wait = None if rate.wait_until is None else rate.wait_until - rate.now_epoch
    long_stop = run is not None and any(
        reason in (run.end_reason or "") for reason in LONG_STOP_REASONS
    )
    if long_stop or (wait is not None and wait > LONG_STOP_SECONDS):
        detail = (
            f"run #{run.id} stopped: {run.end_reason}"
            if long_stop and run is not None
            else f"rate window spent; resets in {wait:.0f}s"
        )
        found.append(
            Finding(
                Symptom.RATE_LIMIT_STOP,
                detail,
                ("twitter-blocker ratelimit --wait", "twitter-blocker recover --dry-run"),
            )
        )
    elif wait is not None:
        found.append(
            Finding(
                Symptom.MINOR_SLOWDOWN,
                f"rate window spent; resets in {wait:.0f}s",
                ("twitter-blocker ratelimit --wait",),
            )
        )
    # --- level 3 ---------------------------------------------------------------------------
    if db.duplicates or (db.unverified_intents and not process.running):
        found.append(
            Finding(
                Symptom.MINOR_INCONSISTENCY,
                f"{db.duplicates} duplicate groups, "
                f"{db.unverified_intents} block calls sent but not confirmed",
                ("twitter-blocker integrity",),
            )
        )
    if db.temporary_failures:
        found.append(
            Finding(
                Symptom.PARTIAL,
                f"{db.temporary_failures} targets failed temporarily (retry candidates)",
                ("python3 main.py --retry",),
            )
        )
    large = [fact for fact in files if fact.exists and fact.size > LARGE_FILE_BYTES]
    if large:
        found.append(
            Finding(
                Symptom.NON_CRITICAL,
                "large files: " + ", ".join(f"{fact.path} ({fact.size} bytes)" for fact in large),
                ("twitter-blocker cleanup --dry-run",),
            )
        )
    return found


def quick_state(paths: Paths) -> tuple[ProcessFacts, dbfacts.RunInfo | None]:
    """The cheap part of a diagnosis: who holds the lock, and the last run (for `stop`)."""
    process = process_facts(paths.lock_file, with_others=False)
    with dbfacts.open_readonly(paths.db) as conn:
        runs = dbfacts.last_runs(conn, 1) if conn is not None else []
    return process, runs[0] if runs else None
