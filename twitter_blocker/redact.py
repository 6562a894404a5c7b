"""One place that decides what a secret looks like, for every output of the tool.

Logs (``logs.py``), the database's messages (``store``) and what the operations
commands show (``ops``) all pass text through ``redact``: a value after a secret
cookie or header name, whole ``Cookie:``/``Authorization:`` header values, the
web bearer, long hex runs (``ct0`` is ~160 hex chars, ``auth_token`` 40; never an
id, which is decimal) and any literal value registered with ``register_secret``
(the current cookie values) become ``***``. Names are kept, so a reader still
sees *which* secret was there.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable

MASK = "***"
MIN_LITERAL = 6  # shorter literal values would mask ordinary words

SECRET_NAMES = (
    "auth_token",
    "ct0",
    "x-csrf-token",
    "x_csrf_token",
    "csrf_token",
    "kdt",
    "twid",
    "_twitter_sess",
    "att",
)
_NAMES = "|".join(re.escape(name) for name in SECRET_NAMES)
# name=value / name: value / "name": "value" / 'name': 'value'
_PAIR = re.compile(
    rf"""(?P<key>["']?(?<![A-Za-z0-9_-])(?:{_NAMES})["']?\s*[:=]\s*)(?P<q>["']?)"""
    r"""(?P<value>[^\s;,"'&}]+)""",
    re.IGNORECASE,
)
# whole header values: "Cookie: a=b; c=d", "authorization: Bearer ..."
_HEADER = re.compile(
    r"""(?P<key>\b(?:set-cookie|cookie|authorization)["']?\s*[:=]\s*["']?)(?P<value>[^"'\n]+)""",
    re.IGNORECASE,
)
_LONG_HEX = re.compile(r"\b[0-9a-fA-F]{32,}\b")
_BEARER = re.compile(r"\bAAAAAAAAAAAAAAAAAAAAA[A-Za-z0-9%]{20,}")

_registered: set[str] = set()
_lock = threading.Lock()


def register_secret(*values: str) -> None:
    """Mask these literal values wherever they appear from now on (short values ignored)."""
    with _lock:
        _registered.update(v for v in values if v and len(v) >= MIN_LITERAL)


def redact(text: str, secrets: Iterable[str] = ()) -> str:
    """``text`` with every secret value replaced by ``***`` (names are kept).

    ``secrets``: more literal values to mask here, besides the registered ones.
    """
    with _lock:
        literals = set(_registered)
    literals.update(s for s in secrets if s and len(s) >= MIN_LITERAL)
    for value in sorted(literals, key=len, reverse=True):
        if value in text:
            text = text.replace(value, MASK)
    text = _HEADER.sub(lambda m: m.group("key") + MASK, text)
    text = _PAIR.sub(lambda m: m.group("key") + m.group("q") + MASK, text)
    text = _BEARER.sub(MASK, text)
    return _LONG_HEX.sub(MASK, text)


def redact_lines(lines: list[str], secrets: Iterable[str] = ()) -> list[str]:
    values = tuple(secrets)
    return [redact(line, values) for line in lines]
