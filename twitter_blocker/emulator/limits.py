"""Rate windows per (viewer, operation), as X-FACTS.md 5.1 describes them.

A window opens at the first request and ends at the integer epoch second
``ceil(first_request + window_seconds)``, which is exactly what ``x-rate-limit-reset`` advertises,
so a client that waits until the advertised reset never lands in a spent window.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass
from enum import Enum


class Verdict(Enum):
    OK = "ok"
    EXHAUSTED = "exhausted"  # 429 + code 88, remaining 0
    EARLY_88 = "early_88"  # the ban-like signal: code 88 while remaining > 0 (X-FACTS.md 5.3)


@dataclass(frozen=True, slots=True)
class RateState:
    verdict: Verdict
    limit: int
    remaining: int
    reset: int

    def headers(self) -> dict[str, str]:
        return {
            "x-rate-limit-limit": str(self.limit),
            "x-rate-limit-remaining": str(self.remaining),
            "x-rate-limit-reset": str(self.reset),
        }


@dataclass(slots=True)
class _Window:
    reset: int
    used: int


class RateWindows:
    """Not thread-safe on its own; the world's lock guards it."""

    def __init__(self, window_seconds: float) -> None:
        self.window_seconds = window_seconds
        self._windows: dict[tuple[str, str], _Window] = {}
        self.opened: defaultdict[str, defaultdict[str, int]] = defaultdict(lambda: defaultdict(int))

    def take(
        self, viewer_id: str, operation: str, limit: int, now: float, *, early_88_after: int | None
    ) -> RateState:
        """Count one request against the window, opening a new one when the last has ended."""
        key = (viewer_id, operation)
        window = self._windows.get(key)
        if window is None or now >= window.reset:
            window = _Window(reset=math.ceil(now + self.window_seconds), used=0)
            self._windows[key] = window
            self.opened[viewer_id][operation] += 1
        if window.used >= limit:
            return RateState(Verdict.EXHAUSTED, limit, 0, window.reset)
        if early_88_after is not None and window.used >= early_88_after:
            return RateState(Verdict.EARLY_88, limit, limit - window.used, window.reset)
        window.used += 1
        return RateState(Verdict.OK, limit, limit - window.used, window.reset)

    def snapshot(self) -> dict[str, dict[str, int]]:
        return {viewer: dict(ops) for viewer, ops in self.opened.items()}

    def clear(self) -> None:
        self._windows.clear()
        self.opened.clear()
