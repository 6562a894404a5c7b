"""`auth check` records its verdict where diagnose and health read it (issue 9 item 12)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from twitter_blocker.cli.run import root
from twitter_blocker.config import resolve_paths
from twitter_blocker.emulator import Emulator
from twitter_blocker.ops.diagnosis.diagnose import diagnose
from twitter_blocker.ops.diagnosis.facts import AuthState
from twitter_blocker.ops.diagnosis.health import Level as HealthLevel
from twitter_blocker.ops.diagnosis.health import check_cookies
from twitter_blocker.ops.diagnosis.levels import Symptom
from twitter_blocker.store.history import History


@pytest.fixture
def data_dir(tmp_path: Path, emulator: Emulator) -> Path:
    emulator.write_fixture(tmp_path)
    History.open(tmp_path / "block_history.db").close()
    return tmp_path


def _invoke(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(root, list(args))
    return result.exit_code, result.output


def _set_auth_token(folder: Path, value: str | None) -> str:
    """Replace auth_token (None: leave it); returns the previous value."""
    cookies = json.loads((folder / "cookies.json").read_text())
    old = next(c["value"] for c in cookies if c["name"] == "auth_token")
    for cookie in cookies:
        if cookie["name"] == "auth_token" and value is not None:
            cookie["value"] = value
    (folder / "cookies.json").write_text(json.dumps(cookies))
    os.chmod(folder / "cookies.json", 0o600)
    return old


def test_a_successful_auth_check_clears_a_recorded_auth_failure(
    data_dir: Path, emulator: Emulator
) -> None:
    folder, base = str(data_dir), emulator.base_url
    good = _set_auth_token(data_dir, "f" * 40)
    code, out = _invoke("--max-users", "1", "--data-dir", folder, "--api-base", base)
    assert code == 3, out
    paths = resolve_paths(data_dir=data_dir, env={})
    before = diagnose(paths, base)
    assert Symptom.AUTH_FAILED in {f.symptom for f in before.findings}

    _set_auth_token(data_dir, good)  # the user re-imported working cookies
    code, out = _invoke("auth", "check", "--data-dir", folder, "--api-base", base)
    assert code == 0, out

    after = diagnose(paths, base)
    assert after.auth.state is AuthState.OK, after.auth
    assert "auth check" in after.auth.detail
    assert Symptom.AUTH_FAILED not in {f.symptom for f in after.findings}
    assert check_cookies(paths).level is HealthLevel.OK


def test_a_rejected_auth_check_is_recorded_as_a_failure(data_dir: Path, emulator: Emulator) -> None:
    folder, base = str(data_dir), emulator.base_url
    code, out = _invoke("--max-users", "1", "--data-dir", folder, "--api-base", base)
    assert code == 0, out
    _set_auth_token(data_dir, "f" * 40)
    code, out = _invoke("auth", "check", "--data-dir", folder, "--api-base", base)
    assert code == 3, out
    report = diagnose(resolve_paths(data_dir=data_dir, env={}), base)
    assert report.auth.state is AuthState.FAILED
    assert "auth check" in report.auth.detail


def test_auth_check_creates_no_database(tmp_path: Path, emulator: Emulator) -> None:
    emulator.write_fixture(tmp_path)
    code, out = _invoke(
        "auth", "check", "--data-dir", str(tmp_path), "--api-base", emulator.base_url
    )
    assert code == 0, out
    assert not (tmp_path / "block_history.db").exists()
