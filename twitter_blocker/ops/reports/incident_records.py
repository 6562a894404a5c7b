"""Reports built from incident records: ``incident list|show|close`` and ``postmortem N``.

A postmortem of record N takes its period, severity and timeline from what was
recorded: the record's own events (opened, seen with another detail, escalated,
closed) merged with the runs, failed calls, error log and backups of its period.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime

from ...config import Paths
from ...errors import InputError
from ...messages import EN, msg
from ...store import incidents as store
from ...store.db import parse_iso
from ...timefmt import utc_iso as iso_ms
from ..diagnosis.facts import known_secrets
from ..diagnosis.levels import LEVELS, SYMPTOMS, Level, Symptom
from .incident import IncidentFile, _duration, _stamp, _write_new, redact_report, template
from .incidents import Change, close_by_hand, incidents_file
from .timeline import Event, collect, events


@dataclass(frozen=True, slots=True)
class RecordView:
    incident: store.IncidentRow
    events: tuple[store.EventRow, ...]


def _open(paths: Paths) -> sqlite3.Connection:
    return store.open_incidents(incidents_file(paths))


def list_records(paths: Paths, limit: int = 100) -> list[store.IncidentRow]:
    if not incidents_file(paths).exists():
        return []
    conn = _open(paths)
    try:
        return store.all_rows(conn, limit)
    finally:
        conn.close()


def _missing(number: int) -> InputError:
    return InputError(
        msg("notify.no_incident", number=number),
        where=f"incident {number}",
        hint=msg("notify.no_incident.hint"),
    )


def show_record(paths: Paths, number: int) -> RecordView:
    if not incidents_file(paths).exists():
        raise _missing(number)
    conn = _open(paths)
    try:
        row = store.get(conn, number)
        if row is None:
            raise _missing(number)
        return RecordView(row, tuple(store.events(conn, number)))
    finally:
        conn.close()


def close_record(paths: Paths, number: int, now: datetime | None = None) -> Change | None:
    """Close by hand; None when it was closed already."""
    show_record(paths, number)  # a one-line error for an unknown number
    conn = _open(paths)
    try:
        moment = (now or datetime.now(UTC)).astimezone(UTC)
        # stored in English, as every stored value (shown in Japanese by ``i18n.tr``)
        return close_by_hand(conn, number, moment, EN["notify.closed_by_hand"])
    finally:
        conn.close()


def symptom_text(row: store.IncidentRow, lang: str) -> str:
    _, ja, en = SYMPTOMS[Symptom(row.symptom)]
    return ja if lang == "ja" else en


_KINDS_JA = {"opened": "発生", "seen": "再検出", "escalated": "エスカレーション", "closed": "解決"}


def _record_events(view: RecordView, ja: bool) -> list[Event]:
    out = []
    for event in view.events:
        kind = _KINDS_JA.get(event.kind, event.kind) if ja else event.kind
        out.append(
            Event(
                parse_iso(event.at),
                f"twitter-blocker {event.source}",
                f"incident #{view.incident.id} {kind}",
                event.detail,
            )
        )
    return out


def write_record_postmortem(
    paths: Paths, number: int, *, lang: str = "ja", now: datetime | None = None
) -> IncidentFile:
    """Write ``incidents/incident-N-postmortem.md`` from record N and its period's facts."""
    view = show_record(paths, number)
    row = view.incident
    ja = lang == "ja"
    current = (now or datetime.now(UTC)).astimezone(UTC)
    opened = parse_iso(row.opened_at)
    closed = parse_iso(row.closed_at) if row.closed_at else None
    window = collect(paths, opened, closed or current)
    timeline = _record_events(view, ja) + events(window, ja=ja)
    timeline.sort(key=lambda event: event.at)
    rows = [
        f"| {_stamp(e.at)} | {e.actor} | {e.action.replace('|', '/')} | "
        f"{e.result.replace('|', '/')} |"
        for e in timeline
    ]
    level = Level(row.level)
    incident_id = f"incident-{row.id}"
    samples = window.error_samples(3)
    direct = f"- {symptom_text(row, lang)}: {row.detail}\n" + "\n".join(
        f"- `{s.message}` x{s.count}" for s in samples
    )
    values = {
        "meta": json.dumps({"record": row.id, "written_at": iso_ms(current)}),
        "incident_id": f"#{row.id} ({row.condition})",
        "window_start": _stamp(opened),
        "resolved_at": _stamp(closed) if closed else ("未解決" if ja else "unresolved"),
        "duration": _duration(opened, closed or current, ja),
        "downtime": _duration(opened, closed, ja),
        "level_title": LEVELS[level].title_ja if ja else LEVELS[level].title_en,
        "direct_cause": direct.rstrip(),
        "timeline": "\n".join(rows),
        "affected_targets": str(window.affected_targets()),
        "data_impact": "[影響内容]" if ja else "[impact]",
        "incident_file": f"`{incidents_file(paths).name}` #{row.id}",
        "log_files": f"`{paths.log_file.name}`, `{paths.error_log.name}`",
    }
    text = redact_report(template("postmortem", lang).safe_substitute(values), known_secrets(paths))
    path = paths.incidents_dir / f"{incident_id}-postmortem.md"
    _write_new(path, text)
    return IncidentFile(incident_id, path, level, lang)
