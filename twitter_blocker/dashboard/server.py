"""Serving the dashboard on the loopback, in the foreground (``serve``) or a thread (tests)."""

from __future__ import annotations

import ipaddress
import socket
import threading
import time
from collections.abc import Callable, Sequence

import uvicorn

from ..config import Paths
from .app import Reader, build_app

_STARTUP_TIMEOUT = 20.0


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class Dashboard:
    """The dashboard over some data directories: bound on ``start``/``serve_forever``."""

    def __init__(self, accounts: Sequence[tuple[str, Paths]]) -> None:
        self.app = build_app(Reader(accounts))
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
            raise ValueError(f"the dashboard serves loopback only, not {host!r}")
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(64)
        self.host = host if host != "localhost" else "127.0.0.1"
        self.port = sock.getsockname()[1]
        return sock

    def _server_for(self, log_level: str) -> uvicorn.Server:
        config = uvicorn.Config(
            self.app, log_level=log_level, lifespan="off", access_log=False, server_header=False
        )
        return uvicorn.Server(config)

    def start(self, host: str = "127.0.0.1", port: int = 0) -> Dashboard:
        """Serve in a daemon thread; returns once connections are accepted."""
        sock = self._bind(host, port)
        server = self._server = self._server_for("warning")
        self._thread = threading.Thread(
            target=server.run, kwargs={"sockets": [sock]}, name="dashboard", daemon=True
        )
        self._thread.start()
        deadline = time.monotonic() + _STARTUP_TIMEOUT
        while not server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the dashboard did not start")
            time.sleep(0.005)
        return self

    def serve_forever(
        self, host: str, port: int, *, on_ready: Callable[[str], None] | None = None
    ) -> None:
        sock = self._bind(host, port)
        self._server = self._server_for("warning")
        if on_ready is not None:
            on_ready(self.base_url)
        self._server.run(sockets=[sock])

    def stop(self) -> None:
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=10)
        self._server = self._thread = None
