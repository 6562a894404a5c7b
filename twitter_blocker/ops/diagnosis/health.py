"""Health check (runbook: ヘルスチェック, 予防策) for cron or a container probe.

Checks, each graded OK / WARNING / CRITICAL (the exit code is the worst grade):
  database  reachable and passes ``PRAGMA quick_check``; on a database error an
            emergency backup is taken first (the runbook's ./emergency-backup.sh);
  disk      use of the data directory's file system against a threshold (90 %);
  memory    system memory use against a threshold (90 %);
  cookies   present, parseable, and not rejected by X since the last good call;
  lock      no stale lock file and no run recorded as running that no process holds.
It makes no network call and imports nothing heavy: it runs every 15 minutes.
Disk and memory readings come from a ``Probes`` value so tests can inject faults.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass
from enum import IntEnum
from pathlib import Path

from ...config import Paths
from ...errors import BlockerError
from ...messages import msg
from ...proc.runlock import read_holder
from ...store import readmodel
from ...x.models import Outcome
from ..database.check import check_database
from .disk import disk_usage

# Above the warning threshold a resource is a warning; at this use it is critical
# (SQLite cannot commit on a full disk; the OOM killer is near).
CRITICAL_PERCENT = 98.0
AUTH_FAILURES = readmodel.AUTH_OUTCOMES + readmodel.ACCOUNT_OUTCOMES
EXIT_AUTH_OR_ACCOUNT = (3, 4)
# At most one emergency backup per hour while the database stays damaged (seconds).
EMERGENCY_BACKUP_INTERVAL = 3600.0


class Level(IntEnum):
    OK = 0
    WARNING = 1
    CRITICAL = 2


@dataclass(frozen=True, slots=True)
class Check:
    name: str
    level: Level
    detail: str


@dataclass(frozen=True, slots=True)
class Probes:
    """Where disk and memory readings come from (percent used, 0-100)."""

    disk_percent: Callable[[Path], float]
    memory_percent: Callable[[], float]


def _disk_percent(path: Path) -> float:
    return disk_usage(path).percent  # the figure diagnose and stop show too


def _psutil_memory() -> float:
    import psutil

    return float(psutil.virtual_memory().percent)


SYSTEM_PROBES = Probes(disk_percent=_disk_percent, memory_percent=_psutil_memory)


@dataclass(frozen=True, slots=True)
class HealthReport:
    checks: tuple[Check, ...]
    emergency_backup: Path | None = None
    emergency_backup_error: str | None = None

    @property
    def level(self) -> Level:
        return max((c.level for c in self.checks), default=Level.OK)

    @property
    def exit_code(self) -> int:
        return int(self.level)


def _grade(percent: float, threshold: float) -> Level:
    if percent >= max(CRITICAL_PERCENT, threshold):
        return Level.CRITICAL
    return Level.WARNING if percent > threshold else Level.OK


def check_resource(name: str, read: Callable[[], float], threshold: float) -> Check:
    try:
        percent = read()
    except OSError as exc:
        detail = msg("ops.health.resource_unreadable", name=name, detail=exc)
        return Check(name, Level.WARNING, detail)
    detail = msg("ops.health.resource", percent=percent, threshold=threshold)
    return Check(name, _grade(percent, threshold), detail)


def check_db(paths: Paths) -> Check:
    result = check_database(paths.db, quick_only=True)
    if not result.exists:
        return Check("database", Level.WARNING, msg("ops.health.db_missing", path=paths.db))
    if result.ok:
        return Check("database", Level.OK, msg("ops.health.db_ok", name=paths.db.name))
    if "locked" in result.summary or "busy" in result.summary:
        return Check("database", Level.WARNING, msg("ops.health.db_busy", detail=result.summary))
    detail = msg("ops.health.db_damaged", name=paths.db.name, detail=result.summary)
    return Check("database", Level.CRITICAL, detail)


def _auth_history(paths: Paths) -> tuple[Level, str]:
    """What the ledger says about the cookies: the last auth failure against the last good call."""
    if not paths.db.is_file():
        return Level.OK, msg("ops.health.auth_no_ledger")
    with readmodel.open_readonly(paths.db) as conn:
        if conn is None:
            return Level.OK, msg("ops.health.auth_no_ledger")
        bad = readmodel.last_attempt(conn, AUTH_FAILURES)
        good = readmodel.last_attempt(conn, (Outcome.OK,))
        run = readmodel.last_run_where(conn, running=False)
        unread = conn.unread
    if unread:
        return Level.OK, msg("ops.health.auth_no_ledger")
    good_id = good.id if good is not None else 0
    if bad is not None and bad.id > good_id:
        return Level.CRITICAL, msg("ops.health.auth_rejected", outcome=bad.outcome, at=bad.at)
    if run is not None and run.exit_code in EXIT_AUTH_OR_ACCOUNT and good_id == 0:
        return Level.CRITICAL, msg("ops.health.auth_last_run", run=run.id, code=run.exit_code)
    if good is None:
        return Level.OK, msg("ops.health.auth_unverified")
    return Level.OK, msg("ops.health.auth_good", at=good.at)


def check_cookies(paths: Paths) -> Check:
    if not paths.cookies.is_file():
        return Check(
            "cookies", Level.CRITICAL, msg("ops.health.cookies_missing", path=paths.cookies)
        )
    from ...inputs.cookies import load_cookies

    try:
        load_cookies(paths.cookies)
    except BlockerError as exc:
        return Check("cookies", Level.CRITICAL, str(exc))
    level, detail = _auth_history(paths)
    state = msg("ops.health.cookies_state", name=paths.cookies.name, detail=detail)
    return Check("cookies", level, state)


def check_lock(paths: Paths) -> Check:
    holder = read_holder(paths.lock_file)
    if holder is not None and holder.held:
        detail = msg("ops.health.run_active", pid=holder.pid, since=holder.started_at)
        return Check("lock", Level.OK, detail)
    if holder is not None and holder.pid is not None:
        detail = msg("ops.health.stale_lock", name=paths.lock_file.name, pid=holder.pid)
        return Check("lock", Level.WARNING, detail)
    with readmodel.open_readonly(paths.db) as conn:
        run = readmodel.last_run_where(conn, running=True) if conn is not None else None
    if run is not None:
        detail = msg("ops.health.dead_run", run=run.id, pid=run.pid, since=run.started_at)
        return Check("lock", Level.WARNING, detail)
    return Check("lock", Level.OK, msg("ops.health.idle"))


def recent_emergency_backup(paths: Paths, *, now: float) -> Path | None:
    """The newest emergency backup when another one would add nothing.

    Health runs every 15 minutes; a database that stays damaged must not fill the
    disk with identical copies. The newest backup is reused when it was taken after
    the database last changed, or less than ``EMERGENCY_BACKUP_INTERVAL`` ago.
    """
    from ..backups.backup import EMERGENCY_PREFIX, backup_time

    folders = sorted(p for p in paths.data_dir.glob(f"{EMERGENCY_PREFIX}*") if p.is_dir())
    if not folders:
        return None
    taken = backup_time(folders[-1])
    if taken is None:
        return None
    changed = max(
        (
            Path(f"{paths.db}{s}").stat().st_mtime
            for s in ("", "-wal")
            if Path(f"{paths.db}{s}").exists()
        ),
        default=0.0,
    )
    stamp = taken.timestamp()
    return folders[-1] if stamp >= changed or now - stamp < EMERGENCY_BACKUP_INTERVAL else None


def check_health(
    paths: Paths,
    *,
    disk_threshold: float = 90.0,
    memory_threshold: float = 90.0,
    probes: Probes = SYSTEM_PROBES,
    backup_on_db_error: bool = True,
) -> HealthReport:
    db = check_db(paths)
    backup_path: Path | None = None
    backup_error: str | None = None
    if db.level is Level.CRITICAL and backup_on_db_error:
        from ..backups.backup import take_backup

        backup_path = recent_emergency_backup(paths, now=time.time())
        if backup_path is None:
            try:
                backup_path = take_backup(paths, emergency=True).folder
            except (BlockerError, OSError, sqlite3.Error) as exc:
                backup_error = str(exc)
    data_dir = paths.data_dir if paths.data_dir.exists() else Path("/")
    checks = (
        db,
        check_resource("disk", lambda: probes.disk_percent(data_dir), disk_threshold),
        check_resource("memory", probes.memory_percent, memory_threshold),
        check_cookies(paths),
        check_lock(paths),
    )
    return HealthReport(checks, backup_path, backup_error)
