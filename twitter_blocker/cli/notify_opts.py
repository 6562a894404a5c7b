"""``--notify URL`` and the hooks that turn a check or a run's end into incident records
and notifications (ops/reports/incidents.py, ops/reports/notify.py)."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any, TypeVar

import click

from ..config import Paths
from ..messages import msg

F = TypeVar("F", bound=Callable[..., Any])

NOTIFY_HELP = (
    "Send incident and stop notifications to this Apprise URL (repeatable; also "
    "TWITTER_BLOCKER_NOTIFY and notify.urls in config.toml of the data directory)."
)


def notify_option(func: F) -> F:
    return click.option(
        "--notify", "notify", multiple=True, metavar="URL", default=(), help=NOTIFY_HELP
    )(func)


def notify_urls(paths: Paths, flags: tuple[str, ...]) -> tuple[str, ...]:
    """All URLs, checked (bad ones: one error line, exit 2, before anything is written)."""
    from ..ops.reports.notify import resolve_urls

    return resolve_urls(paths, tuple(flags))


def after_health(paths: Paths, report: Any, urls: tuple[str, ...]) -> None:
    from ..ops.reports.incident_sources import from_health
    from ..ops.reports.notify import after_check

    after_check(paths, from_health(paths, report), urls)


def after_diagnosis(paths: Paths, report: Any, urls: tuple[str, ...]) -> None:
    from ..ops.reports.incident_sources import from_diagnosis
    from ..ops.reports.notify import after_check

    after_check(paths, from_diagnosis(report), urls)


def after_run(paths: Paths, report: Any, urls: tuple[str, ...]) -> None:
    """The end of a run: its incidents, and a message when it ended other than done."""
    from ..errors import EXIT_ACCOUNT, EXIT_AUTH, EXIT_OK
    from ..ops.reports.incident_sources import from_run
    from ..ops.reports.notify import after_check, resume_command

    code = int(report.exit_code)
    reason = str(report.end_reason)
    detail = str(report.message or reason)
    seen = from_run(code, reason, detail, calls=int(report.total_calls))
    run_end = None
    if code != EXIT_OK:
        command = resume_command(sys.argv[1:])
        key = (
            "notify.body.run_fix_first" if code in (EXIT_AUTH, EXIT_ACCOUNT) else "notify.body.run"
        )
        run_end = (
            msg("notify.title.run", reason=reason, code=code),
            msg(key, detail=detail, command=command, data_dir=paths.data_dir),
        )
    after_check(paths, seen, urls, run_end=run_end)
