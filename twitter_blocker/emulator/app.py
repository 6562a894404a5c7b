"""The ASGI app: routes under both host styles and the per-request pipeline.

Pipeline: latency -> edge block -> auth (auth.py) -> overload/5xx/empty 403 -> rate window
(limits.py) -> x-client-transaction-id check -> the operation -> broken-body faults -> counter.
"""

from __future__ import annotations

import asyncio
import secrets
import time
from collections.abc import Mapping
from urllib.parse import parse_qsl

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from . import (
    bodies,
    chaos,
    control,
    graphql,
    queryids,
    rest,
    txid,
    webapp,
)
from .auth import Family, authenticate, transaction_id_ok
from .bodies import Reply
from .config import GRAPHQL_OPERATIONS, RateLimitBody
from .limits import RateState, Verdict
from .world import World

BLOCK_OPERATIONS = ("blocks/create", "blocks/destroy")


def _rate_limited(world: World) -> Reply:
    form = world.switches.rate_limit_body
    if form is RateLimitBody.TEXT:
        return Reply(429, bodies.RATE_LIMIT_TEXT, media_type="text/plain;charset=utf-8")
    return Reply(200 if form is RateLimitBody.JSON_200 else 429, bodies.rate_limited())


def txid_check(world: World, tid: str | None, method: str, path: str) -> bool:
    """The full check (``txid.py``): signed with this build's key material for this method and
    path, and never seen before (a replayed id is refused, XClientTransaction #16)."""
    with world.lock:
        material = txid.material(world.config.seed, world.switches.query_id_epoch)
        if not txid.verify(tid, method, path, material, None) or tid in world.seen_tids:
            return False
        world.seen_tids.add(tid or "")
        return True


def _tid_required(world: World, operation: str) -> bool:
    ops = world.switches.tid_operations
    return "*" in ops or operation in ops


async def run(
    world: World,
    request: Request,
    operation: str,
    family: Family,
    params: Mapping[str, str],
    refused: Reply | None = None,
) -> Response:
    started = time.monotonic()
    sw = world.switches
    if sw.latency_ms > 0:
        await asyncio.sleep(sw.latency_ms / 1000.0)
    reply: Reply | None = None
    rate: RateState | None = None
    if chaos.roll(world, sw.cloudflare_rate):
        reply = chaos.cloudflare()
    if reply is None:
        auth = authenticate(world, family, request.headers, request.cookies)
        if isinstance(auth, Reply):
            reply = auth
        else:
            account = auth
    if reply is None and refused is not None:  # a retired queryId, GET of a POST-only op
        reply = refused
    if reply is None and chaos.roll(world, sw.loadshed_rate):
        reply = chaos.loadshed()
    if reply is None and chaos.roll(world, sw.error_5xx_rate):
        reply = chaos.over_capacity()
    if reply is None and chaos.roll(world, sw.empty_403_rate):
        reply = Reply(403, None, media_type="")
    if reply is None:
        reply = chaos.scripted(world, operation)
    if reply is None:
        limit = world.config.limit_for(operation)
        if limit is not None:
            with world.lock:
                rate = world.windows.take(
                    account.user_id, operation, limit, time.time(), early_88_after=sw.code88_after
                )
            if rate.verdict is not Verdict.OK:
                reply = _rate_limited(world)
    if reply is None and _tid_required(world, operation):
        tid = request.headers.get("x-client-transaction-id")
        if sw.tid_strict:
            ok = txid_check(world, tid, request.method, request.url.path)
        else:
            ok = transaction_id_ok(tid, strict=False)
        if not ok:
            reply = Reply(404, None, media_type="")
    if reply is None:
        with world.lock:
            if family is Family.GRAPHQL:
                reply = graphql.handle(world, account, operation, params)
            else:
                reply = rest.HANDLERS[operation](world, account, params)

    headers = {
        "x-transaction-id": secrets.token_hex(8),
        "cache-control": "no-cache, no-store, must-revalidate, pre-check=0, post-check=0",
        **reply.headers,
    }
    if rate is not None and (operation not in BLOCK_OPERATIONS or sw.block_rate_headers):
        headers.update(rate.headers())
    content = reply.content()
    if reply.status == 200 and content and chaos.roll(world, sw.drop_rate):
        world.record_call(operation, "dropped")
        return chaos.DroppingResponse()
    if reply.status == 200 and content and chaos.roll(world, sw.malformed_rate):
        content = chaos.malformed(content)
    headers["x-response-time"] = str(int((time.monotonic() - started) * 1000))
    world.record_call(operation, reply.status)
    return Response(content, reply.status, headers=headers, media_type=reply.media_type or None)


def build_app(world: World) -> Starlette:
    async def graphql_route(request: Request) -> Response:
        operation = request.path_params["operation"]
        if operation not in GRAPHQL_OPERATIONS:
            world.record_call(operation, 404)
            return Response(b"", 404)
        params: Mapping[str, str] = request.query_params
        if request.method == "POST":
            posted = queryids.post_params(await request.body())
            if isinstance(posted, Reply):
                world.record_call(operation, posted.status)
                return Response(posted.content(), posted.status, media_type=bodies.JSON_TYPE)
            params = posted
        with world.lock:
            refused = queryids.refusal(
                world.switches, operation, request.path_params["query_id"], request.method
            )
        return await run(world, request, operation, Family.GRAPHQL, params, refused)

    async def rest_route(request: Request) -> Response:
        path: str = request.path_params["path"]
        operation = path.removesuffix(".json")
        if not path.endswith(".json") or request.method not in rest.METHODS.get(operation, ()):
            world.record_call(operation, 404)
            reply = rest.page_not_found()
            return Response(reply.content(), 404, media_type=bodies.JSON_TYPE)
        params: dict[str, str] = dict(request.query_params)
        if request.method == "POST":
            raw = await request.body()
            params.update(parse_qsl(raw.decode("utf-8", "replace"), keep_blank_values=True))
        return await run(world, request, operation, Family.REST, params)

    routes = [
        Route("/i/api/graphql/{query_id}/{operation}", graphql_route, methods=["GET", "POST"]),
        Route("/graphql/{query_id}/{operation}", graphql_route, methods=["GET", "POST"]),
        Route("/i/api/1.1/{path:path}", rest_route, methods=["GET", "POST"]),
        Route("/1.1/{path:path}", rest_route, methods=["GET", "POST"]),
        *webapp.routes(world),
        *control.routes(world),
    ]
    return Starlette(routes=routes)
