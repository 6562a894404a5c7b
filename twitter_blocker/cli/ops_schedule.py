"""`schedule --print cron|systemd` (runbook: 予防策)."""

from __future__ import annotations

import click

from ..config import Paths
from ..ops.backups.backup import parse_duration
from ..ops.maintenance.schedule import Format, build_schedule
from .errors import handle_errors
from .notify_opts import notify_option
from .options import echo_json, json_option, path_options


@click.command()
@click.option(
    "--print",
    "fmt",
    type=click.Choice([f.value for f in Format]),
    default=Format.CRON.value,
    show_default=True,
    help="crontab lines, or systemd service and timer units.",
)
@click.option(
    "--retention",
    default="24h",
    show_default=True,
    help="Retention passed to the hourly backup.",
)
@notify_option
@json_option
@path_options
@handle_errors
def schedule(
    paths: Paths, fmt: str, retention: str, as_json: bool, notify: tuple[str, ...]
) -> None:
    """Print the hourly backup and the 15-minute health check as cron or systemd config.

    Paths are absolute. Nothing is installed: paste the cron lines into `crontab -e`,
    or save the units under ~/.config/systemd/user/ and enable the timers.
    """
    parse_duration(retention)  # refuse a bad value now, not at the first cron run
    from ..ops.reports.notify import resolve_urls

    # --notify and TWITTER_BLOCKER_NOTIFY go into the health job (cron has no such env);
    # notify.urls in config.toml is read by the job itself.
    urls = resolve_urls(paths, notify, include_config=False)
    result = build_schedule(paths, Format(fmt), retention=retention, notify=urls)
    if as_json:
        echo_json(result)
    else:
        click.echo(result.text, nl=False)
