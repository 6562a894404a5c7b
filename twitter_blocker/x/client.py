"""``XClient``: X's web protocol as typed calls.

Every HTTP request is classified (``outcomes.classify``) and reported to the
observer as exactly one ``CallRecord`` before anything is raised. The client
never sleeps and never retries, except:
- the 336 self-heal: add the flags X named to that operation's feature set
  (for the life of the client) and send once more;
- the batch -> single fallback of the lookups, only where the batch answer itself is
  unusable, and the one-by-one resolution of elements it cannot attribute
  (``lookups.py``, ``batch.py``); any other failed batch raises its typed error.

A lookup answer with ``errors`` beside empty data proves nothing: a single lookup raises
``Inconclusive``; a batch returns results only for the keys real nodes decide.

It never sends into a window whose last answer said it is spent (remaining 0,
or a 429 with a reset): it raises ``RateLimited`` with that reset instead, with
no request and so no ``CallRecord``.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from types import TracebackType
from typing import Any
from urllib.parse import urlencode

import httpx

from . import endpoints
from .batch import result_from_node
from .errors import (
    FeaturesOutdated,
    Inconclusive,
    RateLimited,
    TargetUnavailable,
    Transient,
    UnexpectedResponse,
    XAccountError,
    XAuthError,
    XError,
)
from .http import Http, RawResponse, SessionCookies, build_client
from .lookups import BatchLookups
from .models import (
    BlockResult,
    BlockStatus,
    CallRecord,
    LookupResult,
    Relationship,
    User,
    UserState,
)
from .outcomes import Classified, classify
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

Observer = Callable[[CallRecord], None]

FRIENDSHIPS_LOOKUP_MAX = 100  # ids per friendships/lookup call (X-FACTS.md 3.6)


_BLOCK_STATUS = {
    "self": BlockStatus.SELF,
    "suspended": BlockStatus.SUSPENDED,
    "not_found": BlockStatus.NOT_FOUND,
}


def normalize_handle(handle: str) -> str:
    """The lookup key of a handle: stripped, without ``@``, lower-cased."""
    return handle.strip().lstrip("@").strip().lower()


def _dedupe(values: Sequence[str]) -> list[str]:
    return list(dict.fromkeys(v for v in values if v))


class XClient:
    """One logged-in web session. Not thread-safe; use one per thread."""

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
    ) -> None:
        self._http = Http(
            build_client(cookies, api_base=api_base, timeout=timeout, transport=transport),
            on_ct0=on_ct0,  # a ct0 X sets on a 403/353 is kept (and saved by the caller)
        )
        self._observer = observer
        # queryIds, methods and features in use, and their healing (resolver.py); without a
        # table: the pinned values, no discovery
        self.endpoints = endpoint_table if endpoint_table is not None else Endpoints()
        self._spent: dict[str, float] = {}  # operation -> reset epoch of a spent window
        self._batches = BatchLookups(self._graphql, self._one)
        self.batch_size = max(1, batch_size)
        self.viewer_id: str | None = cookies.user_id

    # ------------------------------------------------------------------ plumbing
    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> XClient:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"XClient(viewer_id={self.viewer_id!r})"

    def _record(self, record: CallRecord) -> None:
        if self._observer is not None:
            self._observer(record)

    def _exchange(
        self,
        operation: str,
        send: Callable[[], RawResponse],
        *,
        graphql: bool,
        targets: int,
    ) -> Classified:
        """Send once, classify, report exactly one CallRecord.

        Raises only on transport failure, or ``RateLimited`` *without sending* when the
        last answer of this operation said its window is spent and the reset is ahead:
        a request into a spent window only earns a 429 (and counts as a ban signal).
        """
        started = time.time()
        reset = self._spent.get(operation)
        if reset is not None:
            if started < reset:
                raise RateLimited(
                    f"{operation}: window spent until its reset (not sent)",
                    reset=reset,
                    operation=operation,
                )
            del self._spent[operation]
        t0 = time.perf_counter()
        try:
            raw = send()
        except Transient as exc:
            self._record(
                CallRecord(
                    operation=operation,
                    started_at=started,
                    elapsed=time.perf_counter() - t0,
                    http_status=None,
                    code=None,
                    message=str(exc),
                    outcome="transient",
                    targets=targets,
                )
            )
            raise
        result = classify(operation, raw.status, raw.headers, raw.body, graphql=graphql)
        self._note_window(operation, result)
        self._record(
            CallRecord(
                operation=operation,
                started_at=raw.started_at,
                elapsed=raw.elapsed,
                http_status=raw.status,
                code=result.code,
                message=result.message,
                outcome=result.outcome,
                rate=result.rate,
                targets=targets,
            )
        )
        return result

    def _note_window(self, operation: str, result: Classified) -> None:
        reset: float | None = None
        if result.rate is not None and result.rate.remaining <= 0:
            reset = result.rate.reset
        error = result.error
        if isinstance(error, RateLimited) and not error.suspicious and error.reset is not None:
            reset = error.reset
        if reset is not None:
            self._spent[operation] = reset
        else:
            self._spent.pop(operation, None)

    def _graphql(self, operation: str, variables: dict[str, Any], *, targets: int) -> Classified:
        """A GraphQL call with the 336 self-heal (one more send when new flags were named) and
        the stale-contract healing of ``resolver.Endpoints`` (bounded, once per run)."""
        table = self.endpoints
        features_healed = False
        for _ in range(6):
            result = self._exchange(
                operation,
                table.sender(self._http, operation, variables),
                graphql=True,
                targets=targets,
            )
            error = result.error
            if (
                not features_healed
                and isinstance(error, FeaturesOutdated)
                and table.add_missing(operation, error.missing)
            ):
                features_healed = True
                continue
            if error is not None and table.heal(operation, result, self._http):
                continue
            table.note(operation, result)
            return result
        return result

    def _rest_get(self, path: str, params: dict[str, str], *, targets: int) -> Classified:
        url, query, tid = endpoints.rest_path(path), urlencode(params), self.endpoints.tid_header
        return self._rest(
            path, lambda: self._http.get(path, url, query, tid(path, "GET", url)), targets
        )

    def _rest_post(self, path: str, form: dict[str, str], *, targets: int) -> Classified:
        url, tid = endpoints.rest_path(path), self.endpoints.tid_header
        return self._rest(
            path, lambda: self._http.post_form(path, url, form, tid(path, "POST", url)), targets
        )

    def _rest(self, path: str, send: Callable[[], RawResponse], targets: int) -> Classified:
        """One v1.1 call; an empty 404 earns one more send with a transaction id (resolver)."""
        result = self._exchange(path, send, graphql=False, targets=targets)
        if result.outcome == "tid_rejected" and self.endpoints.rest_tid(path, self._http):
            result = self._exchange(path, send, graphql=False, targets=targets)
        return result

    @staticmethod
    def _ok(result: Classified, operation: str) -> Any:
        """The JSON of a success; raises the classified error, or UnexpectedResponse."""
        if result.error is not None:
            raise result.error
        if result.outcome != "ok":
            raise UnexpectedResponse(
                f"{operation}: unexpected {result.outcome} answer (HTTP {result.http_status})",
                operation=operation,
                http_status=result.http_status,
                code=result.code,
            )
        return result.data

    def refresh_endpoints(self) -> set[str]:
        """Read x.com/home now (``endpoints --refresh``); the operations whose contract changed."""
        return self.endpoints.refresh(self._http)

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
        key = normalize_handle(handle)
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
        keys = _dedupe([normalize_handle(h) for h in handles])
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
        if result.error is None and result.outcome in ("not_found", "suspended"):
            raise TargetUnavailable(
                f"{op}: target {user_id} is {result.outcome.replace('_', ' ')}",
                state=UserState(result.outcome),
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
        if result.error is None and result.outcome == "not_found":
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
            if result.outcome == "ok":
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
