"""``Session``: one logged-in web session's exchange with X, under the typed calls.

Every HTTP request is classified (``outcomes.classify``) and reported to the
observer as exactly one ``CallRecord`` before anything is raised. The session
never sleeps and never retries, except the 336 self-heal (add the flags X named to
that operation's feature set, for the life of the session, and send once more) and
the contract healing of ``resolver.Endpoints``.

It holds no rate state and decides nothing about windows: it reports what it saw
(headers, 429s) in each ``CallRecord``. Whether an operation may send now is the
scheduler's call (``engine/scheduler.py``); when a ``gate`` is given (the scheduler's
``check``), it is asked before every request and may refuse with ``RateLimited``, so no
request and no ``CallRecord``.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from types import TracebackType
from typing import Any, Self
from urllib.parse import urlencode

import httpx

from . import endpoints
from .errors import FeaturesOutdated, Transient, UnexpectedResponse
from .models import CallRecord, Outcome
from .outcomes import Classified, classify
from .resolver import Endpoints
from .transport import Http, RawResponse, SessionCookies, build_client

Observer = Callable[[CallRecord], None]
Gate = Callable[[str], None]  # asked before each request; raises RateLimited to refuse


class Session:
    """The plumbing of ``XClient``: send, classify, report. Not thread-safe."""

    def __init__(
        self,
        cookies: SessionCookies,
        *,
        api_base: str = "https://x.com",
        timeout: float = 20.0,
        observer: Observer | None = None,
        transport: httpx.BaseTransport | None = None,
        endpoint_table: Endpoints | None = None,
        on_ct0: Callable[[str], None] | None = None,
        gate: Gate | None = None,
    ) -> None:
        self._http = Http(
            build_client(cookies, api_base=api_base, timeout=timeout, transport=transport),
            on_ct0=on_ct0,  # a ct0 X sets on a 403/353 is kept (and saved by the caller)
        )
        self._observer = observer
        # queryIds, methods and features in use, and their healing (resolver.py); without a
        # table: the pinned values, no discovery
        self.endpoints = endpoint_table if endpoint_table is not None else Endpoints()
        self.gate = gate  # the rate authority's "may this operation send now?"

    # ------------------------------------------------------------------ plumbing
    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

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

        Raises only on transport failure, or whatever the ``gate`` raises (``RateLimited``
        *without sending*: a request into a spent window only earns a 429).
        """
        if self.gate is not None:
            self.gate(operation)
        started = time.time()
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
                    outcome=Outcome.TRANSIENT,
                    targets=targets,
                )
            )
            raise
        result = classify(operation, raw.status, raw.headers, raw.body, graphql=graphql)
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
        if result.outcome is Outcome.TID_REJECTED and self.endpoints.rest_tid(path, self._http):
            result = self._exchange(path, send, graphql=False, targets=targets)
        return result

    @staticmethod
    def _ok(result: Classified, operation: str) -> Any:
        """The JSON of a success; raises the classified error, or UnexpectedResponse."""
        if result.error is not None:
            raise result.error
        if result.outcome is not Outcome.OK:
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
