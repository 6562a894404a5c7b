"""The failure policy of a run: which failed answers may be retried, for how long, and when
a streak of them ends the run with a clear, resumable stop (``Stop``, exit 75).

An answer that proves nothing is never a verdict; every kind of doubt is bounded:
- failed requests in a row (``MAX_CONSECUTIVE_ERRORS``) and, because backoff grows to
  minutes, time without a successful answer (``RunOptions.outage_limit``);
- 429s on ``blocks/create`` without rate headers: refused windows (a hidden daily cap);
- 403s with a code we do not know on ``blocks/create``;
- "not found" on ``blocks/create`` for accounts a lookup finds active (contradictions);
- suspicious 88s (remaining > 0): ban signals.
An empty 403 is confirmed with one cheap authenticated call before the session is
declared dead; a run that never got a single answer from X does not end as "done".
"""

from __future__ import annotations

import logging
import random

from ..messages import msg
from ..x.client import XClient
from ..x.errors import RateLimited, XAccountError, XAuthError, XError
from .clock import Clock
from .retry import Backoff, failure_reason, is_temporary
from .runtypes import ProgressSink, RunOptions
from .scheduler import Scheduler

log = logging.getLogger("twitter_blocker.engine")

BLOCK_OP = "blocks/create"
MAX_CONSECUTIVE_ERRORS = 50  # failed requests in a row: X is down, stop (resumable)
CONTRADICTION_LIMIT = 3  # "not found" blocks of active accounts in a row
FORBIDDEN_LIMIT = 3  # 403s with an unknown code on blocks/create in a row
# 429s without headers on blocks/create in a row; with guesses of 60 s doubling to 900 s,
# six refusals span about 30 minutes: two whole rate windows.
REFUSED_WINDOWS_LIMIT = 6


class Stop(Exception):
    """Ends a pass early. ``reason`` is RunReport.end_reason; ``error`` the X error, if any."""

    def __init__(self, reason: str, error: XError | None = None, detail: str = "") -> None:
        self.reason = reason
        self.error = error
        self.detail = detail
        super().__init__(reason)


def error_label(exc: XError) -> str:
    """Short words for a failed answer: 'HTTP 503/130', 'HTTP 404 (empty)', 'no connection'."""
    if exc.http_status is None:
        return "no connection to X"
    label = f"HTTP {exc.http_status}"
    return f"{label}/{exc.code}" if exc.code is not None else label


def is_empty_403(exc: XError) -> bool:
    """The 403 without a body the client reads as "session expired or banned"."""
    return type(exc) is XAuthError and exc.http_status == 403 and exc.code is None


