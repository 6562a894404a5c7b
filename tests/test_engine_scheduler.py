"""The scheduler on a real ledger's budgets with a fake clock: windows, restarts, pacing, caps."""

from __future__ import annotations

import random
from pathlib import Path

from twitter_blocker.engine.clock import FakeClock
from twitter_blocker.engine.scheduler import RESET_MARGIN, Caps, Scheduler
from twitter_blocker.store.history import History
from twitter_blocker.x.models import CallRecord, RateInfo

ACCOUNT = "42"


def call(op: str, remaining: int, reset: float, limit: int = 5) -> CallRecord:
    return CallRecord(
        operation=op,
        started_at=0.0,
        elapsed=0.01,
        http_status=200,
        code=None,
        message=None,
        outcome="ok",
        rate=RateInfo(limit=limit, remaining=remaining, reset=reset),
    )


def test_never_sends_into_a_spent_window(tmp_path: Path) -> None:
    clock = FakeClock()
    with History.open(tmp_path / "db.sqlite") as h:
        s = Scheduler(h.budgets, ACCOUNT, clock, delay=0)
        assert s.ready_at("UsersByRestIds") == clock.now()  # unknown: one probe may go
        reset = clock.now() + 900
        s.observe(call("UsersByRestIds", 1, reset))
        assert s.ready_at("UsersByRestIds") == clock.now()
        s.observe(call("UsersByRestIds", 0, reset))
        assert s.ready_at("UsersByRestIds") == reset + RESET_MARGIN
        assert s.ready_at("UsersByScreenNames") == clock.now()  # budgets are per operation
        clock.t = reset + RESET_MARGIN
        assert s.ready_at("UsersByRestIds") == clock.now()


def test_a_429_holds_the_operation_until_its_reset(tmp_path: Path) -> None:
    clock = FakeClock()
    with History.open(tmp_path / "db.sqlite") as h:
        s = Scheduler(h.budgets, ACCOUNT, clock, delay=0)
        s.spent("blocks/create", clock.now() + 30)
        assert s.block_ready_at() == clock.now() + 30 + RESET_MARGIN
        s.spent("Viewer", None)  # no reset header: a default pause, never a hammering loop
        assert s.ready_at("Viewer") > clock.now() + 10


def test_budgets_survive_a_restart(tmp_path: Path) -> None:
    clock = FakeClock()
    reset = clock.now() + 600
    with History.open(tmp_path / "db.sqlite") as h:
        s = Scheduler(h.budgets, ACCOUNT, clock, delay=0)
        s.observe(call("blocks/create", 0, reset, limit=187))
        s.flush()
    with History.open(tmp_path / "db.sqlite") as h:
        again = Scheduler(h.budgets, ACCOUNT, clock, delay=0)
        assert again.get("blocks/create") == RateInfo(187, 0, reset)
        assert again.block_ready_at() == reset + RESET_MARGIN
        assert again.limit("blocks/create", 1) == 187
        other = Scheduler(h.budgets, "other-account", clock, delay=0)
        assert other.block_ready_at() == clock.now()


def test_delay_is_a_floor_with_small_jitter(tmp_path: Path) -> None:
    clock = FakeClock()
    with History.open(tmp_path / "db.sqlite") as h:
        s = Scheduler(h.budgets, ACCOUNT, clock, delay=2.0, rng=random.Random(3))
        gaps = []
        for _ in range(50):
            s.note_block()
            gap = s.block_ready_at() - clock.now()
            gaps.append(gap)
            clock.t += gap
        assert all(2.0 <= g <= 2.4 for g in gaps)
        assert len({round(g, 6) for g in gaps}) > 1
        assert s.blocks_this_run == 50


def test_hourly_and_daily_caps_count_persisted_blocks(tmp_path: Path) -> None:
    clock = FakeClock()
    with History.open(tmp_path / "db.sqlite") as h:
        h.budgets.clock = clock.now
        s = Scheduler(h.budgets, ACCOUNT, clock, delay=0, caps=Caps(per_hour=3, per_day=5))
        first = clock.now()
        for _ in range(3):
            assert s.cap_free_at() is None
            s.note_block()
            clock.t += 60
        free = s.cap_free_at()
        assert free is not None and abs(free - (first + 3600)) < 0.05
        # a restart still sees the blocks: the caps are persisted pacing events
        s2 = Scheduler(h.budgets, ACCOUNT, clock, delay=0, caps=Caps(per_hour=3, per_day=5))
        assert s2.cap_free_at() == free
        clock.t = first + 3600 + 1
        assert s2.cap_free_at() is None
        s2.note_block()
        s2.note_block()
        day_free = s2.cap_free_at()
        assert day_free is not None and abs(day_free - (first + 86400)) < 0.05
