"""`twitter-blocker emulator`: serves on loopback, writes the fixture, refuses other hosts."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner

from twitter_blocker.cli.emulator import emulator


@pytest.mark.parametrize("host", ["0.0.0.0", "192.168.1.5", "example.com"])
def test_non_loopback_host_is_refused(host: str) -> None:
    result = CliRunner().invoke(emulator, ["--host", host])
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and "loopback" in lines[0] and host in lines[0]


def test_bad_switch_and_limit_are_usage_errors() -> None:
    runner = CliRunner()
    for args in (["--switch", "nope=1"], ["--limit", "Nope=3"], ["--limit", "Viewer=x"]):
        result = runner.invoke(emulator, args)
        assert result.exit_code == 2, args
        assert result.output.startswith("error: ")


def test_serves_and_writes_fixture(tmp_path: Path) -> None:
    fixture = tmp_path / "fx"
    proc = subprocess.Popen(
        [
            sys.executable, "-m", "twitter_blocker", "emulator", "--port", "0", "--seed", "3",
            "--population", "60", "--window-seconds", "30", "--write-fixture", str(fixture),
            "--switch", "not_found_code=34", "--limit", "Viewer=5",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=tmp_path,
    )  # fmt: skip
    try:
        assert proc.stdout is not None
        lines = [proc.stdout.readline(), proc.stdout.readline()]
        url = re.search(r"http://127\.0\.0\.1:\d+", "".join(lines))
        assert url, lines
        state = httpx.get(url.group(0) + "/__emulator__/state", timeout=10).json()
        assert state["switches"]["not_found_code"] == 34
        truth = json.loads((fixture / "truth.json").read_text())
        assert len(truth["targets"]) == 60
        assert truth == httpx.get(url.group(0) + "/__emulator__/truth", timeout=10).json()
        for name in ("cookies.json", "cookies_1.json", "users.json", "users_ids.json"):
            assert (fixture / name).is_file()
    finally:
        proc.terminate()
        proc.communicate(timeout=10)  # also closes the pipes


def test_switch_values_are_type_checked() -> None:
    for args in (["--switch", "drop_rate=abc"], ["--switch", "rate_limit_body=xml"]):
        result = CliRunner().invoke(emulator, args)
        assert result.exit_code == 2, args
        assert result.output.startswith("error: --switch ")
