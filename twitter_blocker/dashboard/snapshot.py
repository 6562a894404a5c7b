"""One account's state, read for the dashboard: nothing here writes a byte.

Every database is opened through :func:`store.readmodel.open_readonly` (``mode=ro``, a
busy timeout, no file created, no write lock: a running run goes on undisturbed), inside
``readmodel.quiet_reads`` so not even -wal/-shm files appear beside an idle database.
``stats`` is the very document ``--stats --json`` prints (:func:`store.stats.stats_document`
over :func:`store.stats.collect`), so the page and the command cannot disagree. The health
verdict is ``health``'s own checks, with the database checked read-only and no emergency
backup (the dashboard only looks).
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from ..config import Paths
from ..messages import msg
from ..ops.backups.manifest import AUTO_PREFIX, EMERGENCY_PREFIX, backup_time, verified_good
from ..ops.diagnosis.health import (
    SYSTEM_PROBES,
    Check,
    HealthReport,
    Level,
    Probes,
    check_cookies,
    check_lock,
    check_resource,
)
from ..ops.redact import redact
from ..store import activity, readmodel
from ..store import incidents as incident_store
from ..store.stats import EMPTY, action_stats, collect, stats_document
from ..timefmt import parse_utc, utc_iso

HOURS = 24  # the chart's span
PACE_WINDOW = timedelta(minutes=15)  # the pace behind the ETA: decisions over the last 15 min
BACKUPS_SHOWN = 5
DISK_THRESHOLD = MEMORY_THRESHOLD = 90.0  # health's defaults


@dataclass(frozen=True, slots=True)
class RunView:
    id: int
    state: str  # running | done | interrupted | failed | crashed
    started_at: str | None
    ended_at: str | None
    exit_code: int | None
    end_reason: str | None
    blocks: int  # confirmed blocks this run made so far
    elapsed_seconds: float | None
    eta_seconds: float | None  # while running: pending targets at the pace of the last 15 min
    decided_per_hour: float | None


@dataclass(frozen=True, slots=True)
class Budget:
    operation: str
    limit: int
    remaining: int
    reset_epoch: float
    resets_in_seconds: float  # 0 once the window has reset (the figure is then stale)


@dataclass(frozen=True, slots=True)
class Failure:
    at: str | None
    operation: str | None
    http_status: int | None
    code: int | None
    outcome: str | None
    message: str | None


@dataclass(frozen=True, slots=True)
class HealthView:
    level: str  # ok | warning | critical
    checks: list[dict[str, str]]


@dataclass(frozen=True, slots=True)
class Incident:
    id: int
    level: int
    symptom: str
    opened_at: str
    last_seen_at: str


@dataclass(frozen=True, slots=True)
class Backup:
    name: str
    kind: str  # auto | emergency
    taken_at: str | None
    verified: bool


@dataclass(slots=True)
class AccountView:
    """Everything the page shows for one data directory (``/api/status`` ``accounts[]``)."""

    name: str
    data_dir: str
    readable: bool
    stats: dict[str, Any]
    run: RunView | None = None
    blocks_by_hour: list[dict[str, Any]] = field(default_factory=list)
    last_block_at: str | None = None
    budgets: list[Budget] = field(default_factory=list)
    attempts_by_outcome: dict[str, int] = field(default_factory=dict)
    last_errors: list[Failure] = field(default_factory=list)
    health: HealthView | None = None
    incident_level: int | None = None  # the highest open incident's level (1-3), None = none
    incidents: list[Incident] = field(default_factory=list)
    backups: list[Backup] = field(default_factory=list)
    unread: list[str] = field(default_factory=list)  # what could not be read, and why


def _hours(now: datetime) -> list[str]:
    top = now.replace(minute=0, second=0, microsecond=0)
    return [utc_iso(top - timedelta(hours=h), timespec="seconds")[:13] for h in range(HOURS)][::-1]


def _seconds_since(iso: str | None, now: datetime) -> float | None:
    if not iso:
        return None
    try:
        return max(0.0, (now - parse_utc(iso)).total_seconds())
    except ValueError:
        return None


def _run_view(conn: sqlite3.Connection, stats: dict[str, Any], now: datetime) -> RunView | None:
    last = stats.get("last_run")
    if not last:
        return None
    elapsed = _seconds_since(last["started_at"], now)
    eta = per_hour = None
    if last["state"] == "running" and elapsed is not None:
        span = min(PACE_WINDOW.total_seconds(), max(elapsed, 1.0))
        since = utc_iso(now - timedelta(seconds=span))
        decided = activity.decided_since(conn, max(since, last["started_at"]))
        per_hour = decided * 3600.0 / span
        if decided:
            eta = stats["pending"] * span / decided
    return RunView(
        id=last["id"],
        state=last["state"],
        started_at=last["started_at"],
        ended_at=last["ended_at"],
        exit_code=last["exit_code"],
        end_reason=last["end_reason"],
        blocks=activity.blocks_of_run(conn, last["id"]),
        elapsed_seconds=elapsed if last["state"] == "running" else None,
        eta_seconds=eta,
        decided_per_hour=per_hour,
    )


def _ledger(view: AccountView, paths: Paths, now: datetime) -> None:
    with readmodel.open_readonly(paths.db) as conn:
        if conn is None:
            if paths.db.exists():  # no ledger yet is not an error; one we cannot open is
                view.readable = False
                view.unread.append(f"{paths.db.name}: cannot be opened")
            return
        try:
            stats = collect(conn)
            view.stats = stats_document(stats, action_stats(conn))
        except sqlite3.Error as exc:
            view.readable = False
            view.unread.append(f"{paths.db.name}: {type(exc).__name__}: {exc}")
            return
        view.run = _run_view(conn, view.stats, now)
        counts = activity.blocks_by_hour(conn, _hours(now)[0])
        view.blocks_by_hour = [{"hour": h, "blocks": counts.get(h, 0)} for h in _hours(now)]
        view.last_block_at = activity.last_block_at(conn)
        view.attempts_by_outcome = activity.attempts_by_outcome(conn)
        view.last_errors = [
            Failure(
                f.at,
                f.operation,
                f.http_status,
                f.code,
                f.outcome,
                None if f.message is None else redact(f.message),
            )
            for f in activity.recent_failures(conn)
        ]
        view.unread.extend(conn.unread)
    epoch = now.timestamp()
    view.budgets = [
        Budget(
            operation=b["operation"],
            limit=b["limit"],
            remaining=b["remaining"],
            reset_epoch=b["reset_epoch"],
            resets_in_seconds=max(0.0, b["reset_epoch"] - epoch),
        )
        for b in view.stats["rate_limits"]
    ]


def _incidents(view: AccountView, paths: Paths) -> None:
    with readmodel.open_readonly(paths.data_dir / incident_store.INCIDENTS_DB) as conn:
        if conn is None:
            return
        try:
            rows = incident_store.open_rows(conn)
        except sqlite3.Error as exc:
            view.unread.append(f"{incident_store.INCIDENTS_DB}: {type(exc).__name__}: {exc}")
            return
    view.incidents = [Incident(r.id, r.level, r.symptom, r.opened_at, r.last_seen_at) for r in rows]
    view.incident_level = max((r.level for r in rows), default=None)


def backups(paths: Paths) -> list[Backup]:
    """The newest backups, automatic (``backup/auto_*``) and emergency, newest first."""
    folders = [(p, "auto") for p in paths.backup_dir.glob(f"{AUTO_PREFIX}*")]
    folders += [(p, "emergency") for p in paths.data_dir.glob(f"{EMERGENCY_PREFIX}*")]
    found = []
    for folder, kind in folders:
        if folder.is_dir() and not folder.is_symlink():
            taken = backup_time(folder)
            stamp = None if taken is None else utc_iso(taken, timespec="seconds")
            found.append(Backup(folder.name, kind, stamp, verified_good(folder)))
    found.sort(key=lambda b: b.taken_at or "", reverse=True)
    return found[:BACKUPS_SHOWN]


def _db_check(paths: Paths) -> Check:
    """``health``'s database check, read-only (``health`` opens read-write: it may repair)."""
    if not paths.db.is_file():
        return Check("database", Level.WARNING, msg("ops.health.db_missing", path=paths.db))
    with readmodel.open_readonly(paths.db) as conn:
        lines = ["cannot open the database file"] if conn is None else readmodel.integrity(conn)
    if lines == ["ok"]:
        return Check("database", Level.OK, msg("ops.health.db_ok", name=paths.db.name))
    summary = "; ".join(lines[:3])
    if "locked" in summary or "busy" in summary:
        return Check("database", Level.WARNING, msg("ops.health.db_busy", detail=summary))
    detail = msg("ops.health.db_damaged", name=paths.db.name, detail=summary)
    return Check("database", Level.CRITICAL, detail)


