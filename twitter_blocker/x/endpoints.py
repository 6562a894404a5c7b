"""Where X's web API lives, and the part of it X changes every few weeks.

Everything volatile sits in the one block between the ``BEGIN VOLATILE`` and
``END VOLATILE`` markers: GraphQL queryIds, the feature flags each operation
needs, the public web bearer and the browser identity. When X rotates a
queryId or starts requiring a new flag (HTTP 400, code 336), the fix is a
diff inside that block (X-FACTS.md 2.1). The client also self-heals a 336 at
run time by adding the named flags (``client.py``).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from urllib.parse import urlencode

# ---------------------------------------------------------------- BEGIN VOLATILE
# Sources and dates: X-FACTS.md 1.1 (bearer, headers), 2.1 (queryIds, features).

# The public bearer of the x.com web app; the same for every user, not a secret.
WEB_BEARER = (
    "AAAAAAAAAAAAAAAAAAAAANRILgAAAAAAnNwIzUejRCOuH5E6I8xnZz4puTs%3D"
    "1Zv7ttfk8LF81IUq16cHjhLTvJu4FA33AGWWjCpTnA"
)

USER_AGENT = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 "
    "(KHTML, like Gecko) Chrome/141.0.0.0 Safari/537.36"
)
SEC_CH_UA = '"Google Chrome";v="141", "Not?A_Brand";v="8", "Chromium";v="141"'
CLIENT_LANGUAGE = "en"

QUERY_IDS: Mapping[str, str] = MappingProxyType(
    {
        "UserByScreenName": "Gb-d6r0vxPOADdG62OEBpQ",  # twscrape, nitter 2026-08
        "UserByRestId": "xvmVfRLmnr1alc5f2dib0Q",  # twscrape, nitter 2026-08
        "UsersByRestIds": "RmmhHyIQp01b-lwA_zvAuw",  # ids set of 2026-08 (public clients)
        "UsersByScreenNames": "BQEP-w59kdVKv7CSLsSSiw",  # Agentic-SNS 2026-09
        "Viewer": "5XShkXk2oO2J7SYmTu6pvw",  # Agentic-SNS 2026-09
        "BlockedAccountsAll": "wKSrEpYdqj2-VMkH9zPMBg",  # twt 2025-07
        "MutedAccounts": "mJA1YbOoJTyoB64W9hd6ZQ",  # public endpoint tables, undated
        # chain sources (nitter, twscrape, Agentic-SNS 2026-08/09; docs/EMULATOR.md)
        "Followers": "JNyQdTISpzCkj_1fqxDvFg",
        "Following": "b8XpwALENnJdFSHchkK6rw",
        "BlueVerifiedFollowers": "cg6WLW39UujWMeX77xBnOA",
        "ListMembers": "wGce-45xnc5bs3HVvevC2w",
        "Retweeters": "ZFgY5RA3dB6lmSgV1dUE_A",
        "Favoriters": "yObihOW0q78g0PONS3QWVw",
        "SearchTimeline": "AIdc203rPpK_k_2KWSdm7g",
    }
)

# HTTP method per operation (X-FACTS.md 9.5: the user lookups are still GET in 2026; some
# other operations moved to POST). The client switches one to POST when GET gets empty 404s.
METHODS: Mapping[str, str] = MappingProxyType({op: "GET" for op in QUERY_IDS})

# Operations that need an x-client-transaction-id from their first call (X-FACTS.md 9.4:
# SearchTimeline and Followers are gated; the user lookups and v1.1 blocks are not). An
# operation not listed gets one only after an empty 404 (resolver.py), or via the override file.
TID_OPERATIONS: frozenset[str] = frozenset({"Followers", "SearchTimeline"})

# The user-lookup feature set (twitter-openapi placeholder.json 2025-05; twscrape 2026-08
# sends a similar one). Extra flags are ignored by X, missing required ones give 400/336,
# so every user operation gets the full set.
_USER_FEATURES: dict[str, bool] = {
    "hidden_profile_subscriptions_enabled": True,
    "profile_label_improvements_pcf_label_in_post_enabled": True,
    "rweb_tipjar_consumption_enabled": True,
    "verified_phone_label_enabled": False,
    "subscriptions_verification_info_is_identity_verified_enabled": True,
    "subscriptions_verification_info_verified_since_enabled": True,
    "highlights_tweets_tab_ui_enabled": True,
    "responsive_web_twitter_article_notes_tab_enabled": True,
    "subscriptions_feature_can_gift_premium": True,
    "creator_subscriptions_tweet_preview_api_enabled": True,
    "responsive_web_graphql_skip_user_profile_image_extensions_enabled": False,
    "responsive_web_graphql_timeline_navigation_enabled": True,
}

FEATURES: Mapping[str, Mapping[str, bool]] = MappingProxyType(
    {
        "UserByScreenName": MappingProxyType(dict(_USER_FEATURES)),
        "UserByRestId": MappingProxyType(dict(_USER_FEATURES)),
        "UsersByRestIds": MappingProxyType(dict(_USER_FEATURES)),
        "UsersByScreenNames": MappingProxyType(dict(_USER_FEATURES)),
        "Viewer": MappingProxyType(dict(_USER_FEATURES)),
        "BlockedAccountsAll": MappingProxyType(dict(_USER_FEATURES)),
        "MutedAccounts": MappingProxyType(dict(_USER_FEATURES)),
        **{
            op: MappingProxyType(dict(_USER_FEATURES))
            for op in (
                "Followers",
                "Following",
                "BlueVerifiedFollowers",
                "ListMembers",
                "Retweeters",
                "Favoriters",
                "SearchTimeline",
            )
        },
    }
)

FIELD_TOGGLES: Mapping[str, Mapping[str, bool]] = MappingProxyType(
    {"UserByScreenName": MappingProxyType({"withAuxiliaryUserLabels": False})}
)

# Values to use when a 336 names a flag we did not send. Anything not listed is sent
# as false (a conservative "off"), which is what the web client does for most flags.
KNOWN_FEATURE_VALUES: Mapping[str, bool] = MappingProxyType(
    {
        **_USER_FEATURES,
        "hidden_profile_likes_enabled": True,
        "responsive_web_graphql_exclude_directive_enabled": True,
    }
)
# ------------------------------------------------------------------ END VOLATILE

GRAPHQL_PREFIX = "/i/api/graphql"
REST_PREFIX = "/i/api/1.1"


def graphql_path(operation: str) -> str:
    """``/i/api/graphql/<queryId>/<Operation>``; KeyError for an unknown operation."""
    return f"{GRAPHQL_PREFIX}/{QUERY_IDS[operation]}/{operation}"


def rest_path(path: str) -> str:
    """``/i/api/1.1/<path>.json`` for ``blocks/create`` and friends."""
    return f"{REST_PREFIX}/{path}.json"


def _dumps(value: object) -> str:
    return json.dumps(value, separators=(",", ":"))


@dataclass
class FeatureSets:
    """The feature flags this client sends per operation; grows on a 336 for its lifetime."""

    _sets: dict[str, dict[str, bool]] = field(
        default_factory=lambda: {op: dict(flags) for op, flags in FEATURES.items()}
    )
    _encoded: dict[str, str] = field(default_factory=dict)

    def get(self, operation: str) -> dict[str, bool]:
        return self._sets.setdefault(operation, {})

    def replace(self, operation: str, flags: Mapping[str, bool]) -> None:
        """Use ``flags`` for ``operation`` from now on (a discovered or overridden set)."""
        self._sets[operation] = dict(flags)
        self._encoded.pop(operation, None)

    def query_tail(self, operation: str) -> str:
        """The URL-encoded ``features`` (and ``fieldToggles``) part, cached per operation."""
        tail = self._encoded.get(operation)
        if tail is None:
            params = {"features": _dumps(self.get(operation))}
            toggles = FIELD_TOGGLES.get(operation)
            if toggles:
                params["fieldToggles"] = _dumps(dict(toggles))
            tail = self._encoded[operation] = urlencode(params)
        return tail

    def add_missing(self, operation: str, names: tuple[str, ...]) -> bool:
        """Add the flags X named; True if anything new was added (else a retry cannot help)."""
        flags = self.get(operation)
        added = False
        for name in names:
            if name not in flags:
                flags[name] = KNOWN_FEATURE_VALUES.get(name, False)
                added = True
        self._encoded.pop(operation, None)
        return added

    def query(self, operation: str, variables: Mapping[str, object]) -> str:
        """The whole query string of a GraphQL GET (same as ``graphql_query``, but cached)."""
        return urlencode({"variables": _dumps(variables)}) + "&" + self.query_tail(operation)


def graphql_query(
    operation: str, variables: Mapping[str, object], features: Mapping[str, bool]
) -> str:
    """The query string of a GraphQL GET: JSON-encoded ``variables``, ``features``, toggles."""
    params = {"variables": _dumps(variables), "features": _dumps(features)}
    toggles = FIELD_TOGGLES.get(operation)
    if toggles:
        params["fieldToggles"] = _dumps(dict(toggles))
    return urlencode(params)
