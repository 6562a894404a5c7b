"""``twitter-blocker collect SOURCE``: the accounts around a bad actor, as a target list."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from ..config import Paths
from ..errors import EXIT_RESUMABLE, EXIT_USAGE
from ..messages import msg
from .errors import fail, handle_errors
from .options import api_base_option, path_options


@click.command()
@click.argument("source_text", metavar="SOURCE")
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Write the list here (resumable); without it, CSV goes to stdout.",
)
@click.option("--limit", type=click.IntRange(min=1), default=None, help="Stop after N accounts.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["json", "csv"]),
    default=None,
    help="Output format [default: from the file's extension].",
)
@click.option(
    "--max-wait",
    type=click.FloatRange(min=0),
    default=900.0,
    show_default=True,
    metavar="SECONDS",
    help="Longest wait for a rate-limit reset; longer waits stop (75, resumable).",
)
@path_options
@api_base_option
@handle_errors
def collect(paths: Paths, api_base: str, source_text: str, **opts: Any) -> None:
    """Collect a chain source: followers:@h, following:@h, verified-followers:@h,
    retweeters:POST, quoters:POST, repliers:POST, likers:POST, list-members:LIST."""
    from ..engine.collecting import CollectRequest, output_format, run_collect, source_from
    from ..engine.sources import CollectStopped, SourceProblem

    source = source_from(source_text)
    output: Path | None = opts["output"]
    req = CollectRequest(
        source, output, output_format(output, opts["fmt"]), opts["limit"], opts["max_wait"]
    )

    def echo(text: str) -> None:
        click.echo(text, err=True)

    def write(text: str) -> None:
        sys.stdout.write(text)
        sys.stdout.flush()

    try:
        done = run_collect(paths, api_base, req, echo=echo, write=write)
    except SourceProblem as exc:
        fail(msg(exc.key, **exc.values), EXIT_USAGE)
        return
    except CollectStopped as exc:
        fail(msg("collect.stopped", source=source, reason=exc.reason), EXIT_RESUMABLE)
        return
    echo(msg("collect.done", source=source, count=done.count, pages=done.pages,
             reason=done.end_reason))  # fmt: skip
