"""--stats (tables and JSON), the env vars, main.py from the data dir, the runbook's SQL,
secrets nowhere, and the demo: all through the real CLI against the emulator."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections import Counter
from collections.abc import Callable
from pathlib import Path

from test_cli_support import (
    ROOT,
    World,
    _restore_process_state,  # noqa: F401  (autouse fixture)
    db_rows,
    dump_db,
    invoke,
    make_world,
    subprocess_env,
)

from twitter_blocker.emulator import Emulator
from twitter_blocker.store.history import History

Factory = Callable[..., Emulator]

RUNBOOK_TOTAL = "SELECT COUNT(*) as total_records FROM block_history;"
RUNBOOK_STATUS = "SELECT status, COUNT(*) FROM block_history GROUP BY status;"
RUNBOOK_PERMANENT = (
    "SELECT COUNT(*) as permanent_failures FROM block_history WHERE status = 'failed' "
    "AND user_status IN ('suspended', 'not_found', 'deactivated');"
)
RUNBOOK_DUPLICATES = (
    "SELECT user_id, screen_name, COUNT(*) as count FROM block_history "
    "GROUP BY user_id, screen_name HAVING count > 1;"
)
TRUTH_STATUS = {
    "blocked": "blocked",
    "already_blocked": "blocked",
    "skipped_following": "skipped",
    "skipped_follower": "skipped",
    "suspended": "failed",
    "not_found": "failed",
    "deactivated": "failed",
}


def _full_run(world: World) -> None:
    result = invoke(world.args("--all", "--auto-retry"))
    assert result.exit_code == 0, result.stderr


def test_stats_on_an_empty_dir_says_nothing_ran_and_creates_nothing(tmp_path: Path) -> None:
    result = invoke(["--data-dir", str(tmp_path), "--stats"])
    assert result.exit_code == 0, result.stderr
    assert "nothing has run here" in result.stderr
    as_json = invoke(["--data-dir", str(tmp_path), "--stats", "--json"])
    assert as_json.exit_code == 0, as_json.stderr
    payload = json.loads(as_json.stdout)  # scripts get JSON even before the first run
    assert payload["total"] == 0 and payload["last_run"] is None
    assert not (tmp_path / "block_history.db").exists()
    assert not (tmp_path / "cache").exists()


def test_stats_on_a_fresh_database(tmp_path: Path) -> None:
    db = tmp_path / "block_history.db"
    History.open(db).close()
    before = db.read_bytes()
    result = invoke(["--data-dir", str(tmp_path), "--stats"])
    assert result.exit_code == 0, result.stderr
    assert "Targets: 0" in result.stdout
    as_json = invoke(["--data-dir", str(tmp_path), "--stats", "--json"])
    assert as_json.exit_code == 0, as_json.stderr
    payload = json.loads(as_json.stdout)
    assert payload["total"] == 0 and payload["pending"] == 0 and payload["last_run"] is None
    assert db.read_bytes() == before


def test_stats_after_a_run_agree_with_the_runbook_sql(
    tmp_path: Path, emulator_factory: Factory
) -> None:
    world = make_world(emulator_factory, tmp_path)
    _full_run(world)
    truth = world.truth["targets"]
    want = Counter(TRUTH_STATUS[t["expected"]] for t in truth)
    # the runbook's queries, verbatim
    assert db_rows(world.db, RUNBOOK_TOTAL) == [(len(truth),)]
    assert dict(db_rows(world.db, RUNBOOK_STATUS)) == dict(want)
    permanent = sum(1 for t in truth if t["expected"] in ("suspended", "not_found", "deactivated"))
    assert db_rows(world.db, RUNBOOK_PERMANENT) == [(permanent,)]
    assert db_rows(world.db, RUNBOOK_DUPLICATES) == []
    # --stats --json says the same
    as_json = invoke(world.args("--stats", "--json"))
    assert as_json.exit_code == 0, as_json.stderr
    payload = json.loads(as_json.stdout)
    assert payload["total"] == len(truth)
    assert {k: v for k, v in payload["by_status"].items() if v} == dict(want)
    assert payload["permanent_failures"] == permanent
    assert payload["done"] == len(truth) and payload["pending"] == 0
    assert payload["last_run"]["exit_code"] == 0
    # and the tables
    table = invoke(world.args("--stats"))
    assert table.exit_code == 0, table.stderr
    assert f"Targets: {len(truth)}" in table.stdout
    assert f"permanent failures: {permanent}" in table.stdout
    assert "Last run #1: done" in table.stdout


def _main_py(args: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(ROOT / "main.py"), *args],
        cwd=cwd,
        env=subprocess_env({"COLUMNS": "120", **env}),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_main_py_runs_and_shows_stats_from_the_data_dir(
    tmp_path: Path, emulator_factory: Factory
) -> None:
    world = make_world(emulator_factory, tmp_path)
    env = {"TWITTER_API_BASE": world.emu.base_url}
    run = _main_py(["--all", "--auto-retry", "--delay", "0"], world.data, env)
    assert run.returncode == 0, run.stderr
    world.assert_matches_truth()
    proc = _main_py(["--stats"], world.data, env)
    assert proc.returncode == 0, proc.stderr
    assert f"Targets: {len(world.truth['targets'])}" in proc.stdout
    assert "Traceback" not in proc.stderr + run.stderr


def test_env_vars_choose_every_path_and_the_api_base(
    tmp_path: Path, emulator_factory: Factory
) -> None:
    world = make_world(emulator_factory, tmp_path)
    elsewhere = tmp_path / "elsewhere"
    (elsewhere / "secrets").mkdir(parents=True)
    (elsewhere / "lists").mkdir()
    cookies = elsewhere / "secrets" / "x_cookies.json"
    users = elsewhere / "lists" / "targets.json"
    (world.data / "cookies.json").rename(cookies)
    (world.data / "users.json").rename(users)
    env = {
        "TWITTER_COOKIES_PATH": str(cookies),
        "TWITTER_USERS_FILE": str(users),
        "TWITTER_BLOCK_DB": str(elsewhere / "db" / "history.db"),
        "CACHE_DIR": str(elsewhere / "my_cache"),
        "TWITTER_API_BASE": world.emu.base_url,
    }
    empty = tmp_path / "cwd"
    empty.mkdir()
    args = ["--data-dir", str(empty), "--all", "--auto-retry", "--delay", "0"]
    result = invoke(args, env=env)
    assert result.exit_code == 0, result.stderr
    assert (elsewhere / "db" / "history.db").exists()
    assert (elsewhere / "my_cache" / "cache.db").exists()
    assert not (empty / "block_history.db").exists() and not (empty / "cache").exists()
    assert not (world.data / "block_history.db").exists()
    world = World(world.emu, world.data)
    stats = invoke(["--data-dir", str(empty), "--stats", "--json"], env=env)
    assert json.loads(stats.stdout)["total"] == len(world.truth["targets"])
    # a flag beats its env var
    flag_db = tmp_path / "flag.db"
    again = invoke([*args, "--db", str(flag_db)], env=env)
    assert again.exit_code == 0, again.stderr
    assert flag_db.exists()


def _scan(text: str, secrets: list[str], where: str) -> None:
    for value in secrets:
        assert value not in text, f"a cookie value leaked into {where}"


def test_secrets_never_reach_output_logs_reports_or_the_database(
    tmp_path: Path, emulator_factory: Factory
) -> None:
    world = make_world(emulator_factory, tmp_path, session_kill_after=6)
    secrets = world.secrets()
    assert secrets and all(len(s) >= 16 for s in secrets)
    outputs: list[str] = []
    world.emu.set_switches(error_5xx_rate=1.0)  # failed attempts for error_log.jsonl
    failing = invoke(world.args("--max-users", "1", "--debug", "--debug-errors"))
    outputs.append(failing.stdout + failing.stderr)
    world.emu.set_switches(error_5xx_rate=0.0)
    for args in (
        ["--dry-run", "--all", "--debug", "--debug-errors"],
        ["--all", "--auto-retry", "--debug", "--debug-errors"],  # session killed: exit 3
        ["--test-user", str(world.truth["targets"][0]["identifier"]), "--debug"],
        ["--stats"],
        ["--stats", "--json"],
    ):
        result = invoke(world.args(*args))
        outputs.append(result.stdout + result.stderr)
    assert "--max-blocks-per-hour" in outputs[2]  # the session kill did happen
    secrets += world.secrets()  # the renewed session's values too
    world.emu.renew_cookies(0)
    secrets += world.secrets()
    world.emu.set_switches(session_kill_after=None)
    final = invoke(world.args("--all", "--auto-retry", "--reset-retry", "--debug"))
    assert final.exit_code == 0, final.stderr
    outputs.append(final.stdout + final.stderr)
    _scan("\n".join(outputs), secrets, "stdout/stderr")
    for name in ("twitter_blocker.log", "error_log.jsonl", "dry_run_report.json"):
        path = world.data / name
        assert path.exists(), name
        _scan(path.read_text(encoding="utf-8"), secrets, name)
    assert (world.data / "error_log.jsonl").stat().st_size > 0
    for name in ("twitter_blocker.log", "error_log.jsonl"):
        assert (world.data / name).stat().st_mode & 0o077 == 0, f"{name} is readable by others"
    _scan(dump_db(world.db), secrets, "block_history.db")
    _scan(dump_db(world.data / "cache" / "cache.db"), secrets, "cache.db")
    lock = world.data / "block_history.db.lock"
    if lock.exists():
        _scan(lock.read_text(encoding="utf-8"), secrets, "the lock file")


def test_demo_ends_with_blocked_set_matches_expected(tmp_path: Path) -> None:
    proc = subprocess.run(
        [
            *(sys.executable, "-m", "twitter_blocker", "demo", "--population", "60"),
            *("--window-seconds", "2", "--keep", str(tmp_path / "demo")),
        ],
        cwd=tmp_path,
        env=subprocess_env({"COLUMNS": "120"}),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    lines = [line for line in (proc.stdout + proc.stderr).splitlines() if line.strip()]
    assert lines[-1].strip() == "blocked set matches expected", lines[-5:]
    assert "Traceback" not in proc.stderr
    # the last-run line adds up: each of the 60 targets once, retried or not (issue 9 item 9)
    last = next(line for line in lines if line.startswith("Last run #1"))
    found = re.search(r"blocked (\d+), skipped (\d+), failed (\d+)", last)
    assert found and sum(int(n) for n in found.groups()) == 60, last


def test_stats_show_retry_candidates_error_samples_and_rate_limits(
    tmp_path: Path, emulator_factory: Factory
) -> None:
    world = make_world(emulator_factory, tmp_path)
    world.emu.set_switches(error_5xx_rate=1.0)
    for _ in range(2):
        assert invoke(world.args("--max-users", "1")).exit_code == 75  # X never answered
    world.emu.set_switches(error_5xx_rate=0.0)
    assert invoke(world.args("--max-users", "3")).exit_code == 0
    payload = json.loads(invoke(world.args("--stats", "--json")).stdout)
    assert payload["retry_candidates"] == 2 and payload["retry_exhausted"] == 0
    assert payload["pending"] == len(world.truth["targets"]) - 5
    assert any(s["http_status"] == 503 and s["count"] == 2 for s in payload["error_samples"])
    operations = {r["operation"] for r in payload["rate_limits"]}
    assert "blocks/create" in operations
    assert payload["last_run"]["state"] == "done"
    table = invoke(world.args("--stats"))
    assert "Retry candidates: 2" in table.stdout and "Recent errors" in table.stdout
    assert "Rate limits" in table.stdout
