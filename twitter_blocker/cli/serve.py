"""`serve`: the read-only local dashboard, /api/status and /metrics (docs/DASHBOARD.md)."""

from __future__ import annotations

from pathlib import Path

import click

from ..errors import InputError
from ..messages import msg
from .errors import handle_errors
from .options import _inherit, paths_from_flags


def _given_before() -> list[Path]:
    """``twitter-blocker --data-dir D serve``: the directories given to the root command."""
    given = _inherit(("data_dir",), {})["data_dir"]
    if given is None:
        return []
    values = given if isinstance(given, list | tuple) else [given]
    return [Path(v) for v in values]


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Loopback address to bind.")
@click.option("--port", default=8780, show_default=True, type=int, help="Port (0 = any free port).")
@click.option(
    "--data-dir",
    "data_dirs",
    multiple=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="A data directory to show, one account each (repeatable) [default: cwd].",
)
@handle_errors
def serve(host: str, port: int, data_dirs: tuple[Path, ...]) -> None:
    """Serve a read-only dashboard of one or more data directories on the loopback.

    The page shows each account's run, blocks per hour, rate limits, errors, health,
    incidents and backups; /metrics speaks Prometheus, /api/status JSON. Nothing is written.
    """
    from ..dashboard.server import Dashboard, is_loopback
    from ..dashboard.snapshot import account_names

    if not is_loopback(host):
        raise InputError(msg("serve.non_loopback", host=host))
    dirs = list(data_dirs) or _given_before() or [Path.cwd()]
    for directory in dirs:
        if not directory.is_dir():
            raise InputError(msg("serve.no_data_dir", path=directory))
    paths = [paths_from_flags(data_dir=d) for d in dirs]
    names = account_names([p.data_dir for p in paths])
    dashboard = Dashboard(list(zip(names, paths, strict=True)))

    def ready(url: str) -> None:
        click.echo(msg("serve.serving", url=url, accounts=", ".join(names)))

    try:
        dashboard.serve_forever(host, port, on_ready=ready)
    except OSError as exc:
        raise InputError(msg("serve.cannot_bind", host=host, port=port, detail=exc)) from None
