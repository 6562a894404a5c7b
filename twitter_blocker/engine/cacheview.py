"""Open the lookup cache (``store.cache``) behind the engine's narrow ``LookupCache`` view."""

from __future__ import annotations

import importlib
import logging
from collections.abc import Mapping, Sequence
from typing import Any

from ..config import Paths
from ..x.models import LookupResult, Relationship
from .work import NullCache

log = logging.getLogger("twitter_blocker.engine")


class ClosingNullCache(NullCache):
    def close(self) -> None:
        return None


class StoreCache:
    """Adapter over ``store.cache.Cache``; one query per batch, never per target."""

    def __init__(self, cache: object) -> None:
        self._c = cache

    def get_ids(self, handles: Sequence[str]) -> Mapping[str, str]:
        return self._c.get_ids(list(handles))  # type: ignore[attr-defined,no-any-return]

    def get_profiles(self, ids: Sequence[str]) -> Mapping[str, LookupResult]:
        return self._c.get_profiles(list(ids))  # type: ignore[attr-defined,no-any-return]

    def get_relationships(self, viewer: str, ids: Sequence[str]) -> Mapping[str, Relationship]:
        return self._c.get_relationships(viewer, list(ids))  # type: ignore[attr-defined,no-any-return]

    def put_lookups(self, viewer: str, results: Sequence[LookupResult]) -> None:
        self._c.put_lookups(viewer, list(results))  # type: ignore[attr-defined]

    def close(self) -> None:
        self._c.close()  # type: ignore[attr-defined]


def open_cache(paths: Paths) -> StoreCache | ClosingNullCache:
    try:
        cache_module: Any = importlib.import_module("twitter_blocker.store.cache")
    except ImportError:  # the cache module has not landed: run without one
        log.info("no lookup cache available; every target is looked up")
        return ClosingNullCache()
    return StoreCache(cache_module.Cache.open(paths.cache_db))
