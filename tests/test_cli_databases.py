"""Databases and data directories that cannot be used as they are: refused, nothing written.

A database of another program, a damaged one, a read-only file or directory, and one that
another run holds under a different name (symlink, ``..``, hard link): each case exits with
its documented code (1 a database that is not ours or is damaged, as docs/SCHEMA.md says;
2 bad input; 5 busy), prints one line naming the path and what to do, and leaves the data
directory byte for byte as it was (see ``full_snapshot``).
"""

from __future__ import annotations

import ctypes
import json
import os
import sqlite3
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from test_cli_support import (
    DEAD_API,
    ROOT,
    Result,
    World,
    _restore_process_state,  # noqa: F401  (autouse fixture)
    assert_strict,
    full_snapshot,
    invoke,
    make_world,
    start_module,
    subprocess_env,
    write_data_dir,
)

from twitter_blocker.emulator import Emulator
from twitter_blocker.inputs.targets import Target
from twitter_blocker.store.history import History

PAGE = 4096


def _base(data: Path) -> list[str]:
    """A dead API and no waiting: a run that got past the checks would end at once (75)."""
    return ["--data-dir", str(data), "--api-base", DEAD_API, "--max-wait", "0"]


def _our_db(path: Path, targets: int = 3000) -> Path:
    with History.open(path) as history:
        history.import_targets([Target(f"sn:user{i}", None, f"user{i}", i) for i in range(targets)])
    return path


def _foreign(path: Path, sql: str, *, wal: bool = False) -> Path:
    conn = sqlite3.connect(path)
    if wal:
        conn.execute("PRAGMA journal_mode = WAL")
    conn.executescript(sql)
    conn.close()
    return path


def _zero_page(path: Path, page: int) -> None:
    with path.open("r+b") as handle:
        handle.seek((page - 1) * PAGE)
        handle.write(b"\0" * PAGE)


def _firefox(data: Path) -> list[str]:
    sql = "CREATE TABLE moz_cookies(id INTEGER PRIMARY KEY, name TEXT, value TEXT);"
    _foreign(data / "cookies.sqlite", sql + "INSERT INTO moz_cookies VALUES (1, 'a', 'b');")
    return ["--db", str(data / "cookies.sqlite")]


def _foreign_block_history(data: Path) -> list[str]:
    _foreign(data / "block_history.db", "CREATE TABLE block_history(foo, bar);")
    return []


def _foreign_wal(data: Path) -> list[str]:
    _foreign(data / "block_history.db", "CREATE TABLE notes(body TEXT);", wal=True)
    return []


def _text_file(data: Path) -> list[str]:
    (data / "block_history.db").write_text("id,screen_name\n1,alice\n", encoding="utf-8")
    return []


def _random_bytes(data: Path) -> list[str]:
    (data / "block_history.db").write_bytes(bytes(range(256)) * 64)
    return []


