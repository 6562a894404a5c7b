"""GraphQL user operations: validation (X-FACTS.md 2.1, 2.5) and response envelopes (2.2, 2.4)."""

from __future__ import annotations

import json
import zlib
from collections.abc import Callable, Mapping
from typing import Any

from . import bodies, partial, queryids, sources, timelines
from .bodies import Reply
from .population import Person, Status
from .shapes import SUSPENDED_RESULT, Relation, stable_mix, user_node
from .world import Account, World

# operation -> required variables and their GraphQL types
VARIABLES: dict[str, tuple[tuple[str, str], ...]] = {
    "UserByScreenName": (("screen_name", "String!"),),
    "UserByRestId": (("userId", "NumericString!"),),
    "UsersByRestIds": (("userIds", "[NumericString!]!"),),
    "UsersByScreenNames": (("screen_names", "[String!]!"),),
    "Viewer": (),
    **timelines.VARIABLES,
    **sources.VARIABLES,
}


def relation(account: Account, user_id: str) -> Relation:
    return Relation(
        following=user_id in account.following,
        followed_by=user_id in account.followers,
        blocking=user_id in account.blocked,
        muting=user_id in account.muted,
    )


def _decode(raw: str | None) -> Any:
    if raw is None or raw == "":
        return {}
    return json.loads(raw)


def handle(world: World, account: Account, operation: str, params: Mapping[str, str]) -> Reply:
    try:
        variables = _decode(params.get("variables"))
        features = _decode(params.get("features"))
    except ValueError:
        return Reply(400, bodies.bad_request("BadRequest: could not decode request parameters"))
    if not isinstance(variables, dict):
        return Reply(400, bodies.bad_request("BadRequest: variables must be an object"))
    for name, type_name in VARIABLES[operation]:
        value = variables.get(name)
        ok = isinstance(value, list) if type_name.startswith("[") else isinstance(value, str | int)
        if value is None or not ok:
            return Reply(422, bodies.variable_missing(name, type_name))
    required = queryids.required_features(world, operation)
    if required:
        present = features if isinstance(features, dict) else {}
        missing = sorted(f for f in required if present.get(f) is None)
        if missing:
            return Reply(400, bodies.features_missing(missing))
    data = _OPERATIONS[operation](world, account, variables)
    if isinstance(data, Reply):
        return data
    body: dict[str, Any] = {"data": data}
    if world.switches.errors_with_data:
        body["errors"] = bodies.graphql_error(
            214, "BadRequest: partial response", name="BadRequestError", kind="Validation"
        )["errors"]
    if partial.triggered(world, operation):
        body = {"data": partial.empty_out(world, data), "errors": partial.error()}
    return Reply(200, body)


def _single(
    world: World, account: Account, person: Person | None, *, by_id: bool
) -> dict[str, Any]:
    if person is None or not person.visible:
        return {"user": {}} if by_id else {}
    if person.status is Status.SUSPENDED:
        return {"user": {"rest_id": person.user_id, "result": dict(SUSPENDED_RESULT)}}
    node = _served(world, user_node(person, relation(account, person.user_id), world.config.shape))
    return {"user": {"result": node}}


def _by_screen_name(world: World, account: Account, variables: dict[str, Any]) -> dict[str, Any]:
    world.note_lookups(account, [str(variables["screen_name"])])
    person = world.population.find_handle(str(variables["screen_name"]))
    return _single(world, account, person, by_id=False)


def _by_rest_id(world: World, account: Account, variables: dict[str, Any]) -> dict[str, Any]:
    world.note_lookups(account, [str(variables["userId"])])
    person = world.population.people.get(str(variables["userId"]))
    return _single(world, account, person, by_id=True)


def _viewer(world: World, account: Account, variables: dict[str, Any]) -> dict[str, Any]:
    node = user_node(account.person, Relation(), world.config.shape)
    return {"viewer": {"user_results": {"result": node}}}


def _batch(
    world: World, account: Account, keys: list[Any], find: Callable[[str], Person | None]
) -> dict[str, Any] | Reply:
    unique = list(dict.fromkeys(str(k) for k in keys))
    if len(unique) > world.config.batch_limit:
        return Reply(
            400,
            bodies.bad_request(f"BadRequest: at most {world.config.batch_limit} users per request"),
        )
    world.note_lookups(account, unique)
    elements: list[tuple[int, dict[str, Any]]] = []
    for key in unique:
        person = find(key)
        if person is None or not person.visible:
            # unknown: an element without result; ordered by a hash of the key, not request order
            elements.append((stable_mix(str(zlib.crc32(key.encode())), 9), {}))
            continue
        order = stable_mix(person.user_id, 7)
        if person.status is Status.SUSPENDED:
            element: dict[str, Any] = {"result": dict(SUSPENDED_RESULT)}
            if world.switches.rest_id_beside_batch_result:
                element = {"rest_id": person.user_id, **element}
            elements.append((order, element))
            continue
        node = _served(
            world, user_node(person, relation(account, person.user_id), world.config.shape)
        )
        elements.append((order, {"result": node}))
    elements.sort(key=lambda pair: pair[0])
    return {"users": [element for _, element in elements]}


def _users_by_rest_ids(
    world: World, account: Account, variables: dict[str, Any]
) -> dict[str, Any] | Reply:
    return _batch(world, account, variables["userIds"], world.population.people.get)


def _users_by_screen_names(
    world: World, account: Account, variables: dict[str, Any]
) -> dict[str, Any] | Reply:
    return _batch(world, account, variables["screen_names"], world.population.find_handle)


_OPERATIONS: dict[str, Callable[[World, Account, dict[str, Any]], dict[str, Any] | Reply]] = {
    "UserByScreenName": _by_screen_name,
    "UserByRestId": _by_rest_id,
    "UsersByRestIds": _users_by_rest_ids,
    "UsersByScreenNames": _users_by_screen_names,
    "Viewer": _viewer,
    timelines.BLOCKED_ALL: timelines.blocked_accounts_all,
    timelines.MUTED: timelines.muted_accounts,
    **sources.OPERATIONS,
}


def _served(world: World, node: dict[str, Any]) -> dict[str, Any]:
    """The node as served: without any relationship data when ``relationships_moved`` is on."""
    if world.switches.relationships_moved:
        node.pop("relationship_perspectives", None)
        legacy = node.get("legacy")
        if isinstance(legacy, dict):
            for flag in (
                "following",
                "followed_by",
                "blocking",
                "blocked_by",
                "muting",
                "follow_request_sent",
            ):
                legacy.pop(flag, None)
    return node
