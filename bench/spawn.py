"""A tiny launcher that runs one command and reports its own ``wait4`` figures as JSON.

Why it exists: on Linux a process's ``ru_maxrss`` starts at the peak RSS of the process that
spawned it (``exec`` records the old address space's high-water mark), so a child spawned
straight from the benchmark harness would report the harness's peak (e.g. after S4 loaded
100,000 truth rows) instead of its own. This launcher is a fresh ``python -I -S`` process of a
few MB: the command it spawns inherits only that, and the figures are the command's own.

Usage: ``python -I -S spawn.py REPORT_JSON CWD -- COMMAND...``; stdout/stderr are inherited.
Stdlib only, imported by nothing.
"""

import json
import os
import sys
import time


def _written_bytes(pid: int) -> int | None:
    """``wchar`` of ``/proc/<pid>/io`` after ``pid`` exited (still unreaped), else None."""
    try:
        os.waitid(os.P_PID, pid, os.WEXITED | os.WNOWAIT)
        with open(f"/proc/{pid}/io", encoding="ascii") as handle:
            fields = dict(line.split(": ", 1) for line in handle.read().splitlines())
        return int(fields["wchar"])
    except (AttributeError, OSError, KeyError, ValueError):
        return None


def main(argv: list[str]) -> int:
    if len(argv) < 4 or argv[2] != "--":
        print("usage: spawn.py REPORT_JSON CWD -- COMMAND...", file=sys.stderr)
        return 2
    report, cwd, command = argv[0], argv[1], argv[3:]
    os.chdir(cwd)
    started_epoch = time.time()
    started = time.monotonic()
    pid = os.posix_spawnp(command[0], command, dict(os.environ))
    written = _written_bytes(pid)
    _, status, usage = os.wait4(pid, 0)
    wall = time.monotonic() - started
    code = -os.WTERMSIG(status) if os.WIFSIGNALED(status) else os.WEXITSTATUS(status)
    figures = {
        "exit_code": code,
        "wall_seconds": wall,
        "cpu_user_seconds": usage.ru_utime,
        "cpu_system_seconds": usage.ru_stime,
        "maxrss": usage.ru_maxrss,
        "started_epoch": started_epoch,
        # Bytes the command handed to write()/pwrite() (database, WAL, logs, output), read
        # from /proc/<pid>/io once it has exited but before it is reaped (None off Linux);
        # and the bytes it sent towards the disk (ru_oublock, 512-byte units).
        "written_bytes": written,
        "disk_write_bytes": usage.ru_oublock * 512,
    }
    with open(report, "w", encoding="utf-8") as out:
        json.dump(figures, out)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
