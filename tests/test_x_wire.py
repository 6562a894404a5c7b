"""The client's transport (``x.wire``): exact requests on the wire, keep-alive, and every way a
server may answer or not, against a scripted loopback server."""

from __future__ import annotations

import gzip
import json
import socket
import threading
import zlib
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from twitter_blocker.inputs.cookies import parse_cookies
from twitter_blocker.x import http1, transport, wire
from twitter_blocker.x.errors import Transient

LIMITS = httpx.Limits(max_connections=4, max_keepalive_connections=4, keepalive_expiry=30)


class Scripted:
    """Answers each request with the next scripted answer (None: close without answering);
    ``close_after``: close the connection after each answer."""

    def __init__(self, answers: list[bytes | None], *, close_after: bool = False) -> None:
        self.answers = list(answers)
        self.close_after = close_after
        self.requests: list[bytes] = []
        self.connections = 0
        self.closed = threading.Semaphore(0)  # released each time the server ends a connection
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.listener.getsockname()[1]}"
        self.thread = threading.Thread(target=self._serve, daemon=True)

    def _serve(self) -> None:
        while self.answers:
            try:
                conn, _ = self.listener.accept()
            except OSError:
                return
            self.connections += 1
            with conn:
                self._talk(conn)
            self.closed.release()

    def _talk(self, conn: socket.socket) -> None:
        buffer = b""
        while self.answers:
            while b"\r\n\r\n" not in buffer:
                chunk = conn.recv(65536)
                if not chunk:
                    return
                buffer += chunk
            head, _, buffer = buffer.partition(b"\r\n\r\n")
            length = 0
            for line in head.split(b"\r\n")[1:]:
                name, _, value = line.partition(b":")
                if name.strip().lower() == b"content-length":
                    length = int(value)
            while len(buffer) < length:
                buffer += conn.recv(65536)
            self.requests.append(head + b"\r\n\r\n" + buffer[:length])
            buffer = buffer[length:]
            answer = self.answers.pop(0)
            if answer is None:
                return
            conn.sendall(answer)
            if self.close_after or b"connection: close" in answer.lower():
                return


@contextmanager
def scripted(answers: list[bytes | None], *, close_after: bool = False) -> Iterator[Scripted]:
    server = Scripted(answers, close_after=close_after)
    server.thread.start()
    try:
        yield server
    finally:
        server.listener.close()


def ok(body: bytes = b"ok", *extra: str) -> bytes:
    head = ["HTTP/1.1 200 OK", f"Content-Length: {len(body)}", *extra]
    return ("\r\n".join(head) + "\r\n\r\n").encode() + body


def _client() -> httpx.Client:
    return httpx.Client(transport=wire.Transport(LIMITS), timeout=5)


def test_the_request_on_the_wire_is_httpx_s_request_as_built() -> None:
    with scripted([ok()]) as server, _client() as client:
        request = httpx.Request(
            "POST",
            server.url + "/i/api/1.1/blocks/create.json?x=1",
            headers=[("x-csrf-token", "abc"), ("Cookie", "ct0=abc")],
            content=b"user_id=12",
        )
        assert client.send(request).text == "ok"
    expected = [b"POST /i/api/1.1/blocks/create.json?x=1 HTTP/1.1"]
    expected += [name + b": " + value for name, value in request.headers.raw]
    assert server.requests == [b"\r\n".join(expected) + b"\r\n\r\nuser_id=12"]
    assert b"accept-encoding: identity" not in server.requests[0].lower()  # nothing added


def test_requests_share_one_keep_alive_connection() -> None:
    with scripted([ok(b"a"), ok(b"b"), ok(b"c")]) as server, _client() as client:
        assert [client.get(server.url + f"/{n}").text for n in range(3)] == ["a", "b", "c"]
    assert server.connections == 1


@pytest.mark.parametrize("close_after", [False, True])
def test_a_closed_connection_is_never_reused(close_after: bool) -> None:
    answers = [ok(b"a", "Connection: close"), ok(b"b")] if not close_after else [ok(), ok()]
    with scripted(answers, close_after=close_after) as server, _client() as client:
        assert client.get(server.url + "/1").status_code == 200
        assert server.closed.acquire(timeout=10)  # closed while idle, or as it said it would
        assert client.get(server.url + "/2").status_code == 200
    assert server.connections == 2


def test_chunked_gzip_bodies_and_repeated_headers_arrive_as_httpx_gives_them() -> None:
    packed = gzip.compress(b'{"data": {}}')
    chunked = b"".join(
        f"{len(part):x}\r\n".encode() + part + b"\r\n" for part in (packed[:10], packed[10:])
    )
    answer = (
        b"HTTP/1.1 403 Forbidden\r\nTransfer-Encoding: chunked\r\nContent-Encoding: gzip\r\n"
        b"Set-Cookie: ct0=new; Path=/\r\nSet-Cookie: guest=1; Path=/\r\n\r\n"
        + chunked
        + b"0\r\n\r\n"
    )
    with scripted([answer, ok()]) as server, _client() as client:
        response = client.get(server.url + "/")
        assert (response.status_code, response.json()) == (403, {"data": {}})
        assert response.headers.get_list("set-cookie") == ["ct0=new; Path=/", "guest=1; Path=/"]
        assert response.reason_phrase == "Forbidden"
        assert client.get(server.url + "/").text == "ok"  # the chunked answer was read whole
    assert server.connections == 1


