"""Helpers shared by the engine's end-to-end tests (no tests here).

A workspace is the emulator's fixture (cookies.json, users.json, users_ids.json,
truth.json) in ``tmp_path``; runs go through ``engine.runner.execute`` over
loopback HTTP against the emulator.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import threading
from collections import Counter
from pathlib import Path
from typing import Any

from twitter_blocker.config import Paths, resolve_paths
from twitter_blocker.emulator import Emulator
from twitter_blocker.engine.runner import RunOptions, RunReport, execute

# truth `expected` -> (status, user_status, reason) in block_history (DESIGN.md final states)
EXPECTED: dict[str, tuple[str, str, str]] = {
    "blocked": ("blocked", "active", "blocked"),
    "already_blocked": ("blocked", "active", "already_blocked"),
    "skipped_following": ("skipped", "active", "following"),
    "skipped_follower": ("skipped", "active", "followed_by"),
    "suspended": ("failed", "suspended", "suspended"),
    "not_found": ("failed", "not_found", "not_found"),
    "deactivated": ("failed", "not_found", "not_found"),
}


class Recorder:
    """A ProgressSink that keeps what it was told, and can pull ``stop`` after N outcomes."""

    def __init__(self, stop: threading.Event | None = None, stop_after: int | None = None) -> None:
        self.events: list[tuple[str, Any]] = []
        self.outcomes: Counter[str] = Counter()
        self.stop = stop
        self.stop_after = stop_after

    def start(self, phase: str, total: int) -> None:
        self.events.append(("start", (phase, total)))

    def advance(self, outcome: str, target: str) -> None:
        self.events.append(("advance", (outcome, target)))
        self.outcomes[outcome] += 1
        done = sum(self.outcomes.values())
        if self.stop is not None and self.stop_after is not None and done >= self.stop_after:
            self.stop.set()

    def waiting(self, until_epoch: float, reason: str) -> None:
        self.events.append(("waiting", (until_epoch, reason)))

    def note(self, level: str, text: str) -> None:
        self.events.append(("note", (level, text)))

    def budget(self, operation: str, remaining: int, limit: int, reset_epoch: float) -> None:
        self.events.append(("budget", (operation, remaining, limit, reset_epoch)))


def workspace(emu: Emulator, directory: Path, *, by_id: bool = False) -> Paths:
    emu.write_fixture(directory)
    if by_id:
        shutil.copy(directory / "users_ids.json", directory / "users.json")
    return resolve_paths(data_dir=directory, env={})


def run(
    paths: Paths,
    emu: Emulator,
    *,
    progress: Recorder | None = None,
    stop: threading.Event | None = None,
    **options: Any,
) -> RunReport:
    options.setdefault("delay", 0.0)
    options.setdefault("seed", 1)
    return execute(
        paths,
        emu.base_url,
        RunOptions(**options),
        progress=progress or Recorder(),
        stop=stop or threading.Event(),
    )


def truth(paths: Paths) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((paths.data_dir / "truth.json").read_text())
    return data


def rows_by_key(paths: Paths) -> dict[str, tuple[str, str | None, str | None]]:
    """target key -> (status, user_status, reason) of the row it leads to."""
    with sqlite3.connect(paths.db) as con:
        found = con.execute(
            "SELECT k.key, b.status, b.user_status, b.reason FROM target_keys k"
            " JOIN block_history b ON b.id = k.history_id"
        ).fetchall()
    return {key: (status, us, reason) for key, status, us, reason in found}


def mismatches(paths: Paths, *, by_id: bool = False) -> list[str]:
    """Every truth target whose row is not in the expected final state."""
    rows = rows_by_key(paths)
    bad = []
    for t in truth(paths)["targets"]:
        expected = t["expected_by_id"] if by_id else t["expected"]
        if expected is None:
            continue
        key = f"id:{t['user_id']}" if by_id else f"sn:{t['identifier'].lower()}"
        got = rows.get(key)
        if got != EXPECTED[expected]:
            bad.append(f"{key} ({t['kind']}): expected {expected}, got {got}")
    return bad


def viewer_state(emu: Emulator, index: int = 0) -> dict[str, Any]:
    for account in emu.state()["accounts"].values():
        if account["index"] == index:
            data: dict[str, Any] = account
            return data
    raise KeyError(index)


def block_calls(emu: Emulator) -> dict[str, int]:
    calls: dict[str, int] = viewer_state(emu)["block_calls"]
    return calls


def statuses(emu: Emulator) -> Counter[str]:
    """HTTP statuses of every call the emulator answered, over all operations."""
    out: Counter[str] = Counter()
    for per_status in emu.state()["calls"].values():
        for status, n in per_status.items():
            out[status] += n
    return out


def op_calls(emu: Emulator, operation: str) -> int:
    return int(sum(emu.state()["calls"].get(operation, {}).values()))


def db_query(paths: Paths, sql: str, *params: Any) -> list[tuple[Any, ...]]:
    with sqlite3.connect(paths.db) as con:
        return con.execute(sql, params).fetchall()
