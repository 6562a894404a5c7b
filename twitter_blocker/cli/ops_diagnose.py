"""`twitter-blocker diagnose`: the runbook's emergency diagnosis as one read-only command."""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime

import click

from ..config import Paths
from ..messages import language, msg
from ..ops.diagnosis.diagnose import Diagnosis
from ..ops.diagnosis.diagnose import diagnose as run_diagnosis
from ..ops.diagnosis.facts import known_secrets
from ..ops.diagnosis.levels import LEVELS
from ..ops.redact import redact
from ..proc.facts import since
from .errors import handle_errors
from .notify_opts import after_diagnosis, notify_option, notify_urls
from .options import api_base_option, jsonable, many_data_dirs, path_options


def _size(count: int) -> str:
    value = float(count)
    for unit in ("B", "KB", "MB", "GB", "TB"):
        if value < 1024 or unit == "TB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{count} B"


def _local(epoch: float) -> str:
    utc = datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
    local = datetime.fromtimestamp(epoch).astimezone().strftime("%H:%M:%S %Z")
    return f"{utc} ({local})"


def sections(report: Diagnosis) -> list[tuple[str, list[str]]]:
    """The diagnosis as titled groups of lines (shared by the text and markdown formats)."""
    out: list[tuple[str, list[str]]] = []
    disk = report.disk
    out.append(
        (
            "Disk",
            [
                f"{disk.path}: {disk.percent:.1f}% used, {_size(disk.free)} free "
                f"of {_size(disk.total)}"
            ],
        )
    )
    lines = []
    for fact in report.files:
        if not fact.exists:
            state = "missing " if fact.required else "none yet"
            lines.append(f"{state} {fact.label}: {fact.path}")
            continue
        extra = f", {fact.entries} files" if fact.entries is not None else ""
        mode = f", mode {fact.mode}" if fact.mode else ""
        lines.append(f"ok       {fact.label}: {fact.path} ({_size(fact.size)}{extra}{mode})")
    out.append(("Important files", lines))
    db = report.db
    if not db.exists:
        db_lines = ["no database yet"]
    else:
        verdict = "intact (integrity_check ok)" if db.ok else "DAMAGED: " + "; ".join(db.integrity)
        counts = ", ".join(f"{k} {v}" for k, v in sorted(db.by_status.items())) or "no rows"
        db_lines = [verdict, f"rows by status: {counts}"]
        if db.last_run is not None:
            run = db.last_run
            db_lines.append(
                f"last run #{run.id}: {run.status}, exit {run.exit_code}, "
                f"{run.end_reason or '-'}, started {run.started_at}, ended {run.ended_at or '-'}"
            )
    out.append(("Database", db_lines))
    proc = report.process
    mem = report.memory
    proc_lines = [f"memory {mem.percent:.1f}% used, {_size(mem.available)} available"]
    if proc.running:
        rss = f", {_size(proc.rss_bytes)} resident" if proc.rss_bytes else ""
        age = since(proc.started_at)
        running_for = f", running for {age / 60:.0f} min" if age is not None else ""
        proc_lines.append(
            f"a run is active: pid {proc.pid} since {proc.started_at}{running_for} "
            f"({proc.command}){rss}"
        )
    else:
        proc_lines.append("no run is active")
        if proc.stale_lock_file:
            proc_lines.append(f"stale lock file names dead pid {proc.pid} (harmless)")
    for other in proc.others:
        proc_lines.append(f"other tool process (not ours to stop): {other.pid} {other.command}")
    out.append(("Memory and processes", proc_lines))
    net = report.network
    state = "reachable" if net.reachable else "UNREACHABLE"
    out.append(("Network", [f"{net.api_base}: {state} ({net.detail})"]))
    auth = report.auth
    source = "live call" if auth.live else "recorded runs"
    out.append(("Authentication", [f"{auth.state.value} ({source}): {auth.detail}"]))
    rate = report.rate
    rate_lines = []
    for op in rate.operations:
        reset = _local(op.reset_epoch) if op.reset_epoch else "-"
        flag = "  SPENT" if op.exhausted else ("  fresh (already reset)" if op.fresh else "")
        rate_lines.append(f"{op.operation}: {op.remaining}/{op.limit}, reset {reset}{flag}")
    if rate.last_429 is not None:
        rate_lines.append(f"last 429: {rate.last_429.operation} at {rate.last_429.at}")
    out.append(("Rate limits", rate_lines or [msg("ops.ratelimit.none")]))
    out.append(("Last log lines", report.log_tail or ["(no log file)"]))
    verdict_lines: list[str] = []
    if report.level is None:
        verdict_lines.append(msg("ops.diagnose.healthy"))
    else:
        info = LEVELS[report.level]
        ja = language() == "ja"
        verdict_lines.append(
            msg(
                "ops.diagnose.level",
                title=info.title_ja if ja else f"{info.title_ja} / {info.title_en}",
                response=info.response_ja if ja else info.response_en,
                escalation=info.escalation_ja if ja else info.escalation_en,
            )
        )
        for finding in report.findings:
            verdict_lines.append(
                f"L{int(finding.level)} {finding.symptom_text('ja')} "
                f"({finding.symptom_text('en')}): {finding.detail}"
            )
        if report.escalate_now:
            verdict_lines.append(msg("ops.diagnose.escalate_now"))
    out.append(("Verdict", verdict_lines))
    out.append(("Next steps", report.steps or ["nothing to do"]))
    return out


