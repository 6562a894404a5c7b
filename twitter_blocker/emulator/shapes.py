"""User objects as X serves them: GraphQL nodes in three eras (X-FACTS.md 2.3, 2.4) and v1.1 users.

Counts and other decoration are derived from the user id with a cheap hash, so building a node
costs O(1) and the same user always looks the same.
"""

from __future__ import annotations

import base64
import time
from dataclasses import dataclass
from typing import Any

from .config import Shape
from .population import Person

SUSPENDED_RESULT: dict[str, Any] = {
    "__typename": "UserUnavailable",
    "message": "User is suspended",
    "reason": "Suspended",
}


@dataclass(frozen=True, slots=True)
class Relation:
    """The viewer's relationship with one user."""

    following: bool = False
    followed_by: bool = False
    blocking: bool = False
    blocked_by: bool = False
    muting: bool = False


def stable_mix(user_id: str, salt: int) -> int:
    return ((int(user_id) ^ (salt * 0x9E3779B97F4A7C15)) * 0xBF58476D1CE4E5B9 >> 17) & 0xFFFFFFFF


def _counts(person: Person) -> tuple[int, int, int, int, int]:
    uid = person.user_id
    followers = stable_mix(uid, 1) % 5000
    following = stable_mix(uid, 2) % 2000
    tweets = stable_mix(uid, 3) % 20000
    favourites = stable_mix(uid, 4) % 30000
    media = tweets // 20
    return followers, following, tweets, favourites, media


def created_at(person: Person) -> str:
    return time.strftime("%a %b %d %H:%M:%S +0000 %Y", time.gmtime(person.created_epoch))


def _image(person: Person) -> str:
    return f"https://pbs.twimg.com/profile_images/{person.user_id}/avatar_normal.jpg"


def graphql_id(user_id: str) -> str:
    return base64.b64encode(f"User:{user_id}".encode()).decode()


def user_node(person: Person, rel: Relation, shape: Shape) -> dict[str, Any]:
    if shape is Shape.LEGACY:
        return _legacy_node(person, rel)
    node = _current_node(person, rel)
    if shape is Shape.TRANSITIONAL:
        node["legacy"] = _thin_legacy(person)
    return node


def _current_node(person: Person, rel: Relation) -> dict[str, Any]:
    followers, following, tweets, favourites, media = _counts(person)
    return {
        "__typename": "User",
        "id": graphql_id(person.user_id),
        "rest_id": person.user_id,
        "is_blue_verified": False,
        "profile_image_shape": "Circle",
        "core": {
            "created_at": created_at(person),
            "name": person.name,
            "screen_name": person.screen_name,
        },
        "avatar": {"image_url": _image(person)},
        "privacy": {"protected": person.protected},
        "relationship_perspectives": {
            "blocked_by": rel.blocked_by,
            "blocking": rel.blocking,
            "followed_by": rel.followed_by,
            "following": rel.following,
            "live_following": False,
            "muting": rel.muting,
        },
        "relationship_counts": {"followers": followers, "following": following},
        "tweet_counts": {"tweets": tweets, "media_tweets": media},
        "action_counts": {"favorites_count": favourites},
        "profile_bio": {"description": "", "entities": {"description": {}}},
        "location": {"location": ""},
        "verification": {"verified": False},
        "dm_permissions": {"can_dm": False},
        "media_permissions": {"can_media_tag": True},
        "follow_request_sent": False,
        "has_graduated_access": True,
        "super_follow_eligible": False,
        "super_followed_by": False,
        "super_following": False,
    }


