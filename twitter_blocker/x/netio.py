"""The sockets under the client's ``httpx.Client``: httpx and httpcore as they are, with
sockets that wait cooperatively while a ``coop.Hub`` runs the calling account.

Several accounts in one process run as tasks of one hub (``engine.accounts``): a socket
that would block hands the thread to the other accounts until it is ready (or its timeout
passes) instead of blocking them all. Without a hub (one account) every operation blocks
with its timeout, exactly as httpcore's own sockets do. Proxies from the environment keep
httpx's own transport (httpx mounts them), so behind a proxy accounts wait in turn.
"""

from __future__ import annotations

import errno
import select
import selectors
import socket
import ssl
import time
from collections.abc import Iterable
from typing import Any

import httpcore
import httpx

from .. import coop

READ = selectors.EVENT_READ
WRITE = selectors.EVENT_WRITE
_RETRY_READ = (BlockingIOError, ssl.SSLWantReadError)


def _deadline(timeout: float | None) -> float | None:
    return None if timeout is None else time.monotonic() + timeout


def _wait(hub: coop.Hub, sock: socket.socket, events: int, deadline: float | None) -> bool:
    """Wait on the hub; False when the deadline passed first."""
    left = None if deadline is None else deadline - time.monotonic()
    if left is not None and left <= 0:
        return False
    return hub.wait_io(sock, events, left)


def _readable(sock: socket.socket) -> bool:
    """Whether an idle connection has something to read (its end: the server closed it)."""
    if sock.fileno() == -1:
        return True
    poller = select.poll()  # no descriptor of its own, unlike an epoll selector
    poller.register(sock, select.POLLIN)
    return bool(poller.poll(0))


class Stream(httpcore.NetworkStream):
    def __init__(self, sock: socket.socket) -> None:
        self._sock = sock

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        hub = coop.current()
        sock = self._sock
        try:
            if hub is None:
                sock.settimeout(timeout)
                return sock.recv(max_bytes)
            sock.settimeout(0.0)
            deadline = _deadline(timeout)
            while True:
                try:
                    return sock.recv(max_bytes)
                except _RETRY_READ:
                    events = READ
                except ssl.SSLWantWriteError:
                    events = WRITE
                if not _wait(hub, sock, events, deadline):
                    raise httpcore.ReadTimeout("timed out") from None
        except TimeoutError as exc:
            raise httpcore.ReadTimeout(str(exc)) from exc
        except OSError as exc:
            raise httpcore.ReadError(str(exc)) from exc

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        hub = coop.current()
        sock = self._sock
        deadline = _deadline(timeout)
        view = memoryview(buffer)
        try:
            while view:
                if hub is None:
                    sock.settimeout(timeout)
                    view = view[sock.send(view) :]
                    continue
                sock.settimeout(0.0)
                try:
                    view = view[sock.send(view) :]
                    continue
                except (BlockingIOError, ssl.SSLWantWriteError):
                    events = WRITE
                except ssl.SSLWantReadError:
                    events = READ
                if not _wait(hub, sock, events, deadline):
                    raise httpcore.WriteTimeout("timed out")
        except TimeoutError as exc:
            raise httpcore.WriteTimeout(str(exc)) from exc
        except OSError as exc:
            raise httpcore.WriteError(str(exc)) from exc

    def close(self) -> None:
        self._sock.close()

    def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.NetworkStream:
        hub = coop.current()
        try:
            if hub is None:
                self._sock.settimeout(timeout)
                return Stream(ssl_context.wrap_socket(self._sock, server_hostname=server_hostname))
            self._sock.settimeout(0.0)
            sock = ssl_context.wrap_socket(
                self._sock, server_hostname=server_hostname, do_handshake_on_connect=False
            )
            deadline = _deadline(timeout)
            while True:
                try:
                    sock.do_handshake()
                    return Stream(sock)
                except ssl.SSLWantReadError:
                    events = READ
                except ssl.SSLWantWriteError:
                    events = WRITE
                if not _wait(hub, sock, events, deadline):
                    raise httpcore.ConnectTimeout("TLS handshake timed out")
        except httpcore.ConnectTimeout:
            self.close()
            raise
        except TimeoutError as exc:
            self.close()
            raise httpcore.ConnectTimeout(str(exc)) from exc
        except OSError as exc:
            self.close()
            raise httpcore.ConnectError(str(exc)) from exc

    def get_extra_info(self, info: str) -> Any:
        sock = self._sock
        if info == "ssl_object" and isinstance(sock, ssl.SSLSocket):
            return sock._sslobj  # type: ignore[attr-defined]  # what httpcore itself returns
        if info == "client_addr":
            return sock.getsockname()
        if info == "server_addr":
            return sock.getpeername()
        if info == "socket":
            return sock
        if info == "is_readable":
            return _readable(sock)
        return None


def _connect(hub: coop.Hub, address: tuple[str, int], deadline: float | None) -> socket.socket:
    """``socket.create_connection`` that waits on the hub: each address in turn."""
    last: OSError | None = None
    for family, kind, proto, _, addr in socket.getaddrinfo(*address, type=socket.SOCK_STREAM):
        sock = socket.socket(family, kind, proto)
        try:
            sock.setblocking(False)
            code = sock.connect_ex(addr)
            if code in (errno.EINPROGRESS, errno.EWOULDBLOCK):
                if not _wait(hub, sock, WRITE, deadline):
                    raise httpcore.ConnectTimeout("connect timed out")
                code = sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
            if code:
                raise OSError(code, errno.errorcode.get(code, "connect failed"))
            return sock
        except OSError as exc:
            sock.close()
            last = exc
        except BaseException:
            sock.close()
            raise
    raise last or OSError(f"no address for {address[0]}")


class Backend(httpcore.NetworkBackend):
    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        hub = coop.current()
        try:
            if hub is None or local_address is not None:
                source = None if local_address is None else (local_address, 0)
                sock = socket.create_connection((host, port), timeout, source_address=source)
            else:
                sock = _connect(hub, (host, port), _deadline(timeout))
            for option in socket_options or ():
                sock.setsockopt(*option)
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        except httpcore.ConnectTimeout:
            raise
        except TimeoutError as exc:
            raise httpcore.ConnectTimeout(str(exc)) from exc
        except OSError as exc:
            raise httpcore.ConnectError(str(exc)) from exc
        return Stream(sock)

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)  # httpcore sleeps only between connect retries, which are off


class Transport(httpx.HTTPTransport):
    """httpx's transport over ``Backend``'s sockets (verification, limits as httpx's own)."""

    def __init__(self, limits: httpx.Limits, ssl_context: ssl.SSLContext | None = None) -> None:
        super().__init__(limits=limits)
        self._pool = httpcore.ConnectionPool(
            ssl_context=ssl_context or httpx.create_ssl_context(),
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
            network_backend=Backend(),
        )
