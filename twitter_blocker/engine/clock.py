"""Time for the engine: read through a ``Clock`` so tests can fake it.

Waits always go through ``Clock.wait(seconds, stop)``, which returns early when
``stop`` is set (SIGINT/SIGTERM), so the run loop never sleeps blindly.
"""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime
from typing import Protocol

from .. import coop
from ..timefmt import utc_iso


class Clock(Protocol):
    def now(self) -> float:
        """Epoch seconds (UTC)."""
        ...

    def wait(self, seconds: float, stop: threading.Event) -> bool:
        """Wait up to ``seconds``; True when ``stop`` was set (the wait was cut short)."""
        ...


class SystemClock:
    """The real clock. ``wait`` is ``stop.wait``: interruptible, never ``time.sleep``; an
    account that runs on a ``coop.Hub`` lets the other accounts run meanwhile."""

    def now(self) -> float:
        return time.time()

    def wait(self, seconds: float, stop: threading.Event) -> bool:
        if seconds <= 0:
            return stop.is_set()
        hub = coop.current()
        if hub is not None:
            return hub.sleep(seconds, stop)
        return stop.wait(seconds)


class FakeClock:
    """A clock that only moves when waited on. For tests of pure scheduling logic."""

    def __init__(self, start: float = 1_800_000_000.0) -> None:
        self.t = start
        self.waits: list[float] = []

    def now(self) -> float:
        return self.t

    def wait(self, seconds: float, stop: threading.Event) -> bool:
        if stop.is_set():
            return True
        if seconds > 0:
            self.waits.append(seconds)
            self.t += seconds
        return stop.is_set()


iso = utc_iso  # epoch seconds -> the database's timestamp format (``twitter_blocker.timefmt``)


def to_datetime(epoch: float) -> datetime:
    return datetime.fromtimestamp(epoch, UTC)
