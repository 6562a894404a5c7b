"""Incident records and the notification outbox, in ``incidents.db`` beside the ledger.

The records live in a file of their own in the data directory, not in
``block_history.db``: one of the conditions they record is damage to the ledger
itself (a malformed file takes no writes), and ``health`` must be able to record
an incident while a run holds the ledger's lock. Nothing here speaks HTTP.

Tables (migration ``0001_incidents`` of this file):
  incidents        one row per incident: its condition key, level, symptom, first
                   and last seen, escalation (once, with its time) and closing;
  incident_events  what happened to it, in order (the postmortem's timeline);
  outbox           notifications to deliver, one row per message and target (the
                   target is a hash of the URL: URLs may hold tokens, rows never do).
"""

from __future__ import annotations

import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from .db import Migration, open_database, transaction

INCIDENTS_DB = "incidents.db"

M001_INCIDENTS = Migration(
    1,
    "0001_incidents",
    (
        """CREATE TABLE incidents(
  id INTEGER PRIMARY KEY,
  condition TEXT NOT NULL,
  level INTEGER NOT NULL CHECK (level IN (1, 2, 3)),
  symptom TEXT NOT NULL,
  detail TEXT NOT NULL,
  source TEXT NOT NULL,
  opened_at TEXT NOT NULL,
  last_seen_at TEXT NOT NULL,
  seen INTEGER NOT NULL DEFAULT 1,
  escalated_at TEXT,
  escalation TEXT,
  closed_at TEXT,
  close_reason TEXT
)""",
        # one open incident per condition: seeing it again updates that row
        "CREATE UNIQUE INDEX idx_incidents_open ON incidents(condition) WHERE closed_at IS NULL",
        """CREATE TABLE incident_events(
  id INTEGER PRIMARY KEY,
  incident_id INTEGER NOT NULL REFERENCES incidents(id),
  at TEXT NOT NULL,
  kind TEXT NOT NULL,
  source TEXT NOT NULL,
  detail TEXT NOT NULL
)""",
        "CREATE INDEX idx_incident_events ON incident_events(incident_id, at)",
        """CREATE TABLE outbox(
  id INTEGER PRIMARY KEY,
  created_at TEXT NOT NULL,
  kind TEXT NOT NULL,
  incident_id INTEGER,
  target TEXT NOT NULL,
  title TEXT NOT NULL,
  body TEXT NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_at TEXT NOT NULL,
  last_error TEXT,
  sent_at TEXT
)""",
        "CREATE INDEX idx_outbox_pending ON outbox(sent_at, next_attempt_at)",
    ),
)

MIGRATIONS: tuple[Migration, ...] = (M001_INCIDENTS,)


@dataclass(frozen=True, slots=True)
class IncidentRow:
    id: int
    condition: str
    level: int
    symptom: str
    detail: str
    source: str
    opened_at: str
    last_seen_at: str
    seen: int
    escalated_at: str | None
    escalation: str | None
    closed_at: str | None
    close_reason: str | None


@dataclass(frozen=True, slots=True)
class EventRow:
    at: str
    kind: str  # opened | seen | escalated | closed
    source: str
    detail: str


@dataclass(frozen=True, slots=True)
class OutboxRow:
    id: int
    created_at: str
    kind: str
    incident_id: int | None
    target: str
    title: str
    body: str
    attempts: int


_COLUMNS = (
    "id, condition, level, symptom, detail, source, opened_at, last_seen_at, seen, "
    "escalated_at, escalation, closed_at, close_reason"
)


