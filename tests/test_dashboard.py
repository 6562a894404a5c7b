"""`serve`: /api/status carries exactly what `--stats --json` prints, /metrics follows the
Prometheus text format, and the dashboard writes nothing (issue 14 items 7 and 8)."""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from test_cli_support import (
    _restore_process_state,  # noqa: F401  (autouse fixture)
    assert_strict,
    full_snapshot,
    invoke,
    make_world,
)

from twitter_blocker.config import resolve_paths
from twitter_blocker.dashboard.metrics import escape_help, escape_label
from twitter_blocker.dashboard.server import Dashboard
from twitter_blocker.dashboard.snapshot import account_names
from twitter_blocker.emulator import Emulator
from twitter_blocker.store import incidents

Factory = Callable[..., Emulator]


def second_account(world_data: Path, directory: Path) -> Path:
    """A data directory for the emulator's second viewer (its cookies, the same targets)."""
    directory.mkdir()
    shutil.copy(world_data / "cookies_1.json", directory / "cookies.json")
    shutil.copy(world_data / "users.json", directory / "users.json")
    return directory


@pytest.fixture
def served() -> Iterator[Callable[..., Dashboard]]:
    started: list[Dashboard] = []

    def start(*dirs: Path) -> Dashboard:
        names = account_names(list(dirs))
        paths = [resolve_paths(data_dir=d, env={}) for d in dirs]
        dashboard = Dashboard(list(zip(names, paths, strict=True))).start()
        started.append(dashboard)
        return dashboard

    yield start
    for dashboard in started:
        dashboard.stop()


def _stats_json(data: Path) -> dict[str, object]:
    result = invoke(["--data-dir", str(data), "--stats", "--json"])
    assert result.exit_code == 0, result.stderr
    payload: dict[str, object] = json.loads(result.stdout)
    return payload


def test_status_shows_what_stats_json_prints_for_each_account(
    tmp_path: Path, emulator_factory: Factory, served: Callable[..., Dashboard]
) -> None:
    world = make_world(emulator_factory, tmp_path, population=30, viewers=2)
    bob = second_account(world.data, tmp_path / "bob")
    assert invoke(world.args("--all", "--auto-retry")).exit_code == 0
    bob_run = ["--data-dir", str(bob), "--api-base", world.emu.base_url, "--delay", "0", "--all"]
    assert invoke(bob_run).exit_code == 0
    dashboard = served(world.data, bob)
    status = httpx.get(dashboard.base_url + "/api/status").json()
    assert status["format"] == 1 and [a["name"] for a in status["accounts"]] == ["data", "bob"]
    for account, data in zip(status["accounts"], (world.data, bob), strict=True):
        assert account["stats"] == _stats_json(data)
        assert account["readable"] and account["unread"] == []
        blocked = account["stats"]["actions"]["counts"]["block"]
        assert blocked > 0
        assert sum(h["blocks"] for h in account["blocks_by_hour"]) == blocked
        assert len(account["blocks_by_hour"]) == 24
        assert account["run"]["state"] == "done" and account["run"]["blocks"] == blocked
        assert {b["operation"] for b in account["budgets"]} >= {"blocks/create"}
        assert account["health"]["level"] in ("ok", "warning")
        assert account["incident_level"] is None and account["backups"] == []
    truth_blocked = sum(1 for t in world.truth["targets"] if t["expected"] == "blocked")
    assert status["accounts"][0]["stats"]["actions"]["counts"]["block"] == truth_blocked


def test_serving_writes_nothing_into_the_data_directories(
    tmp_path: Path, emulator_factory: Factory, served: Callable[..., Dashboard]
) -> None:
    world = make_world(emulator_factory, tmp_path)
    assert invoke(world.args("--all", "--auto-retry")).exit_code == 0
    empty = tmp_path / "empty"
    empty.mkdir()
    before = {d: full_snapshot(d) for d in (world.data, empty)}
    assert not list(world.data.glob("*.db-wal"))  # the run closed its database
    dashboard = served(world.data, empty)
    for path in ("/", "/account/data", "/api/status", "/metrics", "/static/dashboard.js"):
        answer = httpx.get(dashboard.base_url + path)
        assert answer.status_code == 200, path
    assert "text/html" in httpx.get(dashboard.base_url + "/").headers["content-type"]
    assert {d: full_snapshot(d) for d in (world.data, empty)} == before
    only_get = httpx.post(dashboard.base_url + "/api/status")
    assert only_get.status_code == 405


def test_a_foreign_host_header_is_refused(tmp_path: Path, served: Callable[..., Dashboard]) -> None:
    dashboard = served(tmp_path)
    answer = httpx.get(dashboard.base_url + "/api/status", headers={"host": "evil.example"})
    assert answer.status_code == 400  # a DNS name rebound to 127.0.0.1 reads nothing


