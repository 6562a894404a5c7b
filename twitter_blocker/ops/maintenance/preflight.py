"""Everything a command checks before it creates or changes a file.

A rejected input must leave the data directory exactly as it was: no database, lock, log,
WAL or cache file created, none changed. So the CLI runs these checks first and sets up the
log only after them:

- ``read_run_inputs``: the API base, the cookies, the target list and the allowlist;
- ``check_writable``: every directory and existing file the command will write is writable
  (one line naming the path and the ``chmod`` that fixes it, instead of a traceback);
- ``check_not_busy``: no run holds this database, under any of its names;
- ``check_database``: the database is absent, empty or a sound one of ours (see
  ``store.examine``).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from ...config import Paths
from ...errors import InputError
from ...inputs.cookies import Cookies, load_cookies
from ...inputs.targets import TargetList, load_allowlist, load_targets
from ...messages import msg
from ...proc.runlock import check_not_held
from ...store.examine import examine_database
from ...x.transport import check_api_base


@dataclass(frozen=True, slots=True)
class RunInputs:
    """What a run reads, read once and checked before anything is written."""

    cookies: Cookies
    targets: TargetList | None  # None for --retry (the list is not read)
    allowlist: frozenset[str]


def read_run_inputs(
    paths: Paths,
    api_base: str,
    *,
    read_targets: bool,
    skip_invalid: bool,
    allowlist: Path | None,
) -> RunInputs:
    check_api_base(api_base)
    cookies = load_cookies(paths.cookies)
    targets = load_targets(paths.users_file, skip_invalid=skip_invalid) if read_targets else None
    allowed = load_allowlist(allowlist) if allowlist is not None else frozenset()
    return RunInputs(cookies, targets, allowed)


def _nearest_existing(path: Path) -> Path:
    while not path.exists() and path.parent != path:
        path = path.parent
    return path


def _writable_dir(directory: Path) -> None:
    existing = _nearest_existing(directory)
    if not existing.is_dir():
        raise InputError(msg("perm.missing_dir"), where=str(directory))
    if not os.access(existing, os.W_OK | os.X_OK):
        raise InputError(msg("perm.dir", path=existing), where=str(existing))


def _writable_file(path: Path, what: str) -> None:
    if path.is_file() and not os.access(path, os.W_OK):
        raise InputError(msg("perm.file", what=what, path=path), where=str(path))


def check_writable(paths: Paths, *, database: bool = True, lock: bool = True) -> None:
    """Every directory and existing file the command writes is writable by this user: the
    logs always, the database (and its -wal/-shm, the cache) and the lock file when asked."""
    _writable_dir(paths.data_dir)
    _writable_file(paths.log_file, "the log file")
    _writable_file(paths.error_log, "the error log")
    if database:
        real_db = Path(os.path.realpath(paths.db))
        _writable_dir(real_db.parent)
        _writable_file(real_db, "the database")
        for suffix in ("-wal", "-shm"):
            _writable_file(real_db.with_name(real_db.name + suffix), "the database's " + suffix)
        if paths.cache_dir.exists():
            _writable_dir(paths.cache_dir)
            _writable_file(paths.cache_db, "the cache")
    if lock:
        _writable_file(paths.lock_file, "the lock file")


def check_not_busy(paths: Paths) -> None:
    """``DatabaseBusyError`` (exit 5, naming the pid) when a run holds this database."""
    check_not_held(paths.lock_file, paths.db, db_label=str(paths.db))


def check_database(paths: Paths) -> None:
    """``InputError`` unless the database is absent, empty or a sound one of ours."""
    examine_database(paths.db)


def check_before_writing(paths: Paths) -> None:
    """All three checks, in the order that names the most useful problem first."""
    check_writable(paths)
    check_not_busy(paths)
    check_database(paths)
