"""The one place that builds and drives the ``httpx.Client``.

It sends the x.com web client's headers (X-FACTS.md 1.1), puts ``ct0`` into
``x-csrf-token``, sets explicit timeouts and connection limits, reuses keep-alive
connections (``wire.Transport``), and turns every httpx exception into
``x.errors.Transient`` so nothing above this module imports httpx.

The session cookies go out as one fixed ``Cookie`` header. The client's cookie
jar refuses every ``Set-Cookie``, so nothing changes behind our back: a ``ct0``
that X sets on a 403/353 is taken explicitly by ``Http`` (cookie and header
switched together, the caller saves it; X-FACTS.md 1.2, 9.6).
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from http.cookiejar import CookieJar, DefaultCookiePolicy
from typing import Any, Protocol
from urllib.parse import urlencode
from urllib.request import getproxies

import httpx

from ..errors import InputError
from ..messages import msg
from . import endpoints, wire
from .errors import Transient
from .models import RateInfo

# A query string as ``urlencode`` writes it (unreserved characters, ``+``, ``=``, ``&`` and
# ``%XX`` escapes): httpx would keep it exactly as it is, so it need not be parsed again.
_ENCODED_QUERY = re.compile(r"(?:[A-Za-z0-9_.~+=&-]|%[0-9A-Fa-f]{2})*")
_MAX_URLS = 256  # parsed base URLs kept (one per path: operations x queryIds)


def with_encoded_query(base: httpx.URL, query: str) -> httpx.URL | None:
    """``base`` (no query of its own) with ``query``, without httpx parsing and re-quoting the
    query a character at a time (a GraphQL GET carries ~2 KB of encoded features: that was the
    longest step of building its request). None when ``query`` is not plainly encoded or this
    httpx keeps its parsed form differently: the caller then lets httpx parse the string."""
    if base.query or not _ENCODED_QUERY.fullmatch(query):
        return None
    try:
        url = httpx.URL(base)  # a copy of the parsed form, nothing parsed
        url._uri_reference = base._uri_reference._replace(query=query)
    except (AttributeError, TypeError, ValueError):  # pragma: no cover - another httpx
        return None
    return url


def build(
    method: str, url: httpx.URL | str, headers: httpx.Headers, body: bytes | None, *, has_host: bool
) -> httpx.Request:
    """The request httpx builds from ``content=body``: the same URL, headers in the same order
    (``Host`` first, ``Content-Length`` last) and body. ``has_host``: ``headers`` already
    start with ``Host``, so the request is built around them as they are, not through httpx's
    preparation (which re-normalises every header into a new list each time)."""
    if has_host and (body or (body is None and method == "GET")):
        if body:
            headers = httpx.Headers(headers)
            headers["Content-Length"] = str(len(body))
        return httpx.Request(method, url, headers=headers, stream=httpx.ByteStream(body or b""))
    if has_host:  # an empty body: httpx puts its Content-Length: 0 before the rest
        headers = httpx.Headers(headers)
        del headers["Host"]
    return httpx.Request(method, url, headers=headers, content=body)


class SessionCookies(Protocol):
    """What the client needs of ``inputs.cookies.Cookies`` (kept structural: x does not import
    inputs)."""

    @property
    def ct0(self) -> str: ...

    @property
    def user_id(self) -> str | None: ...

    def header_value(self) -> str: ...


@dataclass(frozen=True, slots=True)
class RawResponse:
    """One HTTP answer, before classification. ``headers`` has lower-cased names."""

    status: int
    headers: Mapping[str, str]
    body: bytes
    started_at: float
    elapsed: float


def web_headers(cookies: SessionCookies, api_base: str) -> dict[str, str]:
    """The headers the x.com web app sends on its API calls (X-FACTS.md 1.1)."""
    return {
        "accept": "*/*",
        "accept-language": "en-US,en;q=0.9",
        "authorization": f"Bearer {endpoints.WEB_BEARER}",
        "cookie": cookies.header_value(),
        "origin": api_base,
        "referer": f"{api_base}/",
        "sec-ch-ua": endpoints.SEC_CH_UA,
        "sec-ch-ua-mobile": "?0",
        "sec-ch-ua-platform": '"Windows"',
        "sec-fetch-dest": "empty",
        "sec-fetch-mode": "cors",
        "sec-fetch-site": "same-origin",
        "user-agent": endpoints.USER_AGENT,
        "x-csrf-token": cookies.ct0,
        "x-twitter-active-user": "yes",
        "x-twitter-auth-type": "OAuth2Session",
        "x-twitter-client-language": endpoints.CLIENT_LANGUAGE,
    }


class _RefuseAllJar(CookieJar):
    """A jar that never stores nor sends a cookie (the session goes in the fixed header)."""

    def __init__(self) -> None:
        super().__init__(policy=DefaultCookiePolicy(allowed_domains=[]))

    def extract_cookies(self, response: Any, request: Any) -> None:
        return None

    def add_cookie_header(self, request: Any) -> None:
        return None


class _NoCookies(httpx.Cookies):
    """httpx's cookie store, minus the per-response ``Set-Cookie`` parsing (which builds an
    ``email.message.Message`` of every response's headers: ~15 % of the CPU per request)."""

    def __init__(self) -> None:
        super().__init__(_RefuseAllJar())

    def extract_cookies(self, response: httpx.Response) -> None:
        return None

    def set_cookie_header(self, request: httpx.Request) -> None:
        return None


