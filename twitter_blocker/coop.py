"""Several account runs on one thread, each switching away only where it would wait.

Why: a run spends its life waiting (for X's answer, for a rate window) and, in between, a
fraction of a millisecond of CPU per call. With one thread per account, every wait hands
the interpreter lock to another thread and every answer takes it back: on a loopback
benchmark of ten accounts that handing-around cost as much CPU as the work itself
(bench/README.md, S8). A ``Hub`` runs the accounts as greenlets on one thread instead:
an account runs until it would wait on a socket, a timer or another account, and the hub
then resumes whichever account's wait is over. Nothing switches anywhere else, so code
between two waits runs as it would alone (a transaction, a log record, a cache update).

Code that waits asks ``current()`` for the hub of its thread: None (no hub, or called from
the hub's own loop) means "wait the ordinary, blocking way". So the same code serves one
account on a plain thread and many accounts on a hub.
"""

from __future__ import annotations

import heapq
import itertools
import selectors
import threading
import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import greenlet

STOP_SLICE = 0.25  # seconds: a waiting task looks at its stop flag at least this often

_local = threading.local()


def current() -> Hub | None:
    """The hub running the calling task, or None (wait the blocking way)."""
    hub: Hub | None = getattr(_local, "hub", None)
    if hub is None or greenlet.getcurrent() is hub.loop:
        return None
    return hub


def _started(fn: Callable[[], None]) -> Callable[[object], None]:
    """A task as a greenlet runs it: the first switch passes one value, which it ignores."""

    def run(_: object = None) -> None:
        fn()

    return run


@dataclass(eq=False, slots=True)
class _Wait:
    task: greenlet.greenlet
    fileobj: Any = None  # the socket waited on, if any
    key: object = None  # what ``wake`` may end this wait by
    done: bool = False


@dataclass(slots=True)
class Hub:
    """Runs tasks (plain callables) as greenlets on the thread that calls ``run``; one use."""

    loop: greenlet.greenlet | None = None
    _tasks: list[greenlet.greenlet] = field(default_factory=list)
    _ready: deque[tuple[greenlet.greenlet, object]] = field(default_factory=deque)
    _timers: list[tuple[float, int, _Wait]] = field(default_factory=list)
    _parked: dict[int, list[_Wait]] = field(default_factory=dict)
    _selector: selectors.BaseSelector = field(default_factory=selectors.DefaultSelector)
    _order: itertools.count[int] = field(default_factory=itertools.count)

    def run(self, tasks: Sequence[Callable[[], None]]) -> None:
        """Run every task to its end on the calling thread. A task's exception ends ``run``
        with it (callers catch what a task may raise inside the task)."""
        if getattr(_local, "hub", None) is not None:
            raise RuntimeError("a hub is already running on this thread")
        _local.hub = self
        self.loop = greenlet.getcurrent()
        self._tasks = [greenlet.greenlet(_started(fn), self.loop) for fn in tasks]
        self._ready.extend((task, None) for task in self._tasks)
        try:
            while True:
                while self._ready:
                    task, value = self._ready.popleft()
                    if not task.dead:
                        task.switch(value)
                if all(task.dead for task in self._tasks):
                    return
                self._poll()
        finally:
            _local.hub = None
            self._selector.close()

    def _poll(self) -> None:
        """Sleep until a socket is ready or a timer is due; queue the tasks that may go on."""
        while self._timers and self._timers[0][2].done:  # ended by its socket or a wake
            heapq.heappop(self._timers)
        timeout = STOP_SLICE
        if self._timers:
            timeout = min(timeout, max(0.0, self._timers[0][0] - time.monotonic()))
        if self._selector.get_map():
            for key, _ in self._selector.select(timeout):
                self._end(key.data, True)
        else:
            time.sleep(timeout)
        now = time.monotonic()
        while self._timers and self._timers[0][0] <= now:
            _, _, wait = heapq.heappop(self._timers)
            self._end(wait, False)

    def _end(self, wait: _Wait, value: bool) -> None:
        if wait.done:
            return
        wait.done = True
        if wait.fileobj is not None:
            self._selector.unregister(wait.fileobj)
        if wait.key is not None:
            waiting = self._parked.get(id(wait.key), [])
            if wait in waiting:
                waiting.remove(wait)
            if not waiting:
                self._parked.pop(id(wait.key), None)
        self._ready.append((wait.task, value))

    def _switch_out(self, wait: _Wait, timeout: float | None) -> bool:
        if timeout is not None:
            heapq.heappush(self._timers, (time.monotonic() + timeout, next(self._order), wait))
        assert self.loop is not None
        return bool(self.loop.switch())

    def wait_io(self, fileobj: Any, events: int, timeout: float | None) -> bool:
        """Let the other tasks run until ``fileobj`` is ready for ``events`` (selectors'
        EVENT_READ / EVENT_WRITE). False: ``timeout`` seconds passed first."""
        wait = _Wait(greenlet.getcurrent(), fileobj=fileobj)
        self._selector.register(fileobj, events, wait)
        return self._switch_out(wait, timeout)

    def sleep(self, seconds: float, stop: threading.Event) -> bool:
        """Let the other tasks run for ``seconds``; True when ``stop`` was set (cut short)."""
        deadline = time.monotonic() + seconds
        while not stop.is_set():
            left = deadline - time.monotonic()
            if left <= 0:
                return False
            self._switch_out(_Wait(greenlet.getcurrent()), min(left, STOP_SLICE))
        return True

    def park(self, key: object, timeout: float) -> bool:
        """Let the other tasks run until one calls ``wake(key)``; False after ``timeout``."""
        wait = _Wait(greenlet.getcurrent(), key=key)
        self._parked.setdefault(id(key), []).append(wait)
        return self._switch_out(wait, timeout)

    def wake(self, key: object) -> None:
        """End every ``park(key)`` (they go on after the caller's next wait)."""
        for wait in list(self._parked.get(id(key), [])):
            self._end(wait, True)
