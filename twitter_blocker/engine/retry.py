"""Which failures are worth another attempt, and when.

Temporary: ``Transient`` (5xx, timeouts, dropped connections, LoadShed, edge
pages), ``UnexpectedResponse``, ``FeaturesOutdated`` that survived the client's
self-heal, and a ``RateLimited`` that persists past its reset. They are retried
with exponential backoff and full jitter, at most ``max_attempts`` times per
target (the count lives in the database, so restarts don't reset it).

Never retried: auth failures (32/89/215/353) and the account's own lock or
suspension (326/64) stop the run; suspended and not-found targets are final
(``--recheck-permanent`` looks them up again).
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from ..x.errors import FeaturesOutdated, RateLimited, Transient, UnexpectedResponse, XError

DEFAULT_BASE = 5.0
DEFAULT_CAP = 900.0
DEFAULT_MAX_ATTEMPTS = 10

TEMPORARY: tuple[type[XError], ...] = (Transient, UnexpectedResponse, FeaturesOutdated, RateLimited)


def is_temporary(exc: BaseException) -> bool:
    return isinstance(exc, TEMPORARY)


@dataclass(frozen=True, slots=True)
class Backoff:
    """``uniform(0, min(cap, base * 2**(attempt-1)))`` seconds: exponential with full jitter."""

    base: float = DEFAULT_BASE
    cap: float = DEFAULT_CAP

    def ceiling(self, attempt: int) -> float:
        exponent = max(0, attempt - 1)
        return min(self.cap, self.base * (2.0 ** min(exponent, 30)))

    def delay(self, attempt: int, rng: random.Random) -> float:
        return rng.uniform(0.0, self.ceiling(attempt))


def failure_reason(exc: XError) -> str:
    """The ``reason`` column of a temporary failure: ``error:<http>/<code>``."""
    http = exc.http_status if exc.http_status is not None else "-"
    code = exc.code if exc.code is not None else "-"
    return f"error:{http}/{code}"
