"""The runbook's ``TwitterAPI``: a thin facade over ``x.XClient``.

The incident runbook tests authentication with::

    python3 -c "from twitter_blocker.twitter_api import TwitterAPI; \\
                print(TwitterAPI().get_login_user_info())"

Cookies come from ``cookies_file``, else ``TWITTER_COOKIES_PATH``, else
``cookies.json`` in the current directory; the API base from ``api_base``,
else ``TWITTER_API_BASE``, else https://x.com. Failures raise this project's
exceptions with a one-line message that says what to do.
"""

from __future__ import annotations

from pathlib import Path
from types import TracebackType

from .config import resolve_api_base, resolve_paths
from .errors import AccountBlockedError, AuthError, BlockerError
from .inputs.cookies import Cookies, load_cookies
from .messages import msg
from .x.client import XClient
from .x.errors import AccountLocked, XAccountError, XAuthError, XError


class TwitterAPI:
    def __init__(self, cookies_file: str | Path | None = None, api_base: str | None = None) -> None:
        path = Path(cookies_file) if cookies_file else resolve_paths().cookies
        self.cookies_file = path
        self.api_base = resolve_api_base(api_base)
        self._cookies: Cookies = load_cookies(path)
        self._client = XClient(self._cookies, api_base=self.api_base)

    def __repr__(self) -> str:
        return f"TwitterAPI(cookies_file={str(self.cookies_file)!r}, api_base={self.api_base!r})"

    def get_login_user_info(self) -> dict[str, str]:
        """``{"id", "screen_name", "name"}`` of the logged-in user; raises on any failure."""
        try:
            user = self._client.viewer()
        except XAuthError as exc:
            raise AuthError(msg("auth.failed", detail=str(exc))) from None
        except XAccountError as exc:
            key = "account.locked" if isinstance(exc, AccountLocked) else "account.suspended"
            raise AccountBlockedError(msg(key)) from None
        except XError as exc:
            raise BlockerError(msg("x.login_info_failed", detail=str(exc))) from None
        return {"id": user.user_id, "screen_name": user.screen_name, "name": user.name}

    def get_login_user_id(self) -> str:
        """The logged-in user's id: from the ``twid`` cookie, else asked of X."""
        return self._cookies.user_id or self.get_login_user_info()["id"]

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> TwitterAPI:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
