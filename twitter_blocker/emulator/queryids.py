"""Which GraphQL queryIds, feature lists and HTTP methods X accepts right now.

X rotates its queryIds every few weeks and answers a retired one with an empty-body 404
(twscrape #306, 2026-05) or a ``Query: Unspecified`` error (twitter-cli PR #77, 2026-07).
Switch ``query_id_epoch`` models the rotation: epoch 0 serves the ids published for
2026-08/09 (the ones a client pins today), any other epoch a set derived from the epoch that
no client has pinned. ``any_query_id`` restores routing by operation name alone.

Some operations moved from GET to POST in 2026 (X-FACTS.md 9.5): an operation listed in
switch ``post_operations`` answers GET with an empty 404 and accepts POST with a JSON body
``{variables, features, queryId}``. POST of an operation not listed is accepted too [inf].
"""

from __future__ import annotations

import base64
import hashlib
import json
from typing import Any

from . import bodies
from .bodies import Reply
from .config import GRAPHQL_OPERATIONS, StaleIdForm, Switches
from .world import World

# The most recent set found (dated 2026-08/09 by the public clients that use them).
PUBLISHED_IDS: dict[str, str] = {
    "UserByScreenName": "Gb-d6r0vxPOADdG62OEBpQ",
    "UserByRestId": "xvmVfRLmnr1alc5f2dib0Q",
    "UsersByRestIds": "RmmhHyIQp01b-lwA_zvAuw",
    "UsersByScreenNames": "BQEP-w59kdVKv7CSLsSSiw",
    "Viewer": "5XShkXk2oO2J7SYmTu6pvw",
    "BlockedAccountsAll": "wKSrEpYdqj2-VMkH9zPMBg",  # twt 2025-07
    "MutedAccounts": "mJA1YbOoJTyoB64W9hd6ZQ",  # public endpoint tables, undated
    "Followers": "JNyQdTISpzCkj_1fqxDvFg",
    "Following": "b8XpwALENnJdFSHchkK6rw",
    "BlueVerifiedFollowers": "cg6WLW39UujWMeX77xBnOA",
    "ListMembers": "wGce-45xnc5bs3HVvevC2w",
    "Retweeters": "ZFgY5RA3dB6lmSgV1dUE_A",
    "Favoriters": "yObihOW0q78g0PONS3QWVw",
    "SearchTimeline": "AIdc203rPpK_k_2KWSdm7g",
}

# Flags the web bundle lists for every user operation beside the required ones, and their
# values in the page's feature-switch config (the values a browser would send).
EXTRA_FEATURES: dict[str, bool] = {
    "hidden_profile_subscriptions_enabled": True,
    "subscriptions_verification_info_is_identity_verified_enabled": True,
    "highlights_tweets_tab_ui_enabled": True,
    "creator_subscriptions_tweet_preview_api_enabled": True,
}


def _derived(epoch: int, operation: str) -> str:
    digest = hashlib.sha256(f"x-emulator-epoch-{epoch}-{operation}".encode()).digest()
    return base64.urlsafe_b64encode(digest[:16]).decode("ascii").rstrip("=")


def ids_for_epoch(epoch: int) -> dict[str, str]:
    """operation -> queryId live at ``epoch``."""
    if epoch == 0:
        return dict(PUBLISHED_IDS)
    return {op: _derived(epoch, op) for op in GRAPHQL_OPERATIONS}


def current_id(switches: Switches, operation: str) -> str:
    return ids_for_epoch(switches.query_id_epoch)[operation]


def refusal(switches: Switches, operation: str, query_id: str, method: str) -> Reply | None:
    """X's answer to a queryId it does not serve now, or to GET of a POST-only operation."""
    if operation in switches.post_operations and method == "GET":
        return Reply(404, None, media_type="")
    if switches.any_query_id or query_id == current_id(switches, operation):
        return None
    if switches.stale_id_form is StaleIdForm.QUERY_UNSPECIFIED:
        return Reply(200, {"errors": [{"message": "Query: Unspecified"}]})
    return Reply(404, None, media_type="")


def post_params(raw: bytes) -> dict[str, str] | Reply:
    """The JSON body of a GraphQL POST as the query-string form ``graphql.handle`` reads."""
    try:
        body: Any = json.loads(raw or b"{}")
    except ValueError:
        return Reply(400, bodies.bad_request("BadRequest: could not decode request body"))
    if not isinstance(body, dict):
        return Reply(400, bodies.bad_request("BadRequest: body must be an object"))
    params: dict[str, str] = {}
    for key in ("variables", "features", "fieldToggles"):
        if key in body:
            value = body[key]
            params[key] = value if isinstance(value, str) else json.dumps(value)
    return params


def required_features(world: World, operation: str) -> tuple[str, ...]:
    """The flags ``operation`` requires now: the configured set, plus (at epoch != 0) one flag
    that build started requiring, as X's deploys do (X-FACTS.md 9.1: 34 -> 37 -> 39 flags)."""
    base = world.config.features_for(operation)
    epoch = world.switches.query_id_epoch
    if epoch == 0 or not base:
        return base
    return (*base, f"rweb_epoch{epoch}_profile_enabled")
