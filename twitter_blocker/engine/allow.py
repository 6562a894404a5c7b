"""Allowlist entries given as handles, resolved to ids at the start of a run.

A handle names an account only until it is renamed; the id does not change. So each
``sn:`` entry is resolved before anything is decided, and the ids it names join the
allowlist: an allowlisted account renamed during a long run stays protected. A handle the
id cache knows (up to 30 days) takes that id without a call (protecting one id too many is
harmless; the handle entry still protects whoever holds the handle now); the others are
looked up in batches. A handle that names no account on X stays a handle entry (with a
warning). If the lookup itself fails, the run stops (resumable) rather than run on a
weaker list.
"""

from __future__ import annotations

import logging
from dataclasses import replace

from ..inputs.normalize import id_key
from ..messages import msg
from ..x.client import XClient
from ..x.errors import XAccountError, XAuthError, XError
from .failures import Stop, error_label
from .runtypes import ProgressSink, RunOptions
from .work import LookupCache, NullCache

log = logging.getLogger("twitter_blocker.engine")


def allowlist_ids(
    allowlist: frozenset[str],
    client: XClient,
    cache: LookupCache | None = None,
    viewer_id: str = "",
) -> tuple[frozenset[str], list[str]]:
    """(``id:`` keys of the handles in ``allowlist``, handles that resolved to no account).
    Handles the cache knows are not asked again; answers are cached. Raises the client's
    ``XError`` when X cannot be asked."""
    cache = cache or NullCache()
    handles = sorted(k[3:] for k in allowlist if k.startswith("sn:"))
    known = cache.get_ids(handles) if handles else {}
    ids = {id_key(known[h]) for h in handles if h in known}
    ask = [h for h in handles if h not in known]
    results = client.lookup_handles(ask) if ask else []
    if results and viewer_id:
        cache.put_lookups(viewer_id, results)
    missing: list[str] = []
    for hit in results:
        uid = hit.user.user_id if hit.user is not None else hit.user_id
        if uid:
            ids.add(id_key(uid))
        else:
            missing.append(hit.key)
    return frozenset(ids), missing


def resolve_allowlist(
    options: RunOptions,
    client: XClient,
    progress: ProgressSink,
    cache: LookupCache,
    viewer_id: str,
) -> RunOptions:
    """``options`` with the allowlist's handles also given as ids (``Stop`` on failure)."""
    try:
        ids, missing = allowlist_ids(options.allowlist, client, cache, viewer_id)
    except XAuthError as exc:
        raise Stop("auth", exc) from exc
    except XAccountError as exc:
        raise Stop("account", exc) from exc
    except XError as exc:
        detail = msg("run.allowlist_failed", error=f"{exc.operation}: {error_label(exc)}")
        raise Stop("allowlist", exc, detail=detail) from exc
    for handle in missing:
        progress.note("warning", msg("run.allowlist_unresolved", handle=handle))
    if ids:
        log.info("allowlist: %d handle(s) resolved to ids", len(ids))
    return replace(options, allowlist=options.allowlist | ids) if ids else options
