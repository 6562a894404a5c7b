"""The emulator as its own process, so the client's CPU and memory are measured alone.

Started as ``python -m twitter_blocker emulator --port P ... --write-fixture DIR`` on a free
loopback port; ready when ``GET /__emulator__/state`` answers and the fixture files exist.
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any

import httpx

from .measure import tail

FIXTURE_FILES = ("cookies.json", "users.json", "users_ids.json", "truth.json")
STATE_PATH = "/__emulator__/state"


class BenchError(RuntimeError):
    """The benchmark itself could not run (not a failed criterion)."""


@dataclass(frozen=True, slots=True)
class EmulatorSpec:
    population: int
    window_seconds: float
    seed: int = 1
    extra_args: tuple[str, ...] = ()  # limit and switch flags of `twitter-blocker emulator`


def free_port() -> int:
    """A loopback port nobody listens on right now (the emulator binds it a moment later)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class EmulatorProcess:
    """``with EmulatorProcess(spec, workdir) as emu:`` -> ``emu.base_url``, ``emu.state()``."""

    def __init__(self, spec: EmulatorSpec, workdir: Path, *, ready_timeout: float = 300.0) -> None:
        self.spec = spec
        self.fixture_dir = workdir / "fixture"
        self.log_file = workdir / "emulator.log"
        self.ready_timeout = ready_timeout
        self.port = 0
        self._proc: subprocess.Popen[bytes] | None = None
        self._http: httpx.Client | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def command(self) -> list[str]:
        spec = self.spec
        return [
            sys.executable,
            "-m",
            "twitter_blocker",
            "emulator",
            "--host",
            "127.0.0.1",
            "--port",
            str(self.port),
            "--seed",
            str(spec.seed),
            "--population",
            str(spec.population),
            "--window-seconds",
            repr(spec.window_seconds),
            "--write-fixture",
            str(self.fixture_dir),
            *spec.extra_args,
        ]

    def start(self) -> EmulatorProcess:
        self.fixture_dir.mkdir(parents=True, exist_ok=True)
        for name in FIXTURE_FILES:  # a stale fixture must not pass for a fresh one
            (self.fixture_dir / name).unlink(missing_ok=True)
        self.port = free_port()
        with self.log_file.open("wb") as log:
            self._proc = subprocess.Popen(
                self.command(), stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL
            )
        self._http = httpx.Client(base_url=self.base_url, timeout=30.0, trust_env=False)
        self._wait_ready()
        return self

    def _wait_ready(self) -> None:
        assert self._proc is not None and self._http is not None
        deadline = time.monotonic() + self.ready_timeout
        while time.monotonic() < deadline:
            if self._proc.poll() is not None:
                raise BenchError(
                    f"the emulator exited with {self._proc.returncode} before serving:\n"
                    + tail(self.log_file)
                )
            fixture_ready = all((self.fixture_dir / n).exists() for n in FIXTURE_FILES)
            if fixture_ready:
                try:
                    if self._http.get(STATE_PATH).status_code == 200:
                        return
                except httpx.TransportError:
                    pass
            time.sleep(0.1)
        self.stop()
        raise BenchError(f"the emulator did not serve within {self.ready_timeout:.0f} s")

    def state(self) -> dict[str, Any]:
        assert self._http is not None
        response = self._http.get(STATE_PATH)
        response.raise_for_status()
        data: dict[str, Any] = response.json()
        return data

    def truth(self) -> dict[str, Any]:
        data: dict[str, Any] = json.loads((self.fixture_dir / "truth.json").read_text("utf-8"))
        return data

    def stop(self) -> None:
        if self._http is not None:
            self._http.close()
            self._http = None
        proc, self._proc = self._proc, None
        if proc is None or proc.poll() is not None:
            return
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)

    def __enter__(self) -> EmulatorProcess:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