def open_incidents(path: Path) -> sqlite3.Connection:
    """Open (creating 0600 if needed) and migrate the incidents file."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))
    return open_database(path, MIGRATIONS)


def _row(values: tuple[object, ...]) -> IncidentRow:
    return IncidentRow(*values)  # type: ignore[arg-type]


def find_open(conn: sqlite3.Connection, condition: str) -> IncidentRow | None:
    row = conn.execute(
        f"SELECT {_COLUMNS} FROM incidents WHERE condition = ? AND closed_at IS NULL", (condition,)
    ).fetchone()
    return None if row is None else _row(row)


def open_rows(conn: sqlite3.Connection) -> list[IncidentRow]:
    query = f"SELECT {_COLUMNS} FROM incidents WHERE closed_at IS NULL ORDER BY id"
    return [_row(r) for r in conn.execute(query)]


def all_rows(conn: sqlite3.Connection, limit: int = 100) -> list[IncidentRow]:
    query = f"SELECT {_COLUMNS} FROM incidents ORDER BY id DESC LIMIT ?"
    return [_row(r) for r in conn.execute(query, (limit,))]


def get(conn: sqlite3.Connection, incident_id: int) -> IncidentRow | None:
    row = conn.execute(f"SELECT {_COLUMNS} FROM incidents WHERE id = ?", (incident_id,)).fetchone()
    return None if row is None else _row(row)


def events(conn: sqlite3.Connection, incident_id: int) -> list[EventRow]:
    rows = conn.execute(
        "SELECT at, kind, source, detail FROM incident_events WHERE incident_id = ? ORDER BY id",
        (incident_id,),
    )
    return [EventRow(str(a), str(k), str(s), str(d)) for a, k, s, d in rows]


def _event(
    conn: sqlite3.Connection, incident_id: int, at: str, kind: str, source: str, detail: str
) -> None:
    conn.execute(
        "INSERT INTO incident_events(incident_id, at, kind, source, detail) VALUES (?,?,?,?,?)",
        (incident_id, at, kind, source, detail),
    )


def insert(
    conn: sqlite3.Connection,
    *,
    condition: str,
    level: int,
    symptom: str,
    detail: str,
    source: str,
    at: str,
) -> int:
    with transaction(conn):
        cursor = conn.execute(
            "INSERT INTO incidents(condition, level, symptom, detail, source, opened_at,"
            " last_seen_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (condition, level, symptom, detail, source, at, at),
        )
        incident_id = int(cursor.lastrowid or 0)
        _event(conn, incident_id, at, "opened", source, detail)
    return incident_id


def seen_again(
    conn: sqlite3.Connection, incident_id: int, *, detail: str, source: str, at: str
) -> None:
    """The same condition seen again: last seen moves; an event only when the detail changed."""
    with transaction(conn):
        before = conn.execute("SELECT detail FROM incidents WHERE id = ?", (incident_id,))
        old = before.fetchone()
        conn.execute(
            "UPDATE incidents SET last_seen_at = ?, seen = seen + 1, detail = ? WHERE id = ?",
            (at, detail, incident_id),
        )
        if old is not None and str(old[0]) != detail:
            _event(conn, incident_id, at, "seen", source, detail)


def mark_escalated(
    conn: sqlite3.Connection, incident_id: int, *, reason: str, source: str, at: str
) -> bool:
    """Mark once: False when it was already escalated (or is closed)."""
    sql = (
        "UPDATE incidents SET escalated_at = ?, escalation = ? "
        "WHERE id = ? AND escalated_at IS NULL AND closed_at IS NULL"
    )
    return _mark(conn, sql, incident_id, "escalated", reason=reason, source=source, at=at)


def mark_closed(
    conn: sqlite3.Connection, incident_id: int, *, reason: str, source: str, at: str
) -> bool:
    sql = "UPDATE incidents SET closed_at = ?, close_reason = ? WHERE id = ? AND closed_at IS NULL"
    return _mark(conn, sql, incident_id, "closed", reason=reason, source=source, at=at)


def _mark(
    conn: sqlite3.Connection,
    sql: str,
    incident_id: int,
    kind: str,
    *,
    reason: str,
    source: str,
    at: str,
) -> bool:
    """Run ``sql`` (time, reason, id) and, when it changed the row, log the ``kind`` event."""
    with transaction(conn):
        changed = conn.execute(sql, (at, reason, incident_id)).rowcount
        if changed:
            _event(conn, incident_id, at, kind, source, reason)
    return bool(changed)


# --- the outbox ---------------------------------------------------------------------------


def enqueue(
    conn: sqlite3.Connection,
    *,
    kind: str,
    incident_id: int | None,
    targets: list[str],
    title: str,
    body: str,
    at: str,
) -> None:
    with transaction(conn):
        conn.executemany(
            "INSERT INTO outbox(created_at, kind, incident_id, target, title, body,"
            " next_attempt_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            [(at, kind, incident_id, target, title, body, at) for target in targets],
        )


def due(conn: sqlite3.Connection, now: str, limit: int = 50) -> list[OutboxRow]:
    rows = conn.execute(
        "SELECT id, created_at, kind, incident_id, target, title, body, attempts FROM outbox "
        "WHERE sent_at IS NULL AND next_attempt_at <= ? ORDER BY id LIMIT ?",
        (now, limit),
    )
    return [OutboxRow(*r) for r in rows]


def pending_count(conn: sqlite3.Connection) -> int:
    return int(conn.execute("SELECT COUNT(*) FROM outbox WHERE sent_at IS NULL").fetchone()[0])


def mark_sent(conn: sqlite3.Connection, outbox_id: int, at: str) -> None:
    with transaction(conn):
        conn.execute(
            "UPDATE outbox SET sent_at = ?, attempts = attempts + 1, last_error = NULL "
            "WHERE id = ?",
            (at, outbox_id),
        )


def mark_failed(conn: sqlite3.Connection, outbox_id: int, *, error: str, retry_at: str) -> None:
    with transaction(conn):
        conn.execute(
            "UPDATE outbox SET attempts = attempts + 1, last_error = ?, next_attempt_at = ? "
            "WHERE id = ?",
            (error, retry_at, outbox_id),
        )
