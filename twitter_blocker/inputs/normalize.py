"""One target value -> (user_id, screen_name): handles, ids, ``@name`` and profile URLs.

Rules (documented for users in the README's inputs section):

- Whitespace around a value is ignored; ``@`` before a handle is dropped.
- A handle is 1-15 characters of ``[A-Za-z0-9_]`` (X's rule); case is kept as written,
  but handles compare case-insensitively (the key is lower-cased).
- A user id is 1-20 ASCII digits without a leading zero, at most 2**64-1. ``007`` is
  not an id (write ``@007`` for the handle); ``0`` is not an id either.
- A bare all-digit value is an id unless the caller says digits are handles (the
  runbook's ``"format": "screen_name"``); ``@123`` is always the handle ``123``.
- Profile URLs: ``https://x.com/name``, ``twitter.com/name``, ``mobile.twitter.com/name/status/1``,
  ``x.com/i/user/<id>``, ``twitter.com/intent/user?user_id=<id>`` or ``?screen_name=<name>``.
  Scheme, ``www.``/``mobile.``/``m.``, query strings, fragments and trailing path parts are dropped.

No regular expression here can backtrack: the only pattern is a bounded character class.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qs

from ..handles import fold_handle

__all__ = [
    "RESERVED_PATHS",
    "InvalidEntry",
    "check_handle",
    "check_id",
    "fold_handle",
    "handle_key",
    "id_key",
    "normalize",
    "read_handle",
]

MAX_HANDLE = 15
MAX_ID = 2**64 - 1
_HANDLE_CHARS = re.compile(r"[A-Za-z0-9_]{1,15}")
_X_HOSTS = frozenset({"x.com", "twitter.com"})
_HOST_PREFIXES = ("www.", "mobile.", "m.")
# First path segments of x.com pages that are not profiles.
RESERVED_PATHS = frozenset(
    {
        "i",
        "intent",
        "home",
        "explore",
        "search",
        "settings",
        "hashtag",
        "messages",
        "notifications",
        "compose",
        "login",
        "logout",
        "signup",
        "share",
        "tos",
        "privacy",
    }
)


class InvalidEntry(ValueError):
    """A value that is not a handle, an id or a profile URL; ``reason`` says why."""

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(reason)


def id_key(user_id: str) -> str:
    """The ledger/list key of a user id: ``id:<digits>``."""
    return "id:" + user_id


def handle_key(screen_name: str) -> str:
    """The ledger/list key of a handle: ``sn:<folded handle>``."""
    return "sn:" + fold_handle(screen_name)


def check_handle(text: str) -> str:
    """``text`` if it is a valid handle, else ``InvalidEntry``."""
    if _HANDLE_CHARS.fullmatch(text):
        return text
    if not text:
        raise InvalidEntry("empty handle")
    if len(text) > MAX_HANDLE:
        raise InvalidEntry(f"a handle has at most {MAX_HANDLE} characters, this one {len(text)}")
    bad = next(c for c in text if not (c.isascii() and (c.isalnum() or c == "_")))
    raise InvalidEntry(f"a handle has only letters, digits and _, not {bad!r}")


def read_handle(text: str) -> str:
    """The handle written in ``text`` (spaces and one ``@`` allowed around it), checked; case
    is kept."""
    return check_handle(text.strip().removeprefix("@"))


def check_id(text: str) -> str:
    """``text`` if it is a valid user id (decimal string), else ``InvalidEntry``."""
    if not (text.isascii() and text.isdigit()):
        raise InvalidEntry("a user id has only digits")
    if len(text) > 20 or int(text) > MAX_ID:
        raise InvalidEntry("too large for a user id")
    if text[0] == "0":
        if text == "0":
            raise InvalidEntry("0 is not a user id")
        raise InvalidEntry(f"a user id has no leading zero (write @{text} for the handle)")
    return text


def normalize(value: str, *, digits_are_handles: bool = False) -> tuple[str | None, str | None]:
    """``(user_id, None)`` or ``(None, screen_name)`` for one value, else ``InvalidEntry``."""
    text = value.strip()
    if _HANDLE_CHARS.fullmatch(text):  # the common case: a bare handle or a short id
        if text.isdigit() and not digits_are_handles:
            return check_id(text), None
        return None, text
    if not text:
        raise InvalidEntry("empty value")
    if text[0] == "@":
        return None, check_handle(text[1:].strip())
    lower = text.lower()
    if "/" in text or lower.startswith(("http:", "https:")):
        return _from_url(text)
    if text.isascii() and text.isdigit() and not digits_are_handles:
        return check_id(text), None
    return None, check_handle(text)


def _from_url(text: str) -> tuple[str | None, str | None]:
    rest = text
    for scheme in ("https://", "http://"):
        if rest[: len(scheme)].lower() == scheme:
            rest = rest[len(scheme) :]
            break
    end = len(rest)
    for mark in "/?#":
        at = rest.find(mark)
        if at != -1 and at < end:
            end = at
    host, tail = rest[:end].lower(), rest[end:]
    for prefix in _HOST_PREFIXES:
        if host.startswith(prefix):
            host = host[len(prefix) :]
            break
    if host not in _X_HOSTS:
        raise InvalidEntry("not an x.com or twitter.com profile URL")
    tail = tail.partition("#")[0]
    path, _, query = tail.partition("?")
    parts = [p for p in path.split("/") if p]
    if not parts:
        params = parse_qs(query)
        if "user_id" in params or "screen_name" in params:
            return _from_query(params)
        raise InvalidEntry("the URL names no account")
    first = parts[0].lower()
    if first == "i" and len(parts) >= 3 and parts[1].lower() == "user":
        return check_id(parts[2]), None
    if first == "intent" and len(parts) >= 2 and parts[1].lower() in ("user", "follow"):
        return _from_query(parse_qs(query))
    if first in RESERVED_PATHS:
        raise InvalidEntry("not a profile URL")
    return None, read_handle(parts[0])


def _from_query(params: dict[str, list[str]]) -> tuple[str | None, str | None]:
    if params.get("user_id"):
        return check_id(params["user_id"][0].strip()), None
    if params.get("screen_name"):
        return None, read_handle(params["screen_name"][0])
    raise InvalidEntry("the intent URL has no user_id or screen_name")
