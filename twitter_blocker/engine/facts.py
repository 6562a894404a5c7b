"""Facts about targets that several accounts in one process share (``--data-dir`` twice).

What one account proves about a target holds for every account: a handle's user id, and
that a user is suspended or does not exist. ``SharedFacts`` keeps those facts in memory for
the accounts of one process, and makes sure two accounts never look the same target up at
the same moment: before a lookup batch goes out, its keys are *claimed*; an account whose
keys another account is looking up right now waits for that one answer (one request, never
a rate window: lookups are only sent when their window allows), then uses what it proved.

Only what a lookup answer proved goes in (the answers the ledger records a decision on);
relationships (following, followed by, blocking) and blocks are per account and never
shared: each account's own cache and ledger keep them. ``FactsView`` is an account's
``LookupCache`` with the shared facts laid over its own cache.

The accounts are tasks of one ``coop.Hub`` (``engine.accounts``): they share one thread and
switch only where they wait, so the facts need no lock; a claim that must wait parks on the
hub until the claim before it is released.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace

from .. import coop
from ..inputs.normalize import fold_handle
from ..x.models import LookupResult, Relationship, UserState
from .work import LookupCache, Work

WAIT_SLICE = 0.5  # seconds between looks at the stop flag while another account's lookup runs


@dataclass(slots=True)
class FactsCounts:
    """How the shared facts were used (the report and the tests read them)."""

    proved: int = 0  # facts learned from X
    reused: int = 0  # lookups another account did not need to make
    waits: int = 0  # claims that waited for another account's answer


@dataclass(slots=True)
class SharedFacts:
    """Facts about targets for the accounts of one hub: handle -> id, and the final states
    (suspended, not found) by user id and by handle."""

    ids: dict[str, str] = field(default_factory=dict)  # folded handle -> user id
    by_id: dict[str, LookupResult] = field(default_factory=dict)  # final states only
    by_handle: dict[str, LookupResult] = field(default_factory=dict)  # final states only
    counts: FactsCounts = field(default_factory=FactsCounts)
    _busy: dict[str, str] = field(default_factory=dict)  # key -> the account looking it up

    def learn(self, results: Sequence[LookupResult]) -> None:
        """Keep what these answers proved (called with the answers a decision is made on)."""
        for r in results:
            handle = r.key if r.key and not r.key.isdigit() else None
            uid = r.user_id or (r.user.user_id if r.user is not None else None)
            if r.user is not None:
                self.ids[fold_handle(r.user.screen_name)] = r.user.user_id
            if handle is not None and uid is not None and r.state is UserState.ACTIVE:
                self.ids[handle] = uid
            if r.state is UserState.ACTIVE:
                continue
            final = LookupResult(key=r.key, state=r.state, user=None, user_id=uid)
            if uid is not None:
                self.by_id[uid] = replace(final, key=uid)
            if handle is not None:
                self.by_handle[handle] = final
            self.counts.proved += 1

    def known(self, key: str, by_handle: bool) -> LookupResult | None:
        return (self.by_handle if by_handle else self.by_id).get(key)

    def claim(self, account: str, keys: Sequence[str], stop: threading.Event) -> bool:
        """Wait until no other account is looking any of ``keys`` up, then claim them.
        False: the run is stopping (nothing claimed)."""
        waited = False
        while any(self._busy.get(k, account) != account for k in keys):
            if stop.is_set():
                return False
            hub = coop.current()
            if hub is None:
                raise RuntimeError("shared facts serve the accounts of one coop.Hub")
            waited = True
            hub.park(self, WAIT_SLICE)
        self.counts.waits += int(waited)
        for k in keys:
            self._busy[k] = account
        return True

    def release(self, account: str, keys: Sequence[str]) -> None:
        for k in keys:
            if self._busy.get(k) == account:
                del self._busy[k]
        hub = coop.current()
        if hub is not None:
            hub.wake(self)

    def ids_of(self, handles: Sequence[str]) -> dict[str, str]:
        """The user ids proved for these handles (folded handle -> id)."""
        keys = (fold_handle(h) for h in handles)
        return {k: self.ids[k] for k in keys if k in self.ids}

    def finals_of(self, ids: Sequence[str]) -> dict[str, LookupResult]:
        """The final states (suspended, not found) proved for these user ids."""
        return {uid: self.by_id[uid] for uid in ids if uid in self.by_id}

    def split(
        self, batch: Sequence[Work], by_handle: bool
    ) -> tuple[list[tuple[Work, LookupResult]], list[Work], list[Work]]:
        """Split a lookup batch by what the facts already say: (answered from the facts,
        handles whose id is now known, still to look up). A row whose block may have landed
        before a crash (``fresh``) always gets its own lookup."""
        answered: list[tuple[Work, LookupResult]] = []
        moved: list[Work] = []
        rest: list[Work] = []
        for w in batch:
            key = w.handle_key if by_handle else (w.user_id or "")
            final = (self.by_handle if by_handle else self.by_id).get(key)
            if by_handle and final is None and key in self.ids:
                uid = self.ids[key]
                final = self.by_id.get(uid)
                if final is None and not w.fresh:
                    w.user_id = uid
                    moved.append(w)
                    continue
            if final is not None and not w.fresh:
                answered.append((w, replace(final, key=key)))
            else:
                rest.append(w)
        self.counts.reused += len(answered) + len(moved)
        return answered, moved, rest


class FactsView:
    """An account's lookup cache with the shared facts laid over it (``LookupCache``)."""

    def __init__(self, facts: SharedFacts, own: LookupCache) -> None:
        self.facts = facts
        self.own = own

    def get_ids(self, handles: Sequence[str]) -> Mapping[str, str]:
        # what the account's own cache knows wins over the facts
        return {**self.facts.ids_of(handles), **self.own.get_ids(handles)}

    def get_profiles(self, ids: Sequence[str]) -> Mapping[str, LookupResult]:
        # a state proved in this process is the newest
        return {**self.own.get_profiles(ids), **self.facts.finals_of(ids)}

    def get_relationships(self, viewer: str, ids: Sequence[str]) -> Mapping[str, Relationship]:
        return self.own.get_relationships(viewer, ids)

    def get_relationship_times(self, viewer: str, ids: Sequence[str]) -> Mapping[str, float]:
        return self.own.get_relationship_times(viewer, ids)

    def put_lookups(self, viewer: str, results: Sequence[LookupResult]) -> None:
        self.own.put_lookups(viewer, results)
        self.facts.learn(results)
