"""Work items of a pass and the cache as the engine reads it.

A ``Work`` is one ledger row on its way through a pass: looked up (from the
cache or X), decided, blocked, recorded. ``LookupCache`` is the narrow view of
``store.cache.Cache`` the engine needs; ``NullCache`` stands in when there is
none (``inspect_user``, tests of the loop alone).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from ..inputs.normalize import fold_handle, id_key
from ..store.models import Row
from ..x.models import LookupResult, Relationship, User, UserState


@dataclass(slots=True)
class Work:
    row_id: int
    user_id: str | None
    screen_name: str | None
    attempts: int
    fresh: bool  # a block call may have landed before a crash: look up uncached first
    known_id: bool  # the ledger row already carries user_id (no identity to resolve)
    checked_at: float | None = None  # when its relationship data was read from X (epoch)

    @classmethod
    def from_row(cls, row: Row) -> Work:
        return cls(
            row_id=row.id,
            user_id=row.user_id,
            screen_name=row.screen_name,
            attempts=row.attempts,
            fresh=row.block_sent_at is not None,
            known_id=row.user_id is not None,
        )

    @property
    def label(self) -> str:
        if self.screen_name:
            return f"@{self.screen_name}"
        return id_key(str(self.user_id))

    @property
    def handle_key(self) -> str:
        return fold_handle(self.screen_name or "")


class LookupCache(Protocol):
    def get_ids(self, handles: Sequence[str]) -> Mapping[str, str]:
        """lower-cased handle -> user id, fresh entries only."""
        ...

    def get_profiles(self, ids: Sequence[str]) -> Mapping[str, LookupResult]:
        """user id -> the last lookup answer (state, profile), fresh entries only."""
        ...

    def get_relationships(self, viewer: str, ids: Sequence[str]) -> Mapping[str, Relationship]:
        """user id -> the viewer's edges to it, fresh entries only (lifetime ~1 h)."""
        ...

    def get_relationship_times(self, viewer: str, ids: Sequence[str]) -> Mapping[str, float]:
        """user id -> when its fresh relationship entry was read from X (epoch seconds)."""
        ...

    def put_lookups(self, viewer: str, results: Sequence[LookupResult]) -> None:
        """Remember handle -> id, the profile/state and (ACTIVE users) the relationship."""
        ...


class NullCache:
    def get_ids(self, handles: Sequence[str]) -> Mapping[str, str]:
        return {}

    def get_profiles(self, ids: Sequence[str]) -> Mapping[str, LookupResult]:
        return {}

    def get_relationships(self, viewer: str, ids: Sequence[str]) -> Mapping[str, Relationship]:
        return {}

    def get_relationship_times(self, viewer: str, ids: Sequence[str]) -> Mapping[str, float]:
        return {}

    def put_lookups(self, viewer: str, results: Sequence[LookupResult]) -> None:
        return None


def with_relationship(profile: User, rel: Relationship) -> User:
    """A cached profile with the viewer's (fresh) relationship flags on it."""
    return User(
        user_id=profile.user_id,
        screen_name=rel.screen_name or profile.screen_name,
        name=profile.name,
        protected=profile.protected,
        following=rel.following,
        followed_by=rel.followed_by,
        blocking=rel.blocking,
        blocked_by=profile.blocked_by,
        follow_request_sent=profile.follow_request_sent,
    )


def relationship_of(user: User) -> Relationship:
    return Relationship(
        user_id=user.user_id,
        following=user.following,
        followed_by=user.followed_by,
        blocking=user.blocking,
        screen_name=user.screen_name,
    )


def cached_answer(
    work: Work,
    profiles: Mapping[str, LookupResult],
    relationships: Mapping[str, Relationship],
) -> LookupResult | None:
    """A complete answer from the cache, or None (then X must be asked).

    Suspended and not-found answers need no relationship. An active user needs a
    fresh relationship entry too: a missing one never means "not following".
    """
    if work.fresh or work.user_id is None:
        return None
    hit = profiles.get(work.user_id)
    if hit is None:
        return None
    if hit.state is not UserState.ACTIVE:
        return hit
    rel = relationships.get(work.user_id)
    if hit.user is None or rel is None:
        return None
    user = with_relationship(hit.user, rel)
    return LookupResult(work.user_id, UserState.ACTIVE, user=user, user_id=user.user_id)
