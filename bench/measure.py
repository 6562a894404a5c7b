"""Run one child process and measure it alone: wall time, CPU time, peak memory.

``os.wait4`` returns the child's own resource usage (user + system CPU, ``ru_maxrss``),
so the emulator running in another process never pollutes the client's figures; the
child is started through ``spawn.py`` so the harness's own memory does not either.
"""

from __future__ import annotations

import json
import os
import platform
import shlex
import signal
import sqlite3
import subprocess
import sys
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
    written_bytes: int | None = None  # wchar: bytes passed to write calls (see spawn.py)
    disk_write_bytes: int | None = None  # ru_oublock * 512

    @property
    def cpu_seconds(self) -> float:
        return self.cpu_user_seconds + self.cpu_system_seconds


@dataclass(frozen=True, slots=True)
class Machine:
    cores: int
    python: str
    sqlite: str
    platform: str
    speed_probe_ms: float  # see speed_probe


def machine() -> Machine:
    return Machine(
        cores=os.cpu_count() or 0,
        python=platform.python_version(),
        sqlite=sqlite3.sqlite_version,
        platform=platform.platform(),
        speed_probe_ms=speed_probe(),
    )


def speed_probe() -> float:
    """CPU milliseconds of a fixed pure-Python workload (JSON, dicts, sorting), the median of
    three: how fast this machine runs Python when a scenario ends. On a shared host the CPU
    seconds of the same work vary by a third within an hour; a CPU figure is read beside the
    probe measured with it, and two figures compared only when their probes agree."""
    doc = {f"k{i}": ("v" * (i % 7), i / 3) for i in range(300)}
    times = []
    for _ in range(3):
        start = time.process_time()
        for _ in range(100):
            json.loads(json.dumps(doc))
            sorted(doc, key=lambda k: doc[k][1])
        times.append(time.process_time() - start)
    return round(sorted(times)[1] * 1000, 1)


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


SPAWN = Path(__file__).resolve().with_name("spawn.py")


def run_measured(
    args: Sequence[str],
    *,
    cwd: Path,
    output: Path,
    env: Mapping[str, str] | None = None,
    timeout: float = 3600.0,
) -> Measurement:
    """Run ``args`` in ``cwd`` to completion, stdout+stderr into ``output``; measure it alone.

    The command is started by ``spawn.py`` (a fresh few-MB process) and measured there with
    ``wait4``, so its peak RSS is its own, not the harness's (see spawn.py). ``timeout``
    kills the whole process group and records ``-9``.
    """
    output.parent.mkdir(parents=True, exist_ok=True)
    report = output.with_name(output.name + ".wait4.json")
    report.unlink(missing_ok=True)
    child_env = dict(os.environ if env is None else env)
    child_env.setdefault("PYTHONUNBUFFERED", "1")
    # BENCH_WRAP: a profiler to start the command under (bench/README.md, "Profiling")
    wrap = shlex.split(os.environ.get("BENCH_WRAP", ""))
    launcher = [sys.executable, "-I", "-S", str(SPAWN), str(report), str(cwd), "--", *wrap, *args]
    started_epoch = time.time()
    started = time.monotonic()
    with output.open("wb") as out:
        proc = subprocess.Popen(
            launcher,
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env=child_env,
            start_new_session=True,
        )
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    try:
        figures = json.loads(report.read_text("utf-8"))
    except (OSError, ValueError):  # killed, or the launcher failed: keep what we know
        figures = {
            "exit_code": proc.returncode if proc.returncode else -signal.SIGKILL,
            "wall_seconds": time.monotonic() - started,
            "cpu_user_seconds": 0.0,
            "cpu_system_seconds": 0.0,
            "maxrss": 0,
            "started_epoch": started_epoch,
        }
    # Linux reports ru_maxrss in KiB, macOS in bytes.
    rss_bytes = figures["maxrss"] if sys.platform == "darwin" else figures["maxrss"] * 1024
    return Measurement(
        command=tuple(args),
        exit_code=int(figures["exit_code"]),
        wall_seconds=float(figures["wall_seconds"]),
        cpu_user_seconds=float(figures["cpu_user_seconds"]),
        cpu_system_seconds=float(figures["cpu_system_seconds"]),
        peak_rss_mb=rss_bytes / (1024 * 1024),
        started_epoch=float(figures["started_epoch"]),
        output_file=str(output),
        written_bytes=figures.get("written_bytes"),
        disk_write_bytes=figures.get("disk_write_bytes"),
    )


def tail(path: Path, lines: int = 15) -> str:
    """The last lines of a child's output, for a failure message."""
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""
    return "\n".join(text.splitlines()[-lines:])
