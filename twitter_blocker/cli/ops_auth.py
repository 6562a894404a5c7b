"""`auth check|import` and `ratelimit` (runbook 認証失敗, API制限違反)."""

from __future__ import annotations

import stat
import sys
import threading
from datetime import UTC, datetime
from pathlib import Path

import click

from ..config import Paths
from ..errors import EXIT_OK, EXIT_RESUMABLE, BlockerError, InputError
from ..messages import msg
from ..ops.access.auth import REPAIR_STEPS_EN, AuthReport, Verdict, check_auth, import_cookies
from ..ops.access.ratelimit import RateLimitReport, rate_limit_report, wait_for_reset
from .errors import handle_errors
from .options import api_base_option, echo_json, json_option, many_data_dirs, path_options


def _print_repair() -> None:
    click.echo(msg("ops.auth.repair"), err=True)
    for number, step in enumerate(REPAIR_STEPS_EN, 1):
        click.echo(f"  {number}. {step}", err=True)


def _print_auth(report: AuthReport) -> None:
    click.echo(f"cookie file: {report.source}")
    for cookie in report.cookies:
        click.echo(f"  {cookie.name:<16} {cookie.masked}")
    click.echo(f"auth_token: {'present' if report.has_auth_token else 'MISSING'}")
    click.echo(f"ct0:        {'present' if report.has_ct0 else 'MISSING'}")
    click.echo(f"account id (twid): {report.account_id or 'unknown (no twid cookie)'}")
    if report.verdict is Verdict.OK:
        click.echo(msg("ops.auth.ok", detail=report.detail))
    elif report.verdict is Verdict.NOT_CHECKED:
        click.echo(msg("ops.auth.not_checked"))
    else:
        click.echo(msg("ops.auth.failed", verdict=report.verdict.value, detail=report.detail))
    for op in report.operations:
        state = "ok" if op.ok else "FAILED"
        click.echo(
            f"  {op.operation:<20} {op.query_id} ({op.method}, {op.source}): {state}, {op.detail}"
        )
    if any(not op.ok for op in report.operations):
        click.echo(msg("ops.auth.endpoints_failed"))


@click.group()
def auth() -> None:
    """Check or replace the session cookies (runbook 認証失敗)."""


@auth.command("check")
@click.option("--offline", is_flag=True, help="Only check the file; make no live call.")
@json_option
@path_options
@api_base_option
@handle_errors
def check(paths: Paths, api_base: str, offline: bool, as_json: bool) -> None:
    """Parse the cookie file, show names with masked values, and ask X who we are.

    Exit 0 when the session is accepted, 2 for a bad or missing file, 3 when X
    rejects the cookies, 4 when the account is locked or suspended.
    """
    try:
        report = check_auth(
            paths.cookies,
            api_base,
            live=not offline,
            ledger=paths.db,
            data_dir=paths.data_dir,
            cache_db=paths.cache_db,
        )
    except BlockerError as exc:  # the error first, then how to repair it; once each
        click.echo(f"error: {exc}", err=True)
        _print_repair()
        sys.exit(exc.exit_code)
    if as_json:
        echo_json(report)
    else:
        _print_auth(report)
    _warn_mode(paths.cookies)
    if not report.ok:
        _print_repair()
    sys.exit(report.verdict.exit_code)


def _warn_mode(path: Path) -> None:
    """A cookie file others can read holds a live session: say how to close it."""
    try:
        mode = stat.S_IMODE(path.stat().st_mode)
    except OSError:
        return
    if mode & 0o077:
        click.echo(msg("ops.auth.file_mode", path=path, mode=f"{mode:o}"), err=True)


