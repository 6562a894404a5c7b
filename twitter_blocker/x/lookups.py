"""The batch lookups of one client: ``UsersByRestIds`` / ``UsersByScreenNames`` answers tied
to the keys asked for, and the few single lookups that settling a batch may need.

A batch answer decides every key its real nodes are tied to (``batch.map_batch``). Single
lookups are made only for elements that cannot be attributed, and for every key of a batch
whose operation refuses the request itself (400/422, including a 336 the self-heal could
not cure: then for the life of the client) or
answers a 200 that is not a batch (no ``users`` list). Any other failure of the batch call
(5xx, an empty 404, LoadShed, an edge page, an answer that proves nothing) is raised with its
type, so the caller backs off or splits the batch: a failed batch never turns into one
single lookup per key.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import partial
from typing import Any, Protocol

from .batch import map_batch
from .errors import FeaturesOutdated, Inconclusive, UnexpectedResponse
from .models import LookupResult, Outcome
from .outcomes import Classified
from .parse import has_batch_list, has_errors, parse_batch

KEPT_SECONDS = 900.0  # one X rate window
KEPT_MAX = 5000


class GraphQLCall(Protocol):
    def __call__(
        self, operation: str, variables: dict[str, Any], *, targets: int
    ) -> Classified: ...


SingleLookup = Callable[[str, bool], LookupResult]  # (key, by_id)


class BatchLookups:
    def __init__(self, graphql: GraphQLCall, one: SingleLookup) -> None:
        self._graphql = graphql
        self._one = one
        self._broken: set[str] = set()  # batch operations that refuse requests (400/422)
        self._kept: dict[tuple[bool, str], tuple[float, LookupResult]] = {}  # see _one_kept

    def settle(self, op: str, keys: list[str], *, by_id: bool) -> dict[str, LookupResult]:
        """The keys of one batch that X's answer decides (see the module docstring)."""
        out = self._settle(op, keys, by_id=by_id)
        for k in keys:
            self._kept.pop((by_id, k), None)
        return out

    def _one_kept(self, key: str, *, by_id: bool) -> LookupResult | None:
        """A single lookup made while settling a batch, kept until that batch completes.

        When a rate limit (or any failure) interrupts the batch, the caller asks for the
        same keys again later; the answers already paid for are not asked again (for up
        to one rate window). None when the answer proved nothing (``Inconclusive``).
        """
        kept = self._kept.get((by_id, key))
        now = time.time()
        if kept is not None and now - kept[0] < KEPT_SECONDS:
            return kept[1]
        try:
            hit = self._one(key, by_id)
        except Inconclusive:
            return None
        if len(self._kept) >= KEPT_MAX:
            self._kept.clear()
        self._kept[(by_id, key)] = (now, hit)
        return hit

    def _settle(self, op: str, keys: list[str], *, by_id: bool) -> dict[str, LookupResult]:
        one = partial(self._one_kept, by_id=by_id)
        if op in self._broken or not keys:
            return _singles(keys, one)
        variables: dict[str, Any] = (
            {"userIds": keys} if by_id else {"screen_names": keys, "withSafetyModeUserFields": True}
        )
        result = self._graphql(op, variables, targets=len(keys))
        error, data = result.error, result.data
        if error is None and result.outcome is Outcome.OK and has_batch_list(data):
            nodes = parse_batch(data)
            proven = not has_errors(data)
            return map_batch(keys, nodes, by_id=by_id, resolve_one=one, proven=proven)
        refused = isinstance(error, (UnexpectedResponse, FeaturesOutdated))
        if refused and result.http_status in (400, 422):
            # The batch operation itself refuses the request (validation, or a 336 the
            # self-heal could not cure): stop trying it.
            self._broken.add(op)
            return _singles(keys, one)
        if error is None and result.outcome is Outcome.OK and not has_errors(data):
            return _singles(keys, one)  # a 200 we cannot read as a batch
        raise error or UnexpectedResponse(
            f"{op}: a batch answer with errors and no users list",
            operation=op,
            http_status=result.http_status,
            code=result.code,
        )


def _singles(keys: list[str], one: Callable[[str], LookupResult | None]) -> dict[str, LookupResult]:
    out: dict[str, LookupResult] = {}
    for k in keys:
        hit = one(k)
        if hit is not None:
            out[k] = hit
    return out
