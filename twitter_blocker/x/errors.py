"""Request-level failures of the X client, each a typed exception.

Per-target answers (suspended, not found, self) are values (``models``);
what stops a whole request is one of these.

    XError
    ├── XAuthError (AuthError, exit 3)        32, 89, 215; CsrfMismatch 353
    ├── XAccountError (AccountBlockedError, exit 4)   AccountLocked 326, AccountSuspended 64
    ├── RateLimited                           429/88 or 200+88; carries reset epoch
    ├── FeaturesOutdated                      400/336; carries the missing flag names
    ├── Transient                             5xx, timeouts, dropped connections, LoadShed, HTML
    │   └── Inconclusive                      200 whose errors stand beside empty data
    ├── TargetUnavailable                     a per-target read found the target gone or suspended
    └── UnexpectedResponse                    any other answer we cannot classify
"""

from __future__ import annotations

from ..errors import AccountBlockedError, AuthError, BlockerError
from .models import UserState


class XError(BlockerError):
    def __init__(
        self,
        message: str,
        *,
        operation: str = "",
        http_status: int | None = None,
        code: int | None = None,
    ) -> None:
        self.operation = operation
        self.http_status = http_status
        self.code = code
        super().__init__(message)


class XAuthError(XError, AuthError):
    """401/32, 401/89, 400/215: the session is not accepted."""


class CsrfMismatch(XAuthError):
    """403/353: the ct0 cookie and x-csrf-token differ."""


class XAccountError(XError, AccountBlockedError):
    """The viewer's own account cannot act."""


class AccountLocked(XAccountError):
    """326: unlock the account at x.com first."""


class AccountSuspended(XAccountError):
    """64: the viewer's own account is suspended."""


class RateLimited(XError):
    """The operation's window is spent. ``reset`` is epoch seconds (may be None).

    ``suspicious`` is True when X said 88 while x-rate-limit-remaining was > 0,
    which other tools read as a ban signal (X-FACTS.md 5.3).
    """

    def __init__(
        self,
        message: str,
        *,
        reset: float | None,
        suspicious: bool = False,
        operation: str = "",
        http_status: int | None = None,
        code: int | None = None,
    ) -> None:
        self.reset = reset
        self.suspicious = suspicious
        super().__init__(message, operation=operation, http_status=http_status, code=code)


class FeaturesOutdated(XError):
    """400/336: the server requires feature flags we did not send."""

    def __init__(self, message: str, *, missing: tuple[str, ...], operation: str = "") -> None:
        self.missing = missing
        super().__init__(message, operation=operation, http_status=400, code=336)


class Transient(XError):
    """Worth retrying later: 5xx, timeouts, dropped connections, LoadShed, edge pages."""


class Inconclusive(Transient):
    """A 200 whose ``errors`` stand beside data without the user(s) asked for: it proves
    nothing about them (X-FACTS.md 2.2, 2.5). Never a verdict; ask again later."""


class UnexpectedResponse(XError):
    """An answer that fits no known case; recorded and retried a bounded number of times."""


class TargetUnavailable(XError):
    """A per-target read (``friendships/show``) found the target gone (404/50, 34, 108)
    or suspended (403/63). ``state`` is ``UserState.NOT_FOUND`` or ``UserState.SUSPENDED``.
    """

    def __init__(
        self,
        message: str,
        *,
        state: UserState,
        operation: str = "",
        http_status: int | None = None,
        code: int | None = None,
    ) -> None:
        self.state = state
        super().__init__(message, operation=operation, http_status=http_status, code=code)
