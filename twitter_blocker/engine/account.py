"""One ledger, one X account: refuse a run whose cookies belong to another account.

``execute`` checks before anything is written when the cookies name their account
(``twid``); otherwise the run checks right after its viewer lookup, before any target is
looked up or blocked. The account is recorded once X accepted the session (the viewer
lookup, or a run that settled a target): rejected cookies bind nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from ..errors import InputError
from ..messages import msg
from ..store.account import Account, bind_account, read_account
from ..store.history import History
from .outcomes import TargetOutcome


def check_account(
    history: History,
    cookies_path: Path,
    user_id: str,
    handle: str | None = None,
    *,
    bind: bool = True,
) -> None:
    """Raise ``InputError`` (exit 2) when the ledger belongs to another account; else, with
    ``bind`` (X accepted the session), record the account (and its handle, once known)."""
    bound = read_account(history.conn)
    if bound is not None and bound.user_id != user_id:
        raise InputError(
            msg(
                "run.other_account",
                found=Account(user_id, handle).label(),
                db=history.path,
                bound=bound.label(),
            ),
            where=str(cookies_path),
            hint=msg("run.other_account.hint"),
        )
    if bind:
        bind_account(history.conn, user_id, handle)


def bind_if_proven(history: History, user_id: str, outcomes: Iterable[TargetOutcome]) -> None:
    """After a run whose ``twid`` named the account: record it once X answered about a
    target (a decision, not only temporary failures), which proves the session is live."""
    if any(outcome is not TargetOutcome.FAILED_TEMPORARY for outcome in outcomes):
        bind_account(history.conn, user_id)
