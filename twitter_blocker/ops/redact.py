"""Mask anything secret-looking in text shown by the operations commands.

The logs are already redacted when they are written (``logs.py``), but
``diagnose`` and incident reports show log lines, error messages and command
lines again, so they pass through this second filter: a value after a secret
cookie or header name, ``Cookie:``/``Authorization:`` header values, and long
hex runs (``ct0`` is ~160 hex chars, ``auth_token`` 40) become ``***``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

SECRET_NAMES = (
    "auth_token",
    "ct0",
    "x-csrf-token",
    "x_csrf_token",
    "csrf_token",
    "kdt",
    "_twitter_sess",
    "att",
)
MASK = "***"
MIN_LITERAL = 6  # shorter literal values would mask ordinary words

_NAMES = "|".join(re.escape(name) for name in SECRET_NAMES)
# name=value / name: value / "name": "value" / 'name': 'value'
_PAIR = re.compile(
    rf"""(?P<key>["']?(?<![A-Za-z0-9_-])(?:{_NAMES})["']?\s*[:=]\s*)(?P<q>["']?)(?P<value>[^\s;,"'&}}]+)""",
    re.IGNORECASE,
)
# whole header values: "Cookie: a=b; c=d", "authorization: Bearer ..."
_HEADER = re.compile(
    r"""(?P<key>\b(?:set-cookie|cookie|authorization)["']?\s*[:=]\s*["']?)(?P<value>[^"'\n]+)""",
    re.IGNORECASE,
)
_LONG_HEX = re.compile(r"\b[0-9a-fA-F]{32,}\b")
_BEARER = re.compile(r"\bAAAAAAAAAAAAAAAAAAAAA[A-Za-z0-9%]{20,}")


def redact(text: str, secrets: Iterable[str] = ()) -> str:
    """Return ``text`` with secret values replaced by ``***`` (names are kept).

    ``secrets``: literal values to mask wherever they appear (e.g. the current
    cookie values), for lines that carry a bare value without its name.
    """
    for secret in secrets:
        if len(secret) >= MIN_LITERAL:
            text = text.replace(secret, MASK)
    text = _HEADER.sub(lambda m: m.group("key") + MASK, text)
    text = _PAIR.sub(lambda m: m.group("key") + m.group("q") + MASK, text)
    text = _BEARER.sub(MASK, text)
    return _LONG_HEX.sub(MASK, text)


def redact_lines(lines: list[str], secrets: Iterable[str] = ()) -> list[str]:
    values = tuple(secrets)
    return [redact(line, values) for line in lines]
