"""Reading one HTTP/1.x response from a buffered byte stream (RFC 9112): status line, header
fields, and a body delimited by ``Transfer-Encoding: chunked``, ``Content-Length`` or the end of
the connection.

Why not ``http.client.HTTPResponse``: it parses every header block with the ``email`` package,
which was about a quarter of the client's CPU per request (bench S6, S8); a run reads tens of
thousands of small answers. This reader keeps the same limits (65,536 bytes a line, 100 fields)
and is stricter where a lenient reading could turn a broken answer into a wrong one: a line with
no colon, a malformed chunk size, or ``Content-Length`` values that disagree are
``ProtocolError``, never guessed around.

Content codings (gzip, ...) are left alone: the body is returned as it came, for
``wire.decoded`` to undo.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass

MAX_LINE = 65_536
MAX_FIELDS = 100
_NO_BODY = frozenset({204, 304})
_HEX = re.compile(rb"[0-9A-Fa-f]{1,16}")


class ProtocolError(Exception):
    """The peer's bytes are no HTTP/1.x response (or it closed before one was complete)."""


@dataclass(frozen=True, slots=True)
class Response:
    status: int
    reason: bytes
    version: bytes  # b"HTTP/1.1" or b"HTTP/1.0"
    headers: list[tuple[bytes, bytes]]  # as received: names in their case, in their order
    body: bytes
    will_close: bool  # the connection cannot carry another request


def read_response(fp: io.BufferedIOBase, method: str) -> Response:
    """The next final response on ``fp`` (informational 1xx answers are read and dropped).
    The socket's own errors (timeouts, resets) pass through as they are."""
    while True:
        version, status, reason = _status_line(fp)
        headers = _fields(fp)
        if 100 <= status < 200 and status != 101:
            continue
        break
    names = [(name.lower(), value) for name, value in headers]
    close = _wants_close(version, names)
    if method == "HEAD" or status in _NO_BODY or status < 200:
        body = b""
    else:
        body, last = _body(fp, names, version)
        close = close or last
    return Response(status, reason, version, headers, body, close)


def _line(fp: io.BufferedIOBase, what: str) -> bytes:
    line = fp.readline(MAX_LINE + 1)
    if len(line) > MAX_LINE:
        raise ProtocolError(f"{what} longer than {MAX_LINE} bytes")
    return line


def _status_line(fp: io.BufferedIOBase) -> tuple[bytes, int, bytes]:
    line = _line(fp, "status line")
    if not line:
        raise ProtocolError("the server closed the connection without answering")
    parts = line.rstrip(b"\r\n").split(b" ", 2)
    version = parts[0]
    if len(parts) < 2 or version not in (b"HTTP/1.1", b"HTTP/1.0"):
        raise ProtocolError(f"not an HTTP/1.x status line: {line[:40]!r}")
    code = parts[1]
    if len(code) != 3 or not code.isdigit() or code[0:1] == b"0":
        raise ProtocolError(f"bad status code {code[:10]!r}")
    return version, int(code), parts[2].strip() if len(parts) > 2 else b""


def _fields(fp: io.BufferedIOBase) -> list[tuple[bytes, bytes]]:
    fields: list[tuple[bytes, bytes]] = []
    while True:
        line = _line(fp, "header line")
        if line in (b"\r\n", b"\n"):
            return fields
        if not line or not line.endswith(b"\n"):
            raise ProtocolError("the connection ended inside the header block")
        if line[0] in b" \t":  # obsolete line folding: the value goes on (RFC 9112 5.2)
            if not fields:
                raise ProtocolError("a folded line before any header field")
            name, value = fields[-1]
            fields[-1] = (name, value + b" " + line.strip())
            continue
        name, colon, value = line.partition(b":")
        if not colon or not name or name != name.strip():
            raise ProtocolError(f"bad header line {line[:40]!r}")
        fields.append((name, value.strip()))
        if len(fields) > MAX_FIELDS:
            raise ProtocolError(f"more than {MAX_FIELDS} header fields")


def tokens(fields: list[tuple[bytes, bytes]], name: bytes) -> list[bytes]:
    """The comma-separated values of every field called ``name`` (lower-case), lower-cased."""
    return _values([(field.lower(), value) for field, value in fields], name)


def _values(names: list[tuple[bytes, bytes]], wanted: bytes) -> list[bytes]:
    return [
        item.strip().lower()
        for name, value in names
        if name == wanted
        for item in value.split(b",")
        if item.strip()
    ]


def _wants_close(version: bytes, names: list[tuple[bytes, bytes]]) -> bool:
    tokens = _values(names, b"connection")
    if b"close" in tokens:
        return True
    return version == b"HTTP/1.0" and b"keep-alive" not in tokens


def _body(
    fp: io.BufferedIOBase, names: list[tuple[bytes, bytes]], version: bytes
) -> tuple[bytes, bool]:
    """The body, and whether the connection must end after it (RFC 9112 6.3): the body ran to
    the connection's end, or its framing is suspect (``Transfer-Encoding`` beside
    ``Content-Length``, or in an HTTP/1.0 answer), so no later answer is read from it."""
    codings = _values(names, b"transfer-encoding")
    if codings:
        suspect = version == b"HTTP/1.0" or any(name == b"content-length" for name, _ in names)
        if codings[-1] == b"chunked":
            return _chunked(fp), suspect
        return _until_close(fp), True
    lengths = {value.strip() for name, value in names if name == b"content-length"}
    if not lengths:
        return _until_close(fp), True
    if len(lengths) > 1:
        raise ProtocolError("Content-Length values disagree")
    text = lengths.pop()
    if not text.isdigit():
        raise ProtocolError(f"bad Content-Length {text[:20]!r}")
    return _exactly(fp, int(text)), False


def _exactly(fp: io.BufferedIOBase, size: int) -> bytes:
    data = fp.read(size) if size else b""
    if len(data) != size:
        raise ProtocolError(f"the body ended after {len(data)} of {size} bytes")
    return data


def _until_close(fp: io.BufferedIOBase) -> bytes:
    return fp.read()


def _chunked(fp: io.BufferedIOBase) -> bytes:
    parts: list[bytes] = []
    while True:
        line = _line(fp, "chunk size line")
        size_text = line.split(b";", 1)[0].strip()
        if not _HEX.fullmatch(size_text):  # int(..., 16) alone would take "0x1", "+1", "1_0"
            raise ProtocolError(f"bad chunk size {size_text[:20]!r}")
        size = int(size_text, 16)
        if size == 0:
            _fields(fp)  # the trailer section, read to its end and dropped
            return b"".join(parts)
        parts.append(_exactly(fp, size))
        if _line(fp, "chunk end") not in (b"\r\n", b"\n"):
            raise ProtocolError("a chunk did not end where its size said")
