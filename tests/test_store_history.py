"""store.history: import, queues, recording, attempts, runs, stats, the runbook's SQL."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from twitter_blocker.errors import StoreError
from twitter_blocker.inputs.targets import Target
from twitter_blocker.store.history import History, scrub
from twitter_blocker.store.models import FinalRecord, Reason, Status, error_reason
from twitter_blocker.x.models import CallRecord, RateInfo

NOW = datetime(2026, 11, 29, 2, 0, tzinfo=UTC)


def uid(n: int) -> Target:
    return Target(key=f"id:{n}", user_id=str(n), screen_name=None, line=n)


def handle(name: str, line: int = 1) -> Target:
    return Target(key=f"sn:{name.lower()}", user_id=None, screen_name=name, line=line)


@pytest.fixture
def history(tmp_path: Path) -> Iterator[History]:
    h = History.open(tmp_path / "block_history.db")
    yield h
    h.close()


def ids_of(rows: list) -> list[int]:  # type: ignore[type-arg]
    return [r.id for r in rows]


# --- import ---------------------------------------------------------------------------------


def test_import_creates_rows_in_list_order_and_reimport_inserts_nothing(history: History) -> None:
    targets = [uid(10), handle("Alice"), uid(11), handle("bob")]
    assert history.import_targets(targets).new == 4
    rows = history.rows_to_process(10)
    assert [(r.user_id, r.screen_name, r.keys) for r in rows] == [
        ("10", None, ("id:10",)),
        (None, "Alice", ("sn:alice",)),
        ("11", None, ("id:11",)),
        (None, "bob", ("sn:bob",)),
    ]
    assert all(r.status is Status.PENDING and r.attempts == 0 for r in rows)
    again = history.import_targets(targets)
    assert (again.new, again.known) == (0, 4)
    assert history.counts()["pending"] == 4


def test_import_counts_new_and_known_in_a_mixed_list(history: History) -> None:
    history.import_targets([uid(1), handle("a")])
    stats = history.import_targets([uid(1), uid(2), handle("A"), handle("b")])
    assert (stats.new, stats.known) == (2, 2)
    assert history.counts()["pending"] == 4


def test_import_dedups_by_user_id_across_keys(history: History) -> None:
    history.import_targets([uid(7)])
    row = history.rows_to_process(1)[0]
    history.resolve_identity(row.id, "7", "Seven")
    # the handle now leads to the same row
    stats = history.import_targets([handle("seven"), uid(7)])
    assert (stats.new, stats.known) == (0, 2)
    assert history.counts()["pending"] == 1


def test_import_of_an_entry_with_id_and_handle_claims_both_keys(history: History) -> None:
    both = Target(key="id:42", user_id="42", screen_name="Answer", line=1)
    assert history.import_targets([both]).new == 1
    row = history.find("sn:answer")
    assert row is not None and row.keys == ("id:42", "sn:answer")
    assert history.import_targets([handle("answer")]).known == 1


def test_import_same_user_twice_in_one_list_makes_one_row(history: History) -> None:
    twin = Target(key="sn:twin", user_id="5", screen_name="twin", line=2)
    stats = history.import_targets([uid(5), twin])
    assert stats.new == 1
    assert history.find("sn:twin") == history.find("id:5")


def test_import_is_atomic(history: History) -> None:
    def broken() -> Iterator[Target]:
        yield uid(1)
        raise RuntimeError("reader died")

    with pytest.raises(RuntimeError):
        history.import_targets(broken())
    assert history.counts()["pending"] == 0


def test_import_of_a_large_list_is_set_based(history: History) -> None:
    targets = [uid(n) for n in range(1, 20_001)] + [handle(f"u{n}") for n in range(20_000)]
    statements: list[str] = []
    history.conn.set_trace_callback(statements.append)
    stats = history.import_targets(targets)
    history.conn.set_trace_callback(None)
    assert stats.new == 40_000
    # executemany shows up once per row in the trace; everything else is a few statements
    others = [s for s in statements if "INTO temp.import_targets(key" not in s]
    assert len(others) < 30
    assert history.rows_to_process(1, after_id=39_999)[0].screen_name == "u19999"


# --- queues --------------------------------------------------------------------------------


def test_rows_to_process_pages_by_id(history: History) -> None:
    history.import_targets([uid(n) for n in range(1, 8)])
    seen: list[int] = []
    after = 0
    while page := history.rows_to_process(3, after):
        assert len(page) <= 3
        seen += ids_of(page)
        after = page[-1].id
    assert seen == sorted(seen) and len(seen) == 7


def test_final_rows_are_not_loaded_again(history: History) -> None:
    history.import_targets([uid(1), uid(2), uid(3)])
    history.record_final(1, Status.BLOCKED, "active", Reason.BLOCKED)
    history.record_final(3, "skipped", "active", Reason.FOLLOWING)
    assert ids_of(history.rows_to_process(10)) == [2]


def test_block_sent_rows_come_back_with_the_intent(history: History) -> None:
    history.import_targets([uid(1), uid(2)])
    history.mark_block_sent(2)
    rows = history.rows_to_process(10)
    assert rows[0].block_sent_at is None
    assert rows[1].block_sent_at is not None and rows[1].status is Status.PENDING


def test_retry_candidates_respect_attempts_and_due_time(history: History) -> None:
    history.import_targets([uid(n) for n in range(1, 6)])
    fail = {"user_status": "active", "http_status": 503, "code": None, "message": "over capacity"}
    history.record_failure(1, reason=error_reason(503, None), next_attempt_at=None, **fail)
    history.record_failure(
        2, reason="error:503/-", next_attempt_at=NOW + timedelta(minutes=5), **fail
    )
    for _ in range(3):
        history.record_failure(3, reason="error:503/-", next_attempt_at=None, **fail)
    history.record_final(4, Status.FAILED, "suspended", Reason.SUSPENDED)
    assert ids_of(history.retry_candidates(NOW, 10, 100)) == [1, 3]
    assert ids_of(history.retry_candidates(NOW + timedelta(minutes=6), 10, 100)) == [1, 2, 3]
    assert ids_of(history.retry_candidates(NOW, 3, 100)) == [1]
    assert ids_of(history.retry_candidates(NOW, 10, 1, after_id=1)) == [3]
    assert history.next_retry_at(10) == "2026-11-29T02:05:00.000Z"  # row 2's
    assert history.next_retry_at(1) is None  # nobody with attempts < 1
    row = history.get(3)
    assert row is not None and row.attempts == 3 and row.status is Status.FAILED


def test_reset_attempts_keeps_everyone_in_the_queue(history: History) -> None:
    history.import_targets([uid(1), uid(2)])
    later = NOW + timedelta(days=1)
    for _ in range(10):
        history.record_failure(
            1,
            user_status=None,
            reason="error:-/-",
            http_status=None,
            code=None,
            message="timeout",
            next_attempt_at=later,
        )
    assert history.retry_candidates(NOW, 10, 10) == []
    assert history.reset_attempts() == 1
    assert ids_of(history.retry_candidates(NOW, 10, 10)) == [1]
    assert history.get(1).attempts == 0  # type: ignore[union-attr]
    assert history.counts()["failed"] == 1


def test_recheck_candidates_are_old_permanent_failures(history: History) -> None:
    history.import_targets([uid(1), uid(2), uid(3)])
    history.record_final(1, Status.FAILED, "suspended", Reason.SUSPENDED)
    history.record_final(2, Status.FAILED, "not_found", Reason.NOT_FOUND)
    history.record_final(3, Status.BLOCKED, "active", Reason.BLOCKED)
    future = datetime.now(UTC) + timedelta(seconds=5)
    assert ids_of(history.recheck_candidates(future, 10)) == [1, 2]
    assert history.recheck_candidates(datetime.now(UTC) - timedelta(days=1), 10) == []


# --- recording -----------------------------------------------------------------------------


def test_record_final_clears_errors_and_keeps_the_first_blocked_at(history: History) -> None:
    history.import_targets([uid(1)])
    history.record_failure(
        1,
        user_status="active",
        reason="error:500/-",
        http_status=500,
        code=None,
        message="server error",
        next_attempt_at=NOW,
    )
    history.record_final(1, Status.BLOCKED, "active", Reason.BLOCKED, protected=True)
    row = history.get(1)
    assert row is not None
    assert (row.status, row.reason, row.protected) == (Status.BLOCKED, "blocked", True)
    assert row.last_error is None and row.last_http_status is None and row.next_attempt_at is None
    first = history.conn.execute("SELECT blocked_at FROM block_history WHERE id=1").fetchone()[0]
    history.record_final(1, Status.BLOCKED, "active", Reason.ALREADY_BLOCKED)
    again = history.conn.execute("SELECT blocked_at FROM block_history WHERE id=1").fetchone()[0]
    assert first is not None and again == first


def test_record_final_many_is_one_transaction(history: History) -> None:
    history.import_targets([uid(1), uid(2)])
    with pytest.raises(StoreError):
        history.record_final_many(
            [
                FinalRecord(1, Status.BLOCKED, "active", "blocked"),
                FinalRecord(99, "skipped", None, None),
            ]
        )
    assert history.counts()["pending"] == 2
    history.record_final_many(
        [
            FinalRecord(1, Status.BLOCKED, "active", "blocked"),
            FinalRecord(2, "skipped", "active", "self"),
        ]
    )
    assert history.counts() == {"pending": 0, "blocked": 1, "skipped": 1, "failed": 0}


def test_record_final_refuses_pending_and_unknown_states(history: History) -> None:
    history.import_targets([uid(1)])
    with pytest.raises(StoreError, match="unknown status"):
        history.record_final(1, "pending", None, None)
    with pytest.raises(StoreError):
        history.record_final(1, "done", None, None)


def test_record_lookup_keeps_the_row_pending(history: History) -> None:
    history.import_targets([uid(1)])
    history.record_lookup(1, "active", protected=True)
    row = history.rows_to_process(1)[0]
    assert (row.status, row.user_status, row.protected) == (Status.PENDING, "active", True)
    assert row.checked_at is not None


def test_unknown_row_ids_raise(history: History) -> None:
    with pytest.raises(StoreError, match="no block_history row"):
        history.mark_block_sent(123)


def test_failure_messages_are_scrubbed_of_secrets(history: History) -> None:
    history.import_targets([uid(1)])
    history.record_failure(
        1,
        user_status=None,
        reason="error:-/-",
        http_status=None,
        code=None,
        message="boom auth_token=abcdef0123 ct0: deadbeef; Cookie: x=y",
        next_attempt_at=None,
    )
    stored = history.get(1).last_error  # type: ignore[union-attr]
    assert stored is not None
    assert "abcdef0123" not in stored and "deadbeef" not in stored
    assert scrub("x" * 900) == "x" * 500
    token = "0123456789abcdef" * 3
    assert scrub(f"bad session {token} for user 1234567890123456789") == (
        "bad session *** for user 1234567890123456789"
    )


# --- attempts and runs ---------------------------------------------------------------------


def call(op: str = "blocks/create", status: int | None = 200, outcome: str = "ok") -> CallRecord:
    return CallRecord(
        operation=op,
        started_at=NOW.timestamp(),
        elapsed=0.25,
        http_status=status,
        code=None if status == 200 else 88,
        message=None if status == 200 else "Rate limit exceeded",
        outcome=outcome,
        rate=RateInfo(187, 10, NOW.timestamp() + 900),
        targets=1,
    )


def test_add_attempts_batches_call_records(history: History) -> None:
    history.import_targets([uid(1)])
    run = history.start_run("--all", 1)
    history.add_attempts(run, [call(), call("UsersByRestIds", 429, "rate_limited")])
    history.add_attempts(run, [call()], history_id=1, user_id="1")
    history.add_attempts(run, [])
    rows = history.conn.execute(
        "SELECT at, run_id, operation, user_id, history_id, http_status, code, message, outcome,"
        " elapsed_ms FROM attempts ORDER BY id"
    ).fetchall()
    assert len(rows) == 3
    assert rows[0] == ("2026-11-29T02:00:00.000Z", run, "blocks/create", None, None, 200, None,
                       None, "ok", 250.0)  # fmt: skip
    assert rows[1][5:9] == (429, 88, "Rate limit exceeded", "rate_limited")
    assert rows[2][3:5] == ("1", 1)


def test_runs_end_with_counts_and_a_dead_running_row_reads_crashed(history: History) -> None:
    run = history.start_run("--all --auto-retry", 3)
    history.update_run(run, {"blocked": 1, "api_calls": 4})
    stats = history.stats()
    assert stats.last_run is not None and stats.last_run.state == "running"
    history.end_run(
        run,
        status="interrupted",
        exit_code=75,
        end_reason="signal",
        counts={"blocked": 2, "skipped": 0, "failed": 1, "api_calls": 9},
    )
    last = history.stats().last_run
    assert last is not None
    assert (last.status, last.state, last.exit_code, last.end_reason) == (
        "interrupted",
        "interrupted",
        75,
        "signal",
    )
    assert (last.blocked, last.failed, last.api_calls, last.targets) == (2, 1, 9, 3)
    assert last.ended_at is not None
    # a run whose process died without end_run
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)  # fmt: skip
    crashed = history.start_run("--all", 1)
    history.conn.execute("UPDATE process_log SET pid = ? WHERE id = ?", (int(dead.stdout), crashed))
    last = history.stats().last_run
    assert last is not None and (last.status, last.state) == ("running", "crashed")


# --- stats and the runbook's SQL -----------------------------------------------------------


def populate(history: History) -> None:
    history.import_targets([uid(n) for n in range(1, 11)] + [handle("h1"), handle("h2")])
    history.record_final(1, Status.BLOCKED, "active", Reason.BLOCKED)
    history.record_final(2, Status.BLOCKED, "active", Reason.ALREADY_BLOCKED)
    history.record_final(3, Status.SKIPPED, "active", Reason.FOLLOWING)
    history.record_final(4, Status.FAILED, "suspended", Reason.SUSPENDED)
    history.record_final(5, Status.FAILED, "not_found", Reason.NOT_FOUND)
    history.record_final(6, Status.FAILED, "deactivated", Reason.NOT_FOUND)
    for _ in range(2):
        history.record_failure(
            7,
            user_status="active",
            reason="error:503/-",
            http_status=503,
            code=None,
            message="Service Unavailable",
            next_attempt_at=None,
        )
    for _ in range(10):
        history.record_failure(
            8,
            user_status=None,
            reason="error:-/-",
            http_status=None,
            code=None,
            message="timeout",
            next_attempt_at=None,
        )
    history.mark_block_sent(9)
    # the handle rows turn out to be the same user as rows 1 and 10
    history.resolve_identity(11, "1", "H1")
    history.resolve_identity(12, "10", "H2")


def test_stats_report_every_figure(history: History) -> None:
    populate(history)
    history.budgets.update("v", "blocks/create", RateInfo(187, 0, 2_000_000_000.0))
    stats = history.stats()
    assert stats.total == 10
    assert stats.by_status == {"pending": 2, "blocked": 2, "skipped": 1, "failed": 5}
    assert stats.by_user_status["unknown"] == 3
    assert stats.by_user_status["active"] == 4
    assert stats.by_reason["already_blocked"] == 1
    assert stats.permanent_failures == 3
    assert (stats.retry_candidates, stats.retry_due, stats.retry_exhausted) == (1, 1, 1)
    assert stats.block_sent_unconfirmed == 1
    assert stats.pending == 2
    assert stats.done == 2 + 1 + 3
    messages = {(s.message, s.count) for s in stats.error_samples}
    assert messages == {("Service Unavailable", 1), ("timeout", 1)}
    assert [(b.operation, b.remaining) for b in stats.rate_limits] == [("blocks/create", 0)]


def test_the_runbooks_sql_tells_the_truth(history: History) -> None:
    populate(history)
    db = history.conn
    assert db.execute("SELECT COUNT(*) as total_records FROM block_history").fetchone()[0] == 10
    by_status = dict(db.execute("SELECT status, COUNT(*) FROM block_history GROUP BY status"))
    assert by_status == {"pending": 2, "blocked": 2, "skipped": 1, "failed": 5}
    permanent = db.execute(
        "SELECT COUNT(*) as permanent_failures FROM block_history WHERE status = 'failed'"
        " AND user_status IN ('suspended', 'not_found', 'deactivated');"
    ).fetchone()[0]
    assert permanent == 3
    duplicates = db.execute(
        "SELECT user_id, screen_name, COUNT(*) as count FROM block_history"
        " GROUP BY user_id, screen_name HAVING count > 1;"
    ).fetchall()
    assert duplicates == []
    assert history.counts() == by_status


def test_the_runbooks_sql_through_the_sqlite3_cli(history: History, tmp_path: Path) -> None:
    import shutil

    if shutil.which("sqlite3") is None:
        pytest.skip("no sqlite3 command-line shell on this machine")
    populate(history)
    out = subprocess.run(
        ["sqlite3", str(history.path), "SELECT status, COUNT(*) FROM block_history GROUP BY status;"
         " SELECT user_id, screen_name, COUNT(*) as count FROM block_history"
         " GROUP BY user_id, screen_name HAVING count > 1;"],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    assert sorted(out.stdout.split()) == ["blocked|2", "failed|5", "pending|2", "skipped|1"]


def test_get_many_and_find(history: History) -> None:
    history.import_targets([uid(n) for n in range(1, 2501)] + [handle("Zed")])
    rows = history.get_many([*range(1, 2502), 99_999])
    assert len(rows) == 2501 and rows[2501].keys == ("sn:zed",)
    assert history.find("sn:zed") == rows[2501]
    assert history.find("id:2500") == rows[2500]
    assert history.find("sn:nobody") is None and history.get(99_999) is None


def test_ending_an_unknown_run_raises(history: History) -> None:
    with pytest.raises(StoreError, match="process_log"):
        history.end_run(42, status="done", exit_code=0, end_reason="done", counts={})


def test_no_secret_reaches_the_database_file(tmp_path: Path) -> None:
    auth_token = "a" * 40
    ct0 = "b" * 160
    path = tmp_path / "block_history.db"
    with History.open(path) as h:
        h.import_targets([uid(1)])
        run = h.start_run(f"--all --cookie auth_token={auth_token}", 1)
        leaky = CallRecord(
            "blocks/create",
            NOW.timestamp(),
            0.1,
            403,
            353,
            f"csrf mismatch: x-csrf-token: {ct0}; cookie: auth_token={auth_token}",
            "csrf_mismatch",
        )
        h.add_attempts(run, [leaky])
        h.record_failure(
            1,
            user_status=None,
            reason="error:403/353",
            http_status=403,
            code=353,
            message=f"ct0={ct0} {auth_token}",
            next_attempt_at=None,
        )
    raw = b"".join(p.read_bytes() for p in tmp_path.iterdir() if p.is_file())
    assert auth_token.encode() not in raw and ct0.encode() not in raw
