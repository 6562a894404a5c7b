"""Tie the elements of a ``UsersByRestIds`` / ``UsersByScreenNames`` answer to the keys asked for.

Elements are mapped by ``rest_id`` (ids) or lower-cased ``screen_name`` (handles), never
by position (X-FACTS.md 2.2, 2.4 G). A ``UserUnavailable`` element usually carries no id,
and an element without ``result`` carries nothing, so the keys left over are settled by
counting where that is unambiguous, and otherwise by asking X for single keys
(``resolve_one``) until the counts settle the rest.

When ``errors`` stand beside the list (``proven=False``), only real ``User`` and attributed
``UserUnavailable`` elements decide: an empty element, a missing one or an unattributed one
proves nothing, so those keys stay undecided (left out of the answer, never asked for
alone). ``resolve_one`` answers None for a key its own answer did not decide.
"""

from __future__ import annotations

from collections.abc import Callable

from .models import LookupResult, UserState
from .parse import Node, NodeKind

ResolveOne = Callable[[str], LookupResult | None]


def result_from_node(key: str, node: Node, *, requested_id: str | None) -> LookupResult | None:
    """The result a node proves for ``key``; None when it proves nothing."""
    state = node.state
    if state is None:
        return None
    if state is UserState.ACTIVE and node.user is not None:
        return LookupResult(key, state, user=node.user, user_id=node.user.user_id)
    return LookupResult(key, state, user_id=node.rest_id or requested_id)


def map_batch(
    keys: list[str],
    nodes: list[Node],
    *,
    by_id: bool,
    resolve_one: ResolveOne,
    proven: bool = True,
) -> dict[str, LookupResult]:
    """A ``LookupResult`` for every key the answer (or a single lookup) decides.

    With ``proven`` (no ``errors`` beside the list) that is every key unless a single lookup
    itself proved nothing; without it, only the keys real elements are tied to.
    """
    wanted = set(keys)
    out: dict[str, LookupResult] = {}
    unclear: list[str] = []  # attributed, but the node proves nothing
    unattributed: list[Node] = []  # UserUnavailable elements we cannot tie to a key
    empties = 0
    for node in nodes:
        if node.kind is NodeKind.USER and node.user is not None:
            k = node.user.user_id if by_id else node.user.screen_name.lower()
            if k in wanted and k not in out:
                out[k] = LookupResult(
                    k, UserState.ACTIVE, user=node.user, user_id=node.user.user_id
                )
        elif node.kind is NodeKind.UNAVAILABLE:
            rid = node.rest_id
            if by_id and rid is not None and rid in wanted:
                hit = result_from_node(rid, node, requested_id=rid)
                if hit is None:
                    unclear.append(rid)
                elif rid not in out:
                    out[rid] = hit
            else:
                unattributed.append(node)
        else:
            empties += 1
    if not proven:
        return out
    unmatched = [k for k in keys if k not in out and k not in unclear]
    counts: dict[UserState, int] = {UserState.NOT_FOUND: empties} if empties else {}
    for n in unattributed:
        state = n.state
        if state is None:  # an element that proves nothing: no counting
            counts = {}
            break
        counts[state] = counts.get(state, 0) + 1
    if unmatched and sum(counts.values()) == len(unmatched):
        _resolve_by_count(unmatched, counts, out, by_id=by_id, resolve_one=resolve_one)
    else:
        unclear.extend(unmatched)
    for k in unclear:
        hit = resolve_one(k)
        if hit is not None:
            out[k] = hit
    return out


def _resolve_by_count(
    keys: list[str],
    counts: dict[UserState, int],
    out: dict[str, LookupResult],
    *,
    by_id: bool,
    resolve_one: ResolveOne,
) -> None:
    """Settle ``keys`` by elimination.

    ``counts`` says how many of ``keys`` are SUSPENDED / NOT_FOUND (one element per
    key). While more than one state is left, one key is asked for alone; once a single
    state remains, it holds for every key left. If a single answer contradicts the
    counts, every remaining key is asked for alone.
    """
    remaining = list(keys)
    left = dict(counts)
    while remaining:
        live = [state for state, n in left.items() if n > 0]
        if len(live) == 1:
            for k in remaining:
                out[k] = LookupResult(k, live[0], user_id=k if by_id else None)
            return
        k = remaining.pop(0)
        hit = resolve_one(k)
        if hit is not None:
            out[k] = hit
        if hit is None or left.get(hit.state, 0) <= 0:
            # contradicted, or undecided (then the counts no longer settle anything)
            for rest in remaining:
                alone = resolve_one(rest)
                if alone is not None:
                    out[rest] = alone
            return
        left[hit.state] -= 1
