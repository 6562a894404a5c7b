"""What happened in a time window: runs, failed calls, error-log entries, backups, stops.

Used by the incident report (symptoms, error messages, which response steps ran)
and by the postmortem (its timeline table). Read-only; every message is masked.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from ...config import Paths
from ...store import readmodel as dbfacts
from ...timefmt import parse_utc, utc_iso
from ...x.models import Outcome
from ..redact import redact

MAX_EVENTS = 200


def parse_time(value: object) -> datetime | None:
    """An ISO string (``Z`` or offset) or epoch seconds, as an aware UTC datetime."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return datetime.fromtimestamp(float(value), UTC)
    if isinstance(value, str) and value:
        try:
            return parse_utc(value)
        except ValueError:
            return None
    return None


@dataclass(frozen=True, slots=True)
class Event:
    at: datetime
    actor: str  # "run #3", "twitter-blocker", "X"
    action: str
    result: str


@dataclass(frozen=True, slots=True)
class ErrorSample:
    message: str  # masked
    count: int
    first: datetime
    last: datetime


@dataclass(frozen=True, slots=True)
class Backup:
    path: str
    at: datetime


@dataclass(frozen=True, slots=True)
class Window:
    """Everything recorded in [start, end]."""

    start: datetime
    end: datetime
    runs: list[dbfacts.RunInfo]
    failed_attempts: list[dbfacts.AttemptRow]
    error_entries: list[dict[str, object]]
    backups: list[Backup]
    last_ok_at: datetime | None  # the newest accepted call in the window

    @property
    def stopped_runs(self) -> list[dbfacts.RunInfo]:
        """Runs that ended interrupted (exit 75) in the window: a stop happened."""
        return [
            run
            for run in self.runs
            if (run.status == "interrupted" or run.exit_code == 75)
            and (t := parse_time(run.ended_at)) is not None
            and self.start <= t <= self.end
        ]

    def first_problem(self) -> datetime | None:
        times = [t for a in self.failed_attempts if (t := parse_time(a.at)) is not None]
        times += [t for e in self.error_entries if (t := parse_time(e.get("at"))) is not None]
        return min(times, default=None)

    def affected_targets(self) -> int:
        return len({a.user_id for a in self.failed_attempts if a.user_id})

    def error_samples(self, limit: int = 10) -> list[ErrorSample]:
        seen: dict[str, list[datetime]] = {}
        rows: list[tuple[str, datetime | None]] = [
            (_describe_attempt(a), parse_time(a.at)) for a in self.failed_attempts
        ]
        rows += [(_describe_entry(e), parse_time(e.get("at"))) for e in self.error_entries]
        for text, at in rows:
            if at is not None:
                seen.setdefault(text, []).append(at)
        counts = Counter({text: len(times) for text, times in seen.items()})
        return [
            ErrorSample(text, count, min(seen[text]), max(seen[text]))
            for text, count in counts.most_common(limit)
        ]


def _describe_attempt(a: dbfacts.AttemptRow) -> str:
    parts = [a.operation or "?", f"HTTP {a.http_status}" if a.http_status else "no response"]
    if a.code is not None:
        parts.append(f"code {a.code}")
    parts.append(a.outcome or "?")
    text = " ".join(parts)
    return redact(f"{text}: {a.message}" if a.message else text)


def _describe_entry(entry: dict[str, object]) -> str:
    parts = [str(entry.get("operation") or "?")]
    if entry.get("http_status"):
        parts.append(f"HTTP {entry.get('http_status')}")
    if entry.get("code") is not None:
        parts.append(f"code {entry.get('code')}")
    parts.append(str(entry.get("outcome") or "error"))
    message = entry.get("message") or entry.get("error")
    text = " ".join(parts)
    return redact(f"{text}: {message}" if message else text)


def read_error_log(path: Path, start: datetime, end: datetime) -> list[dict[str, object]]:
    """Entries of error_log.jsonl whose time lies in [start, end] (bad lines are skipped)."""
    entries: list[dict[str, object]] = []
    try:
        handle = path.open(encoding="utf-8", errors="replace")
    except OSError:
        return entries
    with handle:
        for line in handle:
            try:
                entry = json.loads(line)
            except ValueError:
                continue
            if not isinstance(entry, dict):
                continue
            at = parse_time(entry.get("at") or entry.get("time") or entry.get("ts"))
            if at is not None and start <= at <= end:
                entry["at"] = utc_iso(at)
                entries.append(entry)
    return entries


