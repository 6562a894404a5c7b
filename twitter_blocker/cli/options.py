"""Shared click options: the data directory, file paths and the API base.

Every command that touches a data directory takes the same flags and honours the
same environment variables as the main CLI (flag > env var > default under
``--data-dir``), resolved by ``config.resolve_paths``::

    @click.command()
    @path_options
    def backup(paths: Paths) -> None: ...

``@path_options`` replaces ``--data-dir/--db/--cookies/--users-file/--cache-dir``
by one ``paths: config.Paths`` keyword argument. ``@api_base_option`` adds
``--api-base`` and passes ``api_base: str`` (already resolved against
``TWITTER_API_BASE`` and the default).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from ..config import (
    ENV_API_BASE,
    ENV_CACHE,
    ENV_COOKIES,
    ENV_DB,
    ENV_USERS,
    Paths,
    resolve_api_base,
    resolve_paths,
)

F = TypeVar("F", bound=Callable[..., Any])

_PATH_FLAGS = ("data_dir", "db", "cookies", "users_file", "cache_dir")


def paths_from_flags(
    *,
    data_dir: str | Path | None = None,
    db: str | Path | None = None,
    cookies: str | Path | None = None,
    users_file: str | Path | None = None,
    cache_dir: str | Path | None = None,
) -> Paths:
    """Resolve the flags (None = not given) against the environment and the data directory.

    The data directory is made absolute (not symlink-resolved) so that paths printed
    into schedules, manifests and reports stay valid from any working directory.
    """
    base = Path(data_dir).expanduser() if data_dir is not None else Path.cwd()
    return resolve_paths(
        db=db, cookies=cookies, users_file=users_file, cache_dir=cache_dir, data_dir=base.absolute()
    )


def path_options(func: F) -> F:
    """Add the path flags to a click command and pass one ``paths: Paths`` argument instead."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        flags = {name: kwargs.pop(name, None) for name in _PATH_FLAGS}
        kwargs["paths"] = paths_from_flags(**flags)
        return func(*args, **kwargs)

    # click applies options bottom-up; list them so --help shows them in this order.
    decorators = [
        click.option(
            "--data-dir",
            type=click.Path(file_okay=False, path_type=Path),
            default=None,
            help="Data directory holding the database, cookies, logs and backups [default: cwd].",
        ),
        click.option(
            "--db",
            type=click.Path(dir_okay=False, path_type=Path),
            default=None,
            help=f"Block history database [env {ENV_DB}; default: block_history.db].",
        ),
        click.option(
            "--cookies",
            type=click.Path(dir_okay=False, path_type=Path),
            default=None,
            help=f"Cookie file [env {ENV_COOKIES}; default: cookies.json].",
        ),
        click.option(
            "--users-file",
            type=click.Path(dir_okay=False, path_type=Path),
            default=None,
            help=f"Target list [env {ENV_USERS}; default: users.json].",
        ),
        click.option(
            "--cache-dir",
            type=click.Path(file_okay=False, path_type=Path),
            default=None,
            help=f"Cache directory [env {ENV_CACHE}; default: cache].",
        ),
    ]
    decorated: Callable[..., Any] = wrapper
    for decorator in reversed(decorators):
        decorated = decorator(decorated)
    return decorated  # type: ignore[return-value]


def api_base_option(func: F) -> F:
    """Add ``--api-base`` and pass the resolved ``api_base: str`` (flag > env > https://x.com)."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        kwargs["api_base"] = resolve_api_base(kwargs.pop("api_base", None))
        return func(*args, **kwargs)

    option = click.option(
        "--api-base",
        default=None,
        metavar="URL",
        help=f"Base URL of X's web API [env {ENV_API_BASE}; default: https://x.com].",
    )
    return option(wrapper)  # type: ignore[return-value]
