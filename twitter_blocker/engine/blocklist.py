"""The account's own block (and mute) list: read it from X resumably, compare it with the
ledger (``blocks sync``), and list every blocked account for ``blocks export``.

A read persists each page and the cursor after it in one commit (``list_snapshot``,
``list_cursors``): a read killed at any instant continues at the page it stopped at. A spent
window waits for its reset, or stops resumably (exit 75) when that is longer than
``max_wait``; an answer that proves nothing stops resumably too, never ends the list.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

from ..store import actions as store
from ..store import blocklist as ledger
from ..store.actions import Act
from ..store.blocklist import Exported as Exported
from ..store.db import transaction
from ..store.history import History
from ..store.models import Reason, Row, Status, UserStatus
from ..x.blocklist import ListKind, ListPage, read_page
from ..x.client import XClient
from ..x.errors import RateLimited, Transient, UnexpectedResponse
from .runtypes import NullProgress, ProgressSink

log = logging.getLogger("twitter_blocker.engine")


class ReadStopped(Exception):
    """The read stopped before the end of the list; the same command continues it."""

    def __init__(self, reason: str, read: int) -> None:
        super().__init__(reason)
        self.reason = reason
        self.read = read


def read_list(
    history: History,
    client: XClient,
    kind: ListKind,
    *,
    max_wait: float | None = None,
    progress: ProgressSink | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> list[tuple[str, str | None]]:
    """The whole list as (user_id, screen_name), continuing an unfinished read."""
    progress = progress or NullProgress()
    conn, name = history.conn, str(kind)
    cursor, read = store.read_in_progress(conn, name)
    if cursor is None:
        store.start_read(conn, name)
    progress.start(f"read {name}", 0)
    empty = 0
    while True:
        try:
            page: ListPage = read_page(client, kind, cursor)
        except RateLimited as exc:
            wait = max(0.0, (exc.reset or time.time() + 60.0) - time.time())
            if exc.suspicious or (max_wait is not None and wait > max_wait):
                raise ReadStopped("rate_limited", read) from exc
            progress.waiting(time.time() + wait, f"{name} rate limit")
            sleep(wait)
            continue
        except (Transient, UnexpectedResponse) as exc:
            raise ReadStopped("transient", read) from exc
        empty = 0 if page.users else empty + 1
        ended = page.next_cursor is None or empty >= 3
        users = [(u.user_id, u.screen_name) for u in page.users]
        read = store.save_page(conn, name, users, None if ended else page.next_cursor)
        for u in page.users:
            progress.advance("read", u.screen_name)
        if ended:
            return store.snapshot(conn, name)
        cursor = page.next_cursor


@dataclass(frozen=True, slots=True)
class SyncReport:
    on_x: int
    adopted: int  # blocks made elsewhere, now in the ledger as already_blocked
    gone: int  # ledger blocks X no longer shows: marked unblocked_elsewhere
    run_id: int


def sync(history: History, on_x: list[tuple[str, str | None]], command: str) -> SyncReport:
    """Adopt X's blocks the ledger lacks; mark ledger blocks X no longer shows. One commit;
    nothing is deleted."""
    conn = history.conn
    run_id = history.start_run(command, len(on_x))
    x_ids = {uid for uid, _ in on_x}
    adopted = gone = 0
    with transaction(conn):
        for uid, screen_name in on_x:
            row = _ledger_row(history, uid, screen_name)
            if row is None:
                history_id = ledger.adopt(conn, uid, screen_name)
            elif row.status == Status.BLOCKED:
                continue
            else:
                history_id = row.id
                history.record_final(
                    row.id, Status.BLOCKED, UserStatus.ACTIVE, Reason.ALREADY_BLOCKED
                )
            store.record_external(conn, history_id, uid, Act.BLOCK, run_id)
            adopted += 1
        for held in ledger.blocked_now(conn):
            if held.user_id in x_ids:
                continue
            ledger.mark_unblocked_elsewhere(conn, held.history_id)
            store.record_external(conn, held.history_id, held.user_id, Act.UNBLOCK, run_id)
            gone += 1
    history.end_run(
        run_id,
        status="done",
        exit_code=0,
        end_reason="done",
        counts={"targets": len(on_x), "skipped": adopted + gone, "api_calls": 0},
    )
    return SyncReport(len(on_x), adopted, gone, run_id)


def _ledger_row(history: History, user_id: str, screen_name: str | None) -> Row | None:
    """The ledger row of ``user_id``: by id, else an unresolved row listed by handle."""
    found = ledger.row_of_user(history.conn, user_id)
    if found is None and screen_name:
        found = ledger.unresolved_row_of_handle(history.conn, screen_name)
        if found is not None:
            history.resolve_identity(found, user_id, screen_name)
            found = ledger.row_of_user(history.conn, user_id)
    return history.get(found) if found is not None else None


def ledger_blocks(history: History) -> list[Exported]:
    """Every account the ledger holds as blocked now, with when, which run and why."""
    return ledger.ledger_blocks(history.conn)


def from_x(on_x: list[tuple[str, str | None]]) -> list[Exported]:
    return [Exported(uid, sn, None, None, None, None) for uid, sn in on_x]
