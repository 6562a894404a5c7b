"""A database belongs to one X account: another account's cookies are refused (issue 9 item 6)."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from pathlib import Path

from test_cli_support import (
    World,
    _restore_process_state,  # noqa: F401  (autouse fixture)
    db_rows,
    invoke,
    make_world,
)

from twitter_blocker.emulator import Emulator
from twitter_blocker.store.account import Account, read_account
from twitter_blocker.store.db import migrate
from twitter_blocker.store.history import History
from twitter_blocker.store.schema import MIGRATIONS

Factory = Callable[..., Emulator]


def _viewer(world: World, index: int) -> tuple[str, str]:
    account = world.emu.world.accounts[index]
    return str(account.user_id), str(account.person.screen_name)


def _use_cookies_of(world: World, index: int, *, twid: bool = True) -> None:
    name = "cookies.json" if index == 0 else f"cookies_{index}.json"
    cookies = json.loads((world.data / name).read_text())
    if not twid:
        cookies = [c for c in cookies if c["name"] != "twid"]
    (world.data / "cookies.json").write_text(json.dumps(cookies))


def _account_meta(db: Path) -> dict[str, str]:
    return dict(db_rows(db, "SELECT key, value FROM meta"))


def test_the_first_run_records_the_account(tmp_path: Path, emulator_factory: Factory) -> None:
    world = make_world(emulator_factory, tmp_path, population=5)
    assert invoke(world.args("--max-users", "1")).exit_code == 0
    own_id, _ = _viewer(world, 0)
    assert _account_meta(world.db)["account_id"] == own_id


def test_another_accounts_cookies_on_a_finished_database_are_refused(
    tmp_path: Path, emulator_factory: Factory
) -> None:
    world = make_world(emulator_factory, tmp_path)
    assert invoke(world.args("--all", "--auto-retry")).exit_code == 0
    own_id, _ = _viewer(world, 0)
    other_id, _ = _viewer(world, 1)
    _use_cookies_of(world, 1)
    before = dict(db_rows(world.db, "SELECT id, status FROM block_history"))
    calls = world.emu.state()["calls"]
    for args in (["--all"], ["--all", "--auto-retry"], ["--retry"], ["--dry-run", "--all"]):
        result = invoke(world.args(*args))
        assert result.exit_code == 2, (args, result.stderr)
        lines = result.stderr_lines
        assert len(lines) == 1 and lines[0].startswith("error: "), lines
        assert own_id in lines[0] and other_id in lines[0], lines[0]
        assert "nothing to do" not in result.stderr
    assert world.emu.state()["calls"] == calls  # twid names the account: no call needed
    preview = invoke(world.args())  # the bare command says so too
    assert preview.exit_code == 0
    assert f"belongs to account {own_id}" in preview.stdout, preview.stdout
    assert f"cookies are of account {other_id}: a run would be refused" in preview.stdout
    assert _account_meta(world.db)["account_id"] == own_id
    assert dict(db_rows(world.db, "SELECT id, status FROM block_history")) == before


def test_without_twid_the_viewer_lookup_reveals_the_other_account(
    tmp_path: Path, emulator_factory: Factory
) -> None:
    world = make_world(emulator_factory, tmp_path, population=10)
    _use_cookies_of(world, 0, twid=False)
    assert invoke(world.args("--max-users", "2")).exit_code == 0
    own_id, own_handle = _viewer(world, 0)
    other_id, other_handle = _viewer(world, 1)
    meta = _account_meta(world.db)
    assert meta["account_id"] == own_id and meta["account_handle"] == own_handle
    _use_cookies_of(world, 1, twid=False)
    result = invoke(world.args("--all"))
    assert result.exit_code == 2, result.stderr
    line = result.stderr_lines[-1]
    assert own_id in line and other_id in line, line
    assert f"@{own_handle}" in line and f"@{other_handle}" in line, line
    other = world.emu.state()["accounts"][other_id]
    assert other["blocked"] == [] and not other["block_calls"]


def test_an_existing_ledger_adopts_the_account_of_its_earlier_runs(tmp_path: Path) -> None:
    db = tmp_path / "block_history.db"
    conn = sqlite3.connect(db, isolation_level=None)
    migrate(conn, [m for m in MIGRATIONS if m.version <= 3])
    conn.execute(
        'INSERT INTO rate_budgets(account, operation, "limit", remaining, reset_epoch,'
        " updated_epoch) VALUES ('777', 'blocks/create', 187, 100, 0, 0)"
    )
    conn.close()
    with History.open(db) as history:
        assert read_account(history.conn) == Account("777")
    empty = tmp_path / "empty.db"
    with History.open(empty) as history:
        assert read_account(history.conn) is None
    # two accounts' budgets: nothing to adopt from (ambiguous)
    both = tmp_path / "both.db"
    conn = sqlite3.connect(both, isolation_level=None)
    migrate(conn, [m for m in MIGRATIONS if m.version <= 3])
    conn.execute(
        'INSERT INTO rate_budgets(account, operation, "limit", remaining, reset_epoch,'
        " updated_epoch) VALUES ('777', 'blocks/create', 187, 100, 0, 0)"
    )
    conn.execute(
        "INSERT INTO pacing_events(account, kind, at_epoch, detail) VALUES ('888', 'block', 0, '')"
    )
    conn.close()
    with History.open(both) as history:
        assert read_account(history.conn) is None


def test_rejected_cookies_bind_no_account(tmp_path: Path, emulator_factory: Factory) -> None:
    """Only a session X accepted proves the account: a failed first run binds nothing."""
    world = make_world(emulator_factory, tmp_path, population=5)
    cookies = json.loads((world.data / "cookies.json").read_text())
    for cookie in cookies:
        if cookie["name"] == "auth_token":
            cookie["value"] = "0" * len(cookie["value"])
    (world.data / "cookies.json").write_text(json.dumps(cookies))
    assert invoke(world.args("--all")).exit_code == 3
    assert "account_id" not in _account_meta(world.db)
    _use_cookies_of(world, 1)  # the account the user meant after all
    result = invoke(world.args("--max-users", "1"))
    assert result.exit_code == 0, result.stderr
    assert _account_meta(world.db)["account_id"] == _viewer(world, 1)[0]
