"""``XClient``: X's web protocol as typed calls, over ``session.Session`` (which sends,
classifies and reports exactly one ``CallRecord`` per request, and asks the rate
authority's gate first). The client never sleeps and never retries, except the
session's self-heals and:
- the batch -> single fallback of the lookups, only where the batch answer itself is
  unusable, and the one-by-one resolution of elements it cannot attribute
  (``lookups.py``, ``batch.py``); any other failed batch raises its typed error.

A lookup answer with ``errors`` beside empty data proves nothing: a single lookup raises
``Inconclusive``; a batch returns results only for the keys real nodes decide.

The client holds no rate state and decides nothing about windows (``session.py``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Any

import httpx

from ..handles import fold_handle
from .batch import result_from_node
from .errors import (
    Inconclusive,
    TargetUnavailable,
    UnexpectedResponse,
    XAccountError,
    XAuthError,
    XError,
)
from .lookups import BatchLookups
from .models import (
    BlockResult,
    BlockStatus,
    LookupResult,
    Outcome,
    Relationship,
    User,
    UserState,
)
from .outcomes import Classified
from .parse import (
    NodeKind,
    parse_block_ids,
    parse_friendship,
    parse_friendships_lookup,
    parse_single,
    parse_viewer,
    screen_name_of_v1,
    user_from_v1,
)
from .resolver import Endpoints
from .session import Gate, Session
from .session import Observer as Observer  # re-exported: callers type their observers
from .transport import SessionCookies

FRIENDSHIPS_LOOKUP_MAX = 100  # ids per friendships/lookup call (X-FACTS.md 3.6)


# a per-target ``Outcome`` -> the typed state it proves (one table each, never by spelling)
_GONE_STATE = {Outcome.NOT_FOUND: UserState.NOT_FOUND, Outcome.SUSPENDED: UserState.SUSPENDED}

_BLOCK_STATUS = {
    Outcome.SELF: BlockStatus.SELF,
    Outcome.SUSPENDED: BlockStatus.SUSPENDED,
    Outcome.NOT_FOUND: BlockStatus.NOT_FOUND,
}


def _dedupe(values: Sequence[str]) -> list[str]:
    return list(dict.fromkeys(v for v in values if v))


class XClient(Session):
    """One logged-in web session's typed calls. Not thread-safe; use one per thread."""

    def __init__(
        self,
        cookies: SessionCookies,
        *,
        api_base: str = "https://x.com",
        timeout: float = 20.0,
        observer: Observer | None = None,
        batch_size: int = 100,
        transport: httpx.BaseTransport | None = None,
        endpoint_table: Endpoints | None = None,
        on_ct0: Callable[[str], None] | None = None,
        gate: Gate | None = None,
    ) -> None:
        super().__init__(
            cookies,
            api_base=api_base,
            timeout=timeout,
            observer=observer,
            transport=transport,
            endpoint_table=endpoint_table,
            on_ct0=on_ct0,
            gate=gate,
        )
        self._batches = BatchLookups(self._graphql, self._one)
        self.batch_size = max(1, batch_size)
        self.viewer_id: str | None = cookies.user_id

    def __repr__(self) -> str:
        return f"XClient(viewer_id={self.viewer_id!r})"

    # ------------------------------------------------------------------ viewer
    def viewer(self) -> User:
        """The logged-in user: GraphQL ``Viewer``, else ``account/verify_credentials``."""
        try:
            user = parse_viewer(
                self._ok(
                    self._graphql("Viewer", {"withCommunitiesMemberships": True}, targets=0),
                    "Viewer",
                )
            )
            if user is None:
                raise UnexpectedResponse("Viewer: no user in the answer", operation="Viewer")
        except (XAuthError, XAccountError):
            raise
        except XError:
            user = self._verify_credentials()
        self.viewer_id = user.user_id
        return user

    def _verify_credentials(self) -> User:
        op = "account/verify_credentials"
        data = self._ok(
            self._rest_get(op, {"include_entities": "false", "skip_status": "true"}, targets=0), op
        )
        user = user_from_v1(data)
        if user is None:
            raise UnexpectedResponse(f"{op}: no user in the answer", operation=op)
        return user

    # ------------------------------------------------------------------ lookups
    def lookup_handle(self, handle: str) -> LookupResult:
        """``UserByScreenName``; key = lower-cased handle without ``@``."""
        key = fold_handle(handle)
        op = "UserByScreenName"
        result = self._graphql(
            op, {"screen_name": key, "withSafetyModeUserFields": True}, targets=1
        )
        return self._single(op, key, result, requested_id=None)

    def lookup_id(self, user_id: str) -> LookupResult:
        """``UserByRestId``; key = the id."""
        key = str(user_id).strip()
        op = "UserByRestId"
        result = self._graphql(op, {"userId": key, "withSafetyModeUserFields": True}, targets=1)
        return self._single(op, key, result, requested_id=key)

    def _single(
        self, op: str, key: str, result: Classified, *, requested_id: str | None
    ) -> LookupResult:
        node = parse_single(self._ok(result, op))
        if node.kind is NodeKind.UNPROVEN:
            raise Inconclusive(
                f"{op}: errors beside an empty answer for {key!r}",
                operation=op,
                http_status=result.http_status,
                code=result.code,
            )
        found = result_from_node(key, node, requested_id=requested_id)
        if found is None:
            raise UnexpectedResponse(
                f"{op}: user unavailable with an unknown reason ({node.reason or 'none'})",
                operation=op,
                http_status=result.http_status,
            )
        if found.user is not None:
            got = found.user.user_id if requested_id is not None else found.user.screen_name.lower()
            if got != key:
                raise UnexpectedResponse(
                    f"{op}: asked for {key!r}, X answered {got!r}",
                    operation=op,
                    http_status=result.http_status,
                )
        return found

    def lookup_ids(self, ids: Sequence[str]) -> list[LookupResult]:
        """``UsersByRestIds`` in batches of ``batch_size``: one result per distinct id, in order,
        for every id X's answer decided. An id left out was not decided (``errors`` beside
        empty data): a temporary failure, to be asked again later."""
        keys = _dedupe([str(i).strip() for i in ids])
        return self._lookup_many("UsersByRestIds", keys, by_id=True)

    def lookup_handles(self, handles: Sequence[str]) -> list[LookupResult]:
        """``UsersByScreenNames`` in batches; one result per distinct lower-cased handle that X's
        answer decided (as ``lookup_ids``)."""
        keys = _dedupe([fold_handle(h) for h in handles])
        return self._lookup_many("UsersByScreenNames", keys, by_id=False)

    def _lookup_many(self, op: str, keys: list[str], *, by_id: bool) -> list[LookupResult]:
        found: dict[str, LookupResult] = {}
        for start in range(0, len(keys), self.batch_size):
            chunk = keys[start : start + self.batch_size]
            found.update(self._batches.settle(op, chunk, by_id=by_id))
        return [found[k] for k in keys if k in found]

    def _one(self, key: str, by_id: bool) -> LookupResult:
        return self.lookup_id(key) if by_id else self.lookup_handle(key)

    # ------------------------------------------------------------------ relationships
    def friendship(self, user_id: str) -> Relationship:
        """``friendships/show`` from the viewer to ``user_id``.

        Raises ``TargetUnavailable`` when X says the target is gone or suspended.
        """
        op = "friendships/show"
        params = {"target_id": str(user_id)}
        if self.viewer_id:
            params = {"source_id": self.viewer_id, **params}
        result = self._rest_get(op, params, targets=1)
        gone = _GONE_STATE.get(result.outcome)
        if result.error is None and gone is not None:
            raise TargetUnavailable(
                f"{op}: target {user_id} is {result.outcome.replace('_', ' ')}",
                state=gone,
                operation=op,
                http_status=result.http_status,
                code=result.code,
            )
        rel = parse_friendship(self._ok(result, op), str(user_id))
        if rel is None:
            raise UnexpectedResponse(
                f"{op}: no relationship in the answer", operation=op, http_status=result.http_status
            )
        return rel

    def friendships_lookup(self, user_ids: Sequence[str]) -> dict[str, Relationship]:
        """v1.1 ``friendships/lookup`` for up to 100 ids (X-FACTS.md 3.6): id -> the viewer's
        relationship. X leaves suspended and deactivated ids out; so does the answer."""
        op = "friendships/lookup"
        ids = _dedupe([str(i).strip() for i in user_ids])
        if not 0 < len(ids) <= FRIENDSHIPS_LOOKUP_MAX:
            raise ValueError(f"{op} takes 1 to {FRIENDSHIPS_LOOKUP_MAX} ids, not {len(ids)}")
        result = self._rest_get(op, {"user_id": ",".join(ids)}, targets=len(ids))
        if result.error is None and result.outcome is Outcome.NOT_FOUND:
            return {}  # 404/17 "No user matches" (as users/lookup answers, X-FACTS.md 3.5)
        found = parse_friendships_lookup(self._ok(result, op))
        if found is None:
            raise UnexpectedResponse(
                f"{op}: no list in the answer", operation=op, http_status=result.http_status
            )
        return {uid: rel for uid, rel in found.items() if uid in ids}

    # ------------------------------------------------------------------ blocks
    def block(self, user_id: str) -> BlockResult:
        """``blocks/create``. The body never confirms ``blocking`` (X-FACTS.md 3.1)."""
        return self._block_call("blocks/create", str(user_id))

    def unblock(self, user_id: str) -> BlockResult:
        """``blocks/destroy``."""
        return self._block_call("blocks/destroy", str(user_id))

    def _block_call(self, op: str, user_id: str) -> BlockResult:
        result = self._rest_post(op, {"user_id": user_id}, targets=1)
        if result.error is None:
            if result.outcome is Outcome.OK:
                return BlockResult(
                    user_id,
                    BlockStatus.OK,
                    screen_name=screen_name_of_v1(result.data),
                    http_status=result.http_status,
                )
            status = _BLOCK_STATUS.get(result.outcome)
            if status is not None:
                return BlockResult(
                    user_id, status, http_status=result.http_status, code=result.code
                )
        self._ok(result, op)
        raise AssertionError("unreachable")  # pragma: no cover

    def blocked_ids(self) -> Iterator[str]:
        """``blocks/ids``, following cursors to the end (``next_cursor`` 0)."""
        op = "blocks/ids"
        cursor = "-1"
        seen: set[str] = set()
        while True:
            data = self._ok(
                self._rest_get(op, {"cursor": cursor, "stringify_ids": "true"}, targets=0), op
            )
            ids, cursor = parse_block_ids(data)
            yield from ids
            if cursor in ("0", "-1") or cursor in seen:
                return
            seen.add(cursor)

    def timeline_page(self, operation: str, variables: dict[str, Any]) -> Any:
        """The JSON of one timeline page (chain sources, ``sources.py``); raises as ``_ok``."""
        return self._ok(self._graphql(operation, variables, targets=0), operation)
