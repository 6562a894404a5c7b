"""`twitter-blocker init [DIR]`: a data directory in the runbook's layout."""

from __future__ import annotations

import os
from pathlib import Path

import click

from ..config import resolve_paths
from ..messages import msg
from ..ops.maintenance.init import init_data_dir
from .errors import handle_errors


@click.command()
@click.argument(
    "directory", required=False, default=".", type=click.Path(file_okay=False, path_type=Path)
)
@handle_errors
def init(directory: Path) -> None:
    """Create a data directory (default: the current one) in the runbook's layout.

    Folders 0700 (cache/, backup/), a main.py that runs the installed package (so
    `python3 main.py --all --auto-retry` works from there) and a users.json in the
    runbook's format with an empty list. Never overwrites: exit 2 when a file exists.
    """
    paths = resolve_paths(data_dir=directory, env={})
    result = init_data_dir(paths)
    for path in result.created:
        kind = "folder" if path.is_dir() else "file"
        mode = f"{os.stat(path).st_mode & 0o777:04o}"
        click.echo(msg("ops.init.created", kind=kind, path=path, mode=mode))
    click.echo(msg("ops.init.next", dir=result.data_dir))
