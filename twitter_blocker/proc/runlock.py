"""The run lock: one run per database, whatever the path it is named by.

The lock is an exclusive ``fcntl.flock`` on ``<db>.lock`` next to the database's resolved
path (``Paths.lock_file``: symlinks and ``..`` lead to the same lock file), plus an exclusive
``flock`` on the database file itself, so a hard link (another name for the same inode) is
busy too. ``flock`` and SQLite's own POSIX record locks are independent on Linux. The holder writes
``{"pid": ..., "started_at": ..., "command": ...}`` into the file (0600) so
``stop``, ``diagnose`` and ``health`` can name it. The kernel drops a flock when
its process dies (even on ``kill -9``), so a file left behind by a dead run is
not a lock: ``read_holder`` reports it with ``held=False``.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

from ..errors import DatabaseBusyError
from ..messages import msg
from ..timefmt import utc_iso
from .pids import pid_alive, proc_locks_holders


@dataclass(frozen=True, slots=True)
class Holder:
    """What the lock file says about the run that holds (or held) it.

    ``held``: a process holds the flock right now. ``alive``: the recorded pid
    is a running process (it may be alive without holding the lock if the file
    is stale and the pid was reused).
    """

    pid: int | None
    started_at: str | None
    command: str | None
    held: bool
    alive: bool


def _parse(text: str) -> tuple[int | None, str | None, str | None]:
    try:
        data = json.loads(text)
    except ValueError:
        return None, None, None
    if not isinstance(data, dict):
        return None, None, None
    pid = data.get("pid")
    started = data.get("started_at")
    command = data.get("command")
    return (
        pid if isinstance(pid, int) else None,
        started if isinstance(started, str) else None,
        command if isinstance(command, str) else None,
    )


def _is_held(path: Path) -> bool:
    """True when a process holds the flock on ``path`` (probed with a non-blocking shared lock)."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    except OSError:
        return False
    else:
        fcntl.flock(fd, fcntl.LOCK_UN)
        return False
    finally:
        os.close(fd)


def read_holder(path: Path) -> Holder | None:
    """The recorded holder of the lock file, or None when there is no file."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except OSError:
        text = ""
    pid, started, command = _parse(text)
    return Holder(
        pid=pid, started_at=started, command=command, held=_is_held(path), alive=pid_alive(pid)
    )


def _flock_holder(path: Path) -> int | None:
    """The pid holding a flock on ``path`` per ``/proc/locks`` (None when it cannot tell)."""
    holders = proc_locks_holders(path)
    return min(holders) if holders else None


def _busy(db_label: str, pid: int | None) -> DatabaseBusyError:
    return DatabaseBusyError(
        msg("db.busy", pid=pid if pid is not None else "unknown", db=db_label), pid=pid
    )


def _lock_db_file(db: Path | None, db_label: str, lock_file: Path) -> int | None:
    """An exclusive flock on the database file itself: a hard link is the same inode, so a
    run started under another name finds it busy. A database that does not exist yet is
    created empty here (SQLite's own mode, 0644 less the umask; an empty file is a new
    database), so a hard link made while this run creates it is covered too."""
    if db is None:
        return None
    try:
        fd = os.open(db, os.O_RDONLY | os.O_CREAT, 0o644)
    except OSError:
        return None  # unreadable or uncreatable: opening the database says so in one line
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        holder = read_holder(lock_file)
        pid = _flock_holder(db) or (holder.pid if holder and holder.held else None)
        raise _busy(db_label, pid) from None
    except BaseException:
        os.close(fd)
        raise
    return fd


def check_not_held(lock_file: Path, db: Path, *, db_label: str) -> None:
    """Raise ``DatabaseBusyError`` when a run holds this database, creating no file.

    Looks at the lock file (as ``read_holder``) and probes the database file's flock, so a
    run started under another name (symlink, hard link) is found before anything is written.
    """
    holder = read_holder(lock_file)
    if holder is not None and holder.held:
        raise _busy(db_label, holder.pid)
    if _is_held(db):
        raise _busy(db_label, _flock_holder(db))


class RunLock:
    """An exclusive, process-wide lock on one database.

    Use as a context manager or call ``acquire``/``release``. Acquiring twice in
    the same process without a release raises ``DatabaseBusyError`` as well.
    """

    def __init__(self, path: Path, *, db_label: str | None = None, db: Path | None = None) -> None:
        self.path = path
        self._db_label = db_label or str(path.with_suffix(""))
        self._db = db
        self._fd: int | None = None
        self._db_fd: int | None = None

    @property
    def held(self) -> bool:
        return self._fd is not None

    def acquire(self, command: str = "run") -> None:
        if self._fd is not None:
            raise DatabaseBusyError(
                msg("db.busy", pid=os.getpid(), db=self._db_label), pid=os.getpid()
            )
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            holder = read_holder(self.path)
            raise _busy(self._db_label, holder.pid if holder else None) from None
        except BaseException:
            os.close(fd)
            raise
        try:
            self._db_fd = _lock_db_file(self._db, self._db_label, self.path)
        except BaseException:
            os.close(fd)
            raise
        with contextlib.suppress(OSError):
            os.fchmod(fd, 0o600)
        record = json.dumps({"pid": os.getpid(), "started_at": utc_iso(), "command": command})
        os.ftruncate(fd, 0)
        os.pwrite(fd, record.encode("utf-8"), 0)
        os.fsync(fd)
        self._fd = fd

    def release(self) -> None:
        """Drop the lock. The file stays (harmless: without a flock it is not a lock)."""
        db_fd, self._db_fd = self._db_fd, None
        if db_fd is not None:  # closed only after the caller closed its database connection
            with contextlib.suppress(OSError):
                fcntl.flock(db_fd, fcntl.LOCK_UN)
            os.close(db_fd)
        fd, self._fd = self._fd, None
        if fd is None:
            return
        with contextlib.suppress(OSError):
            os.ftruncate(fd, 0)
        with contextlib.suppress(OSError):
            fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)

    def __enter__(self) -> RunLock:
        self.acquire()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.release()
