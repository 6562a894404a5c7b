"""Session checks in X's order (X-FACTS.md 1.2 and 8.2).

bearer (401/89) -> v1.1 with no cookies at all (400/215) -> csrf: ``ct0`` cookie equals
``x-csrf-token`` (403/353 + Set-Cookie ct0) -> ``auth_token`` known (401/32, GraphQL and v1.1
bodies differ) -> the account's state: locked (326), suspended (64).
"""

from __future__ import annotations

import base64
import secrets
from collections.abc import Mapping
from enum import Enum

from . import bodies
from .bodies import Reply
from .config import GraphQLLockForm
from .world import Account, AccountState, World


class Family(Enum):
    GRAPHQL = "graphql"
    REST = "rest"


def _bearer(headers: Mapping[str, str]) -> str | None:
    value = headers.get("authorization", "")
    scheme, _, token = value.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def _new_ct0_cookie() -> str:
    return (
        f"ct0={secrets.token_hex(16)}; Max-Age=21600; Path=/; Domain=.x.com; Secure; SameSite=Lax"
    )


def _ct0_cookie(value: str) -> str:
    """auto-task #45 (2025-05): ``Set-Cookie: ct0=<new>; Max-Age=157680000; Domain=.x.com``."""
    return f"ct0={value}; Max-Age=157680000; Path=/; Domain=.x.com; Secure; SameSite=Lax"


def authenticate(
    world: World, family: Family, headers: Mapping[str, str], cookies: Mapping[str, str]
) -> Account | Reply:
    if _bearer(headers) not in world.config.all_bearers():
        return Reply(401, bodies.v11_error(89, "Invalid or expired token."))
    if family is Family.REST and not cookies.get("auth_token") and not cookies.get("ct0"):
        return Reply(400, bodies.v11_error(215, "Bad Authentication data."))
    ct0 = cookies.get("ct0")
    if not ct0 or headers.get("x-csrf-token") != ct0:
        return Reply(
            403,
            bodies.v11_error(353, "This request requires a matching csrf cookie and header."),
            headers={"set-cookie": _new_ct0_cookie()},
        )
    token = cookies.get("auth_token", "")
    with world.lock:
        account = world.by_token.get(token) if token else None
        state = account.state if account is not None else None
    if account is not None and world.switches.ct0_strict and ct0 != account.ct0:
        return Reply(
            403,
            bodies.v11_error(353, "This request requires a matching csrf cookie and header."),
            headers={"set-cookie": _ct0_cookie(account.ct0)},
        )
    if account is None:
        if family is Family.REST:
            return Reply(401, bodies.v11_error(32, "Could not authenticate you."))
        status = 200 if world.switches.auth_graphql_200 else 401
        return Reply(status, bodies.graphql_simple_error(32, "Could not authenticate you"))
    if state is AccountState.LOCKED:
        if family is Family.REST:
            return Reply(403, bodies.v11_error(326, bodies.LOCKED_V11))
        body = bodies.graphql_error(
            326, bodies.LOCKED_GRAPHQL, name="AuthorizationError", kind="Permissions"
        )
        status = 200 if world.switches.lock_graphql_form is GraphQLLockForm.HTTP_200 else 403
        return Reply(status, body)
    if state is AccountState.SUSPENDED:
        if family is Family.REST:
            return Reply(403, bodies.v11_error(64, bodies.SUSPENDED_SELF))
        return Reply(403, bodies.graphql_simple_error(64, bodies.SUSPENDED_SELF))
    return account


def transaction_id_ok(value: str | None, *, strict: bool) -> bool:
    """X-FACTS.md 6: a TID is unpadded base64 of 70 bytes whose last byte XOR first byte is 3.

    Without ``strict`` any non-empty value passes (some operations accept unvalidated ids). The
    signature itself (key and animation key) is not checked.
    """
    if not value:
        return False
    if not strict:
        return True
    try:
        raw = base64.b64decode(value + "=" * (-len(value) % 4), validate=True)
    except ValueError:
        return False
    return len(raw) == 70 and raw[-1] ^ raw[0] == 3
