"""``twitter-blocker unblock FILE | --run N | --source NAME`` and ``unmute`` likewise; the
``--action mute`` run of the root command (engine/undo.py)."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import click

from ..config import Paths
from ..errors import EXIT_USAGE, InputError
from ..messages import msg
from .errors import handle_errors
from .options import api_base_option, path_options


def check_action(action: str, fmt: str | None, source: str) -> None:
    """A mute.js archive is not a block list: an error that points to ``--action mute``."""
    if action == "block" and fmt == "mute.js":
        raise InputError(msg("targets.mute_js"), where=source, hint=msg("targets.mute_js.hint"))


def _report(report: Any, dry_run: bool) -> int:
    if dry_run:
        click.echo(
            msg(
                "undo.dry_run",
                n=report.planned - report.already,
                action=str(report.act),
                already=report.already,
            )
        )
        return 0
    click.echo(
        msg(
            "undo.report",
            action=str(report.act),
            done=report.done,
            already=report.already,
            failed=report.failed,
            calls=report.api_calls,
            run=report.run_id,
            code=report.exit_code,
            reason=report.end_reason,
        ),
        err=True,
    )
    return int(report.exit_code)


def run_mute(paths: Paths, api_base: str, inputs: Any, flags: dict[str, Any]) -> int:
    """The root command's ``--action mute``: the target list is muted, nobody blocked."""
    from ..engine.actions import Pacing
    from ..engine.undo import execute_actions
    from ..store.actions import Act
    from .progress import make_progress

    progress = make_progress(delay=flags["delay"])
    stop = threading.Event()
    try:
        report = execute_actions(
            paths,
            api_base,
            inputs.cookies,
            Act.MUTE,
            targets=inputs.targets,
            dry_run=bool(flags["dry_run"]),
            pacing=Pacing(delay=flags["delay"], max_wait=flags["max_wait"]),
            progress=progress,
            stop=stop,
            skip_following=not flags["block_following"],
            skip_followers=not flags["block_followers"],
        )
    finally:
        progress.close()
    return _report(report, bool(flags["dry_run"]))


def _undo(
    act_name: str,
    paths: Paths,
    api_base: str,
    file: Path | None,
    run_id: int | None,
    source: str | None,
    dry_run: bool,
    delay: float,
    max_wait: float | None,
) -> None:
    from .. import logs
    from ..engine.actions import Pacing
    from ..engine.undo import execute_actions
    from ..inputs.cookies import load_cookies
    from ..inputs.targets import load_targets
    from ..ops.maintenance import preflight
    from ..store.actions import Act
    from ..x.transport import check_api_base
    from .progress import make_progress

    if sum(x is not None for x in (file, run_id, source)) != 1:
        click.echo(f"error: {msg('undo.one_of')}", err=True)
        raise SystemExit(EXIT_USAGE)
    check_api_base(api_base)
    cookies = load_cookies(paths.cookies)
    targets = load_targets(file) if file is not None else None
    preflight.check_before_writing(paths)
    logs.setup_logging(paths, debug=False, console=False)
    act = Act(act_name)
    if act is Act.UNBLOCK and not dry_run:
        click.echo(msg("undo.follows_lost"), err=True)
    progress = make_progress(delay=delay)
    try:
        report = execute_actions(
            paths,
            api_base,
            cookies,
            act,
            targets=targets,
            run_id=run_id,
            source=source,
            dry_run=dry_run,
            pacing=Pacing(delay=delay, max_wait=max_wait),
            progress=progress,
        )
    finally:
        progress.close()
    code = _report(report, dry_run)
    if code:
        raise SystemExit(code)


def _command(name: str, what: str) -> click.Command:
    @click.command(name, help=what)
    @click.argument("file", required=False, type=click.Path(path_type=Path))
    @click.option("--run", "run_id", type=int, metavar="N", help="Undo run N (--stats --json).")
    @click.option("--source", metavar="NAME", help="Undo what the list file NAME brought in.")
    @click.option("--dry-run", is_flag=True, help="Show the plan; send and write nothing.")
    @click.option(
        "--delay", type=float, default=1.0, show_default=True, help="Seconds between calls."
    )
    @click.option("--max-wait", type=float, default=None, help="Longest wait; longer: stop (75).")
    @path_options
    @api_base_option
    @handle_errors
    def command(paths: Paths, api_base: str, **kw: Any) -> None:
        _undo(name, paths, api_base, **kw)

    return command


unblock = _command(
    "unblock",
    "Unblock the accounts of FILE, of run N (only those it blocked itself), or of a source "
    "list. Follows the blocks ended are not restored.",
)
unmute = _command("unmute", "Unmute the accounts of FILE, of run N, or of a source list.")
