"""Who may be blocked. Pure: a looked-up user in, a decision out.

Order matters and is the safety contract: self, allowlist, already blocking,
following, followed by, then block. Protected accounts are blocked like any
other. The caller must only pass a ``User`` whose relationship flags are fresh
(from this run's lookup or a relationship cache younger than its lifetime);
missing relationship data is never read as "not following".
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from enum import StrEnum

from ..inputs.normalize import handle_key, id_key
from ..store.models import Reason
from ..x.models import User
from .outcomes import OUTCOME_OF, TargetOutcome


class Action(StrEnum):
    BLOCK = "block"
    ALREADY_BLOCKED = "already_blocked"
    SKIP = "skip"


# Why a target is skipped: the ledger's own ``Reason`` (SELF, ALLOWLISTED, FOLLOWING,
# FOLLOWED_BY), recorded as decided; one vocabulary, no copy to map by spelling.
SkipReason = Reason


@dataclass(frozen=True, slots=True)
class Decision:
    action: Action
    reason: Reason | None = None

    @property
    def outcome(self) -> TargetOutcome:
        """The outcome the decision leads to (a block is settled later, by the block call)."""
        if self.action is Action.SKIP and self.reason is not None:
            return OUTCOME_OF[self.reason]
        if self.action is Action.ALREADY_BLOCKED:
            return TargetOutcome.ALREADY_BLOCKED
        return TargetOutcome.WOULD_BLOCK


BLOCK = Decision(Action.BLOCK)
ALREADY_BLOCKED = Decision(Action.ALREADY_BLOCKED)


def target_keys(user_id: str | None, screen_name: str | None) -> tuple[str, ...]:
    """The ``Target.key`` forms a user can appear under in a list or allowlist."""
    keys: list[str] = []
    if user_id:
        keys.append(id_key(user_id))
    if screen_name:
        keys.append(handle_key(screen_name))
    return tuple(keys)


def is_allowlisted(
    user_id: str | None, screen_name: str | None, allowlist: Collection[str]
) -> bool:
    return bool(allowlist) and any(k in allowlist for k in target_keys(user_id, screen_name))


def decide(
    user: User,
    *,
    viewer_id: str | None,
    allowlist: Collection[str] = frozenset(),
    skip_following: bool = True,
    skip_followers: bool = True,
) -> Decision:
    if viewer_id is not None and user.user_id == viewer_id:
        return Decision(Action.SKIP, SkipReason.SELF)
    if is_allowlisted(user.user_id, user.screen_name, allowlist):
        return Decision(Action.SKIP, SkipReason.ALLOWLISTED)
    if user.blocking:
        return ALREADY_BLOCKED
    if skip_following and user.following:
        return Decision(Action.SKIP, SkipReason.FOLLOWING)
    if skip_followers and user.followed_by:
        return Decision(Action.SKIP, SkipReason.FOLLOWED_BY)
    return BLOCK
