"""Helpers shared by the ``test_cli_*`` modules (no tests here).

Everything goes through the real CLI: click's ``CliRunner`` in-process (signal handlers and
log handlers the root command installs are put back afterwards), or a real subprocess where
signals, exit codes or separate processes matter.
"""

from __future__ import annotations

import json
import logging
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from twitter_blocker.cli.run import root
from twitter_blocker.emulator import Emulator
from twitter_blocker.verify import (
    blocked_set_diff,
    compare_db_with_truth,
    doubly_blocked,
    expected_blocked_ids,
)

ROOT = Path(__file__).resolve().parents[1]
ENV_NAMES = ("TWITTER_COOKIES_PATH", "TWITTER_USERS_FILE", "TWITTER_BLOCK_DB", "CACHE_DIR")
ENV_API = "TWITTER_API_BASE"
DEAD_API = "http://127.0.0.1:9"  # nothing listens: a run that gets this far cannot succeed


@dataclass(frozen=True)
class Result:
    exit_code: int
    stdout: str
    stderr: str

    @property
    def stderr_lines(self) -> list[str]:
        return [line for line in self.stderr.splitlines() if line.strip()]


def clean_env(extra: Mapping[str, str | None] | None = None) -> dict[str, str | None]:
    """The blocker's env vars unset (None), then ``extra`` applied."""
    env: dict[str, str | None] = {name: None for name in (*ENV_NAMES, ENV_API)}
    env.update(extra or {})
    return env


def invoke(args: Sequence[str], *, env: Mapping[str, str | None] | None = None) -> Result:
    """Run the root command in-process with ``catch_exceptions=False``."""
    runner = CliRunner()
    outcome = runner.invoke(root, list(args), env=clean_env(env), catch_exceptions=False)
    return Result(outcome.exit_code, outcome.stdout, outcome.stderr)


def subprocess_env(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in (*ENV_NAMES, ENV_API)}
    env["PYTHONPATH"] = str(ROOT)
    env.update(extra or {})
    return env


def run_module(
    args: Sequence[str],
    *,
    cwd: Path,
    env: Mapping[str, str] | None = None,
    timeout: float = 60.0,
) -> Result:
    """``python -m twitter_blocker ARGS`` in ``cwd``."""
    proc = subprocess.run(
        [sys.executable, "-m", "twitter_blocker", *args],
        cwd=cwd,
        env=subprocess_env(env),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    return Result(proc.returncode, proc.stdout, proc.stderr)


def start_module(
    args: Sequence[str], *, cwd: Path, env: Mapping[str, str] | None = None
) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "twitter_blocker", *args],
        cwd=cwd,
        env=subprocess_env(env),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


@pytest.fixture(autouse=True)
def _restore_process_state() -> Iterator[None]:
    """The root command installs SIGINT/SIGTERM handlers and log file handlers: undo both."""
    saved = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
    yield
    for sig, handler in saved.items():
        signal.signal(sig, handler)
    logger = logging.getLogger("twitter_blocker")
    for handler in list(logger.handlers):
        if getattr(handler, "_tb_owned", False):
            logger.removeHandler(handler)
            handler.close()


# --- data directories ---------------------------------------------------------------------------

GOOD_COOKIES = [
    {"name": "auth_token", "value": "a1b2c3d4e5f60718293a4b5c6d7e8f9012345678", "domain": ".x.com"},
    {"name": "ct0", "value": "0f1e2d3c4b5a69788796a5b4c3d2e1f0", "domain": ".x.com"},
    {"name": "twid", "value": "u%3D1234567", "domain": ".x.com"},
]


def write_data_dir(
    directory: Path,
    *,
    cookies: str | bytes | None = None,
    users: str | bytes | None = None,
    users_name: str = "users.json",
) -> Path:
    """A data dir with good cookies and a small good target list unless told otherwise."""
    directory.mkdir(parents=True, exist_ok=True)
    cookie_text = json.dumps(GOOD_COOKIES) if cookies is None else cookies
    user_text = json.dumps({"format": "screen_name", "users": ["alice", "bob"]})
    user_text = user_text if users is None else users
    for name, text in (("cookies.json", cookie_text), (users_name, user_text)):
        path = directory / name
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(text, encoding="utf-8")
    return directory


def wait_for(
    check: Callable[[], bool], what: str, timeout: float = 30.0, poll: float = 0.05
) -> None:
    """Poll ``check`` until it holds; fail naming ``what`` after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(poll)


def killed_when(
    proc: subprocess.Popen[str], check: Callable[[], bool], what: str, *, poll: float = 0.05
) -> None:
    """SIGKILL ``proc`` once ``check`` holds (killed whatever happens; its pipes closed)."""
    try:
        wait_for(check, what, poll=poll)
        proc.kill()
        proc.wait()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        for stream in (proc.stdout, proc.stderr):
            if stream is not None:
                stream.close()


def cookie_secrets(folder: Path) -> list[str]:
    """The auth_token and ct0 values of a data dir's cookies.json (to look for leaks)."""
    cookies = json.loads((folder / "cookies.json").read_text())
    return [c["value"] for c in cookies if c["name"] in ("auth_token", "ct0")]


