"""store.identity: resolve_identity merges rows of one user; properties of import/dedup/merge."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from twitter_blocker.errors import StoreError
from twitter_blocker.inputs.targets import Target
from twitter_blocker.store.db import transaction
from twitter_blocker.store.history import History
from twitter_blocker.store.models import STATUS_RANK, Status


def uid(n: int | str) -> Target:
    return Target(key=f"id:{n}", user_id=str(n), screen_name=None, line=1)


def handle(name: str) -> Target:
    return Target(key=f"sn:{name.lower()}", user_id=None, screen_name=name, line=1)


@pytest.fixture
def history(tmp_path: Path) -> Iterator[History]:
    h = History.open(tmp_path / "block_history.db")
    yield h
    h.close()


def duplicates(h: History) -> list[tuple[object, ...]]:
    return h.conn.execute(
        "SELECT user_id, screen_name, COUNT(*) as count FROM block_history"
        " GROUP BY user_id, screen_name HAVING count > 1"
    ).fetchall()


def test_resolving_a_handle_row_sets_id_and_keys(history: History) -> None:
    history.import_targets([handle("Alice")])
    row = history.rows_to_process(1)[0]
    assert history.resolve_identity(row.id, "100", "alice") == row.id
    found = history.find("id:100")
    assert found is not None and found.id == row.id
    assert (found.user_id, found.screen_name, found.keys) == (
        "100",
        "alice",
        ("id:100", "sn:alice"),
    )


def test_handle_row_merges_into_the_blocked_id_row(history: History) -> None:
    history.import_targets([uid(100), handle("Alice")])
    id_row, sn_row = (r.id for r in history.rows_to_process(10))
    history.record_final(id_row, Status.BLOCKED, "active", "blocked")
    history.mark_block_sent(sn_row)
    run = history.start_run("--all", 2)
    history.conn.execute(
        "INSERT INTO attempts(run_id, operation, history_id) VALUES (?, 'UserByScreenName', ?)",
        (run, sn_row),
    )
    survivor = history.resolve_identity(sn_row, "100", "Alice")
    assert survivor == id_row
    assert history.get(sn_row) is None
    row = history.get(id_row)
    assert row is not None
    assert (row.status, row.user_id, row.screen_name) == (Status.BLOCKED, "100", "Alice")
    assert row.keys == ("id:100", "sn:alice")
    assert row.block_sent_at is not None  # kept from the merged row
    assert history.conn.execute("SELECT history_id FROM attempts").fetchone()[0] == id_row
    assert duplicates(history) == []
    assert history.import_targets([handle("ALICE"), uid(100)]).new == 0


def test_merge_keeps_the_row_further_along(history: History) -> None:
    history.import_targets([uid(1), handle("one")])
    id_row, sn_row = (r.id for r in history.rows_to_process(10))
    history.record_final(sn_row, Status.SKIPPED, "active", "following")
    history.record_failure(
        id_row,
        user_status=None,
        reason="error:503/-",
        http_status=503,
        code=None,
        message="x",
        next_attempt_at=None,
    )
    assert history.resolve_identity(id_row, "1", "One") == sn_row
    row = history.get(sn_row)
    assert row is not None and (row.status, row.reason, row.user_id) == (
        Status.SKIPPED,
        "following",
        "1",
    )
    assert history.counts() == {"pending": 0, "blocked": 0, "skipped": 1, "failed": 0}


def test_merge_of_two_pending_rows_keeps_the_older(history: History) -> None:
    history.import_targets([uid(1), handle("one")])
    id_row, sn_row = (r.id for r in history.rows_to_process(10))
    assert history.resolve_identity(sn_row, "1", "one") == id_row
    assert [r.id for r in history.rows_to_process(10)] == [id_row]


def test_resolving_the_id_row_pulls_in_the_handle_row(history: History) -> None:
    # the id row is looked up first and X says its handle is one the list also names
    history.import_targets([uid(1), handle("one")])
    id_row, _ = (r.id for r in history.rows_to_process(10))
    assert history.resolve_identity(id_row, "1", "One") == id_row
    assert history.counts()["pending"] == 1
    assert history.find("sn:one") == history.get(id_row)


def test_a_handle_that_moved_to_another_user_gets_a_row_for_that_user(history: History) -> None:
    history.import_targets([handle("foo")])
    row = history.rows_to_process(1)[0]
    history.resolve_identity(row.id, "1", "foo")
    history.record_final(row.id, Status.BLOCKED, "active", "blocked")
    # later, @foo belongs to user 2
    new = history.resolve_identity(row.id, "2", "foo")
    assert new != row.id
    old = history.get(row.id)
    assert old is not None and (old.user_id, old.status) == ("1", Status.BLOCKED)
    assert old.keys == ("id:1",)
    moved = history.find("sn:foo")
    assert moved is not None and moved.id == new and moved.user_id == "2"
    assert moved.status is Status.PENDING
    assert duplicates(history) == []


def test_a_row_with_the_id_and_another_under_the_new_handle_all_become_one(
    history: History,
) -> None:
    # row A (@old) turns out to be user 7, whom row B (id 7) already stands for, and user 7
    # is now called @new, under which row C was listed: one row survives, holding all keys
    history.import_targets([handle("old"), uid(7), handle("new")])
    a, b, c = (r.id for r in history.rows_to_process(10))
    history.record_final(c, Status.SKIPPED, "active", "following")
    survivor = history.resolve_identity(a, "7", "new")
    assert survivor == c  # the row further along keeps its decision
    assert history.get(a) is None and history.get(b) is None
    row = history.get(c)
    assert row is not None and (row.user_id, row.status) == ("7", Status.SKIPPED)
    assert set(row.keys) == {"id:7", "sn:new", "sn:old"}
    assert duplicates(history) == []


def test_resolving_an_unknown_row_raises(history: History) -> None:
    with pytest.raises(StoreError):
        history.resolve_identity(5, "1", None)


def test_resolve_is_one_transaction(history: History) -> None:
    history.import_targets([uid(1), handle("one")])
    _, sn_row = (r.id for r in history.rows_to_process(10))
    history.conn.execute("CREATE TRIGGER boom BEFORE DELETE ON block_history BEGIN"
                         " SELECT RAISE(ABORT, 'boom'); END")  # fmt: skip
    with pytest.raises(Exception, match="boom"):
        history.resolve_identity(sn_row, "1", "one")
    assert history.get(sn_row) is not None and history.find("sn:one").id == sn_row  # type: ignore[union-attr]
    assert not history.conn.in_transaction


def test_joined_resolve_adds_no_savepoint_and_fails_with_the_callers_transaction(
    history: History,
) -> None:
    """``join=True`` (a lookup batch's commit): no savepoint of its own; a failure inside it
    propagates and the caller's rollback undoes every part of it."""
    history.import_targets([uid(1), handle("one"), handle("two")])
    _, sn_row, two_row = (r.id for r in history.rows_to_process(10))
    sent: list[str] = []
    history.conn.set_trace_callback(sent.append)
    with transaction(history.conn):
        assert history.resolve_identity(two_row, "2", "two", join=True) == two_row
    assert not any("SAVEPOINT" in s for s in sent) and sent[-1] == "COMMIT"
    history.conn.set_trace_callback(None)
    assert history.find("id:2").id == two_row  # type: ignore[union-attr]
    history.conn.execute("CREATE TRIGGER boom BEFORE DELETE ON block_history BEGIN"
                         " SELECT RAISE(ABORT, 'boom'); END")  # fmt: skip
    with pytest.raises(Exception, match="boom"), transaction(history.conn):
        history.resolve_identity(sn_row, "1", "one", join=True)
    assert history.get(sn_row) is not None and history.find("sn:one").id == sn_row  # type: ignore[union-attr]
    assert history.find("id:1") is not None and not history.conn.in_transaction


def test_a_plain_resolve_writes_only_what_changes_and_keeps_every_value(history: History) -> None:
    """No merge: the row gets its id, the handle X spells (another case included), a fresh
    ``updated_at``, and both keys point at it; a second resolve of the same answer changes
    nothing but ``updated_at``."""
    history.import_targets([handle("one"), handle("Two"), uid(3)])
    one, two, three = (r.id for r in history.rows_to_process(10))
    sent: list[str] = []
    history.conn.set_trace_callback(sent.append)
    assert history.resolve_identity(one, "1", "one") == one
    assert history.resolve_identity(two, "2", "TWO") == two  # X spells it otherwise
    assert history.resolve_identity(three, "3", None) == three
    assert history.resolve_identity(one, "1", "one") == one
    history.conn.set_trace_callback(None)
    rows = {
        r[0]: r[1:]
        for r in history.conn.execute("SELECT id, user_id, screen_name FROM block_history")
    }
    assert rows == {one: ("1", "one"), two: ("2", "TWO"), three: ("3", None)}
    keys = dict(history.conn.execute("SELECT key, history_id FROM target_keys").fetchall())
    assert keys == {"sn:one": one, "id:1": one, "sn:two": two, "id:2": two, "id:3": three}
    updates = [s for s in sent if s.startswith("UPDATE block_history")]
    assert sum("screen_name" in s for s in updates) == 1  # only "TWO" rewrote the handle


# --- properties ------------------------------------------------------------------------------

HANDLES = ["a", "B", "cC"]
IDS = ["1", "2", "3"]

target_st = st.one_of(
    st.sampled_from(IDS).map(uid),
    st.sampled_from(HANDLES).map(handle),
    st.tuples(st.sampled_from(IDS), st.sampled_from(HANDLES)).map(
        lambda p: Target(key=f"id:{p[0]}", user_id=p[0], screen_name=p[1], line=1)
    ),
)
op_st = st.one_of(
    st.tuples(st.just("import"), st.lists(target_st, max_size=6)),
    st.tuples(
        st.just("resolve"),
        st.integers(0, 20),
        st.sampled_from(IDS),
        st.one_of(st.none(), st.sampled_from(HANDLES)),
    ),
    st.tuples(
        st.just("final"), st.integers(0, 20), st.sampled_from(["blocked", "skipped", "failed"])
    ),
    st.tuples(st.just("sent"), st.integers(0, 20)),
)


def _key_states(h: History) -> dict[str, tuple[int, bool, str | None]]:
    """key -> (rank of its row's status, write-ahead intent set?, the row's user_id)."""
    return {
        str(k): (STATUS_RANK[str(s)], sent is not None, u)
        for k, s, sent, u in h.conn.execute(
            "SELECT k.key, b.status, b.block_sent_at, b.user_id FROM target_keys k"
            " JOIN block_history b ON b.id = k.history_id"
        )
    }


def _check_invariants(h: History, imported: set[str]) -> None:
    db = h.conn
    assert duplicates(h) == []
    assert db.execute("PRAGMA foreign_key_check").fetchall() == []
    keys = {str(k) for (k,) in db.execute("SELECT key FROM target_keys")}
    assert imported <= keys  # no listed target is ever lost
    assert db.execute(
        "SELECT count(*) FROM block_history b WHERE NOT EXISTS"
        " (SELECT 1 FROM target_keys k WHERE k.history_id = b.id)"
    ).fetchone()[0] == 0  # fmt: skip
    # an id key always leads to the row of that user
    assert db.execute(
        "SELECT count(*) FROM target_keys k JOIN block_history b ON b.id = k.history_id"
        " WHERE k.key LIKE 'id:%' AND (b.user_id IS NULL OR 'id:' || b.user_id != k.key)"
    ).fetchone()[0] == 0  # fmt: skip
    # a re-import of everything listed so far adds nothing
    assert h.import_targets([uid(k[3:]) for k in imported if k.startswith("id:")]).new == 0


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(op_st, min_size=1, max_size=25))
def test_import_dedup_and_merge_invariants(ops: list[tuple[object, ...]]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        h = History.open(Path(tmp) / "block_history.db")
        imported: set[str] = set()
        try:
            for op in ops:
                before = _key_states(h)
                row_ids = [r for (r,) in h.conn.execute("SELECT id FROM block_history ORDER BY id")]
                if op[0] == "import":
                    targets = op[1]
                    assert isinstance(targets, list)
                    h.import_targets(targets)
                    imported |= {t.key for t in targets}
                    continue
                if not row_ids:
                    continue
                row_id = row_ids[int(op[1]) % len(row_ids)]  # type: ignore[call-overload]
                if op[0] == "resolve":
                    survivor = h.resolve_identity(row_id, str(op[2]), op[3])  # type: ignore[arg-type]
                    assert h.get(survivor) is not None
                    after = _key_states(h)
                    for key, (rank, sent, owner) in before.items():
                        if key.startswith("sn:") and owner not in (None, op[2]):
                            continue  # the handle moved to another user: its key moves too
                        # a merge never loses a decision or a write-ahead intent
                        assert after[key][0] >= rank
                        assert after[key][1] or not sent
                elif op[0] == "final":
                    h.record_final(row_id, str(op[2]), "active", "x")
                else:
                    h.mark_block_sent(row_id)
                _check_invariants(h, imported)
        finally:
            h.close()


def test_a_row_merged_away_is_followed_to_its_survivor(history: History) -> None:
    # the engine queued both targets before it knew they are one user
    history.import_targets([uid(1), handle("one")])
    id_row, sn_row = (r.id for r in history.rows_to_process(10))
    assert history.resolve_identity(id_row, "1", "One") == id_row  # pulls in the handle row
    assert history.get(sn_row) is None
    # the handle's own lookup answer arrives later, for the old row id
    assert history.resolve_identity(sn_row, "1", "One") == id_row
    history.mark_block_sent(sn_row)
    history.record_final(sn_row, Status.BLOCKED, "active", "blocked")
    row = history.get(id_row)
    assert row is not None and row.status is Status.BLOCKED and row.block_sent_at is not None
    # a late temporary failure of the duplicate does not undo the decision
    history.record_failure(
        sn_row,
        user_status=None,
        reason="error:503/-",
        http_status=503,
        code=None,
        message="x",
        next_attempt_at=None,
    )
    row = history.get(id_row)
    assert row is not None and (row.status, row.attempts) == (Status.BLOCKED, 0)
    with pytest.raises(StoreError):
        history.record_final(12345, Status.BLOCKED, "active", "blocked")
