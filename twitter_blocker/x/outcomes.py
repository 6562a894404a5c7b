"""Classify one HTTP answer of X into an outcome, before anyone acts on it.

``classify(operation, status, headers, body, graphql=...)`` returns a
``Classified``: the parsed JSON and ``Outcome.OK``, a per-target answer
(``Outcome.SELF``, ``NOT_FOUND``, ``SUSPENDED``: the caller maps them to typed states), or an
``error`` (an ``x.errors`` exception the caller raises after recording the
call). Decisions go by X's error codes (X-FACTS.md 4); message text is read only
where no code exists (plain-text 429 bodies, LoadShed, a code-less 326).

Decisions of our own, where X's behaviour is not pinned down:
- 403 with an empty or non-JSON body and no ``cf-ray``: read as "session
  expired or banned" (twscrape does the same, X-FACTS.md 1.2) and raised as an
  auth failure, so the run stops and asks for fresh cookies instead of
  hammering an account X has turned away.
- Any HTML page (``text/html`` or a ``cf-ray`` header) is an edge page:
  transient.
- 403/226 ("looks automated") is raised as a *suspicious* ``RateLimited``
  without a reset, so the scheduler backs off hard.
- 403/37 is the viewer's own account suspended (twikit), like 64.
- A 200 whose ``errors`` stand beside GraphQL data that holds no result at all
  (``{"data":{}}``, ``{"user":{}}``, ``{"user":null}``, a ``users`` list without one real
  element, ``"data":null``) proves nothing: ``inconclusive`` (``Inconclusive``, transient).
  A batch with some real elements stays ``ok``; its empty elements prove nothing either
  (``parse.parse_batch``).
- A 404 without an error code (empty body, or JSON without ``errors``) is a
  rejected transaction id (X-FACTS.md 6) on every path, v1.1 included: transient
  ``tid_rejected``, never a per-target ``not_found`` (those carry code 50/34/
  108/17). A 404 whose ``errors`` have no code stays ``bad_request``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .errors import (
    AccountLocked,
    AccountSuspended,
    CsrfMismatch,
    FeaturesOutdated,
    Inconclusive,
    RateLimited,
    Transient,
    UnexpectedResponse,
    XAuthError,
    XError,
)
from .models import Outcome, RateInfo
from .transport import parse_rate

AUTH_CODES = frozenset({32, 89, 215, 220})
CSRF_CODE = 353
LOCKED_CODE = 326
OWN_SUSPENDED_CODES = frozenset({64, 37})
RATE_CODE = 88
AUTOMATED_CODE = 226
FEATURES_CODE = 336
TRANSIENT_CODES = frozenset({130, 131})
SELF_CODE = 147
TARGET_SUSPENDED_CODE = 63
TARGET_GONE_CODES = frozenset({17, 34, 50, 108})

_MAX_MESSAGE = 200
_FEATURES_PREFIX = "The following features cannot be null:"
_LOCKED_GRAPHQL_PREFIX = "Authorization: Denied by access control"


@dataclass(frozen=True, slots=True)
class Classified:
    """One answer, classified. ``outcome`` becomes ``CallRecord.outcome``."""

    outcome: Outcome
    http_status: int
    data: Any = None
    code: int | None = None
    message: str | None = None
    error: XError | None = None
    rate: RateInfo | None = None


def _errors(body: Any) -> list[tuple[int | None, str]]:
    """``errors[]`` as (code, message) pairs; tolerant of any shape."""
    if not isinstance(body, dict):
        return []
    raw = body.get("errors")
    if not isinstance(raw, list):
        return []
    out: list[tuple[int | None, str]] = []
    for item in raw:
        if not isinstance(item, dict):
            continue
        code = item.get("code")
        if not isinstance(code, int):
            ext = item.get("extensions")
            code = ext.get("code") if isinstance(ext, dict) else None
        message = item.get("message")
        out.append(
            (
                code if isinstance(code, int) and not isinstance(code, bool) else None,
                message[:_MAX_MESSAGE] if isinstance(message, str) else "",
            )
        )
    return out


def parse_feature_names(message: str) -> tuple[str, ...]:
    """The flag names of a 336 message: "The following features cannot be null: a, b"."""
    _, sep, tail = message.partition(":")
    if not sep:
        return ()
    names = (part.strip().strip(".").strip() for part in tail.split(","))
    return tuple(n for n in names if n and n.replace("_", "").isalnum())


def _holds_no_result(data: Any) -> bool:
    """True when GraphQL ``data`` carries no ``result`` at all (no user, no batch element)."""
    if not isinstance(data, dict):
        return True
    if "viewer" in data:
        return False
    users = data.get("users")
    holders = users if isinstance(users, list) else [data.get("user")]
    return not any(
        isinstance(h, dict) and isinstance(h.get("result"), dict) and h["result"] for h in holders
    )


def _is_html(headers: Mapping[str, str], body: bytes) -> bool:
    ctype = headers.get("content-type", "").lower()
    return "text/html" in ctype or body.lstrip()[:1] == b"<"


def _describe(operation: str, status: int, code: int | None, message: str) -> str:
    where = f"{operation}: HTTP {status}"
    if code is not None:
        where += f", code {code}"
    return f"{where}: {message}" if message else where


def classify(
    operation: str,
    status: int,
    headers: Mapping[str, str],
    body: bytes,
    *,
    graphql: bool,
) -> Classified:
    """Turn (status, headers, body) into a ``Classified`` (see the module docstring)."""
    rate = parse_rate(headers)

    def fail(
        outcome: Outcome,
        error_type: type[XError],
        code: int | None,
        message: str,
    ) -> Classified:
        text = _describe(operation, status, code, message)
        error = error_type(text, operation=operation, http_status=status, code=code)
        return Classified(outcome, status, code=code, message=message, error=error, rate=rate)

    def rate_limited(code: int | None, message: str, *, suspicious: bool) -> Classified:
        reset = rate.reset if rate is not None else None
        if rate is not None and rate.remaining > 0:
            suspicious = True
        text = _describe(operation, status, code, message or "rate limit exceeded")
        error = RateLimited(
            text,
            reset=reset,
            suspicious=suspicious,
            operation=operation,
            http_status=status,
            code=code,
        )
        return Classified(
            Outcome.RATE_LIMITED, status, code=code, message=message, error=error, rate=rate
        )

    # --- bodies that are not JSON ------------------------------------------------
    stripped = body.strip()
    parsed: Any = None
    if stripped:
        if _is_html(headers, stripped):
            if status == 429:
                return rate_limited(None, "rate limited by an edge page", suspicious=False)
            return fail(Outcome.TRANSIENT, Transient, None, "HTML edge page instead of JSON")
        try:
            parsed = json.loads(stripped)
        except ValueError:
            text = stripped[:_MAX_MESSAGE].decode("utf-8", "replace")
            if "cf-ray" in headers and status != 429:
                return fail(Outcome.TRANSIENT, Transient, None, "edge page instead of JSON")
            if status == 429 or text.lower().startswith(("rate limit exceeded", "429 too many")):
                return rate_limited(None, text, suspicious=False)
            if "loadshed" in text.lower() or status >= 500:
                return fail(Outcome.TRANSIENT, Transient, None, text)
            return fail(Outcome.TRANSIENT, Transient, None, "malformed JSON body")
    else:
        if status == 429:
            return rate_limited(None, "", suspicious=False)
        if status == 404:
            # X-FACTS.md 6: a 404 with an empty body means the transaction id was missing or
            # rejected, on any path (GraphQL or v1.1). A real "not found" on v1.1 carries
            # an errors body with code 50/34 (X-FACTS.md 3.1, 3.8), so this is never a
            # per-target answer. Retrying later (with a fresh id) is the only remedy.
            return fail(
                Outcome.TID_REJECTED, Transient, None, "empty 404 (transaction id rejected)"
            )
        if status == 403 and "cf-ray" in headers:
            return fail(Outcome.TRANSIENT, Transient, None, "empty 403 from the edge (cf-ray)")
        if status == 403:
            return fail(
                Outcome.AUTH_FAILED, XAuthError, None, "empty 403: session expired or banned"
            )
        if status >= 500:
            return fail(Outcome.TRANSIENT, Transient, None, "server error")
        if status == 200:
            return fail(Outcome.TRANSIENT, Transient, None, "empty body")

    errors = _errors(parsed)
    codes = [c for c, _ in errors if c is not None]
    first = errors[0] if errors else (None, "")

    def message_of(code: int) -> str:
        return next((m for c, m in errors if c == code), "")

    # --- request-level failures, by code, whatever the HTTP status ---------------
    if CSRF_CODE in codes:
        return fail(Outcome.CSRF_MISMATCH, CsrfMismatch, CSRF_CODE, message_of(CSRF_CODE))
    if LOCKED_CODE in codes:
        return fail(Outcome.ACCOUNT_LOCKED, AccountLocked, LOCKED_CODE, message_of(LOCKED_CODE))
    for code in codes:
        if code in OWN_SUSPENDED_CODES:
            return fail(Outcome.ACCOUNT_SUSPENDED, AccountSuspended, code, message_of(code))
        if code in AUTH_CODES:
            return fail(Outcome.AUTH_FAILED, XAuthError, code, message_of(code))
    if RATE_CODE in codes:
        return rate_limited(RATE_CODE, message_of(RATE_CODE), suspicious=False)
    if AUTOMATED_CODE in codes:
        return rate_limited(AUTOMATED_CODE, message_of(AUTOMATED_CODE), suspicious=True)
    if FEATURES_CODE in codes:
        text = message_of(FEATURES_CODE)
        error = FeaturesOutdated(
            _describe(operation, status, FEATURES_CODE, text),
            missing=parse_feature_names(text),
            operation=operation,
        )
        return Classified(
            Outcome.FEATURES_OUTDATED,
            status,
            code=FEATURES_CODE,
            message=text,
            error=error,
            rate=rate,
        )
    if not codes and any(m.startswith(_LOCKED_GRAPHQL_PREFIX) for _, m in errors):
        # A code-less GraphQL lock (X-FACTS.md 1.2): only here is the message read.
        return fail(Outcome.ACCOUNT_LOCKED, AccountLocked, None, first[1])

    # --- per-target answers (v1.1 only) ----------------------------------------------
    # GraphQL says "no such user" with HTTP 200 and an empty ``data`` (X-FACTS.md 2.2); a
    # GraphQL 404/34 more likely means a retired queryId, and reading it as "not found"
    # would fail every target permanently. So these codes count only on v1.1 paths.
    if not graphql:
        if SELF_CODE in codes:
            return Classified(
                Outcome.SELF, status, code=SELF_CODE, message=message_of(SELF_CODE), rate=rate
            )
        if TARGET_SUSPENDED_CODE in codes:
            return Classified(
                Outcome.SUSPENDED,
                status,
                code=TARGET_SUSPENDED_CODE,
                message=message_of(TARGET_SUSPENDED_CODE),
                rate=rate,
            )
        gone = next((c for c in codes if c in TARGET_GONE_CODES), None)
        if gone is not None and status in (403, 404):
            return Classified(
                Outcome.NOT_FOUND, status, code=gone, message=message_of(gone), rate=rate
            )

    # --- errors beside data that holds nothing: proves nothing (X-FACTS.md 2.2, 2.5) ---------
    if (
        graphql
        and status == 200
        and errors
        and isinstance(parsed, dict)
        and "data" in parsed
        and _holds_no_result(parsed["data"])
    ):
        text = first[1] or "errors beside empty data"
        return fail(Outcome.INCONCLUSIVE, Inconclusive, first[0], text)

    # --- status-driven ------------------------------------------------------------
    if status == 429:
        return rate_limited(first[0], first[1], suspicious=False)
    if status == 401:
        return fail(Outcome.AUTH_FAILED, XAuthError, first[0], first[1] or "unauthorized")
    if status >= 500 or any(c in TRANSIENT_CODES for c in codes):
        if status == 200 and isinstance(parsed, dict) and parsed.get("data"):
            # 131 "Dependency: Internal error" may come with usable data (X-FACTS.md 2.5).
            return Classified(
                Outcome.OK, status, data=parsed, code=first[0], message=first[1] or None, rate=rate
            )
        busy = next((c for c in codes if c in TRANSIENT_CODES), first[0])
        return fail(Outcome.TRANSIENT, Transient, busy, first[1] or "server error")
    if any("loadshed" in m.lower() for _, m in errors):
        return fail(Outcome.TRANSIENT, Transient, first[0], first[1])
    if status == 404 and not errors:
        # A 404 with no error code says nothing about the target: only codes 50/34/108/17
        # (above) make a "not found". Read it like the empty 404 of a rejected
        # transaction id (X-FACTS.md 6): retry later, never a permanent answer.
        return fail(Outcome.TID_REJECTED, Transient, None, "404 without errors")
    if status == 200 and isinstance(parsed, (dict, list)):
        if isinstance(parsed, dict) and errors and "data" not in parsed:
            return fail(Outcome.BAD_REQUEST, UnexpectedResponse, first[0], first[1])
        # ``errors`` beside ``data`` (e.g. 214): use the data (X-FACTS.md 2.2).
        return Classified(
            Outcome.OK, status, data=parsed, code=first[0], message=first[1] or None, rate=rate
        )
    if 400 <= status < 500:
        return fail(Outcome.BAD_REQUEST, UnexpectedResponse, first[0], first[1] or "bad request")
    return fail(Outcome.BAD_REQUEST, UnexpectedResponse, first[0], first[1] or "unexpected answer")
