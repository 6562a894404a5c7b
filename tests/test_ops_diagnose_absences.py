"""`diagnose` tells normal absences ("none yet") from abnormal ones ("missing"): issue 9/16."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from twitter_blocker.cli.run import root
from twitter_blocker.emulator import Emulator


def _diagnose(folder: Path, base: str, *extra: str) -> str:
    args = ["diagnose", "--data-dir", str(folder), "--api-base", base, "--probe-timeout", "2"]
    return CliRunner().invoke(root, [*args, *extra]).output


def _file_lines(out: str) -> dict[str, str]:
    section = out.split("== Important files ==")[1].split("==")[0]
    lines = [line.strip() for line in section.splitlines() if line.strip()]
    return {line[9:].split(":")[0]: line for line in lines}  # "ok       ", "none yet "


def test_a_fresh_data_directory_lists_what_comes_later_as_none_yet(
    tmp_path: Path, emulator: Emulator
) -> None:
    emulator.write_fixture(tmp_path)  # cookies and targets, nothing run yet
    out = _diagnose(tmp_path, emulator.base_url)
    files = _file_lines(out)
    for label in ("database", "database WAL", "cache", "log", "error log", "backups"):
        assert files[label].startswith("none yet"), (label, out)
    assert "missing" not in out.split("== Important files ==")[1].split("==")[0], out
    data = json.loads(_diagnose(tmp_path, emulator.base_url, "--format", "json"))
    wal = next(f for f in data["files"] if f["label"] == "database WAL")
    assert wal["exists"] is False and wal["required"] is False


def test_inputs_a_run_needs_are_missing(tmp_path: Path, emulator: Emulator) -> None:
    emulator.write_fixture(tmp_path)
    (tmp_path / "users.json").unlink()
    (tmp_path / "cookies.json").unlink()
    files = _file_lines(_diagnose(tmp_path, emulator.base_url))
    assert files["targets"].startswith("missing") and files["cookies"].startswith("missing")


def test_a_database_gone_while_backups_exist_is_missing(tmp_path: Path, emulator: Emulator) -> None:
    emulator.write_fixture(tmp_path)
    folder = tmp_path / "backup" / "auto_20261129_1200"
    folder.mkdir(parents=True)
    (folder / "block_history.db").write_bytes(b"x")
    files = _file_lines(_diagnose(tmp_path, emulator.base_url))
    assert files["database"].startswith("missing")
    assert files["database WAL"].startswith("none yet")
