"""The root command (placeholder until the blocker lands): runbook flags, no subcommand -> run."""

from __future__ import annotations

import click

from .lazy import LazyGroup


@click.group(cls=LazyGroup, invoke_without_command=True)
@click.version_option(package_name="twitter-blocker")
@click.pass_context
def root(ctx: click.Context) -> None:
    """Bulk-block accounts on X safely, resumably and inside X's rate limits."""
    if ctx.invoked_subcommand is None:
        click.echo(ctx.get_help())
