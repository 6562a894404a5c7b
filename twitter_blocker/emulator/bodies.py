"""Error bodies, byte for byte in the shapes X-FACTS.md 1.2, 2.5, 3.8 and 4 document.

GraphQL-style bodies put ``message`` first; v1.1-style bodies put ``code`` first (both orders are
seen on the real service, X-FACTS.md 3.8).
"""

from __future__ import annotations

import json
import secrets
from typing import Any

JSON_TYPE = "application/json;charset=utf-8"

LOCKED_V11 = (
    "To protect our users from spam and other malicious activity, this account is temporarily "
    "locked. Please log in to https://twitter.com to unlock your account."
)
LOCKED_GRAPHQL = (
    "Authorization: Denied by access control: Missing TwitterUserNotSuspended; " + LOCKED_V11
)
SUSPENDED_SELF = "Your account is suspended and is not permitted to access this feature."


def dumps(value: Any) -> bytes:
    """Compact JSON as X sends it."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode()


def v11_error(code: int, message: str) -> dict[str, Any]:
    return {"errors": [{"code": code, "message": message}]}


def graphql_simple_error(code: int, message: str) -> dict[str, Any]:
    """The minimal GraphQL error form seen on 401/32 (X-FACTS.md 2.5)."""
    return {"errors": [{"message": message, "code": code}]}


def graphql_error(
    code: int, message: str, *, name: str, kind: str, source: str = "Client"
) -> dict[str, Any]:
    """The full GraphQL error object of X-FACTS.md 2.5 (fields repeated at top level)."""
    tracing = {"trace_id": secrets.token_hex(8)}
    return {
        "errors": [
            {
                "message": message,
                "extensions": {
                    "name": name,
                    "source": source,
                    "code": code,
                    "kind": kind,
                    "tracing": tracing,
                },
                "code": code,
                "kind": kind,
                "name": name,
                "source": source,
                "tracing": tracing,
            }
        ]
    }


def features_missing(names: list[str]) -> dict[str, Any]:
    return graphql_error(
        336,
        "The following features cannot be null: " + ", ".join(names),
        name="BadRequestError",
        kind="Validation",
    )


def variable_missing(name: str, type_name: str) -> dict[str, Any]:
    """422 GRAPHQL_VALIDATION_FAILED: "must be defined", path ["variable", name], X-FACTS.md 2.5."""
    return {
        "errors": [
            {
                "message": f'Variable "${name}" of required type "{type_name}" must be defined',
                "locations": [{"line": 1, "column": 1}],
                "path": ["variable", name],
                "extensions": {"code": "GRAPHQL_VALIDATION_FAILED"},
            }
        ]
    }


def bad_request(message: str) -> dict[str, Any]:
    """400/214 BadRequestError, kind Validation (X-FACTS.md 4): undecodable input, big batch."""
    return graphql_error(214, message, name="BadRequestError", kind="Validation")


def rate_limited() -> dict[str, Any]:
    return v11_error(88, "Rate limit exceeded")


RATE_LIMIT_TEXT = b"Rate limit exceeded.\n"

CLOUDFLARE_HTML = (
    b"<!DOCTYPE html>\n<html><head><title>Attention Required! | Cloudflare</title></head>"
    b"<body><h1>Sorry, you have been blocked</h1><p>You are unable to access x.com</p>"
    b"</body></html>\n"
)


class Reply:
    """What a handler answers: status, body (JSON value, raw bytes or None) and extra headers."""

    __slots__ = ("body", "headers", "media_type", "status")

    def __init__(
        self,
        status: int,
        body: Any = None,
        *,
        headers: dict[str, str] | None = None,
        media_type: str = JSON_TYPE,
    ) -> None:
        self.status = status
        self.body = body
        self.headers = headers or {}
        self.media_type = media_type

    def content(self) -> bytes:
        if self.body is None:
            return b""
        if isinstance(self.body, bytes):
            return self.body
        return dumps(self.body)
