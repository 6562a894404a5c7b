"""Incident reports and postmortems (runbook "インシデント報告", "事後対応").

``new_incident`` writes ``incidents/INC-YYYYMMDD-NNN.md`` (NNN counts up per
UTC day) from the runbook's template, filled with what the tool knows: the time,
the level (given, or detected by ``diagnose``), symptoms and error messages
(diagnosis findings, attempts and ``error_log.jsonl`` of the look-back window),
which response steps already ran (a stop, a backup since the incident started,
this diagnosis), the system state and the data impact. ``write_postmortem``
fills the postmortem's timeline from process_log, attempts, error_log and
backups between the incident's start and now. Every text shown is masked.
Files are created 0600 (they describe the system) without overwriting.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from importlib import resources
from pathlib import Path
from string import Template

from ...config import Paths
from ...errors import InputError
from ...i18n import tr_lines
from ...messages import msg
from ...timefmt import utc_iso
from ..diagnosis.diagnose import Diagnosis
from ..diagnosis.facts import known_secrets
from ..diagnosis.levels import LEVELS, Level
from ..redact import redact
from .timeline import Event, Window, collect, events, parse_time

ID_PATTERN = re.compile(r"^INC-(\d{8})-(\d{3,})$")
META_PATTERN = re.compile(r"<!-- twitter-blocker incident: (\{.*?\}) -->")
DEFAULT_LOOKBACK = timedelta(hours=1)
LANGS = ("ja", "en")


@dataclass(frozen=True, slots=True)
class IncidentFile:
    incident_id: str
    path: Path
    level: Level
    lang: str


def template(name: str, lang: str) -> Template:
    text = resources.files("twitter_blocker.ops").joinpath(f"templates/{name}.{lang}.md")
    return Template(text.read_text(encoding="utf-8"))


def next_id(folder: Path, day: datetime) -> str:
    stamp = day.astimezone(UTC).strftime("%Y%m%d")
    numbers = [0]
    if folder.is_dir():
        for item in folder.glob(f"INC-{stamp}-*.md"):
            match = ID_PATTERN.match(item.stem)
            if match:
                numbers.append(int(match.group(2)))
    return f"INC-{stamp}-{max(numbers) + 1:03d}"


def _write_new(path: Path, text: str) -> None:
    """Create ``path`` (0600) and fail rather than overwrite a report someone may have edited."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise InputError(
            "already exists; this command never overwrites a report",
            where=str(path),
            hint="move it aside first if you want it written again",
        ) from None
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)


def _bullets(items: list[str], empty: str) -> str:
    return "\n".join(f"  - {item}" for item in items) if items else f"  - {empty}"


def _step(step: str) -> str:
    """Commands in backticks, advice as plain text."""
    is_command = step.split(" ", 1)[0] in ("twitter-blocker", "python3", "chmod")
    return f"`{step}`" if is_command else step


def _stamp(moment: datetime | None) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S") if moment else "-"


def _system_state(report: Diagnosis, ja: bool) -> str:
    if report.level is None:
        return "正常" if ja else "normal"
    if report.process.running:
        return "部分動作" if ja else "partly working"
    return "停止中" if ja else "stopped"


def _data_impact(report: Diagnosis, ja: bool) -> str:
    db = report.db
    if db.exists and not db.ok:
        return ("あり（整合性チェック失敗: " if ja else "yes (integrity check failed: ") + (
            "; ".join(db.integrity[:3]) + ")"
        )
    if not db.exists:
        return "不明（データベースなし）" if ja else "unknown (no database)"
    if db.duplicates or db.unverified_intents:
        note = f"duplicates {db.duplicates}, unconfirmed blocks {db.unverified_intents}"
        return f"軽微（{note}）" if ja else f"minor ({note})"
    return "なし（整合性チェック ok）" if ja else "none (integrity check ok)"


def _actions_done(report: Diagnosis, window: Window, ja: bool) -> str:
    stops = window.stopped_runs
    stop_note = ", ".join(f"run #{r.id} {r.ended_at}" for r in stops)
    backup_note = ", ".join(f"`{b.path}`" for b in window.backups)
    rows = [
        (
            bool(stops),
            ("緊急停止実行" if ja else "emergency stop") + (f" ({stop_note})" if stops else ""),
        ),
        (
            bool(window.backups),
            ("バックアップ作成" if ja else "backup taken")
            + (f" ({backup_note})" if window.backups else ""),
        ),
        (True, ("問題診断実行" if ja else "diagnosis run") + f" ({report.at})"),
    ]
    return "\n".join(f"- [{'x' if done else ' '}] {text}" for done, text in rows)


