"""Who is running on this data directory: the run lock's holder, and look-alike processes.

The lock file (``proc.runlock``) is the only thing that says which process runs on
*this* database. Other processes whose command line mentions the tool are
listed for information only; nothing here or in ``stop`` ever acts on them.
"""

from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import psutil

from ..redact import redact
from ..timefmt import parse_utc
from .runlock import Holder, read_holder

_TOOL_MARKERS = ("twitter_blocker", "twitter-blocker", "main.py")


@dataclass(frozen=True, slots=True)
class OtherProcess:
    pid: int
    command: str  # masked


@dataclass(frozen=True, slots=True)
class ProcessFacts:
    running: bool  # a process holds the run lock now
    pid: int | None
    started_at: str | None  # from the lock file (UTC ISO)
    command: str | None
    rss_bytes: int | None = None
    stale_lock_file: bool = False  # a file names a pid but nobody holds the lock
    others: list[OtherProcess] = field(default_factory=list)


def holder_of(lock_file: Path) -> Holder | None:
    return read_holder(lock_file)


def _rss(pid: int) -> int | None:
    with contextlib.suppress(psutil.Error, OSError):
        return int(psutil.Process(pid).memory_info().rss)
    return None


def look_alikes(exclude: set[int]) -> list[OtherProcess]:
    """Processes whose command line mentions this tool (never signalled; shown only)."""
    found: list[OtherProcess] = []
    for proc in psutil.process_iter(["pid", "cmdline"]):
        with contextlib.suppress(psutil.Error, OSError):
            pid = int(proc.info["pid"])
            cmdline = proc.info.get("cmdline") or []
            text = " ".join(str(part) for part in cmdline)
            if pid in exclude or not any(marker in text for marker in _TOOL_MARKERS):
                continue
            if "pytest" in text:
                continue
            found.append(OtherProcess(pid, redact(text)[:200]))
    return found


def process_facts(lock_file: Path, *, with_others: bool = True) -> ProcessFacts:
    holder = holder_of(lock_file)
    exclude = {os.getpid(), os.getppid()}
    others = look_alikes(exclude) if with_others else []
    if holder is None:
        return ProcessFacts(False, None, None, None, others=others)
    if holder.held and holder.pid is not None:
        others = [item for item in others if item.pid != holder.pid]
        return ProcessFacts(
            True, holder.pid, holder.started_at, holder.command, _rss(holder.pid), others=others
        )
    return ProcessFacts(
        False,
        holder.pid,
        holder.started_at,
        holder.command,
        stale_lock_file=holder.pid is not None,
        others=others,
    )


def since(started_at: str | None, now: datetime | None = None) -> float | None:
    """Seconds since a UTC ISO time (None when unknown)."""
    if not started_at:
        return None
    try:
        start = parse_utc(started_at)
    except ValueError:
        return None
    return ((now or datetime.now(UTC)) - start).total_seconds()
