"""Relationship data for user nodes that carry none.

X moved the relationship flags twice (X-FACTS.md 2.3); a node without them
(``User.relationship_known`` False) cannot decide a block, because its flags are
defaults, not facts. Before such targets are decided, ``Relations.complete`` asks
v1.1 ``friendships/lookup`` (up to 100 ids a call, 15 calls per 15 min, X-FACTS.md
3.6) and, for the ids it could not answer, ``friendships/show`` (one id a call, 180
per 15 min, 3.7). Both stay within their windows: the client never sends into a
spent window, and when both are spent the lookup batch waits for the reset of
``friendships/lookup`` (``RateLimited`` goes to the loop, which holds the operation).

A target still without relationship data stays undecided (a temporary failure of
that target). When that happens ``GIVE_UP_AFTER`` lookup batches in a row, neither
source works and waiting longer only burns attempts: ``exhausted`` then holds the
last error and the loop stops the run (exit 75, resumable) instead of ending
"done" with targets that were never decided.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import replace

from ..x.client import FRIENDSHIPS_LOOKUP_MAX, XClient
from ..x.errors import (
    RateLimited,
    TargetUnavailable,
    UnexpectedResponse,
    XAccountError,
    XAuthError,
    XError,
)
from ..x.models import LookupResult, Relationship, UserState

log = logging.getLogger("twitter_blocker.engine")

LOOKUP_OP = "friendships/lookup"
SHOW_OP = "friendships/show"
GIVE_UP_AFTER = 3  # lookup batches in a row that left targets without relationship data
SHOW_FAILURES_IN_A_ROW = 3  # friendships/show errors in a row: that source is down too


class Relations:
    def __init__(self, client: XClient) -> None:
        self.client = client
        self.unresolved_rounds = 0
        self.last_error: XError | None = None
        self.exhausted: XError | None = None  # set when the run should stop

    def complete(self, results: Sequence[LookupResult]) -> list[LookupResult]:
        """``results`` with relationship data filled in wherever X's node lacked it."""
        need = [
            r.user.user_id
            for r in results
            if r.state is UserState.ACTIVE
            and r.user is not None
            and not r.user.relationship_known
            and r.user.user_id != self.client.viewer_id  # the viewer: "self", no edges to read
        ]
        if not need:
            return list(results)
        rels = self._fetch(need)
        missing = [uid for uid in need if uid not in rels]
        if missing:
            self.unresolved_rounds += 1
            error = self.last_error or UnexpectedResponse(
                f"{LOOKUP_OP} and {SHOW_OP} gave no relationship for {len(missing)} target(s)",
                operation=LOOKUP_OP,
            )
            log.warning(
                "no relationship data for %d target(s) (%d batch(es) in a row): %s",
                len(missing),
                self.unresolved_rounds,
                error,
            )
            if self.unresolved_rounds >= GIVE_UP_AFTER:
                self.exhausted = error
        else:
            self.unresolved_rounds = 0
        return [_with(r, rels) for r in results]

    def _fetch(self, ids: list[str]) -> dict[str, Relationship]:
        self.last_error = None
        rels: dict[str, Relationship] = {}
        for start in range(0, len(ids), FRIENDSHIPS_LOOKUP_MAX):
            chunk = ids[start : start + FRIENDSHIPS_LOOKUP_MAX]
            limited: RateLimited | None = None
            try:
                rels.update(self.client.friendships_lookup(chunk))
            except RateLimited as exc:
                limited = exc
            except (XAuthError, XAccountError):
                raise
            except XError as exc:
                self.last_error = exc
            left = [uid for uid in chunk if uid not in rels]
            if left:
                rels.update(self._show(left, limited))
        return rels

    def _show(self, ids: list[str], limited: RateLimited | None) -> dict[str, Relationship]:
        """``friendships/show`` one by one, while its window lasts and it answers."""
        out: dict[str, Relationship] = {}
        failures = 0
        for uid in ids:
            try:
                out[uid] = self.client.friendship(uid)
                failures = 0
            except TargetUnavailable as exc:
                # The lookup found the target active a moment ago: a contradiction, not a
                # verdict. It stays undecided until the sources agree.
                self.last_error = exc
            except RateLimited as exc:
                if limited is not None:
                    # Both windows spent: wait for friendships/lookup's reset (then it answers
                    # 100 at a time); the loop holds the batch until then.
                    raise (limited if limited.reset is not None else exc) from exc
                if not out:
                    raise  # nothing answered yet: wait for friendships/show's reset
                self.last_error = exc  # some answered: the rest are retried later
                break
            except (XAuthError, XAccountError):
                raise
            except XError as exc:
                self.last_error = exc
                failures += 1
                if failures >= SHOW_FAILURES_IN_A_ROW:
                    break
        return out


def _with(result: LookupResult, rels: dict[str, Relationship]) -> LookupResult:
    user = result.user
    if user is None or user.relationship_known:
        return result
    rel = rels.get(user.user_id)
    if rel is None:
        return result
    known = replace(
        user,
        following=rel.following,
        followed_by=rel.followed_by,
        blocking=rel.blocking,
        relationship_known=True,
    )
    return replace(result, user=known)
