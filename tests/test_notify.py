"""Incidents open, escalate and close on their own, and reach a loopback JSON webhook.

Every test sends through Apprise's ``json://`` plugin to a receiver started here.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from test_cli_support import (
    _restore_process_state,  # noqa: F401  (autouse fixture)
    invoke,
    make_world,
)
from test_ops_health import _corrupt, healthy_dir, probes

from twitter_blocker.emulator import Emulator
from twitter_blocker.ops.diagnosis.health import check_health
from twitter_blocker.ops.diagnosis.levels import Level
from twitter_blocker.ops.reports import notify
from twitter_blocker.ops.reports.incident_sources import from_health
from twitter_blocker.ops.reports.incidents import (
    Condition,
    Observation,
    Seen,
    escalation_deadline,
    incidents_file,
    record,
)
from twitter_blocker.ops.reports.notify import after_check, deliver
from twitter_blocker.store import incidents as store

Factory = Callable[..., Emulator]
QUIET = ("--disk-threshold", "100", "--memory-threshold", "100")  # the real host stays out


class Receiver:
    """A JSON webhook on loopback: records every message; ``fail`` answers 500, ``delay`` waits."""

    def __init__(self) -> None:
        self.messages: list[dict[str, Any]] = []
        self.fail = False
        self.delay = 0.0
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("content-length", "0")))
                time.sleep(receiver.delay)
                if receiver.fail:
                    self.send_response(500)
                else:
                    receiver.messages.append(json.loads(body))
                    self.send_response(200)
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"json://127.0.0.1:{self.server.server_port}/hook"

    def titles(self, word: str) -> list[str]:
        return [m["title"] for m in self.messages if word in m["title"]]

    def text(self) -> str:
        return json.dumps(self.messages)


@pytest.fixture
def hook() -> Iterator[Receiver]:
    receiver = Receiver()
    yield receiver
    receiver.server.shutdown()
    receiver.server.server_close()


def _no_secret(hook: Receiver, secrets: list[str]) -> None:
    assert secrets
    for value in secrets:
        assert value not in hook.text()


def test_a_lock_mid_run_opens_once_and_the_unlocked_run_closes_it(
    tmp_path: Path, emulator_factory: Factory, hook: Receiver
) -> None:
    world = make_world(emulator_factory, tmp_path, lock_after=3)
    result = invoke(world.args("--all", "--auto-retry", "--notify", hook.url))
    assert result.exit_code == 4, result.stderr
    assert len(hook.titles("opened")) == 1, hook.messages
    assert "level 1" in hook.titles("opened")[0]
    stopped = hook.titles("run stopped")
    assert len(stopped) == 1 and "exit 4" in stopped[0]
    assert "resume with" in hook.messages[-1]["message"]
    assert "--notify" not in hook.text()  # the resume command never repeats the URL
    # the next check sees the same condition: no new message
    again = invoke(["health", "--data-dir", str(world.data), "--notify", hook.url, *QUIET])
    assert again.exit_code == 2, again.stdout
    assert len(hook.titles("opened")) == 1, hook.messages
    world.emu.set_switches(lock_after=None)
    world.emu.set_account_state(0, "active")
    fixed = invoke(world.args("--all", "--auto-retry", "--notify", hook.url))
    assert fixed.exit_code == 0, fixed.stderr
    assert len(hook.titles("closed")) == 1, hook.messages
    assert len(hook.titles("opened")) == 1
    _no_secret(hook, world.secrets())


def test_a_session_kill_opens_once_and_a_fresh_login_closes_it(
    tmp_path: Path, emulator_factory: Factory, hook: Receiver
) -> None:
    world = make_world(emulator_factory, tmp_path, session_kill_after=4)
    secrets = world.secrets()
    result = invoke(world.args("--all", "--auto-retry", "--notify", hook.url))
    assert result.exit_code == 3, result.stderr
    assert len(hook.titles("opened")) == 1, hook.messages
    again = invoke(world.args("--all", "--auto-retry", "--notify", hook.url))
    assert again.exit_code == 3, again.stderr
    assert len(hook.titles("opened")) == 1, hook.messages
    assert len(hook.titles("run stopped")) == 2
    world.emu.set_switches(session_kill_after=None)
    world.emu.renew_cookies(0)
    fixed = invoke(world.args("--all", "--auto-retry", "--notify", hook.url))
    assert fixed.exit_code == 0, fixed.stderr
    assert len(hook.titles("closed")) == 1, hook.messages
    _no_secret(hook, secrets + world.secrets())


def test_a_damaged_database_found_by_health_opens_once_then_closes(
    tmp_path: Path, hook: Receiver
) -> None:
    paths = healthy_dir(tmp_path)
    good = paths.db.read_bytes()
    _corrupt(paths.db)
    args = ["health", "--data-dir", str(tmp_path), "--notify", hook.url, *QUIET]
    first = invoke(args)
    assert first.exit_code == 2
    assert len(hook.titles("opened")) == 1, hook.messages
    assert "database corrupted" in hook.messages[0]["message"]
    assert invoke(args).exit_code == 2
    assert len(hook.messages) == 1, hook.messages
    paths.db.write_bytes(good)  # the fix: a good copy back in place
    assert invoke(args).exit_code == 0
    assert len(hook.titles("closed")) == 1, hook.messages
    assert len(hook.titles("opened")) == 1
    cookies = [c["value"] for c in json.loads(paths.cookies.read_text())]
    _no_secret(hook, cookies)


def test_a_full_disk_opens_once_escalates_once_on_the_clock_and_closes(
    tmp_path: Path, hook: Receiver
) -> None:
    paths = healthy_dir(tmp_path)
    start = datetime(2026, 11, 27, 10, 0, tzinfo=UTC)  # a Friday

    def check(disk: float, at: datetime) -> None:
        report = check_health(paths, probes=probes(disk=disk))
        after_check(paths, from_health(paths, report), (hook.url,), now=at)

    check(99.0, start)
    assert len(hook.titles("opened")) == 1, hook.messages
    assert "level 2" in hook.titles("opened")[0]
    check(99.0, start + timedelta(hours=3, minutes=59))
    assert len(hook.messages) == 1, hook.messages  # same condition, not yet past 4 hours
    check(99.0, start + timedelta(hours=4))
    assert len(hook.titles("escalated")) == 1, hook.messages
    check(99.0, start + timedelta(hours=9))
    assert len(hook.titles("escalated")) == 1, hook.messages  # marked once
    check(50.0, start + timedelta(hours=10))
    assert len(hook.titles("closed")) == 1, hook.messages
    assert len(hook.messages) == 3
    conn = store.open_incidents(incidents_file(paths))
    try:
        (row,) = store.all_rows(conn)
        assert row.escalated_at == "2026-11-27T14:00:00.000Z"
        assert row.closed_at == "2026-11-27T20:00:00.000Z"
        kinds = [e.kind for e in store.events(conn, row.id)]
    finally:
        conn.close()
    assert kinds == ["opened", "escalated", "closed"]
    _no_secret(hook, [c["value"] for c in json.loads(paths.cookies.read_text())])


def test_escalation_deadlines_follow_the_runbook() -> None:
    friday = datetime(2026, 11, 27, 10, 0, tzinfo=UTC)
    assert escalation_deadline(Level.CRITICAL, friday) == friday + timedelta(hours=1)
    assert escalation_deadline(Level.HIGH, friday) == friday + timedelta(hours=4)
    # one business day from Friday morning is Monday morning; from Tuesday, Wednesday
    assert escalation_deadline(Level.MEDIUM, friday) == friday + timedelta(days=3)
    tuesday = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)
    assert escalation_deadline(Level.MEDIUM, tuesday) == tuesday + timedelta(days=1)


def test_a_failed_notification_is_kept_and_sent_by_a_later_check(
    tmp_path: Path, hook: Receiver
) -> None:
    paths = healthy_dir(tmp_path)
    start = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)
    hook.fail = True
    report = check_health(paths, probes=probes(disk=99.0))
    after_check(paths, from_health(paths, report), (hook.url,), now=start)
    assert hook.messages == []
    conn = store.open_incidents(incidents_file(paths))
    try:
        assert store.pending_count(conn) == 1
    finally:
        conn.close()
    hook.fail = False
    early = deliver(paths, (hook.url,), start + timedelta(seconds=30))
    assert (early.sent, hook.messages) == (0, [])  # backing off
    later = deliver(paths, (hook.url,), start + timedelta(minutes=5))
    assert (later.sent, later.pending) == (1, 0)
    assert len(hook.titles("opened")) == 1


def test_a_slow_receiver_never_holds_the_command(
    tmp_path: Path, hook: Receiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    paths = healthy_dir(tmp_path)
    hook.delay = 2.0
    monkeypatch.setattr(notify, "DELIVERY_DEADLINE", 0.3)
    report = check_health(paths, probes=probes(disk=99.0))
    began = time.monotonic()
    changes = after_check(paths, from_health(paths, report), (hook.url,))
    assert time.monotonic() - began < 1.5
    assert [c.kind for c in changes] == ["opened"]
    assert hook.messages == []  # still on its way, off the command's path


def test_data_loss_escalates_at_once_and_only_once(tmp_path: Path) -> None:
    paths = healthy_dir(tmp_path)
    now = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)
    seen = Seen("diagnose", frozenset(), (Observation(Condition.DATA_LOSS, "db gone"),))
    conn = store.open_incidents(incidents_file(paths))
    try:
        assert [c.kind for c in record(conn, seen, now)] == ["opened", "escalated"]
        assert record(conn, seen, now + timedelta(minutes=15)) == []
        (row,) = store.open_rows(conn)
        assert row.escalation == "immediate" and row.seen == 2
    finally:
        conn.close()
