"""Emulator settings: the fixed config chosen at start, and the switches that change at runtime.

Every default cites the section of ``docs/X-FACTS.md`` it comes from; where that file
marks a fact as an inference ([inf]) the emulator's choice is a switch, documented in
``docs/EMULATOR.md``.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields, replace
from enum import StrEnum
from typing import Any

from . import coerce

# X-FACTS.md 1.1: the x.com web app's public bearer, the same for every user.
WEB_BEARER = (
    "AAAAAAAAAAAAAAAAAAAAANRILgAAAAAAnNwIzUejRCOuH5E6I8xnZz4puTs%3D"
    "1Zv7ttfk8LF81IUq16cHjhLTvJu4FA33AGWWjCpTnA"
)

GRAPHQL_OPERATIONS = (
    "UserByScreenName",
    "UserByRestId",
    "UsersByRestIds",
    "UsersByScreenNames",
    "Viewer",
    "BlockedAccountsAll",
    "MutedAccounts",
    # chain sources (docs/EMULATOR.md "Chain sources": public client tables, a 2026-09 log)
    "Followers",
    "Following",
    "BlueVerifiedFollowers",
    "ListMembers",
    "Retweeters",
    "Favoriters",
    "SearchTimeline",
)
REST_OPERATIONS = (
    "blocks/create",
    "blocks/destroy",
    "blocks/ids",
    "blocks/list",
    "mutes/users/create",
    "mutes/users/destroy",
    "users/lookup",
    "friendships/lookup",
    "friendships/show",
    "account/verify_credentials",
)

# X-FACTS.md 5.2, per 15 minutes per account. blocks/destroy shares blocks/create's figure [inf].
DEFAULT_LIMITS: dict[str, int] = {
    "UserByScreenName": 150,
    "UserByRestId": 500,
    "UsersByRestIds": 150,
    "UsersByScreenNames": 50,
    "Viewer": 100,
    "blocks/create": 187,
    "blocks/destroy": 187,
    "mutes/users/create": 187,  # twikit ratelimits.md (docs/EMULATOR.md) [lib]
    "mutes/users/destroy": 187,
    "BlockedAccountsAll": 500,  # no public figure; configurable through ``limits`` [inf]
    "MutedAccounts": 500,  # same [inf]
    "users/lookup": 900,
    "friendships/lookup": 15,
    "friendships/show": 180,
    "blocks/ids": 15,
    "blocks/list": 15,
    "account/verify_credentials": 75,
    # chain sources, per 15 minutes (public client tables and a 2026-09 session log)
    "Followers": 50,
    "Following": 500,
    "BlueVerifiedFollowers": 500,
    "ListMembers": 500,
    "Retweeters": 500,
    "Favoriters": 500,
    "SearchTimeline": 50,
}

# X-FACTS.md 2.1: the five flags UsersByRestIds required in 2025-05. They are a subset of the
# UserByScreenName set there too, so the emulator requires them on every user operation [inf].
DEFAULT_REQUIRED_FEATURES: tuple[str, ...] = (
    "profile_label_improvements_pcf_label_in_post_enabled",
    "rweb_tipjar_consumption_enabled",
    "verified_phone_label_enabled",
    "responsive_web_graphql_skip_user_profile_image_extensions_enabled",
    "responsive_web_graphql_timeline_navigation_enabled",
)


class Shape(StrEnum):
    """Which era of the GraphQL user node to serve (X-FACTS.md 2.3)."""

    CURRENT = "current"  # 2026-05 onward: core, privacy, relationship_perspectives, no legacy
    TRANSITIONAL = (
        "transitional"  # 2025-05 to 2026-05: core + relationship_perspectives + thin legacy
    )
    LEGACY = "legacy"  # to 2025-05: everything in legacy, false flags omitted


class RateLimitBody(StrEnum):
    """How an exhausted window answers (X-FACTS.md 5.1)."""

    JSON = "json"  # 429 + {"errors":[{"code":88,"message":"Rate limit exceeded"}]}
    TEXT = "text"  # 429 + plain text "Rate limit exceeded."
    JSON_200 = "json200"  # 200 + the code-88 errors body


class WebBuild(StrEnum):
    """Which web client build ``GET /home`` serves (X-FACTS.md 9.2: both are live in 2026)."""

    LEGACY = "legacy"  # webpack responsive-web: main.<hash>.js + chunk map
    X_WEB = "x-web"  # Vite x-web: entry script + relative import("./...js") chunks


class StaleIdForm(StrEnum):
    """How a retired or unknown queryId is answered (both are reported)."""

    EMPTY_404 = "404"  # HTTP 404, empty body (twscrape #306)
    QUERY_UNSPECIFIED = "unspecified"  # 200 + errors "Query: Unspecified", no data [inf: status]


class GraphQLLockForm(StrEnum):
    """X-FACTS.md 1.2: GraphQL sends the 326 lock as 403, or as 200 with errors."""

    HTTP_403 = "403"
    HTTP_200 = "200"


class EmptyForm(StrEnum):
    """How ``errors_empty_*`` answers leave a user out (a single's ``user``, a batch element)."""

    EMPTY = "empty"  # {"data":{"user":{}}}; batch element {}
    NULL = "null"  # {"data":{"user":null}}; batch element null
    MISSING = "missing"  # {"data":{}}; batch element left out


@dataclass(frozen=True, slots=True)
class PopulationMix:
    """Fractions of the target population per kind (defaults close to a real abuse list [inf])."""

    active: float = 0.55
    protected: float = 0.05
    suspended: float = 0.12
    deactivated: float = 0.05
    never_existed: float = 0.04
    following: float = 0.03
    follower: float = 0.04
    mutual: float = 0.02
    already_blocked: float = 0.04
    renamed: float = 0.03
    case_variant: float = 0.03


@dataclass(slots=True)
class Switches:
    """Behaviour tests and benchmarks flip at start or at runtime. Failure modes default off."""

    # --- failure modes (X-FACTS.md 5.3, 1.2, 8.7) ---
    session_kill_after: int | None = None  # N blocks within session_kill_window s -> auth revoked
    session_kill_window: float = 3600.0
    lock_after: int | None = None  # N blocks (since start/unlock) -> account locked (326)
    lock_viewer: int | None = None  # with lock_after: only this viewer index locks (None: any)
    code88_after: int | None = None  # after N calls in a window: 429/88 while remaining > 0
    rate_limit_body: RateLimitBody = RateLimitBody.JSON
    cloudflare_rate: float = 0.0  # share of requests answered by an HTML 403 with cf-ray
    loadshed_rate: float = 0.0  # share answered 503 "(-1) LoadShed"
    error_5xx_rate: float = 0.0  # share answered 503/130 "Over capacity"
    empty_403_rate: float = 0.0  # share answered 403 with an empty body (X-FACTS.md 1.2)
    drop_rate: float = 0.0  # share whose connection is dropped mid-response
    malformed_rate: float = 0.0  # share answered 200 with truncated JSON
    latency_ms: float = 0.0  # added to every request
    errors_with_data: bool = False  # GraphQL reads carry an errors[] (code 214) beside data
    # x-client-transaction-id: operations that need one (404, empty body if missing; X-FACTS.md 6)
    # "*" = every operation; Followers and SearchTimeline needed one in 2026-09 (X-FACTS.md 6)
    tid_operations: tuple[str, ...] = ("Followers", "SearchTimeline")
    tid_strict: bool = False  # verify the TID fully (emulator/txid.py) and refuse a replayed one
    # --- choices where X-FACTS.md is [inf] ---
    block_rate_headers: bool = True  # x-rate-limit-* on blocks/create|destroy (3.1: 2021 had none)
    rest_id_beside_batch_result: bool = False  # 2.4 G: batch UserUnavailable has no rest_id
    include_blocking_honoured: bool = True  # blocks/create adds "blocking" if include_blocking=1
    lock_graphql_form: GraphQLLockForm = GraphQLLockForm.HTTP_403
    auth_graphql_200: bool = False  # 401/32 on GraphQL reads arrives as 200 + errors (1.2)
    not_found_code: int = 50  # blocks/create on suspended/unknown: 404 with code 50 or 34 (3.1)
    # --- hypothetical, for the client's safety net ---
    # X moved the relationship flags twice (X-FACTS.md 2.3); this serves nodes that carry none
    # (no relationship_perspectives, no legacy flags), as a third move would.
    relationships_moved: bool = False
    # --- scripted answers: the next N calls (counted down; null or 0 = off) ---
    empty_403_next: int | None = None  # any operation: 403 with an empty body (1.2)
    block_not_found_next: int | None = None  # blocks/create: 404 + not_found_code, any target (4)
    block_refused_next: int | None = None  # blocks/create: 429/88 without rate headers (3.1, 5.3)
    block_forbidden_next: int | None = None  # blocks/create: 403 + block_forbidden_code
    block_forbidden_code: int = 344  # a 403 code X-FACTS.md does not list for blocks
    # --- errors beside empty data (X-FACTS.md 2.2, 2.5: 131 "Dependency: Internal error" may come
    # with partial data). GraphQL user lookups answer 200 with a 131 error beside an empty user
    # (single) or with every second element emptied (batch); see emulator/partial.py.
    errors_empty_rate: float = 0.0  # share of GraphQL user lookups answered that way
    errors_empty_next: int | None = None  # the next N GraphQL user lookups (counts down)
    errors_empty_form: EmptyForm = EmptyForm.EMPTY
    # --- X moving (queryId rotation, web builds, GET -> POST; docs/EMULATOR.md) ---
    query_id_epoch: int = 0  # 0: the published ids; any other: ids derived from the epoch
    any_query_id: bool = False  # route by operation name whatever the queryId (lenient)
    stale_id_form: StaleIdForm = StaleIdForm.EMPTY_404
    web_build: WebBuild = WebBuild.LEGACY  # what GET /home serves to a logged-in session
    home_cloudflare: bool = False  # GET /home answers a Cloudflare challenge page
    post_operations: tuple[str, ...] = ()  # GraphQL operations that refuse GET (empty 404)
    # X keeps one ct0 per session: another (matching header or not) gets 403/353 + Set-Cookie
    # with the session's ct0 (X-FACTS.md 9.6) [inf: X accepts any matching pair today, 9.6]
    ct0_strict: bool = False
    # share of blocks/create answered 200 + user that X does not keep (a dropped write;
    # X-FACTS.md 9.7 reports it for GraphQL writes) [inf: for v1.1 blocks]
    block_drop_rate: float = 0.0
    # operations answered 503/130 "Over capacity" on every call, after auth (an outage of one
    # endpoint; code 130 is documented, X-FACTS.md 4; that it hits single operations is assumed)
    overloaded_operations: tuple[str, ...] = ()

    def update(self, **changes: Any) -> None:
        """Apply named changes, converting JSON-ish values; unknown names raise ``KeyError``."""
        names = {f.name for f in fields(self)}
        converted: dict[str, Any] = {}
        for name, value in changes.items():
            if name not in names:
                raise KeyError(name)
            try:
                converted[name] = _coerce(name, value)
            except (TypeError, ValueError) as exc:
                raise ValueError(f"{name}: {exc}") from None
        for name, value in converted.items():  # all or nothing
            setattr(self, name, value)

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            out[f.name] = list(value) if isinstance(value, tuple) else value
        return out


# the converters (coerce.py), by the names the table uses
_bool, _count, _number = coerce.to_bool, coerce.to_count, coerce.to_number
_rate, _not_found_code, _operations = coerce.to_rate, coerce.to_not_found_code, coerce.to_operations


_CONVERTERS: dict[str, Any] = {
    "session_kill_after": _count,
    "session_kill_window": _number,
    "lock_after": _count,
    "lock_viewer": _count,
    "code88_after": _count,
    "rate_limit_body": RateLimitBody,
    "cloudflare_rate": _rate,
    "loadshed_rate": _rate,
    "error_5xx_rate": _rate,
    "empty_403_rate": _rate,
    "drop_rate": _rate,
    "malformed_rate": _rate,
    "latency_ms": _number,
    "errors_with_data": _bool,
    "tid_operations": _operations,
    "tid_strict": _bool,
    "block_rate_headers": _bool,
    "rest_id_beside_batch_result": _bool,
    "include_blocking_honoured": _bool,
    "lock_graphql_form": lambda v: GraphQLLockForm(str(v)),
    "auth_graphql_200": _bool,
    "not_found_code": _not_found_code,
    "relationships_moved": _bool,
    "empty_403_next": _count,
    "block_not_found_next": _count,
    "block_refused_next": _count,
    "block_forbidden_next": _count,
    "block_forbidden_code": lambda v: int(_number(v)),
    "errors_empty_rate": _rate,
    "errors_empty_next": _count,
    "errors_empty_form": lambda v: EmptyForm(str(v)),
    "query_id_epoch": lambda v: int(_count(v) or 0),
    "any_query_id": _bool,
    "stale_id_form": lambda v: StaleIdForm(str(v)),
    "web_build": lambda v: WebBuild(str(v)),
    "home_cloudflare": _bool,
    "post_operations": _operations,
    "overloaded_operations": _operations,
    "ct0_strict": _bool,
    "block_drop_rate": _rate,
}


def _coerce(name: str, value: Any) -> Any:
    """Convert a JSON-ish value to the switch's type; ``ValueError`` when it does not fit."""
    return _CONVERTERS[name](value)


@dataclass(slots=True, init=False)
class EmulatorConfig:
    """Everything fixed when the emulator starts. Unknown keyword arguments name switches."""

    seed: int = 1
    population: int = 200
    window_seconds: float = 900.0
    shape: Shape = Shape.CURRENT  # a plain string is accepted too
    viewers: int = 2
    limits: dict[str, int | None] = field(default_factory=dict)  # overrides; None = unlimited
    not_found_code: int = 50
    batch_limit: int = 100  # UsersByRestIds / UsersByScreenNames ids per call [inf]
    lookup_limit: int = 100  # users/lookup and friendships/lookup (X-FACTS.md 3.5, 3.6)
    blocks_ids_page: int = 5000  # X-FACTS.md 3.3
    blocks_list_page: int = 20  # X-FACTS.md 3.4: caller cannot choose [inf: size]
    bearers: tuple[str, ...] = (WEB_BEARER,)  # accepted bearers (X-FACTS.md 1.1)
    extra_bearers: tuple[str, ...] = ()
    required_features: dict[str, tuple[str, ...]] | None = None  # None = defaults for every op
    mix: PopulationMix = field(default_factory=PopulationMix)
    switches: Switches = field(default_factory=Switches)
    graph_hubs: tuple[int, ...] = ()  # follower counts of the graph's hubs; () = shares

    def __init__(self, **kwargs: Any) -> None:
        defaults = _DEFAULT_FIELDS
        switch_names = {f.name for f in fields(Switches)}
        own = {k: v for k, v in kwargs.items() if k in defaults}
        extra = {k: v for k, v in kwargs.items() if k not in defaults}
        unknown = [k for k in extra if k not in switch_names]
        if unknown:
            raise TypeError(f"unknown emulator option(s): {', '.join(sorted(unknown))}")
        for name, default in defaults.items():
            value = own[name] if name in own else default()
            setattr(self, name, value)
        self.shape = Shape(self.shape)
        self.graph_hubs = tuple(int(count) for count in self.graph_hubs)
        self.switches = replace(self.switches)
        if "not_found_code" in own:
            self.switches.update(not_found_code=own["not_found_code"])
        self.switches.update(**extra)
        if self.viewers < 1:
            raise ValueError("viewers must be at least 1")
        if self.population < 0:
            raise ValueError("population must be >= 0")

    def limit_for(self, operation: str) -> int | None:
        if operation in self.limits:
            return self.limits[operation]
        return DEFAULT_LIMITS.get(operation)

    def features_for(self, operation: str) -> tuple[str, ...]:
        if self.required_features is None:
            return DEFAULT_REQUIRED_FEATURES
        return self.required_features.get(operation, ())

    def all_bearers(self) -> frozenset[str]:
        return frozenset((*self.bearers, *self.extra_bearers))


_DEFAULT_FIELDS: dict[str, Any] = {
    "seed": lambda: 1,
    "population": lambda: 200,
    "window_seconds": lambda: 900.0,
    "shape": lambda: Shape.CURRENT,
    "viewers": lambda: 2,
    "limits": dict,
    "not_found_code": lambda: 50,
    "batch_limit": lambda: 100,
    "lookup_limit": lambda: 100,
    "blocks_ids_page": lambda: 5000,
    "blocks_list_page": lambda: 20,
    "bearers": lambda: (WEB_BEARER,),
    "extra_bearers": tuple,
    "required_features": lambda: None,
    "mix": PopulationMix,
    "switches": Switches,
    "graph_hubs": tuple,
}
