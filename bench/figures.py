"""Figures from the emulator's ground truth (what had to be done) and its state (what was done).

The ideal (issue 4): ``max(ceil(blocks needed / block limit), ceil(lookup calls needed /
lookup limit))`` windows, where lookup calls are full batches of ``batch`` targets.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

BLOCK_OPERATION = "blocks/create"
LOOKUP_BY_HANDLE = "UsersByScreenNames"
LOOKUP_BY_ID = "UsersByRestIds"
BATCH = 100

# X-FACTS.md 5.2, the emulator's defaults; used only when its state does not name its limits.
FALLBACK_LIMITS: dict[str, int] = {
    BLOCK_OPERATION: 187,
    LOOKUP_BY_HANDLE: 50,
    LOOKUP_BY_ID: 150,
}


@dataclass(frozen=True, slots=True)
class Needs:
    """What a perfect client must do for one target list (from truth.json)."""

    targets: int
    blocks_needed: int
    lookup_operation: str
    lookup_calls_needed: int
    block_limit: int
    lookup_limit: int

    @property
    def ideal_windows(self) -> int:
        return max(
            math.ceil(self.blocks_needed / self.block_limit),
            math.ceil(self.lookup_calls_needed / self.lookup_limit),
            1,
        )


@dataclass(frozen=True, slots=True)
class Observed:
    """What the emulator saw between two state snapshots."""

    calls: dict[str, int]  # operation -> requests
    statuses: dict[str, dict[str, int]]  # operation -> http status -> requests
    rate_limited: int  # 429 answers
    windows: dict[str, int]  # operation -> rate windows opened
    block_calls: dict[str, int]  # target user id -> blocks/create calls

    @property
    def total_calls(self) -> int:
        return sum(self.calls.values())


def _limit(state: Mapping[str, Any], operation: str) -> int:
    limits = state.get("limits")
    if isinstance(limits, Mapping) and isinstance(limits.get(operation), int):
        return int(limits[operation])
    return FALLBACK_LIMITS[operation]


def expected_field(by_id: bool) -> str:
    return "expected_by_id" if by_id else "expected"


def listed_targets(truth: Mapping[str, Any], *, by_id: bool) -> list[Mapping[str, Any]]:
    """The truth rows that are on the list the client reads (ids list: those with an id)."""
    rows: list[Mapping[str, Any]] = truth["targets"]
    if by_id:
        return [t for t in rows if t.get("user_id")]
    return rows


def _outcome(target: Mapping[str, Any], by_id: bool) -> str:
    return str(target.get(expected_field(by_id)) or target["expected"])


def needs_from_truth(truth: Mapping[str, Any], state: Mapping[str, Any], *, by_id: bool) -> Needs:
    rows = listed_targets(truth, by_id=by_id)
    if by_id:
        keys = {str(t["user_id"]) for t in rows}
    else:
        keys = {str(t["identifier"]).lstrip("@").lower() for t in rows}
    to_block = {
        str(t.get("user_id") or t["identifier"]) for t in rows if _outcome(t, by_id) == "blocked"
    }
    operation = LOOKUP_BY_ID if by_id else LOOKUP_BY_HANDLE
    return Needs(
        targets=len(keys),
        blocks_needed=len(to_block),
        lookup_operation=operation,
        lookup_calls_needed=math.ceil(len(keys) / BATCH),
        block_limit=_limit(state, BLOCK_OPERATION),
        lookup_limit=_limit(state, operation),
    )


def observe(before: Mapping[str, Any], after: Mapping[str, Any], viewer_id: str) -> Observed:
    """The difference between two ``/__emulator__/state`` snapshots, for one viewer."""
    statuses: dict[str, dict[str, int]] = {}
    for operation, by_status in after.get("calls", {}).items():
        old = before.get("calls", {}).get(operation, {})
        delta = {s: int(n) - int(old.get(s, 0)) for s, n in by_status.items()}
        delta = {s: n for s, n in delta.items() if n}
        if delta:
            statuses[operation] = delta
    calls = {op: sum(d.values()) for op, d in statuses.items()}
    rate_limited = sum(d.get("429", 0) for d in statuses.values())
    old_windows = before.get("windows", {}).get(viewer_id, {})
    windows = {
        op: int(n) - int(old_windows.get(op, 0))
        for op, n in after.get("windows", {}).get(viewer_id, {}).items()
        if int(n) - int(old_windows.get(op, 0))
    }
    old_blocks = before.get("accounts", {}).get(viewer_id, {}).get("block_calls", {})
    new_blocks = after.get("accounts", {}).get(viewer_id, {}).get("block_calls", {})
    block_calls = {
        uid: int(n) - int(old_blocks.get(uid, 0))
        for uid, n in new_blocks.items()
        if int(n) - int(old_blocks.get(uid, 0))
    }
    return Observed(calls, statuses, rate_limited, windows, block_calls)


@dataclass(frozen=True, slots=True)
class BlockAudit:
    unneeded: int  # block calls on user ids no listed target needed blocked
    repeated: int  # targets that received more than one block call
    unneeded_sample: tuple[str, ...]


def audit_blocks(observed: Observed, truth: Mapping[str, Any], *, by_id: bool) -> BlockAudit:
    needed = {
        str(t["user_id"])
        for t in listed_targets(truth, by_id=by_id)
        if t.get("user_id") and _outcome(t, by_id) == "blocked"
    }
    unneeded = sorted(uid for uid in observed.block_calls if uid not in needed)
    unneeded_calls = sum(observed.block_calls[uid] for uid in unneeded)
    repeated = sum(1 for n in observed.block_calls.values() if n > 1)
    return BlockAudit(unneeded_calls, repeated, tuple(unneeded[:10]))


def windows_used(wall_seconds: float, window_seconds: float) -> tuple[int, float]:
    """Whole windows the run spanned, and the exact fraction."""
    fraction = wall_seconds / window_seconds
    return max(1, math.ceil(fraction - 1e-9)), fraction
