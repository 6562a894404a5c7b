"""Serving the emulator: in a daemon thread (tests, demo) or in the foreground (the CLI)."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from ..loopback import LoopbackServer
from ..loopback import is_loopback as is_loopback
from . import fixture
from .app import build_app
from .chaos import QuietDrops
from .config import EmulatorConfig
from .population import truth
from .world import AccountState, World


def _quiet_drops() -> None:
    logger = logging.getLogger("uvicorn.error")
    if not any(isinstance(f, QuietDrops) for f in logger.filters):
        logger.addFilter(QuietDrops())


class Emulator(LoopbackServer):
    """One emulated X: its world, its ASGI app and (once started) its server."""

    what = "emulator"
    backlog = 2048
    thread_name = "x-emulator"

    def __init__(self, config: EmulatorConfig | None = None) -> None:
        self.config = config if config is not None else EmulatorConfig()
        self.world = World(self.config)
        super().__init__(build_app(self.world))
        self._fixture_dir: Path | None = None

    def _config(self, log_level: str) -> dict[str, Any]:
        _quiet_drops()
        return {**super()._config(log_level), "timeout_keep_alive": 30}

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
