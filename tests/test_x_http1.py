"""The transport's response reader (``x.http1``): what it reads agrees with the standard
library's ``http.client`` on every well-formed answer, and every malformed one is a
``ProtocolError`` rather than a guess."""

from __future__ import annotations

import http.client
import io
from typing import Any, cast

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from twitter_blocker.x.http1 import MAX_FIELDS, MAX_LINE, ProtocolError, read_response


def _read(data: bytes, method: str = "GET") -> tuple[Any, bytes]:
    """The response and what is left on the stream after it."""
    fp = io.BufferedReader(io.BytesIO(data))  # type: ignore[arg-type]
    answer = read_response(fp, method)
    return answer, fp.read()


class _Sock:
    def __init__(self, data: bytes) -> None:
        self.data = data

    def makefile(self, mode: str) -> io.BufferedReader:
        return io.BufferedReader(io.BytesIO(self.data))  # type: ignore[arg-type]


def _stdlib(data: bytes, method: str) -> http.client.HTTPResponse:
    answer = http.client.HTTPResponse(cast(Any, _Sock(data)), method=method)
    answer.begin()
    return answer


_NAME = st.text("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_", min_size=1)
_VALUE = st.text('abcdefghijklmnopqrstuvwxyz0123456789 ;=/.,:"()', max_size=40).map(str.strip)
_FRAMING = ("connection", "content-length", "transfer-encoding", "keep-alive")


