"""The contract of one GraphQL operation (queryId, method, features) and where it came from.

X rotates queryIds every few weeks, starts requiring feature flags and moves operations from
GET to POST. An ``Endpoint`` is one such contract; its ``source`` says whether it is the one
shipped with this release (``pinned``), one read from x.com's own web bundles (``discovered``,
with the build and time), or one the user wrote into the override file (``override``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from .errors import XAuthError, XError

PINNED = "pinned"
DISCOVERED = "discovered"
OVERRIDE = "override"
SOURCES = (PINNED, DISCOVERED, OVERRIDE)
METHODS = ("GET", "POST")
OVERRIDE_FILE = "x-endpoints.json"


@dataclass(frozen=True, slots=True)
class Endpoint:
    operation: str
    query_id: str
    method: str = "GET"
    features: Mapping[str, bool] = field(default_factory=dict)
    source: str = PINNED
    at: float | None = None  # when it was discovered (epoch seconds)
    build: str | None = None  # the web build it was read from: legacy / x-web
    last_ok: bool | None = None  # did the last call with it work
    last_at: float | None = None  # when that call was made

    def same_contract(self, other: Endpoint) -> bool:
        return (self.query_id, self.method, dict(self.features)) == (
            other.query_id,
            other.method,
            dict(other.features),
        )


@dataclass(frozen=True, slots=True)
class Override:
    """One operation's entry of the override file; ``None`` keeps the value in use."""

    query_id: str | None = None
    method: str | None = None
    features: Mapping[str, bool] | None = None
    tid: bool | None = None  # send an x-client-transaction-id from the first call


class EndpointMemory(Protocol):
    """Where the endpoints of an account persist between runs (the cache database)."""

    def load_endpoints(self, account: str) -> Sequence[Endpoint]: ...

    def save_endpoints(self, account: str, endpoints: Sequence[Endpoint]) -> None: ...


class ContractStale(XError):
    """X refuses the contract in use for an operation and a refresh found nothing that works
    (or could not be made). Resumable: the run stops cleanly (exit 75) and names the override
    file."""


class LoggedOut(XAuthError):
    """``x.com/home`` redirected to the onboarding (login) page: the session cookies are dead."""
