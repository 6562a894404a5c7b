"""Authentication checks and cookie import (runbook "認証失敗").

``check_auth`` parses the cookie file (any supported export), lists the cookie
names with masked values, confirms ``auth_token``, ``ct0`` and the account id
(``twid``), and makes one cheap live call (``XClient.viewer``) for a verdict.
``import_cookies`` turns any supported export into ``cookies.json`` (0600),
keeping the previous file aside (0600 as well). Values never leave this module
unmasked.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import sqlite3
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from pathlib import Path

from ...errors import EXIT_ACCOUNT, EXIT_AUTH, EXIT_OK, EXIT_UNEXPECTED, BlockerError
from ...inputs.cookies import Cookies, load_cookies, mask, parse_cookies, write_cookies_json
from ...store.history import History
from ...timefmt import utc_stamp
from ...x.client import Observer, XClient
from ...x.errors import AccountLocked, AccountSuspended, XAuthError, XError
from ...x.models import CallRecord, Outcome
from .endpointcheck import OperationCheck, check_operations

REPAIR_STEPS_EN = (
    "Log in at https://x.com in your browser.",
    "Open developer tools > Application > Cookies > https://x.com.",
    "Copy the values of ct0 and auth_token (or export all cookies with Cookie-Editor).",
    "Run `twitter-blocker auth import FILE` (or `-` to paste them on stdin).",
    "Check again with `twitter-blocker auth check`.",
)
REPAIR_STEPS_JA = (
    "ブラウザで https://x.com にログイン",
    "開発者ツール > Application > Cookies > https://x.com",
    "ct0 と auth_token の値をコピー（または Cookie-Editor で全クッキーをエクスポート）",
    "`twitter-blocker auth import FILE` を実行（`-` なら標準入力から貼り付け）",
    "`twitter-blocker auth check` で再確認",
)


class Verdict(StrEnum):
    OK = "ok"  # the live call accepted the session
    NOT_CHECKED = "not_checked"  # the file is fine; no live call was made
    REJECTED = "rejected"  # X rejected the cookies (32/89/215/353)
    ACCOUNT_LOCKED = "account_locked"  # 326
    ACCOUNT_SUSPENDED = "account_suspended"  # 64
    MISMATCH = "mismatch"  # the session belongs to another account than twid says
    UNREACHABLE = "unreachable"  # the live call failed for another reason (network, 5xx)

    @property
    def exit_code(self) -> int:
        if self in (Verdict.OK, Verdict.NOT_CHECKED):
            return EXIT_OK
        if self in (Verdict.REJECTED, Verdict.MISMATCH):
            return EXIT_AUTH
        if self in (Verdict.ACCOUNT_LOCKED, Verdict.ACCOUNT_SUSPENDED):
            return EXIT_ACCOUNT
        return EXIT_UNEXPECTED


@dataclass(frozen=True, slots=True)
class CookieView:
    name: str
    masked: str


@dataclass(frozen=True, slots=True)
class AuthReport:
    source: str
    cookies: list[CookieView]
    has_auth_token: bool
    has_ct0: bool
    account_id: str | None  # from twid
    viewer_id: str | None  # from the live call
    viewer_screen_name: str | None
    verdict: Verdict
    detail: str  # one line, never a secret
    # each GraphQL operation a run needs, called once with the ids in use (live checks only)
    operations: list[OperationCheck] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.verdict in (Verdict.OK, Verdict.NOT_CHECKED)


def cookie_views(cookies: Cookies) -> list[CookieView]:
    return [CookieView(name, mask(value)) for name, value in cookies.items()]


def live_verdict(
    cookies: Cookies, api_base: str, *, timeout: float = 10.0, observer: Observer | None = None
) -> tuple[Verdict, str, str | None, str | None]:
    """One ``Viewer`` call: (verdict, detail, viewer id, screen name)."""
    try:
        with XClient(cookies, api_base=api_base, timeout=timeout, observer=observer) as client:
            user = client.viewer()
    except AccountLocked as exc:
        return Verdict.ACCOUNT_LOCKED, _describe(exc), None, None
    except AccountSuspended as exc:
        return Verdict.ACCOUNT_SUSPENDED, _describe(exc), None, None
    except XAuthError as exc:
        return Verdict.REJECTED, _describe(exc), None, None
    except XError as exc:
        return Verdict.UNREACHABLE, _describe(exc), None, None
    if cookies.user_id is not None and user.user_id != cookies.user_id:
        detail = f"twid says account {cookies.user_id} but the session is {user.user_id}"
        return Verdict.MISMATCH, detail, user.user_id, user.screen_name
    return (
        Verdict.OK,
        f"logged in as @{user.screen_name} ({user.user_id})",
        user.user_id,
        (user.screen_name),
    )


def _describe(exc: XError) -> str:
    """The error's own text, with its HTTP status and code unless it names them already."""
    text = str(exc)
    parts = [type(exc).__name__]
    if exc.http_status is not None and f"HTTP {exc.http_status}" not in text:
        parts.append(f"HTTP {exc.http_status}")
    if exc.code is not None and f"code {exc.code}" not in text:
        parts.append(f"code {exc.code}")
    return " ".join(parts) + f": {text}"