def _truncated(data: Path) -> list[str]:
    db = _our_db(data / "block_history.db")
    with db.open("r+b") as handle:
        handle.truncate(db.stat().st_size // 2)
    return []


def _zeroed_page(data: Path) -> list[str]:
    db = _our_db(data / "block_history.db")
    _zero_page(db, db.stat().st_size // PAGE // 2)
    return []


def _zeroed_header(data: Path) -> list[str]:
    db = _our_db(data / "block_history.db", targets=50)
    with db.open("r+b") as handle:
        handle.write(b"\0" * 100)
    return []


def _symlink_to_foreign(data: Path) -> list[str]:
    other = data / "elsewhere"
    other.mkdir()
    _foreign(other / "places.sqlite", "CREATE TABLE moz_places(url TEXT);")
    (data / "link.db").symlink_to(other / "places.sqlite")
    return ["--db", str(data / "link.db")]


def _symlink_to_damaged(data: Path) -> list[str]:
    other = data / "elsewhere"
    other.mkdir()
    db = _our_db(other / "real.db")
    _zero_page(db, db.stat().st_size // PAGE // 2)
    (data / "block_history.db").symlink_to(other / "real.db")
    return []


def _directory(data: Path) -> list[str]:
    (data / "block_history.db").mkdir()
    return []


# (id, setup -> extra args, exit code, what the line must name besides the database path)
DATABASES: list[tuple[str, Callable[[Path], list[str]], int, tuple[str, ...]]] = [
    ("firefox-cookies-sqlite", _firefox, 1, ("cookies.sqlite", "moz_cookies")),
    ("foreign-block-history", _foreign_block_history, 1, ("block_history.db", "block_history")),
    ("foreign-wal-database", _foreign_wal, 1, ("block_history.db", "notes")),
    ("text-file", _text_file, 1, ("block_history.db",)),
    ("random-bytes", _random_bytes, 1, ("block_history.db",)),
    ("truncated", _truncated, 1, ("block_history.db", "db recover")),
    ("zeroed-page", _zeroed_page, 1, ("block_history.db", "db recover")),
    ("zeroed-header", _zeroed_header, 1, ("block_history.db",)),
    ("symlink-to-foreign", _symlink_to_foreign, 1, ("link.db", "moz_places")),
    ("symlink-to-damaged", _symlink_to_damaged, 1, ("block_history.db", "db recover")),
    ("directory", _directory, 2, ("block_history.db",)),
]
MODES = {"run": ["--all"], "dry-run": ["--dry-run", "--all"], "stats": ["--stats"]}


@pytest.mark.parametrize("mode", list(MODES))
@pytest.mark.parametrize(
    ("setup", "code", "needles"), [c[1:] for c in DATABASES], ids=[c[0] for c in DATABASES]
)
def test_unusable_database_is_refused_without_a_write(
    tmp_path: Path,
    setup: Callable[[Path], list[str]],
    code: int,
    needles: tuple[str, ...],
    mode: str,
) -> None:
    data = write_data_dir(tmp_path / "data")
    extra = setup(data)
    before = full_snapshot(data)
    result = invoke([*_base(data), *extra, *MODES[mode]])
    assert_strict(result, code, needles)
    assert full_snapshot(data) == before


def test_foreign_database_keeps_its_journal_mode_and_tables(tmp_path: Path) -> None:
    data = write_data_dir(tmp_path / "data")
    args = _firefox(data)
    invoke(["--data-dir", str(data), "--api-base", DEAD_API, *args, "--all"])
    conn = sqlite3.connect(f"file:{data / 'cookies.sqlite'}?mode=ro", uri=True)
    try:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")]
    finally:
        conn.close()
    assert tables == ["moz_cookies"]


# --- permissions --------------------------------------------------------------------------------

PR_CAPBSET_DROP = 24
CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH, CAP_FOWNER = 1, 2, 3


def _drop_permission_override() -> None:
    """In the child before exec: root without the capabilities that ignore permission bits."""
    libc = ctypes.CDLL(None, use_errno=True)
    for cap in (CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH, CAP_FOWNER):
        if libc.prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP)")


def _run_unprivileged(args: list[str], data: Path) -> Result:
    """The CLI in a real process that permission bits apply to (also when tests run as root)."""
    proc = subprocess.run(
        [sys.executable, "-m", "twitter_blocker", *args],
        cwd=data,
        env=subprocess_env({"PYTHONDONTWRITEBYTECODE": "1"}),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        preexec_fn=_drop_permission_override if os.geteuid() == 0 else None,
    )
    return Result(proc.returncode, proc.stdout, proc.stderr)


def _ro_data_dir(data: Path) -> tuple[list[str], str]:
    data.chmod(0o555)
    return [], str(data)


def _ro_database(data: Path) -> tuple[list[str], str]:
    _our_db(data / "block_history.db", targets=10).chmod(0o444)
    return [], str(data / "block_history.db")


def _ro_lock_file(data: Path) -> tuple[list[str], str]:
    _our_db(data / "block_history.db", targets=10)
    lock = data / "block_history.db.lock"
    lock.write_text("")
    lock.chmod(0o444)
    return [], str(lock)


def _ro_log_file(data: Path) -> tuple[list[str], str]:
    log = data / "twitter_blocker.log"
    log.write_text("")
    log.chmod(0o444)
    return [], str(log)


def _ro_db_directory(data: Path) -> tuple[list[str], str]:
    other = data / "store"
    other.mkdir()
    _our_db(other / "history.db", targets=10)
    other.chmod(0o555)
    return ["--db", str(other / "history.db")], str(other)


PERMISSIONS: list[tuple[str, Callable[[Path], tuple[list[str], str]]]] = [
    ("data-dir", _ro_data_dir),
    ("database", _ro_database),
    ("lock-file", _ro_lock_file),
    ("log-file", _ro_log_file),
    ("db-directory", _ro_db_directory),
]


# --stats reads without the run lock, so a read-only lock file does not concern it.
PERMISSION_CASES = [
    pytest.param(setup, mode, id=f"{name}-{mode[0].lstrip('-')}")
    for name, setup in PERMISSIONS
    for mode in (["--all"], ["--stats"])
    if not (setup is _ro_lock_file and mode == ["--stats"])
]


@pytest.mark.parametrize(("setup", "mode"), PERMISSION_CASES)
def test_unwritable_path_is_one_line_naming_it(
    tmp_path: Path, setup: Callable[[Path], tuple[list[str], str]], mode: list[str]
) -> None:
    data = write_data_dir(tmp_path / "data")
    extra, path = setup(data)
    before = full_snapshot(data)
    try:
        args = [*extra, *mode, "--api-base", DEAD_API, "--max-wait", "0"]
        result = _run_unprivileged(args, data)
    finally:
        after = full_snapshot(data)
        for entry in [data, *data.rglob("*")]:
            entry.chmod(0o755 if entry.is_dir() else 0o644)
    assert_strict(result, 2, (path, "chmod"))
    assert after == before


# --- one run per database, whatever the path ----------------------------------------------------


@contextmanager
def _holder(data: Path) -> Iterator[int]:
    """A process holding the run lock of ``data``'s database the way a run takes it."""
    code = textwrap.dedent(
        f"""
        import sys
        from pathlib import Path
        from twitter_blocker.config import resolve_paths
        from twitter_blocker.proc.runlock import RunLock
        paths = resolve_paths(data_dir=Path({str(data)!r}), env={{}})
        RunLock(paths.lock_file, db=paths.db).acquire("twitter-blocker --all")
        print("ready", flush=True)
        sys.stdin.readline()
        """
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", code],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env=subprocess_env(),
        cwd=ROOT,
    )
    try:
        assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
        yield proc.pid
    finally:
        proc.kill()
        proc.communicate()


def _via_symlink(data: Path) -> list[str]:
    (data / "alias.db").symlink_to(data / "block_history.db")
    return ["--db", str(data / "alias.db")]


def _via_dotdot(data: Path) -> list[str]:
    (data / "sub").mkdir()
    return ["--db", str(data / "sub" / ".." / "block_history.db")]


def _via_hard_link(data: Path) -> list[str]:
    os.link(data / "block_history.db", data / "hard.db")
    return ["--db", str(data / "hard.db")]


def _via_symlinked_dir(data: Path) -> list[str]:
    (data / "dirlink").symlink_to(data)
    return ["--data-dir", str(data / "dirlink")]


OTHER_NAMES: list[tuple[str, Callable[[Path], list[str]]]] = [
    ("symlink", _via_symlink),
    ("dotdot", _via_dotdot),
    ("hard-link", _via_hard_link),
    ("symlinked-data-dir", _via_symlinked_dir),
]


@pytest.mark.parametrize("mode", [["--all"], ["--reset-retry"]], ids=["run", "reset-retry"])
@pytest.mark.parametrize("setup", [c[1] for c in OTHER_NAMES], ids=[c[0] for c in OTHER_NAMES])
def test_database_held_under_another_name_is_busy(
    tmp_path: Path, setup: Callable[[Path], list[str]], mode: list[str]
) -> None:
    data = write_data_dir(tmp_path / "data")
    _our_db(data / "block_history.db", targets=10)
    extra = setup(data)
    with _holder(data) as pid:
        before = full_snapshot(data)
        result = invoke([*_base(data), *extra, *mode])
        assert_strict(result, 5, (f"pid {pid}",))
        assert full_snapshot(data) == before


def _lock_pid(world: World) -> int | None:
    try:
        return int(json.loads((world.data / "block_history.db.lock").read_text())["pid"])
    except (OSError, ValueError, KeyError):
        return None


def test_a_real_run_holds_its_database_under_every_name(
    tmp_path: Path, emulator_factory: Callable[..., Emulator]
) -> None:
    """Two real runs: the second, through a symlink or a hard link, exits 5 naming the first."""
    world = make_world(emulator_factory, tmp_path)
    # --delay 60: after its first block the run waits a minute before the next one
    first = start_module(world.args("--all", delay="60"), cwd=tmp_path)
    try:
        deadline = time.monotonic() + 30
        while _lock_pid(world) != first.pid:
            assert time.monotonic() < deadline and first.poll() is None, "the first run's lock"
            time.sleep(0.05)
        os.link(world.db, world.data / "hard.db")
        (world.data / "alias.db").symlink_to(world.db)
        for name in ("hard.db", "alias.db"):
            second = invoke(world.args("--all", "--db", str(world.data / name)))
            assert_strict(second, 5, (f"pid {first.pid}", name))
    finally:
        first.kill()
        first.communicate()
