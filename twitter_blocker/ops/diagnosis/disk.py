"""The one disk-use figure every command shows (``diagnose``, ``stop``, ``health``).

It is what ``df`` shows as Use%: the used blocks over the blocks a normal user can
have (used + available), so space reserved for root does not hide a full disk.
Light on purpose: ``health`` imports it and must stay fast.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, slots=True)
class DiskFact:
    path: str
    total: int
    used: int
    free: int  # available to a normal user (df's "Available")
    percent: float  # df's Use%, to one decimal (df rounds it up to a whole number)


def disk_usage(path: Path) -> DiskFact:
    """Use of the file system holding ``path`` (its nearest existing parent)."""
    target = path
    while not target.exists() and target != target.parent:
        target = target.parent
    usage = shutil.disk_usage(target)
    usable = usage.used + usage.free
    percent = 100.0 * usage.used / usable if usable else 0.0
    return DiskFact(str(target), usage.total, usage.used, usage.free, round(percent, 1))
