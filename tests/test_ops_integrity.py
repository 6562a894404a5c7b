"""integrity: the runbook's queries, checksums and impossible states, over real SQLite."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from click.testing import CliRunner

from twitter_blocker.cli.run import root
from twitter_blocker.config import Paths, resolve_paths
from twitter_blocker.ops.database.integrity import check_integrity
from twitter_blocker.proc.runlock import RunLock
from twitter_blocker.store.db import connect, migrate
from twitter_blocker.store.schema import MIGRATIONS

ROWS = [
    # user_id, screen_name, status, user_status, reason, block_sent_at
    ("1", "a", "blocked", "active", "blocked", None),
    ("2", "b", "blocked", "active", "already_blocked", None),
    ("3", "c", "skipped", "active", "following", None),
    ("4", "d", "failed", "suspended", "suspended", None),
    ("5", "e", "failed", "not_found", "not_found", None),
    ("6", "f", "failed", "active", "error:500/0", None),
    (None, "g", "pending", None, None, None),
]


def make_dir(tmp_path: Path, extra: list[tuple[object, ...]] | None = None) -> Paths:
    paths = resolve_paths(data_dir=tmp_path, env={})
    conn = connect(paths.db)
    try:
        migrate(conn, MIGRATIONS)
        for row in ROWS + (extra or []):
            conn.execute(
                "INSERT INTO block_history(user_id, screen_name, status, user_status, reason, "
                "block_sent_at, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, 'x', 'x')",
                row,
            )
    finally:
        conn.close()
    paths.cookies.write_text('[{"name": "auth_token", "value": "secret-token-value"}]')
    paths.users_file.write_text('["a"]')
    return paths


def test_consistent_ledger(tmp_path: Path) -> None:
    paths = make_dir(tmp_path)
    report = check_integrity(paths)
    assert report.ok, report.problems
    assert report.total_records == 7
    assert dict(report.by_status) == {"blocked": 2, "skipped": 1, "failed": 3, "pending": 1}
    assert report.permanent_failures == 2
    assert "block_history" in report.tables and "target_keys" in report.tables
    sums = {f.name: f for f in report.files}
    data = paths.cookies.read_bytes()
    assert sums["cookies"].sha256 == hashlib.sha256(data).hexdigest()
    assert sums["cookies"].md5 == hashlib.md5(data, usedforsecurity=False).hexdigest()
    assert sums["database"].exists and sums["users"].exists


def test_duplicates_are_an_inconsistency(tmp_path: Path) -> None:
    paths = make_dir(tmp_path, [(None, "g", "pending", None, None, None)])
    report = check_integrity(paths)
    assert not report.ok
    assert [(d.user_id, d.screen_name, d.count) for d in report.duplicates] == [(None, "g", 2)]


def test_impossible_combinations_are_reported(tmp_path: Path) -> None:
    paths = make_dir(tmp_path, [("9", "z", "blocked", "suspended", "blocked", None)])
    report = check_integrity(paths)
    assert not report.ok
    assert [(c.status, c.user_status, c.count) for c in report.impossible] == [
        ("blocked", "suspended", 1)
    ]


def test_in_flight_rows_only_count_without_a_running_process(tmp_path: Path) -> None:
    paths = make_dir(tmp_path, [("8", "y", "pending", "active", None, "2026-11-29T02:00:00Z")])
    report = check_integrity(paths)
    assert report.in_flight == 1 and not report.ok
    with RunLock(paths.lock_file):
        during = check_integrity(paths)
    assert during.run_active and during.ok


def test_damaged_or_missing_database_is_inconsistent(tmp_path: Path) -> None:
    paths = resolve_paths(data_dir=tmp_path, env={})
    assert not check_integrity(paths).ok  # missing
    paths.db.write_bytes(b"garbage" * 1000)
    report = check_integrity(paths)
    assert not report.ok
    assert report.read_error is not None


def test_cli_integrity_exit_codes_and_no_secrets(tmp_path: Path) -> None:
    make_dir(tmp_path)
    runner = CliRunner()
    out = runner.invoke(root, ["integrity", "--data-dir", str(tmp_path)], env={})
    assert out.exit_code == 0, out.output
    assert "secret-token-value" not in out.output
    bad = tmp_path / "bad"
    make_dir(bad, [(None, "g", "pending", None, None, None)])
    out = runner.invoke(root, ["integrity", "--json", "--data-dir", str(bad)], env={})
    assert out.exit_code == 1
    data = json.loads(out.output)
    assert data["ok"] is False and data["problems"]


def test_path_flags_before_the_subcommand_and_env_vars_are_honoured(tmp_path: Path) -> None:
    make_dir(tmp_path)
    runner = CliRunner()
    out = runner.invoke(root, ["--data-dir", str(tmp_path), "integrity", "--json"], env={})
    assert out.exit_code == 0, out.output
    assert json.loads(out.output)["report"]["db"] == str(tmp_path / "block_history.db")
    out = runner.invoke(root, ["db", "--data-dir", str(tmp_path), "check"], env={})
    assert out.exit_code == 0, out.output
    other = tmp_path / "elsewhere"
    paths = make_dir(other)
    out = runner.invoke(
        root,
        ["integrity", "--json", "--data-dir", str(tmp_path)],
        env={"TWITTER_BLOCK_DB": str(paths.db)},
    )
    assert out.exit_code == 0, out.output
    assert json.loads(out.output)["report"]["db"] == str(paths.db)
