"""``--test-user NAME``: read-only facts about one account and what a run would do."""

from __future__ import annotations

import click

from ..config import Paths
from ..engine.inspect import inspect_user
from ..errors import EXIT_OK


def show_user(paths: Paths, api_base: str, identifier: str) -> int:
    report = inspect_user(paths, api_base, identifier)
    click.echo(f"target:        {report.identifier}")
    click.echo(f"status:        {report.state.value}")
    if report.user is not None:
        user = report.user
        click.echo(f"user:          @{user.screen_name} (id {user.user_id}) {user.name}")
        click.echo(f"protected:     {'yes' if user.protected else 'no'}")
    rel = report.relationship
    if rel is not None:
        click.echo(f"you follow:    {'yes' if rel.following else 'no'}")
        click.echo(f"follows you:   {'yes' if rel.followed_by else 'no'}")
        click.echo(f"blocking:      {'yes' if rel.blocking else 'no'}")
    if report.db_status:
        click.echo(f"in database:   {report.db_status}")
    click.echo(f"a run would:   {report.would.replace(':', ': ')}")
    return EXIT_OK