@st.composite
def _answers(draw: st.DrawFn) -> tuple[bytes, int, str, list[tuple[str, str]], bytes, str]:
    version = draw(st.sampled_from(["HTTP/1.1", "HTTP/1.0"]))
    status = draw(st.sampled_from([200, 201, 204, 301, 304, 400, 403, 404, 429, 500, 503]))
    reason = draw(st.sampled_from(["OK", "Too Many Requests", "", "Not Found"]))
    fields = [
        (name, value)
        for name, value in draw(st.lists(st.tuples(_NAME, _VALUE), max_size=12))
        if name.lower() not in _FRAMING
    ]
    body = draw(st.binary(max_size=300)) if status not in (204, 304) else b""
    framing = draw(st.sampled_from(["length", "chunked", "close"]))
    connection = draw(st.sampled_from([None, "close", "keep-alive"]))
    head = [f"{version} {status} {reason}".rstrip(" ") if reason else f"{version} {status}"]
    head += [f"{name}: {value}" for name, value in fields]
    if connection:
        head.append(f"Connection: {connection}")
    payload = body
    if framing == "length":
        head.append(f"Content-Length: {len(body)}")
    elif framing == "chunked" and status not in (204, 304):
        head.append("Transfer-Encoding: chunked")
        cuts = sorted(draw(st.lists(st.integers(0, len(body)), max_size=4)))
        parts = [body[a:b] for a, b in zip([0, *cuts], [*cuts, len(body)], strict=True) if b > a]
        payload = b"".join(f"{len(p):x};ext=1\r\n".encode() + p + b"\r\n" for p in parts)
        payload += b"0\r\nx-trailer: 1\r\n\r\n"
    method = draw(st.sampled_from(["GET", "POST", "HEAD"]))
    data = ("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + payload
    return data, status, reason, fields, body, method


@settings(max_examples=300, deadline=None)
@given(_answers())
def test_every_well_formed_answer_reads_as_http_client_reads_it(answer: Any) -> None:
    data, status, reason, fields, body, method = answer
    ours, _ = _read(data, method)
    theirs = _stdlib(data, method)
    assert ours.status == theirs.status == status
    assert ours.reason.decode() == theirs.reason == reason
    assert [(n.decode(), v.decode()) for n, v in ours.headers] == theirs.getheaders()
    assert [(n.decode(), v.decode()) for n, v in ours.headers][: len(fields)] == fields
    assert ours.body == theirs.read() == (b"" if method == "HEAD" else body)
    # RFC 9112 6.3: chunked framing in an HTTP/1.0 answer is suspect, so the connection ends
    # after it (http.client would keep it)
    head = data.split(b"\r\n\r\n")[0]
    suspect = head.startswith(b"HTTP/1.0") and b"Transfer-Encoding" in head
    assert ours.will_close == (
        bool(theirs.will_close) or (suspect and method != "HEAD" and status not in (204, 304))
    )


def test_a_chunked_body_beside_a_length_or_in_http_1_0_ends_the_connection() -> None:
    chunked = b"Transfer-Encoding: chunked\r\n"
    tail = b"\r\n2\r\nab\r\n0\r\n\r\n"
    for head in (
        b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n" + chunked,
        b"HTTP/1.0 200 OK\r\nConnection: keep-alive\r\n" + chunked,
    ):
        ours, _ = _read(head + tail)
        assert (ours.body, ours.will_close) == (b"ab", True)


def test_a_kept_alive_stream_holds_the_next_answer_after_each_kind_of_body() -> None:
    first = b"HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc"
    chunked = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nab\r\n0\r\n\r\n"
    head = b"HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\n"  # HEAD: a length, no body
    empty = b"HTTP/1.1 304 Not Modified\r\nContent-Length: 9\r\n\r\n"
    nxt = b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n"
    for answer, method in ((first, "GET"), (chunked, "GET"), (head, "HEAD"), (empty, "GET")):
        ours, rest = _read(answer + nxt, method)
        assert not ours.will_close
        assert rest == nxt
        assert read_response(io.BufferedReader(io.BytesIO(rest)), "GET").status == 404


def test_informational_answers_are_skipped_and_folded_lines_joined() -> None:
    data = (
        b"HTTP/1.1 100 Continue\r\nx-a: 1\r\n\r\n"
        b"HTTP/1.1 200 OK\r\nx-long: one\r\n  two\r\nContent-Length: 2\r\n\r\nok"
    )
    ours, _ = _read(data)
    assert (ours.status, ours.headers[0], ours.body) == (200, (b"x-long", b"one two"), b"ok")


def test_a_body_the_connection_ends_is_read_to_its_end_and_closes_the_connection() -> None:
    for extra in (b"", b"Transfer-Encoding: gzip\r\n"):
        ours, _ = _read(b"HTTP/1.1 200 OK\r\n" + extra + b"\r\nall of it")
        assert (ours.body, ours.will_close) == (b"all of it", True)
    ours, _ = _read(b"HTTP/1.0 200 OK\r\nConnection: Keep-Alive\r\nContent-Length: 1\r\n\r\nx")
    assert not ours.will_close


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"\r\n",
        b"HTTP/2 200 OK\r\n\r\n",
        b"ICY 200 OK\r\n\r\n",
        b"HTTP/1.1 2000 OK\r\n\r\n",
        b"HTTP/1.1 OK\r\n\r\n",
        b"HTTP/1.1 099 X\r\n\r\n",
        b"HTTP/1.1 200 OK\r\nno colon here\r\n\r\n",
        b"HTTP/1.1 200 OK\r\n: empty name\r\n\r\n",
        b"HTTP/1.1 200 OK\r\nname : space before colon\r\n\r\n",
        b"HTTP/1.1 200 OK\r\n folded first\r\n\r\n",
        b"HTTP/1.1 200 OK\r\nx-a: 1\r\n",  # ends inside the header block
        b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nabc",
        b"HTTP/1.1 200 OK\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd",
        b"HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n",
        b"HTTP/1.1 200 OK\r\nContent-Length: 0x10\r\n\r\n",
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0x1\r\na\r\n0\r\n\r\n",
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1_0\r\n",
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n+1\r\na\r\n0\r\n\r\n",
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nabc\r\n0\r\n\r\n",
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nab",
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1\r\na\r\n",  # no last chunk
        b"HTTP/1.1 200 OK\r\nx-a: " + b"v" * MAX_LINE + b"\r\n\r\n",
        b"HTTP/1.1 200 OK\r\n" + b"x-a: 1\r\n" * (MAX_FIELDS + 1) + b"\r\n",
    ],
)
def test_a_malformed_answer_is_a_protocol_error(data: bytes) -> None:
    with pytest.raises(ProtocolError):
        _read(data)


def test_the_limits_are_http_client_s() -> None:
    assert (MAX_LINE, MAX_FIELDS) == (http.client._MAXLINE, http.client._MAXHEADERS)
