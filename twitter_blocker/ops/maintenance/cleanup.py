"""Disk cleanup (runbook: 大容量ファイル問題), with a dry run.

What it does, in order:
  1. lists files over 100 MB anywhere under the data directory (symlinks not followed);
  2. gzips rotated logs ``twitter_blocker.log.N`` -> ``twitter_blocker.log.<UTC>.gz``
     named by each log's own last write (never the live log, which the running
     process holds open; the mtime is kept so age still counts; the name is unique
     because the handler reuses ``.N``, and sorts in the order the logs were written);
  3. deletes rotated logs (``.N`` / ``.N.gz``) last modified more than ``keep_days`` ago;
  4. purges expired cache entries and compacts ``cache/cache.db`` (through ``store.cache``);
  5. deletes the earlier tool's JSON cache files (``cache/lookups``, ``cache/profiles``,
     ``cache/relationships``), which this tool never reads.
The live log, ``error_log.jsonl``, the databases and the backups are never deleted.
"""

from __future__ import annotations

import contextlib
import gzip
import os
import re
import shutil
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import Enum
from pathlib import Path

from ...config import Paths
from ...messages import msg
from ...timefmt import utc_stamp

LARGE_FILE_BYTES = 100 * 1024 * 1024  # `find -size +100M`
OLD_CACHE_LAYERS = ("lookups", "profiles", "relationships")


class Action(Enum):
    COMPRESS = "compress"
    DELETE_LOG = "delete_log"
    DELETE_OLD_CACHE = "delete_old_cache"
    VACUUM_CACHE = "vacuum_cache"


@dataclass(frozen=True, slots=True)
class Step:
    action: Action
    path: Path
    bytes_before: int
    bytes_after: int | None  # None in a dry run (or when unknown)
    detail: str = ""


@dataclass(frozen=True, slots=True)
class CleanupResult:
    data_dir: Path
    dry_run: bool
    large_files: tuple[tuple[Path, int], ...]
    steps: tuple[Step, ...]
    size_before: int
    size_after: int | None  # None in a dry run
    cache_entries_purged: int | None
    skipped: tuple[str, ...]  # steps that could not run, with why

    @property
    def freed(self) -> int | None:
        return None if self.size_after is None else self.size_before - self.size_after


# A cache maintenance hook: (cache_db, dry_run) -> (entries purged or None, note).
CacheMaintainer = Callable[[Path, bool], tuple[int | None, str]]


def tree_size(root: Path) -> int:
    total = 0
    for dirpath, _dirs, names in os.walk(root):
        for name in names:
            try:
                st = os.lstat(os.path.join(dirpath, name))
            except OSError:
                continue
            total += st.st_size
    return total


def large_files(root: Path, threshold: int = LARGE_FILE_BYTES) -> list[tuple[Path, int]]:
    found: list[tuple[Path, int]] = []
    for dirpath, _dirs, names in os.walk(root):
        for name in names:
            path = Path(dirpath) / name
            try:
                size = path.lstat().st_size
            except OSError:
                continue
            if size > threshold and not path.is_symlink():
                found.append((path, size))
    return sorted(found, key=lambda item: -item[1])


def rotated_logs(log_file: Path) -> list[Path]:
    """Rotated logs beside the live log (never the live log itself).

    ``<log>.N`` (written by the rotating handler) and the archives this command
    makes of them, ``<log>.<UTC stamp>.gz``; a plain ``<log>.N.gz`` counts too.
    """
    name = re.escape(log_file.name)
    pattern = re.compile(rf"^{name}\.(\d+|\d{{8}}T\d{{6}}Z([-_]\d+)?)(\.gz)?$")
    if not log_file.parent.is_dir():
        return []
    return sorted(p for p in log_file.parent.iterdir() if pattern.match(p.name) and p.is_file())


def _archive_name(path: Path, log_name: str, taken: set[str]) -> Path:
    """``<log>.<UTC time of the last write>.gz``: unique, unlike ``.N``, which the
    rotating handler reuses (``.1.gz`` from last week must not be overwritten).

    Logs written within the same second get ``_02``, ``_03``... after the stamp; called
    oldest first, so the names sort in the order the logs were written.
    """
    stamp = utc_stamp(path.stat().st_mtime)
    target, n = path.with_name(f"{log_name}.{stamp}.gz"), 1
    while target.exists() or target.name in taken:
        n += 1
        target = path.with_name(f"{log_name}.{stamp}_{n:02d}.gz")
    taken.add(target.name)
    return target


