"""The GraphQL contract each account used last (table ``endpoints`` of the cache database).

One row per (account, operation): queryId, method, features, where they came from (pinned,
discovered with its build and time, override) and whether the last call with them worked.
The resolver reuses a discovered row for about a day; ``twitter-blocker endpoints`` reads
them. Like the rest of the cache it is disposable: a failure is logged and treated as empty.
"""

from __future__ import annotations

import json
import logging
import sqlite3
from collections.abc import Sequence

from ..x.contract import Endpoint
from .cache import Cache
from .db import transaction

log = logging.getLogger("twitter_blocker.store.cache")


class EndpointCache:
    """``x.contract.EndpointMemory`` over the lookup cache's connection."""

    def __init__(self, cache: Cache) -> None:
        self._cache = cache

    def load_endpoints(self, account: str) -> list[Endpoint]:
        try:
            rows = self._cache.conn.execute(
                "SELECT operation, query_id, method, features, source, build, discovered_epoch,"
                " last_ok, last_call_epoch FROM endpoints WHERE account = ? ORDER BY operation",
                (account,),
            ).fetchall()
        except sqlite3.Error as exc:
            log.warning("cache %s: endpoints unreadable (%s)", self._cache.path, exc)
            return []
        out: list[Endpoint] = []
        for op, qid, method, features, source, build, at, last_ok, last_at in rows:
            try:
                flags = json.loads(features)
            except ValueError:
                continue
            if not isinstance(flags, dict):
                continue
            out.append(
                Endpoint(
                    op,
                    qid,
                    method,
                    {str(k): bool(v) for k, v in flags.items()},
                    source,
                    at,
                    build,
                    None if last_ok is None else bool(last_ok),
                    last_at,
                )
            )
        return out

    def save_endpoints(self, account: str, endpoints: Sequence[Endpoint]) -> None:
        rows = [
            (
                account,
                e.operation,
                e.query_id,
                e.method,
                json.dumps(dict(e.features), sort_keys=True, separators=(",", ":")),
                e.source,
                e.build,
                e.at,
                None if e.last_ok is None else int(e.last_ok),
                e.last_at,
            )
            for e in endpoints
        ]
        try:
            with transaction(self._cache.conn) as conn:
                conn.executemany(
                    "INSERT OR REPLACE INTO endpoints(account, operation, query_id, method,"
                    " features, source, build, discovered_epoch, last_ok, last_call_epoch)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    rows,
                )
        except sqlite3.Error as exc:
            log.warning("cache %s: endpoints not saved (%s)", self._cache.path, exc)

    def accounts(self) -> list[str]:
        try:
            rows = self._cache.conn.execute("SELECT DISTINCT account FROM endpoints").fetchall()
        except sqlite3.Error:
            return []
        return [str(r[0]) for r in rows]
