"""S4 and S5: the client's local overhead, where X's limits play no part.

S4 times a ``--all`` run over a database whose every target is already final (against the
emulator, to show it makes no calls). S5 times loading and planning a 1,000,000-line file.
"""

from __future__ import annotations

import json
import os
import sys

from .client import db_path, run_client
from .emulator import EmulatorProcess
from .figures import observe
from .measure import run_measured, tail
from .results import ScenarioResult, under
from .scenarios import base_result, fresh_dir, spec
from .seed import seed_final_db
from .settings import BENCH_DIR, Settings
from .targets_file import write_target_file


def s4(settings: Settings) -> ScenarioResult:
    workdir = fresh_dir(settings.work_dir / "S4")
    with EmulatorProcess(spec(settings, settings.final_targets), workdir) as emu:
        truth = emu.truth()
        users = emu.fixture_dir / "users.json"
        db = db_path(workdir)
        db.parent.mkdir(parents=True, exist_ok=True)
        seeded = seed_final_db(db, users, truth)
        viewer = str(truth["viewer"]["user_id"])
        before = emu.state()
        m = run_client(emu, workdir, users, name="client-S4", timeout=settings.client_timeout)
        observed = observe(before, emu.state(), viewer)
    result = base_result("S4", settings, m, seeded)
    result.api_calls = dict(sorted(observed.calls.items()))
    result.api_calls_total = observed.total_calls
    result.calls_per_target = round(observed.total_calls / seeded, 6) if seeded else None
    result.calls_per_1000_targets = (
        round(observed.total_calls * 1000 / seeded, 3) if seeded else None
    )
    result.http_statuses = observed.statuses
    result.rate_limited_429 = observed.rate_limited
    result.block_calls = sum(observed.block_calls.values())
    result.criteria += [
        under("wall time", result.wall_seconds, 5.0, "s"),
        under("peak memory", result.peak_memory_mb, 300.0, "MB"),
    ]
    result.notes.append(
        f"database seeded with {seeded:,} final rows (store.History.import_targets, then the "
        "truth.json final states in one transaction) before the timed run"
    )
    return result


def s5(settings: Settings) -> ScenarioResult:
    workdir = fresh_dir(settings.work_dir / "S5")
    targets_file = workdir / "targets.txt"
    facts = write_target_file(targets_file, settings.file_lines, seed=settings.seed + 4)
    output = workdir / "plan.out"
    m = run_measured(
        [sys.executable, "-m", "bench.plan", str(targets_file), str(workdir / "plan.db")],
        cwd=workdir,
        output=output,
        env={**os.environ, "PYTHONPATH": str(BENCH_DIR.parent)},
        timeout=settings.client_timeout,
    )
    counts: dict[str, int] = {}
    if m.exit_code == 0:
        try:
            counts = json.loads(output.read_text("utf-8").strip().splitlines()[-1])
        except (ValueError, IndexError):
            counts = {}
    result = base_result("S5", settings, m, counts.get("targets", facts.distinct))
    result.criteria += [
        under("wall time", result.wall_seconds, 30.0, "s"),
        under("peak memory", result.peak_memory_mb, 1024.0, "MB"),
    ]
    result.notes.append(
        f"file: {facts.lines:,} lines ({facts.duplicates:,} repeats in another case or form, "
        f"{facts.comments:,} comments or blanks; handles, @handles, profile URLs, ids, "
        "id URLs); the child loads it with inputs.targets.load_targets, imports it into a "
        "fresh database, counts the queue and reads its first page (bench/plan.py)"
    )
    if counts:
        result.notes.append("child reported: " + ", ".join(f"{k} {v:,}" for k, v in counts.items()))
    elif m.exit_code == 0:
        result.notes.append(f"child output unreadable: {tail(output, 5)!r}")
    return result
