"""store.budgets: rate windows and pacing events survive a restart; counts are indexed."""

from __future__ import annotations

from pathlib import Path

from twitter_blocker.store.budgets import Budgets, PacingKind
from twitter_blocker.store.db import transaction
from twitter_blocker.store.history import History
from twitter_blocker.x.models import RateInfo


class FakeClock:
    def __init__(self, now: float = 1_800_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def test_budgets_persist_across_a_restart(tmp_path: Path) -> None:
    path = tmp_path / "block_history.db"
    clock = FakeClock()
    with History.open(path) as h:
        b = Budgets(h.conn, clock=clock)
        assert b.get("v1", "blocks/create") is None
        b.update("v1", "blocks/create", RateInfo(187, 186, clock.now + 900))
        b.update("v1", "blocks/create", RateInfo(187, 185, clock.now + 900))
        b.update_many(
            "v1",
            [("UsersByRestIds", RateInfo(150, 149, clock.now + 800)),
             ("UserByScreenName", RateInfo(150, 0, clock.now + 10))],
        )  # fmt: skip
        b.update("v2", "blocks/create", RateInfo(187, 1, clock.now + 5))
    with History.open(path) as h:
        b = h.budgets
        assert b.get("v1", "blocks/create") == RateInfo(187, 185, clock.now + 900)
        assert b.all("v1") == {
            "UserByScreenName": RateInfo(150, 0, clock.now + 10),
            "UsersByRestIds": RateInfo(150, 149, clock.now + 800),
            "blocks/create": RateInfo(187, 185, clock.now + 900),
        }
        states = b.states()
        assert [(s.account, s.operation) for s in states] == [
            ("v1", "UserByScreenName"),
            ("v1", "UsersByRestIds"),
            ("v1", "blocks/create"),
            ("v2", "blocks/create"),
        ]
        assert states[0].updated_epoch == clock.now
        assert [s.account for s in b.states("v2")] == ["v2"]


def test_pacing_events_count_in_windows(tmp_path: Path) -> None:
    clock = FakeClock()
    path = tmp_path / "block_history.db"
    with History.open(path) as h:
        b = Budgets(h.conn, clock=clock)
        for _ in range(5):
            clock.now += 600  # one block every 10 minutes
            b.record_event("v1", PacingKind.BLOCK)
        b.record_event("v2", "block")
        b.record_event("v1", PacingKind.SESSION_KILLED, "after 5 blocks")
    with History.open(path) as h:
        b = Budgets(h.conn, clock=clock)
        hour_ago = clock.now - 3600
        assert b.count_events("v1", "block", hour_ago) == 5  # at_epoch >= since
        assert b.count_events("v1", PacingKind.BLOCK, clock.now - 1200) == 3
        assert b.count_events("v2", "block", 0) == 1
        assert b.oldest_event_since("v1", "block", clock.now - 1300) == clock.now - 1200
        assert b.oldest_event_since("v1", "locked", 0) is None
        last = b.last_event("v1", PacingKind.SESSION_KILLED)
        assert last is not None and last.detail == "after 5 blocks"
        assert b.last_event("v1", PacingKind.LOCKED) is None
        assert b.purge_events(clock.now - 1000) == 3  # the first 3 of v1
        assert b.count_events("v1", "block", 0) == 2


def test_counting_blocks_uses_the_index(tmp_path: Path) -> None:
    with History.open(tmp_path / "block_history.db") as h:
        plan = " ".join(
            str(r[-1])
            for r in h.conn.execute(
                "EXPLAIN QUERY PLAN SELECT count(*) FROM pacing_events"
                " WHERE account = ? AND kind = ? AND at_epoch >= ?",
                ("v", "block", 0.0),
            )
        )
        assert "idx_pacing_events" in plan
        assert "SCAN" not in plan.replace("SCAN CONSTANT", "")


def test_budgets_join_the_callers_transaction(tmp_path: Path) -> None:
    with History.open(tmp_path / "block_history.db") as h:
        try:
            with transaction(h.conn):
                h.budgets.update("v", "blocks/create", RateInfo(1, 0, 1.0))
                h.budgets.record_event("v", "block")
                raise RuntimeError("rolled back together")
        except RuntimeError:
            pass
        assert h.budgets.get("v", "blocks/create") is None
        assert h.budgets.count_events("v", "block", 0) == 0


def test_one_window_is_one_statement_and_several_are_one_savepoint_in_a_transaction(
    tmp_path: Path,
) -> None:
    from twitter_blocker.store.db import transaction

    clock = FakeClock()
    with History.open(tmp_path / "block_history.db") as h:
        b = Budgets(h.conn, clock=clock)
        sent: list[str] = []
        h.conn.set_trace_callback(sent.append)
        with transaction(h.conn):
            b.update_many("v1", [("blocks/create", RateInfo(187, 186, clock.now + 900))])
            assert not any("SAVEPOINT" in s for s in sent)
            b.update_many(
                "v1",
                [("UsersByRestIds", RateInfo(150, 149, clock.now + 800)),
                 ("UserByScreenName", RateInfo(150, 0, clock.now + 10))],
            )  # fmt: skip
            assert sum("SAVEPOINT" in s for s in sent) == 1
        b.update_many("v1", [("blocks/create", RateInfo(187, 185, clock.now + 900))])
        h.conn.set_trace_callback(None)
        assert not h.conn.in_transaction  # committed on its own
        assert b.all("v1")["blocks/create"] == RateInfo(187, 185, clock.now + 900)
        assert len(b.all("v1")) == 3
