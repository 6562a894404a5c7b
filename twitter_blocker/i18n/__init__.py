"""Language selection and the Japanese catalogs.

Two catalogs, both plain Python dicts (no compile step, nothing to build at
install, type-checked and importable from a fresh clone):

- ``ja.MESSAGES``: the Japanese text of every key of ``messages.EN`` (same keys,
  same ``{placeholders}``); ``messages.msg`` picks it when the language is ``ja``.
- ``ja_texts.TEXTS``: fixed English texts of the CLI layer (``--help`` of every
  command and option, click's own words, fixed lines) keyed by the English text
  itself, gettext-style (msgid = English). ``tr(text)`` translates at display time,
  so the command modules keep their English literals.

Selection (``detect``): ``--lang ja|en``, else ``TWITTER_BLOCKER_LANG``, else the
first set of ``LC_ALL`` / ``LC_MESSAGES`` / ``LANG`` starting with ``ja``, else English.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

LANGS = ("en", "ja")
ENV_LANG = "TWITTER_BLOCKER_LANG"


def detect(flag: str | None = None, environ: Mapping[str, str] | None = None) -> str:
    """The language to speak: the flag, else the env var, else the locale, else English."""
    env = os.environ if environ is None else environ
    if flag in LANGS:
        return flag
    chosen = env.get(ENV_LANG, "").strip().lower()
    if chosen in LANGS:
        return chosen
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = env.get(name, "")
        if value:  # the first one set decides, as the C library does
            return "ja" if value.lower().startswith("ja") else "en"
    return "en"


def tr(text: str, lang: str | None = None) -> str:
    """``text`` (fixed English) in the current language; English when no entry exists."""
    from ..messages import language

    if (lang or language()) != "ja":
        return text
    from .ja_texts import TEXTS

    return TEXTS.get(text, text)