def find_backups(paths: Paths, start: datetime, end: datetime) -> list[Backup]:
    """Backup folders (emergency and hourly) written in [start, end], by modification time."""
    found: list[Backup] = []
    candidates = [*paths.data_dir.glob("emergency_backup_*"), *paths.backup_dir.glob("auto_*")]
    for folder in candidates:
        try:
            if not folder.is_dir() or folder.is_symlink():
                continue
            at = datetime.fromtimestamp(folder.stat().st_mtime, UTC)
        except OSError:
            continue
        if start <= at <= end:
            shown = folder.relative_to(paths.data_dir)
            found.append(Backup(str(shown), at))
    return sorted(found, key=lambda item: item.at)


def collect(paths: Paths, start: datetime, end: datetime) -> Window:
    since, until = utc_iso(start), utc_iso(end)
    with dbfacts.open_readonly(paths.db) as conn:
        if conn is None:
            runs: list[dbfacts.RunInfo] = []
            failed: list[dbfacts.AttemptRow] = []
            last_ok = None
        else:
            runs = [r for r in dbfacts.runs_since(conn, since) if (r.started_at or "") <= until]
            failed = dbfacts.attempts_between(conn, since, until, failures_only=True)
            ok = [
                a for a in dbfacts.attempts_between(conn, since, until) if a.outcome == Outcome.OK
            ]
            last_ok = parse_time(ok[-1].at) if ok else None
    return Window(
        start=start,
        end=end,
        runs=runs,
        failed_attempts=failed,
        error_entries=read_error_log(paths.error_log, start, end),
        backups=find_backups(paths, start, end),
        last_ok_at=last_ok,
    )


# Run states as the Japanese reports name them (machine words stay as they are in English).
_STATUS_JA = {"done": "完了", "interrupted": "中断", "failed": "失敗", "running": "実行中"}


def events(window: Window, *, ja: bool = False) -> list[Event]:
    """The window as a timeline: runs, failed calls grouped per minute, backups. Oldest first.

    ``ja`` words the actor, action and result cells in Japanese (the runbook's language).
    """
    out: list[Event] = []
    for run in window.runs:
        actor = f"実行 #{run.id}" if ja else f"run #{run.id}"
        started = parse_time(run.started_at)
        if started is not None and started >= window.start:
            command = f"`{redact(run.command or '')}`"
            action = f"開始 {command}" if ja else f"started {command}"
            out.append(Event(started, actor, action, "-"))
        ended = parse_time(run.ended_at)
        if ended is not None:
            reason = run.end_reason or "-"
            counts = (run.blocked, run.skipped, run.failed)
            if ja:
                status = _STATUS_JA.get(run.status or "", run.status or "-")
                result = f"{status}、終了コード {run.exit_code}、理由 `{reason}`"
                action = "終了（ブロック {}、スキップ {}、失敗 {}）".format(*counts)
            else:
                result = f"{run.status}, exit {run.exit_code}, {reason}"
                action = "ended (blocked {}, skipped {}, failed {})".format(*counts)
            out.append(Event(ended, actor, action, result))
    groups: dict[tuple[str, str], list[datetime]] = {}
    for attempt in window.failed_attempts:
        at = parse_time(attempt.at)
        if at is None:
            continue
        key = (at.strftime("%Y-%m-%d %H:%M"), _describe_attempt(attempt))
        groups.setdefault(key, []).append(at)
    for (_, text), times in groups.items():
        if ja:
            count = f"{len(times)} 回: " if len(times) > 1 else ""
            out.append(Event(min(times), "X", f"{count}`{text}`", "API 呼び出し失敗"))
        else:
            count = f"{len(times)} x " if len(times) > 1 else ""
            out.append(Event(min(times), "X", f"{count}{text}", "failed call"))
    for backup in window.backups:
        action = f"バックアップ `{backup.path}`" if ja else f"backup `{backup.path}`"
        out.append(Event(backup.at, "twitter-blocker", action, "作成" if ja else "written"))
    out.sort(key=lambda event: event.at)
    return out[:MAX_EVENTS]
