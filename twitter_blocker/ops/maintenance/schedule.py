"""Schedules for the runbook's preventive measures (予防策): hourly backup, 15-minute health.

``cron`` gives two crontab lines; ``systemd`` gives a service and a timer unit per
job. Every path is absolute (cron and systemd start in another directory with
another environment), and the path flags are spelled out so the jobs act on the
same files as the interactive commands, whatever environment variables said then.
"""

from __future__ import annotations

import shlex
import shutil
import sys
from dataclasses import dataclass
from enum import Enum
from pathlib import Path

from ...config import Paths, resolve_paths

UNIT_PREFIX = "twitter-blocker"


class Format(Enum):
    CRON = "cron"
    SYSTEMD = "systemd"


@dataclass(frozen=True, slots=True)
class Job:
    name: str  # "backup" | "health"
    description: str
    cron: str  # minute hour dom month dow
    on_calendar: str  # systemd OnCalendar=
    args: tuple[str, ...]  # after the executable


@dataclass(frozen=True, slots=True)
class UnitFile:
    name: str
    text: str


@dataclass(frozen=True, slots=True)
class Schedule:
    format: Format
    executable: tuple[str, ...]
    data_dir: Path
    jobs: tuple[Job, ...]
    text: str  # crontab lines, or every unit concatenated with a header line each
    units: tuple[UnitFile, ...]  # systemd only


def find_executable() -> tuple[str, ...]:
    """The absolute ``twitter-blocker`` command: beside this Python, on PATH, or ``python -m``."""
    beside = Path(sys.executable).parent / "twitter-blocker"
    if beside.is_file():
        return (str(beside.absolute()),)
    found = shutil.which("twitter-blocker")
    if found:
        return (str(Path(found).absolute()),)
    return (str(Path(sys.executable).absolute()), "-m", "twitter_blocker")


def path_args(paths: Paths) -> tuple[str, ...]:
    """``--data-dir`` plus every path flag that differs from its default under the data dir."""
    data_dir = paths.data_dir.absolute()
    defaults = resolve_paths(data_dir=data_dir, env={})
    args = ["--data-dir", str(data_dir)]
    for flag, value, default in (
        ("--db", paths.db, defaults.db),
        ("--cookies", paths.cookies, defaults.cookies),
        ("--users-file", paths.users_file, defaults.users_file),
        ("--cache-dir", paths.cache_dir, defaults.cache_dir),
    ):
        if value.absolute() != default:
            args += [flag, str(value.absolute())]
    return tuple(args)


def jobs(paths: Paths, *, retention: str = "24h", notify: tuple[str, ...] = ()) -> tuple[Job, ...]:
    where = path_args(paths)
    alert = tuple(arg for url in notify for arg in ("--notify", url))  # config.toml: read by itself
    return (
        Job(
            "backup",
            "twitter-blocker hourly backup",
            "0 * * * *",
            "hourly",
            ("backup", "--retention", retention, *where),
        ),
        Job(
            "health",
            "twitter-blocker health check",
            "*/15 * * * *",
            "*:0/15",
            ("health", *where, *alert),
        ),
    )


def _cron_line(job: Job, executable: tuple[str, ...], log: Path) -> str:
    command = " ".join(shlex.quote(part) for part in (*executable, *job.args))
    line = f"{job.cron} {command} >> {shlex.quote(str(log))} 2>&1"
    return line.replace("%", r"\%")  # cron turns a bare % into a newline


def _systemd_quote(part: str) -> str:
    escaped = part.replace("%", "%%").replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"' if any(c in part for c in " \"\\'") else escaped


def _units(job: Job, executable: tuple[str, ...], data_dir: Path) -> tuple[UnitFile, UnitFile]:
    name = f"{UNIT_PREFIX}-{job.name}"
    exec_start = " ".join(_systemd_quote(part) for part in (*executable, *job.args))
    service = (
        "[Unit]\n"
        f"Description={job.description}\n\n"
        "[Service]\n"
        "Type=oneshot\n"
        f"WorkingDirectory={_systemd_quote(str(data_dir))}\n"
        f"ExecStart={exec_start}\n"
        "UMask=0077\n"
    )
    timer = (
        "[Unit]\n"
        f"Description={job.description} (timer)\n\n"
        "[Timer]\n"
        f"OnCalendar={job.on_calendar}\n"
        "Persistent=true\n\n"
        "[Install]\n"
        "WantedBy=timers.target\n"
    )
    return UnitFile(f"{name}.service", service), UnitFile(f"{name}.timer", timer)


def build_schedule(
    paths: Paths,
    fmt: Format,
    *,
    executable: tuple[str, ...] | None = None,
    retention: str = "24h",
    notify: tuple[str, ...] = (),
) -> Schedule:
    exe = executable or find_executable()
    data_dir = paths.data_dir.absolute()
    todo = jobs(paths, retention=retention, notify=notify)
    if fmt is Format.CRON:
        log = data_dir / "schedule.log"
        lines = [
            "# twitter-blocker: hourly backup, health check every 15 minutes (crontab -e)",
            *(_cron_line(job, exe, log) for job in todo),
        ]
        return Schedule(fmt, exe, data_dir, todo, "\n".join(lines) + "\n", ())
    units = tuple(unit for job in todo for unit in _units(job, exe, data_dir))
    text = "".join(f"# --- {unit.name}\n{unit.text}\n" for unit in units)
    enable = " ".join(unit.name for unit in units if unit.name.endswith(".timer"))
    text += f"# install into ~/.config/systemd/user/ then: systemctl --user enable --now {enable}\n"
    return Schedule(fmt, exe, data_dir, todo, text, units)
