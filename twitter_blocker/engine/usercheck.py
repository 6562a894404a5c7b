"""``--test-user``: a read-only look at one account (no lock, no ledger writes, no block)."""

from __future__ import annotations

import sqlite3

from ..config import Paths
from ..errors import StoreError
from ..inputs.cookies import load_cookies
from ..inputs.endpoints_file import load_overrides
from ..inputs.normalize import handle_key, id_key, normalize
from ..store.db import connect
from ..store.readmodel import decisions_by_key
from ..x.client import XClient
from ..x.contract import OVERRIDE_FILE
from ..x.errors import TargetUnavailable
from ..x.models import Relationship, UserState
from .allow import allowlist_ids
from .cacheview import endpoint_table, open_cache
from .policy import Action, decide
from .runtypes import RunOptions, UserReport
from .work import with_relationship


def inspect_user(
    paths: Paths, api_base: str, identifier: str, options: RunOptions | None = None
) -> UserReport:
    """Look ``identifier`` (a handle, ``@handle``, profile URL or numeric id) up, read the
    viewer's relationship to it, and say what a run with ``options``' policy (allowlist,
    --block-following, --block-followers) would do, on the same fresh relationship data."""
    o = options or RunOptions()
    cookies = load_cookies(paths.cookies)
    user_id, screen_name = normalize(identifier)  # the CLI has checked it (InvalidEntry)
    overrides = load_overrides(paths.data_dir / OVERRIDE_FILE)
    with (
        open_cache(paths) as cache,
        XClient(
            cookies, api_base=api_base, endpoint_table=endpoint_table(cookies, cache, overrides)
        ) as client,
    ):
        viewer_id = cookies.user_id or client.viewer().user_id
        hit = client.lookup_id(user_id) if user_id else client.lookup_handle(screen_name or "")
        if hit.state is not UserState.ACTIVE or hit.user is None:
            return UserReport(identifier, hit.state, None, None, f"fail:{hit.state.value}")
        rel: Relationship | None
        try:
            rel = client.friendship(hit.user.user_id)
        except TargetUnavailable as exc:
            return UserReport(identifier, exc.state, hit.user, None, f"fail:{exc.state.value}")
        ids, _ = allowlist_ids(o.allowlist, client)
        d = decide(
            with_relationship(hit.user, rel),
            viewer_id=viewer_id,
            allowlist=o.allowlist | ids,
            skip_following=o.skip_following,
            skip_followers=o.skip_followers,
        )
        would = d.action.value if d.action is not Action.SKIP else f"skip:{d.reason}"
        status = _db_status(paths, hit.user.user_id, hit.user.screen_name)
        return UserReport(identifier, hit.state, hit.user, rel, would, db_status=status)


def _db_status(paths: Paths, user_id: str, screen_name: str) -> str | None:
    """The ledger's row for this user, read-only (None without a database or a row)."""
    if not paths.db.exists():
        return None
    try:
        conn = connect(paths.db, readonly=True)
    except (StoreError, sqlite3.Error):
        return None
    try:
        found = decisions_by_key(conn, (id_key(user_id), handle_key(screen_name)))
    finally:
        conn.close()
    if not found:
        return None
    status, _user_status, reason = next(iter(found.values()))
    return f"{status} ({reason})" if reason else str(status)
