"""Failure injection: edge blocks, overload, server errors, dropped connections, broken JSON.

Each fault fires with its switch's probability (0 = never, 1 = always), drawn from a seeded RNG.
"""

from __future__ import annotations

import logging
import secrets

from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from . import bodies
from .bodies import Reply
from .world import World


class ConnectionDropped(Exception):
    """Raised after the response head is sent, so the server closes the connection mid-response."""


def roll(world: World, rate: float) -> bool:
    if rate <= 0:
        return False
    with world.lock:
        return world.chaos_rng.random() < rate


def cloudflare() -> Reply:
    """X-FACTS.md 1.2: an edge block is text/html with a cf-ray header, before any auth check."""
    return Reply(
        403,
        bodies.CLOUDFLARE_HTML,
        headers={"cf-ray": f"{secrets.token_hex(8)}-NRT", "server": "cloudflare"},
        media_type="text/html; charset=UTF-8",
    )


def loadshed() -> Reply:
    """X-FACTS.md 2.5: "(-1) LoadShed", i.e. an error with no code; the status is [inf]."""
    return Reply(503, {"errors": [{"message": "LoadShed"}]})


def over_capacity() -> Reply:
    return Reply(503, bodies.v11_error(130, "Over capacity"))


def _take(world: World, name: str) -> bool:
    """Count one of the next-N switch ``name`` down; True while it had some left."""
    with world.lock:
        left = getattr(world.switches, name)
        if not left:
            return False
        setattr(world.switches, name, left - 1)
        return True


def scripted(world: World, operation: str) -> Reply | None:
    """The next-N answers (switches ``*_next``) and overloaded operations, after auth and before
    the rate window."""
    if _take(world, "empty_403_next"):
        return Reply(403, None, media_type="")
    overloaded = world.switches.overloaded_operations
    if operation in overloaded or "*" in overloaded:
        return over_capacity()
    if operation != "blocks/create":
        return None
    if _take(world, "block_refused_next"):
        return Reply(429, bodies.rate_limited())  # no x-rate-limit-* headers (docs/X-FACTS.md 3.1)
    if _take(world, "block_not_found_next"):
        code = world.switches.not_found_code
        text = "User not found." if code == 50 else "Sorry, that page does not exist."
        return Reply(404, bodies.v11_error(code, text))
    if _take(world, "block_forbidden_next"):
        return Reply(403, bodies.v11_error(world.switches.block_forbidden_code, "Forbidden."))
    return None


def malformed(content: bytes) -> bytes:
    """Valid JSON cut short (never empty, never parseable)."""
    if len(content) < 2:
        return b"{"
    return content[: max(1, len(content) // 2)]


class DroppingResponse(Response):
    """Sends the head with a Content-Length it never satisfies, then drops the connection."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [
                    (b"content-type", bodies.JSON_TYPE.encode()),
                    (b"content-length", b"4096"),
                ],
            }
        )
        raise ConnectionDropped()


class QuietDrops(logging.Filter):
    """Keeps the server log free of the tracebacks our own dropped connections cause."""

    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        return not isinstance(exc, ConnectionDropped)
