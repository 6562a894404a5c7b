"""S1, S2, S3 and S6: the client against the emulator over loopback, with X's limits.

Each builds an emulator process, runs the CLI once (S3: twice, reusing S1's database and
cache), and turns the emulator's state and ground truth into a ``ScenarioResult``.
"""

from __future__ import annotations

import math
import shutil
import sqlite3
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from twitter_blocker.emulator.config import DEFAULT_LIMITS
from twitter_blocker.verify import compare_db_with_truth

from .client import db_path, run_client
from .emulator import EmulatorProcess, EmulatorSpec
from .figures import Observed, audit_blocks, needs_from_truth, observe, windows_used
from .measure import Measurement, code_commit, machine, tail, utc_now
from .results import ScenarioResult, at_most, under
from .settings import BENCH_DIR, Settings


def no_limits_args() -> tuple[str, ...]:
    """`twitter-blocker emulator` flags that switch every rate limit off (S6)."""
    return tuple(arg for op in sorted(DEFAULT_LIMITS) for arg in ("--limit", f"{op}=none"))


TITLES = {
    "S1": "10,000 handles, default mix",
    "S2": "10,000 ids, default mix",
    "S3": "S1 run again after it finished",
    "S4": "100,000 targets already final",
    "S5": "1,000,000-line target file: load, normalise, deduplicate, plan",
    "S6": "S1 with the emulator's limits off",
    "S7": "collect and block the followers of a 20,000-follower account (--source)",
    "S8": "10 accounts x 2,000 targets in one process (--data-dir x 10)",
}


def title(scenario: str, settings: Settings) -> str:
    text = TITLES[scenario]
    if settings.quick:
        sizes = {
            "10,000": f"{settings.handles:,}",
            "100,000": f"{settings.final_targets:,}",
            "1,000,000": f"{settings.file_lines:,}",
        }
        for full, reduced in sizes.items():
            text = text.replace(full, reduced)
    return text


def fresh_dir(path: Path) -> Path:
    shutil.rmtree(path, ignore_errors=True)
    path.mkdir(parents=True)
    return path


@dataclass(frozen=True, slots=True)
class ApiRun:
    """One client run against a running emulator and what it did there."""

    measurement: Measurement
    observed: Observed
    state: dict[str, Any]


def run_api(
    emu: EmulatorProcess, workdir: Path, users_file: Path, *, name: str, settings: Settings
) -> ApiRun:
    viewer = str(emu.truth()["viewer"]["user_id"])
    before = emu.state()
    measurement = run_client(emu, workdir, users_file, name=name, timeout=settings.client_timeout)
    after = emu.state()
    return ApiRun(measurement, observe(before, after, viewer), after)


def per_target(total: int | None, targets: int) -> float | None:
    return round(total / targets, 1) if total is not None and targets else None


def base_result(scenario: str, settings: Settings, m: Measurement, targets: int) -> ScenarioResult:
    result = ScenarioResult(
        scenario=scenario,
        title=title(scenario, settings),
        quick=settings.quick,
        date_utc=utc_now(),
        machine=machine(),
        targets=targets,
        wall_seconds=round(m.wall_seconds, 3),
        client_cpu_seconds=round(m.cpu_seconds, 3),
        peak_memory_mb=round(m.peak_rss_mb, 1),
        exit_code=m.exit_code,
        code_commit=settings.code_commit or code_commit(BENCH_DIR.parent),
        cpu_per_1000_targets=round(m.cpu_seconds * 1000 / targets, 4) if targets else None,
        written_bytes=m.written_bytes,
        bytes_written_per_target=per_target(m.written_bytes, targets),
        disk_bytes_written_per_target=per_target(m.disk_write_bytes, targets),
    )
    result.criteria.append(at_most("client exit code (0 = done)", m.exit_code, 0))
    if m.exit_code != 0:
        result.notes.append(f"client output (tail): {tail(Path(m.output_file), 8)!r}")
    return result


def api_result(
    scenario: str,
    settings: Settings,
    run: ApiRun,
    truth: Mapping[str, Any],
    *,
    by_id: bool,
    workdir: Path,
) -> ScenarioResult:
    needs = needs_from_truth(truth, run.state, by_id=by_id)
    obs = run.observed
    result = base_result(scenario, settings, run.measurement, needs.targets)
    audit = audit_blocks(obs, truth, by_id=by_id)
    used, fraction = windows_used(run.measurement.wall_seconds, settings.window_seconds)
    total = obs.total_calls
    result.blocks_needed = needs.blocks_needed
    result.lookup_calls_needed = needs.lookup_calls_needed
    result.api_calls = dict(sorted(obs.calls.items()))
    result.api_calls_total = total
    result.calls_per_target = round(total / needs.targets, 4) if needs.targets else None
    result.calls_per_1000_targets = (
        round(total * 1000 / needs.targets, 3) if needs.targets else None
    )
    result.http_statuses = obs.statuses
    result.rate_limited_429 = obs.rate_limited
    result.window_seconds = settings.window_seconds
    result.windows_used = used
    result.windows_fraction = round(fraction, 3)
    result.ideal_windows = needs.ideal_windows
    result.windows_ratio = round(used / needs.ideal_windows, 3)
    result.emulator_windows = obs.windows
    result.block_calls = sum(obs.block_calls.values())
    result.unneeded_block_calls = audit.unneeded
    result.targets_blocked_twice = audit.repeated
    result.limits = {
        "blocks/create": needs.block_limit,
        needs.lookup_operation: needs.lookup_limit,
    }
    if audit.unneeded_sample:
        result.notes.append(f"unneeded block calls on: {', '.join(audit.unneeded_sample)}")
    try:
        comparison = compare_db_with_truth(db_path(workdir), truth, by_id=by_id)
    except sqlite3.Error as exc:  # the client stopped before it created its database
        result.truth_mismatches = needs.targets
        result.notes.append(f"database unreadable ({exc}): every target counted as a mismatch")
        return result
    result.truth_mismatches = len(comparison.mismatches)
    if comparison.mismatches:
        sample = "; ".join(
            f"{m.identifier}: expected {m.expected}, found {m.found}"
            for m in comparison.mismatches[:5]
        )
        result.notes.append(f"truth mismatches (first 5): {sample}")
    return result


