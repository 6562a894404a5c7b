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

Flags given before a subcommand (``twitter-blocker --data-dir D backup``) apply to
it too: each decorated command records the flags it was given in ``ctx.meta``
(shared along the context chain) and fills the ones it was not given from there.

``@json_option`` adds ``--json`` (``as_json: bool``); ``echo_json`` prints
dataclasses, enums, paths and datetimes as JSON.
"""

from __future__ import annotations

import dataclasses
import enum
import functools
import json
import os
from collections.abc import Callable
from datetime import date, datetime, timedelta
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
from ..messages import msg

F = TypeVar("F", bound=Callable[..., Any])

MANY_DIRS = "_twitter_blocker_many_dirs"
DATA_DIR_HELP = "Data directory holding the database, cookies, logs and backups [default: cwd]."
MANY_DIRS_HELP = (
    "Data directory holding the database, cookies, logs and backups [default: cwd]; "
    "repeat it to run several accounts, one per directory."
)
_PATH_FLAGS = ("data_dir", "db", "cookies", "users_file", "cache_dir", "api_base")
_META_KEY = "twitter_blocker.path_flags"


def _inherit(names: tuple[str, ...], kwargs: dict[str, Any]) -> dict[str, Any]:
    """Pop ``names`` from kwargs; fill missing ones from an enclosing command's flags."""
    given = {name: kwargs.pop(name, None) for name in names}
    ctx = click.get_current_context(silent=True)
    if ctx is None:
        return given
    seen: dict[str, Any] = ctx.meta.setdefault(_META_KEY, {})
    merged = {name: seen.get(name) if value is None else value for name, value in given.items()}
    seen.update({name: value for name, value in given.items() if value is not None})
    return merged


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
        kwargs["data_dir"] = tuple(kwargs.get("data_dir") or ()) or None
        flags = _inherit(_PATH_FLAGS[:5], kwargs)
        dirs: tuple[Path | None, ...] = _distinct(flags.pop("data_dir") or (None,))
        many = getattr(func, MANY_DIRS, False)
        if len(dirs) > 1 and not many:
            raise click.UsageError(msg("flags.one_data_dir"))
        if len(dirs) > 1 and (flags["db"] is not None or flags["cookies"] is not None):
            raise click.UsageError(msg("flags.many_dirs_conflict"))
        kwargs["paths"] = paths_from_flags(data_dir=dirs[0], **flags)
        if many:
            kwargs["more_paths"] = tuple(paths_from_flags(data_dir=d, **flags) for d in dirs[1:])
        return func(*args, **kwargs)

    # click applies options bottom-up; list them so --help shows them in this order.
    decorators = [
        click.option(
            "--data-dir",
            type=click.Path(file_okay=False, path_type=Path),
            multiple=True,
            help=MANY_DIRS_HELP if getattr(func, MANY_DIRS, False) else DATA_DIR_HELP,
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


def _distinct(dirs: tuple[Path | None, ...]) -> tuple[Path | None, ...]:
    """One entry per real directory: the same directory given twice (by a symlink, ``..``)
    is one account, named as it was given last (a repeated --data-dir always meant that)."""
    found: dict[str, Path | None] = {}
    for d in dirs:
        real = os.path.realpath(Path(d).expanduser()) if d is not None else ""
        found[real] = d
    return tuple(found.values())


def many_data_dirs(func: F) -> F:
    """Let ``--data-dir`` be given several times (one account each): under ``@path_options``
    the command gets ``paths`` (the first) and ``more_paths`` (the others, maybe none).
    Without it, a second ``--data-dir`` is a usage error. ``--db`` and ``--cookies`` belong
    to one account, so they cannot go with several directories."""
    setattr(func, MANY_DIRS, True)
    return func


def api_base_option(func: F) -> F:
    """Add ``--api-base`` and pass the resolved ``api_base: str`` (flag > env > https://x.com)."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        kwargs["api_base"] = resolve_api_base(_inherit(("api_base",), kwargs)["api_base"])
        return func(*args, **kwargs)

    option = click.option(
        "--api-base",
        default=None,
        metavar="URL",
        help=f"Base URL of X's web API [env {ENV_API_BASE}; default: https://x.com].",
    )
    return option(wrapper)  # type: ignore[return-value]


def json_option(func: F) -> F:
    """Add ``--json`` (passed as ``as_json: bool``)."""
    option = click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
    return option(func)


def jsonable(value: Any) -> Any:
    """Dataclasses, enums, paths, datetimes, tuples and sets as plain JSON values."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, enum.Enum):
        return jsonable(value.value)
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, timedelta):
        return value.total_seconds()
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [jsonable(v) for v in value]
    return value


def echo_json(value: Any) -> None:
    click.echo(json.dumps(jsonable(value), indent=2, ensure_ascii=False))