def health(paths: Paths, probes: Probes = SYSTEM_PROBES) -> HealthView:
    """``health``'s verdict over the same checks and thresholds, taken without writing: the
    database check is read-only and no emergency backup is taken (the dashboard only looks)."""
    data_dir = paths.data_dir
    with readmodel.quiet_reads():
        report = HealthReport(
            (
                _db_check(paths),
                check_resource("disk", lambda: probes.disk_percent(data_dir), DISK_THRESHOLD),
                check_resource("memory", probes.memory_percent, MEMORY_THRESHOLD),
                check_cookies(paths),
                check_lock(paths),
            )
        )
    checks = [
        {"name": c.name, "level": c.level.name.lower(), "detail": c.detail} for c in report.checks
    ]
    return HealthView(report.level.name.lower(), checks)


def _read(name: str, paths: Paths, moment: datetime, health_view: HealthView | None) -> AccountView:
    view = AccountView(
        name=name,
        data_dir=str(paths.data_dir),
        readable=True,
        stats=stats_document(EMPTY, None),
    )
    _ledger(view, paths, moment)
    _incidents(view, paths)
    view.backups = backups(paths)
    view.health = health_view if health_view is not None else health(paths)
    return view


def account_view(
    name: str, paths: Paths, *, now: datetime | None = None, health_view: HealthView | None = None
) -> AccountView:
    """Read one data directory, creating no file in it (``readmodel.quiet_reads``).

    An idle ledger is read without its journal; if a writer came during that read (the file
    changed under it), it is read again, now through the writer's -wal. ``health_view``
    given: reuse it (health is the slow part).
    """
    moment = now or datetime.now(UTC)
    with readmodel.quiet_reads():
        before = readmodel.signature(paths.db)
        view = _read(name, paths, moment, health_view)
        if not before[0] and readmodel.signature(paths.db) != before:
            view = _read(name, paths, moment, health_view)
    return view


def account_names(dirs: list[Path]) -> list[str]:
    """A short unique name per data directory (its folder name, numbered when repeated)."""
    names: list[str] = []
    for directory in dirs:
        base = directory.name or str(directory)
        name, n = base, 2
        while name in names:
            name, n = f"{base}-{n}", n + 1
        names.append(name)
    return names
