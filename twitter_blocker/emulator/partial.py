"""``errors`` beside empty data: a 200 whose errors stand beside users that are not there.

X-FACTS.md 2.2 and 2.5: ``errors`` may arrive beside ``data``, and code 131 "Dependency: Internal
error" may come with partial data. The switches ``errors_empty_rate`` (a share) and
``errors_empty_next`` (the next N calls) make a GraphQL user lookup answer that way: a single
lookup's user is left out (``errors_empty_form``: ``{"user":{}}``, ``{"user":null}`` or no
``user`` key), and every second element of a batch is emptied the same way, while the other
elements stay real. The error object repeats its fields at the top level as X-FACTS.md 2.5's
full shape does; its ``name``/``kind``/``source`` are those of the one documented error sent
beside ``data`` (code 144, GenericError, NonFatal, Server) [assumption for 131].
"""

from __future__ import annotations

from typing import Any

from . import bodies, chaos
from .config import EmptyForm
from .world import World

LOOKUPS = frozenset({"UserByScreenName", "UserByRestId", "UsersByRestIds", "UsersByScreenNames"})
CODE = 131
MESSAGE = "Dependency: Internal error"


def triggered(world: World, operation: str) -> bool:
    """Whether this call answers with errors beside empty data (counts ``errors_empty_next``)."""
    if operation not in LOOKUPS:
        return False
    sw = world.switches
    with world.lock:
        if sw.errors_empty_next:
            sw.errors_empty_next -= 1
            return True
    return chaos.roll(world, sw.errors_empty_rate)


def empty_out(world: World, data: dict[str, Any]) -> dict[str, Any]:
    """The answer with users left out, and the 131 error to send beside it."""
    form = world.switches.errors_empty_form
    if "users" in data:
        kept: list[Any] = []
        for index, element in enumerate(data["users"]):
            if index % 2 == 0:
                kept.append(element)
            elif form is EmptyForm.EMPTY:
                kept.append({})
            elif form is EmptyForm.NULL:
                kept.append(None)
        return {"users": kept}
    if form is EmptyForm.MISSING:
        return {}
    return {"user": {} if form is EmptyForm.EMPTY else None}


def error() -> list[dict[str, Any]]:
    errors: list[dict[str, Any]] = bodies.graphql_error(
        CODE, MESSAGE, name="GenericError", kind="NonFatal", source="Server"
    )["errors"]
    return errors
