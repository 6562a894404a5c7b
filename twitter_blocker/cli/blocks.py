"""``twitter-blocker blocks export`` and ``blocks sync``: the account's block list, both ways.

``export`` writes every blocked account with ``user_id``, ``screen_name``, when, which run and
why (``reason``, ``source``), from the ledger or, with ``--from-x``, from X's own list
(``BlockedAccountsAll``, read resumably). Formats: ``csv`` (header row), ``json``, ``txt``
(one id per line) and ``block.js`` (X's archive format, which every archive reader imports,
ours included). ``sync`` adopts blocks made elsewhere and marks the ones X no longer shows.
"""

from __future__ import annotations

import csv
import io
import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from ..config import Paths
from ..errors import EXIT_RESUMABLE
from ..messages import msg
from .errors import handle_errors
from .options import api_base_option, path_options

FORMATS = ("csv", "json", "txt", "block.js")
FIELDS = ("user_id", "screen_name", "blocked_at", "run_id", "reason", "source")


def render(rows: list[Any], fmt: str) -> str:
    """The export text; ``rows`` are ``engine.blocklist.Exported``."""
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(FIELDS)
        for r in rows:
            writer.writerow(["" if getattr(r, f) is None else getattr(r, f) for f in FIELDS])
        return out.getvalue()
    if fmt == "json":
        items = [{f: getattr(r, f) for f in FIELDS} for r in rows]
        return json.dumps({"format": "user_id", "users": items}, indent=1) + "\n"
    if fmt == "txt":
        return "".join(f"{r.user_id}\n" for r in rows)
    entries = [
        {
            "blocking": {
                "accountId": r.user_id,
                "userLink": f"https://twitter.com/intent/user?user_id={r.user_id}",
            }
        }
        for r in rows
    ]
    return "window.YTD.block.part0 = " + json.dumps(entries, indent=2) + "\n"


def _write(text: str, output: Path | None) -> None:
    if output is None:
        click.echo(text, nl=False)
        return
    tmp = output.with_name(output.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
        fh.write(text)
    os.replace(tmp, output)


def _read_from_x(
    paths: Paths,
    api_base: str,
    max_wait: float | None,
    then: Callable[[Any, list[tuple[str, Any]]], None] | None = None,
) -> list[tuple[str, Any]]:
    """X's block list (resumable read), under the run lock; ``then(history, on_x)`` runs
    before the lock is released (``sync``)."""
    from ..engine.account import check_account
    from ..engine.blocklist import ReadStopped, read_list
    from ..engine.clock import SystemClock
    from ..engine.scheduler import gated_client
    from ..inputs.cookies import load_cookies
    from ..proc.runlock import RunLock
    from ..store.history import History
    from ..x.blocklist import ListKind
    from ..x.transport import check_api_base
    from .progress import make_progress

    check_api_base(api_base)
    cookies = load_cookies(paths.cookies)
    lock = RunLock(paths.lock_file, db_label=str(paths.db), db=paths.db)
    lock.acquire("blocks")
    progress = make_progress()
    try:
        paths.db.parent.mkdir(parents=True, exist_ok=True)
        client = gated_client(cookies, api_base=api_base, clock=SystemClock())
        with History.open(paths.db) as history, client:
            if cookies.user_id is not None:
                check_account(history, paths.cookies, cookies.user_id, bind=False)
            on_x = read_list(
                history, client, ListKind.BLOCKED, max_wait=max_wait, progress=progress
            )
            if then is not None:
                then(history, on_x)
            return on_x
    except ReadStopped as exc:
        click.echo(
            f"error: {msg('blocks.read_stopped', reason=exc.reason, read=exc.read)}", err=True
        )
        raise SystemExit(EXIT_RESUMABLE) from None
    finally:
        progress.close()
        lock.release()


@click.group("blocks")
def blocks() -> None:
    """Your block list: export it (from the ledger or from X), sync the ledger with X."""


@blocks.command("export")
@click.option("--from-x", is_flag=True, help="Read the list from X instead of the ledger.")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="csv", show_default=True)
@click.option("-o", "--output", type=click.Path(path_type=Path), help="Write here (0600).")
@click.option("--max-wait", type=float, default=None, help="Longest wait; longer: stop (75).")
@path_options
@api_base_option
@handle_errors
def export(
    paths: Paths,
    api_base: str,
    from_x: bool,
    fmt: str,
    output: Path | None,
    max_wait: float | None,
) -> None:
    """Write every blocked account: user_id, screen_name, when, which run, why."""
    from ..engine import blocklist
    from ..ops.maintenance import preflight
    from ..store.history import History

    if from_x:
        rows = blocklist.from_x(_read_from_x(paths, api_base, max_wait))
    elif not paths.db.exists():  # nothing has run here: an empty export, no file created
        rows = []
    else:
        preflight.check_database(paths)
        with History.open(paths.db) as history:
            rows = blocklist.ledger_blocks(history)
    _write(render(rows, fmt), output)
    if output is not None:
        click.echo(msg("blocks.exported", n=len(rows), path=output), err=True)


@blocks.command("sync")
@click.option("--max-wait", type=float, default=None, help="Longest wait; longer: stop (75).")
@path_options
@api_base_option
@handle_errors
def sync(paths: Paths, api_base: str, max_wait: float | None) -> None:
    """Adopt blocks made elsewhere (already_blocked); mark ledger blocks X no longer shows
    (unblocked_elsewhere). History is never deleted."""
    from ..engine import blocklist
    from ..engine.undo import command_line
    from ..store.history import History

    reports: list[blocklist.SyncReport] = []

    def adopt(history: History, on_x: list[tuple[str, Any]]) -> None:
        reports.append(blocklist.sync(history, on_x, command_line()))

    _read_from_x(paths, api_base, max_wait, then=adopt)
    report = reports[0]
    click.echo(
        msg(
            "blocks.synced",
            on_x=report.on_x,
            adopted=report.adopted,
            gone=report.gone,
            run=report.run_id,
        )
    )
