"""Serving the dashboard on the loopback, in the foreground (``serve``) or a thread (tests)."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from ..config import Paths
from ..loopback import LoopbackServer
from ..loopback import is_loopback as is_loopback
from .app import Reader, build_app


class Dashboard(LoopbackServer):
    """The dashboard over some data directories: bound on ``start``/``serve_forever``."""

    what = "dashboard"
    thread_name = "dashboard"

    def __init__(self, accounts: Sequence[tuple[str, Paths]]) -> None:
        super().__init__(build_app(Reader(accounts)))

    def serve_forever(
        self,
        host: str,
        port: int,
        log_level: str = "warning",
        on_ready: Callable[[str], None] | None = None,
    ) -> None:
        super().serve_forever(host, port, log_level, on_ready)
