"""What became of one target in a run, typed: the ``RunReport.counts`` keys and the
progress words, and the one table from each ledger state to it.

The vocabulary runs one way: the X layer's ``Outcome``/``UserState``/``BlockStatus`` ->
the ledger's ``Status``/``UserStatus``/``Reason`` -> ``TargetOutcome``. Each step is a
table of members, never a lookup by spelling; words for people are the CLI's.
"""

from __future__ import annotations

from enum import StrEnum

from ..store.models import Reason, UserStatus
from ..x.models import UserState


class TargetOutcome(StrEnum):
    """One target's outcome in a run (its value is the ``--json`` counts key)."""

    BLOCKED = "blocked"
    ALREADY_BLOCKED = "already_blocked"
    SKIPPED_SELF = "skipped_self"
    SKIPPED_ALLOWLISTED = "skipped_allowlisted"
    SKIPPED_FOLLOWING = "skipped_following"
    SKIPPED_FOLLOWER = "skipped_follower"
    SUSPENDED = "suspended"
    NOT_FOUND = "not_found"
    WOULD_BLOCK = "would_block"  # dry run: a real run would block it
    FAILED_TEMPORARY = "failed_temporary"  # retried with backoff
    BLOCK_NOT_KEPT = "block_not_kept"  # the read-back found X had not kept a block


# The ledger's final reason -> the outcome it counts as.
OUTCOME_OF: dict[Reason, TargetOutcome] = {
    Reason.BLOCKED: TargetOutcome.BLOCKED,
    Reason.ALREADY_BLOCKED: TargetOutcome.ALREADY_BLOCKED,
    Reason.SELF: TargetOutcome.SKIPPED_SELF,
    Reason.ALLOWLISTED: TargetOutcome.SKIPPED_ALLOWLISTED,
    Reason.FOLLOWING: TargetOutcome.SKIPPED_FOLLOWING,
    Reason.FOLLOWED_BY: TargetOutcome.SKIPPED_FOLLOWER,
    Reason.SUSPENDED: TargetOutcome.SUSPENDED,
    Reason.NOT_FOUND: TargetOutcome.NOT_FOUND,
}

SKIPPED = frozenset(
    {
        TargetOutcome.SKIPPED_SELF,
        TargetOutcome.SKIPPED_ALLOWLISTED,
        TargetOutcome.SKIPPED_FOLLOWING,
        TargetOutcome.SKIPPED_FOLLOWER,
    }
)

# A gone account (X answers a deactivated one like one that never existed): how the
# ledger records it.
GONE: dict[UserState, tuple[UserStatus, Reason]] = {
    UserState.SUSPENDED: (UserStatus.SUSPENDED, Reason.SUSPENDED),
    UserState.NOT_FOUND: (UserStatus.NOT_FOUND, Reason.NOT_FOUND),
}
