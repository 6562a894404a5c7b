"""Progress display for a run: a rich bar on a TTY, plain periodic lines otherwise.

Both implement the engine's ``ProgressSink`` protocol (start, advance, waiting,
note, budget). The ETA comes from the blocks still expected (targets left times the
share that needed a block so far), paced by ``--delay`` plus its mean jitter, at most
what X lets us block per window.
"""

from __future__ import annotations

import math
import sys
import time
from collections import Counter
from typing import IO

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

from ..engine.outcomes import SKIPPED, TargetOutcome
from ..engine.scheduler import JITTER_MAX, JITTER_SHARE
from ..i18n import tr

BLOCKED = frozenset({TargetOutcome.BLOCKED})
ALREADY = frozenset({TargetOutcome.ALREADY_BLOCKED})
FAILED = frozenset(
    {TargetOutcome.SUSPENDED, TargetOutcome.NOT_FOUND, TargetOutcome.FAILED_TEMPORARY}
)
BLOCK_OPERATION = "blocks/create"
DEFAULT_WINDOW = 900.0


def _bucket(outcome: str) -> str:
    if outcome in BLOCKED:
        return "blocked"
    if outcome in ALREADY:
        return "already"
    if outcome in SKIPPED:
        return "skipped"
    if outcome in FAILED:
        return "failed"
    return "other"


class _Tracker:
    """Counts and the block-budget ETA shared by both displays."""

    def __init__(self, delay: float = 0.0) -> None:
        # --delay and the scheduler's mean jitter: the least time between two block calls
        self.delay = max(0.0, delay)
        self.jitter = min(JITTER_MAX, self.delay * JITTER_SHARE) / 2
        self.phase = ""
        self.total = 0
        self.done = 0
        self.buckets: Counter[str] = Counter()
        self.wait_until = 0.0
        self.wait_reason = ""
        self.block_limit = 0
        self.block_remaining = 0
        self.block_reset = 0.0
        self.window = DEFAULT_WINDOW

    def start(self, phase: str, total: int) -> None:
        self.phase, self.total, self.done = phase, total, 0
        self.buckets.clear()

    def advance(self, outcome: str) -> None:
        self.done += 1
        self.buckets[_bucket(outcome)] += 1

    def budget(self, operation: str, remaining: int, limit: int, reset_epoch: float) -> None:
        if operation != BLOCK_OPERATION:
            return
        if remaining == limit - 1 and reset_epoch > time.time():
            # The first call of a window: the window is what is left of it.
            self.window = max(1.0, math.ceil(reset_epoch - time.time()))
        elif self.block_reset and reset_epoch > self.block_reset + 1:
            self.window = max(1.0, reset_epoch - self.block_reset)
        self.block_limit, self.block_remaining, self.block_reset = limit, remaining, reset_epoch

    def eta_seconds(self, now: float) -> float | None:
        """Seconds until the blocks still expected are made: ``--delay`` (with its mean
        jitter) between any two, at most the block budget per window; and never before
        the current wait ends."""
        if self.total == 0 and self.done:  # --source: the total is not known ahead
            return None
        left = self.total - self.done
        if left <= 0:
            return 0.0
        eta = self._blocks_eta(now, left)
        waiting = self.wait_until - now
        return eta if waiting <= 0 or eta is None else max(eta, waiting)

    def _blocks_eta(self, now: float, left: int) -> float | None:
        gap = self.delay + self.jitter
        ratio = self.buckets["blocked"] / self.done if self.done else 1.0
        blocks_left = math.ceil(left * ratio)
        if not self.block_limit:
            return blocks_left * gap if gap > 0 else None
        to_reset = max(0.0, self.block_reset - now)
        fits_now = self.block_remaining
        if gap > 0:
            fits_now = min(fits_now, math.floor(to_reset / gap + 1e-9))
        if blocks_left <= fits_now:
            return blocks_left * gap
        over = blocks_left - fits_now
        per_window = self.block_limit
        if gap > 0:
            per_window = max(1, min(per_window, math.floor(self.window / gap + 1e-9)))
        full = math.ceil(over / per_window) - 1
        return to_reset + full * self.window + (over - full * per_window) * gap

    def wait_text(self, now: float) -> str:
        if self.wait_until > now:
            return f"waiting {self.wait_until - now:.0f}s: {self.wait_reason}"
        return ""

    def counts_text(self) -> str:
        b = self.buckets
        text = f"blocked {b['blocked']}"
        if b["already"]:
            text += f" (+{b['already']} already)"
        return f"{text}  skipped {b['skipped']}  failed {b['failed']}"


def _fmt_eta(seconds: float | None) -> str:
    if seconds is None:
        return "ETA --"
    seconds = int(seconds)
    h, rest = divmod(seconds, 3600)
    m, s = divmod(rest, 60)
    return f"ETA {h}:{m:02d}:{s:02d}" if h else f"ETA {m}:{s:02d}"


