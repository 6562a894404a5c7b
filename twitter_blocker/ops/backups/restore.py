"""Restore a backup: verify everything first, keep the current files aside, then swap.

Order: (1) the manifest parses and every listed file matches its size and sha256;
(2) every database copy passes the full check; (3) the run lock is taken (a run
holding it -> ``DatabaseBusyError``, exit 5) and held until the end; (4) each file
is copied into a 0600 temporary file beside its destination and re-hashed;
(5) the current file (with its -wal/-shm) is renamed to
``<name>.before-restore-<UTC>``; (6) the temporary file is renamed into place;
(7) the restored database is checked again. Nothing is touched before (3).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from ...config import Paths
from ...errors import BlockerError, InputError
from ...messages import msg
from ...proc.runlock import RunLock
from ...timefmt import utc_stamp
from ..database.check import CheckResult, check_database, move_aside
from .backup import MANIFEST, FileEntry, Manifest, Role, copy_private, sha256_file


class BackupRejected(BlockerError):
    """The backup is incomplete, altered or damaged; nothing was changed (exit 1)."""

    def __init__(self, message: str, *, name: str) -> None:
        self.name = name
        super().__init__(message)


@dataclass(frozen=True, slots=True)
class VerifiedBackup:
    folder: Path
    manifest: Manifest
    checks: tuple[CheckResult, ...]  # one per database copy


@dataclass(frozen=True, slots=True)
class RestoredFile:
    role: Role
    path: Path  # where it now lives
    kept: Path | None  # the previous file, renamed aside (None when there was none)


@dataclass(frozen=True, slots=True)
class RestoreResult:
    backup: VerifiedBackup
    files: tuple[RestoredFile, ...]
    check: CheckResult | None  # the restored database, checked in place


def read_manifest(folder: Path) -> Manifest:
    try:
        return Manifest.from_json((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise InputError(
            msg("ops.restore.no_manifest"),
            where=str(folder / MANIFEST),
            hint=f"{msg('ops.restore.no_manifest.hint')}; {type(exc).__name__}",
        ) from exc


def entry_path(folder: Path, entry: FileEntry) -> Path:
    """Where an entry's file is. Earlier versions recorded the cache copy as ``cache.db``
    although they wrote it to ``cache/cache.db``; such backups still restore."""
    path = folder / entry.name
    legacy = folder / "cache" / entry.name
    if entry.role is Role.CACHE_DB and "/" not in entry.name and not path.exists():
        return legacy
    return path


def _verify_entry(folder: Path, entry: FileEntry) -> None:
    path = entry_path(folder, entry)
    inside = path.resolve().is_relative_to(folder.resolve())
    if not inside or not path.is_file():
        why = "missing" if inside else "outside the backup folder"
        raise BackupRejected(msg("ops.restore.tampered", name=entry.name, why=why), name=entry.name)
    size = path.stat().st_size
    if size != entry.size:
        why = f"size {size} != {entry.size}"
        raise BackupRejected(msg("ops.restore.tampered", name=entry.name, why=why), name=entry.name)
    if sha256_file(path) != entry.sha256:
        why = "sha256 differs"
        raise BackupRejected(msg("ops.restore.tampered", name=entry.name, why=why), name=entry.name)


def verify_backup(folder: Path) -> VerifiedBackup:
    """Check manifest, sizes, checksums and database integrity; raises ``BackupRejected``."""
    if not folder.is_dir():
        raise InputError(msg("ops.restore.no_manifest"), where=str(folder))
    manifest = read_manifest(folder)
    for entry in manifest.files:
        _verify_entry(folder, entry)
    checks: list[CheckResult] = []
    for entry in manifest.files:
        if entry.role in (Role.DB, Role.CACHE_DB):
            check = check_database(entry_path(folder, entry), immutable=True)
            if not check.ok:
                raise BackupRejected(
                    msg("ops.restore.damaged", name=entry.name, why=check.summary),
                    name=entry.name,
                )
            checks.append(check)
    return VerifiedBackup(folder, manifest, tuple(checks))


def _destination(paths: Paths, role: Role) -> Path:
    return {
        Role.DB: paths.db,
        Role.COOKIES: paths.cookies,
        Role.USERS: paths.users_file,
        Role.CACHE_DB: paths.cache_db,
    }[role]


def restore_backup(
    paths: Paths,
    folder: Path,
    *,
    only: frozenset[Role] | None = None,
    now: datetime | None = None,
) -> RestoreResult:
    """Verify ``folder`` and put its files in place of the current ones (kept aside).

    ``only`` restricts which files are put back (e.g. the database but not older
    cookies); the whole backup is verified either way.
    """
    verified = verify_backup(folder)
    entries = [e for e in verified.manifest.files if only is None or e.role in only]
    if not entries:
        wanted = ", ".join(sorted(r.value for r in only or ()))
        raise InputError(msg("ops.restore.nothing", roles=wanted), where=str(folder / MANIFEST))
    tag = f"before-restore-{utc_stamp(now)}"
    restored: list[RestoredFile] = []
    with RunLock(paths.lock_file) as _lock:
        staged: list[tuple[FileEntry, Path, Path]] = []
        try:
            for entry in entries:
                dest = _destination(paths, entry.role)
                dest.parent.mkdir(parents=True, exist_ok=True)
                tmp = dest.with_name(f".{dest.name}.restore-{os.getpid()}")
                tmp.unlink(missing_ok=True)
                copy_private(entry_path(folder, entry), tmp)
                if sha256_file(tmp) != entry.sha256:  # the copy itself went wrong
                    why = "sha256 of the copy differs"
                    raise BackupRejected(
                        msg("ops.restore.tampered", name=entry.name, why=why), name=entry.name
                    )
                staged.append((entry, tmp, dest))
        except BaseException:
            for _entry, tmp, _dest in staged:
                tmp.unlink(missing_ok=True)
            raise
        for entry, tmp, dest in staged:
            existed = dest.exists()
            kept = move_aside(dest, tag)  # also moves a stray -wal/-shm that would be replayed
            os.replace(tmp, dest)
            restored.append(RestoredFile(entry.role, dest, kept if existed else None))
        restored_db = any(e.role is Role.DB for e in entries)
        check = check_database(paths.db) if restored_db else None
    return RestoreResult(verified, tuple(restored), check)
