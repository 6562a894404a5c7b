"""The lookup cache: its own SQLite file (``cache/cache.db``, WAL), three layers.

==============  =====================================  ===================
layer           key -> value                           default lifetime
==============  =====================================  ===================
handles         lower-cased handle -> user id           30 days (ids never change; handles rarely)
profiles        user id -> state, handle, name, protected   1 day (suspensions come and go)
relationships   (viewer, user id) -> following, followed_by, blocking   1 hour
==============  =====================================  ===================

Reads return fresh entries only; a missing relationship is missing, never "not
following" (the caller must look it up). Every read and write is batched: one
query per 1,000 keys. Only lookups are cached, never a block.

The cache is disposable. A damaged file never stops a run: it is moved aside to
``cache.db.corrupt-<UTC time>`` and an empty cache takes its place; ``warning``
then says what happened (and it is logged).
"""

from __future__ import annotations

import json
import logging
import sqlite3
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import TypeVar

from ..inputs.normalize import fold_handle
from ..x.models import LookupResult, Relationship, User, UserState
from .cache_file import is_corruption, open_cache_file, replace_damaged
from .db import transaction

log = logging.getLogger("twitter_blocker.store.cache")

BATCH = 1000
DAY = 86_400.0

_T = TypeVar("_T")


@dataclass(frozen=True, slots=True)
class CacheTTL:
    """Lifetimes of the three layers, in seconds."""

    ids: float = 30 * DAY
    profiles: float = DAY
    relationships: float = 3600.0


@dataclass(frozen=True, slots=True)
class CacheStats:
    path: Path
    size_bytes: int
    handles: int
    profiles: int
    relationships: int
    expired: int  # entries past their lifetime that purge_expired() would drop


