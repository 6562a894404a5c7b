"""The client's transport under ``httpx.Client``: HTTP/1.1 over ``netio``'s sockets, each
request written as httpx built it, each answer read by ``http1`` (status line, headers,
chunked or sized bodies, keep-alive).

Why not httpcore and h11 (httpx's own transport): a run is one request after another on one
keep-alive connection, and their general machinery (a pool of many connections for many
callers, an event state machine that validates every header of every request again) cost
about half of the client's CPU per request; this exchange costs well under half of that
(bench S6, S8). httpx stays the client: requests, timeouts, redirect policy and proxies from
the environment (which httpx mounts with its own transport) are httpx's. Without a proxy,
``Http`` takes an answer straight from ``exchange`` and ``decoded`` undoes its gzip or deflate
as httpx would (any other coding goes to httpx's decoders); ``handle_request`` gives httpx its
``httpx.Response``.

One transport serves one account: its requests go one at a time, each on an idle
connection of its origin that the server has not closed, else on a new one (TLS verified by
httpx's default context). A connection that fails in any way is closed, never reused.
"""

from __future__ import annotations

import io
import re
import ssl
import threading
import time
import zlib
from dataclasses import dataclass, field
from typing import Any

import httpx

from . import http1, netio

_Origin = tuple[str, str, int]


class _Reader(io.RawIOBase):
    """The socket's bytes as ``http1`` reads a response; closing it leaves the socket."""

    def __init__(self, conn: _Socket) -> None:
        self._conn = conn

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        return netio.recv_into(self._conn.sock, memoryview(buffer), self._conn.read_timeout)


@dataclass(eq=False)
class _Socket:
    """A connection: what a response is read from (``reader``), and how the transport writes
    a request (``sendall``) and ends it (``close``)."""

    sock: Any  # socket.socket or ssl.SSLSocket
    read_timeout: float | None = None
    write_timeout: float | None = None
    idle_since: float = field(default_factory=time.monotonic)

    def sendall(self, data: bytes) -> None:
        netio.send_all(self.sock, data, self.write_timeout)

    def reader(self) -> io.BufferedReader:
        """A buffer for one response (what it read past that response is dropped with it)."""
        return io.BufferedReader(_Reader(self))

    def close(self) -> None:
        self.sock.close()


# What a header name may be (RFC 9110 token); names repeat, so each is checked once.
_TOKEN = re.compile(rb"[!#$%&'*+.^_`|~0-9A-Za-z-]+")
_checked_names: set[bytes] = set()


def _message(request: httpx.Request) -> bytes:
    """The request as it goes on the wire: request line, ``request.headers`` exactly as they
    are (order and case), the body. A name that is no token, or a line break or NUL in a value
    (a header smuggled into another), is ``httpx.LocalProtocolError``, sent nowhere.

    The fields are joined and checked as one block: names are tokens (no CR, LF or NUL), so
    the block holds exactly one CR and one LF per line break between fields, and no NUL, unless
    a value carries one."""
    fields = request.headers.raw
    if not _checked_names.issuperset([name for name, _ in fields]):
        for name, _ in fields:
            if not _TOKEN.fullmatch(name):
                raise httpx.LocalProtocolError(f"illegal header name {name!r}", request=request)
            _checked_names.add(name)
    block = b"\r\n".join(map(b": ".join, fields))
    breaks = len(fields) - 1 if fields else 0
    if block.count(b"\r") != breaks or block.count(b"\n") != breaks or b"\0" in block:
        bad = next(n for n, v in fields if b"\r" in v or b"\n" in v or b"\0" in v)
        raise httpx.LocalProtocolError(f"illegal value of header {bad!r}", request=request)
    line = b"%s %s HTTP/1.1\r\n" % (request.method.encode("ascii"), request.url.raw_path)
    return line + block + (b"\r\n\r\n" if fields else b"\r\n") + request.read()


_WBITS = {b"gzip": zlib.MAX_WBITS | 16, b"deflate": zlib.MAX_WBITS}


def decoded(answer: http1.Response, request: httpx.Request) -> bytes:
    """The body with its content codings undone, as ``httpx.Response.read`` undoes them: gzip
    and deflate here (what httpx asks for: a run reads tens of thousands of answers, and an
    ``httpx.Response`` per answer was a tenth of a request's CPU), any other coding by httpx's
    own decoders (which skip one they do not know). A body that does not inflate is
    ``httpx.DecodingError``."""
    codings = [c for c in http1.tokens(answer.headers, b"content-encoding") if c != b"identity"]
    if not codings:
        return answer.body
    if not all(coding in _WBITS for coding in codings):
        stream = httpx.ByteStream(answer.body)
        whole = httpx.Response(answer.status, headers=answer.headers, stream=stream)
        whole.request = request
        return whole.read()
    body = answer.body
    for coding in reversed(codings):  # listed in the order they were applied
        body = _inflate(body, coding, request)
    return body


