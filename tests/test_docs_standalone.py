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
            # The same notes cited by bare name, with or without a section number.
            r"(?i:\bx-" + r"runtime\b)",
            r"\bx-api" + r"(?:-next|-lists-and-sources)?\b(?![-.\w])",
            r"(?i:\boriginal" + r"[- ]tool\b(?:\.md)?\s*(?:§\s*)?\d)",
            r"(?i:\boriginal" + r"-tool\b)",
            r"\borigin" + r"\.md\b",
            r"(?i:\bpeers" + r"(?:\.md)?\s*(?:§\s*)?\d)",
            r"(?i:\bpeers" + r" notes?\b)",
            r"(?i:\bcode[- ]style" + r"[- ]anchors?\b)",
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
    for sample in ("see shared" + "/reference", "x-" + "api.md 5.3", "../shared" + "/ARCHI"):
        assert PRIVATE.search(sample)
    assert not PRIVATE.search("docs/X-FACTS.md 5.3")


def test_the_check_catches_bare_note_names() -> None:
    for sample in (
        "(x-" + "runtime 3.3: SearchTimeline is gated)",
        "x-" + "runtime 1.1-1.3 (2026)",
        "(x-" + "runtime: both are live)",
        "X-" + "Runtime 4.4",
        "see x-" + "api §2.1",
        "x-" + "api 5.3",
        "x-" + "api-next §6.7",
        "original" + "-tool §5",
        "as original" + "-tool says",
        "origin" + ".md §4.3",
        "peers" + " 3.2",
        "peers" + " §4",
        "the peers" + " notes",
        "code-style" + "-anchors 2",
        "code style" + " anchors",
    ):
        assert PRIVATE.search(sample), sample
    for sample in (
        "X-FACTS.md 9.4",
        "the x-" + "api-key header",
        "peer" + "s of the pool",
        "an original" + " tool",
        "code style is ruff's",
    ):
        assert not PRIVATE.search(sample), sample


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
        "## 9.",
        "### 9.8",
    ):
        assert heading in facts
    assert facts.count("https://github.com/") >= 10
    for tag in ("[obs]", "[doc]", "[lib]", "[rep]", "[inf]"):
        assert tag in facts


# "X-FACTS.md 9.4", "[`docs/X-FACTS.md`](docs/X-FACTS.md) 5.3": the section a citation names.
CITATION = re.compile(r"X-FACTS\.md`?\]?(?:\([^)]*\))?\s+(\d+(?:\.\d+)?)")


def _sections(facts: str) -> set[str]:
    # Section 8 numbers its items as a list, cited as 8.N.
    found = set(re.findall(r"^#{2,3} (\d+(?:\.\d+)?)\.?\s", facts, re.M))
    return found | {f"8.{n}" for n in re.findall(r"^(\d+)\. ", facts.split("## 8.")[1], re.M)}


def _dangling(text: str, sections: set[str]) -> list[str]:
    return [m.group(1) for m in CITATION.finditer(text) if m.group(1) not in sections]


def test_every_x_facts_citation_names_a_section_that_exists() -> None:
    sections = _sections((ROOT / "docs" / "X-FACTS.md").read_text(encoding="utf-8"))
    hits = []
    for path in _files():
        try:
            text = path.read_text(encoding="utf-8")
        except (UnicodeDecodeError, OSError):
            continue
        hits += [f"{path.relative_to(ROOT)}: {sec}" for sec in _dangling(text, sections)]
    assert hits == [], "no such section in docs/X-FACTS.md:\n" + "\n".join(hits)


def test_the_citation_check_can_fail() -> None:
    sections = _sections((ROOT / "docs" / "X-FACTS.md").read_text(encoding="utf-8"))
    assert {"9.4", "8.2", "5"} <= sections
    assert _dangling("(X-" + "FACTS.md 9.4), X-" + "FACTS.md 8.2", sections) == []
    assert _dangling("(X-" + "FACTS.md 9.9)", sections) == ["9.9"]