# verdict -> the attempts outcome recorded for it (an unreachable X proves nothing: not recorded)
_RECORDED_OUTCOMES = {
    Verdict.OK: Outcome.OK,
    Verdict.REJECTED: Outcome.AUTH_FAILED,
    Verdict.MISMATCH: Outcome.AUTH_FAILED,
    Verdict.ACCOUNT_LOCKED: Outcome.ACCOUNT_LOCKED,
    Verdict.ACCOUNT_SUSPENDED: Outcome.ACCOUNT_SUSPENDED,
}
AUTH_CHECK_MESSAGE = "auth check"  # the attempts message prefix diagnose and health recognise


def record_check(ledger: Path, verdict: Verdict, detail: str, calls: list[CallRecord]) -> bool:
    """Record the live call of a check in an existing ledger (``attempts``, no run), so
    ``diagnose`` and ``health`` weigh it against earlier failures. Never creates the
    database; a busy or damaged one is left alone (the verdict is still shown)."""
    outcome = _RECORDED_OUTCOMES.get(verdict)
    if outcome is None or not calls or not ledger.is_file():
        return False
    call = dataclasses.replace(
        calls[-1], outcome=outcome, message=f"{AUTH_CHECK_MESSAGE}: {verdict.value}: {detail}"
    )
    try:
        with History.open(ledger) as history:
            history.add_attempts(None, [call])
    except (BlockerError, sqlite3.Error):
        return False
    return True


def check_auth(
    cookie_file: Path,
    api_base: str,
    *,
    live: bool = True,
    timeout: float = 10.0,
    ledger: Path | None = None,
    data_dir: Path | None = None,
    cache_db: Path | None = None,
) -> AuthReport:
    """Parse ``cookie_file`` and (with ``live``) ask X who we are; with ``data_dir`` and
    ``cache_db`` also whether every lookup answers with the ids in use. A bad file raises
    InputError.

    With ``ledger`` (an existing ``block_history.db``) the live verdict is recorded there.
    """
    cookies = load_cookies(cookie_file)
    verdict, detail, viewer_id, screen_name = Verdict.NOT_CHECKED, "no live call made", None, None
    operations: list[OperationCheck] = []
    calls: list[CallRecord] = []
    if live:
        verdict, detail, viewer_id, screen_name = live_verdict(
            cookies, api_base, timeout=timeout, observer=calls.append
        )
        if verdict is Verdict.OK and viewer_id and screen_name and data_dir and cache_db:
            operations = check_operations(
                cookies,
                api_base,
                viewer_id=viewer_id,
                screen_name=screen_name,
                data_dir=data_dir,
                cache_db=cache_db,
                timeout=timeout,
            )
    if ledger is not None:
        record_check(ledger, verdict, detail, calls)
    return AuthReport(
        source=str(cookie_file),
        cookies=cookie_views(cookies),
        has_auth_token=bool(cookies.auth_token),
        has_ct0=bool(cookies.ct0),
        account_id=cookies.user_id,
        viewer_id=viewer_id,
        viewer_screen_name=screen_name,
        verdict=verdict,
        detail=detail,
        operations=operations,
    )


@dataclass(frozen=True, slots=True)
class ImportResult:
    dest: Path
    previous: Path | None  # where the old file was kept (0600), None when there was none
    cookies: list[CookieView]
    account_id: str | None


def _keep_aside(path: Path, stamp: str) -> Path | None:
    """Copy the current file to ``<name>.bak-<stamp>`` created 0600 (never readable by others)."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return None
    aside = path.with_name(f"{path.name}.bak-{stamp}")
    counter = 1
    while aside.exists():
        counter += 1
        aside = path.with_name(f"{path.name}.bak-{stamp}-{counter}")
    fd = os.open(aside, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    with contextlib.suppress(OSError):
        os.chmod(aside, 0o600)
    return aside


def import_cookies(
    text: str, *, source: str, dest: Path, now: datetime | None = None
) -> ImportResult:
    """Parse ``text`` (any supported export) and write it to ``dest`` as cookies.json, 0600.

    Parsing happens first: a bad export raises InputError and nothing is written.
    """
    cookies = parse_cookies(text, source=source)
    dest.parent.mkdir(parents=True, exist_ok=True)
    previous = _keep_aside(dest, utc_stamp(now))
    write_cookies_json(cookies, dest)
    with contextlib.suppress(OSError):
        os.chmod(dest, 0o600)
    return ImportResult(dest, previous, cookie_views(cookies), cookies.user_id)
