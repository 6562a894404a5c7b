"""The engine's public values: what the CLI passes in and gets back."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Literal, Protocol

from ..errors import EXIT_OK, AccountBlockedError, AuthError
from ..x.models import Relationship, User, UserState
from .retry import DEFAULT_BASE, DEFAULT_CAP, DEFAULT_MAX_ATTEMPTS

Mode = Literal["main", "retry", "dry_run"]


@dataclass(frozen=True)
class RunOptions:
    mode: Mode = "main"
    limit: int | None = None  # at most this many targets (--max-users without --all); None = all
    auto_retry: bool = False  # run the retry pass after the main pass
    delay: float = 1.0  # floor between block calls, seconds (plus a small jitter)
    max_wait: float | None = None  # longest single wait allowed; longer -> stop, exit 75
    skip_following: bool = True
    skip_followers: bool = True
    allowlist: frozenset[str] = frozenset()  # Target.key values ("id:..", "sn:..")
    recheck_permanent_days: float | None = None
    reset_retry: bool = False
    max_blocks_per_hour: int | None = None
    max_blocks_per_day: int | None = None
    max_attempts: int = DEFAULT_MAX_ATTEMPTS
    skip_invalid: bool = False
    retry_base: float = DEFAULT_BASE  # backoff base, seconds (tests shorten it)
    retry_cap: float = DEFAULT_CAP  # longest backoff, seconds
    batch_size: int = 100  # lookups per call (X allows 100)
    ban_signal_limit: int = 3  # suspicious 88s (remaining > 0) tolerated before stopping
    seed: int | None = None  # jitter seed, for reproducible tests
    outage_limit: float = 1800.0  # seconds without a successful answer from X: stop (75)
    guessed_reset: float = 60.0  # wait after a 429 without a reset header (doubling, to 900 s)
    relationship_lifetime: float = 3600.0  # older relationship data is looked up again
    sources: tuple[str, ...] = ()  # --source: chain sources collected and blocked (sourcefeed.py)
    include_source: bool = False  # the source account itself is a target too
    skip_verified: bool = False  # never block accounts with a blue check


class ProgressSink(Protocol):
    def start(self, phase: str, total: int) -> None: ...
    def advance(self, outcome: str, target: str) -> None: ...
    def waiting(self, until_epoch: float, reason: str) -> None: ...
    def note(self, level: str, text: str) -> None: ...
    def budget(self, operation: str, remaining: int, limit: int, reset_epoch: float) -> None: ...


class NullProgress:
    """A ProgressSink that shows nothing (library use, tests)."""

    def start(self, phase: str, total: int) -> None:
        pass

    def advance(self, outcome: str, target: str) -> None:
        pass

    def waiting(self, until_epoch: float, reason: str) -> None:
        pass

    def note(self, level: str, text: str) -> None:
        pass

    def budget(self, operation: str, remaining: int, limit: int, reset_epoch: float) -> None:
        pass


@dataclass(frozen=True, slots=True)
class PlannedAction:
    """One dry-run line: what a real run would do with this target, and why."""

    target: str  # the handle or id as known
    user_id: str | None
    screen_name: str | None
    action: str  # block | already_blocked | skip | fail | unknown
    reason: str  # following, followed_by, self, allowlisted, suspended, not_found, error:...
    protected: bool = False

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


@dataclass
class RunReport:
    counts: dict[str, int] = field(default_factory=dict)
    api_calls: dict[str, int] = field(default_factory=dict)
    end_reason: str = "done"  # done, interrupted, max_wait, cap, ban_signal, too_many_errors,
    #                           outage, no_answer, contradiction, forbidden, refusing_blocks,
    #                           allowlist, session_killed, auth_failed, account_locked,
    #                           account_suspended
    exit_code: int = EXIT_OK
    plan: list[PlannedAction] = field(default_factory=list)
    blocks_before_stop: int | None = None
    run_ids: list[int] = field(default_factory=list)
    message: str | None = None  # one line on why the run stopped early, if it did
    duplicates: int = 0  # entries of the target list merged as repeats (named in notes)
    invalid: int = 0  # entries skipped with --skip-invalid (named in notes)

    @property
    def total_calls(self) -> int:
        return sum(self.api_calls.values())


@dataclass(frozen=True, slots=True)
class UserReport:
    """``--test-user``: what X says about one account, and what a run would do."""

    identifier: str
    state: UserState
    user: User | None
    relationship: Relationship | None
    would: str  # block | already_blocked | skip:<reason> | fail:<state>
    db_status: str | None = None


class AuthStopped(AuthError):
    """X rejected the session mid-run; everything is committed. ``report`` has the counts."""

    def __init__(self, message: str, *, report: RunReport) -> None:
        self.report = report
        super().__init__(message)


class AccountStopped(AccountBlockedError):
    """Own account locked (326) or suspended (64) mid-run; everything is committed."""

    def __init__(self, message: str, *, report: RunReport) -> None:
        self.report = report
        super().__init__(message)
