"""Backups: a consistent snapshot of one data directory, with a manifest.

The databases are copied with SQLite's online backup API (one step, so the copy
is one consistent snapshot even while a run keeps writing; a plain ``cp`` of a
live database can tear). The cookie file is copied into a file created 0600,
folders are 0700. Each backup is assembled in a hidden temporary folder and
renamed into place only when its ``manifest.json`` is written, so a half-written
backup never looks complete.

Layout (the runbook's names):
    emergency_backup_YYYYmmdd_HHMMSS/            --emergency (in the data directory)
    backup/auto_YYYYmmdd_HHMM/                   default, pruned by retention
    backup/latest -> auto_...                    (a copy where symlinks fail)
    backup/block_history_latest.db -> auto_.../block_history.db
Times in names and manifests are UTC.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import shutil
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from ...config import Paths
from ...errors import InputError
from ...messages import msg
from ...timefmt import utc_iso as utc_iso
from ..database.check import check_database
from .manifest import AUTO_FORMAT as AUTO_FORMAT
from .manifest import AUTO_PREFIX as AUTO_PREFIX
from .manifest import EMERGENCY_FORMAT as EMERGENCY_FORMAT
from .manifest import EMERGENCY_PREFIX as EMERGENCY_PREFIX
from .manifest import LATEST as LATEST
from .manifest import LATEST_DB as LATEST_DB
from .manifest import MANIFEST as MANIFEST
from .manifest import MANIFEST_FORMAT as MANIFEST_FORMAT
from .manifest import FileEntry as FileEntry
from .manifest import Manifest as Manifest
from .manifest import Role as Role
from .manifest import backup_time as backup_time
from .manifest import verified_good

DEFAULT_RETENTION = timedelta(hours=24)


@dataclass(frozen=True, slots=True)
class BackupResult:
    folder: Path
    manifest: Manifest
    latest: Path | None  # backup/latest, for automatic backups
    latest_is_copy: bool  # symlinks failed, so latest is a copy
    pruned: tuple[Path, ...]

    @property
    def ok(self) -> bool:
        """Every database copy passed its integrity check."""
        return self.manifest.ok


# --- small helpers ---------------------------------------------------------------


def tool_version() -> str:
    from ... import __version__

    return __version__


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhdw]?)\s*$")
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800, "": 3600}


def parse_duration(text: str) -> timedelta:
    """``"24h"``, ``"90m"``, ``"7d"``, ``"3600s"``; a bare number means hours."""
    match = _DURATION.match(text.lower())
    if not match or float(match.group(1)) <= 0:
        raise InputError(
            msg("ops.backup.bad_retention", value=text),
            where="--retention",
            hint=msg("ops.backup.bad_retention.hint"),
        )
    return timedelta(seconds=float(match.group(1)) * _UNITS[match.group(2)])


def make_private_dir(path: Path) -> None:
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.chmod(path, 0o700)


def copy_private(src: Path, dest: Path) -> None:
    """Copy bytes into a new file created 0600 (never readable by others, even briefly)."""
    fd = os.open(dest, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as out, src.open("rb") as handle:
        shutil.copyfileobj(handle, out, 1 << 20)
        out.flush()
        os.fsync(out.fileno())


def snapshot_sqlite(src: Path, dest: Path) -> None:
    """Copy a live database with the online backup API in one step (one read transaction).

    The copy is switched to the rollback journal so it is one self-contained file.
    Raises ``sqlite3.DatabaseError`` when SQLite cannot read ``src``.
    """
    fd = os.open(dest, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    os.close(fd)
    source = sqlite3.connect(f"{src.absolute().as_uri()}?mode=rw", uri=True, timeout=30.0)
    try:
        target = sqlite3.connect(dest)
        try:
            source.backup(target, pages=-1)
            target.execute("PRAGMA journal_mode=DELETE")
            target.commit()
        finally:
            target.close()
    finally:
        source.close()


def _snapshot_db(src: Path, dest: Path, role: Role, name: str) -> FileEntry:
    """``name``: the path inside the backup folder, as the manifest records it."""
    method = "sqlite-backup"
    try:
        snapshot_sqlite(src, dest)
    except sqlite3.OperationalError:
        raise  # busy or locked: a raw copy of a live file could tear, so fail instead
    except sqlite3.DatabaseError:
        # SQLite cannot read it (damaged header...): keep the raw bytes for `db recover`.
        dest.unlink(missing_ok=True)
        copy_private(src, dest)
        method = "raw-copy"
    check = check_database(dest, immutable=True)
    return FileEntry(role, name, dest.stat().st_size, sha256_file(dest), method, check.summary)


def _copy_file(src: Path, dest: Path, role: Role, name: str) -> FileEntry:
    copy_private(src, dest)
    return FileEntry(role, name, dest.stat().st_size, sha256_file(dest), "copy", None)


# --- taking a backup ---------------------------------------------------------------


def _sources(paths: Paths, with_cache: bool) -> list[tuple[Role, Path, str]]:
    """(role, source, name inside the backup)."""
    items = [
        (Role.DB, paths.db, paths.db.name),
        (Role.COOKIES, paths.cookies, paths.cookies.name),
        (Role.USERS, paths.users_file, paths.users_file.name),
    ]
    if with_cache:
        items.append((Role.CACHE_DB, paths.cache_db, f"cache/{paths.cache_db.name}"))
    return items


def _unique(folder: Path) -> Path:
    candidate, n = folder, 1
    while candidate.exists() or candidate.is_symlink():
        n += 1
        candidate = folder.with_name(f"{folder.name}_{n}")
    return candidate


def write_backup(
    paths: Paths, folder: Path, *, kind: str, with_cache: bool, now: datetime
) -> Manifest:
    """Write a complete backup into ``folder`` (must not exist) via a hidden temporary folder.

    ``folder.parent`` must exist; its mode is left alone (it may be the data directory).
    """
    tmp = folder.with_name(f".{folder.name}.tmp-{os.getpid()}")
    shutil.rmtree(tmp, ignore_errors=True)
    make_private_dir(tmp)
    files: list[FileEntry] = []
    missing: list[str] = []
    try:
        for role, src, name in _sources(paths, with_cache):
            if not src.is_file():
                missing.append(role.value)
                continue
            dest = tmp / name
            make_private_dir(dest.parent)
            if role in (Role.DB, Role.CACHE_DB):
                files.append(_snapshot_db(src, dest, role, name))
            else:
                files.append(_copy_file(src, dest, role, name))
        if not files:
            raise InputError(msg("ops.backup.nothing", data_dir=paths.data_dir))
        manifest = Manifest(
            created_at=utc_iso(now),
            kind=kind,
            tool_version=tool_version(),
            sqlite_version=sqlite3.sqlite_version,
            files=tuple(files),
            missing=tuple(missing),
        )
        fd = os.open(tmp / MANIFEST, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(manifest.to_json())
        os.rename(tmp, folder)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return manifest


def _point(link: Path, target: Path, *, is_dir: bool) -> bool:
    """Point ``link`` at ``target`` with a relative symlink (replaced atomically).

    Where symlinks fail, ``link`` becomes a copy. Returns True when it is a copy.
    """
    tmp = link.with_name(f".{link.name}.tmp-{os.getpid()}")
    with contextlib.suppress(FileNotFoundError):
        if tmp.is_dir() and not tmp.is_symlink():
            shutil.rmtree(tmp)
        else:
            tmp.unlink()
    try:
        os.symlink(os.path.relpath(target, link.parent), tmp, target_is_directory=is_dir)
    except OSError:
        if is_dir:
            shutil.copytree(target, tmp)
            os.chmod(tmp, 0o700)
        else:
            copy_private(target, tmp)
        if link.is_dir() and not link.is_symlink():
            shutil.rmtree(link)
        os.replace(tmp, link)
        return True
    if link.is_dir() and not link.is_symlink():
        shutil.rmtree(link)  # an earlier copy; replace it by the link
    os.replace(tmp, link)
    return False


def _auto_backups(backup_dir: Path) -> list[tuple[Path, datetime | None]]:
    if not backup_dir.is_dir():
        return []
    return [
        (folder, backup_time(folder))
        for folder in sorted(backup_dir.glob(f"{AUTO_PREFIX}*"))
        if folder.is_dir() and not folder.is_symlink()
    ]


def newest_good(backup_dir: Path) -> Path | None:
    """The newest ``auto_*`` backup whose manifest says every database copy checked ok."""
    dated = [(taken, f) for f, taken in _auto_backups(backup_dir) if taken is not None]
    return next((f for _taken, f in sorted(dated, reverse=True) if verified_good(f)), None)


def prune(backup_dir: Path, *, retention: timedelta, now: datetime, keep: Path) -> list[Path]:
    """Delete ``auto_*`` backups taken more than ``retention`` before ``now``.

    Never ``keep``, and never the newest verified-good backup, however old: a run of
    failed backups (a damaged source) must not age the last good one away.
    """
    pruned: list[Path] = []
    good = newest_good(backup_dir)
    for folder, taken in _auto_backups(backup_dir):
        if folder in (keep, good):
            continue
        if taken is not None and now - taken > retention:
            shutil.rmtree(folder)
            pruned.append(folder)
    return pruned


def take_backup(
    paths: Paths,
    *,
    emergency: bool = False,
    with_cache: bool = False,
    retention: timedelta = DEFAULT_RETENTION,
    now: datetime | None = None,
) -> BackupResult:
    """Back up the database, cookies, users file (and the cache) of one data directory.

    Emergency backups go to ``emergency_backup_<UTC>/`` and are never pruned; the
    default goes to ``backup/auto_<UTC>/``, then ``latest`` links are updated and
    automatic backups older than ``retention`` are deleted. A backup whose database
    copy fails its check (a damaged source) is kept for ``db recover`` but is a failed
    backup: ``latest`` keeps pointing at the last good one and nothing is pruned.
    The data directory's own mode is never changed; backup folders are 0700.
    """
    moment = (now or datetime.now(UTC)).astimezone(UTC)
    if emergency:
        paths.data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        folder = _unique(paths.data_dir / f"{EMERGENCY_PREFIX}{moment.strftime(EMERGENCY_FORMAT)}")
        manifest = write_backup(paths, folder, kind="emergency", with_cache=with_cache, now=moment)
        return BackupResult(folder, manifest, None, False, ())
    make_private_dir(paths.backup_dir)
    folder = _unique(paths.backup_dir / f"{AUTO_PREFIX}{moment.strftime(AUTO_FORMAT)}")
    manifest = write_backup(paths, folder, kind="auto", with_cache=with_cache, now=moment)
    if not manifest.ok:
        return BackupResult(folder, manifest, None, False, ())
    latest = paths.backup_dir / LATEST
    is_copy = _point(latest, folder, is_dir=True)
    db_entry = manifest.entry(Role.DB)
    latest_db = paths.backup_dir / LATEST_DB
    if db_entry is not None:
        _point(latest_db, folder / db_entry.name, is_dir=False)
    pruned = prune(paths.backup_dir, retention=retention, now=moment, keep=folder)
    if latest_db.is_symlink() and not latest_db.exists():
        latest_db.unlink()  # it pointed into a pruned backup
    return BackupResult(folder, manifest, latest, is_copy, tuple(pruned))
