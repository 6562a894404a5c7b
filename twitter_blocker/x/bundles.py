"""Reading x.com's web page and script bundles: which page it is, where the scripts are, and
the GraphQL operations, feature flags and transaction-id material they carry.

Patterns, as public clients read them in 2026 (twscrape ``scripts/update-gql-ops.py`` and
``xclid.py``, fa0311/TwitterInternalAPIDocument ``lib/graphql.py``):

- legacy webpack build: ``main.<hash>.js`` plus chunks named by the page's two chunk maps
  (id -> name, id -> 7- or 16-hex hash; URL ``<dir>/<name>.<hash>a.js``); operations as
  ``queryId:"…",operationName:"…",operationType:"query",metadata:{featureSwitches:[…],…}``;
- x-web (Vite) build: ``/x-web/x-web/assets/*.js`` entry and chunks linked by relative
  ``import("./…js")``; operations as ``params:{id:"…",metadata:{features:[…]},name:"…",
  operationKind:"query"``;
- feature values: ``window.__INITIAL_STATE__`` ``featureSwitch`` (debug, then defaultConfig,
  then user.config, later ones winning);
- transaction-id material: the ``twitter-site-verification`` meta, the ``loading-x-anim-N``
  SVG frames, and the key-byte indices in ``ondemand.s`` (legacy) or ``sign.o`` (x-web).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from enum import StrEnum
from typing import Any
from urllib.parse import urljoin

LEGACY = "legacy"
X_WEB = "x-web"


class PageKind(StrEnum):
    APP = "app"
    ONBOARDING = "onboarding"  # 307 to /i/jf/onboarding: logged out
    CLOUDFLARE = "cloudflare"  # bot challenge instead of the app
    LOGGED_OUT = "logged_out"  # the logged-out x-web shell: no operations, no features
    OTHER = "other"


@dataclass(frozen=True, slots=True)
class FoundOperation:
    operation: str
    query_id: str
    features: tuple[str, ...]
    build: str


_LEGACY_OP = re.compile(
    r'queryId:"([\w-]+)",operationName:"(\w+)",operationType:"\w+",'
    r"metadata:\{featureSwitches:\[([^\]]*)\]"
)
_XWEB_OP = re.compile(
    r'params:\{id:"([\w-]+)",metadata:\{features:\[([^\]]*)\]\},name:"(\w+)",operationKind:"\w+"'
)
_MAIN = re.compile(r'["\']([^"\']*/client-web/main\.[0-9a-f]+\.js)["\']')
_XWEB_SCRIPT = re.compile(r'(?:src|href)="([^"]*/x-web/x-web/assets/[^"]+\.js)"')
_CHUNK_MARKER = re.compile(r"\.u=(?:e|\w)=>")
_PAIR = re.compile(r'(\d+):"([^"]+)"')
_RELATIVE = re.compile(r'(?:from|import)\s*\(?\s*["`]((?:\.{1,2}/)[^"`]+?\.js)["`]')
_STATE = re.compile(r"window\.__INITIAL_STATE__=(\{.*?\});window\.__META_DATA__", re.S)
_FLAG = re.compile(r'"([a-z][a-z0-9_]+)":\s*\{\s*"value"\s*:\s*(true|false)')
_VERIFICATION = re.compile(r'<meta\s+name="twitter-site-verification"\s+content="([^"]+)"')
_ANIM = re.compile(
    r'<svg[^>]*id="loading-x-anim-\d+"[^>]*>\s*<g[^>]*>\s*<path[^>]*/>\s*<path[^>]*\sd="([^"]+)"'
)
_INDEX = re.compile(r"\(\w{1,2}\[(\d{1,2})\],\s*16\)")
SKIP = ("/i18n/", "/icons/", "react-syntax-highlighter")


def page_kind(status: int, headers: dict[str, str], body: str) -> PageKind:
    location = headers.get("location", "")
    if status in (301, 302, 303, 307, 308) and "/onboarding" in location:
        return PageKind.ONBOARDING
    if "/cdn-cgi/challenge-platform/" in body or (status == 403 and "cf-ray" in headers):
        return PageKind.CLOUDFLARE
    if status != 200:
        return PageKind.OTHER
    if "entry-client-logged-out" in body:
        return PageKind.LOGGED_OUT
    if _MAIN.search(body) or _XWEB_SCRIPT.search(body):
        return PageKind.APP
    return PageKind.OTHER


def build_of(html: str) -> str:
    return LEGACY if _MAIN.search(html) else X_WEB


def _names(raw: str) -> tuple[str, ...]:
    return tuple(n.strip().strip("\"'") for n in raw.split(",") if n.strip().strip("\"'"))


def operations(js: str, build: str) -> dict[str, FoundOperation]:
    """Every GraphQL operation a script defines, in either build's pattern."""
    found: dict[str, FoundOperation] = {}
    for query_id, op, flags in _LEGACY_OP.findall(js):
        found[op] = FoundOperation(op, query_id, _names(flags), build)
    for query_id, flags, op in _XWEB_OP.findall(js):
        found.setdefault(op, FoundOperation(op, query_id, _names(flags), build))
    return found