class RichProgress:
    """A live bar: done/total, blocked/skipped/failed, budget ETA, the current wait."""

    def __init__(self, console: Console | None = None, *, delay: float = 0.0) -> None:
        self.console = console or Console(stderr=True)
        self.t = _Tracker(delay)
        self._progress = Progress(
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[counts]}"),
            TextColumn("{task.fields[eta]}"),
            TextColumn("[yellow]{task.fields[wait]}"),
            console=self.console,
            transient=False,
        )
        self._task: int | None = None
        self._progress.start()

    def _refresh(self) -> None:
        if self._task is None:
            return
        now = time.time()
        self._progress.update(
            self._task,  # type: ignore[arg-type]
            completed=self.t.done,
            total=self.t.total or None,
            counts=tr(self.t.counts_text()),
            eta=tr(_fmt_eta(self.t.eta_seconds(now))),
            wait=tr(self.t.wait_text(now)),
        )

    def start(self, phase: str, total: int) -> None:
        self.t.start(phase, total)
        self._task = self._progress.add_task(
            tr(phase), total=total or None, counts="", eta="", wait=""
        )
        self._refresh()

    def advance(self, outcome: str, target: str) -> None:
        self.t.advance(outcome)
        self._refresh()

    def waiting(self, until_epoch: float, reason: str) -> None:
        self.t.wait_until, self.t.wait_reason = until_epoch, reason
        self._refresh()

    def note(self, level: str, text: str) -> None:
        style = {"warning": "yellow", "error": "red"}.get(level, "")
        text = tr(text)
        self._progress.console.print(f"[{style}]{text}[/{style}]" if style else text)

    def budget(self, operation: str, remaining: int, limit: int, reset_epoch: float) -> None:
        self.t.budget(operation, remaining, limit, reset_epoch)
        self._refresh()

    def close(self) -> None:
        self._refresh()
        self._progress.stop()


class PlainProgress:
    """Periodic one-line status for logs and pipes (every ``interval`` seconds)."""

    def __init__(
        self, stream: IO[str] | None = None, interval: float = 10.0, *, delay: float = 0.0
    ) -> None:
        self.stream = stream or sys.stderr
        self.interval = interval
        self.t = _Tracker(delay)
        self._last = 0.0
        self._printed = ""  # the last status line, never printed twice in a row

    def _line(self, force: bool = False) -> None:
        if not self.t.phase:  # no pass started (stopped at the viewer lookup): no "[] 0/0"
            return
        now = time.monotonic()
        if not force and now - self._last < self.interval:
            return
        self._last = now
        wall = time.time()
        parts = [
            f"[{self.t.phase}] {self.t.done}/{self.t.total or '?'}",
            self.t.counts_text(),
            _fmt_eta(self.t.eta_seconds(wall)),
        ]
        wait = self.t.wait_text(wall)
        if wait:
            parts.append(wait)
        line = "  ".join(tr(part) for part in parts)
        if line == self._printed:
            return
        self._printed = line
        print(line, file=self.stream, flush=True)

    def start(self, phase: str, total: int) -> None:
        self.t.start(phase, total)
        self._line(force=True)

    def advance(self, outcome: str, target: str) -> None:
        self.t.advance(outcome)
        self._line(force=self.t.done == self.t.total)

    def waiting(self, until_epoch: float, reason: str) -> None:
        self.t.wait_until, self.t.wait_reason = until_epoch, reason
        self._line(force=True)

    def note(self, level: str, text: str) -> None:
        line = f"{level}: {text}" if level != "info" else text
        print(tr(line), file=self.stream, flush=True)

    def budget(self, operation: str, remaining: int, limit: int, reset_epoch: float) -> None:
        self.t.budget(operation, remaining, limit, reset_epoch)

    def close(self) -> None:
        self._line(force=True)


class DebugErrorsProgress:
    """Wraps a display and prints every failed attempt as it happens (--debug-errors)."""

    def __init__(self, inner: RichProgress | PlainProgress) -> None:
        self.inner = inner

    def start(self, phase: str, total: int) -> None:
        self.inner.start(phase, total)

    def advance(self, outcome: str, target: str) -> None:
        if _bucket(outcome) == "failed":
            self.inner.note("warning", f"{target}: {outcome}")
        self.inner.advance(outcome, target)

    def waiting(self, until_epoch: float, reason: str) -> None:
        self.inner.waiting(until_epoch, reason)

    def note(self, level: str, text: str) -> None:
        self.inner.note(level, text)

    def budget(self, operation: str, remaining: int, limit: int, reset_epoch: float) -> None:
        self.inner.budget(operation, remaining, limit, reset_epoch)

    def close(self) -> None:
        self.inner.close()


def make_progress(
    *, debug_errors: bool = False, delay: float = 0.0
) -> RichProgress | PlainProgress | DebugErrorsProgress:
    """A rich bar when stderr is a terminal, plain periodic lines otherwise. ``delay``:
    the run's ``--delay``, which the ETA counts."""
    inner: RichProgress | PlainProgress = (
        RichProgress(delay=delay) if sys.stderr.isatty() else PlainProgress(delay=delay)
    )
    return DebugErrorsProgress(inner) if debug_errors else inner
