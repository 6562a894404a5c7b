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
from ..x.models import User


class Action(StrEnum):
    BLOCK = "block"
    ALREADY_BLOCKED = "already_blocked"
    SKIP = "skip"


class SkipReason(StrEnum):
    """The ``reason`` column of a skipped row (DESIGN.md final states)."""

    SELF = "self"
    ALLOWLISTED = "allowlisted"
    FOLLOWING = "following"
    FOLLOWED_BY = "followed_by"


@dataclass(frozen=True, slots=True)
class Decision:
    action: Action
    reason: SkipReason | None = None

    @property
    def outcome(self) -> str:
        """The progress/count word: blocked is decided later, by the block call."""
        if self.action is Action.SKIP and self.reason is not None:
            return SKIP_OUTCOMES[self.reason]
        return self.action.value


SKIP_OUTCOMES: dict[SkipReason, str] = {
    SkipReason.SELF: "skipped_self",
    SkipReason.ALLOWLISTED: "skipped_allowlisted",
    SkipReason.FOLLOWING: "skipped_following",
    SkipReason.FOLLOWED_BY: "skipped_follower",
}

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
