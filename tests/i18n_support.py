"""What counts as "an English sentence" in output that should be Japanese (no tests here).

An English sentence is **three or more consecutive English words** on one line, where a
word is a run of ASCII letters (an apostrophe inside allowed: ``isn't``), separated only by
spaces or commas. Before looking, everything that is an identifier, not prose, is blanked:

- text in backticks (```twitter-blocker db recover```), and a command to type from its
  program name to the end of the line (``twitter-blocker incident new --level 2``);
- URLs, and paths / file names (anything holding ``/`` or a ``.`` between letters:
  ``block_history.db``, ``backup/latest``);
- flags and options (``--max-blocks-per-hour``, ``-h``), ``KEY=value`` pairs,
  environment variable names and other ALL-CAPS words (``TWITTER_BLOCKER_LANG``,
  ``SIGTERM``, ``OPTIONS``), snake_case and dotted names (``user_status``,
  ``friendships/lookup``), hex and ids;
- system error text quoted as it came (``[Errno -2] Name or service not known``) and
  log records quoted from the log file (``2026-01-01T00:00:00.000Z INFO ...``): records,
  written in English like the database's stored values;
- the usage line of ``--help`` (``twitter-blocker health [OPTIONS]``, click's own syntax)
  and the ``command`` column of a help listing.

Two English words in a row (``quick_check ok`` once blanked, ``Cookie ファイル``) are
allowed: product words (X, Cookie, JSON, SQLite, cron, WAL) appear in Japanese text.
"""

from __future__ import annotations

import re

_LOG_RECORD = re.compile(r"^\s*\d{4}-\d\d-\d\dT[\d:.]+Z? +[A-Z]+ ")
_BLANK = [
    # a command (to type, or another process's command line), to the end of the line
    re.compile(r"(?:\S*/)?(?:twitter-blocker|python3?(?:\.\d+)?|chmod|cd) .*"),
    re.compile(r"\[Errno -?\d+\][^)\n]*"),
    re.compile(r"`[^`]*`"),
    re.compile(r"https?://\S+"),
    re.compile(r"\S*[/\\]\S*"),  # paths, a/b, x.com/home
    re.compile(r"\S*[A-Za-z0-9]\.[A-Za-z0-9]\S*"),  # file.ext, dotted.names, 1.5
    re.compile(r"(?<![\w-])--?[A-Za-z][\w-]*(?:[= ]\[[^\]]*\])?"),  # flags
    re.compile(r"\S+=\S*"),
    re.compile(r"\b\w*_\w*\b"),  # snake_case, ENV_NAMES
    re.compile(r"\b[A-Z][A-Z0-9]+\b"),  # SIGTERM, OPTIONS, UTC
    re.compile(r"\b[0-9a-f]*\d[0-9a-f]*\b"),
    re.compile(r"@\w+"),
]
_SENTENCE = re.compile(r"[A-Za-z][A-Za-z']*(?:[ ,]+[A-Za-z][A-Za-z']*){2,}")


def english_sentences(text: str) -> list[str]:
    """The English sentences (see the module docstring) in ``text``, one per offending line."""
    found: list[str] = []
    for line in text.splitlines():
        if line.lstrip().startswith(("Usage:", "使い方:")) or _LOG_RECORD.match(line):
            continue
        plain = line
        for pattern in _BLANK:
            plain = pattern.sub(" ", plain)
        match = _SENTENCE.search(plain)
        if match:
            found.append(f"{match.group(0)!r} in {line.strip()!r}")
    return found
