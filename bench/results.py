"""One scenario's figures and verdicts, written as ``bench/results/<scenario>.json``."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from .measure import Machine


@dataclass(frozen=True, slots=True)
class Criterion:
    """One pass criterion: ``value`` compared with ``limit`` by ``op`` (``<=`` or ``<``)."""

    name: str
    value: float
    limit: float
    op: str
    unit: str = ""

    @property
    def passed(self) -> bool:
        return self.value <= self.limit if self.op == "<=" else self.value < self.limit

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "value": self.value,
            "op": self.op,
            "limit": self.limit,
            "unit": self.unit,
            "passed": self.passed,
        }


def at_most(name: str, value: float, limit: float, unit: str = "") -> Criterion:
    return Criterion(name, value, limit, "<=", unit)


def under(name: str, value: float, limit: float, unit: str = "") -> Criterion:
    return Criterion(name, value, limit, "<", unit)


@dataclass
class ScenarioResult:
    scenario: str
    title: str
    quick: bool
    date_utc: str
    machine: Machine
    targets: int
    wall_seconds: float
    client_cpu_seconds: float
    peak_memory_mb: float
    exit_code: int
    code_commit: str = ""
    blocks_needed: int | None = None
    lookup_calls_needed: int | None = None
    api_calls: dict[str, int] = field(default_factory=dict)
    api_calls_total: int | None = None
    calls_per_target: float | None = None
    calls_per_1000_targets: float | None = None
    http_statuses: dict[str, dict[str, int]] = field(default_factory=dict)
    rate_limited_429: int | None = None
    window_seconds: float | None = None
    windows_used: int | None = None
    windows_fraction: float | None = None
    ideal_windows: int | None = None
    windows_ratio: float | None = None
    emulator_windows: dict[str, int] = field(default_factory=dict)
    block_calls: int | None = None
    unneeded_block_calls: int | None = None
    targets_blocked_twice: int | None = None
    truth_mismatches: int | None = None
    cpu_per_1000_targets: float | None = None
    written_bytes: int | None = None
    bytes_written_per_target: float | None = None
    disk_bytes_written_per_target: float | None = None
    limits: dict[str, int] = field(default_factory=dict)
    criteria: list[Criterion] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return all(c.passed for c in self.criteria)

    def as_dict(self) -> dict[str, Any]:
        data = {k: v for k, v in asdict(self).items() if k != "criteria"}
        data["criteria"] = [c.as_dict() for c in self.criteria]
        data["passed"] = self.passed
        return data


def write_result(result: ScenarioResult, results_dir: Path) -> Path:
    results_dir.mkdir(parents=True, exist_ok=True)
    path = results_dir / f"{result.scenario}.json"
    path.write_text(json.dumps(result.as_dict(), indent=2) + "\n", encoding="utf-8")
    return path


def load_results(results_dir: Path) -> list[dict[str, Any]]:
    """Every ``S*.json`` in the directory, in scenario order."""
    found: list[dict[str, Any]] = []
    for path in sorted(results_dir.glob("S*.json")):
        found.append(json.loads(path.read_text(encoding="utf-8")))
    return found
