"""``auth check``, part two: does every operation a run needs answer with the ids in use?

One call per GraphQL lookup (about the viewer's own account, so nothing about a target is
learned or changed) with the table a run would use (pinned, the account's cached discovery,
the override file), without healing: the point is to say whether those ids work now.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ...inputs.cookies import Cookies
from ...inputs.endpoints_file import load_overrides
from ...store.cache import Cache
from ...store.endpoint_cache import EndpointCache
from ...x.client import XClient
from ...x.contract import OVERRIDE_FILE
from ...x.errors import XError
from ...x.resolver import Endpoints


@dataclass(frozen=True, slots=True)
class OperationCheck:
    operation: str
    query_id: str
    method: str
    source: str
    ok: bool
    detail: str


def check_operations(
    cookies: Cookies,
    api_base: str,
    *,
    viewer_id: str,
    screen_name: str,
    data_dir: Path,
    cache_db: Path,
    timeout: float = 10.0,
) -> list[OperationCheck]:
    overrides = load_overrides(data_dir / OVERRIDE_FILE)
    cache_db.parent.mkdir(parents=True, exist_ok=True)
    account = cookies.user_id or viewer_id
    calls: list[tuple[str, Callable[[XClient], Any]]] = [
        ("UserByScreenName", lambda c: c.lookup_handle(screen_name)),
        ("UserByRestId", lambda c: c.lookup_id(viewer_id)),
        ("UsersByRestIds", lambda c: c.lookup_ids([viewer_id])),
        ("UsersByScreenNames", lambda c: c.lookup_handles([screen_name])),
    ]
    out: list[OperationCheck] = []
    with Cache.open(cache_db) as cache:
        table = Endpoints(overrides=overrides, memory=EndpointCache(cache), account=account)
        with XClient(cookies, api_base=api_base, timeout=timeout, endpoint_table=table) as client:
            client.batch_size = 1
            for op, call in calls:
                ep = table.get(op)
                try:
                    call(client)
                    ok, detail = True, "answers"
                except XError as exc:
                    parts = [str(p) for p in (exc.http_status, exc.code) if p is not None]
                    ok, detail = False, f"refused ({'/'.join(parts) or type(exc).__name__})"
                last = table.get(op).last_ok
                ok = ok and last is not False
                out.append(OperationCheck(op, ep.query_id, ep.method, ep.source, ok, detail))
        table.flush()
    return out
