"""The facts ``diagnose`` gathers (runbook "問題診断"): files, disk, memory, db, network, auth.

Everything here is read-only: the database is opened ``mode=ro``, the lock file
is only probed, the API base gets one unauthenticated TCP/HTTP probe with a
short timeout (no cookie is sent). ``live=True`` adds one cheap authenticated
call (``Viewer``). Log lines and command lines are masked again before they
are returned.
"""

from __future__ import annotations

import contextlib
import socket
import stat
import time
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import psutil

from ...config import Paths
from ...errors import InputError
from ...inputs.cookies import load_cookies
from ...store import readmodel as dbfacts
from ...x.models import Outcome
from ..access.auth import AUTH_CHECK_MESSAGE, Verdict, live_verdict
from ..redact import known_secrets as known_secrets  # re-exported for reports
from ..redact import redact
from .disk import DiskFact as DiskFact  # re-exported for diagnose
from .disk import disk_usage

LOG_TAIL_LINES = 50
THRESHOLD_PERCENT = 90.0
LARGE_FILE_BYTES = 100 * 1024 * 1024
LONG_STOP_SECONDS = 900.0


@dataclass(frozen=True, slots=True)
class FileFact:
    label: str
    path: str
    exists: bool
    size: int = 0  # bytes (a directory: the total of its files)
    mode: str | None = None  # "0600" for files holding secrets
    entries: int | None = None  # a directory: number of files
    # Its absence is abnormal ("missing"): a run needs it, or it was lost. Otherwise an absent
    # file is one that comes later ("none yet": no WAL yet, no failed call, no backup yet).
    required: bool = False


@dataclass(frozen=True, slots=True)
class MemoryFact:
    total: int
    available: int
    percent: float


@dataclass(frozen=True, slots=True)
class DbFact:
    exists: bool
    ok: bool
    integrity: list[str]
    tables: list[str] = field(default_factory=list)
    by_status: dict[str, int] = field(default_factory=dict)
    duplicates: int = 0
    unverified_intents: int = 0
    temporary_failures: int = 0
    last_run: dbfacts.RunInfo | None = None


@dataclass(frozen=True, slots=True)
class NetworkFact:
    api_base: str
    reachable: bool
    detail: str
    http_status: int | None = None
    elapsed_ms: float | None = None


class AuthState(StrEnum):
    OK = "ok"
    FAILED = "failed"
    ACCOUNT_BLOCKED = "account_blocked"
    NO_COOKIES = "no_cookies"
    BAD_FILE = "bad_file"
    UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class AuthFact:
    state: AuthState
    detail: str
    live: bool  # the state comes from a live call made now
    account_id: str | None = None
    cookie_names: list[str] = field(default_factory=list)


# --- facts -------------------------------------------------------------------------------------


def _dir_facts(path: Path) -> tuple[int, int]:
    total = count = 0
    for item in path.rglob("*"):
        with contextlib.suppress(OSError):
            if item.is_file() and not item.is_symlink():
                total += item.stat().st_size
                count += 1
    return total, count


def _file_fact(
    label: str, path: Path, base: Path, *, show_mode: bool = False, required: bool = False
) -> FileFact:
    shown = str(path.relative_to(base)) if path.is_relative_to(base) else str(path)
    try:
        info = path.stat()
    except OSError:
        return FileFact(label, shown, exists=False, required=required)
    if stat.S_ISDIR(info.st_mode):
        size, count = _dir_facts(path)
        return FileFact(label, shown, exists=True, size=size, entries=count)
    mode = f"{stat.S_IMODE(info.st_mode):04o}" if show_mode else None
    return FileFact(label, shown, exists=True, size=info.st_size, mode=mode)


def file_facts(paths: Paths) -> list[FileFact]:
    base = paths.data_dir
    backups = _file_fact("backups", paths.backup_dir, base)
    emergency = [
        _file_fact("emergency backup", folder, base)
        for folder in sorted(base.glob("emergency_backup_*"))
    ]
    backed_up = any(fact.exists and (fact.entries or 0) > 0 for fact in [backups, *emergency])
    return [
        # no database before the first run is normal; none while backups exist is a loss
        _file_fact("database", paths.db, base, required=backed_up),
        _file_fact("database WAL", paths.db.with_name(paths.db.name + "-wal"), base),
        _file_fact("cookies", paths.cookies, base, show_mode=True, required=True),
        _file_fact("targets", paths.users_file, base, required=True),
        _file_fact("cache", paths.cache_dir, base),
        _file_fact("log", paths.log_file, base),
        _file_fact("error log", paths.error_log, base),
        backups,
        *emergency,
    ]


def disk_fact(paths: Paths) -> DiskFact:
    return disk_usage(paths.data_dir if paths.data_dir.exists() else Path.cwd())


def memory_fact() -> MemoryFact:
    memory = psutil.virtual_memory()
    return MemoryFact(int(memory.total), int(memory.available), float(memory.percent))


