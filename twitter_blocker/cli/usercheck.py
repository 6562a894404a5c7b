"""``--test-user NAME``: read-only facts about one account and what a run would do."""

from __future__ import annotations

import click

from ..config import Paths
from ..engine.runtypes import RunOptions, UserReport
from ..engine.usercheck import inspect_user
from ..errors import EXIT_OK, AccountBlockedError, AuthError, InputError
from ..inputs.normalize import InvalidEntry, normalize
from ..messages import msg
from ..x.errors import AccountLocked, XAccountError, XAuthError


def _look_up(
    paths: Paths, api_base: str, identifier: str, options: RunOptions | None
) -> UserReport:
    """``inspect_user``, with X's rejections turned into the run's messages (exit 3 / 4)."""
    try:
        return inspect_user(paths, api_base, identifier, options)
    except XAuthError as exc:
        detail = "/".join(str(p) for p in (exc.http_status, exc.code) if p is not None)
        raise AuthError(msg("auth.failed", detail=detail or type(exc).__name__)) from None
    except XAccountError as exc:
        key = "account.locked" if isinstance(exc, AccountLocked) else "account.suspended"
        raise AccountBlockedError(msg(key)) from None


def show_user(
    paths: Paths, api_base: str, identifier: str, options: RunOptions | None = None
) -> int:
    """Print what X says about ``identifier`` and what a run with ``options`` would do."""
    try:  # the target list's rules: a bad handle is bad input, not a "not found" from X
        normalize(identifier)
    except InvalidEntry as exc:
        raise InputError(
            msg("run.test_user_invalid", value=identifier, reason=exc.reason), where="--test-user"
        ) from None
    report = _look_up(paths, api_base, identifier, options)
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
