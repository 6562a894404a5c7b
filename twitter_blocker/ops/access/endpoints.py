"""``twitter-blocker endpoints``: the GraphQL contract in use per operation, and a refresh.

Per operation: queryId, method, features, source (pinned / discovered / override), when and
from which web build it was discovered, and whether the last call with it worked. Reads the
cache database and the override file; ``refresh`` reads x.com/home with the account's
cookies, then makes one cheap call (``Viewer``) with what it found before saving it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ...config import Paths
from ...errors import InputError
from ...inputs.cookies import Cookies, load_cookies
from ...inputs.endpoints_file import load_overrides
from ...store.cache import Cache
from ...store.endpoint_cache import EndpointCache
from ...timefmt import utc_iso
from ...x.client import XClient
from ...x.contract import OVERRIDE_FILE, Endpoint
from ...x.errors import XAccountError, XAuthError, XError
from ...x.resolver import Endpoints


@dataclass(frozen=True, slots=True)
class EndpointRow:
    operation: str
    query_id: str
    method: str
    features: dict[str, bool]
    source: str
    at: str | None  # UTC ISO time it was discovered
    build: str | None
    last_ok: bool | None
    last_at: str | None

    def as_dict(self) -> dict[str, Any]:
        return {
            "operation": self.operation,
            "query_id": self.query_id,
            "method": self.method,
            "features": self.features,
            "source": self.source,
            "at": self.at,
            "build": self.build,
            "last_ok": self.last_ok,
            "last_at": self.last_at,
        }


def _iso(epoch: float | None) -> str | None:
    if epoch is None:
        return None
    return utc_iso(epoch, timespec="seconds")


def _row(e: Endpoint) -> EndpointRow:
    return EndpointRow(
        e.operation,
        e.query_id,
        e.method,
        dict(e.features),
        e.source,
        _iso(e.at),
        e.build,
        e.last_ok,
        _iso(e.last_at),
    )


def _cookies(paths: Paths, required: bool) -> Cookies | None:
    if not required and not paths.cookies.exists():
        return None
    try:
        return load_cookies(paths.cookies)
    except InputError:
        if required:
            raise
        return None


def endpoint_rows(paths: Paths, api_base: str, *, refresh: bool = False) -> list[EndpointRow]:
    """The table in use (after a refresh from x.com/home when asked)."""
    overrides = load_overrides(paths.data_dir / OVERRIDE_FILE)
    cookies = _cookies(paths, required=refresh)
    account = (cookies.user_id if cookies is not None else None) or "default"
    paths.cache_dir.mkdir(parents=True, exist_ok=True)
    with Cache.open(paths.cache_db) as cache:
        memory = EndpointCache(cache)
        table = Endpoints(overrides=overrides, memory=memory, account=account, heal=True)
        if refresh and cookies is not None:
            with XClient(cookies, api_base=api_base, endpoint_table=table) as client:
                client.refresh_endpoints()
                try:
                    client.viewer()  # one cheap call: is the set in use accepted?
                except (XAuthError, XAccountError):
                    raise
                except XError:
                    pass  # recorded as "last call failed" in the table
            table.flush()
        return [_row(e) for e in table.table()]
