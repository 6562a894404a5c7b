"""`twitter-blocker incident list|show N|close N`: the records (ops/reports/incidents.py)."""

from __future__ import annotations

import click

from ..config import Paths
from ..messages import language, msg
from ..ops.reports.incident_records import close_record, list_records, show_record, symptom_text
from ..store.incidents import IncidentRow
from .errors import handle_errors
from .notify_opts import notify_option, notify_urls
from .options import echo_json, json_option, path_options


def _state(row: IncidentRow) -> str:
    if row.closed_at:
        return "closed"
    return "ESCALATED" if row.escalated_at else "open"


def _when(text: str | None) -> str:
    return (text or "-")[:19].replace("T", " ")


@click.command("list")
@click.option("--limit", type=click.IntRange(min=1), default=50, show_default=True)
@json_option
@path_options
@handle_errors
def list_command(paths: Paths, limit: int, as_json: bool) -> None:
    """The incident records, newest first: level, condition, first and last seen, state."""
    rows = list_records(paths, limit)
    if as_json:
        echo_json(rows)
        return
    if not rows:
        click.echo(msg("notify.list_empty"))
        return
    click.echo(f"{'#':>4}  L  {'state':<9} {'condition':<16} {'opened (UTC)':<19}  last seen")
    for row in rows:
        click.echo(
            f"{row.id:>4}  {row.level}  {_state(row):<9} {row.condition:<16} "
            f"{_when(row.opened_at):<19}  {_when(row.last_seen_at)}"
        )


@click.command("show")
@click.argument("number", type=click.IntRange(min=1), metavar="N")
@click.option("--lang", type=click.Choice(["ja", "en"]), default="en", show_default=True)
@json_option
@path_options
@handle_errors
def show_command(paths: Paths, number: int, lang: str, as_json: bool) -> None:
    """One incident record and everything that happened to it."""
    view = show_record(paths, number)
    if as_json:
        echo_json(view)
        return
    row = view.incident
    shown = language() if lang == "en" else lang  # the default follows the interface
    click.echo(
        f"incident #{row.id}: level {row.level}, {symptom_text(row, shown)} ({row.condition})"
    )
    click.echo(f"state       {_state(row)}")
    click.echo(f"detail      {row.detail}")
    click.echo(f"opened      {_when(row.opened_at)} UTC by {row.source}")
    click.echo(f"last seen   {_when(row.last_seen_at)} UTC ({row.seen} checks)")
    if row.escalated_at:
        click.echo(f"escalated   {_when(row.escalated_at)} UTC ({row.escalation})")
    if row.closed_at:
        click.echo(f"closed      {_when(row.closed_at)} UTC ({row.close_reason})")
    for event in view.events:
        click.echo(f"  {_when(event.at)}  {event.kind:<9} {event.source:<8} {event.detail}")


@click.command("close")
@click.argument("number", type=click.IntRange(min=1), metavar="N")
@notify_option
@path_options
@handle_errors
def close_command(paths: Paths, number: int, notify: tuple[str, ...]) -> None:
    """Close an incident by hand (it also closes itself once a check no longer sees it)."""
    urls = notify_urls(paths, notify)
    change = close_record(paths, number)
    if change is None:
        click.echo(f"incident #{number} was already closed")
        return
    click.echo(f"incident #{number} closed")
    if urls:
        from ..ops.reports.notify import send_changes

        send_changes(paths, [change], urls)
