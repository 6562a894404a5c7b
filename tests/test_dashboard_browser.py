"""The dashboard in a real browser (issue 14 item 9): two accounts run on the emulator over
real HTTP, `serve` shows them, headless Chromium renders the page while the runs go on and
after they end, and the numbers it shows are the ledgers' (`--stats --json`).

Chromium is driven through its own command line (``--dump-dom`` and ``--screenshot`` with
``--virtual-time-budget``): no WebDriver, no Python package, nothing downloaded. ``.ci/run``
installs Debian's ``chromium`` when it is missing; under ``CI=true`` a missing browser fails
this test instead of skipping it.

Timing: the runs are slowed by X's limits (a 3 s window of 5 blocks, about 30 blocks each)
and, while the page is rendered mid-run, by a 2 s latency on every call, not by the machine.
The page's figures then are checked against readings taken just before and just after the
render (each figure only grows or only shrinks), which holds at any speed; after the runs end
they must equal ``--stats --json`` exactly.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
from collections.abc import Callable, Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from test_cli_support import (
    _restore_process_state,  # noqa: F401  (autouse fixture)
    invoke,
    make_world,
    start_module,
)

from twitter_blocker.emulator import Emulator

Factory = Callable[..., Emulator]
BROWSERS = ("chromium", "chromium-browser", "google-chrome")
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
)
GROWING = ("total", "done", "blocked", "skipped", "failed", "permanent_failures", "blocks")
SCREENSHOT_ENV = "TWITTER_BLOCKER_DASHBOARD_SCREENSHOT"  # also copy the screenshot here


def browser() -> str:
    found = next((path for name in BROWSERS if (path := shutil.which(name))), None)
    if found is None:
        reason = "no headless Chromium (Debian: apt-get install chromium; .ci/run does)"
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    return found


class Fields(HTMLParser):
    """Every ``data-account``/``data-field`` element's text: {account: {field: text}}."""

    def __init__(self) -> None:
        super().__init__()
        self.found: dict[str, dict[str, str]] = {}
        self._open: tuple[str, str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        named = dict(attrs)
        account, field = named.get("data-account"), named.get("data-field")
        if account is not None and field is not None:
            self._open = (account, field)
            self.found.setdefault(account, {})[field] = ""

    def handle_data(self, data: str) -> None:
        if self._open is not None:
            account, field = self._open
            self.found[account][field] += data

    def handle_endtag(self, tag: str) -> None:
        self._open = None


class Chromium:
    def __init__(self, binary: str, workdir: Path) -> None:
        self.binary = binary
        self.workdir = workdir
        self.runs = 0

    def _run(self, *args: str) -> str:
        self.runs += 1
        profile = self.workdir / f"profile-{self.runs}"  # a fresh profile each time
        proc = subprocess.run(
            [self.binary, *FLAGS, f"--user-data-dir={profile}", *args],
            capture_output=True,
            text=True,
            timeout=90,
            check=False,
        )
        assert proc.returncode == 0, proc.stderr[-2000:]
        return proc.stdout

    def fields(self, url: str) -> dict[str, dict[str, str]]:
        dom = self._run("--virtual-time-budget=5000", "--dump-dom", url)
        assert 'data-loaded="yes"' in dom, dom[-2000:]
        parser = Fields()
        parser.feed(dom)
        return parser.found

    def screenshot(self, url: str, target: Path) -> None:
        self._run(
            "--virtual-time-budget=5000",
            "--hide-scrollbars",
            "--window-size=1280,1700",
            f"--screenshot={target}",
            url,
        )
        assert target.stat().st_size > 10_000


def stats(data: Path) -> dict[str, Any]:
    result = invoke(["--data-dir", str(data), "--stats", "--json"])
    assert result.exit_code == 0, result.stderr
    payload: dict[str, Any] = json.loads(result.stdout)
    return payload


def figures(payload: dict[str, Any]) -> dict[str, int]:
    """What the page shows under each ``data-field``, from a ``--stats --json`` document."""
    by = payload["by_status"]
    return {
        "total": payload["total"],
        "done": payload["done"],
        "pending": payload["pending"],
        "blocked": by.get("blocked", 0),
        "skipped": by.get("skipped", 0),
        "failed": by.get("failed", 0),
        "permanent_failures": payload["permanent_failures"],
        "retry_candidates": payload["retry_candidates"],
        "blocks": payload.get("actions", {}).get("counts", {}).get("block", 0),
    }


@pytest.fixture
def processes() -> Iterator[list[subprocess.Popen[str]]]:
    started: list[subprocess.Popen[str]] = []
    yield started
    for proc in started:
        if proc.poll() is None:
            proc.terminate()
        try:
            proc.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.communicate()


def _wait_running(data: Path, deadline: float) -> None:
    while time.monotonic() < deadline:
        last = stats(data)["last_run"] if (data / "block_history.db").exists() else None
        if last is not None and last["state"] == "running":
            return
        time.sleep(0.1)
    raise AssertionError(f"no run started in {data}")


def test_the_page_shows_the_ledgers_numbers_while_the_runs_go_on(
    tmp_path: Path, emulator_factory: Factory, processes: list[subprocess.Popen[str]]
) -> None:
    chromium = Chromium(browser(), tmp_path)
    world = make_world(
        emulator_factory,
        tmp_path,
        population=40,
        viewers=2,
        window_seconds=3.0,
        limits={"blocks/create": 5},
    )
    bob = tmp_path / "bob"
    bob.mkdir()
    shutil.copy(world.data / "cookies_1.json", bob / "cookies.json")
    shutil.copy(world.data / "users.json", bob / "users.json")
    accounts = {"data": world.data, "bob": bob}
    for data in accounts.values():
        args = ["--data-dir", str(data), "--api-base", world.emu.base_url, "--delay", "0"]
        processes.append(start_module([*args, "--all", "--auto-retry"], cwd=tmp_path))
    serve = start_module(
        ["serve", "--port", "0", "--data-dir", str(world.data), "--data-dir", str(bob)],
        cwd=tmp_path,
    )
    processes.append(serve)
    assert serve.stdout is not None
    banner = serve.stdout.readline()
    assert "dashboard serving on http://127.0.0.1:" in banner, banner + serve.stderr.read()
    url = banner.split(" on ", 1)[1].split(" ", 1)[0]
    deadline = time.monotonic() + 60
    for data in accounts.values():
        _wait_running(data, deadline)

    # While the runs go on: every figure lies between the readings around the render. Each
    # call to X takes 2 s meanwhile, so the runs are still going whatever the machine's speed.
    world.emu.set_switches(latency_ms=2000)
    before = {name: stats(data) for name, data in accounts.items()}
    shown = chromium.fields(url + "/")
    after = {name: stats(data) for name, data in accounts.items()}
    saw_running = False
    for name in accounts:
        page = shown[name]
        low, high = figures(before[name]), figures(after[name])
        for field in GROWING:
            assert low[field] <= int(page[field]) <= high[field], (name, field, page, low, high)
        assert high["pending"] <= int(page["pending"]) <= low["pending"], (name, page)
        states = {before[name]["last_run"]["state"], after[name]["last_run"]["state"]}
        assert page["state"] in states, (name, page["state"], states)
        saw_running = saw_running or page["state"] == "running"
    assert saw_running
    chromium.screenshot(url + "/", tmp_path / "dashboard-running.png")
    world.emu.set_switches(latency_ms=0)

    for proc in processes[:2]:
        assert proc.wait(timeout=180) == 0, proc.communicate()[1][-2000:]

    # After the runs: the page equals --stats --json for each account, on both pages.
    shown = chromium.fields(url + "/")
    for name, data in accounts.items():
        want = stats(data)
        page = shown[name]
        assert {k: int(page[k]) for k in figures(want)} == figures(want), name
        assert page["state"] == "done" and page["run_id"] == f"#{want['last_run']['id']}"
        assert page["overview_done"] == str(want["done"])
    truth_blocked = sum(1 for t in world.truth["targets"] if t["expected"] == "blocked")
    assert int(shown["data"]["blocks"]) == truth_blocked
    one = chromium.fields(url + "/account/bob")
    assert set(one) == {"bob"} and one["bob"]["done"] == shown["bob"]["done"]
    shot = tmp_path / "dashboard.png"
    chromium.screenshot(url + "/", shot)
    if os.environ.get(SCREENSHOT_ENV):
        shutil.copy(shot, os.environ[SCREENSHOT_ENV])