def snapshot(directory: Path) -> dict[str, bytes]:
    """Every file under ``directory`` (relative name -> bytes), logs left out."""
    out: dict[str, bytes] = {}
    for path in sorted(directory.rglob("*")):
        if path.is_file() and path.name not in ("twitter_blocker.log", "error_log.jsonl"):
            out[str(path.relative_to(directory))] = path.read_bytes()
    return out


Entry = tuple[int, bytes | str | None]


def full_snapshot(directory: Path) -> dict[str, Entry]:
    """Every entry under ``directory`` (itself included): mode and bytes or symlink target."""
    out: dict[str, Entry] = {".": (directory.lstat().st_mode, None)}
    for path in sorted(directory.rglob("*")):
        info = path.lstat()
        name = str(path.relative_to(directory))
        if path.is_symlink():
            out[name] = (info.st_mode, os.readlink(path))
        elif path.is_file():
            out[name] = (info.st_mode, path.read_bytes())
        else:
            out[name] = (info.st_mode, None)
    return out


REMEDY_WORDS = (
    "use ",
    "add ",
    "fix ",
    "export",
    "create ",
    "log in",
    "name a column",
    "pass ",
    "point ",
    "move ",
    "chmod",
    "restore",
    "recover",
    "drop ",
    "wait ",
    "--help",
)


def assert_strict(result: Result, code: int, needles: tuple[str, ...]) -> None:
    assert result.exit_code == code, (result.exit_code, result.stdout, result.stderr)
    assert "Traceback" not in result.stderr + result.stdout
    lines = result.stderr_lines
    assert len(lines) == 1, lines
    assert lines[0].startswith("error: "), lines[0]
    for needle in needles:
        assert needle in lines[0], (needle, lines[0])
    assert any(word in lines[0].lower() for word in REMEDY_WORDS), lines[0]


def db_rows(db: Path, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


def dump_db(db: Path) -> str:
    """Every row of every table as text (for secret scans)."""
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        parts = []
        for table in tables:
            for row in conn.execute(f'SELECT * FROM "{table}"'):
                parts.append(f"{table}: {row!r}")
        return "\n".join(parts)
    finally:
        conn.close()


# --- an emulated X and a data directory wired to it -------------------------------------------


@dataclass
class World:
    """An emulator, the data directory its fixture was written into, and its truth."""

    emu: Emulator
    data: Path

    @property
    def truth(self) -> dict[str, Any]:
        return self.emu.truth()

    @property
    def db(self) -> Path:
        return self.data / "block_history.db"

    def args(self, *extra: str, delay: str = "0") -> list[str]:
        return [
            "--data-dir",
            str(self.data),
            "--api-base",
            self.emu.base_url,
            "--delay",
            delay,
            *extra,
        ]

    def account(self) -> dict[str, Any]:
        viewer = str(self.truth["viewer"]["user_id"])
        account: dict[str, Any] = self.emu.state()["accounts"][viewer]
        return account

    def block_calls(self) -> dict[str, int]:
        calls: dict[str, int] = self.account()["block_calls"]
        return calls

    def calls(self, operation: str) -> int:
        return sum(self.emu.state()["calls"].get(operation, {}).values())

    def secrets(self) -> list[str]:
        """The session cookie values of every viewer (what must never be written anywhere)."""
        values = []
        for index in range(self.emu.config.viewers):
            for cookie in self.emu.cookies(index):
                if cookie["name"] in ("auth_token", "ct0") and cookie["value"]:
                    values.append(str(cookie["value"]))
        return values

    def assert_matches_truth(self, *, by_id: bool = False) -> None:
        comparison = compare_db_with_truth(self.db, self.truth, by_id=by_id)
        assert comparison.ok, comparison.mismatches[:10]
        if not by_id:
            assert comparison.checked == len(self.truth["targets"])
        expected = expected_blocked_ids(self.truth, by_id=by_id)
        extra, missing = blocked_set_diff(self.account()["blocked"], expected)
        assert not extra and not missing, (extra, missing)
        assert doubly_blocked(self.block_calls()) == []


def make_world(factory: Callable[..., Emulator], directory: Path, **config: Any) -> World:
    settings: dict[str, Any] = {"population": 30, "window_seconds": 5.0, **config}
    emu = factory(**settings)
    data = directory / "data"
    emu.write_fixture(data)
    return World(emu, data)
