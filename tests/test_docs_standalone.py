"""The repository stands alone: no file cites the team's private notes (issue 9 item 4).

The facts the code relies on live in docs/X-FACTS.md with their public sources; code,
tests and docs cite its sections instead of notes that are not in the repository.
"""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SKIPPED_DIRS = {".git", ".venv", "__pycache__", ".mypy_cache", ".pytest_cache", ".ruff_cache"}
# Built in pieces so this file does not match itself.
PRIVATE = re.compile(
    "|".join(
        [
            "shared" + "/",
            r"\bx-api" + r"(-[a-z-]+)?\.md",
            "x-" + r"runtime\.md",
            "ARCHI" + r"TECTURE\.md",
            "original" + r"-tool\.md",
            r"\bpeers" + r"\.md",
            "code-style" + r"-anchors\.md",
        ]
    )
)


def _files() -> list[Path]:
    found = []
    for path in ROOT.rglob("*"):
        parts = set(path.relative_to(ROOT).parts)
        if parts & SKIPPED_DIRS or any(p.endswith(".egg-info") for p in parts):
            continue
        if path.is_file() and not path.is_symlink():
            found.append(path)
    return found


def test_no_file_cites_notes_outside_the_repository() -> None:
    hits = []
    for path in _files():
        try:
            text = path.read_text(encoding="utf-8")
        except (UnicodeDecodeError, OSError):
            continue
        for number, line in enumerate(text.splitlines(), 1):
            if PRIVATE.search(line):
                hits.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()[:120]}")
    assert hits == [], "cite docs/X-FACTS.md (or another file in docs/) instead:\n" + "\n".join(
        hits
    )


def test_the_check_can_fail() -> None:
    for sample in ("see shared" + "/reference", "x-api" + ".md 5.3", "../shared" + "/ARCHI"):
        assert PRIVATE.search(sample)
    assert not PRIVATE.search("docs/X-FACTS.md 5.3")


def test_x_facts_cites_public_sources_for_what_the_code_relies_on() -> None:
    facts = (ROOT / "docs" / "X-FACTS.md").read_text(encoding="utf-8")
    for heading in (
        "## 1.",
        "### 1.2",
        "### 2.3",
        "### 3.1",
        "## 4.",
        "### 5.2",
        "### 5.3",
        "## 6.",
    ):
        assert heading in facts
    assert facts.count("https://github.com/") >= 10
    for tag in ("[obs]", "[doc]", "[lib]", "[rep]", "[inf]"):
        assert tag in facts
