"""`twitter-blocker incident new|postmortem` (runbook インシデント報告, 事後対応)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import click

from ..config import Paths
from ..errors import InputError
from ..messages import msg
from ..ops.diagnosis.diagnose import diagnose
from ..ops.reports.incident import DEFAULT_LOOKBACK, new_incident, write_postmortem
from ..ops.reports.incident_records import show_record, write_record_postmortem
from ..timefmt import parse_utc
from .errors import handle_errors
from .options import api_base_option, echo_json, json_option, path_options

_SPAN = re.compile(r"^(\d+(?:\.\d+)?)([mhd])$")
_UNITS = {"m": 60.0, "h": 3600.0, "d": 86400.0}


def _since(value: str | None, now: datetime) -> datetime:
    if value is None:
        return now - DEFAULT_LOOKBACK
    match = _SPAN.match(value.strip())
    if match:
        return now - timedelta(seconds=float(match.group(1)) * _UNITS[match.group(2)])
    try:
        moment = parse_utc(value)
    except ValueError:
        raise InputError(
            f"cannot read {value!r}", where="--since", hint="use 90m, 2h, 1d or an ISO UTC time"
        ) from None
    return moment


@click.group()
def incident() -> None:
    """Write incident reports and postmortems from the runbook's templates."""


@incident.command("new")
@click.option(
    "--level",
    type=click.IntRange(1, 3),
    default=None,
    help="Severity 1-3 [default: the level diagnose detects, 3 when none].",
)
@click.option(
    "--lang", type=click.Choice(["ja", "en"]), default="ja", show_default=True, help="Language."
)
@click.option(
    "--since",
    metavar="SPAN|TIME",
    default=None,
    help="Start of the incident window: 90m, 2h, 1d or an ISO UTC time [default: 1h].",
)
@click.option("--reporter", metavar="NAME", default=None, help="Who detected it.")
@click.option("--live", is_flag=True, help="Let the diagnosis make one live auth call.")
@click.option(
    "--record",
    type=click.IntRange(min=1),
    default=None,
    metavar="N",
    help="Report incident record N: its level, and its window from when it opened.",
)
@json_option
@path_options
@api_base_option
@handle_errors
def new(
    paths: Paths,
    api_base: str,
    level: int | None,
    lang: str,
    since: str | None,
    reporter: str | None,
    live: bool,
    as_json: bool,
    record: int | None = None,
) -> None:
    """Write incidents/INC-YYYYMMDD-NNN.md, filled from diagnose and the logs."""
    now = datetime.now(UTC)
    start = _since(since, now)
    if record is not None:  # the record decides the level and the window
        row = show_record(paths, record).incident
        level = level or row.level
        start = _since(since or row.opened_at, now)
    report = diagnose(paths, api_base, live=live, probe_timeout=2.0)
    written = new_incident(
        paths, report, level=level, lang=lang, since=start, reporter=reporter, now=now
    )
    if as_json:
        echo_json(written)
    else:
        click.echo(msg("ops.incident.written", path=written.path))
        click.echo(f"{written.incident_id} (level {int(written.level)})")


@incident.command("postmortem")
@click.argument("incident_id", metavar="ID")
@click.option(
    "--lang",
    type=click.Choice(["ja", "en"]),
    default=None,
    help="Language [default: the incident report's].",
)
@json_option
@path_options
@handle_errors
def postmortem(paths: Paths, incident_id: str, lang: str | None, as_json: bool) -> None:
    """Write incidents/ID-postmortem.md with the timeline of the incident window.

    ID is a report id (INC-YYYYMMDD-NNN) or an incident record number N (`incident list`):
    a record's postmortem takes its period and timeline from what was recorded.
    """
    if incident_id.isdigit():
        written = write_record_postmortem(paths, int(incident_id), lang=lang or "ja")
    else:
        written = write_postmortem(paths, incident_id, lang=lang)
    if as_json:
        echo_json(written)
    else:
        click.echo(msg("ops.incident.written", path=written.path))


def _add_record_commands() -> None:
    from .ops_incidents import close_command, list_command, show_command

    for command in (list_command, show_command, close_command):
        incident.add_command(command)


_add_record_commands()
