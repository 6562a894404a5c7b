"""Discovery as the web app does it: ``GET x.com/home`` with the account's cookies, then the
script bundles it names, until every needed operation is found.

Pages that are not the app stop here with a typed error, never a retry loop: a redirect to
the onboarding page is a dead session (``LoggedOut``, exit 3); a Cloudflare challenge or any
other page is ``ContractStale`` (the run stops cleanly and names the override file).
Script requests carry no cookies (X-FACTS.md 9.3: keep auth cookies off the asset host).
"""

from __future__ import annotations

import base64
import binascii
import time
from collections.abc import Iterable
from dataclasses import dataclass, field

from ..messages import msg
from . import bundles, endpoints
from .contract import OVERRIDE_FILE, ContractStale, LoggedOut
from .errors import Transient
from .transport import Http

MAX_SCRIPTS = 40  # bundles read per discovery, at most
MAX_TID_SCRIPTS = 6  # extra scripts read to find the transaction-id indices


@dataclass
class Discovery:
    """What one ``/home`` read found. ``html`` stays in memory only (it holds session data)."""

    build: str
    operations: dict[str, bundles.FoundOperation]
    values: dict[str, bool]
    at: float
    html: str
    main_url: str | None
    scripts: dict[str, str] = field(default_factory=dict)  # url -> text, in fetch order
    pending: list[str] = field(default_factory=list)  # imports seen but not fetched
    fetches: int = 0  # HTTP requests this discovery made (page + scripts)

    def features(self, operation: str) -> dict[str, bool]:
        found = self.operations[operation]
        return {name: self.values.get(name, False) for name in found.features}


@dataclass(frozen=True, slots=True)
class TidMaterial:
    key: bytes
    frames: list[list[list[int]]]
    indices: list[int]


def _page_headers(http: Http) -> dict[str, str]:
    return {
        "accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
        "accept-language": "en-US,en;q=0.9",
        "cookie": http.cookie_header(),
        "sec-ch-ua": endpoints.SEC_CH_UA,
        "sec-ch-ua-mobile": "?0",
        "sec-ch-ua-platform": '"Windows"',
        "sec-fetch-dest": "document",
        "sec-fetch-mode": "navigate",
        "sec-fetch-site": "none",
        "sec-fetch-user": "?1",
        "upgrade-insecure-requests": "1",
        "user-agent": endpoints.USER_AGENT,
    }


def _script_headers(http: Http) -> dict[str, str]:
    return {
        "accept": "*/*",
        "accept-language": "en-US,en;q=0.9",
        "origin": http.base,
        "referer": f"{http.base}/",
        "sec-fetch-dest": "script",
        "sec-fetch-mode": "cors",
        "sec-fetch-site": "cross-site",
        "user-agent": endpoints.USER_AGENT,
    }


def _text(body: bytes) -> str:
    return body.decode("utf-8", "replace")


def fetch_home(http: Http) -> tuple[str, int]:
    """The app page's HTML, or the typed stop for any page that is not the app."""
    raw = http.page("home", f"{http.base}/home", _page_headers(http))
    html = _text(raw.body)
    kind = bundles.page_kind(raw.status, dict(raw.headers), html)
    if kind is bundles.PageKind.ONBOARDING:
        text = msg("auth.failed", detail=msg("x.home_logged_out"))
        raise LoggedOut(text, operation="home", http_status=raw.status)
    if kind is bundles.PageKind.CLOUDFLARE:
        raise ContractStale(
            msg("x.home_cloudflare", file=OVERRIDE_FILE), operation="home", http_status=raw.status
        )
    if kind is not bundles.PageKind.APP:
        raise ContractStale(
            msg("x.home_not_app", status=raw.status, kind=kind.value, file=OVERRIDE_FILE),
            operation="home",
            http_status=raw.status,
        )
    return html, raw.status


def discover(http: Http, needed: Iterable[str], now: float | None = None) -> Discovery:
    """Read ``/home`` and its bundles until every operation in ``needed`` is found."""
    html, _ = fetch_home(http)
    build = bundles.build_of(html)
    queue = bundles.first_scripts(html, http.base)
    main_url = next((u for u in queue if "/client-web/main." in u), None)
    if main_url is not None:
        chunks = bundles.chunk_urls(html, main_url)
        # the endpoint chunks first; the transaction-id indices script holds no operations
        named = sorted(chunks, key=lambda n: (not n.startswith(("endpoints", "shared~")), n))
        queue += [chunks[n] for n in named if not n.startswith("ondemand.s")]
    found = Discovery(
        build=build,
        operations={},
        values=bundles.feature_values(html),
        at=time.time() if now is None else now,
        html=html,
        main_url=main_url,
        fetches=1,
    )
    wanted = set(needed)
    seen: set[str] = set()
    while queue and not wanted.issubset(found.operations) and len(seen) < MAX_SCRIPTS:
        url = queue.pop(0)
        if url in seen:
            continue
        seen.add(url)
        js = _fetch_script(http, url, found)
        if js is None:
            continue
        for op, hit in bundles.operations(js, build).items():
            found.operations.setdefault(op, hit)
        for nxt in bundles.relative_imports(js, url):
            if nxt not in seen and not _is_tid_script(nxt):
                queue.append(nxt)
            elif _is_tid_script(nxt):
                found.pending.append(nxt)
    found.pending.extend(u for u in queue if u not in seen)
    return found


def _is_tid_script(url: str) -> bool:
    return url.rsplit("/", 1)[-1].startswith(("sign.o", "ondemand.s"))


def _fetch_script(http: Http, url: str, found: Discovery) -> str | None:
    found.fetches += 1
    try:
        raw = http.page("bundle", url, _script_headers(http))
    except Transient:
        return None
    if raw.status != 200:
        return None
    js = _text(raw.body)
    found.scripts[url] = js
    return js


def tid_material(http: Http, found: Discovery) -> TidMaterial | None:
    """The transaction-id material of the page just read (fetches the indices script, and for
    x-web the few scripts that import it); None when any part is missing."""
    key_text = bundles.verification(found.html)
    frames = bundles.anim_frames(found.html)
    if key_text is None or not frames:
        return None
    try:
        key = base64.b64decode(key_text)
    except (binascii.Error, ValueError):
        return None
    url = bundles.indices_url(found.html, found.main_url, found.scripts)
    extra = 0
    pending = sorted(found.pending, key=lambda u: "sentry" not in u and "sign" not in u)
    while url is None and pending and extra < MAX_TID_SCRIPTS:
        candidate = pending.pop(0)
        extra += 1
        if _is_tid_script(candidate):
            url = candidate
            break
        js = _fetch_script(http, candidate, found)
        if js is not None:
            url = next(
                (u for u in bundles.relative_imports(js, candidate) if _is_tid_script(u)), None
            )
    if url is None:
        return None
    js = found.scripts.get(url) or _fetch_script(http, url, found)
    indices = bundles.key_indices(js or "")
    if len(key) != 48 or len(indices) < 2:
        return None
    return TidMaterial(key, frames, indices)
