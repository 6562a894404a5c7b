"""Paths and settings, resolved as: command-line flag > environment variable > default.

All relative defaults are relative to the data directory (the current working
directory), which is where the runbook expects ``block_history.db``,
``cookies.json``, ``users.json``, ``cache/``, the logs and the backups.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

ENV_COOKIES = "TWITTER_COOKIES_PATH"
ENV_USERS = "TWITTER_USERS_FILE"
ENV_DB = "TWITTER_BLOCK_DB"
ENV_CACHE = "CACHE_DIR"
ENV_API_BASE = "TWITTER_API_BASE"

DEFAULT_API_BASE = "https://x.com"
LOG_FILE = "twitter_blocker.log"
ERROR_LOG_FILE = "error_log.jsonl"
CACHE_DB_NAME = "cache.db"


@dataclass(frozen=True, slots=True)
class Paths:
    """Where every file of one data directory lives."""

    data_dir: Path
    db: Path
    cookies: Path
    users_file: Path
    cache_dir: Path

    @property
    def cache_db(self) -> Path:
        return self.cache_dir / CACHE_DB_NAME

    @property
    def lock_file(self) -> Path:
        """The run lock: held with flock by the running process, holds its pid as JSON.

        Next to the database's resolved path, so a symlink or a ``..`` leads every run of
        one database to the same lock file (a hard link is caught by ``RunLock``'s flock on
        the database file itself).
        """
        real = Path(os.path.realpath(self.db))
        return real.with_name(real.name + ".lock")

    @property
    def log_file(self) -> Path:
        return self.data_dir / LOG_FILE

    @property
    def error_log(self) -> Path:
        return self.data_dir / ERROR_LOG_FILE

    @property
    def backup_dir(self) -> Path:
        return self.data_dir / "backup"

    @property
    def incidents_dir(self) -> Path:
        return self.data_dir / "incidents"


def _pick(flag: str | Path | None, env: Mapping[str, str], key: str, default: str) -> str:
    if flag is not None and str(flag) != "":
        return str(flag)
    value = env.get(key, "")
    return value if value else default


def resolve_paths(
    *,
    db: str | Path | None = None,
    cookies: str | Path | None = None,
    users_file: str | Path | None = None,
    cache_dir: str | Path | None = None,
    data_dir: str | Path | None = None,
    env: Mapping[str, str] | None = None,
) -> Paths:
    environ = os.environ if env is None else env
    base = Path(data_dir) if data_dir is not None else Path.cwd()

    def at(value: str) -> Path:
        path = Path(value).expanduser()
        return path if path.is_absolute() else base / path

    return Paths(
        data_dir=base,
        db=at(_pick(db, environ, ENV_DB, "block_history.db")),
        cookies=at(_pick(cookies, environ, ENV_COOKIES, "cookies.json")),
        users_file=at(_pick(users_file, environ, ENV_USERS, "users.json")),
        cache_dir=at(_pick(cache_dir, environ, ENV_CACHE, "cache")),
    )


def resolve_api_base(flag: str | None = None, env: Mapping[str, str] | None = None) -> str:
    environ = os.environ if env is None else env
    return _pick(flag, environ, ENV_API_BASE, DEFAULT_API_BASE).rstrip("/")
