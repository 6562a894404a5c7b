"""``twitter-blocker endpoints [--refresh] [--json]``: the GraphQL contract in use."""

from __future__ import annotations

import click

from ..config import Paths
from ..ops.access.endpoints import EndpointRow, endpoint_rows
from .errors import handle_errors
from .options import api_base_option, echo_json, json_option, path_options


def _line(r: EndpointRow) -> str:
    source = r.source
    if r.source == "discovered":
        source = f"discovered {r.at or '?'} from {r.build or '?'}"
    last = "never called" if r.last_ok is None else ("worked" if r.last_ok else "FAILED")
    if r.last_at:
        last += f" at {r.last_at}"
    return (
        f"{r.operation:<20} {r.query_id:<24} {r.method:<4} {len(r.features):>2} flags  "
        f"{source}; last call {last}"
    )


@click.command("endpoints")
@click.option("--refresh", is_flag=True, help="Read x.com/home now and use what it carries.")
@json_option
@path_options
@api_base_option
@handle_errors
def endpoints(paths: Paths, api_base: str, refresh: bool, as_json: bool) -> None:
    """Show the queryId, method and features in use per GraphQL operation, their source
    (pinned, discovered, or the override file x-endpoints.json) and whether the last call
    with them worked."""
    rows = endpoint_rows(paths, api_base, refresh=refresh)
    if as_json:
        echo_json([r.as_dict() for r in rows])
        return
    for row in rows:
        click.echo(_line(row))
