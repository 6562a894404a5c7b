"""Sockets that wait cooperatively while a ``coop.Hub`` runs the calling account.

Several accounts in one process run as tasks of one hub (``engine.accounts``): an operation
that would block hands the thread to the other accounts until the socket is ready (or the
timeout passes) instead of blocking them all. Without a hub (one account) every operation
blocks with its timeout. Errors are the standard library's: ``TimeoutError`` and ``OSError``
(``ssl.SSLError`` is one); ``wire`` turns them into httpx's.
"""

from __future__ import annotations

import errno
import select
import selectors
import socket
import ssl
import time

from .. import coop

READ = selectors.EVENT_READ
WRITE = selectors.EVENT_WRITE


def _deadline(timeout: float | None) -> float | None:
    return None if timeout is None else time.monotonic() + timeout


def _wait(hub: coop.Hub, sock: socket.socket, events: int, deadline: float | None) -> None:
    """Wait on the hub; ``TimeoutError`` when the deadline passes first."""
    left = None if deadline is None else deadline - time.monotonic()
    if (left is not None and left <= 0) or not hub.wait_io(sock, events, left):
        raise TimeoutError("timed out")


def recv_into(sock: socket.socket, buffer: memoryview, timeout: float | None) -> int:
    hub = coop.current()
    if hub is None:
        sock.settimeout(timeout)
        return sock.recv_into(buffer)
    sock.settimeout(0.0)
    deadline = _deadline(timeout)
    while True:
        try:
            return sock.recv_into(buffer)
        except (BlockingIOError, ssl.SSLWantReadError):
            _wait(hub, sock, READ, deadline)
        except ssl.SSLWantWriteError:
            _wait(hub, sock, WRITE, deadline)


def send_all(sock: socket.socket, data: bytes, timeout: float | None) -> None:
    hub = coop.current()
    if hub is None:
        sock.settimeout(timeout)
        sock.sendall(data)
        return
    sock.settimeout(0.0)
    deadline = _deadline(timeout)
    view = memoryview(data)
    while view:
        try:
            view = view[sock.send(view) :]
        except (BlockingIOError, ssl.SSLWantWriteError):
            _wait(hub, sock, WRITE, deadline)
        except ssl.SSLWantReadError:
            _wait(hub, sock, READ, deadline)


def connect(host: str, port: int, timeout: float | None) -> socket.socket:
    """``socket.create_connection`` (each address in turn), with ``TCP_NODELAY``."""
    hub = coop.current()
    if hub is None:
        sock = socket.create_connection((host, port), timeout)
    else:
        sock = _connect(hub, host, port, _deadline(timeout))
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return sock


def _connect(hub: coop.Hub, host: str, port: int, deadline: float | None) -> socket.socket:
    last: OSError | None = None
    for family, kind, proto, _, addr in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM):
        sock = socket.socket(family, kind, proto)
        try:
            sock.setblocking(False)
            code = sock.connect_ex(addr)
            if code in (errno.EINPROGRESS, errno.EWOULDBLOCK):
                _wait(hub, sock, WRITE, deadline)
                code = sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
            if code:
                raise OSError(code, errno.errorcode.get(code, "connect failed"))
            return sock
        except TimeoutError:
            sock.close()
            raise
        except OSError as exc:
            sock.close()
            last = exc
        except BaseException:
            sock.close()
            raise
    raise last or OSError(f"no address for {host}")


def start_tls(
    sock: socket.socket, context: ssl.SSLContext, hostname: str, timeout: float | None
) -> ssl.SSLSocket:
    """TLS over ``sock`` (certificate and host name verified as ``context`` says)."""
    hub = coop.current()
    if hub is None:
        sock.settimeout(timeout)
        return context.wrap_socket(sock, server_hostname=hostname)
    sock.settimeout(0.0)
    tls = context.wrap_socket(sock, server_hostname=hostname, do_handshake_on_connect=False)
    deadline = _deadline(timeout)
    while True:
        try:
            tls.do_handshake()
            return tls
        except ssl.SSLWantReadError:
            _wait(hub, tls, READ, deadline)
        except ssl.SSLWantWriteError:
            _wait(hub, tls, WRITE, deadline)


def readable(sock: socket.socket) -> bool:
    """Whether an idle connection has something to read (its end: the server closed it)."""
    if sock.fileno() == -1:
        return True
    if isinstance(sock, ssl.SSLSocket) and sock.pending():
        return True
    poller = select.poll()  # no descriptor of its own, unlike an epoll selector
    poller.register(sock, select.POLLIN)
    return bool(poller.poll(0))