@auth.command("import")
@click.argument("source", metavar="FILE|-")
@path_options
@handle_errors
def import_(paths: Paths, source: str) -> None:
    """Convert any supported cookie export (or `-` for stdin) into cookies.json, mode 0600.

    Accepts a browser-export JSON array, a JSON object {name: value}, a Netscape
    cookies.txt or a raw Cookie header. The previous file is kept aside (0600).
    """
    if source == "-":
        if sys.stdin.isatty():
            click.echo(msg("ops.auth.stdin_tty"), err=True)
        text, name = sys.stdin.read(), "<stdin>"
    else:
        from ..inputs.cookies import load_cookies  # validates size/encoding like the run does

        path = Path(source)
        load_cookies(path)
        text, name = path.read_text(encoding="utf-8-sig"), str(path)
    result = import_cookies(text, source=name, dest=paths.cookies)
    click.echo(msg("ops.auth.imported", dest=result.dest, count=len(result.cookies)))
    for cookie in result.cookies:
        click.echo(f"  {cookie.name:<16} {cookie.masked}")
    if result.previous is not None:
        click.echo(msg("ops.auth.kept_aside", path=result.previous))


def _when(epoch: float, now: float) -> str:
    utc = datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
    local = datetime.fromtimestamp(epoch).astimezone().strftime("%H:%M:%S %Z")
    return f"{utc} ({local} local, in {max(0.0, epoch - now):.0f}s)"


def _print_rate(report: RateLimitReport) -> None:
    if not report.operations and report.last_429 is None:
        click.echo(msg("ops.ratelimit.none"))
        return
    for op in report.operations:
        reset = _when(op.reset_epoch, report.now_epoch) if op.reset_epoch else "unknown"
        if op.fresh and op.reset_epoch:
            utc = datetime.fromtimestamp(op.reset_epoch, UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
            reset = msg("ops.ratelimit.fresh", utc=utc)
        spent = "  SPENT" if op.exhausted else ""
        click.echo(
            f"{op.operation:<22} limit {op.limit!s:>5}  remaining {op.remaining!s:>5}  "
            f"reset {reset}{spent}"
        )
    last = report.last_429
    if last is not None:
        reset = _when(last.reset_epoch, report.now_epoch) if last.reset_epoch else "unknown"
        click.echo(
            f"last 429: {last.operation} at {last.at} (HTTP {last.http_status}, "
            f"code {last.code}); window resets {reset}"
        )


@click.command()
@click.option("--wait", "wait", is_flag=True, help="Sleep until the relevant window resets.")
@json_option
@path_options
@many_data_dirs
@handle_errors
def ratelimit(paths: Paths, more_paths: tuple[Paths, ...], wait: bool, as_json: bool) -> None:
    """Each operation's limit, remaining and reset (runbook API制限違反), from the saved headers.

    --wait sleeps exactly until the spent window resets (Ctrl-C stops it, exit 75)
    instead of the runbook's blind `sleep 900`.
    """
    if more_paths:  # several accounts: one row each (cli/accounts_views.py)
        from .accounts_views import named, ratelimit_many

        if wait:
            raise InputError(msg("accounts.one_only", flag="--wait"))
        sys.exit(ratelimit_many(named([paths, *more_paths]), as_json))
    report = rate_limit_report(paths.db)
    if as_json:
        echo_json(report)
    else:
        _print_rate(report)
    if not wait:
        sys.exit(EXIT_OK)
    if report.wait_until is None:
        click.echo(msg("ops.ratelimit.no_wait"), err=as_json)
        sys.exit(EXIT_OK)
    click.echo(
        msg(
            "ops.ratelimit.wait",
            utc=datetime.fromtimestamp(report.wait_until, UTC).strftime("%H:%M:%S UTC"),
            local=datetime.fromtimestamp(report.wait_until).astimezone().strftime("%H:%M:%S"),
            seconds=max(0.0, report.wait_until - report.now_epoch),
        ),
        err=as_json,
    )
    stop = threading.Event()
    try:
        finished = wait_for_reset(report.wait_until, stop=stop)
    except KeyboardInterrupt:
        finished = False
    click.echo(
        msg("ops.ratelimit.waited" if finished else "ops.ratelimit.interrupted"), err=as_json
    )
    sys.exit(EXIT_OK if finished else EXIT_RESUMABLE)
