"""A large deterministic target file for S5: handles, ids, profile URLs, duplicates, comments.

Every line is valid for ``inputs.targets`` (handles start with a letter so none reads as an
id; ids have no leading zero), so the figures measure loading, not error reporting.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from pathlib import Path

_SYLLABLES = ("ka", "ro", "mi", "zen", "tor", "bel", "quo", "vy", "sha", "dax", "lu", "pe")


@dataclass(frozen=True, slots=True)
class FileFacts:
    lines: int
    distinct: int  # distinct dedup keys the file holds
    duplicates: int  # lines repeating an earlier key in another form
    comments: int  # comment and blank lines


def _handle(rng: random.Random, n: int) -> str:
    word = "".join(rng.choice(_SYLLABLES) for _ in range(2))[:6]
    handle = f"{word}{n:x}"
    if rng.random() < 0.3:
        handle = handle.capitalize()
    return handle[:15]


def _user_id(n: int) -> str:
    return str(1_000_000_000_000_000 + n * 7919)


def _write_handle(rng: random.Random, handle: str) -> str:
    roll = rng.random()
    if roll < 0.6:
        return handle
    if roll < 0.75:
        return "@" + handle
    if roll < 0.85:
        return f"https://x.com/{handle}"
    if roll < 0.92:
        return f"https://twitter.com/{handle}?ref=list"
    return f"https://mobile.twitter.com/{handle}/status/{rng.randrange(10**15, 10**18)}"


def _write_id(rng: random.Random, user_id: str) -> str:
    roll = rng.random()
    if roll < 0.8:
        return user_id
    if roll < 0.9:
        return f"https://x.com/i/user/{user_id}"
    return f"https://twitter.com/intent/user?user_id={user_id}"


def _variant(rng: random.Random, key: str) -> str:
    """An earlier target written again, in another case or form."""
    kind, value = key.split(":", 1)
    if kind == "id":
        return _write_id(rng, value)
    return _write_handle(rng, value.swapcase() if rng.random() < 0.5 else value)


def write_target_file(path: Path, lines: int, *, seed: int = 5) -> FileFacts:
    """Write ``lines`` lines: ~1 % comments/blanks, ~10 % duplicates, then 70/30 handles/ids."""
    rng = random.Random(seed)
    keys: list[str] = []
    out: list[str] = []
    duplicates = comments = 0
    for _ in range(lines):
        roll = rng.random()
        if roll < 0.01:
            out.append("# imported from a shared list" if rng.random() < 0.5 else "")
            comments += 1
        elif roll < 0.11 and keys:
            out.append(_variant(rng, keys[rng.randrange(len(keys))]))
            duplicates += 1
        elif rng.random() < 0.7:
            handle = _handle(rng, len(keys))
            keys.append("sn:" + handle.lower())
            out.append(_write_handle(rng, handle))
        else:
            user_id = _user_id(len(keys))
            keys.append("id:" + user_id)
            out.append(_write_id(rng, user_id))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(out) + "\n", encoding="utf-8")
    return FileFacts(lines=lines, distinct=len(keys), duplicates=duplicates, comments=comments)