def _thin_legacy(person: Person) -> dict[str, Any]:
    """2025-05..2026-05: legacy keeps counts and descriptive fields only (X-FACTS.md 2.4 C)."""
    followers, following, tweets, favourites, media = _counts(person)
    return {
        "default_profile": True,
        "default_profile_image": False,
        "description": "",
        "entities": {"description": {"urls": []}},
        "fast_followers_count": 0,
        "favourites_count": favourites,
        "followers_count": followers,
        "friends_count": following,
        "has_custom_timelines": False,
        "is_translator": False,
        "listed_count": 0,
        "media_count": media,
        "normal_followers_count": followers,
        "pinned_tweet_ids_str": [],
        "possibly_sensitive": False,
        "statuses_count": tweets,
        "translator_type": "none",
        "want_retweets": False,
        "withheld_in_countries": [],
        "time_zone": "",
        "utc_offset": None,
        "withheld_scope": "",
    }


def _legacy_node(person: Person, rel: Relation) -> dict[str, Any]:
    """To 2025-05: everything in legacy; false flags omitted except ``following`` (2.3, 2.4 B)."""
    followers, following, tweets, favourites, media = _counts(person)
    legacy: dict[str, Any] = {
        "created_at": created_at(person),
        "name": person.name,
        "screen_name": person.screen_name,
        "following": rel.following,
    }
    for flag in ("blocking", "followed_by", "blocked_by", "muting"):
        if getattr(rel, flag):
            legacy[flag] = True
    if person.protected:
        legacy["protected"] = True
    legacy.update(
        {
            "description": "",
            "location": "",
            "followers_count": followers,
            "friends_count": following,
            "statuses_count": tweets,
            "favourites_count": favourites,
            "listed_count": 0,
            "media_count": media,
            "can_dm": False,
            "can_media_tag": True,
            "default_profile": True,
            "default_profile_image": False,
            "entities": {"description": {"urls": []}},
            "pinned_tweet_ids_str": [],
            "profile_image_url_https": _image(person),
            "possibly_sensitive": False,
            "verified": False,
            "translator_type": "none",
            "fast_followers_count": 0,
            "normal_followers_count": followers,
            "has_custom_timelines": False,
            "is_translator": False,
            "profile_interstitial_type": "",
            "want_retweets": False,
            "withheld_in_countries": [],
        }
    )
    return {
        "__typename": "User",
        "id": graphql_id(person.user_id),
        "rest_id": person.user_id,
        "is_blue_verified": False,
        "profile_image_shape": "Circle",
        "has_graduated_access": True,
        "legacy": legacy,
    }


def v11_user(person: Person, rel: Relation, *, include_blocking: bool = False) -> dict[str, Any]:
    """The v1.1 user object (X-FACTS.md 3.1 key list, tweepy cassette); ``status`` is left out."""
    followers, following, tweets, favourites, _media = _counts(person)
    user: dict[str, Any] = {
        "id": int(person.user_id),
        "id_str": person.user_id,
        "name": person.name,
        "screen_name": person.screen_name,
        "location": "",
        "description": "",
        "url": None,
        "entities": {"description": {"urls": []}},
        "protected": person.protected,
        "followers_count": followers,
        "friends_count": following,
        "listed_count": 0,
        "created_at": created_at(person),
        "favourites_count": favourites,
        "utc_offset": None,
        "time_zone": None,
        "geo_enabled": False,
        "verified": False,
        "statuses_count": tweets,
        "lang": None,
        "contributors_enabled": False,
        "is_translator": False,
        "is_translation_enabled": False,
        "profile_background_color": "F5F8FA",
        "profile_background_image_url": None,
        "profile_background_image_url_https": None,
        "profile_background_tile": False,
        "profile_image_url": _image(person).replace("https://", "http://"),
        "profile_image_url_https": _image(person),
        "profile_link_color": "1DA1F2",
        "profile_sidebar_border_color": "C0DEED",
        "profile_sidebar_fill_color": "DDEEF6",
        "profile_text_color": "333333",
        "profile_use_background_image": True,
        "has_extended_profile": False,
        "default_profile": True,
        "default_profile_image": False,
        "following": rel.following,
        "follow_request_sent": False,
        "notifications": False,
        "muting": rel.muting,
        "translator_type": "none",
    }
    if include_blocking:
        user["blocking"] = rel.blocking
    return user