def db_fact(db: Path) -> DbFact:
    with dbfacts.open_readonly(db) as conn:
        if conn is None:
            if db.exists():
                return DbFact(exists=True, ok=False, integrity=["cannot open the database file"])
            return DbFact(exists=False, ok=True, integrity=[])
        lines = dbfacts.integrity(conn)
        runs = dbfacts.last_runs(conn, 1)
        return DbFact(
            exists=True,
            ok=lines == ["ok"],
            integrity=lines[:20],
            tables=dbfacts.table_names(conn),
            by_status=dbfacts.status_counts(conn),
            duplicates=dbfacts.duplicate_groups(conn),
            unverified_intents=dbfacts.unverified_block_intents(conn),
            temporary_failures=dbfacts.temporary_failures(conn),
            last_run=runs[0] if runs else None,
        )


def tail_lines(path: Path, count: int = LOG_TAIL_LINES, secrets: tuple[str, ...] = ()) -> list[str]:
    """The last ``count`` lines of a text file, read from the end, masked again."""
    try:
        with path.open("rb") as handle:
            handle.seek(0, 2)
            end = handle.tell()
            block = 64 * 1024
            data = b""
            while end > 0 and data.count(b"\n") <= count:
                start = max(0, end - block)
                handle.seek(start)
                data = handle.read(end - start) + data
                end = start
    except OSError:
        return []
    lines = data.decode("utf-8", errors="replace").splitlines()[-count:]
    return [redact(line, secrets) for line in lines]


def probe_api(api_base: str, *, timeout: float = 3.0) -> NetworkFact:
    """TCP connect to the API host, then one plain GET of the base URL. Sends no secret."""
    parts = urlsplit(api_base)
    host = parts.hostname or ""
    port = parts.port or (443 if parts.scheme == "https" else 80)
    started = time.monotonic()
    try:
        with socket.create_connection((host, port), timeout=timeout):
            pass
    except OSError as exc:
        return NetworkFact(api_base, False, f"cannot connect to {host}:{port}: {exc}")
    try:
        response = httpx.get(api_base + "/", timeout=timeout, follow_redirects=False)
    except httpx.HTTPError as exc:
        return NetworkFact(api_base, False, f"HTTP probe failed: {type(exc).__name__}")
    elapsed = round((time.monotonic() - started) * 1000, 1)
    return NetworkFact(
        api_base, True, f"HTTP {response.status_code}", response.status_code, elapsed
    )


def auth_fact(paths: Paths, db: DbFact, api_base: str, *, live: bool) -> AuthFact:
    try:
        cookies = load_cookies(paths.cookies)
    except InputError as exc:
        state = AuthState.NO_COOKIES if not paths.cookies.exists() else AuthState.BAD_FILE
        return AuthFact(state, redact(str(exc)), live=False)
    names = cookies.names()
    if live:
        verdict, detail, _, _ = live_verdict(cookies, api_base, timeout=10.0)
        state = {
            Verdict.OK: AuthState.OK,
            Verdict.REJECTED: AuthState.FAILED,
            Verdict.MISMATCH: AuthState.FAILED,
            Verdict.ACCOUNT_LOCKED: AuthState.ACCOUNT_BLOCKED,
            Verdict.ACCOUNT_SUSPENDED: AuthState.ACCOUNT_BLOCKED,
        }.get(verdict, AuthState.UNKNOWN)
        return AuthFact(state, redact(detail), True, cookies.user_id, names)
    state, detail = _recorded_auth(paths.db, db)
    return AuthFact(state, detail, False, cookies.user_id, names)


def _recorded_auth(path: Path, db: DbFact) -> tuple[AuthState, str]:
    """What the last runs and attempts say about the session."""
    with dbfacts.open_readonly(path) as conn:
        if conn is None:
            return AuthState.UNKNOWN, "no run recorded yet"
        bad = dbfacts.last_attempt(conn, dbfacts.AUTH_OUTCOMES + dbfacts.ACCOUNT_OUTCOMES)
        good = dbfacts.last_attempt(conn, (Outcome.OK,))
    run = db.last_run
    if (
        run is not None
        and run.exit_code in (3, 4)
        and (good is None or (run.ended_at or "") >= (good.at or ""))
    ):
        state = AuthState.FAILED if run.exit_code == 3 else AuthState.ACCOUNT_BLOCKED
        return state, f"the last run (#{run.id}) ended with exit {run.exit_code}"
    if bad is not None and (good is None or bad.id > good.id):
        state = (
            AuthState.ACCOUNT_BLOCKED
            if bad.outcome in dbfacts.ACCOUNT_OUTCOMES
            else AuthState.FAILED
        )
        if _from_auth_check(bad):
            return state, f"auth check at {bad.at}: {bad.outcome}"
        return state, f"{bad.operation} answered {bad.outcome} at {bad.at}"
    if good is not None:
        if _from_auth_check(good):
            return AuthState.OK, f"auth check accepted the session at {good.at}"
        return AuthState.OK, f"last accepted call at {good.at}"
    return AuthState.UNKNOWN, "no call recorded yet (use --live to check now)"


def _from_auth_check(attempt: dbfacts.AttemptRow) -> bool:
    """True for the call ``auth check`` recorded (no run; see ``authcheck.record_check``)."""
    return attempt.run_id is None and (attempt.message or "").startswith(AUTH_CHECK_MESSAGE)
