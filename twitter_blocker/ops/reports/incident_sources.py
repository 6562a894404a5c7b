"""What ``health``, ``diagnose`` and the end of a run saw, as incident observations.

Each source names the conditions it can speak about (its scope): a condition in
scope and not seen closes its open incident; a condition out of scope (a damaged
ledger says nothing about the cookies) leaves it alone.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ...config import Paths
from ...errors import EXIT_ACCOUNT, EXIT_AUTH, EXIT_OK
from ...store import readmodel
from ..diagnosis.health import AUTH_FAILURES, HealthReport
from ..diagnosis.health import Level as Grade
from ..diagnosis.levels import Symptom
from .incidents import Condition, Observation, Seen

if TYPE_CHECKING:  # diagnose pulls in httpx; health must stay light (it runs every 15 minutes)
    from ..diagnosis.diagnose import Diagnosis

LOCK_OUTCOMES = readmodel.ACCOUNT_OUTCOMES
AUTH_CONDITIONS = (Condition.AUTH_FAILED, Condition.ACCOUNT_LOCKED)


def _auth_condition(paths: Paths) -> Condition:
    """Locked/suspended or a rejected session: the newest auth-type failure in the ledger."""
    with readmodel.open_readonly(paths.db) as conn:
        if conn is None:
            return Condition.AUTH_FAILED
        bad = readmodel.last_attempt(conn, AUTH_FAILURES)
        run = readmodel.last_run_where(conn, running=False)
        unread = conn.unread
    if unread:  # a query failed: as when the ledger cannot be read at all
        return Condition.AUTH_FAILED
    if bad is not None:
        return Condition.ACCOUNT_LOCKED if bad.outcome in LOCK_OUTCOMES else Condition.AUTH_FAILED
    return (
        Condition.ACCOUNT_LOCKED
        if run is not None and run.exit_code == EXIT_ACCOUNT
        else Condition.AUTH_FAILED
    )


def from_health(paths: Paths, report: HealthReport) -> Seen:
    checks = {check.name: check for check in report.checks}
    found: list[Observation] = []
    scope = {Condition.DISK_PRESSURE, Condition.MEMORY_PRESSURE}
    db = checks.get("database")
    db_readable = db is not None and db.level is Grade.OK
    if db is not None and (db.level is Grade.OK or db.level is Grade.CRITICAL):
        scope.add(Condition.DB_DAMAGED)
        if db.level is Grade.CRITICAL:
            # the emergency copy failed: the way back is unknown (runbook: 復旧方法不明)
            immediate = report.emergency_backup_error is not None
            found.append(Observation(Condition.DB_DAMAGED, db.detail, immediate))
    for name, condition in (
        ("disk", Condition.DISK_PRESSURE),
        ("memory", Condition.MEMORY_PRESSURE),
    ):
        check = checks.get(name)
        if check is not None and check.level is not Grade.OK:
            found.append(Observation(condition, f"{name} {check.detail}"))
    cookies = checks.get("cookies")
    if cookies is not None and (db_readable or not paths.db.exists()):
        scope.update(AUTH_CONDITIONS)
        if cookies.level is Grade.CRITICAL:
            found.append(Observation(_auth_condition(paths), cookies.detail))
    lock = checks.get("lock")
    if lock is not None and db_readable:
        scope.add(Condition.RUN_STOPPED)
        if lock.level is not Grade.OK:
            found.append(Observation(Condition.RUN_STOPPED, lock.detail))
    return Seen("health", frozenset(scope), tuple(found))


def from_diagnosis(report: Diagnosis) -> Seen:
    from ..diagnosis.facts import AuthState

    found: list[Observation] = []
    for finding in report.findings:
        condition: Condition | None = None
        if finding.symptom is Symptom.DB_CORRUPT:
            condition = Condition.DB_DAMAGED
        elif finding.symptom is Symptom.DATA_LOSS:
            condition = Condition.DATA_LOSS
        elif finding.symptom is Symptom.AUTH_FAILED:
            blocked = report.auth.state is AuthState.ACCOUNT_BLOCKED
            condition = Condition.ACCOUNT_LOCKED if blocked else Condition.AUTH_FAILED
        elif finding.symptom is Symptom.APP_DOWN:
            condition = Condition.RUN_STOPPED
        elif finding.symptom is Symptom.RATE_LIMIT_STOP:
            condition = Condition.RATE_LIMIT_STOP
        elif finding.symptom is Symptom.SECURITY:
            condition = Condition.COOKIES_EXPOSED
        elif finding.symptom is Symptom.SLOWDOWN:
            memory = finding.detail.startswith("memory")
            condition = Condition.MEMORY_PRESSURE if memory else Condition.DISK_PRESSURE
        if condition is not None and condition not in {o.condition for o in found}:
            found.append(Observation(condition, finding.detail))
    scope = set(Condition) - {Condition.DATA_LOSS}  # a restored ledger is not "no loss"
    if not report.db.exists or not report.db.ok:
        scope -= {*AUTH_CONDITIONS, Condition.RUN_STOPPED, Condition.RATE_LIMIT_STOP}
    return Seen("diagnose", frozenset(scope), tuple(found))


def from_run(exit_code: int, end_reason: str, detail: str, *, calls: int) -> Seen:
    """The end of a run. A run that finished after real API calls proves the session, the
    account and the rate windows work again, and that no run is left stopped."""
    from ..diagnosis.diagnose import LONG_STOP_REASONS

    found: list[Observation] = []
    if exit_code == EXIT_AUTH:
        found.append(Observation(Condition.AUTH_FAILED, f"{end_reason}: {detail}"))
    elif exit_code == EXIT_ACCOUNT:
        found.append(Observation(Condition.ACCOUNT_LOCKED, f"{end_reason}: {detail}"))
    elif any(reason in end_reason for reason in LONG_STOP_REASONS):
        found.append(Observation(Condition.RATE_LIMIT_STOP, f"{end_reason}: {detail}"))
    scope: frozenset[Condition] = frozenset()
    if exit_code == EXIT_OK and calls > 0:
        scope = frozenset({*AUTH_CONDITIONS, Condition.RATE_LIMIT_STOP, Condition.RUN_STOPPED})
    return Seen("run", scope, tuple(found))
