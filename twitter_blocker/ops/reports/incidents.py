"""Incidents as records: open, update, escalate and close them from what a check saw.

A check (``health``, ``diagnose``, the end of a run) reports ``Observation``s (a
condition key, its runbook level and symptom, a one-line detail) and the scope of
conditions it can speak about. ``record`` then, in the incidents file:
  - opens an incident for a condition not open yet ("opened");
  - updates last seen of one already open (no message: the same condition again);
  - closes an open incident whose condition is in this check's scope but was not
    seen: it has been gone for a full check ("closed");
  - escalates, once, every open incident past its level's limit on the runbook's
    clock (level 1: 1 hour, level 2: 4 hours, level 3: one business day), or at once
    when it needs immediate escalation (data loss, suspected breach) ("escalated").
Time comes from the caller (``now``) so tests can use a test clock.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from pathlib import Path

from ...config import Paths
from ...store import incidents as store
from ...store.db import iso, parse_iso
from ..diagnosis.levels import SYMPTOMS, Level, Symptom


class Condition(StrEnum):
    """Condition keys: the runbook's symptoms as this tool can see them."""

    DB_DAMAGED = "db_damaged"
    DATA_LOSS = "data_loss"
    AUTH_FAILED = "auth_failed"
    ACCOUNT_LOCKED = "account_locked"
    RATE_LIMIT_STOP = "rate_limit_stop"
    DISK_PRESSURE = "disk_pressure"
    MEMORY_PRESSURE = "memory_pressure"
    RUN_STOPPED = "run_stopped"
    COOKIES_EXPOSED = "cookies_exposed"


# condition -> (runbook symptom, escalate at once?)
CONDITIONS: dict[Condition, tuple[Symptom, bool]] = {
    Condition.DB_DAMAGED: (Symptom.DB_CORRUPT, False),
    Condition.DATA_LOSS: (Symptom.DATA_LOSS, True),
    Condition.AUTH_FAILED: (Symptom.AUTH_FAILED, False),
    Condition.ACCOUNT_LOCKED: (Symptom.AUTH_FAILED, False),
    Condition.RATE_LIMIT_STOP: (Symptom.RATE_LIMIT_STOP, False),
    Condition.DISK_PRESSURE: (Symptom.SLOWDOWN, False),
    Condition.MEMORY_PRESSURE: (Symptom.SLOWDOWN, False),
    Condition.RUN_STOPPED: (Symptom.APP_DOWN, False),
    Condition.COOKIES_EXPOSED: (Symptom.SECURITY, True),
}

# The runbook's escalation table (エスカレーション基準, 時間制限エスカレーション).
ESCALATE_AFTER: dict[Level, timedelta] = {
    Level.CRITICAL: timedelta(hours=1),
    Level.HIGH: timedelta(hours=4),
}


def escalation_deadline(level: Level, opened: datetime) -> datetime:
    """When an unresolved incident of ``level`` opened at ``opened`` escalates (UTC).

    Level 3 waits one business day: the same time on the next weekday (Saturday and
    Sunday are not business days).
    """
    if level in ESCALATE_AFTER:
        return opened + ESCALATE_AFTER[level]
    moment = opened + timedelta(days=1)
    while moment.weekday() >= 5:
        moment += timedelta(days=1)
    return moment


@dataclass(frozen=True, slots=True)
class Observation:
    condition: Condition
    detail: str
    immediate: bool = False  # e.g. the recovery path is unknown

    @property
    def symptom(self) -> Symptom:
        return CONDITIONS[self.condition][0]

    @property
    def level(self) -> Level:
        return SYMPTOMS[self.symptom][0]


@dataclass(frozen=True, slots=True)
class Seen:
    """What one check found, and the conditions it is able to see at all."""

    source: str  # health | diagnose | run
    scope: frozenset[Condition]
    observations: tuple[Observation, ...]


@dataclass(frozen=True, slots=True)
class Change:
    kind: str  # opened | escalated | closed
    incident: store.IncidentRow
    reason: str = ""


def _escalation_reason(row: store.IncidentRow, now: datetime, immediate: bool) -> str | None:
    if row.escalated_at is not None or row.closed_at is not None:
        return None
    if immediate or CONDITIONS.get(Condition(row.condition), (None, False))[1]:
        return "immediate"
    deadline = escalation_deadline(Level(row.level), parse_iso(row.opened_at))
    return f"unresolved past {iso(deadline)}" if now >= deadline else None


def record(conn: sqlite3.Connection, seen: Seen, now: datetime) -> list[Change]:
    """Apply one check's findings to the records; return what changed (for notifications)."""
    at = iso(now.astimezone(UTC))
    changes: list[Change] = []
    immediate: set[int] = set()
    observed = {obs.condition: obs for obs in seen.observations}
    for condition, obs in observed.items():
        current = store.find_open(conn, condition.value)
        if current is None:
            number = store.insert(
                conn,
                condition=condition.value,
                level=int(obs.level),
                symptom=obs.symptom.value,
                detail=obs.detail,
                source=seen.source,
                at=at,
            )
            row = store.get(conn, number)
            assert row is not None
            changes.append(Change("opened", row))
        else:
            store.seen_again(conn, current.id, detail=obs.detail, source=seen.source, at=at)
            number = current.id
        if obs.immediate:
            immediate.add(number)
    for row in store.open_rows(conn):
        if Condition(row.condition) in seen.scope and Condition(row.condition) not in observed:
            reason = f"not seen by {seen.source}"
            if store.mark_closed(conn, row.id, reason=reason, source=seen.source, at=at):
                closed = store.get(conn, row.id)
                assert closed is not None
                changes.append(Change("closed", closed, reason))
            continue
        why = _escalation_reason(row, now, row.id in immediate)
        if why and store.mark_escalated(conn, row.id, reason=why, source=seen.source, at=at):
            escalated = store.get(conn, row.id)
            assert escalated is not None
            changes.append(Change("escalated", escalated, why))
    return changes


def close_by_hand(
    conn: sqlite3.Connection, incident_id: int, now: datetime, reason: str
) -> Change | None:
    if not store.mark_closed(conn, incident_id, reason=reason, source="user", at=iso(now)):
        return None
    row = store.get(conn, incident_id)
    return None if row is None else Change("closed", row, reason)


def incidents_file(paths: Paths) -> Path:
    return paths.data_dir / store.INCIDENTS_DB