def _diagnosis_summary(report: Diagnosis) -> str:
    lines = ["```text"]
    for fact in report.files:
        absent = "missing" if fact.required else "none yet"
        size = f"{fact.size} bytes" if fact.exists else absent
        mode = f", mode {fact.mode}" if fact.mode else ""
        lines.append(f"{fact.label:<16} {fact.path}: {size}{mode}")
    lines.append(f"disk             {report.disk.percent:.1f}% used")
    lines.append(f"memory           {report.memory.percent:.1f}% used")
    integrity = "ok" if report.db.ok else "; ".join(report.db.integrity[:3]) or "-"
    counts = ", ".join(f"{status} {n}" for status, n in sorted(report.db.by_status.items()))
    lines.append(f"database         {integrity}; rows: {counts or 'none'}")
    running = f"pid {report.process.pid} since {report.process.started_at}"
    lines.append(f"process          {running if report.process.running else 'no run active'}")
    lines.append(f"network          {report.network.api_base}: {report.network.detail}")
    lines.append(f"auth             {report.auth.state.value}: {report.auth.detail}")
    for op in report.rate.operations:
        reset = _stamp(datetime.fromtimestamp(op.reset_epoch, UTC)) if op.reset_epoch else "-"
        state = " (fresh)" if op.fresh else ""
        lines.append(
            f"rate             {op.operation}: {op.remaining}/{op.limit} reset {reset} UTC{state}"
        )
    lines.append("```")
    if report.log_tail:
        lines += ["", "```text", *report.log_tail[-20:], "```"]
    return redact("\n".join(lines))


def new_incident(
    paths: Paths,
    report: Diagnosis,
    *,
    level: int | None = None,
    lang: str = "ja",
    since: datetime | None = None,
    reporter: str | None = None,
    now: datetime | None = None,
) -> IncidentFile:
    """Write a new incident report; ``level`` None means the detected one (3 when none)."""
    if lang not in LANGS:
        raise InputError(f"unknown language {lang!r}", where="--lang", hint="use ja or en")
    if level is not None and level not in (1, 2, 3):
        raise InputError(msg("ops.incident.bad_level"), where="--level")
    current = (now or datetime.now(UTC)).astimezone(UTC)
    start = (since or current - DEFAULT_LOOKBACK).astimezone(UTC)
    chosen = Level(level) if level is not None else (report.level or Level.MEDIUM)
    window = collect(paths, start, current)
    ja = lang == "ja"
    info = LEVELS[chosen]
    incident_id = next_id(paths.incidents_dir, current)
    started_at = window.first_problem() or current
    symptoms = [f"{f.symptom_text(lang)}: {f.detail}" for f in report.findings]
    errors = [
        f"`{s.message}` x{s.count} ({_stamp(s.first)} - {_stamp(s.last)})"
        for s in window.error_samples()
    ]
    eta = "[予想時間]" if ja else "[estimate]"
    if report.rate.wait_until is not None:
        reset = _stamp(datetime.fromtimestamp(report.rate.wait_until, UTC))
        eta = (
            f"レート制限解除 {reset} UTC 以降"
            if ja
            else f"after the rate window resets at {reset} UTC"
        )
    scope = ", ".join(f.symptom_text(lang) for f in report.findings) or (
        "[影響を受ける機能・ユーザー]" if ja else "[affected functions and targets]"
    )
    if window.affected_targets():
        scope += f" ({window.affected_targets()} targets with failed calls)"
    meta = {
        "id": incident_id,
        "level": int(chosen),
        "detected_level": int(report.level) if report.level is not None else None,
        "created_at": utc_iso(current),
        "started_at": utc_iso(started_at),
        "window_start": utc_iso(start),
        "lang": lang,
    }
    steps = [step for step in report.steps if not step.startswith("twitter-blocker incident new")]
    escalate_now = ""
    if report.escalate_now:
        escalate_now = (
            "- **即座エスカレーション**: 必要（データ消失・セキュリティ侵害疑い・復旧方法不明）"
            if ja
            else "- **Escalate now**: required (data loss, suspected breach or unknown recovery)"
        )
    values = {
        "meta": json.dumps(meta, ensure_ascii=False),
        "incident_id": incident_id,
        "started_at": _stamp(started_at),
        "created_at": _stamp(current),
        "reporter": redact(reporter) if reporter else ("[名前]" if ja else "[name]"),
        "level_title": info.title_ja if ja else info.title_en,
        "impact_scope": scope,
        "symptoms": _bullets(symptoms, "[具体的な症状]" if ja else "[what happens]"),
        "error_messages": _bullets(errors, "（記録なし）" if ja else "(none recorded)"),
        "actions_done": _actions_done(report, window, ja),
        "system_state": _system_state(report, ja),
        "data_impact": _data_impact(report, ja),
        "eta": eta,
        "response_time": info.response_ja if ja else info.response_en,
        "owner": info.owner_ja if ja else info.owner_en,
        "escalation": info.escalation_ja if ja else info.escalation_en,
        "escalate_now": escalate_now,
        "next_steps": "\n".join(f"{n}. {_step(s)}" for n, s in enumerate(steps, 1))
        or ("1. [次に実行予定のアクション]" if ja else "1. [next action]"),
        "log_files": f"`{paths.log_file.name}`, `{paths.error_log.name}`",
        "diagnosis": _diagnosis_summary(report),
    }
    text = template("incident", lang).safe_substitute(values)
    text = redact_report(tr_lines(text, lang), known_secrets(paths))  # no English cells in ja
    path = paths.incidents_dir / f"{incident_id}.md"
    _write_new(path, text)
    return IncidentFile(incident_id, path, chosen, lang)


