"""The dashboard's web app: the page, its static files, ``/api/status`` and ``/metrics``.

Read only: GET routes only; every figure comes from :mod:`.snapshot`. The health check
(a ``quick_check`` of each ledger, disk and memory) is the slow part, so it is taken at most
every ``HEALTH_EVERY`` seconds per account; the rest is read afresh at most every
``FRESH_FOR`` seconds however many browsers poll.
"""

from __future__ import annotations

import dataclasses
import threading
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from ..config import Paths
from ..timefmt import utc_iso
from . import metrics
from .snapshot import AccountView, HealthView, account_view, health

STATIC = Path(__file__).resolve().parent / "static"
STATUS_FORMAT = 1
REFRESH_SECONDS = 3.0  # how often the page polls /api/status
FRESH_FOR = 1.0
HEALTH_EVERY = 15.0
LOOPBACK_NAMES = ["127.0.0.1", "localhost", "::1", "[::1]"]


class Reader:
    """The accounts to show, and the last reading of each (shared by every request)."""

    def __init__(self, accounts: Sequence[tuple[str, Paths]]) -> None:
        self.accounts = list(accounts)
        self._lock = threading.Lock()
        self._views: list[AccountView] = []
        self._read_at = -1e9
        self._health: dict[str, tuple[float, HealthView]] = {}

    def _health_of(self, name: str, paths: Paths, clock: float) -> HealthView:
        taken = self._health.get(name)
        if taken is None or clock - taken[0] >= HEALTH_EVERY:
            taken = (clock, health(paths))
            self._health[name] = taken
        return taken[1]

    def views(self) -> list[AccountView]:
        with self._lock:
            clock = time.monotonic()
            if clock - self._read_at >= FRESH_FOR:
                now = datetime.now(UTC)
                self._views = [
                    account_view(name, p, now=now, health_view=self._health_of(name, p, clock))
                    for name, p in self.accounts
                ]
                self._read_at = clock
            return self._views


def status_document(views: Sequence[AccountView]) -> dict[str, Any]:
    """The ``/api/status`` JSON (docs/DASHBOARD.md)."""
    now = time.time()
    return {
        "format": STATUS_FORMAT,
        "generated_at": utc_iso(now),
        "now_epoch": now,
        "refresh_seconds": REFRESH_SECONDS,
        "accounts": [dataclasses.asdict(v) for v in views],
    }


def build_app(reader: Reader) -> Starlette:
    def page(request: Request) -> Response:
        return FileResponse(STATIC / "index.html", headers={"cache-control": "no-store"})

    def status(request: Request) -> Response:
        body = status_document(reader.views())
        return JSONResponse(body, headers={"cache-control": "no-store"})

    def metrics_text(request: Request) -> Response:
        text = metrics.render(metrics.families(reader.views()))
        return Response(text, headers={"content-type": metrics.CONTENT_TYPE})

    routes = [
        Route("/", page, methods=["GET"]),
        Route("/account/{name}", page, methods=["GET"]),
        Route("/api/status", status, methods=["GET"]),
        Route("/metrics", metrics_text, methods=["GET"]),
        Mount("/static", StaticFiles(directory=STATIC), name="static"),
    ]
    # The Host header must name the loopback: a web page elsewhere cannot read the
    # dashboard through a DNS name pointed at 127.0.0.1 (DNS rebinding).
    hosts = Middleware(TrustedHostMiddleware, allowed_hosts=LOOPBACK_NAMES)
    return Starlette(routes=routes, middleware=[hosts])
