"""Which contract (queryId, method, features) each GraphQL operation uses, and how it heals.

Order of precedence: the pinned defaults of this release (``endpoints.py``), then a
discovered set cached for the account (younger than a day), then the user's override file
(``x-endpoints.json``), which beats both. Discovery is never a precondition of a call: the
ids in use are tried first, and only a signal of a stale contract starts the healing ladder,
once per run per operation:

1. refresh: read ``x.com/home`` and its bundles (``discovery.py``; one read serves every
   operation for a minute) and retry with the ids and features found, if they differ;
2. an empty 404 may be a missing transaction id: retry once with one (``txid.py``);
3. an empty 404 may mean GET is no longer accepted: retry once with POST;
4. otherwise ``ContractStale``: the run stops cleanly (exit 75) and names the override file.

Signals: an empty-body 404 on a GraphQL operation, ``Query: Unspecified`` / ``Unknown
operation``, a 422 (a variable X now requires). A discovered set is cached only once a call
made with it has worked.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import Any

from ..messages import msg
from . import endpoints
from .contract import (
    DISCOVERED,
    OVERRIDE,
    OVERRIDE_FILE,
    PINNED,
    ContractStale,
    Endpoint,
    EndpointMemory,
    Override,
)
from .discovery import Discovery, TidMaterial, discover, tid_material
from .models import Outcome
from .outcomes import Classified
from .transport import Http, RawResponse
from .txid import TransactionIds

log = logging.getLogger("twitter_blocker.x.resolver")

DAY = 86_400.0
REUSE_DISCOVERY = 60.0  # seconds one /home read serves other operations' refreshes
EMPTY_404 = "empty 404"
_STALE_TEXT = ("query: unspecified", "unknown operation")
_CONTRACT_FAILURES = frozenset(
    {Outcome.BAD_REQUEST, Outcome.TID_REJECTED, Outcome.FEATURES_OUTDATED}
)


def stale_signal(result: Classified) -> str | None:
    """The stale-contract signal in a GraphQL answer, or None."""
    if result.http_status == 404 and result.outcome is Outcome.TID_REJECTED:
        return EMPTY_404
    if result.http_status == 422:
        return "422 (a variable is refused)"
    if result.outcome is not Outcome.OK and any(
        t in (result.message or "").lower() for t in _STALE_TEXT
    ):
        return "Query: Unspecified"
    return None


def pinned(operation: str) -> Endpoint:
    return Endpoint(
        operation,
        endpoints.QUERY_IDS[operation],
        endpoints.METHODS.get(operation, "GET"),
        dict(endpoints.FEATURES.get(operation, {})),
        PINNED,
    )


class Endpoints:
    """The endpoint table of one account for one run (not thread-safe, like the client)."""

    def __init__(
        self,
        *,
        overrides: Mapping[str, Override] | None = None,
        memory: EndpointMemory | None = None,
        account: str = "default",
        heal: bool = False,
        ttl: float = DAY,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._memory = memory
        self._account = account
        self._heal = heal
        self._clock = clock
        now = clock()
        table = {op: pinned(op) for op in endpoints.QUERY_IDS}
        saved = {row.operation: row for row in memory.load_endpoints(account)} if memory else {}
        if saved:
            for row in saved.values():
                current = table.get(row.operation)
                if current is None:
                    continue
                if row.source == DISCOVERED and row.at is not None and now - row.at < ttl:
                    table[row.operation] = row
                elif row.same_contract(current):
                    table[row.operation] = replace(
                        current, last_ok=row.last_ok, last_at=row.last_at
                    )
        for op, ov in (overrides or {}).items():
            base = table.get(op) or pinned(op)
            entry = Endpoint(
                op,
                ov.query_id or base.query_id,
                ov.method or base.method,
                dict(ov.features) if ov.features is not None else dict(base.features),
                OVERRIDE,
            )
            before = saved.get(op)
            if before is not None and before.same_contract(entry):
                entry = replace(entry, last_ok=before.last_ok, last_at=before.last_at)
            table[op] = entry
        self._table = table
        self._features = endpoints.FeatureSets()
        for op, ep in table.items():
            self._features.replace(op, ep.features)
        self._last: dict[str, tuple[bool, float]] = {}
        self._steps: dict[str, int] = {}
        self._tid_ops: set[str] = set()  # operations sent with a transaction id
        self._tid_wanted = set(endpoints.TID_OPERATIONS)  # ... from their first call
        for op, ov in (overrides or {}).items():
            if ov.tid is not None:
                (self._tid_wanted.add if ov.tid else self._tid_wanted.discard)(op)
        self._tid: TransactionIds | None = None
        self._tid_tried = False
        self._discovery: Discovery | None = None
        self._unsaved = False
        self.discoveries = 0  # /home reads this run
        self.fetches = 0  # /home + bundle requests this run

    # ------------------------------------------------------------------ reading
    def get(self, operation: str) -> Endpoint:
        ep = self._table[operation]
        last = self._last.get(operation)
        if last is not None:
            ep = replace(ep, last_ok=last[0], last_at=last[1])
        return replace(ep, features=dict(self._features.get(operation)))

    def table(self) -> list[Endpoint]:
        return [self.get(op) for op in self._table]

    # ------------------------------------------------------------------ sending
    def tid_header(self, operation: str, method: str, path: str) -> dict[str, str] | None:
        if self._tid is None or operation not in self._tid_ops:
            return None
        return {"x-client-transaction-id": self._tid.make(method, path)}

    def sender(
        self, http: Http, operation: str, variables: Mapping[str, Any]
    ) -> Callable[[], RawResponse]:
        ep = self._table[operation]
        path = f"{endpoints.GRAPHQL_PREFIX}/{ep.query_id}/{operation}"
        if operation in self._tid_wanted and operation not in self._tid_ops:
            self._want_tid(operation, http)
        if ep.method == "POST":
            payload: dict[str, Any] = {
                "variables": dict(variables),
                "features": self._features.get(operation),
                "queryId": ep.query_id,
            }
            toggles = endpoints.FIELD_TOGGLES.get(operation)
            if toggles:
                payload["fieldToggles"] = dict(toggles)
            body = json.dumps(payload, separators=(",", ":")).encode()
            return lambda: http.post_json(
                operation, path, body, self.tid_header(operation, "POST", path)
            )
        query = self._features.query(operation, variables)
        if operation not in self._tid_ops:
            return lambda: http.get(operation, path, query)
        return lambda: http.get(operation, path, query, self.tid_header(operation, "GET", path))

    def add_missing(self, operation: str, names: tuple[str, ...]) -> bool:
        """The 336 self-heal: add the flags X named (True if anything was new)."""
        return self._features.add_missing(operation, names)

    def note(self, operation: str, result: Classified) -> None:
        """Remember whether the call worked with the contract in use (a rate limit, an
        outage or an auth failure says nothing about the contract: not noted)."""
        ok = result.outcome is Outcome.OK
        if not ok and result.outcome not in _CONTRACT_FAILURES:
            return
        self._last[operation] = (ok, self._clock())
        if ok and self._unsaved and self._table[operation].source == DISCOVERED:
            self._unsaved = False  # a call with the discovered set worked: keep it
            self.flush()

    # ------------------------------------------------------------------ healing
    def heal(self, operation: str, result: Classified, http: Http) -> bool:
        """True when the table changed and the call is worth sending again; raises
        ``ContractStale`` when the ladder is spent, ``LoggedOut`` for a dead session."""
        if not self._heal:
            return False
        signal = stale_signal(result)
        if signal is None:
            return False
        self._last[operation] = (False, self._clock())
        step = self._steps.get(operation, 0)
        while step < 3:
            step += 1
            self._steps[operation] = step
            if step == 1 and self._table[operation].source != OVERRIDE:
                if operation in self._apply(self._discover(http)):
                    log.info("%s: new contract from x.com/home after %s", operation, signal)
                    return True
            elif step == 2 and signal == EMPTY_404 and operation not in self._tid_ops:
                if self._material(http):
                    self._tid_ops.add(operation)
                    log.info("%s: retrying with a transaction id after %s", operation, signal)
                    return True
            elif step == 3 and signal == EMPTY_404 and self._table[operation].method == "GET":
                ep = self._table[operation]
                source = OVERRIDE if ep.source == OVERRIDE else DISCOVERED
                self._table[operation] = replace(ep, method="POST", source=source)
                self._unsaved = source == DISCOVERED
                log.info("%s: retrying with POST after %s", operation, signal)
                return True
        raise ContractStale(
            msg("x.contract_stale", op=operation, signal=signal, file=OVERRIDE_FILE),
            operation=operation,
            http_status=result.http_status,
            code=result.code,
        )

    def _want_tid(self, operation: str, http: Http) -> None:
        """An operation configured to need a transaction id: get the material (one /home
        read for the run); without it the call goes out without one, as before."""
        self._tid_ops.add(operation)
        if self._heal:
            try:
                self._material(http)
            except ContractStale:
                log.info("%s: no transaction-id material; sent without one", operation)

    def rest_tid(self, operation: str, http: Http) -> bool:
        """A v1.1 call got an empty 404 (X-FACTS.md 6: a missing transaction id): True when it
        is worth one more send with one (once per operation and run). A /home that is not the
        app leaves the call as it was (a temporary failure); a dead session raises."""
        if not self._heal or operation in self._tid_ops:
            return False
        self._tid_ops.add(operation)
        try:
            return self._material(http)
        except ContractStale:
            return False

    def _discover(self, http: Http) -> Discovery:
        now = self._clock()
        d = self._discovery
        if d is not None and now - d.at < REUSE_DISCOVERY:
            return d
        self.discoveries += 1
        d = discover(http, self._table, now=now)
        self.fetches += d.fetches
        log.info("x.com/home read: %s build, %d operations found", d.build, len(d.operations))
        self._discovery = d
        self._tid_tried = False
        return d

    def _apply(self, d: Discovery) -> set[str]:
        changed: set[str] = set()
        for op, current in self._table.items():
            if current.source == OVERRIDE or op not in d.operations:
                continue
            found = d.operations[op]
            new = Endpoint(
                op, found.query_id, current.method, d.features(op), DISCOVERED, d.at, d.build
            )
            if not new.same_contract(replace(current, features=self._features.get(op))):
                self._table[op] = new
                self._features.replace(op, new.features)
                changed.add(op)
        if changed:
            self._unsaved = True
        return changed

    def _material(self, http: Http) -> bool:
        if self._tid is not None:
            return True
        if self._tid_tried:
            return False
        self._tid_tried = True
        d = self._discover(http)
        before = d.fetches
        found: TidMaterial | None = tid_material(http, d)
        self.fetches += d.fetches - before
        if found is None:
            log.info("no transaction-id material on the page")
            return False
        self._tid = TransactionIds(found)
        return True

    def refresh(self, http: Http) -> set[str]:
        """Read x.com/home now (``endpoints --refresh``); the operations whose contract changed."""
        self._discovery = None
        changed = self._apply(self._discover(http))
        return changed

    # ------------------------------------------------------------------ persistence
    def flush(self) -> None:
        if self._memory is not None:
            self._memory.save_endpoints(self._account, self.table())