class _Client(httpx.Client):
    """``httpx.Client`` whose cookie store is always ``_NoCookies``; ``direct``: its transport,
    when no proxy from the environment may take a request elsewhere (``Http`` calls it)."""

    _no_cookies = _NoCookies()
    direct: wire.Transport | None = None

    @property
    def cookies(self) -> httpx.Cookies:
        return self._no_cookies

    @cookies.setter
    def cookies(self, cookies: Any) -> None:
        return None


def check_api_base(api_base: str) -> str:
    """The base URL without its trailing slash; ``InputError`` unless it is an http(s) URL
    with a host (checked before a run writes anything)."""
    base = api_base.strip().rstrip("/")
    if not base.lower().startswith(("http://", "https://")) or len(base.split("//", 1)[1]) == 0:
        raise InputError(
            msg("x.bad_api_base", value=api_base),
            where="--api-base / TWITTER_API_BASE",
            hint=msg("x.bad_api_base.hint"),
        )
    return base


def build_client(
    cookies: SessionCookies,
    *,
    api_base: str,
    timeout: float = 20.0,
    transport: httpx.BaseTransport | None = None,
) -> httpx.Client:
    """The project's single ``httpx.Client`` factory. A base that is no http(s) URL is an
    ``InputError`` (it comes from ``--api-base`` / ``TWITTER_API_BASE``)."""
    base = check_api_base(api_base)
    limits = httpx.Limits(max_connections=4, max_keepalive_connections=4, keepalive_expiry=30)
    own = wire.Transport(limits) if transport is None else None
    client = _Client(
        base_url=base,
        headers=web_headers(cookies, base),
        timeout=httpx.Timeout(timeout, connect=min(timeout, 10.0)),
        limits=limits,
        follow_redirects=False,
        # sockets that let the other accounts of the process run while this one waits
        transport=transport if transport is not None else own,
    )
    if own is not None and not getproxies():  # httpx mounts no proxy transport either
        client.direct = own
    return client


def parse_rate(headers: Mapping[str, str]) -> RateInfo | None:
    """``x-rate-limit-limit/-remaining/-reset`` as a ``RateInfo``; None when absent or bad."""
    try:
        limit = headers.get("x-rate-limit-limit")
        remaining = headers.get("x-rate-limit-remaining")
        reset = headers.get("x-rate-limit-reset")
        if limit is None or remaining is None or reset is None:
            return None
        return RateInfo(limit=int(limit), remaining=int(remaining), reset=float(reset))
    except ValueError:
        return None


def new_ct0(set_cookies: list[str]) -> str | None:
    """The ``ct0`` value a response sets (``Set-Cookie: ct0=<new>; ...``), if any."""
    for line in set_cookies:
        name, sep, rest = line.partition("=")
        if sep and name.strip().lower() == "ct0":
            value = rest.split(";", 1)[0].strip()
            if value and all(c.isalnum() for c in value):
                return value
    return None


