"""Open the lookup cache (``store.cache``, its own file under ``--cache-dir``) and the
endpoint table kept in it."""

from __future__ import annotations

import logging
from collections.abc import Mapping

from ..config import Paths
from ..store.cache import Cache
from ..store.endpoint_cache import EndpointCache
from ..x.contract import Override
from ..x.resolver import Endpoints
from ..x.transport import SessionCookies

log = logging.getLogger("twitter_blocker.engine")


def open_cache(paths: Paths) -> Cache:
    """The cache satisfies ``work.LookupCache``; a damaged file is moved aside and noted."""
    paths.cache_dir.mkdir(parents=True, exist_ok=True)
    cache = Cache.open(paths.cache_db)
    if cache.warning:
        log.warning("lookup cache: %s", cache.warning)
    return cache


def endpoint_table(
    cookies: SessionCookies, cache: Cache, overrides: Mapping[str, Override]
) -> Endpoints:
    """The run's GraphQL endpoint table: pinned, the account's cached discovery (a day), the
    override file; healing from x.com/home on a stale contract (``x.resolver``)."""
    return Endpoints(
        overrides=overrides,
        memory=EndpointCache(cache),
        account=cookies.user_id or "default",
        heal=True,
    )