def test_incidents_backups_and_a_damaged_ledger_are_shown(
    tmp_path: Path, emulator_factory: Factory, served: Callable[..., Dashboard]
) -> None:
    world = make_world(emulator_factory, tmp_path)
    assert invoke(world.args("--all", "--auto-retry")).exit_code == 0
    assert invoke(["--data-dir", str(world.data), "backup"]).exit_code == 0
    conn = incidents.open_incidents(world.data / incidents.INCIDENTS_DB)
    incidents.insert(
        conn,
        condition="auth",
        level=2,
        symptom="cookies rejected",
        detail="401",
        source="health",
        at="2026-11-29T00:00:00.000Z",
    )
    conn.close()
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "block_history.db").write_bytes(b"this is not a database" * 100)
    dashboard = served(world.data, broken)
    good, bad = httpx.get(dashboard.base_url + "/api/status").json()["accounts"]
    assert good["incident_level"] == 2 and good["incidents"][0]["symptom"] == "cookies rejected"
    assert good["backups"][0]["kind"] == "auto" and good["backups"][0]["verified"] is True
    assert not bad["readable"] and bad["unread"] and bad["health"]["level"] == "critical"
    text = httpx.get(dashboard.base_url + "/metrics").text
    assert 'twitter_blocker_incident_level{account="data"} 2' in text
    assert 'twitter_blocker_up{account="broken"} 0' in text
    assert 'twitter_blocker_health_level{account="broken"} 2' in text


_SAMPLE = re.compile(
    r'^(?P<name>[a-zA-Z_:][a-zA-Z0-9_:]*)\{(?P<labels>(?:[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\.)*",?)*)\}'
    r" (?P<value>-?[0-9.e+]+|NaN|[+-]Inf)$"
)


def test_metrics_follow_the_prometheus_text_format(
    tmp_path: Path, emulator_factory: Factory, served: Callable[..., Dashboard]
) -> None:
    world = make_world(emulator_factory, tmp_path)
    assert invoke(world.args("--all", "--auto-retry")).exit_code == 0
    odd = tmp_path / 'say "hi"\\there'
    shutil.copytree(world.data, odd)
    dashboard = served(world.data, odd)
    answer = httpx.get(dashboard.base_url + "/metrics")
    assert answer.headers["content-type"] == "text/plain; version=0.0.4; charset=utf-8"
    text = answer.text
    assert text.endswith("\n")
    declared: dict[str, str] = {}
    seen_help: set[str] = set()
    for line in text.splitlines():
        if line.startswith("# HELP "):
            name = line.split(" ")[2]
            assert name not in seen_help
            seen_help.add(name)
        elif line.startswith("# TYPE "):
            _, _, name, kind = line.split(" ")
            assert name in seen_help and name not in declared
            assert kind in ("counter", "gauge")
            assert name.endswith("_total") == (kind == "counter"), name
            declared[name] = kind
        else:
            match = _SAMPLE.match(line)
            assert match, line
            assert match["name"] in declared, line  # samples follow their TYPE line
            assert 'account="' in match["labels"]
    stats = _stats_json(world.data)
    blocks = stats["actions"]["counts"]["block"]  # type: ignore[index]
    assert f'twitter_blocker_blocks_total{{account="data"}} {blocks}' in text
    escaped = 'account="say \\"hi\\"\\\\there"'
    assert f"twitter_blocker_blocks_total{{{escaped}}} {blocks}" in text
    assert 'twitter_blocker_run_state{account="data",state="done"} 1' in text
    assert 'twitter_blocker_run_state{account="data",state="running"} 0' in text
    for status, n in stats["by_status"].items():  # type: ignore[attr-defined]
        assert f'twitter_blocker_targets{{account="data",status="{status}"}} {n}' in text
    assert re.search(r'rate_limit_remaining\{account="data",operation="blocks/create"\} \d+', text)
    assert re.search(r'last_block_timestamp_seconds\{account="data"\} \d{10}', text)


def test_escaping_rules() -> None:
    assert escape_label('a"b\\c\nd') == 'a\\"b\\\\c\\nd'
    assert escape_help('a"b\\c\nd') == 'a"b\\\\c\\nd'  # quotes stay in help text


def test_serve_refuses_a_non_loopback_host_and_a_missing_directory(tmp_path: Path) -> None:
    result = invoke(["serve", "--host", "0.0.0.0", "--data-dir", str(tmp_path)])
    assert_strict(result, 2, ("loopback",))
    result = invoke(["serve", "--data-dir", str(tmp_path / "nope")])
    assert_strict(result, 2, ("nope",))
    assert not (tmp_path / "nope").exists()


def test_account_names_are_unique() -> None:
    dirs = [Path("/a/alice"), Path("/b/alice"), Path("/c/bob")]
    assert account_names(dirs) == ["alice", "alice-2", "bob"]


def test_a_writer_arriving_during_a_quiet_read_makes_it_read_again(
    tmp_path: Path, emulator_factory: Factory, monkeypatch: pytest.MonkeyPatch
) -> None:
    from twitter_blocker.dashboard import snapshot

    world = make_world(emulator_factory, tmp_path)
    assert invoke(world.args("--all", "--auto-retry")).exit_code == 0
    paths = resolve_paths(data_dir=world.data, env={})
    calls: list[str] = []
    real = snapshot.collect

    def collect_while_a_run_starts(conn: Any) -> Any:
        calls.append("immutable" if not Path(f"{paths.db}-wal").exists() else "wal")
        if len(calls) == 1:  # a run opens the ledger mid-read: its -wal appears
            Path(f"{paths.db}-wal").touch()
        return real(conn)

    monkeypatch.setattr(snapshot, "collect", collect_while_a_run_starts)
    view = snapshot.account_view("data", paths)
    assert calls == ["immutable", "wal"]  # read again, through the journal this time
    assert view.readable and view.stats == _stats_json(world.data)


def test_a_data_dir_given_before_serve_is_the_one_served(tmp_path: Path) -> None:
    result = invoke(["--data-dir", str(tmp_path / "absent"), "serve"])
    assert_strict(result, 2, ("absent",))  # it was looked for, not the working directory