def _inflate(data: bytes, coding: bytes, request: httpx.Request) -> bytes:
    inflater = zlib.decompressobj(_WBITS[coding])
    try:
        try:
            out = inflater.decompress(data)
        except zlib.error:
            if coding != b"deflate":
                raise
            inflater = zlib.decompressobj(-zlib.MAX_WBITS)  # "deflate" sent without its wrapper
            out = inflater.decompress(data)
        return out + inflater.flush()
    except zlib.error as exc:
        raise httpx.DecodingError(str(exc), request=request) from exc


def _timeouts(request: httpx.Request) -> dict[str, float | None]:
    value = request.extensions.get("timeout", {})
    return value if isinstance(value, dict) else {}


class Transport(httpx.BaseTransport):
    """HTTP/1.1 with keep-alive, per origin, for one caller at a time."""

    def __init__(self, limits: httpx.Limits, ssl_context: ssl.SSLContext | None = None) -> None:
        self._ssl = ssl_context
        self._keep = limits.max_keepalive_connections or 1
        self._expiry = limits.keepalive_expiry if limits.keepalive_expiry is not None else 5.0
        self._idle: dict[_Origin, list[_Socket]] = {}
        self._lock = threading.Lock()  # held for list operations only, never across a wait

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        answer = self.exchange(request)
        return httpx.Response(
            answer.status,
            headers=answer.headers,
            stream=httpx.ByteStream(answer.body),
            extensions={"http_version": answer.version, "reason_phrase": answer.reason},
        )

    def exchange(self, request: httpx.Request) -> http1.Response:
        """The answer to ``request`` as it came (body not yet decoded: ``http1.decoded``);
        failures are httpx's exceptions, as ``handle_request`` raises them."""
        url = request.url
        origin = (url.scheme, url.host, url.port or (443 if url.scheme == "https" else 80))
        timeouts = _timeouts(request)
        message = _message(request)  # a request that cannot be sent opens no connection
        conn = self._checkout(origin) or self._connect(origin, timeouts.get("connect"))
        try:
            answer = self._exchange(conn, request, message, timeouts)
        except BaseException:
            conn.close()
            raise
        if answer.will_close:
            conn.close()
        else:
            self._checkin(origin, conn)
        return answer

    def _exchange(
        self,
        conn: _Socket,
        request: httpx.Request,
        message: bytes,
        timeouts: dict[str, float | None],
    ) -> http1.Response:
        conn.write_timeout = timeouts.get("write")
        conn.read_timeout = timeouts.get("read")
        try:
            conn.sendall(message)
        except TimeoutError as exc:
            raise httpx.WriteTimeout(str(exc), request=request) from exc
        except OSError as exc:
            raise httpx.WriteError(str(exc) or type(exc).__name__, request=request) from exc
        try:
            return http1.read_response(conn.reader(), request.method)
        except TimeoutError as exc:
            raise httpx.ReadTimeout(str(exc), request=request) from exc
        except http1.ProtocolError as exc:  # also a server that closed without answering
            raise httpx.RemoteProtocolError(str(exc), request=request) from exc
        except OSError as exc:
            raise httpx.ReadError(str(exc) or type(exc).__name__, request=request) from exc

    def _checkout(self, origin: _Origin) -> _Socket | None:
        """The newest idle connection of ``origin`` still open (the others are closed)."""
        now = time.monotonic()
        while True:
            with self._lock:
                idle = self._idle.get(origin)
                if not idle:
                    return None
                conn = idle.pop()
            if now - conn.idle_since <= self._expiry and not netio.readable(conn.sock):
                return conn
            conn.close()

    def _checkin(self, origin: _Origin, conn: _Socket) -> None:
        conn.idle_since = time.monotonic()
        with self._lock:
            idle = self._idle.setdefault(origin, [])
            idle.append(conn)
            extra = idle[: -self._keep] if len(idle) > self._keep else []
            del idle[: len(extra)]
        for old in extra:
            old.close()

    def _connect(self, origin: _Origin, timeout: float | None) -> _Socket:
        scheme, host, port = origin
        try:
            sock: Any = netio.connect(host, port, timeout)
            if scheme == "https":
                context = self._ssl or httpx.create_ssl_context()
                self._ssl = context
                try:
                    sock = netio.start_tls(sock, context, host, timeout)
                except BaseException:
                    sock.close()
                    raise
        except TimeoutError as exc:
            raise httpx.ConnectTimeout(str(exc)) from exc
        except OSError as exc:
            raise httpx.ConnectError(str(exc) or type(exc).__name__) from exc
        return _Socket(sock)

    def close(self) -> None:
        with self._lock:
            idle = [conn for conns in self._idle.values() for conn in conns]
            self._idle.clear()
        for conn in idle:
            conn.close()