def test_a_server_that_closes_without_answering_is_a_protocol_error() -> None:
    with scripted([None]) as server, _client() as client, pytest.raises(httpx.RemoteProtocolError):
        client.get(server.url + "/")


def test_a_body_cut_short_is_a_protocol_error_and_the_connection_is_dropped() -> None:
    cut = b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\npartial"
    with scripted([cut, ok()], close_after=True) as server, _client() as client:
        with pytest.raises(httpx.RemoteProtocolError):
            client.get(server.url + "/")
        assert client.get(server.url + "/").text == "ok"
    assert server.connections == 2


def test_a_refused_connection_is_a_connect_error() -> None:
    with socket.create_server(("127.0.0.1", 0)) as gone:
        port = gone.getsockname()[1]
    with _client() as client, pytest.raises(httpx.ConnectError):
        client.get(f"http://127.0.0.1:{port}/")


@pytest.mark.parametrize(
    "header", [("x-a", "b\r\nx-smuggled: 1"), ("x-a", "b\nc"), ("x-a", "b\0"), ("x a", "b")]
)
def test_a_header_that_would_smuggle_another_is_sent_nowhere(header: tuple[str, str]) -> None:
    with scripted([ok()]) as server, _client() as client:
        request = httpx.Request("GET", server.url + "/", headers=[header])
        with pytest.raises(httpx.LocalProtocolError):
            client.send(request)
        assert client.get(server.url + "/").text == "ok"
    assert server.connections == 1 and len(server.requests) == 1  # nothing went out


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["x-a", "Cookie", "b"]), st.text("ab;= \r\n\0\t"))))
def test_a_message_is_its_fields_as_they_are_unless_a_value_breaks_a_line(
    fields: list[tuple[str, str]],
) -> None:
    request = httpx.Request("POST", "http://127.0.0.1/p?q=1", headers=fields, content=b"body")
    raw = request.headers.raw
    if any(c in value for _, value in raw for c in (b"\r", b"\n", b"\0")):
        with pytest.raises(httpx.LocalProtocolError):
            wire._message(request)
        return
    lines = [b"POST /p?q=1 HTTP/1.1", *(name + b": " + value for name, value in raw), b""]
    assert wire._message(request) == b"\r\n".join(lines) + b"\r\nbody"


def _deflate(data: bytes, wbits: int) -> bytes:
    packer = zlib.compressobj(wbits=wbits)
    return packer.compress(data) + packer.flush()


_CODINGS = {
    "gzip": gzip.compress,
    "deflate": lambda data: _deflate(data, zlib.MAX_WBITS),
    "identity": lambda data: data,
    "x-unknown": lambda data: data,  # httpx leaves a coding it does not know as it is
}


@settings(max_examples=150, deadline=None)
@given(
    st.binary(max_size=200),
    st.lists(st.sampled_from([*_CODINGS, "raw-deflate"]), max_size=3),
    st.booleans(),
)
def test_a_body_is_decoded_as_httpx_decodes_it(
    data: bytes, codings: list[str], garble: bool
) -> None:
    body = data
    for coding in codings:
        body = (
            _deflate(body, -zlib.MAX_WBITS) if coding == "raw-deflate" else _CODINGS[coding](body)
        )
    if garble:
        body = b"\x1f\x8b\x08garbage" + body
    names = ["deflate" if c == "raw-deflate" else c for c in codings]
    fields = [(b"Content-Encoding", ", ".join(names).encode())] if names else []
    request = httpx.Request("GET", "http://127.0.0.1/")
    answer = http1.Response(200, b"OK", b"HTTP/1.1", fields, body, False)
    theirs = httpx.Response(200, headers=fields, stream=httpx.ByteStream(body))
    try:
        expected: bytes | type[Exception] = theirs.read()
    except httpx.DecodingError:
        expected = httpx.DecodingError
    if expected is httpx.DecodingError:
        with pytest.raises(httpx.DecodingError) as failed:
            wire.decoded(answer, request)
        assert failed.value.request is request
    else:
        assert wire.decoded(answer, request) == expected


def _http(base: str, timeout: float = 5.0) -> transport.Http:
    cookies = parse_cookies(
        json.dumps({"auth_token": "a" * 40, "ct0": "c" * 32}), source="cookies.json"
    )
    return transport.Http(transport.build_client(cookies, api_base=base, timeout=timeout))


def test_without_proxies_requests_go_straight_to_the_transport_with_their_timeouts(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy"):
        monkeypatch.delenv(name, raising=False)
    with socket.create_server(("127.0.0.1", 0)) as silent:  # accepts, never answers
        http = _http(f"http://127.0.0.1:{silent.getsockname()[1]}", timeout=0.3)
        assert http._direct is not None
        with pytest.raises(Transient, match="timed out"):  # the client's read timeout holds
            http.get("Viewer", "/i/api/graphql/x/Viewer", "")
        http.close()
    packed = ok(gzip.compress(b"{}"), "Content-Type: application/json", "Content-Encoding: gzip")
    with scripted([packed]) as server:
        http = _http(server.url)
        answer = http.get("Viewer", "/i/api/graphql/x/Viewer", "a=1")
        http.close()
    assert (answer.status, answer.body) == (200, b"{}")
    assert server.requests[0].startswith(b"GET /i/api/graphql/x/Viewer?a=1 HTTP/1.1\r\nHost: ")


def test_a_proxy_from_the_environment_keeps_httpx_s_own_routing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("HTTPS_PROXY", "http://127.0.0.1:9")
    http = _http("https://x.com")
    assert http._direct is None
    http.close()
