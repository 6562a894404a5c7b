"""`incident new|postmortem`: reports filled from diagnose, attempts, error_log and backups."""

from __future__ import annotations

import json
import os
import stat
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner
from test_cli_support import cookie_secrets

from twitter_blocker.cli.run import root
from twitter_blocker.emulator import Emulator
from twitter_blocker.ops.reports.incident import next_id
from twitter_blocker.store.history import History
from twitter_blocker.x.models import CallRecord


@pytest.fixture
def data_dir(tmp_path: Path, emulator: Emulator) -> Path:
    """A data dir after a bad run: auth failures, a leaked secret in the logs, a stop, a backup."""
    emulator.write_fixture(tmp_path)
    token, ct0 = cookie_secrets(tmp_path)
    now = time.time()
    history = History.open(tmp_path / "block_history.db")
    run_id = history.start_run("python3 main.py --all", 5)
    history.add_attempts(
        run_id,
        [
            CallRecord("UserByScreenName", now - 120, 0.1, 200, None, None, "ok"),
            CallRecord("blocks/create", now - 90, 0.1, 503, 130, "Over capacity", "transient"),
            CallRecord("blocks/create", now - 60, 0.1, 401, 32, "Not authenticated", "auth_failed"),
        ],
        user_id="12345",
    )  # fmt: skip
    history.end_run(run_id, status="interrupted", exit_code=75, end_reason="interrupted", counts={})
    history.close()
    entries = [
        {"at": now - 60, "operation": "blocks/create", "http_status": 401, "code": 32,
         "message": f"Could not authenticate; cookie auth_token={token}", "outcome": "auth_failed"},
        {"at": now - 50, "operation": "Viewer", "http_status": 403, "code": 353,
         "message": f"csrf mismatch for {ct0}", "outcome": "csrf_mismatch"},
        {"at": now - 99999, "operation": "old", "message": "long before the window"},
    ]  # fmt: skip
    (tmp_path / "error_log.jsonl").write_text(
        "".join(json.dumps(e) + "\n" for e in entries) + "not json\n"
    )
    (tmp_path / "twitter_blocker.log").write_text(f"ERROR cookie: auth_token={token}; ct0={ct0}\n")
    backup = tmp_path / "emergency_backup_20261129_010203"
    backup.mkdir(mode=0o700)
    (backup / "manifest.json").write_text("{}")
    return tmp_path


def _invoke(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(root, list(args))
    return result.exit_code, result.output


def test_incident_new_fills_the_japanese_template(data_dir: Path, emulator: Emulator) -> None:
    base = ["--data-dir", str(data_dir), "--api-base", emulator.base_url]
    code, out = _invoke("incident", "new", "--level", "1", "--reporter", "oncall", *base)
    assert code == 0, out
    today = datetime.now(UTC).strftime("%Y%m%d")
    path = data_dir / "incidents" / f"INC-{today}-001.md"
    assert str(path) in out
    text = path.read_text()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert "# 🚨 緊急インシデント報告" in text
    assert "**重要度**: レベル1: 重大（システム停止）" in text
    assert "**検出者**: oncall" in text
    assert "即座（5分以内）" in text
    assert "blocks/create HTTP 401 code 32 auth_failed" in text  # from attempts
    assert "csrf_mismatch" in text  # from error_log.jsonl
    assert "long before the window" not in text
    assert "- [x] 緊急停止実行 (run #1" in text  # the run ended interrupted in the window
    assert "- [x] バックアップ作成 (`emergency_backup_20261129_010203`)" in text
    assert "- [x] 問題診断実行" in text
    assert "認証完全失敗" in text  # the diagnosis saw the recorded auth failure
    assert "**データ影響**: なし（整合性チェック ok）" in text
    for secret in cookie_secrets(data_dir):
        assert secret not in text
        assert secret not in out
    code, out = _invoke("incident", "new", "--lang", "en", *base)
    assert code == 0, out
    second = data_dir / "incidents" / f"INC-{today}-002.md"
    english = second.read_text()
    assert "# 🚨 Incident report" in english
    assert "Level 1: critical" in english  # detected: recorded auth failure
    assert "- [x] backup taken" in english


def test_postmortem_timeline_from_the_window(data_dir: Path, emulator: Emulator) -> None:
    base = ["--data-dir", str(data_dir), "--api-base", emulator.base_url]
    code, out = _invoke("incident", "new", "--level", "2", "--since", "2h", "--json", *base)
    assert code == 0, out
    incident_id = json.loads(out)["incident_id"]
    code, out = _invoke("incident", "postmortem", incident_id, "--data-dir", str(data_dir))
    assert code == 0, out
    path = data_dir / "incidents" / f"{incident_id}-postmortem.md"
    text = path.read_text()
    assert "# インシデント事後報告書" in text
    assert f"**インシデントID**: {incident_id}" in text
    assert "レベル2" in text
    assert "| 実行 #1 | 開始 `python3 main.py --all`" in text
    assert "| 実行 #1 | 終了" in text and "中断、終了コード 75" in text
    assert "blocks/create HTTP 503 code 130 transient" in text
    assert "バックアップ `emergency_backup_20261129_010203`" in text
    assert f"インシデント報告 {incident_id}" in text
    assert "**影響ユーザー数**: 1" in text
    for secret in cookie_secrets(data_dir):
        assert secret not in text
    code, out = _invoke("incident", "postmortem", incident_id, "--data-dir", str(data_dir))
    assert code == 2, out  # never overwrites an edited postmortem
    assert "never overwrites" in out
    assert path.read_text() == text


def test_postmortem_unknown_id_exit_2(tmp_path: Path) -> None:
    code, out = _invoke("incident", "postmortem", "INC-20990101-001", "--data-dir", str(tmp_path))
    assert code == 2
    assert "INC-20990101-001" in out and "incident new" in out


def test_ids_count_up_per_day(tmp_path: Path) -> None:
    folder = tmp_path / "incidents"
    day = datetime(2026, 11, 29, 23, 59, tzinfo=UTC)
    assert next_id(folder, day) == "INC-20261129-001"
    folder.mkdir()
    for name in ("INC-20261129-001.md", "INC-20261129-007.md", "INC-20261129-007-postmortem.md",
                 "INC-20261128-009.md"):  # fmt: skip
        (folder / name).write_text("x")
    assert next_id(folder, day) == "INC-20261129-008"
    assert next_id(folder, datetime(2026, 11, 30, tzinfo=UTC)) == "INC-20261130-001"


def test_bad_since_is_an_input_error(tmp_path: Path) -> None:
    code, out = _invoke(
        "incident", "new", "--since", "yesterday", "--data-dir", str(tmp_path),
        "--api-base", "http://127.0.0.1:9",
    )  # fmt: skip
    assert code == 2 and "--since" in out
    assert not (tmp_path / "incidents").exists() or not os.listdir(tmp_path / "incidents")