def _wanted(url: str) -> bool:
    return not any(part in url for part in SKIP)


def first_scripts(html: str, base: str) -> list[str]:
    """The scripts to read first: ``main.<hash>.js`` (legacy) or the x-web entry scripts."""
    urls = [m.group(1) for m in _MAIN.finditer(html)]
    urls += [m.group(1) for m in _XWEB_SCRIPT.finditer(html)]
    return [urljoin(base + "/", u) for u in dict.fromkeys(urls) if _wanted(u)]


def chunk_urls(html: str, main_url: str) -> dict[str, str]:
    """Legacy chunk name -> URL, from the page's chunk maps (7- or 16-hex hashes)."""
    maps = _chunk_maps(html)
    if maps is None:
        return {}
    names = dict(_PAIR.findall(maps[0]))
    hashes = {k: v for k, v in _PAIR.findall(maps[1]) if re.fullmatch(r"[0-9a-f]{7,16}", v)}
    folder = main_url.rsplit("/", 1)[0] + "/"
    return {
        name: f"{folder}{name}.{hashes[key]}a.js"
        for key, name in names.items()
        if key in hashes and _wanted(name)
    }


def _chunk_maps(html: str) -> tuple[str, str] | None:
    """The two object literals after the ``.u=e=>`` marker (id -> name, id -> hash), however
    the expression around them is parenthesised."""
    match = _CHUNK_MARKER.search(html)
    if match is None:
        return None
    maps: list[str] = []
    at = match.end()
    while len(maps) < 2:
        start = html.find("{", at)
        end = html.find("}", start + 1)
        if start < 0 or end < 0 or start - at > 40:
            return None
        maps.append(html[start + 1 : end])
        at = end + 1
    return maps[0], maps[1]


def relative_imports(js: str, url: str) -> list[str]:
    """Absolute URLs of the chunks a script imports by relative path."""
    return [urljoin(url, rel) for rel in dict.fromkeys(_RELATIVE.findall(js)) if _wanted(rel)]


def feature_values(html: str) -> dict[str, bool]:
    """Flag -> value from the page's feature-switch config (empty when there is none)."""
    values: dict[str, bool] = {}
    match = _STATE.search(html)
    if match is not None:
        try:
            state: Any = json.loads(match.group(1))
        except ValueError:
            state = None
        switch = state.get("featureSwitch") if isinstance(state, dict) else None
        if isinstance(switch, dict):
            user = switch.get("user")
            layers = (
                switch.get("debug"),
                switch.get("defaultConfig"),
                user.get("config") if isinstance(user, dict) else None,
            )
            for layer in layers:
                if isinstance(layer, dict):
                    for name, entry in layer.items():
                        if isinstance(entry, dict) and isinstance(entry.get("value"), bool):
                            values[name] = entry["value"]
            return values
    for name, value in _FLAG.findall(html):  # the shortcut regex other clients use
        values.setdefault(name, value == "true")
    return values


# --- transaction-id material --------------------------------------------------------------
def verification(html: str) -> str | None:
    match = _VERIFICATION.search(html)
    return match.group(1) if match else None


def anim_frames(html: str) -> list[list[list[int]]]:
    """Each ``loading-x-anim-N`` frame as rows of integers (``d`` minus its first 9 chars)."""
    frames = []
    for d in _ANIM.findall(html):
        rows = [[int(x) for x in re.findall(r"\d+", part)] for part in d[9:].split("C")]
        frames.append([r for r in rows if r])
    return frames


def indices_url(html: str, main_url: str | None, scripts: dict[str, str]) -> str | None:
    """Where the key-byte indices live: the legacy ``ondemand.s`` chunk, or an x-web
    ``sign.o`` / ``ondemand.s`` script among those already seen or imported."""
    if main_url is not None:
        url = chunk_urls(html, main_url).get("ondemand.s")
        if url:
            return url
    for url, js in scripts.items():
        for candidate in [url, *relative_imports(js, url)]:
            name = candidate.rsplit("/", 1)[-1]
            if name.startswith(("sign.o", "ondemand.s")):
                return candidate
    return None


def key_indices(js: str) -> list[int]:
    return [int(i) for i in _INDEX.findall(js)]
