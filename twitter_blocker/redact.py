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
_longest_first: tuple[str, ...] = ()  # _registered, longest first: rebuilt on each register
_lock = threading.Lock()
# Necessary conditions of the patterns on ASCII text (lower-cased), tested before a pattern
# runs: every record of a run goes through ``redact``, and most hold none of these words.
# (On non-ASCII text every pattern runs: IGNORECASE also matches e.g. the Kelvin sign for k.)
_HEADER_WORDS = ("cookie", "authorization")
_BEARER_START = "AAAAAAAAAAAAAAAAAAAAA"
_HEX_RUN = 32


def register_secret(*values: str) -> None:
    """Mask these literal values wherever they appear from now on (short values ignored)."""
    global _longest_first
    with _lock:
        _registered.update(v for v in values if v and len(v) >= MIN_LITERAL)
        _longest_first = tuple(sorted(_registered, key=len, reverse=True))


def redact(text: str, secrets: Iterable[str] = ()) -> str:
    """``text`` with every secret value replaced by ``***`` (names are kept).

    ``secrets``: more literal values to mask here, besides the registered ones.
    """
    literals = _longest_first
    extra = [s for s in secrets if s and len(s) >= MIN_LITERAL]
    if extra:
        literals = tuple(sorted(set(literals).union(extra), key=len, reverse=True))
    for value in literals:
        if value in text:
            text = text.replace(value, MASK)
    if not text.isascii():
        text = _HEADER.sub(lambda m: m.group("key") + MASK, text)
        text = _PAIR.sub(lambda m: m.group("key") + m.group("q") + MASK, text)
    else:  # the mask is ASCII: the text stays so
        lower = text.lower()
        if any(word in lower for word in _HEADER_WORDS):
            text = _HEADER.sub(lambda m: m.group("key") + MASK, text)
            lower = text.lower()
        if any(name in lower for name in SECRET_NAMES):
            text = _PAIR.sub(lambda m: m.group("key") + m.group("q") + MASK, text)
    if _BEARER_START in text:
        text = _BEARER.sub(MASK, text)
    if len(text) < _HEX_RUN:
        return text
    return _LONG_HEX.sub(MASK, text)


def redact_lines(lines: list[str], secrets: Iterable[str] = ()) -> list[str]:
    values = tuple(secrets)
    return [redact(line, values) for line in lines]
