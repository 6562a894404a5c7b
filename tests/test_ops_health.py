"""health: exit codes under injected disk, memory, database, cookie and lock faults."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from twitter_blocker.cli.run import root
from twitter_blocker.config import Paths, resolve_paths
from twitter_blocker.ops.diagnosis.health import Check, Level, Probes, check_health
from twitter_blocker.proc.runlock import RunLock
from twitter_blocker.store.db import connect, migrate
from twitter_blocker.store.schema import MIGRATIONS

COOKIES = [
    {"name": "auth_token", "value": "0123456789abcdef0123456789abcdef01234567"},
    {"name": "ct0", "value": "f" * 160},
    {"name": "twid", "value": "u%3D42"},
]


def probes(disk: float = 50.0, memory: float = 50.0) -> Probes:
    return Probes(disk_percent=lambda _path: disk, memory_percent=lambda: memory)


def healthy_dir(tmp_path: Path, rows: int = 50) -> Paths:
    paths = resolve_paths(data_dir=tmp_path, env={})
    conn = connect(paths.db)
    try:
        migrate(conn, MIGRATIONS)
        for n in range(rows):
            conn.execute(
                "INSERT INTO block_history(user_id, screen_name, last_error, created_at,"
                " updated_at) VALUES (?, ?, ?, 'x', 'x')",
                (str(n), f"u{n}", "padding " * 60),
            )
    finally:
        conn.close()
    paths.cookies.write_text(json.dumps(COOKIES))
    paths.cookies.chmod(0o600)
    return paths


def add_attempt(paths: Paths, outcome: str, at: str) -> None:
    conn = connect(paths.db)
    try:
        conn.execute(
            "INSERT INTO attempts(at, operation, http_status, outcome) VALUES (?, 'Viewer', ?, ?)",
            (at, 200 if outcome == "ok" else 401, outcome),
        )
    finally:
        conn.close()


def levels(checks: tuple[Check, ...]) -> dict[str, Level]:
    return {c.name: c.level for c in checks}


def test_healthy(tmp_path: Path) -> None:
    paths = healthy_dir(tmp_path)
    report = check_health(paths, probes=probes())
    assert report.exit_code == 0, report.checks
    assert report.emergency_backup is None


@pytest.mark.parametrize(
    ("disk", "memory", "code"),
    [(90.0, 50.0, 0), (90.5, 50.0, 1), (99.0, 50.0, 2), (50.0, 95.0, 1), (50.0, 98.0, 2)],
)
def test_disk_and_memory_faults(tmp_path: Path, disk: float, memory: float, code: int) -> None:
    paths = healthy_dir(tmp_path)
    report = check_health(paths, probes=probes(disk, memory))
    assert report.exit_code == code


def test_thresholds_are_honoured(tmp_path: Path) -> None:
    paths = healthy_dir(tmp_path)
    report = check_health(paths, probes=probes(60, 60), disk_threshold=50, memory_threshold=70)
    got = levels(report.checks)
    assert got["disk"] is Level.WARNING and got["memory"] is Level.OK


def test_unreadable_probe_is_a_warning(tmp_path: Path) -> None:
    paths = healthy_dir(tmp_path)

    def broken(_path: Path) -> float:
        raise OSError("statvfs failed")

    report = check_health(paths, probes=Probes(broken, lambda: 10.0))
    assert levels(report.checks)["disk"] is Level.WARNING


def _corrupt(db: Path) -> None:
    conn = connect(db)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    size = db.stat().st_size
    with db.open("r+b") as handle:  # page 2 onwards: the schema page stays readable
        handle.seek(4096)
        handle.write(b"\x5a" * (size - 4096))


def test_database_fault_is_critical_and_takes_an_emergency_backup(tmp_path: Path) -> None:
    paths = healthy_dir(tmp_path)
    _corrupt(paths.db)
    report = check_health(paths, probes=probes())
    assert report.exit_code == 2
    assert levels(report.checks)["database"] is Level.CRITICAL
    assert report.emergency_backup is not None
    assert report.emergency_backup.name.startswith("emergency_backup_")
    assert (report.emergency_backup / "block_history.db").is_file()
    assert (report.emergency_backup / "manifest.json").is_file()


def test_a_damaged_database_is_backed_up_once_not_every_15_minutes(tmp_path: Path) -> None:
    paths = healthy_dir(tmp_path)
    _corrupt(paths.db)
    first = check_health(paths, probes=probes()).emergency_backup
    second = check_health(paths, probes=probes()).emergency_backup
    assert first is not None and second == first
    assert len(list(tmp_path.glob("emergency_backup_*"))) == 1


def test_garbage_database_still_gets_a_raw_emergency_copy(tmp_path: Path) -> None:
    paths = healthy_dir(tmp_path)
    paths.db.unlink()
    paths.db.write_bytes(b"not sqlite" * 500)
    report = check_health(paths, probes=probes())
    assert report.exit_code == 2
    assert report.emergency_backup is not None
    copy = report.emergency_backup / "block_history.db"
    assert copy.read_bytes() == paths.db.read_bytes()


def test_missing_database_is_a_warning(tmp_path: Path) -> None:
    paths = resolve_paths(data_dir=tmp_path, env={})
    paths.cookies.write_text(json.dumps(COOKIES))
    report = check_health(paths, probes=probes())
    assert report.exit_code == 1
    assert report.emergency_backup is None


def test_cookie_faults(tmp_path: Path) -> None:
    paths = healthy_dir(tmp_path)
    paths.cookies.unlink()
    assert check_health(paths, probes=probes()).exit_code == 2
    paths.cookies.write_text("{not json")
    assert check_health(paths, probes=probes()).exit_code == 2


def test_auth_failure_after_the_last_good_call_is_critical(tmp_path: Path) -> None:
    paths = healthy_dir(tmp_path)
    add_attempt(paths, "ok", "2026-11-29T01:00:00Z")
    assert check_health(paths, probes=probes()).exit_code == 0
    add_attempt(paths, "auth_failed", "2026-11-29T01:10:00Z")
    report = check_health(paths, probes=probes())
    assert report.exit_code == 2
    assert levels(report.checks)["cookies"] is Level.CRITICAL
    add_attempt(paths, "ok", "2026-11-29T01:20:00Z")  # re-imported cookies worked
    assert check_health(paths, probes=probes()).exit_code == 0


def test_stale_lock_file_is_a_warning_and_a_held_lock_is_fine(tmp_path: Path) -> None:
    paths = healthy_dir(tmp_path)
    with RunLock(paths.lock_file):
        report = check_health(paths, probes=probes())
        assert levels(report.checks)["lock"] is Level.OK
        assert str(os.getpid()) in report.checks[-1].detail
    assert check_health(paths, probes=probes()).exit_code == 0  # released: file emptied
    paths.lock_file.write_text(json.dumps({"pid": 999999, "started_at": "x", "command": "run"}))
    report = check_health(paths, probes=probes())
    assert report.exit_code == 1
    assert levels(report.checks)["lock"] is Level.WARNING


def test_run_recorded_as_running_without_lock_is_a_warning(tmp_path: Path) -> None:
    paths = healthy_dir(tmp_path)
    conn = connect(paths.db)
    conn.execute(
        "INSERT INTO process_log(started_at, pid, command, status) "
        "VALUES ('x', 1, 'run', 'running')"
    )
    conn.close()
    report = check_health(paths, probes=probes())
    assert levels(report.checks)["lock"] is Level.WARNING


def test_cli_health_json_and_exit_code(tmp_path: Path) -> None:
    healthy_dir(tmp_path)
    out = CliRunner().invoke(
        root,
        ["health", "--json", "--disk-threshold", "0", "--data-dir", str(tmp_path)],
        env={},
    )
    assert out.exit_code in (1, 2)  # any real disk use is above 0 %
    data = json.loads(out.output)
    assert data["exit_code"] == out.exit_code
    assert {c["name"] for c in data["checks"]} == {"database", "disk", "memory", "cookies", "lock"}
    assert COOKIES[0]["value"] not in out.output


def test_health_process_imports_nothing_heavy(tmp_path: Path) -> None:
    healthy_dir(tmp_path)
    code = (
        "import sys, json\n"
        "from twitter_blocker.cli.run import root\n"
        "try:\n"
        f"    root(['health', '--data-dir', {str(tmp_path)!r}], prog_name='twitter-blocker')\n"
        "except SystemExit as exc:\n"
        "    code = exc.code\n"
        "heavy = [m for m in ('rich', 'starlette', 'uvicorn', 'httpx') if m in sys.modules]\n"
        "print(json.dumps({'code': code, 'heavy': heavy}))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert result["heavy"] == []
    assert result["code"] in (0, 1)
