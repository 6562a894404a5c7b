"""Process facts from the kernel: is a pid alive, and who holds a flock on a file.

The one definition of "alive" for the whole package: ``os.kill(pid, 0)`` succeeds (or is
refused for another user's process) and the process is not a zombie. A zombie has exited; only
its exit status waits to be collected, so it holds no lock and does no work.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

import psutil

PROC_LOCKS = Path("/proc/locks")


def pid_alive(pid: int | None) -> bool:
    """True when a process with this pid exists and is not a zombie."""
    if pid is None or pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # exists, owned by someone else
    except OSError:
        return False
    with contextlib.suppress(psutil.Error):
        if psutil.Process(pid).status() == psutil.STATUS_ZOMBIE:
            return False
    return True


def _inode_key(path: Path) -> str | None:
    try:
        info = path.stat()
    except OSError:
        return None
    return f"{os.major(info.st_dev):02x}:{os.minor(info.st_dev):02x}:{info.st_ino}"


def proc_locks_holders(lock_file: Path, locks_table: Path = PROC_LOCKS) -> set[int] | None:
    """Pids holding a FLOCK on ``lock_file`` per ``/proc/locks``; None when it cannot tell."""
    key = _inode_key(lock_file)
    try:
        text = locks_table.read_text(encoding="ascii", errors="replace")
    except OSError:
        return None
    if key is None:
        return None
    pids: set[int] = set()
    matched = False
    for line in text.splitlines():
        fields = line.split()
        # "1: FLOCK  ADVISORY  WRITE 12345 08:01:1234567 0 EOF" (a "->" marks a waiter)
        if "->" in fields or len(fields) < 6 or fields[1] != "FLOCK":
            continue
        if fields[5].lower() != key.lower():
            continue
        matched = True
        if fields[4].isdigit():
            pids.add(int(fields[4]))
    if not matched:
        return None  # the table names this file differently (e.g. overlayfs): cannot verify
    return pids
