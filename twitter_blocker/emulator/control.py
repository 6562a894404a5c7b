"""The control namespace ``/__emulator__/``: state, truth, reset, cookie renewal, switches.

Loopback only and unauthenticated: it exists for tests, benchmarks and the demo.
"""

from __future__ import annotations

import json

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from . import sources, timelines
from .fixture import cookie_export
from .population import truth
from .world import AccountState, World

PREFIX = "/__emulator__"


def _bad(message: str, status: int = 400) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status)


def routes(world: World) -> list[Route]:
    async def state(request: Request) -> Response:
        return JSONResponse(world.state())

    async def get_truth(request: Request) -> Response:
        """truth.json; ``?viewer=n``: truth_<n>.json of viewer ``n``."""
        try:
            viewer = int(request.query_params.get("viewer", "0"))
            world.account(viewer)
        except (KeyError, ValueError):
            return _bad("no such viewer", 404)
        return JSONResponse(truth(world.population, viewer))

    async def lookups(request: Request) -> Response:
        return JSONResponse({str(k): v for k, v in world.lookups().items()})

    async def reset(request: Request) -> Response:
        world.reset()
        return JSONResponse({"reset": True})

    async def switches(request: Request) -> Response:
        if request.method == "POST":
            try:
                changes = json.loads(await request.body() or b"{}")
                if not isinstance(changes, dict):
                    raise ValueError("expected a JSON object")
                with world.lock:
                    world.switches.update(**changes)
            except KeyError as exc:
                return _bad(f"unknown switch {exc.args[0]!r}")
            except (ValueError, TypeError) as exc:
                return _bad(str(exc))
        with world.lock:
            return JSONResponse(world.switches.as_dict())

    def _index(request: Request) -> int | None:
        try:
            index = int(request.path_params["index"])
            world.account(index)
        except (KeyError, ValueError):
            return None
        return index

    async def cookies(request: Request) -> Response:
        index = _index(request)
        if index is None:
            return _bad("no such viewer", 404)
        if request.method == "POST":
            world.renew_cookies(index)
        with world.lock:
            return JSONResponse(cookie_export(world.account(index)))

    async def account_state(request: Request) -> Response:
        index = _index(request)
        if index is None:
            return _bad("no such viewer", 404)
        try:
            body = json.loads(await request.body() or b"{}")
            world.set_account_state(index, AccountState(body["state"]))
        except (KeyError, ValueError, TypeError):
            return _bad('expected {"state": "active" | "locked" | "suspended"}')
        return JSONResponse({"state": str(world.account(index).state)})

    async def hand_blocks(request: Request) -> Response:
        index = _index(request)
        if index is None:
            return _bad("no such viewer", 404)
        try:
            body = json.loads(await request.body() or b"{}")
            ids = [str(i) for i in body["ids"]]
        except (KeyError, ValueError, TypeError):
            return _bad('expected {"ids": ["<user id>", ...]}')
        return JSONResponse({"blocked": timelines.block_by_hand(world, index, ids)})

    async def graph(request: Request) -> Response:
        with world.lock:
            found = sources.graph_truth(world, request.path_params.get("screen_name"))
        return _bad("no such account", 404) if found is None else JSONResponse(found)

    async def post(request: Request) -> Response:
        with world.lock:
            found = sources.post_truth(world, request.path_params["post_id"])
        return _bad("no such post or list", 404) if found is None else JSONResponse(found)

    return [
        Route(f"{PREFIX}/accounts/{{index}}/blocks", hand_blocks, methods=["POST"]),
        Route(f"{PREFIX}/graph", graph, methods=["GET"]),
        Route(f"{PREFIX}/graph/{{screen_name}}", graph, methods=["GET"]),
        Route(f"{PREFIX}/posts/{{post_id}}", post, methods=["GET"]),
        Route(f"{PREFIX}/lists/{{post_id}}", post, methods=["GET"]),
        Route(f"{PREFIX}/state", state, methods=["GET"]),
        Route(f"{PREFIX}/truth", get_truth, methods=["GET"]),
        Route(f"{PREFIX}/lookups", lookups, methods=["GET"]),
        Route(f"{PREFIX}/reset", reset, methods=["POST"]),
        Route(f"{PREFIX}/switches", switches, methods=["GET", "POST"]),
        Route(f"{PREFIX}/accounts/{{index}}/cookies", cookies, methods=["GET", "POST"]),
        Route(f"{PREFIX}/accounts/{{index}}/state", account_state, methods=["POST"]),
    ]
