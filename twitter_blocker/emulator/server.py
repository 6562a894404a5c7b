"""Serving the emulator: in a daemon thread (tests, demo) or in the foreground (the CLI)."""

from __future__ import annotations

import ipaddress
import logging
import socket
import threading
import time
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import Any

import uvicorn

from . import fixture
from .app import build_app
from .chaos import QuietDrops
from .config import EmulatorConfig
from .population import truth
from .world import AccountState, World

_STARTUP_TIMEOUT = 20.0


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _quiet_drops() -> None:
    logger = logging.getLogger("uvicorn.error")
    if not any(isinstance(f, QuietDrops) for f in logger.filters):
        logger.addFilter(QuietDrops())


class Emulator:
    """One emulated X: its world, its ASGI app and (once started) its server."""

    def __init__(self, config: EmulatorConfig | None = None) -> None:
        self.config = config if config is not None else EmulatorConfig()
        self.world = World(self.config)
        self.app = build_app(self.world)
        self.host = "127.0.0.1"
        self.port = 0
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self._fixture_dir: Path | None = None

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    # --- serving ----------------------------------------------------------------------------
    def _bind(self, host: str, port: int) -> socket.socket:
        if not is_loopback(host):
            raise ValueError(f"the emulator serves loopback only, not {host!r}")
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        # proto=IPPROTO_TCP so asyncio sets TCP_NODELAY on accepted connections; without it a
        # small response's head and body meet the client's delayed ACK (about 40 ms a request)
        sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        sock.bind((host, port))
        sock.listen(2048)
        self.host = host if host != "localhost" else "127.0.0.1"
        self.port = sock.getsockname()[1]
        return sock

    def _make_server(self, log_level: str) -> uvicorn.Server:
        _quiet_drops()
        cfg = uvicorn.Config(
            self.app,
            log_level=log_level,
            lifespan="off",
            access_log=False,
            timeout_keep_alive=30,
            server_header=False,
        )
        return uvicorn.Server(cfg)

    def start(self, host: str = "127.0.0.1", port: int = 0, log_level: str = "warning") -> Emulator:
        """Serve in a daemon thread; returns once the server accepts connections."""
        sock = self._bind(host, port)
        server = self._make_server(log_level)
        self._server = server
        self._thread = threading.Thread(
            target=server.run, kwargs={"sockets": [sock]}, name="x-emulator", daemon=True
        )
        self._thread.start()
        deadline = time.monotonic() + _STARTUP_TIMEOUT
        while not server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the emulator did not start")
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

    def __enter__(self) -> Emulator:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # --- ground truth and control -------------------------------------------------------------
    def write_fixture(self, directory: Path | str) -> None:
        """Write the fixture files; later cookie renewals and resets rewrite its cookie files."""
        self._fixture_dir = Path(directory)
        fixture.write_fixture(self.world, self._fixture_dir)
        self.world.cookies_changed = self._rewrite_cookies

    def _rewrite_cookies(self, viewer_index: int) -> None:
        if self._fixture_dir is not None:
            fixture.write_cookies(self.world, self._fixture_dir, viewer_index)

    def truth(self, viewer: int = 0) -> dict[str, Any]:
        """truth.json of viewer 0, or truth_<n>.json of viewer ``n``."""
        return truth(self.world.population, viewer)

    def state(self) -> dict[str, Any]:
        return self.world.state()

    def lookups(self) -> dict[int, dict[str, int]]:
        """Per viewer index: user id or lower-cased handle -> how often X was asked for it."""
        return self.world.lookups()

    def set_switches(self, **switches: Any) -> None:
        with self.world.lock:
            self.world.switches.update(**switches)

    def set_account_state(self, viewer_index: int, state: AccountState | str) -> None:
        self.world.set_account_state(viewer_index, state)

    def renew_cookies(self, viewer_index: int = 0) -> list[dict[str, Any]]:
        """A fresh login after a session kill; rewrites the fixture's cookie file if one exists."""
        account = self.world.renew_cookies(viewer_index)
        with self.world.lock:
            return fixture.cookie_export(account)

    def rotate_ct0(self, viewer_index: int = 0) -> str:
        """X moves the session to a new ct0 (served on the next 353 when ``ct0_strict``)."""
        return self.world.rotate_ct0(viewer_index)

    def cookies(self, viewer_index: int = 0) -> list[dict[str, Any]]:
        with self.world.lock:
            return fixture.cookie_export(self.world.account(viewer_index))

    def reset(self) -> None:
        self.world.reset()


def start_emulator(config: EmulatorConfig | None = None, **options: Any) -> Emulator:
    """Start an emulator on a free loopback port in a daemon thread.

    Pass an ``EmulatorConfig`` or its keyword options (``start_emulator(seed=2)``), not both.
    """
    if options:
        if config is not None:
            raise TypeError("pass either an EmulatorConfig or keyword options, not both")
        config = EmulatorConfig(**options)
    return Emulator(config).start()
