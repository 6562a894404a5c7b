"""Run one child process and measure it alone: wall time, CPU time, peak memory.

``os.wait4`` returns the child's own resource usage (user + system CPU, ``ru_maxrss``),
so the emulator running in another process never pollutes the client's figures.
"""

from __future__ import annotations

import os
import platform
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path


@dataclass(frozen=True, slots=True)
class Measurement:
    """What one child process cost. ``peak_rss_mb`` is the child's ``ru_maxrss``."""

    command: tuple[str, ...]
    exit_code: int
    wall_seconds: float
    cpu_user_seconds: float
    cpu_system_seconds: float
    peak_rss_mb: float
    started_epoch: float
    output_file: str

    @property
    def cpu_seconds(self) -> float:
        return self.cpu_user_seconds + self.cpu_system_seconds


@dataclass(frozen=True, slots=True)
class Machine:
    cores: int
    python: str
    sqlite: str
    platform: str


def machine() -> Machine:
    return Machine(
        cores=os.cpu_count() or 0,
        python=platform.python_version(),
        sqlite=sqlite3.sqlite_version,
        platform=platform.platform(),
    )


def code_commit(repo: Path) -> str:
    """The commit the client ran from, ``+dirty`` when its package has uncommitted changes."""
    try:
        head = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=repo,
            capture_output=True,
            text=True,
            check=True,
            timeout=10,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--", "twitter_blocker"],
            cwd=repo,
            capture_output=True,
            text=True,
            check=True,
            timeout=10,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return head + ("+dirty" if dirty else "")


def utc_now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _exit_code(status: int) -> int:
    if os.WIFSIGNALED(status):
        return -os.WTERMSIG(status)
    return os.WEXITSTATUS(status)


def run_measured(
    args: Sequence[str],
    *,
    cwd: Path,
    output: Path,
    env: Mapping[str, str] | None = None,
    timeout: float = 3600.0,
) -> Measurement:
    """Run ``args`` to completion with stdout+stderr into ``output``; measure it with wait4.

    ``timeout`` kills the child (SIGKILL) and records the signal as a negative exit code.
    """
    output.parent.mkdir(parents=True, exist_ok=True)
    child_env = dict(os.environ if env is None else env)
    child_env.setdefault("PYTHONUNBUFFERED", "1")
    with output.open("wb") as out:
        started_epoch = time.time()
        started = time.monotonic()
        proc = subprocess.Popen(
            list(args), cwd=cwd, stdout=out, stderr=subprocess.STDOUT, env=child_env
        )
        killer = threading.Timer(timeout, proc.kill)
        killer.daemon = True
        killer.start()
        try:
            _, status, usage = os.wait4(proc.pid, 0)
        finally:
            killer.cancel()
        wall = time.monotonic() - started
    proc.returncode = _exit_code(status)  # so Popen does not try to reap it again
    # Linux reports ru_maxrss in KiB, macOS in bytes.
    rss_bytes = usage.ru_maxrss if sys.platform == "darwin" else usage.ru_maxrss * 1024
    return Measurement(
        command=tuple(args),
        exit_code=_exit_code(status),
        wall_seconds=wall,
        cpu_user_seconds=usage.ru_utime,
        cpu_system_seconds=usage.ru_stime,
        peak_rss_mb=rss_bytes / (1024 * 1024),
        started_epoch=started_epoch,
        output_file=str(output),
    )


def tail(path: Path, lines: int = 15) -> str:
    """The last lines of a child's output, for a failure message."""
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""
    return "\n".join(text.splitlines()[-lines:])
