"""Which X account a ledger belongs to (table ``meta``, migration ``0004_account_meta``).

The first run that learns the viewer id records it (``account_id``, and ``account_handle``
when the run looked the viewer up); a run with another account's cookies is refused, so one
account's decisions (follow skips, blocks, retry queue) never leak into another's. A ledger
older than the table adopts the one account its earlier runs recorded in ``rate_budgets``
and ``pacing_events`` (nothing when those name no account, or several).
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from .db import transaction, utc_now_iso

ACCOUNT_ID = "account_id"
ACCOUNT_HANDLE = "account_handle"
ACCOUNT_SINCE = "account_since"

CREATE_META = "CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID"


@dataclass(frozen=True, slots=True)
class Account:
    user_id: str
    handle: str | None = None

    def label(self) -> str:
        return f"{self.user_id} (@{self.handle})" if self.handle else self.user_id


def adopt_from_history(conn: sqlite3.Connection) -> None:
    """Migration step: record the account of the earlier runs, when there was exactly one."""
    accounts = {
        str(a)
        for (a,) in conn.execute(
            "SELECT account FROM rate_budgets UNION SELECT account FROM pacing_events"
        )
        if a
    }
    if len(accounts) == 1:
        _set(conn, {ACCOUNT_ID: accounts.pop(), ACCOUNT_SINCE: utc_now_iso()})


def _set(conn: sqlite3.Connection, values: dict[str, str]) -> None:
    conn.executemany(
        "INSERT INTO meta(key, value) VALUES (?, ?)"
        " ON CONFLICT(key) DO UPDATE SET value = excluded.value",
        list(values.items()),
    )


def read_account(conn: sqlite3.Connection) -> Account | None:
    """The account this ledger belongs to; None before the first run learnt it."""
    try:
        rows = dict(conn.execute("SELECT key, value FROM meta"))
    except sqlite3.OperationalError:  # a read-only open of a ledger older than the table
        return None
    user_id = rows.get(ACCOUNT_ID)
    return None if user_id is None else Account(str(user_id), rows.get(ACCOUNT_HANDLE))


def bind_account(conn: sqlite3.Connection, user_id: str, handle: str | None = None) -> None:
    """Record the account (first run), or add its handle once it is known. Never rebinds:
    the caller refuses another account before calling this."""
    current = read_account(conn)
    if current is not None and current.user_id != user_id:
        raise ValueError(f"the ledger belongs to {current.user_id}, not {user_id}")
    values: dict[str, str] = {}
    if current is None:
        values.update({ACCOUNT_ID: user_id, ACCOUNT_SINCE: utc_now_iso()})
    if handle and (current is None or current.handle != handle):
        values[ACCOUNT_HANDLE] = handle
    if values:
        with transaction(conn):
            _set(conn, values)
