"""The pure decision rules: who may be blocked, and the backoff of temporary failures."""

from __future__ import annotations

import random

import pytest

from twitter_blocker.engine.policy import Action, SkipReason, decide
from twitter_blocker.engine.retry import Backoff, failure_reason, is_temporary
from twitter_blocker.x.errors import (
    AccountLocked,
    FeaturesOutdated,
    RateLimited,
    Transient,
    UnexpectedResponse,
    XAuthError,
)
from twitter_blocker.x.models import User

VIEWER = "42"


def user(**flags: bool) -> User:
    return User(user_id="1001", screen_name="Target_One", **flags)


def test_plain_account_is_blocked() -> None:
    assert decide(user(), viewer_id=VIEWER).action is Action.BLOCK


def test_protected_account_is_blocked() -> None:
    assert decide(user(protected=True), viewer_id=VIEWER).action is Action.BLOCK


def test_self_is_never_blocked() -> None:
    me = User(user_id=VIEWER, screen_name="me")
    d = decide(me, viewer_id=VIEWER, skip_following=False, skip_followers=False)
    assert (d.action, d.reason) == (Action.SKIP, SkipReason.SELF)


@pytest.mark.parametrize(
    ("flags", "reason"),
    [
        ({"following": True}, SkipReason.FOLLOWING),
        ({"followed_by": True}, SkipReason.FOLLOWED_BY),
        ({"following": True, "followed_by": True}, SkipReason.FOLLOWING),
    ],
)
def test_follow_edges_are_skipped(flags: dict[str, bool], reason: SkipReason) -> None:
    d = decide(user(**flags), viewer_id=VIEWER)
    assert (d.action, d.reason) == (Action.SKIP, reason)
    assert d.outcome.startswith("skipped_")


def test_follow_rules_can_be_switched_off() -> None:
    both = user(following=True, followed_by=True)
    assert (
        decide(both, viewer_id=VIEWER, skip_following=False, skip_followers=False).action
        is Action.BLOCK
    )
    d = decide(both, viewer_id=VIEWER, skip_following=False)
    assert d.reason is SkipReason.FOLLOWED_BY


@pytest.mark.parametrize("key", ["id:1001", "sn:target_one"])
def test_allowlist_by_id_or_case_insensitive_handle(key: str) -> None:
    d = decide(user(), viewer_id=VIEWER, allowlist=frozenset({key}))
    assert (d.action, d.reason) == (Action.SKIP, SkipReason.ALLOWLISTED)


def test_already_blocking_needs_no_call_but_allowlist_and_self_win() -> None:
    assert decide(user(blocking=True), viewer_id=VIEWER).action is Action.ALREADY_BLOCKED
    assert decide(user(blocking=True, following=True), viewer_id=VIEWER).outcome == (
        "already_blocked"
    )
    allowed = decide(user(blocking=True), viewer_id=VIEWER, allowlist=frozenset({"id:1001"}))
    assert allowed.reason is SkipReason.ALLOWLISTED


def test_backoff_is_exponential_with_full_jitter_and_capped() -> None:
    b = Backoff(base=2.0, cap=60.0)
    assert [b.ceiling(n) for n in (1, 2, 3, 4, 5, 6, 7)] == [2, 4, 8, 16, 32, 60, 60]
    rng = random.Random(7)
    delays = [b.delay(3, rng) for _ in range(200)]
    assert all(0.0 <= d <= 8.0 for d in delays)
    assert min(delays) < 2.0 < max(delays)  # spread over the whole range


def test_which_failures_are_temporary() -> None:
    assert is_temporary(Transient("503", http_status=503, code=130))
    assert is_temporary(UnexpectedResponse("?"))
    assert is_temporary(FeaturesOutdated("336", missing=("x",)))
    assert is_temporary(RateLimited("88", reset=None))
    assert not is_temporary(XAuthError("32", code=32))
    assert not is_temporary(AccountLocked("326", code=326))
    assert failure_reason(Transient("x", http_status=503, code=130)) == "error:503/130"
    assert failure_reason(Transient("x")) == "error:-/-"