def render_text(report: Diagnosis) -> str:
    lines = [f"diagnosis of {report.data_dir} at {report.at}"]
    for title, body in sections(report):
        lines.append(f"\n== {title} ==")
        lines.extend(f"  {line}" for line in body)
    return "\n".join(lines)


def render_markdown(report: Diagnosis) -> str:
    lines = [f"# Diagnosis of `{report.data_dir}`", "", f"- time (UTC): {report.at}"]
    for title, body in sections(report):
        lines += ["", f"## {title}", ""]
        if title == "Last log lines":
            lines += ["```", *body, "```"]
        elif title == "Next steps":
            lines += [f"{n}. `{step}`" for n, step in enumerate(body, 1)]
        else:
            lines += [f"- {line}" for line in body]
    return "\n".join(lines) + "\n"


def as_data(report: Diagnosis) -> dict[str, object]:
    data: dict[str, object] = jsonable(report)
    data["level"] = int(report.level) if report.level is not None else None
    data["findings"] = [
        {
            "level": int(f.level),
            "symptom": f.symptom.value,
            "symptom_ja": f.symptom_text("ja"),
            "detail": f.detail,
            "steps": list(f.steps),
        }
        for f in report.findings
    ]
    return data


@click.command()
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "markdown", "json"]),
    default="text",
    show_default=True,
    help="Output format.",
)
@click.option("--json", "as_json", is_flag=True, help="Same as --format json.")
@click.option("--live", is_flag=True, help="Also make one cheap authenticated call (Viewer).")
@click.option(
    "--probe-timeout",
    type=click.FloatRange(min=0.1),
    default=3.0,
    show_default=True,
    help="Seconds for the API reachability probe.",
)
@notify_option
@path_options
@many_data_dirs
@api_base_option
@handle_errors
def diagnose(
    paths: Paths,
    more_paths: tuple[Paths, ...],
    api_base: str,
    fmt: str,
    as_json: bool,
    live: bool,
    probe_timeout: float,
    notify: tuple[str, ...],
) -> None:
    """Emergency diagnosis (runbook 問題診断): files, db, processes, logs, network, auth, limits.

    Read-only for the ledger and the cookies. Prints the incident level (レベル1/2/3) and the
    next steps; what it finds opens or updates incident records in incidents.db.
    Exit 0 when nothing is wrong, 1 when a problem was found.
    """
    if more_paths:  # several accounts: one row each (cli/accounts_views.py)
        from .accounts_views import diagnose_many, named

        accounts = named([paths, *more_paths])
        as_json = as_json or fmt == "json"
        sys.exit(diagnose_many(accounts, api_base, as_json, live=live, probe_timeout=probe_timeout))
    urls = notify_urls(paths, notify)
    report = run_diagnosis(paths, api_base, live=live, probe_timeout=probe_timeout)
    if as_json or fmt == "json":
        text = json.dumps(as_data(report), indent=2, ensure_ascii=False) + "\n"
    elif fmt == "markdown":
        text = render_markdown(report)
    else:
        text = render_text(report) + "\n"
    # a last mask over everything shown: the patterns plus the current cookie values
    click.echo(redact(text, known_secrets(paths)), nl=False)
    after_diagnosis(paths, report, urls)  # incident records and notifications; never raises
    sys.exit(0 if report.level is None else 1)
