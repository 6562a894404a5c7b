"""Running the real CLI (``python -m twitter_blocker --all ...``) as a measured child process."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from .emulator import EmulatorProcess
from .measure import Measurement, run_measured

# Environment variables the CLI reads; the benchmark passes every path as a flag instead.
_CLI_ENV = (
    "TWITTER_COOKIES_PATH",
    "TWITTER_USERS_FILE",
    "TWITTER_BLOCK_DB",
    "CACHE_DIR",
    "TWITTER_API_BASE",
)


def data_dir(workdir: Path) -> Path:
    return workdir / "data"


def db_path(workdir: Path) -> Path:
    return data_dir(workdir) / "block_history.db"


def client_command(emu: EmulatorProcess, workdir: Path, users_file: Path) -> list[str]:
    data = data_dir(workdir)
    return [
        sys.executable,
        "-m",
        "twitter_blocker",
        "--all",
        "--delay",
        "0",
        "--api-base",
        emu.base_url,
        "--data-dir",
        str(data),
        "--db",
        str(db_path(workdir)),
        "--cookies",
        str(emu.fixture_dir / "cookies.json"),
        "--users-file",
        str(users_file),
        "--cache-dir",
        str(data / "cache"),
    ]


def run_client(
    emu: EmulatorProcess, workdir: Path, users_file: Path, *, name: str, timeout: float
) -> Measurement:
    data = data_dir(workdir)
    data.mkdir(parents=True, exist_ok=True)
    env = {k: v for k, v in os.environ.items() if k not in _CLI_ENV}
    return run_measured(
        client_command(emu, workdir, users_file),
        cwd=data,
        output=workdir / f"{name}.out",
        env=env,
        timeout=timeout,
    )
