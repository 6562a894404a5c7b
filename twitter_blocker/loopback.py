"""An ASGI app served by uvicorn on a loopback socket only: the emulator and the dashboard.

In a daemon thread (tests, the demo) with ``start``/``stop`` or a ``with`` block, or in the
calling thread until interrupted (the CLI commands) with ``serve_forever``. Binding refuses any
address that is not a loopback one, so neither server is ever reachable from another host.
"""

from __future__ import annotations

import ipaddress
import socket
import threading
import time
from collections.abc import Callable
from types import TracebackType
from typing import Any, Self

import uvicorn

STARTUP_TIMEOUT = 20.0


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class LoopbackServer:
    """``app`` served on the loopback once started; subclasses name themselves in ``what``."""

    what = "server"
    backlog = 64
    thread_name = "loopback-server"

    def __init__(self, app: Any) -> None:
        self.app = app
        self.host = "127.0.0.1"
        self.port = 0
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    def _bind(self, host: str, port: int) -> socket.socket:
        if not is_loopback(host):
            raise ValueError(f"the {self.what} serves loopback only, not {host!r}")
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        # proto=IPPROTO_TCP so asyncio sets TCP_NODELAY on accepted connections; without it a
        # small response's head and body meet the client's delayed ACK (about 40 ms a request)
        sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        sock.bind((host, port))
        sock.listen(self.backlog)
        self.host = host if host != "localhost" else "127.0.0.1"
        self.port = sock.getsockname()[1]
        return sock

    def _config(self, log_level: str) -> dict[str, Any]:
        """uvicorn.Config keywords beyond the app; subclasses add theirs."""
        return {"log_level": log_level, "lifespan": "off", "access_log": False}

    def _make_server(self, log_level: str) -> uvicorn.Server:
        return uvicorn.Server(
            uvicorn.Config(self.app, server_header=False, **self._config(log_level))
        )

    def start(self, host: str = "127.0.0.1", port: int = 0, log_level: str = "warning") -> Self:
        """Serve in a daemon thread; returns once the server accepts connections."""
        sock = self._bind(host, port)
        server = self._server = self._make_server(log_level)
        self._thread = threading.Thread(
            target=server.run, kwargs={"sockets": [sock]}, name=self.thread_name, daemon=True
        )
        self._thread.start()
        deadline = time.monotonic() + STARTUP_TIMEOUT
        while not server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError(f"the {self.what} did not start")
            time.sleep(0.005)
        return self

    def serve_forever(
        self,
        host: str,
        port: int,
        log_level: str = "info",
        on_ready: Callable[[str], None] | None = None,
    ) -> None:
        """Serve in the calling thread until interrupted (the CLI command).

        ``on_ready(base_url)`` runs once the socket listens, before the first request is served.
        """
        sock = self._bind(host, port)
        self._server = self._make_server(log_level)
        if on_ready is not None:
            on_ready(self.base_url)
        self._server.run(sockets=[sock])

    def stop(self) -> None:
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=10)
        self._server = None
        self._thread = None

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
