"""A bare ``twitter-blocker``: what a run would do here, and how to start one.

Blocking needs a flag that says how much (``--all``, ``--max-users N``, ``--retry`` ...).
Without one nothing runs: this reads the input files and, if there is one, the database
(read-only), prints what a run would find and the commands that start one, and exits 0.
No API call, no lock, nothing written (not even the log file).
"""

from __future__ import annotations

import sqlite3

import click

from ..config import Paths
from ..errors import EXIT_OK, BlockerError
from ..messages import msg


def _cookies_line(paths: Paths) -> tuple[str, str | None]:
    """The line, and the account id the cookies name (twid), if any."""
    from ..inputs.cookies import load_cookies

    try:
        cookies = load_cookies(paths.cookies)
    except BlockerError as exc:
        return msg("preview.input_problem", detail=exc), None
    account = cookies.user_id or msg("preview.account_unknown")
    return msg("preview.cookies_ok", path=paths.cookies, account=account), cookies.user_id


def _targets_line(paths: Paths) -> str:
    from ..inputs.targets import load_targets

    try:
        targets = load_targets(paths.users_file, skip_invalid=True)
    except BlockerError as exc:
        return msg("preview.input_problem", detail=exc)
    line = msg("preview.targets_ok", path=paths.users_file, n=len(targets.targets))
    if targets.invalid:
        line += msg("preview.targets_invalid", n=len(targets.invalid))
    return line


def _database_lines(paths: Paths, cookie_account: str | None) -> list[str]:
    if not paths.db.exists():
        return [msg("preview.no_database", path=paths.db)]
    from ..store.account import read_account
    from ..store.db import connect
    from ..store.stats import collect

    try:
        conn = connect(paths.db, readonly=True)
        try:
            stats, account = collect(conn), read_account(conn)
        finally:
            conn.close()
    except (BlockerError, sqlite3.Error) as exc:
        return [msg("preview.database_unreadable", path=paths.db, detail=exc)]
    lines = [
        msg(
            "preview.database",
            path=paths.db,
            total=stats.total,
            done=stats.done,
            pending=stats.pending,
            retry=stats.retry_candidates,
        )
    ]
    if account is not None:
        lines.append(msg("preview.database_account", account=account.label()))
        if cookie_account is not None and cookie_account != account.user_id:
            lines.append(msg("preview.other_account", account=cookie_account))
    return lines


def show_preview(paths: Paths) -> int:
    """Print what a run would find and how to start one. Never writes, never calls X."""
    click.echo(msg("preview.title"))
    cookies, account = _cookies_line(paths)
    for line in (cookies, _targets_line(paths), *_database_lines(paths, account)):
        click.echo(f"  {line}")
    click.echo(msg("preview.start"))
    for command, what in (
        ("--dry-run --all", msg("preview.cmd_dry_run")),
        ("--max-users 5", msg("preview.cmd_test_run")),
        ("--all --auto-retry", msg("preview.cmd_all")),
        ("--stats", msg("preview.cmd_stats")),
    ):
        click.echo(f"  twitter-blocker {command:<20} {what}")
    return EXIT_OK
