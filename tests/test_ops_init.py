"""`twitter-blocker init [DIR]`: the runbook's data directory, ready for `python3 main.py`
(issue 9 item 3)."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from twitter_blocker.cli.run import root
from twitter_blocker.emulator import Emulator


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_init_writes_the_runbook_layout(tmp_path: Path) -> None:
    target = tmp_path / "blocker"
    result = CliRunner().invoke(root, ["init", str(target)])
    assert result.exit_code == 0, result.output
    assert _mode(target) == 0o700
    for folder in ("cache", "backup"):
        assert (target / folder).is_dir() and _mode(target / folder) == 0o700
    data = json.loads((target / "users.json").read_text())
    assert data["format"] == "screen_name" and data["users"] == []
    assert "twitter_blocker" in (target / "main.py").read_text()
    assert not (target / "cookies.json").exists()  # secrets come from `auth import`
    next_lines = [line for line in result.output.splitlines() if line.startswith("next:")]
    assert len(next_lines) == 1 and "auth import" in next_lines[0], result.output


def test_init_refuses_to_overwrite_and_writes_nothing(tmp_path: Path) -> None:
    (tmp_path / "users.json").write_text('["keep_me"]')
    result = CliRunner().invoke(root, ["init", str(tmp_path)])
    assert result.exit_code == 2, result.output
    assert "users.json" in result.output and "Traceback" not in result.output
    assert len(result.output.strip().splitlines()) == 1
    assert (tmp_path / "users.json").read_text() == '["keep_me"]'
    assert not (tmp_path / "main.py").exists() and not (tmp_path / "cache").exists()


def test_init_defaults_to_the_current_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(root, ["init"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "main.py").is_file() and (tmp_path / "cache").is_dir()


def test_main_py_runs_the_installed_package_from_the_data_dir(
    tmp_path: Path, emulator: Emulator
) -> None:
    assert CliRunner().invoke(root, ["init", str(tmp_path)]).exit_code == 0
    env = dict(os.environ, TWITTER_API_BASE=emulator.base_url)
    stats = subprocess.run(
        [sys.executable, "main.py", "--stats"], cwd=tmp_path, env=env,
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert stats.returncode == 0, stats.stderr


def test_main_py_says_how_to_find_the_package_when_python_cannot(tmp_path: Path) -> None:
    assert CliRunner().invoke(root, ["init", str(tmp_path)]).exit_code == 0
    bare = subprocess.run(
        [sys.executable, "-I", "-S", "main.py", "--stats"], cwd=tmp_path,
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert bare.returncode == 2, bare.stderr
    assert "Traceback" not in bare.stderr
    assert "activate" in bare.stderr and "pip install" in bare.stderr
