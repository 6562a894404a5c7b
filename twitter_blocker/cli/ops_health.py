"""`health` (runbook: ヘルスチェック). Kept light: no rich, no network, nothing heavy imported."""

from __future__ import annotations

import sys
from typing import Any

import click

from ..config import Paths
from ..ops.diagnosis.health import HealthReport, Level, check_health
from .errors import handle_errors
from .notify_opts import after_health, notify_option, notify_urls
from .options import echo_json, json_option, many_data_dirs, path_options

_MARK = {Level.OK: "ok      ", Level.WARNING: "WARNING ", Level.CRITICAL: "CRITICAL"}


def health_document(report: HealthReport) -> dict[str, Any]:
    """What ``health --json`` prints for one data directory."""
    return {
        "level": report.level.name.lower(),
        "exit_code": report.exit_code,
        "checks": [
            {"name": c.name, "level": c.level.name.lower(), "detail": c.detail}
            for c in report.checks
        ],
        "emergency_backup": report.emergency_backup,
        "emergency_backup_error": report.emergency_backup_error,
    }


def _print(report: HealthReport) -> None:
    for check in report.checks:
        click.echo(f"{_MARK[check.level]} {check.name:<8} {check.detail}")
    if report.emergency_backup is not None:
        click.echo(f"emergency backup taken: {report.emergency_backup}")
    if report.emergency_backup_error is not None:
        click.echo(f"emergency backup FAILED: {report.emergency_backup_error}")
    click.echo(f"health: {report.level.name.lower()}")


@click.command()
@click.option(
    "--disk-threshold",
    type=click.FloatRange(0, 100),
    default=90.0,
    show_default=True,
    help="Warn above this disk use (percent).",
)
@click.option(
    "--memory-threshold",
    type=click.FloatRange(0, 100),
    default=90.0,
    show_default=True,
    help="Warn above this memory use (percent).",
)
@click.option(
    "--no-emergency-backup",
    is_flag=True,
    help="Do not take an emergency backup when the database check fails.",
)
@notify_option
@json_option
@path_options
@many_data_dirs
@handle_errors
def health(
    paths: Paths,
    more_paths: tuple[Paths, ...],
    disk_threshold: float,
    memory_threshold: float,
    no_emergency_backup: bool,
    as_json: bool,
    notify: tuple[str, ...],
) -> None:
    """Database intact, disk and memory below thresholds, cookies valid, no stale lock.

    Exit 0 healthy, 1 warning, 2 critical. On a database error an emergency backup is
    taken first. No network calls; meant for cron or a container health check.
    """
    if more_paths:  # several accounts: one row each (cli/accounts_views.py)
        from .accounts_views import health_many, named

        sys.exit(
            health_many(
                named([paths, *more_paths]),
                as_json,
                disk_threshold=disk_threshold,
                memory_threshold=memory_threshold,
                backup_on_db_error=not no_emergency_backup,
            )
        )
    urls = notify_urls(paths, notify)
    report = check_health(
        paths,
        disk_threshold=disk_threshold,
        memory_threshold=memory_threshold,
        backup_on_db_error=not no_emergency_backup,
    )
    if as_json:
        echo_json(health_document(report))
    else:
        _print(report)
    after_health(paths, report, urls)  # incident records and notifications; never raises
    sys.exit(report.exit_code)