def _chunks(items: Sequence[_T], size: int = BATCH) -> Iterator[Sequence[_T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


class Cache:
    """Lookup answers with lifetimes. One connection, used from one thread."""

    def __init__(
        self,
        path: Path,
        *,
        ttl: CacheTTL | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.path = Path(path)
        self.ttl = ttl or CacheTTL()
        self.clock = clock
        self.warning: str | None = None
        self.conn = self._open()

    @classmethod
    def open(
        cls, path: Path, *, ttl: CacheTTL | None = None, clock: Callable[[], float] = time.time
    ) -> Cache:
        """Open or create the cache file; a damaged one is moved aside (see ``warning``)."""
        return cls(path, ttl=ttl, clock=clock)

    # --- file handling --------------------------------------------------------------------

    def _open(self) -> sqlite3.Connection:
        conn, self.warning = open_cache_file(self.path)
        return conn

    def _failed(self, exc: sqlite3.Error) -> None:
        """A read or write failed: reset a damaged file; anything else is a miss."""
        if is_corruption(exc):
            self.conn.close()
            self.conn, self.warning = replace_damaged(self.path, exc)
        else:
            log.warning("cache %s: %s (treated as a miss)", self.path, exc)

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> Cache:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # --- reads (fresh entries only) ---------------------------------------------------------

    def _select(self, sql: str, keys: Sequence[str], *params: object) -> list[tuple[object, ...]]:
        """Run ``sql`` once per batch of keys (bound as a JSON array for ``json_each``)."""
        rows: list[tuple[object, ...]] = []
        try:
            for chunk in _chunks(keys):
                rows.extend(self.conn.execute(sql, (json.dumps(list(chunk)), *params)))
        except sqlite3.Error as exc:
            self._failed(exc)
            return []
        return rows

    def get_ids(self, handles: Sequence[str]) -> dict[str, str]:
        """Lower-cased handle -> user id, for the handles with a fresh entry."""
        keys = sorted({fold_handle(h) for h in handles if h})
        since = self.clock() - self.ttl.ids
        rows = self._select(
            "SELECT handle, user_id FROM handles"
            " WHERE handle IN (SELECT value FROM json_each(?1)) AND fetched_epoch >= ?2",
            keys,
            since,
        )
        return {str(h): str(u) for h, u in rows}

    def get_profiles(self, ids: Sequence[str]) -> dict[str, LookupResult]:
        """User id -> the last lookup answer (state and profile; no relationship flags).

        An ACTIVE answer's ``user`` has following/followed_by/blocking False because
        the profile layer does not know them: combine with :meth:`get_relationships`.
        """
        keys = sorted({str(i) for i in ids})
        since = self.clock() - self.ttl.profiles
        rows = self._select(
            "SELECT user_id, state, screen_name, name, protected FROM profiles"
            " WHERE user_id IN (SELECT value FROM json_each(?1)) AND fetched_epoch >= ?2",
            keys,
            since,
        )
        out: dict[str, LookupResult] = {}
        for uid, state, screen_name, name, protected in rows:
            user_id = str(uid)
            value = UserState(str(state))
            user = None
            if value is UserState.ACTIVE:
                user = User(
                    user_id=user_id,
                    screen_name=str(screen_name or ""),
                    name=str(name or ""),
                    protected=bool(protected),
                )
            out[user_id] = LookupResult(key=user_id, state=value, user=user, user_id=user_id)
        return out

    def get_relationships(self, viewer: str, ids: Sequence[str]) -> dict[str, Relationship]:
        """User id -> the viewer's edges to it, for the ids with a fresh entry."""
        rows = self._fresh_relationships("user_id, following, followed_by, blocking", viewer, ids)
        return {
            str(uid): Relationship(
                user_id=str(uid),
                following=bool(fol),
                followed_by=bool(fby),
                blocking=bool(blk),
            )
            for uid, fol, fby, blk in rows
        }

    def get_relationship_times(self, viewer: str, ids: Sequence[str]) -> dict[str, float]:
        """User id -> when its fresh relationship entry was fetched (epoch seconds)."""
        rows = self._fresh_relationships("user_id, fetched_epoch", viewer, ids)
        return {str(uid): float(at) for uid, at in rows if isinstance(at, int | float)}

    def _fresh_relationships(
        self, columns: str, viewer: str, ids: Sequence[str]
    ) -> list[tuple[object, ...]]:
        """``columns`` of the viewer's relationship entries younger than their lifetime."""
        since = self.clock() - self.ttl.relationships
        return self._select(
            f"SELECT {columns} FROM relationships"
            " WHERE viewer = ?2 AND user_id IN (SELECT value FROM json_each(?1))"
            " AND fetched_epoch >= ?3",
            sorted({str(i) for i in ids}),
            viewer,
            since,
        )

    # --- writes (one transaction per call) --------------------------------------------------

    def _write(self, *parts: tuple[str, Sequence[Sequence[object]]]) -> None:
        """Run each (statement, rows) with executemany, all in one transaction."""
        if not any(rows for _, rows in parts):
            return
        try:
            with transaction(self.conn):
                for sql, rows in parts:
                    for chunk in _chunks(rows):
                        self.conn.executemany(sql, chunk)
        except sqlite3.Error as exc:
            self._failed(exc)

    def _ids_part(self, pairs: Iterable[tuple[str, str]]) -> tuple[str, list[tuple[object, ...]]]:
        now = self.clock()
        return (
            "INSERT OR REPLACE INTO handles(handle, user_id, fetched_epoch) VALUES (?, ?, ?)",
            [(fold_handle(h), str(u), now) for h, u in pairs if h and u],
        )

    def _profiles_part(
        self, results: Iterable[LookupResult]
    ) -> tuple[str, list[tuple[object, ...]]]:
        now = self.clock()
        rows: list[tuple[object, ...]] = []
        for r in results:
            uid = r.user_id or (r.user.user_id if r.user else None)
            if not uid:
                continue  # a handle that does not exist: nothing to key it by
            user = r.user
            rows.append(
                (
                    str(uid),
                    r.state.value,
                    user.screen_name if user else None,
                    user.name if user else None,
                    int(user.protected) if user else 0,
                    now,
                )
            )
        return (
            "INSERT OR REPLACE INTO profiles(user_id, state, screen_name, name, protected,"
            " fetched_epoch) VALUES (?, ?, ?, ?, ?, ?)",
            rows,
        )

    def _relationships_part(
        self, viewer: str, relationships: Iterable[Relationship]
    ) -> tuple[str, list[tuple[object, ...]]]:
        now = self.clock()
        return (
            "INSERT OR REPLACE INTO relationships(viewer, user_id, following, followed_by,"
            " blocking, fetched_epoch) VALUES (?, ?, ?, ?, ?, ?)",
            [
                (viewer, str(r.user_id), int(r.following), int(r.followed_by), int(r.blocking), now)
                for r in relationships
            ],
        )

    def put_ids(self, pairs: Iterable[tuple[str, str]]) -> None:
        """Remember handle -> user id pairs."""
        self._write(self._ids_part(pairs))

    def put_profiles(self, results: Iterable[LookupResult]) -> None:
        """Remember the state/profile of every answer that names a user id."""
        self._write(self._profiles_part(results))

    def put_relationships(self, viewer: str, relationships: Iterable[Relationship]) -> None:
        """Remember the viewer's edges to users (from a lookup or friendships/show)."""
        self._write(self._relationships_part(viewer, relationships))

    def put_lookups(self, viewer: str, results: Sequence[LookupResult]) -> None:
        """All three layers from lookup answers, in one transaction: handle -> id,
        profile/state, and (active users) the viewer's relationship flags as the lookup
        reported them."""
        pairs: list[tuple[str, str]] = []
        rels: list[Relationship] = []
        for r in results:
            if r.user is not None:
                pairs.append((r.user.screen_name, r.user.user_id))
                if r.state is UserState.ACTIVE and r.user.relationship_known:
                    rels.append(
                        Relationship(
                            user_id=r.user.user_id,
                            following=r.user.following,
                            followed_by=r.user.followed_by,
                            blocking=r.user.blocking,
                        )
                    )
            elif r.user_id and r.key and not r.key.isdigit():
                pairs.append((r.key, r.user_id))  # a suspended handle with its revealed id
        self._write(
            self._ids_part(pairs),
            self._profiles_part(results),
            self._relationships_part(viewer, rels),
        )

    def set_blocking(self, viewer: str, ids: Sequence[str], blocking: bool = True) -> None:
        """After a block (or unblock), correct the cached flag instead of waiting it out."""
        self._write(
            (
                "UPDATE relationships SET blocking = ? WHERE viewer = ? AND user_id = ?",
                [(int(blocking), viewer, str(i)) for i in ids],
            )
        )

    # --- maintenance --------------------------------------------------------------------------

    def _expiry(self) -> list[tuple[str, float]]:
        now = self.clock()
        return [
            ("handles", now - self.ttl.ids),
            ("profiles", now - self.ttl.profiles),
            ("relationships", now - self.ttl.relationships),
        ]

    def purge_expired(self) -> int:
        """Delete every entry past its layer's lifetime; returns how many."""
        total = 0
        try:
            with transaction(self.conn):
                for table, since in self._expiry():
                    cur = self.conn.execute(
                        f"DELETE FROM {table} WHERE fetched_epoch < ?", (since,)
                    )
                    total += int(cur.rowcount)
        except sqlite3.Error as exc:
            self._failed(exc)
        return total

    def vacuum(self) -> None:
        """Compact the file and truncate its write-ahead log."""
        try:
            self.conn.execute("VACUUM")
            self.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        except sqlite3.Error as exc:
            self._failed(exc)

    def stats(self) -> CacheStats:
        counts: dict[str, int] = {}
        expired = 0
        try:
            for table, since in self._expiry():
                n, old = self.conn.execute(
                    f"SELECT count(*), coalesce(sum(fetched_epoch < ?), 0) FROM {table}", (since,)
                ).fetchone()
                counts[table] = int(n)
                expired += int(old)
        except sqlite3.Error as exc:
            self._failed(exc)
        size = sum(
            Path(f"{self.path}{s}").stat().st_size
            for s in ("", "-wal")
            if Path(f"{self.path}{s}").exists()
        )
        return CacheStats(
            path=self.path,
            size_bytes=size,
            handles=counts.get("handles", 0),
            profiles=counts.get("profiles", 0),
            relationships=counts.get("relationships", 0),
            expired=expired,
        )
