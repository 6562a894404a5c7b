"""The v1.1 endpoints (X-FACTS.md 3.1-3.8): blocks, lookups, friendships, verify_credentials."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from . import bodies, chaos, timelines
from .bodies import Reply
from .graphql import relation
from .population import Person, Status
from .shapes import Relation, v11_user
from .world import Account, World

NOT_FOUND_MESSAGES = {50: "User not found.", 34: "Sorry, that page does not exist."}

# path -> allowed methods
METHODS: dict[str, tuple[str, ...]] = {
    "blocks/create": ("POST",),
    "blocks/destroy": ("POST",),
    "blocks/ids": ("GET",),
    "blocks/list": ("GET",),
    "mutes/users/create": ("POST",),
    "mutes/users/destroy": ("POST",),
    "users/lookup": ("GET", "POST"),
    "friendships/lookup": ("GET",),
    "friendships/show": ("GET",),
    "account/verify_credentials": ("GET",),
}


def page_not_found() -> Reply:
    return Reply(404, bodies.v11_error(34, "Sorry, that page does not exist."))


def _flag(params: Mapping[str, str], name: str) -> bool:
    return params.get(name, "").lower() in ("1", "true", "t")


def _find(world: World, user_id: str | None, screen_name: str | None) -> Person | None:
    if user_id:
        return world.population.people.get(user_id.strip())
    if screen_name:
        return world.population.find_handle(screen_name.strip())
    return None


def _usable(person: Person | None) -> bool:
    return person is not None and person.status is Status.ACTIVE


def _target(world: World, account: Account, params: Mapping[str, str]) -> Person | Reply:
    user_id, screen_name = params.get("user_id"), params.get("screen_name")
    if not user_id and not screen_name:
        # X-FACTS.md does not record this case; v1.1's "parameter is missing" code 38 [inf]
        return Reply(400, bodies.v11_error(38, "user_id parameter is missing."))
    person = _find(world, user_id, screen_name)
    if person is not None and person.user_id == account.user_id:
        return Reply(
            403, {"errors": [{"message": "Sorry, you can't block yourself.", "code": 147}]}
        )
    if person is None or not _usable(person):
        code = world.switches.not_found_code
        return Reply(404, bodies.v11_error(code, NOT_FOUND_MESSAGES[code]))
    return person


def _block_reply(
    world: World, account: Account, person: Person, params: Mapping[str, str]
) -> Reply:
    include = world.switches.include_blocking_honoured and _flag(params, "include_blocking")
    user = v11_user(person, relation(account, person.user_id), include_blocking=include)
    return Reply(200, user, headers={"x-twitter-response-tags": "BouncerCompliant"})


target, block_reply = _target, _block_reply  # shared with timelines.py (the mute calls)


def blocks_create(world: World, account: Account, params: Mapping[str, str]) -> Reply:
    person = _target(world, account, params)
    if isinstance(person, Reply):
        return person
    if world.switches.block_drop_rate <= 0 or not chaos.roll(world, world.switches.block_drop_rate):
        world.note_block(account, person.user_id)
    else:  # answered as a success, but X does not keep the block (a silently dropped write)
        world.record_call("blocks/create", "not_kept")
    return _block_reply(world, account, person, params)


def blocks_destroy(world: World, account: Account, params: Mapping[str, str]) -> Reply:
    person = _target(world, account, params)
    if isinstance(person, Reply):
        return person
    world.note_unblock(account, person.user_id)
    return _block_reply(world, account, person, params)


def _page(
    world: World, account: Account, params: Mapping[str, str], size: int
) -> tuple[list[Person], dict[str, Any]]:
    """One cursored page of the viewer's blocks, most recent first; suspended users filtered out."""
    try:
        cursor = int(params.get("cursor", "-1") or "-1")
    except ValueError:
        cursor = -1
    offset = max(cursor, 0)
    ordered = list(reversed(account.blocked))
    chunk = ordered[offset : offset + size]
    people = [world.population.people[uid] for uid in chunk if uid in world.population.people]
    people = [p for p in people if _usable(p)]
    next_cursor = offset + size if offset + size < len(ordered) else 0
    previous_cursor = -offset if offset > 0 else 0
    cursors = {
        "next_cursor": next_cursor,
        "next_cursor_str": str(next_cursor),
        "previous_cursor": previous_cursor,
        "previous_cursor_str": str(previous_cursor),
        "total_count": None,
    }
    return people, cursors


def blocks_ids(world: World, account: Account, params: Mapping[str, str]) -> Reply:
    people, cursors = _page(world, account, params, world.config.blocks_ids_page)
    stringify = _flag(params, "stringify_ids")
    ids: list[Any] = [p.user_id if stringify else int(p.user_id) for p in people]
    return Reply(200, {"ids": ids, **cursors})


