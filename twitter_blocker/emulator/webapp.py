"""``GET /home`` and the web client's script bundles, as x.com serves them to a browser.

X-FACTS.md 9.2-9.3 (2026): a logged-in ``/home`` is the app page; without a valid session it is
a 307 to ``/i/jf/onboarding/web`` with an empty body; some sessions get a Cloudflare challenge
page instead (switch ``home_cloudflare``). Two builds are live (switch ``web_build``):

- ``legacy`` (webpack): ``main.<hash>.js`` holds some operations as
  ``queryId:"…",operationName:"…",operationType:"query",metadata:{featureSwitches:[…],
  fieldToggles:[…]}``; the others sit in a chunk whose URL comes from the page's two chunk maps
  (id -> name, id -> 16-hex hash, ``…/client-web/<name>.<hash>a.js``).
- ``x-web`` (Vite): one entry script holds some operations as
  ``params:{id:"…",metadata:{features:[…]},name:"…",operationKind:"query",text:null}`` and
  reaches the others through relative ``import("./…js")``.

Feature values are in ``window.__INITIAL_STATE__`` (``featureSwitch.defaultConfig``). The page
carries the transaction-id material too (``twitter-site-verification``, ``loading-x-anim-N``
frames; the indices in ``ondemand.s`` / ``sign.o``). Every deploy (``query_id_epoch``) has new
bundle names. Each fetch is counted under ``home`` / ``bundle`` in the call counters.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from . import chaos, queryids, txid
from .config import GRAPHQL_OPERATIONS, WebBuild
from .world import World

ONBOARDING = "/i/jf/onboarding/web?redirect_after_login=%2Fhome&mode=login"
LEGACY_DIR = "/responsive-web/client-web/"
XWEB_DIR = "/x-web/x-web/assets/"
MAIN_OPERATIONS = ("Viewer", "UserByScreenName", "UserByRestId")  # the rest sit in a chunk
FIELD_TOGGLES = {"UserByScreenName": ("withAuxiliaryUserLabels",)}

# Values in the page's feature-switch config (what a browser sends for each flag).
FEATURE_VALUES: dict[str, bool] = {
    "profile_label_improvements_pcf_label_in_post_enabled": True,
    "rweb_tipjar_consumption_enabled": True,
    "verified_phone_label_enabled": False,
    "responsive_web_graphql_skip_user_profile_image_extensions_enabled": False,
    "responsive_web_graphql_timeline_navigation_enabled": True,
    **queryids.EXTRA_FEATURES,
}


@dataclass(frozen=True, slots=True)
class Deploy:
    """Everything one web build at one epoch serves: file name -> JS text, and the page."""

    files: dict[str, str]
    page: str


def _hash(*parts: object, n: int = 16) -> str:
    return hashlib.sha256("-".join(str(p) for p in parts).encode()).hexdigest()[:n]


def features_of(world: World, operation: str) -> list[str]:
    """The flags the bundle lists for ``operation``: the required ones, then the extras."""
    required = list(queryids.required_features(world, operation))
    return required + [f for f in queryids.EXTRA_FEATURES if f not in required]


def _legacy_module(world: World, op: str, query_id: str) -> str:
    flags = json.dumps(features_of(world, op), separators=(",", ":"))
    toggles = json.dumps(list(FIELD_TOGGLES.get(op, ())), separators=(",", ":"))
    return (
        f'{_hash(op, n=5)}:e=>{{e.exports={{queryId:"{query_id}",operationName:"{op}",'
        f'operationType:"query",metadata:{{featureSwitches:{flags},fieldToggles:{toggles}}}}}}},'
    )


def _xweb_module(world: World, op: str, query_id: str) -> str:
    flags = json.dumps(features_of(world, op), separators=(",", ":"))
    return (
        f'const {op[:3]}{_hash(op, n=4)}={{fragment:null,kind:"Request",params:{{id:"{query_id}",'
        f'metadata:{{features:{flags}}},name:"{op}",operationKind:"query",text:null}}}};'
        f'{op[:3]}{_hash(op, n=4)}.hash="{_hash("relay", op, n=32)}";\n'
    )


def _indices_script(m: txid.Material) -> str:
    reads = ",".join(f"parseInt(e[{i}],16)" for i in m.indices)
    return f"(()=>{{const k=e=>[{reads}];window.__k=k}})();\n"


def _initial_state(world: World) -> str:
    flags = {op_flag: True for op in GRAPHQL_OPERATIONS for op_flag in features_of(world, op)}
    flags.update(FEATURE_VALUES)
    state = {
        "optimist": [],
        "featureSwitch": {
            "config": {},
            "debug": {},
            "defaultConfig": {k: {"value": v} for k, v in flags.items()},
            "user": {"config": {}},
        },
        "settings": {"local": {"nextPushCheckin": 0}},
    }
    return json.dumps(state, separators=(",", ":"))


def _head(world: World, m: txid.Material, epoch: int) -> str:
    svgs = "".join(
        f'<svg id="loading-x-anim-{n}" viewBox="0 0 1 1"><g><path d="M0 0"/>'
        f'<path d="{txid.frame_path(frame)}"/></g></svg>'
        for n, frame in enumerate(m.frames)
    )
    meta = {"env": "prod", "isLoggedIn": True, "hasMultiAccountCookie": False}
    return (
        '<!DOCTYPE html><html dir="ltr" lang="en"><head><meta charset="utf-8"/>'
        f'<meta name="twitter-site-verification" content="{m.verification}"/>'
        f"</head><body>{svgs}<script>window.__INITIAL_STATE__={_initial_state(world)};"
        f"window.__META_DATA__={json.dumps(meta)};</script>"
    )


def deploy(world: World, base: str) -> Deploy:
    """The current build's page and files (``base`` is the asset origin)."""
    sw = world.switches
    epoch = sw.query_id_epoch
    ids = queryids.ids_for_epoch(epoch)
    m = txid.material(world.config.seed, epoch)
    head = _head(world, m, epoch)
    chunk_ops = [op for op in GRAPHQL_OPERATIONS if op not in MAIN_OPERATIONS]
    files: dict[str, str] = {}
    if sw.web_build is WebBuild.LEGACY:
        main_name = f"main.{_hash('main', epoch)}.js"
        chunk_id, ondemand_id = 20113, 59924
        chunk_hash, ondemand_hash = _hash("users", epoch), _hash("ondemand", epoch)
        files[main_name] = (
            '"use strict";(self.webpackChunk_twitter_responsive_web=self.webpackChunk_twitter_'
            "responsive_web||[]).push([[792],{"
            + "".join(_legacy_module(world, op, ids[op]) for op in MAIN_OPERATIONS)
            + "}]);\n"
        )
        files[f"endpoints.UsersGraphQL.{chunk_hash}a.js"] = (
            '"use strict";(self.webpackChunk_twitter_responsive_web=self.webpackChunk_twitter_'
            f"responsive_web||[]).push([[{chunk_id}],{{"
            + "".join(_legacy_module(world, op, ids[op]) for op in chunk_ops)
            + "}]);\n"
        )
        files[f"ondemand.s.{ondemand_hash}a.js"] = _indices_script(m)
        loader = (  # the chunk-map form of X-FACTS.md 9.2 (p.u=e=>(({…})[e]||e)+"."+({…})[e]…)
            f'n.p="{base}{LEGACY_DIR}";n.u=e=>(({{{chunk_id}:"endpoints.UsersGraphQL",'
            f'{ondemand_id}:"ondemand.s"}})[e]||e)+"."+({{{chunk_id}:"{chunk_hash}",'
            f'{ondemand_id}:"{ondemand_hash}"}})[e]+"a.js";'
        )
        page = (
            f'{head}<script>window.__SCRIPTS_LOADED__={{}};{loader}</script><script src="{base}'
            f'{LEGACY_DIR}{main_name}" crossorigin="anonymous"></script></body></html>'
        )
    else:
        entry = f"entry-client-{_hash('entry', epoch, n=8)}.js"
        users = f"UserQueries-{_hash('users', epoch, n=8)}.js"
        sentry = f"sentry-filter-{_hash('sentry', epoch, n=8)}.js"
        sign = f"sign.o-{_hash('sign', epoch, n=8)}.js"
        files[entry] = (
            "".join(_xweb_module(world, op, ids[op]) for op in MAIN_OPERATIONS)
            + f'const u=()=>import("./{users}");const s=()=>import("./{sentry}");\n'
        )
        files[users] = "".join(_xweb_module(world, op, ids[op]) for op in chunk_ops)
        files[sentry] = f'export const f=()=>import("./{sign}");\n'
        files[sign] = _indices_script(m)
        page = (
            head.replace("<html ", '<html data-app-env="prod" ')
            + f'<script type="module" crossorigin src="{base}{XWEB_DIR}{entry}"></script>'
            "</body></html>"
        )
    return Deploy(files, page)


def _base(request: Request) -> str:
    return str(request.base_url).rstrip("/")


def routes(world: World) -> list[Route]:
    async def home(request: Request) -> Response:
        with world.lock:
            if world.switches.home_cloudflare:
                world.record_call("home", "cloudflare")
                reply = chaos.cloudflare()
                return Response(reply.content(), 403, reply.headers, reply.media_type)
            token = request.cookies.get("auth_token", "")
            if not token or token not in world.by_token:
                world.record_call("home", 307)
                return Response(b"", 307, {"location": ONBOARDING})
            page = deploy(world, _base(request)).page
            world.record_call("home", 200)
        return Response(page, 200, media_type="text/html; charset=utf-8")

    async def bundle(request: Request) -> Response:
        name = request.path_params["name"]
        with world.lock:
            text = deploy(world, _base(request)).files.get(name)
            world.record_call("bundle", 200 if text is not None else 404)
        if text is None:
            return Response(b"", 404)
        return Response(text, 200, media_type="application/javascript; charset=utf-8")

    return [
        Route("/home", home, methods=["GET"]),
        Route(LEGACY_DIR + "{name}", bundle, methods=["GET"]),
        Route(XWEB_DIR + "{name}", bundle, methods=["GET"]),
    ]
