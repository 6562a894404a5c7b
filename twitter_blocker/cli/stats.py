"""``--stats`` and ``--reset-retry``: where things stand, as rich tables or JSON."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import click
from rich.console import Console
from rich.table import Table

from ..config import Paths
from ..errors import EXIT_OK
from ..i18n import tr
from ..messages import msg
from ..proc.runlock import RunLock
from ..store.history import History
from ..store.models import Stats
from ..store.stats import EMPTY, action_stats, is_dry_run, stats_document
from ..timefmt import parse_utc
from .console import make_console


def _local(iso: str | None) -> str:
    if not iso:
        return "-"
    try:
        moment = parse_utc(iso)
    except ValueError:
        return iso
    return moment.astimezone().strftime("%Y-%m-%d %H:%M:%S %Z")


def _table(title: str, rows: dict[str, int]) -> Table:
    table = Table(title=tr(title), title_justify="left")
    table.add_column(tr("value"))
    table.add_column(tr("count"), justify="right")
    for key, value in sorted(rows.items(), key=lambda kv: (-kv[1], kv[0])):
        table.add_row(key, str(value))
    return table


def render(stats: Stats, console: Console) -> None:
    console.print(
        f"[bold]Targets[/bold]: {stats.total}   done: {stats.done}   "
        f"pending: {stats.pending}   permanent failures: {stats.permanent_failures}"
    )
    console.print(_table("By status", stats.by_status))
    console.print(_table("By user status", stats.by_user_status))
    console.print(_table("By reason", stats.by_reason))
    console.print(
        f"Retry candidates: {stats.retry_candidates} (due now: {stats.retry_due}); "
        f"attempts exhausted: {stats.retry_exhausted}; "
        f"block sent, unconfirmed: {stats.block_sent_unconfirmed}"
    )
    if stats.error_samples:
        errors = Table(title=tr("Recent errors"), title_justify="left")
        for column in ("http", "code", "message", "rows", "last (local time)"):
            errors.add_column(tr(column))
        for sample in stats.error_samples:
            errors.add_row(
                str(sample.http_status or "-"),
                str(sample.code or "-"),
                sample.message,
                str(sample.count),
                _local(sample.last_at),
            )
        console.print(errors)
    run = stats.last_run
    if run is not None:
        dry = is_dry_run(run)
        kind = "dry run (nothing blocked), " if dry else ""
        blocked = f"would block {run.blocked or 0}" if dry else f"blocked {run.blocked or 0}"
        console.print(
            f"Last run #{run.id}: {kind}{run.state}, started {_local(run.started_at)}, "
            f"ended {_local(run.ended_at)}, exit {run.exit_code}, reason {run.end_reason or '-'}; "
            f"{blocked}, skipped {run.skipped or 0}, failed {run.failed or 0}, "
            f"API calls {run.api_calls or 0}"
        )
    if stats.rate_limits:
        limits = Table(title=tr("Rate limits (last seen)"), title_justify="left")
        for column in ("operation", "remaining/limit", "resets (local time)"):
            limits.add_column(tr(column))
        now = datetime.now(UTC).timestamp()
        for state in stats.rate_limits:
            reset = datetime.fromtimestamp(state.reset_epoch, UTC).astimezone()
            when = reset.strftime("%H:%M:%S") if state.reset_epoch > now else tr("already reset")
            limits.add_row(state.operation, f"{state.remaining}/{state.limit}", when)
        console.print(limits)


def show_stats(paths: Paths, *, as_json: bool = False) -> int:
    acts: dict[str, Any] = {}
    if not paths.db.exists():
        click.echo(f"no database at {paths.db} yet: nothing has run here", err=True)
        if not as_json:
            return EXIT_OK
        stats = EMPTY  # scripts still get JSON to parse
    else:
        with History.open(paths.db) as history:
            stats = history.stats()
            acts = action_stats(history.conn)  # blocks and mutes apart, undone runs
    if as_json:
        payload = stats_document(stats, acts)  # the dashboard shows this same document
        click.echo(json.dumps(payload, indent=2, default=str))
    else:
        render(stats, make_console())
        if acts and any(acts["counts"].values()):
            click.echo(msg("stats.actions", **acts["counts"], undone=acts["undone_runs"] or "none"))
    return EXIT_OK


def reset_retry(paths: Paths) -> int:
    lock = RunLock(paths.lock_file, db_label=str(paths.db), db=paths.db)
    lock.acquire("reset-retry")
    try:
        with History.open(paths.db) as history:
            n = history.reset_attempts()
    finally:
        lock.release()
    click.echo(f"reset the attempt counts of {n} targets; all stay in the retry queue")
    return EXIT_OK
