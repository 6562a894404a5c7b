"""store.cache: three layers with their own lifetimes, batching, damaged files."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from twitter_blocker.store.cache import BATCH, Cache, CacheTTL
from twitter_blocker.x.models import LookupResult, Relationship, User, UserState

T0 = 1_800_000_000.0


class FakeClock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def cache(tmp_path: Path, clock: FakeClock) -> Iterator[Cache]:
    c = Cache.open(tmp_path / "cache" / "cache.db", clock=clock)
    yield c
    c.close()


def active(uid: str, handle: str, **flags: bool) -> LookupResult:
    user = User(user_id=uid, screen_name=handle, name=f"N{uid}", **flags)
    return LookupResult(key=handle.lower(), state=UserState.ACTIVE, user=user, user_id=uid)


def test_file_is_wal_in_its_own_directory(cache: Cache) -> None:
    assert cache.path.exists() and cache.path.parent.name == "cache"
    assert cache.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert cache.warning is None


def test_put_lookups_fills_all_three_layers(cache: Cache) -> None:
    cache.put_lookups(
        "viewer",
        [
            active("1", "Alice", following=True, protected=True),
            LookupResult("bob", UserState.SUSPENDED, user_id="2"),
            LookupResult("3", UserState.NOT_FOUND, user_id="3"),
            LookupResult("ghost", UserState.NOT_FOUND),
        ],
    )
    assert cache.get_ids(["@ALICE", " bob ", "ghost"]) == {"alice": "1", "bob": "2"}
    profiles = cache.get_profiles(["1", "2", "3", "4"])
    assert set(profiles) == {"1", "2", "3"}
    alice = profiles["1"]
    assert alice.state is UserState.ACTIVE and alice.user is not None
    assert (alice.user.screen_name, alice.user.protected) == ("Alice", True)
    # the profile layer never claims relationship flags
    assert not alice.user.following and not alice.user.followed_by and not alice.user.blocking
    assert profiles["2"].state is UserState.SUSPENDED and profiles["2"].user is None
    assert profiles["3"].state is UserState.NOT_FOUND
    assert cache.get_relationships("viewer", ["1", "2"]) == {
        "1": Relationship(user_id="1", following=True, followed_by=False, blocking=False)
    }


def test_relationships_are_per_viewer(cache: Cache) -> None:
    cache.put_relationships(
        "A", [Relationship("9", following=True, followed_by=True, blocking=False)]
    )
    assert cache.get_relationships("B", ["9"]) == {}  # missing, never "not following"
    assert cache.get_relationships("A", ["9"])["9"].followed_by


def test_each_layer_expires_after_its_own_lifetime(cache: Cache, clock: FakeClock) -> None:
    cache.put_lookups("v", [active("1", "alice")])
    clock.now = T0 + 3600 - 1
    assert cache.get_relationships("v", ["1"])
    clock.now = T0 + 3600 + 1
    assert cache.get_relationships("v", ["1"]) == {}
    assert cache.get_profiles(["1"])
    clock.now = T0 + 86_400 + 1
    assert cache.get_profiles(["1"]) == {}
    assert cache.get_ids(["alice"]) == {"alice": "1"}
    clock.now = T0 + 30 * 86_400 + 1
    assert cache.get_ids(["alice"]) == {}


def test_custom_lifetimes(tmp_path: Path, clock: FakeClock) -> None:
    ttl = CacheTTL(ids=10, profiles=5, relationships=1)
    with Cache.open(tmp_path / "c.db", ttl=ttl, clock=clock) as c:
        c.put_lookups("v", [active("1", "a")])
        clock.now += 2
        assert c.get_relationships("v", ["1"]) == {}
        assert c.get_profiles(["1"]) and c.get_ids(["a"])
        clock.now += 4
        assert c.get_profiles(["1"]) == {} and c.get_ids(["a"])


def test_purge_expired_and_stats(cache: Cache, clock: FakeClock) -> None:
    cache.put_lookups("v", [active(str(n), f"h{n}") for n in range(10)])
    stats = cache.stats()
    assert (stats.handles, stats.profiles, stats.relationships, stats.expired) == (10, 10, 10, 0)
    clock.now = T0 + 2 * 86_400
    assert cache.stats().expired == 20
    assert cache.purge_expired() == 20
    stats = cache.stats()
    assert (stats.handles, stats.profiles, stats.relationships, stats.expired) == (10, 0, 0, 0)
    cache.vacuum()
    assert cache.stats().size_bytes > 0
    assert cache.get_ids(["h3"]) == {"h3": "3"}


def test_a_fresh_put_replaces_an_old_entry(cache: Cache, clock: FakeClock) -> None:
    cache.put_lookups("v", [active("1", "alice", following=True)])
    clock.now += 10
    cache.put_lookups("v", [active("1", "alice", following=False, blocking=True)])
    rel = cache.get_relationships("v", ["1"])["1"]
    assert (rel.following, rel.blocking) == (False, True)
    cache.set_blocking("v", ["1"], blocking=False)
    assert not cache.get_relationships("v", ["1"])["1"].blocking


def test_reads_and_writes_are_batched(cache: Cache) -> None:
    n = 2 * BATCH + 500
    cache.put_lookups("v", [active(str(i), f"user{i}") for i in range(n)])
    statements: list[str] = []
    cache.conn.set_trace_callback(statements.append)
    got = cache.get_ids([f"USER{i}" for i in range(n)])
    profiles = cache.get_profiles([str(i) for i in range(n)])
    rels = cache.get_relationships("v", [str(i) for i in range(n)])
    cache.conn.set_trace_callback(None)
    assert len(got) == len(profiles) == len(rels) == n
    assert len(statements) == 3 * 3  # three layers, three batches each


def test_a_damaged_file_is_moved_aside_and_recreated(tmp_path: Path) -> None:
    path = tmp_path / "cache" / "cache.db"
    path.parent.mkdir()
    path.write_bytes(b"not a database " * 500)
    with Cache.open(path) as c:
        assert c.warning is not None and "moved it to cache.db.corrupt-" in c.warning
        c.put_ids([("a", "1")])
        assert c.get_ids(["a"]) == {"a": "1"}
    aside = list(path.parent.glob("cache.db.corrupt-*"))
    assert len(aside) == 1 and aside[0].read_bytes().startswith(b"not a database")


def test_damage_found_mid_run_resets_the_cache(tmp_path: Path, clock: FakeClock) -> None:
    path = tmp_path / "cache.db"
    with Cache.open(path, clock=clock) as c:
        c.put_lookups("v", [active(str(i), f"user{i}") for i in range(3000)])
        c.vacuum()
    raw = bytearray(path.read_bytes())
    page = 4096
    for offset in range(2 * page, len(raw), page):  # keep page 1 (the schema) intact
        raw[offset : offset + 100] = b"\xff" * 100
    path.write_bytes(bytes(raw))
    with Cache.open(path, clock=clock) as c:
        got = c.get_ids([f"user{i}" for i in range(3000)])
        assert got == {}  # a miss, not a crash
        assert c.warning is not None
        c.put_ids([("x", "1")])  # the new file works
        assert c.get_ids(["x"]) == {"x": "1"}


def test_a_locked_cache_is_a_miss_not_a_reset(tmp_path: Path, clock: FakeClock) -> None:
    path = tmp_path / "cache.db"
    with Cache.open(path, clock=clock) as c:
        c.put_ids([("a", "1")])
        c.conn.execute("PRAGMA busy_timeout = 0")
        other = sqlite3.connect(path, isolation_level=None)
        other.execute("BEGIN EXCLUSIVE")
        try:
            c.put_ids([("b", "2")])  # locked: dropped, no exception
        finally:
            other.execute("ROLLBACK")
            other.close()
        assert c.warning is None
        assert c.get_ids(["a", "b"]) == {"a": "1"}


def test_put_lookups_commits_once(cache: Cache) -> None:
    statements: list[str] = []
    cache.conn.set_trace_callback(statements.append)
    cache.put_lookups("v", [active(str(i), f"u{i}") for i in range(100)])
    cache.conn.set_trace_callback(None)
    assert [s for s in statements if s.startswith(("BEGIN", "COMMIT"))] == [
        "BEGIN IMMEDIATE",
        "COMMIT",
    ]


def test_put_profiles_and_ids_directly(cache: Cache) -> None:
    cache.put_profiles(
        [
            active("1", "Alice"),
            LookupResult("2", UserState.SUSPENDED, user_id="2"),
            LookupResult("nobody", UserState.NOT_FOUND),  # no id: nothing to store
        ]
    )
    assert set(cache.get_profiles(["1", "2"])) == {"1", "2"}
    assert cache.get_ids(["alice"]) == {}  # the profile layer does not fill the id layer
    assert cache.get_relationships("v", ["1"]) == {}
    cache.put_ids([("@Bob", "7"), ("", "8")])
    assert cache.get_ids(["bob", "BOB"]) == {"bob": "7"}
    assert cache.stats().handles == 1


def test_a_lookup_without_relationship_data_leaves_no_relationship_entry(cache: Cache) -> None:
    # Defaults of a node that carried no relationship data are not facts: caching them would
    # let a later run read "not following" from the cache.
    blind = LookupResult(
        "1", UserState.ACTIVE, user=User("1", "alice", relationship_known=False), user_id="1"
    )
    cache.put_lookups("viewer", [blind])
    assert cache.get_ids(["alice"]) == {"alice": "1"}
    assert cache.get_relationships("viewer", ["1"]) == {}
