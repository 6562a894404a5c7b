"""Compare a ``block_history.db`` with an emulator's ``truth.json``.

Used by ``twitter-blocker demo``, the end-to-end tests and the benchmark. It reads
the database directly (read-only) and takes the truth as plain JSON data, so it
depends on neither the emulator nor the engine.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .inputs.normalize import handle_key, id_key
from .store.models import Reason, Status, UserStatus
from .store.readmodel import decisions_by_key

# truth outcome (the emulator's word) -> the (status, user_status values, reason) a correct
# run records.
# X answers a deactivated account like one that never existed (X-FACTS.md 2.2), so
# `not_found` is the correct record for a truth of `deactivated`.
EXPECTED_RECORD: dict[str, tuple[Status, frozenset[UserStatus], Reason]] = {
    "blocked": (Status.BLOCKED, frozenset({UserStatus.ACTIVE}), Reason.BLOCKED),
    "already_blocked": (Status.BLOCKED, frozenset({UserStatus.ACTIVE}), Reason.ALREADY_BLOCKED),
    "skipped_following": (Status.SKIPPED, frozenset({UserStatus.ACTIVE}), Reason.FOLLOWING),
    "skipped_follower": (Status.SKIPPED, frozenset({UserStatus.ACTIVE}), Reason.FOLLOWED_BY),
    "suspended": (Status.FAILED, frozenset({UserStatus.SUSPENDED}), Reason.SUSPENDED),
    "not_found": (Status.FAILED, frozenset({UserStatus.NOT_FOUND}), Reason.NOT_FOUND),
    "deactivated": (
        Status.FAILED,
        frozenset({UserStatus.NOT_FOUND, UserStatus.DEACTIVATED}),
        Reason.NOT_FOUND,
    ),
}

BLOCKED_OUTCOMES = frozenset({"blocked", "already_blocked"})


@dataclass(frozen=True, slots=True)
class Mismatch:
    identifier: str
    expected: str
    found: str


@dataclass
class Comparison:
    checked: int = 0
    mismatches: list[Mismatch] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.mismatches


def target_key(identifier: str, *, by_id: bool) -> str:
    return id_key(identifier) if by_id else handle_key(identifier)


def compare_db_with_truth(
    db_path: Path, truth: Mapping[str, Any], *, by_id: bool = False
) -> Comparison:
    """Every truth target must have a row in the state its expected outcome requires."""
    expected_field = "expected_by_id" if by_id else "expected"
    uri = f"file:{db_path}?mode=ro"
    conn = sqlite3.connect(uri, uri=True)
    try:
        by_key = decisions_by_key(conn)
    finally:
        conn.close()
    result = Comparison()
    for target in truth["targets"]:
        identifier = str(target["user_id"] if by_id else target["identifier"])
        if by_id and not target.get("user_id"):
            continue
        expected = str(target.get(expected_field) or target["expected"])
        result.checked += 1
        found = by_key.get(target_key(identifier, by_id=by_id))
        want_status, want_user_status, want_reason = EXPECTED_RECORD[expected]
        if found is None:
            result.mismatches.append(Mismatch(identifier, expected, "no row"))
            continue
        status, user_status, reason = found
        if status != want_status or user_status not in want_user_status or reason != want_reason:
            result.mismatches.append(
                Mismatch(
                    identifier,
                    expected,
                    f"status={status} user_status={user_status} reason={reason}",
                )
            )
    return result


def expected_blocked_ids(truth: Mapping[str, Any], *, by_id: bool = False) -> set[str]:
    expected_field = "expected_by_id" if by_id else "expected"
    out: set[str] = set()
    for target in truth["targets"]:
        outcome = target.get(expected_field) or target["expected"]
        if outcome in BLOCKED_OUTCOMES and target.get("user_id"):
            out.add(str(target["user_id"]))
    return out


def doubly_blocked(block_calls: Mapping[str, int]) -> Sequence[str]:
    """Targets that received more than one blocks/create call."""
    return sorted(uid for uid, count in block_calls.items() if count > 1)


def blocked_set_diff(actual: Iterable[str], expected: Iterable[str]) -> tuple[set[str], set[str]]:
    """(blocked but not expected, expected but not blocked)."""
    a, e = set(actual), set(expected)
    return a - e, e - a