def other_budgets_note(result: ScenarioResult) -> None:
    """Operations outside the ideal's formula (single lookups): did any of them set the pace?"""
    if result.ideal_windows is None:
        return
    parts: list[str] = []
    pace_setter = False
    for op, n in sorted(result.api_calls.items()):
        limit = DEFAULT_LIMITS.get(op)
        if op in result.limits or not limit:
            continue
        windows = math.ceil(n / limit)
        pace_setter = pace_setter or windows > result.ideal_windows
        parts.append(f"{op} {n:,} calls = {windows} windows of its {limit} per window")
    if parts:
        verdict = (
            "more windows than the ideal: they set the pace"
            if pace_setter
            else "within their own budgets, fewer windows than the ideal: not the pace-setter"
        )
        result.notes.append(
            f"calls outside the ideal's formula: {'; '.join(parts)} (ideal "
            f"{result.ideal_windows}); {verdict}"
        )


def window_criteria(result: ScenarioResult) -> None:
    assert result.windows_ratio is not None
    other_budgets_note(result)
    result.criteria += [
        at_most("windows used / ideal", result.windows_ratio, 1.05),
        at_most("429 answers", result.rate_limited_429 or 0, 0),
        at_most(
            "block calls on targets that did not need one", result.unneeded_block_calls or 0, 0
        ),
        at_most("targets blocked twice", result.targets_blocked_twice or 0, 0),
        at_most("db rows differing from truth.json", result.truth_mismatches or 0, 0),
    ]


def clear_windows(result: ScenarioResult) -> None:
    result.windows_used = result.windows_fraction = None
    result.ideal_windows = None
    result.windows_ratio = None


def spec(settings: Settings, population: int, *extra: str) -> EmulatorSpec:
    return EmulatorSpec(
        population=population,
        window_seconds=settings.window_seconds,
        seed=settings.seed,
        extra_args=tuple(extra),
    )


def s1_s3(settings: Settings, *, want_s1: bool, want_s3: bool) -> list[ScenarioResult]:
    """S1; S3 reruns the same list with S1's database and cache against the same emulator."""
    workdir = fresh_dir(settings.work_dir / "S1")
    out: list[ScenarioResult] = []
    with EmulatorProcess(spec(settings, settings.handles), workdir) as emu:
        truth = emu.truth()
        users = emu.fixture_dir / "users.json"
        first = run_api(emu, workdir, users, name="client-S1", settings=settings)
        if want_s1:
            s1 = api_result("S1", settings, first, truth, by_id=False, workdir=workdir)
            window_criteria(s1)
            out.append(s1)
        if want_s3:
            again = run_api(emu, workdir, users, name="client-S3", settings=settings)
            s3 = api_result("S3", settings, again, truth, by_id=False, workdir=workdir)
            s3.blocks_needed = 0
            clear_windows(s3)  # a re-run has nothing to wait for; its criteria are calls and time
            s3.criteria += [
                at_most("API calls per 1,000 targets", s3.calls_per_1000_targets or 0.0, 1.0),
                under("wall time", s3.wall_seconds, 5.0, "s"),
            ]
            s3.notes.append(
                f"after an S1 run that took {first.measurement.wall_seconds:.1f} s "
                f"(exit {first.measurement.exit_code}); same database and cache"
            )
            out.append(s3)
    return out


def s2(settings: Settings) -> ScenarioResult:
    workdir = fresh_dir(settings.work_dir / "S2")
    with EmulatorProcess(spec(settings, settings.handles), workdir) as emu:
        truth = emu.truth()
        run = run_api(
            emu, workdir, emu.fixture_dir / "users_ids.json", name="client-S2", settings=settings
        )
        result = api_result("S2", settings, run, truth, by_id=True, workdir=workdir)
    result.notes.append(
        f"users_ids.json lists the {result.targets:,} targets that have an id "
        "(accounts that never existed have none)"
    )
    window_criteria(result)
    return result


def s6(settings: Settings) -> ScenarioResult:
    workdir = fresh_dir(settings.work_dir / "S6")
    with EmulatorProcess(spec(settings, settings.handles, *no_limits_args()), workdir) as emu:
        truth = emu.truth()
        run = run_api(
            emu, workdir, emu.fixture_dir / "users.json", name="client-S6", settings=settings
        )
        result = api_result("S6", settings, run, truth, by_id=False, workdir=workdir)
    clear_windows(result)  # without limits there are no windows to count
    result.window_seconds = None
    result.limits = {}
    result.notes.append(
        "client CPU includes the interpreter's start-up and imports, a fixed cost per run "
        "(S3's CPU time, a run with nothing to do, shows its size)"
    )
    assert result.cpu_per_1000_targets is not None
    result.criteria += [
        under("client CPU per 1,000 targets", result.cpu_per_1000_targets, 1.0, "s"),
        at_most("429 answers", result.rate_limited_429 or 0, 0),
        at_most("db rows differing from truth.json", result.truth_mismatches or 0, 0),
    ]
    return result