class Http:
    """Sends requests over one reused ``httpx.Client``; raises only ``Transient``.

    Keeps what X sets: a 403/353 that carries ``Set-Cookie: ct0=<new>`` switches the cookie
    and ``x-csrf-token`` to the new value (both, so they still match), tells ``on_ct0`` (which
    saves it into the cookie file) and sends the request once more.
    """

    def __init__(self, client: httpx.Client, on_ct0: Callable[[str], None] | None = None) -> None:
        self._client = client
        self._on_ct0 = on_ct0
        # Requests are built here from prebuilt headers and an absolute URL and handed to
        # ``client.send``: httpx then parses each URL once and merges no headers per call
        # (about a third of the client's CPU per request).
        self._base = str(client.base_url).rstrip("/")
        # ``Host`` first, as httpx puts it: API requests are then built without httpx's own
        # preparation, which normalises every header of every request again (``build``).
        host = httpx.URL(self._base).netloc.decode("ascii")
        api = httpx.Headers([("Host", host), *client.headers.multi_items()])
        self._get_headers = httpx.Headers(api)
        self._get_headers["content-type"] = "application/json"
        self._post_headers = httpx.Headers(api)
        self._post_headers["content-type"] = "application/x-www-form-urlencoded"
        self._urls: dict[str, httpx.URL] = {}  # path -> base + path, parsed once
        # Without proxies a request goes straight to the client's transport: ``client.send``
        # (auth, redirect and hook machinery a run never uses) was a sixth of its CPU.
        self._direct = client.direct if isinstance(client, _Client) else None
        self._timeouts = client.timeout.as_dict()

    @property
    def base(self) -> str:
        return self._base

    def _url(self, path: str, query: str = "") -> httpx.URL | str:
        """``base + path [+ ? + query]``; the base and path parsed once per path."""
        url = self._urls.get(path)
        if url is None:
            if len(self._urls) >= _MAX_URLS:
                self._urls.clear()
            url = self._urls[path] = httpx.URL(self._base + path)
        if not query:
            return url
        fast = with_encoded_query(url, query)
        return fast if fast is not None else f"{self._base}{path}?{query}"

    def get(
        self, operation: str, path: str, query: str, extra: Mapping[str, str] | None = None
    ) -> RawResponse:
        url = self._url(path, query)
        headers = self._get_headers
        if extra:
            headers = httpx.Headers(headers)
            headers.update(extra)
        return self._send(operation, "GET", url, headers, None)

    def post_json(
        self, operation: str, path: str, body: bytes, extra: Mapping[str, str] | None = None
    ) -> RawResponse:
        """A GraphQL POST: JSON body ``{variables, features, queryId}`` (X-FACTS.md 9.5)."""
        headers = httpx.Headers(self._get_headers)
        if extra:
            headers.update(extra)
        return self._send(operation, "POST", self._url(path), headers, body)

    def page(self, operation: str, url: str, headers: Mapping[str, str]) -> RawResponse:
        """A GET of a web page or script with exactly ``headers`` (no API headers)."""
        return self._send(operation, "GET", url, httpx.Headers(dict(headers)), None, api=False)

    def _switch_ct0(self, value: str, *also: httpx.Headers) -> None:
        for headers in (self._get_headers, self._post_headers, *also):
            pairs = [p.split("=", 1) for p in headers.get("cookie", "").split("; ") if "=" in p]
            cookie = "; ".join(f"{k}={value if k == 'ct0' else v}" for k, v in pairs)
            headers["cookie"] = cookie
            headers["x-csrf-token"] = value

    def cookie_header(self) -> str:
        return str(self._get_headers.get("cookie", ""))

    def post_form(
        self,
        operation: str,
        path: str,
        form: Mapping[str, str],
        extra: Mapping[str, str] | None = None,
    ) -> RawResponse:
        body = urlencode(dict(form)).encode("ascii")
        headers = self._post_headers
        if extra:
            headers = httpx.Headers(headers)
            headers.update(extra)
        return self._send(operation, "POST", self._url(path), headers, body)

    def close(self) -> None:
        self._client.close()

    def _send(
        self,
        operation: str,
        method: str,
        url: httpx.URL | str,
        headers: httpx.Headers,
        body: bytes | None,
        *,
        retry: bool = True,
        api: bool = True,
    ) -> RawResponse:
        started = time.time()
        t0 = time.perf_counter()
        try:
            request = build(method, url, headers, body, has_host=api)
            if self._direct is None:
                response = self._client.send(request)
                status, fields = response.status_code, response.headers.raw
                content = response.content
            else:
                request.extensions["timeout"] = self._timeouts  # as client.send sets it
                answer = self._direct.exchange(request)  # no httpx.Response: its cost per call
                status, fields = answer.status, answer.headers
                content = wire.decoded(answer, request)
        except httpx.TimeoutException as exc:
            raise Transient(
                f"{operation}: timed out ({type(exc).__name__})", operation=operation
            ) from None
        except httpx.HTTPError as exc:
            # Connection refused or dropped, protocol errors, broken bodies: all worth
            # retrying later. The exception text is not copied (it may carry the URL).
            raise Transient(
                f"{operation}: connection failed ({type(exc).__name__})", operation=operation
            ) from None
        if status == 403 and self._on_ct0 is not None and retry:
            value = new_ct0([v.decode("latin-1") for k, v in fields if k.lower() == b"set-cookie"])
            current = headers.get("x-csrf-token")
            if value is not None and current is not None and value != current:
                self._switch_ct0(value, headers)
                self._on_ct0(value)
                return self._send(operation, method, url, headers, body, retry=False, api=api)
        return RawResponse(
            status=status,
            # A plain dict with lower-cased names: O(1) lookups (httpx.Headers scans a list).
            headers={k.decode("latin-1").lower(): v.decode("latin-1") for k, v in fields},
            body=content,
            started_at=started,
            elapsed=time.perf_counter() - t0,
        )
