"""Typed values the X client returns. Frozen, no back-reference to the client."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Outcome(StrEnum):
    """What one HTTP answer of X was (``outcomes.classify``): the ``attempts.outcome`` column,
    the error log's ``outcome``. Request-level failures, per-target answers, and ``OK``."""

    OK = "ok"
    RATE_LIMITED = "rate_limited"
    AUTH_FAILED = "auth_failed"
    CSRF_MISMATCH = "csrf_mismatch"
    ACCOUNT_LOCKED = "account_locked"
    ACCOUNT_SUSPENDED = "account_suspended"
    FEATURES_OUTDATED = "features_outdated"
    TRANSIENT = "transient"
    TID_REJECTED = "tid_rejected"
    INCONCLUSIVE = "inconclusive"
    BAD_REQUEST = "bad_request"
    # per-target answers (v1.1): not failures of the session
    NOT_FOUND = "not_found"
    SUSPENDED = "suspended"
    SELF = "self"


# Answers that prove the session works: X answered about the target.
ANSWERED = frozenset({Outcome.OK, Outcome.NOT_FOUND, Outcome.SUSPENDED, Outcome.SELF})
# The viewer's own session or account was refused.
AUTH_OUTCOMES = (Outcome.AUTH_FAILED, Outcome.CSRF_MISMATCH)
ACCOUNT_OUTCOMES = (Outcome.ACCOUNT_LOCKED, Outcome.ACCOUNT_SUSPENDED)


class UserState(StrEnum):
    """What a lookup can tell about a target.

    X answers a deactivated account like one that never existed (X-FACTS.md 2.2),
    so a lookup can only ever say NOT_FOUND for both.
    """

    ACTIVE = "active"
    SUSPENDED = "suspended"
    NOT_FOUND = "not_found"


@dataclass(frozen=True, slots=True)
class User:
    """A user as seen by the logged-in viewer.

    ``following``: the viewer follows this user. ``followed_by``: this user
    follows the viewer. Flags missing from the response are False (X-FACTS.md 2.3).

    ``relationship_known`` is False when the node carried no relationship data
    at all (no ``relationship_perspectives``, no legacy ``following`` /
    ``followed_by`` / ``blocking``): the flags are then defaults, not facts, and
    a follow decision needs ``friendships/show`` first (X has moved these
    fields twice; X-FACTS.md 2.3).
    """

    user_id: str
    screen_name: str
    name: str = ""
    protected: bool = False
    following: bool = False
    followed_by: bool = False
    blocking: bool = False
    blocked_by: bool = False
    follow_request_sent: bool = False
    relationship_known: bool = True


@dataclass(frozen=True, slots=True)
class LookupResult:
    """The answer for one requested key (a user id, or a lower-cased handle).

    ``user`` is set for ACTIVE. ``user_id`` is set whenever X revealed it
    (always for ACTIVE; for SUSPENDED when ``rest_id`` sat beside the result).
    """

    key: str
    state: UserState
    user: User | None = None
    user_id: str | None = None


class BlockStatus(StrEnum):
    """Per-target answers of blocks/create and blocks/destroy."""

    OK = "ok"  # 200: the call succeeded (also when already blocking: X is idempotent)
    SELF = "self"  # 403/147: you can't block yourself
    NOT_FOUND = "not_found"  # 404 with code 50 or 34: unknown, deactivated or suspended
    SUSPENDED = "suspended"  # 403/63: target suspended


@dataclass(frozen=True, slots=True)
class BlockResult:
    user_id: str
    status: BlockStatus
    screen_name: str | None = None
    http_status: int = 200
    code: int | None = None


@dataclass(frozen=True, slots=True)
class Relationship:
    """friendships/show or friendships/lookup: the viewer's edges to one target."""

    user_id: str
    following: bool
    followed_by: bool
    blocking: bool
    screen_name: str | None = None


@dataclass(frozen=True, slots=True)
class RateInfo:
    """The x-rate-limit-* headers of one response. ``reset`` is epoch seconds."""

    limit: int
    remaining: int
    reset: float


@dataclass(frozen=True, slots=True)
class CallRecord:
    """One HTTP call, for the attempts table and the rate budgets. Never holds a secret.

    ``operation`` is the GraphQL operation name (``UserByScreenName``) or the
    v1.1 path without ``.json`` (``blocks/create``). ``outcome``: what the answer was
    (``Outcome``; stored as its value).
    """

    operation: str
    started_at: float
    elapsed: float
    http_status: int | None
    code: int | None
    message: str | None
    outcome: Outcome
    rate: RateInfo | None = None
    targets: int = 0
