"""``/metrics``: the accounts' state in the Prometheus text exposition format (0.0.4).

Each family is one ``# HELP`` and one ``# TYPE`` line followed by its samples; every sample
carries ``account`` (the data directory's name on the page). Counters end in ``_total``.
Help text escapes ``\\`` and newlines; label values escape ``\\``, ``"`` and newlines.
The names are listed in docs/DASHBOARD.md.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from ..store.readmodel import Outcome
from ..timefmt import epoch_or_none
from .snapshot import AccountView

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
PREFIX = "twitter_blocker_"
RUN_STATES = ("running", "done", "interrupted", "failed", "crashed", "none")
HEALTH_LEVELS = {"ok": 0, "warning": 1, "critical": 2}


@dataclass(slots=True)
class Family:
    name: str
    kind: str  # counter | gauge
    help: str
    samples: list[tuple[dict[str, str], float]] = field(default_factory=list)

    def add(self, labels: dict[str, str], value: float | None) -> None:
        if value is not None:
            self.samples.append((labels, float(value)))


def escape_help(text: str) -> str:
    return text.replace("\\", "\\\\").replace("\n", "\\n")


def escape_label(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def _value(number: float) -> str:
    if math.isnan(number):
        return "NaN"
    if math.isinf(number):
        return "+Inf" if number > 0 else "-Inf"
    return str(int(number)) if number.is_integer() and abs(number) < 2**53 else repr(number)


def render(families: Iterable[Family]) -> str:
    lines: list[str] = []
    for family in families:
        lines.append(f"# HELP {family.name} {escape_help(family.help)}")
        lines.append(f"# TYPE {family.name} {family.kind}")
        for labels, number in family.samples:
            inner = ",".join(f'{k}="{escape_label(v)}"' for k, v in labels.items())
            lines.append(f"{family.name}{{{inner}}} {_value(number)}")
    return "\n".join(lines) + "\n"


def families(views: Sequence[AccountView]) -> list[Family]:
    """Every metric family over every account, in a fixed order."""

    def fam(name: str, kind: str, text: str) -> Family:
        return Family(PREFIX + name, kind, text)

    up = fam("up", "gauge", "1 when the account's ledger could be read, else 0.")
    targets = fam("targets", "gauge", "Targets in the ledger by status (as --stats shows).")
    blocks = fam("blocks_total", "counter", "Blocks confirmed by X (ledger actions).")
    mutes = fam("mutes_total", "counter", "Mutes confirmed by X (ledger actions).")
    calls = fam(
        "failed_calls_total",
        "counter",
        "Calls to X that did not succeed, by outcome (rate_limited, auth_failed, ...).",
    )
    failed = fam(
        "failed_targets",
        "gauge",
        "Failed targets by kind: permanent, retry (will be retried), exhausted (no tries left).",
    )
    remaining = fam("rate_limit_remaining", "gauge", "Calls left in the operation's window.")
    limit = fam("rate_limit_limit", "gauge", "Calls allowed per window of the operation.")
    reset = fam(
        "rate_limit_reset_timestamp_seconds", "gauge", "When the operation's window resets."
    )
    state = fam("run_state", "gauge", "1 for the state of the newest run, 0 for the others.")
    eta = fam("run_eta_seconds", "gauge", "Estimated seconds until a running run is done.")
    last_block = fam(
        "last_block_timestamp_seconds", "gauge", "When the newest confirmed block was made."
    )
    health = fam("health_level", "gauge", "The health check: 0 ok, 1 warning, 2 critical.")
    incident = fam(
        "incident_level", "gauge", "Highest level (1-3) of the open incidents, 0 when none."
    )
    incidents = fam("open_incidents", "gauge", "Open incidents in incidents.db.")
    backup = fam(
        "last_backup_timestamp_seconds", "gauge", "When the newest backup (any kind) was taken."
    )
    for view in views:
        who = {"account": view.name}
        stats = view.stats
        up.add(who, 1 if view.readable else 0)
        for status, n in sorted(stats["by_status"].items()):
            targets.add({**who, "status": status}, n)
        counts = stats.get("actions", {}).get("counts", {})
        blocks.add(who, counts.get("block", 0))
        mutes.add(who, counts.get("mute", 0))
        for outcome, n in sorted(view.attempts_by_outcome.items()):
            if outcome != Outcome.OK:
                calls.add({**who, "outcome": outcome}, n)
        failed.add({**who, "kind": "permanent"}, stats["permanent_failures"])
        failed.add({**who, "kind": "retry"}, stats["retry_candidates"])
        failed.add({**who, "kind": "exhausted"}, stats["retry_exhausted"])
        for budget in view.budgets:
            op = {**who, "operation": budget.operation}
            remaining.add(op, budget.remaining)
            limit.add(op, budget.limit)
            reset.add(op, budget.reset_epoch)
        current = view.run.state if view.run is not None else "none"
        for name in RUN_STATES:
            state.add({**who, "state": name}, 1 if name == current else 0)
        if view.run is not None:
            eta.add(who, view.run.eta_seconds)
        last_block.add(who, epoch_or_none(view.last_block_at))
        if view.health is not None:
            health.add(who, HEALTH_LEVELS.get(view.health.level, 2))
        incident.add(who, view.incident_level or 0)
        incidents.add(who, len(view.incidents))
        backup.add(who, epoch_or_none(view.backups[0].taken_at) if view.backups else None)
    return [
        up,
        targets,
        blocks,
        mutes,
        calls,
        failed,
        remaining,
        limit,
        reset,
        state,
        eta,
        last_block,
        health,
        incident,
        incidents,
        backup,
    ]
