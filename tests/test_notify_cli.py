"""`incident list|show|close|postmortem N` from the records; where notify URLs come from."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from test_cli_support import (
    _restore_process_state,  # noqa: F401  (autouse fixture)
    invoke,
)
from test_notify import QUIET, Receiver
from test_ops_health import _corrupt, healthy_dir, probes

from twitter_blocker.ops.diagnosis.health import check_health
from twitter_blocker.ops.maintenance.schedule import Format, build_schedule
from twitter_blocker.ops.reports.incident_sources import from_health
from twitter_blocker.ops.reports.notify import after_check


@pytest.fixture
def hook() -> Iterator[Receiver]:
    receiver = Receiver()
    yield receiver
    receiver.server.shutdown()
    receiver.server.server_close()


def _disk_incident(paths_dir: Path, url: str) -> None:
    paths = healthy_dir(paths_dir)
    start = datetime.now(UTC) - timedelta(hours=5)
    for disk, at in (
        (99.0, start),
        (99.0, start + timedelta(hours=4)),
        (50.0, start + timedelta(hours=5)),
    ):
        report = check_health(paths, probes=probes(disk=disk))
        after_check(paths, from_health(paths, report), (url,), now=at)


def test_list_show_and_postmortem_come_from_the_records(tmp_path: Path, hook: Receiver) -> None:
    _disk_incident(tmp_path, hook.url)
    listed = invoke(["incident", "list", "--data-dir", str(tmp_path)])
    assert listed.exit_code == 0, listed.stderr
    line = listed.stdout.splitlines()[1]
    assert line.split()[:4] == ["1", "2", "closed", "disk_pressure"], listed.stdout
    shown = invoke(["incident", "show", "1", "--data-dir", str(tmp_path)])
    assert shown.exit_code == 0, shown.stderr
    for word in ("escalated", "closed", "opened", "disk 99.0% used"):
        assert word in shown.stdout, (word, shown.stdout)
    data = json.loads(invoke(["incident", "list", "--json", "--data-dir", str(tmp_path)]).stdout)
    assert data[0]["condition"] == "disk_pressure" and data[0]["escalated_at"]
    written = invoke(["incident", "postmortem", "1", "--lang", "en", "--data-dir", str(tmp_path)])
    assert written.exit_code == 0, written.stderr
    text = (tmp_path / "incidents" / "incident-1-postmortem.md").read_text()
    timeline = [row for row in text.splitlines() if "incident #1" in row]
    assert [row.split("|")[3].split()[-1] for row in timeline] == ["opened", "escalated", "closed"]
    assert "unresolved" not in text.split("## Response timeline")[0]
    missing = invoke(["incident", "show", "9", "--data-dir", str(tmp_path)])
    assert missing.exit_code == 2 and missing.stderr.startswith("error: incident 9")


def test_close_by_hand_sends_one_closed_message(tmp_path: Path, hook: Receiver) -> None:
    paths = healthy_dir(tmp_path)
    _corrupt(paths.db)
    args = ["--data-dir", str(tmp_path), "--notify", hook.url]
    assert invoke(["health", *args, *QUIET]).exit_code == 2
    closed = invoke(["incident", "close", "1", *args])
    assert closed.exit_code == 0, closed.stderr
    assert len(hook.titles("closed")) == 1, hook.messages
    again = invoke(["incident", "close", "1", *args])
    assert "already closed" in again.stdout
    assert len(hook.titles("closed")) == 1


def test_urls_from_the_environment_and_config_toml(tmp_path: Path, hook: Receiver) -> None:
    paths = healthy_dir(tmp_path)
    _corrupt(paths.db)
    second = Receiver()
    try:
        (tmp_path / "config.toml").write_text(f'[notify]\nurls = ["{second.url}"]\n')
        env = {"TWITTER_BLOCKER_NOTIFY": hook.url}
        result = invoke(["health", "--data-dir", str(tmp_path), *QUIET], env=env)
        assert result.exit_code == 2
        assert len(hook.titles("opened")) == 1 and len(second.titles("opened")) == 1
    finally:
        second.server.shutdown()
        second.server.server_close()


def test_a_bad_config_or_url_is_one_line_exit_2_and_writes_nothing(tmp_path: Path) -> None:
    paths = healthy_dir(tmp_path)
    (tmp_path / "config.toml").write_text("[notify]\nurls = 'json://x'\n")
    result = invoke(["health", "--data-dir", str(tmp_path), *QUIET])
    assert result.exit_code == 2
    assert result.stderr.startswith("error: ") and "notify.urls" in result.stderr
    (tmp_path / "config.toml").unlink()
    bad = invoke(["health", "--data-dir", str(tmp_path), "--notify", "nosuch://token@x"])
    assert bad.exit_code == 2 and "--notify" in bad.stderr and "token" not in bad.stderr
    assert not (tmp_path / "incidents.db").exists()
    assert paths.db.exists()


def test_schedule_passes_the_notify_urls_to_the_health_check(tmp_path: Path) -> None:
    paths = healthy_dir(tmp_path)
    url = "ntfy://ntfy.example/blocker"
    for fmt in Format:
        text = build_schedule(paths, fmt, executable=("/bin/tb",), notify=(url,)).text
        health = [line for line in text.splitlines() if "health" in line and "/bin/tb" in line]
        assert health and all(f"--notify {url}" in line for line in health), text
    plain = build_schedule(paths, Format.CRON, executable=("/bin/tb",)).text
    assert "--notify" not in plain
    cli = invoke(["schedule", "--data-dir", str(tmp_path), "--notify", url])
    assert cli.exit_code == 0 and f"--notify {url}" in cli.stdout


def test_diagnose_and_health_share_one_record_of_a_damaged_database(
    tmp_path: Path, hook: Receiver
) -> None:
    paths = healthy_dir(tmp_path)
    _corrupt(paths.db)
    where = ["--data-dir", str(tmp_path), "--notify", hook.url]
    found = invoke(
        ["diagnose", *where, "--api-base", "http://127.0.0.1:9", "--probe-timeout", "0.2"]
    )
    assert found.exit_code == 1, found.stderr
    assert len(hook.titles("opened")) == 1, hook.messages
    assert invoke(["health", *where, *QUIET]).exit_code == 2
    assert len(hook.titles("opened")) == 1, hook.messages
    listed = invoke(["incident", "list", "--json", "--data-dir", str(tmp_path)])
    rows = json.loads(listed.stdout)
    assert [(r["condition"], r["source"], r["seen"]) for r in rows] == [
        ("db_damaged", "diagnose", 2)
    ]


def test_incident_new_from_a_record_takes_its_level_and_window(
    tmp_path: Path, hook: Receiver
) -> None:
    _disk_incident(tmp_path, hook.url)
    args = ["--data-dir", str(tmp_path), "--api-base", "http://127.0.0.1:9"]
    written = invoke(["incident", "new", "--record", "1", "--lang", "en", *args])
    assert written.exit_code == 0, written.stderr
    assert "(level 2)" in written.stdout
    report = next((tmp_path / "incidents").glob("INC-*.md")).read_text()
    opened = json.loads(invoke(["incident", "list", "--json", *args[:2]]).stdout)[0]["opened_at"]
    assert f'"window_start": "{opened}"' in report
    missing = invoke(["incident", "new", "--record", "7", *args])
    assert missing.exit_code == 2 and "incident 7" in missing.stderr


def test_health_that_records_an_incident_still_imports_nothing_heavy(tmp_path: Path) -> None:
    healthy_dir(tmp_path)
    code = (
        "import sys, json\n"
        "from twitter_blocker.cli.run import root\n"
        "try:\n"
        f"    root(['health', '--data-dir', {str(tmp_path)!r}, '--disk-threshold', '0'],"
        " prog_name='twitter-blocker')\n"
        "except SystemExit as exc:\n"
        "    code = exc.code\n"
        "heavy = [m for m in ('rich', 'starlette', 'uvicorn', 'httpx', 'apprise')"
        " if m in sys.modules]\n"
        "print(json.dumps({'code': code, 'heavy': heavy}))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert result["heavy"] == [] and result["code"] in (1, 2), result  # disk above 0 %
    rows = json.loads(invoke(["incident", "list", "--json", "--data-dir", str(tmp_path)]).stdout)
    assert "disk_pressure" in {r["condition"] for r in rows}
