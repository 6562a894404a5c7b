"""Running an unblock, unmute or mute plan end to end: the run lock, the ledger, the client.

Plans (``store/actions.py``):
- ``unblock --run N``: exactly the accounts run N blocked itself, not undone since (never one
  blocked by hand, by another run, or adopted by ``blocks sync``; Block Together's rule);
- ``unblock --source NAME``: what this tool blocked from the list file NAME;
- ``unblock FILE`` / ``unmute FILE`` / ``--action mute``: the accounts of a target list. Ids
  are used as listed; a handle is resolved from the ledger, else by one batch lookup.
  A mute plan skips, like a block run, accounts that are gone, yourself, and (unless told)
  accounts you follow or that follow you.
"""

from __future__ import annotations

import shlex
import sqlite3
import sys
import threading
from collections.abc import Callable
from pathlib import Path

from ..config import Paths
from ..errors import InputError
from ..inputs.cookies import Cookies
from ..inputs.targets import TargetList
from ..messages import msg
from ..proc.runlock import RunLock
from ..store import actions as store
from ..store import runs
from ..store.actions import Act, Planned
from ..store.history import History
from ..x.client import XClient
from ..x.models import CallRecord, UserState
from .account import check_account
from .actions import ActionPlan, ActionReport, Pacing, run_plan
from .clock import SystemClock
from .runtypes import ProgressSink
from .scheduler import gated_client


def command_line() -> str:
    argv = sys.argv[1:] if sys.argv and sys.argv[0] else []
    return "twitter-blocker " + shlex.join(argv)


def note_sources(conn: sqlite3.Connection, targets: TargetList) -> None:
    """Remember which list file brought each row in (``unblock --source NAME``)."""
    keys = [k for t in targets.targets for k in t.keys]
    store.note_sources(conn, keys, Path(targets.source).name)


def _from_list(
    history: History,
    client: XClient,
    targets: TargetList,
    *,
    lookups: bool,
    skip_following: bool = True,
    skip_followers: bool = True,
) -> list[Planned]:
    conn = history.conn
    planned: list[Planned] = []
    handles: list[str] = []
    ids: list[str] = []
    for t in targets.targets:
        if t.user_id is not None:
            ids.append(t.user_id)
            continue
        sn = t.screen_name
        known = store.user_id_of_handle(conn, sn) if sn is not None else None
        if known is not None and not lookups:
            ids.append(known)
        else:
            handles.append(str(t.screen_name))
    results = client.lookup_handles(handles) if handles else []
    if lookups and ids:
        results = [*client.lookup_ids(ids), *results]
        ids = []
    viewer = client.viewer().user_id if lookups else None
    for r in results:
        user = r.user
        if r.state is not UserState.ACTIVE or user is None or user.user_id == viewer:
            continue
        if lookups and (
            (skip_following and user.following) or (skip_followers and user.followed_by)
        ):
            continue
        ids.append(user.user_id)
    seen: set[str] = set()
    for uid in ids:
        if uid in seen:
            continue
        seen.add(uid)
        planned.append(store.planned(conn, uid))
    return planned


def execute_actions(
    paths: Paths,
    api_base: str,
    cookies: Cookies,
    act: Act,
    *,
    targets: TargetList | None = None,
    run_id: int | None = None,
    source: str | None = None,
    dry_run: bool = False,
    pacing: Pacing | None = None,
    progress: ProgressSink | None = None,
    stop: threading.Event | None = None,
    skip_following: bool = True,
    skip_followers: bool = True,
) -> ActionReport:
    lock = RunLock(paths.lock_file, db_label=str(paths.db), db=paths.db)
    lock.acquire(command_line())
    try:
        paths.db.parent.mkdir(parents=True, exist_ok=True)
        with History.open(paths.db) as history:
            if cookies.user_id is not None:
                check_account(history, paths.cookies, cookies.user_id, bind=False)

            def client_factory(observer: Callable[[CallRecord], None] | None = None) -> XClient:
                return gated_client(
                    cookies, api_base=api_base, clock=SystemClock(), observer=observer
                )

            conn = history.conn
            done = Act.BLOCK if act is Act.UNBLOCK else Act.MUTE
            if run_id is not None:
                if not runs.run_exists(conn, run_id):
                    raise InputError(msg("undo.no_run", run=run_id), where=str(paths.db))
                planned = store.blocks_of_run(conn, run_id, done)
            elif source is not None:
                planned = store.blocks_of_source(conn, Path(source).name, done)
            else:
                assert targets is not None
                with client_factory() as client:
                    planned = _from_list(
                        history,
                        client,
                        targets,
                        lookups=act is Act.MUTE,
                        skip_following=skip_following,
                        skip_followers=skip_followers,
                    )
            plan = ActionPlan(
                act,
                planned,
                command_line(),
                undoes_run=run_id,
                source=Path(targets.source).name if targets is not None else source,
            )
            return run_plan(
                history,
                client_factory,
                plan,
                dry_run=dry_run,
                pacing=pacing,
                progress=progress,
                stop=stop,
            )
    finally:
        lock.release()
