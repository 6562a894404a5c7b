"""`diagnose`: facts, levels and next steps from real files, a real database and the emulator."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from test_cli_support import cookie_secrets

from twitter_blocker.cli.run import root
from twitter_blocker.config import resolve_paths
from twitter_blocker.emulator import Emulator
from twitter_blocker.ops.access.ratelimit import RateLimitReport
from twitter_blocker.ops.diagnosis.diagnose import classify, diagnose
from twitter_blocker.ops.diagnosis.facts import (
    AuthFact,
    AuthState,
    DbFact,
    DiskFact,
    MemoryFact,
    NetworkFact,
    tail_lines,
)
from twitter_blocker.ops.diagnosis.levels import Level, Symptom
from twitter_blocker.ops.redact import redact
from twitter_blocker.proc.facts import ProcessFacts
from twitter_blocker.store.history import History
from twitter_blocker.x.models import CallRecord, RateInfo


@pytest.fixture
def data_dir(tmp_path: Path, emulator: Emulator) -> Path:
    emulator.write_fixture(tmp_path)
    History.open(tmp_path / "block_history.db").close()
    return tmp_path


def _diagnose(folder: Path, base: str, *extra: str) -> tuple[int, str]:
    args = ["diagnose", "--data-dir", str(folder), "--api-base", base, "--probe-timeout", "2"]
    result = CliRunner().invoke(root, [*args, *extra])
    return result.exit_code, result.output


def test_healthy_data_dir_has_no_level(data_dir: Path, emulator: Emulator) -> None:
    code, out = _diagnose(data_dir, emulator.base_url, "--format", "json")
    data = json.loads(out)
    assert code == 0, out
    assert data["level"] is None and data["findings"] == []
    assert data["db"]["ok"] and data["network"]["reachable"]
    assert data["process"]["running"] is False
    names = {f["label"]: f for f in data["files"]}
    assert names["cookies"]["exists"] and names["cookies"]["mode"] == "0600"
    assert names["targets"]["exists"] and names["database"]["size"] > 0


def test_secrets_never_appear_in_any_format(data_dir: Path, emulator: Emulator) -> None:
    token, ct0 = cookie_secrets(data_dir)
    (data_dir / "twitter_blocker.log").write_text(
        "2026-11-29T00:00:00Z INFO start\n"
        f"2026-11-29T00:00:01Z DEBUG cookie: auth_token={token}; ct0={ct0}\n"
        f'2026-11-29T00:00:02Z DEBUG headers {{"x-csrf-token": "{ct0}"}}\n'
        f"2026-11-29T00:00:03Z ERROR leaked bare value {token} and {ct0}\n"
    )
    for fmt in ("text", "markdown", "json"):
        _, out = _diagnose(data_dir, emulator.base_url, "--format", fmt, "--live")
        assert "leaked bare value" in out
        for secret in (token, ct0):
            assert secret not in out, fmt
            assert secret[:12] not in out, fmt


def test_tail_reads_only_the_last_lines(tmp_path: Path) -> None:
    log = tmp_path / "twitter_blocker.log"
    log.write_text("".join(f"line {n} " + "x" * 3000 + "\n" for n in range(500)))
    lines = tail_lines(log, 50)
    assert len(lines) == 50
    assert lines[0].startswith("line 450 ") and lines[-1].startswith("line 499 ")


def test_corrupted_database_is_level_1(data_dir: Path, emulator: Emulator) -> None:
    db = data_dir / "block_history.db"
    History.open(db).close()
    raw = bytearray(db.read_bytes())
    raw[4096 : 4096 + 200] = b"\xff" * 200  # smash the second page
    db.write_bytes(bytes(raw))
    code, out = _diagnose(data_dir, emulator.base_url, "--format", "json")
    data = json.loads(out)
    assert code == 1
    assert data["level"] == 1
    assert any(f["symptom"] == "db_corrupt" for f in data["findings"])
    assert "twitter-blocker db recover" in data["steps"]
    assert data["steps"][-1] == "twitter-blocker incident new --level 1"


def test_world_readable_cookies_are_a_security_finding(data_dir: Path, emulator: Emulator) -> None:
    os.chmod(data_dir / "cookies.json", 0o644)
    code, out = _diagnose(data_dir, emulator.base_url)
    assert code == 1
    assert "セキュリティ脆弱性発見" in out and "chmod 600 cookies.json" in out
    assert "レベル2" in out


def test_rejected_session_with_live_call_is_level_1(data_dir: Path, emulator: Emulator) -> None:
    cookies = json.loads((data_dir / "cookies.json").read_text())
    for cookie in cookies:
        if cookie["name"] == "auth_token":
            cookie["value"] = "f" * 40
    (data_dir / "cookies.json").write_text(json.dumps(cookies))
    os.chmod(data_dir / "cookies.json", 0o600)
    code, out = _diagnose(data_dir, emulator.base_url, "--live", "--format", "json")
    data = json.loads(out)
    assert code == 1
    assert data["auth"]["state"] == "failed" and data["auth"]["live"]
    assert data["level"] == 1
    assert "twitter-blocker auth import FILE" in data["steps"]


def test_recorded_auth_failure_and_rate_state(data_dir: Path, emulator: Emulator) -> None:
    now = time.time()
    history = History.open(data_dir / "block_history.db")
    run_id = history.start_run("python3 main.py --all", 3)
    history.add_attempts(
        run_id,
        [
            CallRecord("UserByScreenName", now - 30, 0.1, 200, None, None, "ok"),
            CallRecord(
                "blocks/create", now - 20, 0.1, 401, 32, "Could not authenticate you", "auth_failed"
            ),
        ],
    )
    history.end_run(run_id, status="failed", exit_code=3, end_reason="auth_failed", counts={})
    history.budgets.update("1", "blocks/create", RateInfo(187, 0, now + 1200))
    history.close()
    report = diagnose(resolve_paths(data_dir=data_dir, env={}), emulator.base_url)
    symptoms = {f.symptom for f in report.findings}
    assert report.auth.state is AuthState.FAILED
    assert {Symptom.AUTH_FAILED, Symptom.RATE_LIMIT_STOP} <= symptoms
    assert report.level is Level.CRITICAL
    assert report.db.last_run is not None and report.db.last_run.exit_code == 3


def test_active_run_is_named_with_pid_and_start(data_dir: Path, emulator: Emulator) -> None:
    code = textwrap.dedent(
        """
        import sys
        from pathlib import Path
        from twitter_blocker.proc.runlock import RunLock
        RunLock(Path(sys.argv[1])).acquire(command="python3 main.py --all")
        print("ready", flush=True)
        sys.stdin.readline()
        """
    )
    lock = data_dir / "block_history.db.lock"
    child = subprocess.Popen(
        [sys.executable, "-c", code, str(lock)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert child.stdout is not None and child.stdout.readline().strip() == "ready"
        _, out = _diagnose(data_dir, emulator.base_url)
        assert f"a run is active: pid {child.pid} since 20" in out
        assert "python3 main.py --all" in out
    finally:
        assert child.stdin is not None and child.stdout is not None
        child.stdin.close()
        child.wait(timeout=10)
        child.stdout.close()


def test_unreachable_api_is_level_2_and_markdown_has_sections(tmp_path: Path) -> None:
    History.open(tmp_path / "block_history.db").close()
    (tmp_path / "cookies.json").write_text('{"auth_token": "abcdefgh", "ct0": "ijklmnop"}')
    os.chmod(tmp_path / "cookies.json", 0o600)
    code, out = _diagnose(tmp_path, "http://127.0.0.1:9", "--format", "markdown")
    assert code == 1
    for title in ("## Disk", "## Important files", "## Database", "## Memory and processes",
                  "## Network", "## Authentication", "## Rate limits", "## Last log lines",
                  "## Verdict", "## Next steps"):  # fmt: skip
        assert title in out
    assert "UNREACHABLE" in out and "レベル2" in out


def _facts(**changes: object) -> dict[str, object]:
    base: dict[str, object] = {
        "files": [],
        "db": DbFact(exists=True, ok=True, integrity=["ok"]),
        "disk": DiskFact("/", 100, 10, 90, 10.0),
        "memory": MemoryFact(100, 90, 10.0),
        "process": ProcessFacts(False, None, None, None),
        "network": NetworkFact("http://127.0.0.1:1", True, "HTTP 404"),
        "auth": AuthFact(AuthState.OK, "ok", False),
        "rate": RateLimitReport(1000.0, [], None, None),
    }
    base.update(changes)
    return base


NOW = 1000.0
CASES = [
    ({"disk": DiskFact("/", 100, 95, 5, 95.0)}, Symptom.SLOWDOWN, Level.HIGH),
    ({"memory": MemoryFact(100, 5, 95.0)}, Symptom.SLOWDOWN, Level.HIGH),
    ({"rate": RateLimitReport(NOW, [], None, NOW + 300)}, Symptom.MINOR_SLOWDOWN, Level.MEDIUM),
    ({"rate": RateLimitReport(NOW, [], None, NOW + 3600)}, Symptom.RATE_LIMIT_STOP, Level.HIGH),
    ({"db": DbFact(True, True, ["ok"], duplicates=2)}, Symptom.MINOR_INCONSISTENCY, Level.MEDIUM),
    ({"db": DbFact(True, True, ["ok"], temporary_failures=4)}, Symptom.PARTIAL, Level.MEDIUM),
    ({"auth": AuthFact(AuthState.ACCOUNT_BLOCKED, "326", False)}, Symptom.AUTH_FAILED, Level.CRITICAL),  # noqa: E501
]  # fmt: skip


@pytest.mark.parametrize(("changes", "symptom", "level"), CASES)
def test_classification(
    tmp_path: Path, changes: dict[str, object], symptom: Symptom, level: Level
) -> None:
    paths = resolve_paths(data_dir=tmp_path, env={})
    found = classify(paths, **_facts(**changes))  # type: ignore[arg-type]
    assert [f.symptom for f in found] == [symptom]
    assert found[0].level is level


def test_healthy_facts_find_nothing(tmp_path: Path) -> None:
    paths = resolve_paths(data_dir=tmp_path, env={})
    assert classify(paths, **_facts()) == []  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "line",
    [
        "auth_token=abcdef0123456789",
        "Cookie: auth_token=abcdef0123456789; ct0=zz",
        '{"ct0": "abcdef0123456789"}',
        "x-csrf-token: abcdef0123456789",
        "value 0123456789abcdef0123456789abcdef0123 here",
    ],
)
def test_redact_masks_values(line: str) -> None:
    assert "abcdef0123456789" not in redact(line)
    assert "***" in redact(line)


def test_run_that_died_without_ending_is_level_1(data_dir: Path, emulator: Emulator) -> None:
    code = (
        "import sys; from pathlib import Path; from twitter_blocker.store.history import History; "
        "h = History.open(Path(sys.argv[1])); h.start_run('python3 main.py --all', 9); "
        "import os; os._exit(9)"
    )
    db = data_dir / "block_history.db"
    assert subprocess.run([sys.executable, "-c", code, str(db)], timeout=60).returncode == 9
    report = diagnose(resolve_paths(data_dir=data_dir, env={}), emulator.base_url)
    assert [f.symptom for f in report.findings] == [Symptom.APP_DOWN]
    assert "died without ending" in report.findings[0].detail
    assert report.level is Level.CRITICAL


def test_missing_database_with_backups_is_data_loss(data_dir: Path, emulator: Emulator) -> None:
    (data_dir / "block_history.db").unlink()
    backup = data_dir / "backup" / "auto_20261129_0100"
    backup.mkdir(parents=True)
    (backup / "block_history.db").write_bytes(b"x")
    report = diagnose(resolve_paths(data_dir=data_dir, env={}), emulator.base_url)
    assert [f.symptom for f in report.findings] == [Symptom.DATA_LOSS]
    assert report.escalate_now
    assert "twitter-blocker restore backup/latest" in report.steps