def _oldest_first(log: Path) -> tuple[int, int]:
    """Sort key: last write, then the rotation number (``.3`` was rotated before ``.2``)."""
    number = log.name.rsplit(".", 1)[-1]
    return log.stat().st_mtime_ns, -int(number) if number.isdigit() else 0


def gzip_file(path: Path, target: Path) -> Path:
    """``path`` -> ``target`` (gzip) atomically, keeping mode and mtime; removes ``path``."""
    tmp = path.with_name(f".{target.name}.tmp-{os.getpid()}")
    st = path.stat()
    with path.open("rb") as src, gzip.open(tmp, "wb") as out:
        shutil.copyfileobj(src, out, 1 << 20)
    os.chmod(tmp, st.st_mode & 0o777)
    os.utime(tmp, (st.st_atime, st.st_mtime))
    os.replace(tmp, target)
    path.unlink()
    return target


def _old_cache_files(cache_dir: Path) -> list[Path]:
    files: list[Path] = []
    for layer in OLD_CACHE_LAYERS:
        folder = cache_dir / layer
        if folder.is_dir() and not folder.is_symlink():
            files.extend(p for p in folder.rglob("*.json") if p.is_file() and not p.is_symlink())
    return sorted(files)


def _remove_empty_dirs(cache_dir: Path) -> None:
    for layer in OLD_CACHE_LAYERS:
        folder = cache_dir / layer
        if not folder.is_dir() or folder.is_symlink():
            continue
        for dirpath, _dirs, _names in sorted(os.walk(folder), key=lambda w: -len(w[0])):
            with contextlib.suppress(OSError):  # not empty: something we did not create
                os.rmdir(dirpath)


def store_cache_maintainer(cache_db: Path, dry_run: bool) -> tuple[int | None, str]:
    """Purge expired entries and VACUUM through ``store.cache.Cache``.

    In a dry run it only counts the expired entries. A damaged cache file is moved
    aside by ``Cache.open`` itself (it is only a cache); that is reported.
    """
    from ...store.cache import Cache

    with Cache.open(cache_db) as cache:
        warning = f"; {cache.warning}" if cache.warning else ""
        if dry_run:
            expired = cache.stats().expired
            return expired, msg("ops.cleanup.cache_dry", count=expired) + warning
        purged = cache.purge_expired()
        cache.vacuum()
    return purged, msg("ops.cleanup.cache_done", count=purged) + warning


def cleanup(
    paths: Paths,
    *,
    dry_run: bool = False,
    keep_days: int = 7,
    now: datetime | None = None,
    large_threshold: int = LARGE_FILE_BYTES,
    cache_maintainer: CacheMaintainer = store_cache_maintainer,
) -> CleanupResult:
    moment = (now or datetime.now(UTC)).timestamp()
    cutoff = moment - timedelta(days=keep_days).total_seconds()
    root = paths.data_dir
    size_before = tree_size(root)
    big = tuple(large_files(root, large_threshold))
    steps: list[Step] = []
    skipped: list[str] = []

    taken: set[str] = set()
    for log in sorted(rotated_logs(paths.log_file), key=_oldest_first):
        st = log.stat()
        if st.st_mtime < cutoff:
            if not dry_run:
                log.unlink()
            steps.append(Step(Action.DELETE_LOG, log, st.st_size, None if dry_run else 0))
        elif not log.name.endswith(".gz"):
            target = _archive_name(log, paths.log_file.name, taken)
            after = None if dry_run else gzip_file(log, target).stat().st_size
            steps.append(Step(Action.COMPRESS, log, st.st_size, after, target.name))

    for old in _old_cache_files(paths.cache_dir):
        size = old.stat().st_size
        if not dry_run:
            old.unlink()
        steps.append(Step(Action.DELETE_OLD_CACHE, old, size, None if dry_run else 0))
    if not dry_run:
        _remove_empty_dirs(paths.cache_dir)

    purged: int | None = None
    if paths.cache_db.is_file():
        before = paths.cache_db.stat().st_size
        try:
            purged, note = cache_maintainer(paths.cache_db, dry_run)
        except sqlite3.DatabaseError as exc:  # locked by a run, or damaged
            skipped.append(f"cache maintenance: {exc}")
        else:
            after = None if dry_run else paths.cache_db.stat().st_size
            steps.append(Step(Action.VACUUM_CACHE, paths.cache_db, before, after, note))

    return CleanupResult(
        data_dir=root,
        dry_run=dry_run,
        large_files=big,
        steps=tuple(steps),
        size_before=size_before,
        size_after=None if dry_run else tree_size(root),
        cache_entries_purged=purged,
        skipped=tuple(skipped),
    )
