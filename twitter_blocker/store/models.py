"""Typed values of the ledger: states, rows, import counts, statistics."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class Status(StrEnum):
    """``block_history.status``. Every state but PENDING is final for the main pass."""

    PENDING = "pending"
    BLOCKED = "blocked"
    SKIPPED = "skipped"
    FAILED = "failed"


# How far along a row is; a merge keeps the row that is further along.
STATUS_RANK: dict[str, int] = {
    Status.BLOCKED: 3,
    Status.SKIPPED: 2,
    Status.FAILED: 1,
    Status.PENDING: 0,
}


class UserStatus(StrEnum):
    """``block_history.user_status``: what X said about the account (NULL: not known yet)."""

    ACTIVE = "active"
    SUSPENDED = "suspended"
    NOT_FOUND = "not_found"
    DEACTIVATED = "deactivated"


# The runbook's permanent failures: status 'failed' with one of these.
PERMANENT_USER_STATUSES: tuple[str, ...] = (
    UserStatus.SUSPENDED,
    UserStatus.NOT_FOUND,
    UserStatus.DEACTIVATED,
)


class Reason(StrEnum):
    """``block_history.reason`` of final rows. Temporary failures use :func:`error_reason`."""

    BLOCKED = "blocked"
    ALREADY_BLOCKED = "already_blocked"
    FOLLOWING = "following"
    FOLLOWED_BY = "followed_by"
    SELF = "self"
    ALLOWLISTED = "allowlisted"
    SUSPENDED = "suspended"
    NOT_FOUND = "not_found"


def error_reason(http_status: int | None, code: int | None) -> str:
    """The reason of a temporary failure: ``error:<http>/<code>`` (``-`` when unknown)."""
    http = "-" if http_status is None else str(http_status)
    xcode = "-" if code is None else str(code)
    return f"error:{http}/{xcode}"


@dataclass(frozen=True, slots=True)
class Row:
    """One target of the ledger as the engine sees it.

    ``keys`` are the Target keys (``id:<digits>``, ``sn:<lower handle>``) that lead to
    this row. ``block_sent_at`` set on a non-blocked row means a block call may have
    landed before a crash: re-verify with a fresh lookup before blocking again.
    """

    id: int
    user_id: str | None
    screen_name: str | None
    status: Status
    user_status: str | None
    reason: str | None
    attempts: int
    block_sent_at: str | None
    keys: tuple[str, ...]
    protected: bool = False
    next_attempt_at: str | None = None
    checked_at: str | None = None
    last_http_status: int | None = None
    last_error_code: int | None = None
    last_error: str | None = None


@dataclass(frozen=True, slots=True)
class ImportStats:
    """``new``: rows created. ``known``: targets that already had a row."""

    new: int
    known: int


@dataclass(frozen=True, slots=True)
class FinalRecord:
    """One decision for :meth:`History.record_final_many`."""

    row_id: int
    status: Status | str
    user_status: str | None
    reason: str | None
    protected: bool = False


@dataclass(frozen=True, slots=True)
class RunInfo:
    """One ``process_log`` row. ``state`` is ``status`` except a ``running`` row whose
    pid is gone, which reads ``crashed``."""

    id: int
    started_at: str | None
    ended_at: str | None
    pid: int | None
    command: str | None
    status: str | None
    state: str
    exit_code: int | None
    end_reason: str | None
    targets: int | None
    blocked: int | None
    skipped: int | None
    failed: int | None
    api_calls: int | None


@dataclass(frozen=True, slots=True)
class ErrorSample:
    """A distinct error of failed rows: how many rows carry it and when it last happened."""

    http_status: int | None
    code: int | None
    message: str
    count: int
    last_at: str | None


@dataclass(frozen=True, slots=True)
class BudgetState:
    """One persisted rate window."""

    account: str
    operation: str
    limit: int
    remaining: int
    reset_epoch: float
    updated_epoch: float


@dataclass(frozen=True)
class Stats:
    """What ``--stats`` shows. Every count is exact SQL over the ledger."""

    total: int
    by_status: dict[str, int]
    by_user_status: dict[str, int]  # NULL user_status counts under "unknown"
    by_reason: dict[str, int]  # NULL reason counts under "none"
    pending: int
    block_sent_unconfirmed: int  # not blocked yet, but a block call may have landed
    retry_candidates: int  # failed, temporary, attempts < max (due now or later)
    retry_due: int  # of those, due now
    retry_exhausted: int  # failed, temporary, attempts >= max
    permanent_failures: int  # the runbook's query
    error_samples: list[ErrorSample] = field(default_factory=list)
    last_run: RunInfo | None = None
    rate_limits: list[BudgetState] = field(default_factory=list)

    @property
    def done(self) -> int:
        """Rows in a final state that needs nothing more: blocked, skipped, permanent."""
        return (
            self.by_status.get(Status.BLOCKED, 0)
            + self.by_status.get(Status.SKIPPED, 0)
            + self.permanent_failures
        )
