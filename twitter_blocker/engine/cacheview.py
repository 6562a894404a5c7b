"""Open the lookup cache (``store.cache``, its own file under ``--cache-dir``)."""

from __future__ import annotations

import logging

from ..config import Paths
from ..store.cache import Cache

log = logging.getLogger("twitter_blocker.engine")


def open_cache(paths: Paths) -> Cache:
    """The cache satisfies ``work.LookupCache``; a damaged file is moved aside and noted."""
    paths.cache_dir.mkdir(parents=True, exist_ok=True)
    cache = Cache.open(paths.cache_db)
    if cache.warning:
        log.warning("lookup cache: %s", cache.warning)
    return cache
