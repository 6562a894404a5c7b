"""`auth check|import` and `ratelimit` over real files, a real database and the emulator."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner
from test_cli_support import cookie_secrets

from twitter_blocker.cli.run import root
from twitter_blocker.emulator import Emulator
from twitter_blocker.errors import EXIT_AUTH, EXIT_USAGE
from twitter_blocker.inputs.cookies import load_cookies
from twitter_blocker.ops.access.auth import Verdict, check_auth
from twitter_blocker.ops.access.ratelimit import rate_limit_report, wait_for_reset
from twitter_blocker.store.history import History
from twitter_blocker.x.models import CallRecord, RateInfo

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def data_dir(tmp_path: Path, emulator: Emulator) -> Path:
    emulator.write_fixture(tmp_path)
    return tmp_path


def _run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(root, list(args))
    return result.exit_code, result.output


def test_auth_check_accepts_the_emulator_session(data_dir: Path, emulator: Emulator) -> None:
    code, out = _run("auth", "check", "--data-dir", str(data_dir), "--api-base", emulator.base_url)
    assert code == 0, out
    truth = emulator.truth()["viewer"]
    assert f"@{truth['screen_name']}" in out and truth["user_id"] in out
    assert "auth_token" in out and "ct0" in out and "present" in out
    for secret in cookie_secrets(data_dir):
        assert secret not in out
    assert emulator.state()["calls"]  # one live call was made


def test_auth_check_rejected_cookies_exit_3_with_repair_steps(
    data_dir: Path, emulator: Emulator
) -> None:
    cookies = json.loads((data_dir / "cookies.json").read_text())
    for cookie in cookies:
        if cookie["name"] == "auth_token":
            cookie["value"] = "0" * 40
    (data_dir / "cookies.json").write_text(json.dumps(cookies))
    code, out = _run("auth", "check", "--data-dir", str(data_dir), "--api-base", emulator.base_url)
    assert code == EXIT_AUTH, out
    assert "rejected" in out
    assert "developer tools > Application > Cookies" in out
    assert "twitter-blocker auth import FILE" in out
    for secret in cookie_secrets(data_dir):
        assert secret not in out
    report = check_auth(data_dir / "cookies.json", emulator.base_url)
    assert report.verdict is Verdict.REJECTED and report.verdict.exit_code == EXIT_AUTH


@pytest.mark.parametrize(
    "content", ["", "{not json", '[{"name": "ct0", "value": "abc", "domain": ".x.com"}]']
)
def test_auth_check_bad_file_exit_2(tmp_path: Path, content: str) -> None:
    (tmp_path / "cookies.json").write_text(content)
    code, out = _run(
        "auth", "check", "--data-dir", str(tmp_path), "--api-base", "http://127.0.0.1:9"
    )
    assert code == EXIT_USAGE, out
    assert "cookies.json" in out
    assert "Traceback" not in out


def test_auth_check_missing_file_exit_2(tmp_path: Path) -> None:
    code, out = _run("auth", "check", "--data-dir", str(tmp_path), "--offline")
    assert code == EXIT_USAGE
    assert "cookie file not found" in out


def test_auth_import_header_writes_0600_and_keeps_old_aside(tmp_path: Path) -> None:
    old = tmp_path / "cookies.json"
    old.write_text('{"auth_token": "old-token-value", "ct0": "old-ct0-value"}')
    os.chmod(old, 0o644)
    export = tmp_path / "export.txt"
    export.write_text("Cookie: auth_token=a1b2c3d4e5; ct0=f6f7f8f9; twid=u%3D12345\n")
    code, out = _run("auth", "import", str(export), "--data-dir", str(tmp_path))
    assert code == 0, out
    assert stat.S_IMODE(old.stat().st_mode) == 0o600
    cookies = load_cookies(old)
    assert (cookies.auth_token, cookies.ct0, cookies.user_id) == ("a1b2c3d4e5", "f6f7f8f9", "12345")
    asides = list(tmp_path.glob("cookies.json.bak-*"))
    assert len(asides) == 1
    assert stat.S_IMODE(asides[0].stat().st_mode) == 0o600
    assert "old-token-value" in asides[0].read_text()
    for secret in ("a1b2c3d4e5", "f6f7f8f9", "old-token-value"):
        assert secret not in out


def test_auth_import_from_stdin_netscape(tmp_path: Path) -> None:
    text = (
        "# Netscape HTTP Cookie File\n"
        ".x.com\tTRUE\t/\tTRUE\t0\tauth_token\tabcdefabcdef\n"
        ".x.com\tTRUE\t/\tTRUE\t0\tct0\t123456123456\n"
    )
    result = CliRunner().invoke(
        root, ["auth", "import", "-", "--data-dir", str(tmp_path)], input=text
    )
    assert result.exit_code == 0, result.output
    cookies = load_cookies(tmp_path / "cookies.json")
    assert cookies.auth_token == "abcdefabcdef"
    assert not list(tmp_path.glob("cookies.json.bak-*"))


def test_auth_import_bad_export_writes_nothing(tmp_path: Path) -> None:
    old = tmp_path / "cookies.json"
    old.write_text('{"auth_token": "keep", "ct0": "keep2"}')
    export = tmp_path / "bad.json"
    export.write_text('{"ct0": "only"}')
    code, out = _run("auth", "import", str(export), "--data-dir", str(tmp_path))
    assert code == EXIT_USAGE
    assert "auth_token" in out
    assert old.read_text() == '{"auth_token": "keep", "ct0": "keep2"}'
    assert not list(tmp_path.glob("cookies.json.bak-*"))


def test_runbook_twitter_api_one_liner_from_the_data_dir(
    data_dir: Path, emulator: Emulator
) -> None:
    env = dict(os.environ, TWITTER_API_BASE=emulator.base_url, PYTHONPATH=str(ROOT))
    env.pop("TWITTER_COOKIES_PATH", None)
    code = (
        "from twitter_blocker.twitter_api import TwitterAPI; "
        "print(TwitterAPI().get_login_user_info())"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=data_dir, env=env, capture_output=True, text=True
    )
    assert out.returncode == 0, out.stderr
    assert emulator.truth()["viewer"]["screen_name"] in out.stdout


# --- ratelimit -----------------------------------------------------------------------------


def _db_with_windows(folder: Path, now: float) -> Path:
    db = folder / "block_history.db"
    history = History.open(db)
    budgets = history.budgets
    budgets.update("42", "blocks/create", RateInfo(limit=187, remaining=0, reset=now + 600))
    budgets.update("42", "UsersByRestIds", RateInfo(limit=500, remaining=480, reset=now + 300))
    run_id = history.start_run("test", 1)
    history.add_attempts(
        run_id,
        [CallRecord("blocks/create", now - 5, 0.1, 429, 88, "Rate limit exceeded", "rate_limited")],
    )
    history.close()
    return db


def test_ratelimit_reports_windows_and_last_429(tmp_path: Path) -> None:
    now = time.time()
    db = _db_with_windows(tmp_path, now)
    report = rate_limit_report(db, now=now)
    ops = {op.operation: op for op in report.operations}
    assert ops["blocks/create"].exhausted and not ops["UsersByRestIds"].exhausted
    assert report.last_429 is not None and report.last_429.operation == "blocks/create"
    assert report.wait_until == pytest.approx(now + 600)
    code, out = _run("ratelimit", "--data-dir", str(tmp_path))
    assert code == 0
    assert "blocks/create" in out and "SPENT" in out and "UTC" in out and "local" in out
    assert "last 429: blocks/create" in out
    code, out = _run("ratelimit", "--json", "--data-dir", str(tmp_path))
    data = json.loads(out)
    assert {op["operation"] for op in data["operations"]} == {"blocks/create", "UsersByRestIds"}
    assert data["last_429"]["http_status"] == 429


def test_ratelimit_without_state(tmp_path: Path) -> None:
    code, out = _run("ratelimit", "--wait", "--data-dir", str(tmp_path))
    assert code == 0
    assert "no rate-limit state" in out and "nothing to wait for" in out


def test_ratelimit_wait_sleeps_until_reset(tmp_path: Path) -> None:
    now = time.time()
    db = tmp_path / "block_history.db"
    history = History.open(db)
    history.budgets.update("42", "blocks/create", RateInfo(limit=1, remaining=0, reset=now + 0.3))
    history.close()
    code, out = _run("ratelimit", "--wait", "--data-dir", str(tmp_path))
    assert code == 0, out
    assert "the window has reset" in out
    assert time.time() >= now + 0.3


def test_wait_for_reset_is_interruptible() -> None:
    stop = threading.Event()
    threading.Timer(0.1, stop.set).start()
    assert wait_for_reset(time.time() + 60, stop=stop) is False


def test_429_without_window_assumes_fifteen_minutes(tmp_path: Path) -> None:
    now = datetime.now(UTC).timestamp()
    db = tmp_path / "block_history.db"
    history = History.open(db)
    history.add_attempts(
        None, [CallRecord("UserByScreenName", now - 60, 0.1, 429, 88, None, "rate_limited")]
    )
    history.close()
    report = rate_limit_report(db, now=now)
    assert report.wait_until == pytest.approx(now - 60 + 900, abs=1)