def redact_report(text: str, secrets: tuple[str, ...] = ()) -> str:
    """Mask secrets everywhere except in the metadata comment (which holds none)."""
    lines = text.splitlines(keepends=True)
    return "".join(
        line if line.startswith("<!-- twitter-blocker") else redact(line, secrets) for line in lines
    )


def read_meta(paths: Paths, incident_id: str) -> dict[str, object]:
    path = paths.incidents_dir / f"{incident_id}.md"
    if not ID_PATTERN.match(incident_id) or not path.is_file():
        raise InputError(
            msg("ops.incident.bad_id", incident_id=incident_id, folder=paths.incidents_dir),
            where=incident_id,
            hint=msg("ops.incident.bad_id.hint"),
        )
    match = META_PATTERN.search(path.read_text(encoding="utf-8"))
    if match is None:
        raise InputError("the report has no twitter-blocker metadata line", where=str(path))
    data = json.loads(match.group(1))
    if not isinstance(data, dict):
        raise InputError("the report's metadata line is not an object", where=str(path))
    return data


def _duration(start: datetime, end: datetime | None, ja: bool) -> str:
    if end is None:
        return "未解決" if ja else "unresolved"
    minutes = max(0, int((end - start).total_seconds() // 60))
    return f"{minutes // 60}時間{minutes % 60}分" if ja else f"{minutes // 60} h {minutes % 60} min"


def write_postmortem(
    paths: Paths,
    incident_id: str,
    *,
    lang: str | None = None,
    now: datetime | None = None,
) -> IncidentFile:
    """Write ``incidents/<id>-postmortem.md`` with the timeline of the incident window."""
    meta = read_meta(paths, incident_id)
    chosen_lang = lang or str(meta.get("lang") or "ja")
    if chosen_lang not in LANGS:
        raise InputError(f"unknown language {chosen_lang!r}", where="--lang", hint="use ja or en")
    ja = chosen_lang == "ja"
    current = (now or datetime.now(UTC)).astimezone(UTC)
    start = parse_time(meta.get("window_start")) or current - DEFAULT_LOOKBACK
    started = parse_time(meta.get("started_at")) or start
    level = Level(int(str(meta.get("level") or 3)))
    window = collect(paths, start, current)
    created = parse_time(meta.get("created_at"))
    timeline = events(window, ja=ja)
    if created is not None:
        action = f"インシデント報告 {incident_id}" if ja else f"incident new {incident_id}"
        timeline.append(Event(created, "twitter-blocker", action, "作成" if ja else "written"))
    timeline.sort(key=lambda event: event.at)  # the report's own row among the others
    rows = [
        f"| {_stamp(e.at)} | {e.actor} | {e.action.replace('|', '/')} | {e.result} |"
        for e in timeline
    ]
    finished = [r for r in window.runs if r.status == "done" and r.exit_code == 0]
    resolved = min(
        (t for r in finished if (t := parse_time(r.ended_at)) is not None and t >= started),
        default=None,
    )
    samples = window.error_samples(3)
    direct = "\n".join(f"- `{s.message}` x{s.count}" for s in samples) or (
        "[問題の直接的な原因]" if ja else "[the direct cause]"
    )
    values = {
        "meta": json.dumps({"id": incident_id, "written_at": utc_iso(current)}),
        "incident_id": incident_id,
        "window_start": _stamp(started),
        "resolved_at": _stamp(resolved) if resolved else ("未解決" if ja else "unresolved"),
        "duration": _duration(started, resolved or current, ja),
        "downtime": _duration(started, resolved, ja),
        "level_title": LEVELS[level].title_ja if ja else LEVELS[level].title_en,
        "direct_cause": direct,
        "timeline": "\n".join(rows) or "| - | - | - | - |",
        "affected_targets": str(window.affected_targets()),
        "data_impact": "[影響内容]" if ja else "[impact]",
        "incident_file": f"`incidents/{incident_id}.md`",
        "log_files": f"`{paths.log_file.name}`, `{paths.error_log.name}`",
    }
    text = template("postmortem", chosen_lang).safe_substitute(values)
    text = redact_report(tr_lines(text, chosen_lang), known_secrets(paths))
    path = paths.incidents_dir / f"{incident_id}-postmortem.md"
    _write_new(path, text)
    return IncidentFile(incident_id, path, level, chosen_lang)
