"""`auth check|import`, `--test-user` and the emulator's fixture line say things once and
right (issue 9 items 15 and 20)."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest
from click.testing import CliRunner
from test_cli_support import (
    _restore_process_state,  # noqa: F401  (autouse fixture)
    invoke,
)

from twitter_blocker.cli.run import root
from twitter_blocker.emulator import Emulator
from twitter_blocker.errors import EXIT_AUTH, EXIT_OK, EXIT_USAGE


def _auth(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(root, ["auth", *args])
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def data_dir(tmp_path: Path, emulator: Emulator) -> Path:
    emulator.write_fixture(tmp_path)
    return tmp_path


# --- item 20: the cookie file's mode -----------------------------------------------------------


def test_auth_check_warns_when_others_can_read_the_cookie_file(
    data_dir: Path, emulator: Emulator
) -> None:
    cookies = data_dir / "cookies.json"
    args = ("check", "--data-dir", str(data_dir), "--api-base", emulator.base_url)
    os.chmod(cookies, 0o600)
    code, out, err = _auth(*args)
    assert code == EXIT_OK, out + err
    assert "chmod" not in out + err
    for mode in (0o644, 0o640, 0o604):
        os.chmod(cookies, mode)
        code, out, err = _auth(*args)
        assert code == EXIT_OK, out + err  # a warning, not a failure
        warning = [line for line in (out + err).splitlines() if "warning" in line]
        assert len(warning) == 1, out + err
        assert f"chmod 600 {cookies}" in warning[0], warning
        assert f"{mode:o}" in warning[0], warning


def test_auth_import_says_it_wrote_the_file_0600(tmp_path: Path) -> None:
    export = tmp_path / "export.txt"
    export.write_text("Cookie: auth_token=a1b2c3d4e5; ct0=f6f7f8f9; twid=u%3D12345\n")
    code, out, err = _auth("import", str(export), "--data-dir", str(tmp_path))
    assert code == 0, out + err
    assert stat.S_IMODE((tmp_path / "cookies.json").stat().st_mode) == 0o600
    assert "0600" in out.splitlines()[0], out


# --- item 15: auth check says its error once; --test-user checks the handle; fixture line -------


def test_auth_check_rejected_names_the_http_status_once(data_dir: Path, emulator: Emulator) -> None:
    cookies = json.loads((data_dir / "cookies.json").read_text())
    for cookie in cookies:
        if cookie["name"] == "auth_token":
            cookie["value"] = "0" * 40
    (data_dir / "cookies.json").write_text(json.dumps(cookies))
    args = ("check", "--data-dir", str(data_dir), "--api-base", emulator.base_url)
    code, out, err = _auth(*args)
    assert code == EXIT_AUTH
    assert (out + err).count("401") == 1, out + err


def test_auth_check_bad_file_prints_the_error_once_then_the_repair(tmp_path: Path) -> None:
    (tmp_path / "cookies.json").write_text('[{"name": "ct0", "value": "abc"}]')
    code, _out, err = _auth("check", "--data-dir", str(tmp_path), "--offline")
    assert code == EXIT_USAGE
    lines = [line for line in err.splitlines() if line.strip()]
    assert lines[0].startswith("error: ") and "auth_token" in lines[0], lines
    assert sum("auth_token' is missing" in line for line in lines) == 1, lines
    assert any("auth import" in line for line in lines[1:]), lines


def test_test_user_with_an_invalid_handle_says_so_without_a_call(
    tmp_path: Path, emulator: Emulator
) -> None:
    emulator.write_fixture(tmp_path)
    calls = emulator.state()["calls"]
    args = ["--data-dir", str(tmp_path), "--api-base", emulator.base_url, "--test-user"]
    result = invoke([*args, "bad name"])
    assert result.exit_code == EXIT_USAGE, result.stderr
    assert len(result.stderr_lines) == 1, result.stderr
    assert "invalid" in result.stderr_lines[0] and "bad name" in result.stderr_lines[0]
    assert "not_found" not in result.stderr
    assert emulator.state()["calls"] == calls


def test_emulator_fixture_line_names_every_cookie_file(tmp_path: Path) -> None:
    from twitter_blocker.cli.emulator import fixture_files

    assert fixture_files(2) == (
        "cookies.json, cookies_1.json, users.json, users_ids.json, truth.json, truth_1.json"
    )
    assert fixture_files(1) == "cookies.json, users.json, users_ids.json, truth.json"