class Failures:
    def __init__(
        self,
        options: RunOptions,
        client: XClient,
        scheduler: Scheduler,
        clock: Clock,
        progress: ProgressSink,
        rng: random.Random,
    ) -> None:
        self.o = options
        self.client = client
        self.sched = scheduler
        self.clock = clock
        self.progress = progress
        self.rng = rng
        self.backoff = Backoff(options.retry_base, options.retry_cap)
        self.consecutive = 0
        self.failing_since: float | None = None
        self.last_error: XError | None = None
        self.answers = 0  # successful answers in this run
        self.ban_signals = 0
        self.rate_hits: dict[str, int] = {}  # 429s per operation since its last success
        self.held_after: dict[str, str] = {}  # operation -> the failure its backoff follows
        self.contradictions = 0
        self.forbidden = 0

    # --- successes ---------------------------------------------------------------------------
    def answered(self) -> None:
        """Any call X answered (an ok, not-found, suspended or self answer)."""
        self.answers += 1
        self.consecutive = 0
        self.failing_since = None

    def succeeded(self, op: str) -> None:
        """A request of ``op`` did what it was for."""
        self.rate_hits.pop(op, None)
        self.held_after.pop(op, None)
        self.sched.forget_guess(op)
        if op == BLOCK_OP:
            self.forbidden = 0

    def agreed(self) -> None:
        """A "not found" block answer that a lookup confirmed (or a block that landed)."""
        self.contradictions = 0

    # --- doubtful answers --------------------------------------------------------------------
    def temporary(self, exc: XError) -> bool:
        """Stop for auth/account failures (after confirming an empty 403); True when ``exc``
        is worth another attempt, False when it is not an X failure we know (re-raise it)."""
        if isinstance(exc, XAccountError):
            raise Stop("account", exc) from exc
        if isinstance(exc, XAuthError):
            if not is_empty_403(exc):
                raise Stop("auth", exc) from exc
            self._confirm_session(exc)
            return True
        return is_temporary(exc)

    def _confirm_session(self, exc: XAuthError) -> None:
        """One cheap authenticated call: only if X rejects it too is the session dead."""
        try:
            self.client.viewer()
        except XAccountError as again:
            raise Stop("account", again) from exc
        except XAuthError as again:
            raise Stop("auth", again) from exc
        except XError as other:  # unknown (busy, rate limited): not proof of a dead session
            log.info("could not confirm the session after an empty 403: %s", other)
            return
        log.warning("%s: an empty 403, but the session is accepted; continuing", exc.operation)

    def pause(self, op: str, exc: XError) -> None:
        """A failed request: back ``op`` off (exponential in the failures in a row), within
        the outage bound; stop when the bound or the count is reached."""
        self.consecutive += 1
        self.last_error = exc
        now = self.clock.now()
        if self.failing_since is None:
            self.failing_since = now
        elif now - self.failing_since >= self.o.outage_limit:
            minutes = (now - self.failing_since) / 60.0
            detail = msg("run.outage", minutes=minutes, error=self.describe(exc))
            raise Stop("outage", exc, detail=detail)
        if self.consecutive >= MAX_CONSECUTIVE_ERRORS:
            detail = msg("run.too_many_errors", n=self.consecutive, error=self.describe(exc))
            raise Stop("too_many_errors", exc, detail=detail)
        pause = self.backoff.delay(self.consecutive, self.rng)
        until = min(now + pause, self.failing_since + self.o.outage_limit)
        self.sched.hold(op, until)
        self.held_after[op] = error_label(exc)
        log.info("%s failed (%s); next try in %.2f s", op, failure_reason(exc), until - now)

    def forbidden_block(self, exc: XError) -> None:
        """A 403 on blocks/create with a code we do not know: stop after a few in a row."""
        if exc.http_status != 403:
            return
        self.forbidden += 1
        if self.forbidden >= FORBIDDEN_LIMIT:
            detail = msg("run.forbidden", n=self.forbidden, code=exc.code or "none", error=str(exc))
            raise Stop("forbidden", exc, detail=detail)

    def contradiction(self, exc: XError) -> None:
        """blocks/create said "not found" for an account a lookup finds active."""
        self.contradictions += 1
        self.last_error = exc
        if self.contradictions >= CONTRADICTION_LIMIT:
            detail = msg(
                "run.contradiction",
                endpoint=exc.operation or BLOCK_OP,
                n=self.contradictions,
                http=exc.http_status,
                code=exc.code,
            )
            raise Stop("contradiction", exc, detail=detail)

    def rate_limited(self, exc: RateLimited, op: str) -> bool:
        """A 429/88: hold the operation (and the one actually limited) until the reset.

        True when the operation was refused again after the reset we waited for: then the
        request counts as a temporary failure of its targets (attempts + 1). 429s without a
        reset on blocks/create (X may send no headers there) wait a guessed window, doubling;
        after ``REFUSED_WINDOWS_LIMIT`` of them in a row the run stops: a hidden daily cap.
        """
        hits = self.rate_hits[op] = self.rate_hits.get(op, 0) + 1
        if exc.suspicious:
            self.ban_signals += 1
            log.warning("code 88 with budget left (%s): possible ban signal", exc.operation or op)
            if self.ban_signals >= self.o.ban_signal_limit:
                raise Stop("ban_signal", exc, detail=msg("run.ban_signal", n=self.ban_signals))
        if op == BLOCK_OP and exc.reset is None and hits >= REFUSED_WINDOWS_LIMIT:
            raise Stop("refusing_blocks", exc, detail=msg("run.refusing_blocks", n=hits))
        self.sched.refused(
            op, exc.reset, refusals=hits, also=exc.operation, base_guess=self.o.guessed_reset
        )
        self.held_after.pop(op, None)
        self.progress.note("warning", msg("run.rate_limited", op=exc.operation or op))
        return hits > 1 and exc.reset is not None

    # --- what to say ---------------------------------------------------------------------------
    def describe(self, exc: XError) -> str:
        return f"{exc.operation or 'X'}: {error_label(exc)}"

    def wait_label(self, op: str, at: float) -> str | None:
        """Says "backing off after HTTP 503" when ``op`` waits for its backoff, and that a
        wait after a 429 without a reset time is a guess; None for a known window."""
        label = self.held_after.get(op)
        if label is not None and self.sched.held_until(op) >= at - 0.001:
            return msg("run.backing_off", error=label)
        guess = self.sched.guessed_wait(op)
        return None if guess is None else msg("run.guessed_wait", op=op, seconds=guess)

    def check_answered(self) -> None:
        """At the end of a pass: a run that failed and never got one answer is no success."""
        if self.answers == 0 and self.last_error is not None:
            detail = msg("run.no_answer", error=self.describe(self.last_error))
            raise Stop("no_answer", self.last_error, detail=detail)
