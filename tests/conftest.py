"""Shared test fixtures. Topic fixtures live in tests/fixtures_*.py plugins listed below."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from twitter_blocker.emulator import Emulator, EmulatorConfig, start_emulator

# --- the X emulator ----------------------------------------------------------------------------
EMULATOR_DEFAULTS: dict[str, Any] = {"seed": 1, "population": 200, "window_seconds": 900.0}


@pytest.fixture
def emulator_factory() -> Iterator[Callable[..., Emulator]]:
    """``emulator_factory(**config_overrides) -> Emulator``: started now, stopped at teardown."""
    started: list[Emulator] = []

    def make(**overrides: Any) -> Emulator:
        emu = start_emulator(EmulatorConfig(**{**EMULATOR_DEFAULTS, **overrides}))
        started.append(emu)
        return emu

    yield make
    for emu in started:
        emu.stop()


@pytest.fixture
def emulator(emulator_factory: Callable[..., Emulator]) -> Emulator:
    """The default emulator: seed 1, population 200, 900 s windows."""
    return emulator_factory()


class EmulatorHttp:
    """A bare HTTP caller for emulator tests: the web app's headers and one viewer's cookies."""

    def __init__(self, emu: Emulator, viewer: int = 0, prefix: str = "/i/api") -> None:
        import httpx

        from twitter_blocker.emulator import DEFAULT_REQUIRED_FEATURES, WEB_BEARER

        self.emu = emu
        self.prefix = prefix
        self.features = {name: True for name in DEFAULT_REQUIRED_FEATURES}
        self.bearer = WEB_BEARER
        cookies = {c["name"]: c["value"] for c in emu.cookies(viewer)}
        self.auth_token, self.ct0 = cookies["auth_token"], cookies["ct0"]
        self.client = httpx.Client(base_url=emu.base_url, timeout=10.0)

    def headers(self, **overrides: str | None) -> dict[str, str]:
        values: dict[str, str | None] = {
            "authorization": f"Bearer {self.bearer}",
            "x-csrf-token": self.ct0,
            "x-twitter-auth-type": "OAuth2Session",
            "x-twitter-active-user": "yes",
            "cookie": f"auth_token={self.auth_token}; ct0={self.ct0}",
        }
        values.update(overrides)
        return {k: v for k, v in values.items() if v is not None}

    def gql(
        self,
        operation: str,
        variables: dict[str, Any] | None = None,
        *,
        features: dict[str, Any] | None = None,
        **header_overrides: str | None,
    ) -> Any:
        import json

        from twitter_blocker.emulator.config import GRAPHQL_OPERATIONS
        from twitter_blocker.emulator.queryids import current_id

        known = operation in GRAPHQL_OPERATIONS
        query_id = current_id(self.emu.world.switches, operation) if known else "QueryIdX"
        params = {
            "variables": json.dumps(variables or {}),
            "features": json.dumps(self.features if features is None else features),
        }
        return self.client.get(
            f"{self.prefix}/graphql/{query_id}/{operation}",
            params=params,
            headers=self.headers(**header_overrides),
        )

    def get(self, path: str, params: dict[str, str] | None = None, **hdr: str | None) -> Any:
        return self.client.get(
            f"{self.prefix}/1.1/{path}", params=params, headers=self.headers(**hdr)
        )

    def post(self, path: str, data: dict[str, str] | None = None, **hdr: str | None) -> Any:
        return self.client.post(f"{self.prefix}/1.1/{path}", data=data, headers=self.headers(**hdr))

    def close(self) -> None:
        self.client.close()


@pytest.fixture
def emulator_http() -> Iterator[Callable[..., EmulatorHttp]]:
    """``emulator_http(emu, viewer=0, prefix="/i/api") -> EmulatorHttp``, closed at teardown."""
    made: list[EmulatorHttp] = []

    def make(emu: Emulator, viewer: int = 0, prefix: str = "/i/api") -> EmulatorHttp:
        http = EmulatorHttp(emu, viewer, prefix)
        made.append(http)
        return http

    yield make
    for http in made:
        http.close()


# --- the interface language -------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _english_by_default(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Tests assert English texts: a Japanese locale on the machine must not change them.
    Tests of the Japanese interface (tests/test_i18n.py) choose the language themselves."""
    from twitter_blocker.messages import set_language

    monkeypatch.setenv("TWITTER_BLOCKER_LANG", "en")
    yield
    set_language("en")
