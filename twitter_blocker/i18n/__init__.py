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
locale: the first of ``LC_ALL`` / ``LC_MESSAGES`` / ``LANG`` that is set decides, as in the
C library and stdlib ``gettext`` (``LC_ALL=C`` means English whatever ``LANG`` says), and it
means Japanese when it starts with ``ja``; else English.
"""

from __future__ import annotations

import os
import re
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
    """``text`` (English) in the current language; English when no entry exists.

    First an exact entry (``ja_texts.TEXTS``), then a pattern (``ja_patterns.PATTERNS``):
    an English template such as ``"run #{id}: {state}"`` matches a line built from it,
    and its Japanese template is filled with the captured values, each translated in
    turn (``"done"`` -> ``"完了"``), so lines that ops and engine build with f-strings are
    translated where they are shown, without touching the code that builds them.
    """
    from ..messages import language

    if (lang or language()) != "ja" or not text:
        return text
    return _translate(text, 0)


# lines kept as they are: log records quoted from the log file, metadata comments, and
# configuration to paste (systemd ``Key=value`` lines, crontab entries)
_VERBATIM = re.compile(r"\d{4}-\d\d-\d\dT[\d:.]+Z? +[A-Z]+ |<!--|[A-Z]\w*=|(?:[\d*/,-]+ ){5}")
_FIELD = re.compile(r"\{(\w+)(?:![rsa])?(?::[^{}]*)?\}")
_compiled: list[tuple[re.Pattern[str], str, bool]] = []  # regex, Japanese, structure only


def _pattern(template: str) -> re.Pattern[str]:
    regex, seen, at = [], set(), 0
    for match in _FIELD.finditer(template):
        regex.append(re.escape(template[at : match.start()]))
        name = match.group(1)
        regex.append(f"(?P={name})" if name in seen else f"(?P<{name}>.*?)")
        seen.add(name)
        at = match.end()
    regex.append(re.escape(template[at:]))
    return re.compile("".join(regex) + r"\Z", re.S)


def _patterns() -> list[tuple[re.Pattern[str], str, bool]]:
    if not _compiled:
        from .ja_features import PATTERNS as FEATURES
        from .ja_patterns import PATTERNS

        # the most literal text first: "blocked {b} (+{a} already)" before "blocked {n}"
        ordered = sorted(
            {**PATTERNS, **FEATURES}.items(), key=lambda item: -len(_FIELD.sub("", item[0]))
        )
        _compiled.extend(
            (_pattern(en), ja, not re.search("[A-Za-z]", _FIELD.sub("", en))) for en, ja in ordered
        )
    return _compiled


def _translate(text: str, depth: int) -> str:
    from .ja_texts import TEXTS

    found = TEXTS.get(text)
    if found is not None:
        return found
    if depth > 12 or not any("a" <= ch.lower() <= "z" for ch in text):
        return text
    for regex, ja, structural in _patterns():
        match = regex.match(text)
        if match:
            captured = match.groupdict()
            values = {
                k: v if k.startswith("_") else _translate(v, depth + 1) for k, v in captured.items()
            }
            if structural and values == captured:
                return text  # "{a} ({b})" with nothing inside translated: leave it as it was
            return ja.format_map(values)
    return text


def tr_lines(text: str, lang: str | None = None) -> str:
    """``tr`` applied to each line of ``text`` (indentation and line ends kept)."""
    from ..messages import language

    if (lang or language()) != "ja" or not text:
        return text
    out = []
    for line in text.splitlines(keepends=True):
        body = line.rstrip("\r\n")
        stripped = body.lstrip(" ")
        if _VERBATIM.match(stripped):
            out.append(line)
            continue
        indent = body[: len(body) - len(stripped)]
        out.append(indent + tr(stripped, "ja") + line[len(body) :])
    return "".join(out)