def blocks_list(world: World, account: Account, params: Mapping[str, str]) -> Reply:
    people, cursors = _page(world, account, params, world.config.blocks_list_page)
    users = [v11_user(p, relation(account, p.user_id), include_blocking=True) for p in people]
    return Reply(200, {"users": users, **cursors})


def _listed(params: Mapping[str, str]) -> tuple[list[str], list[str]]:
    ids = [v.strip() for v in params.get("user_id", "").split(",") if v.strip()]
    names = [v.strip() for v in params.get("screen_name", "").split(",") if v.strip()]
    return ids, names


def _lookup_people(world: World, params: Mapping[str, str]) -> list[Person] | Reply:
    ids, names = _listed(params)
    if len(ids) + len(names) > world.config.lookup_limit:
        # X-FACTS.md 3.5: "more than 100 fails"; the code is not recorded, v1.1's 195 [inf]
        return Reply(403, bodies.v11_error(195, "Missing or invalid url parameter."))
    found: dict[str, Person] = {}
    for person in [world.population.people.get(i) for i in ids] + [
        world.population.find_handle(n) for n in names
    ]:
        if person is not None and _usable(person):
            found.setdefault(person.user_id, person)
    return list(found.values())


def users_lookup(world: World, account: Account, params: Mapping[str, str]) -> Reply:
    people = _lookup_people(world, params)
    if isinstance(people, Reply):
        return people
    if not people:
        return Reply(404, bodies.v11_error(17, "No user matches for specified terms."))
    include = _flag(params, "include_blocking")
    return Reply(
        200, [v11_user(p, relation(account, p.user_id), include_blocking=include) for p in people]
    )


def friendships_lookup(world: World, account: Account, params: Mapping[str, str]) -> Reply:
    people = _lookup_people(world, params)
    if isinstance(people, Reply):
        return people
    out = []
    for p in people:
        rel = relation(account, p.user_id)
        connections = [
            name
            for name, on in (
                ("following", rel.following),
                ("followed_by", rel.followed_by),
                ("blocking", rel.blocking),
                ("muting", rel.muting),
            )
            if on
        ] or ["none"]
        out.append(
            {
                "name": p.name,
                "screen_name": p.screen_name,
                "id": int(p.user_id),
                "id_str": p.user_id,
                "connections": connections,
            }
        )
    return Reply(200, out)


def friendships_show(world: World, account: Account, params: Mapping[str, str]) -> Reply:
    source: Person | None = account.person
    if params.get("source_id") or params.get("source_screen_name"):
        source = _find(world, params.get("source_id"), params.get("source_screen_name"))
    target = _find(world, params.get("target_id"), params.get("target_screen_name"))
    for person in (source, target):
        if person is None or not person.visible:
            return Reply(404, bodies.v11_error(50, "User not found."))
        if person.status is Status.SUSPENDED:  # X-FACTS.md 4, code 63 [inf for this endpoint]
            return Reply(403, bodies.v11_error(63, "User has been suspended."))
    assert source is not None and target is not None
    src_account = world.by_viewer_id.get(source.user_id)
    rel = relation(src_account, target.user_id) if src_account is not None else Relation()
    return Reply(
        200,
        {
            "relationship": {
                "source": {
                    "id": int(source.user_id),
                    "id_str": source.user_id,
                    "screen_name": source.screen_name,
                    "following": rel.following,
                    "followed_by": rel.followed_by,
                    "live_following": False,
                    "following_received": False,
                    "following_requested": False,
                    "notifications_enabled": False,
                    "can_dm": False,
                    "blocking": rel.blocking,
                    "blocked_by": rel.blocked_by,
                    "muting": rel.muting,
                    "want_retweets": False,
                    "all_replies": False,
                    "marked_spam": False,
                },
                "target": {
                    "id": int(target.user_id),
                    "id_str": target.user_id,
                    "screen_name": target.screen_name,
                    "following": rel.followed_by,
                    "followed_by": rel.following,
                    "following_received": False,
                    "following_requested": False,
                },
            }
        },
    )


def verify_credentials(world: World, account: Account, params: Mapping[str, str]) -> Reply:
    user = v11_user(account.person, Relation())
    user["suspended"] = False
    user["needs_phone_verification"] = False
    return Reply(200, user)


HANDLERS: dict[str, Callable[[World, Account, Mapping[str, str]], Reply]] = {
    "blocks/create": blocks_create,
    "blocks/destroy": blocks_destroy,
    "blocks/ids": blocks_ids,
    "blocks/list": blocks_list,
    "mutes/users/create": timelines.mutes_create,
    "mutes/users/destroy": timelines.mutes_destroy,
    "users/lookup": users_lookup,
    "friendships/lookup": friendships_lookup,
    "friendships/show": friendships_show,
    "account/verify_credentials": verify_credentials,
}
