"""The architecture's promises, checked on the source: imports only point down.

- the X client knows nothing of SQLite; the store knows nothing of HTTP;
- only the CLI uses rich or click;
- the emulator shares no code with the client, store, engine or inputs;
- nothing in the library imports the CLI.
"""

from __future__ import annotations

import ast
import re
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "twitter_blocker"


def _imports(path: Path) -> set[str]:
    """Absolute module names a file imports (relative imports resolved)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = parts[: len(parts) - node.level + (1 if path.name == "__init__.py" else 0)]
                module = ".".join([*base, node.module] if node.module else base)
            else:
                module = node.module or ""
            found.add(module)
            found.update(f"{module}.{alias.name}" for alias in node.names)
    return found


def _files(subpackage: str) -> list[Path]:
    return sorted((PACKAGE / subpackage).rglob("*.py"))


FORBIDDEN: dict[str, tuple[str, ...]] = {
    "x": (
        "sqlite3",
        "twitter_blocker.store",
        "twitter_blocker.engine",
        "twitter_blocker.ops",
        "twitter_blocker.cli",
        "twitter_blocker.emulator",
        "rich",
        "click",
    ),
    "store": (
        "httpx",
        "twitter_blocker.x.client",
        "twitter_blocker.x.http",
        "twitter_blocker.engine",
        "twitter_blocker.ops",
        "twitter_blocker.cli",
        "rich",
        "click",
    ),
    "inputs": (
        "httpx",
        "sqlite3",
        "twitter_blocker.store",
        "twitter_blocker.x.client",
        "twitter_blocker.engine",
        "twitter_blocker.cli",
        "rich",
        "click",
    ),
    "engine": (
        "twitter_blocker.cli",
        "twitter_blocker.emulator",
        "twitter_blocker.ops",
        "rich",
        "click",
    ),
    "proc": (
        "sqlite3",
        "httpx",
        "twitter_blocker.store",
        "twitter_blocker.x",
        "twitter_blocker.engine",
        "twitter_blocker.ops",
        "twitter_blocker.cli",
        "twitter_blocker.emulator",
        "rich",
        "click",
    ),
    "ops": ("twitter_blocker.cli", "twitter_blocker.emulator", "rich", "click"),
    "emulator": (
        "twitter_blocker.x",
        "twitter_blocker.store",
        "twitter_blocker.engine",
        "twitter_blocker.inputs",
        "twitter_blocker.ops",
        "rich",
    ),
}


@pytest.mark.parametrize("layer", sorted(FORBIDDEN))
def test_layer_imports_only_point_down(layer: str) -> None:
    offences = []
    for path in _files(layer):
        for module in _imports(path):
            for banned in FORBIDDEN[layer]:
                if module == banned or module.startswith(banned + "."):
                    offences.append(f"{path.relative_to(PACKAGE)} imports {module}")
    assert not offences, "\n".join(offences)


def test_the_checker_sees_relative_imports() -> None:
    # The check above must be able to fail: the engine does import the store.
    runner = _imports(PACKAGE / "engine" / "loop.py")
    assert any(m.startswith("twitter_blocker.store") for m in runner)
    assert any(m.startswith("twitter_blocker.x") for m in runner)


def test_only_the_cli_uses_rich() -> None:
    users = [
        str(p.relative_to(PACKAGE))
        for p in PACKAGE.rglob("*.py")
        if any(m == "rich" or m.startswith("rich.") for m in _imports(p))
    ]
    assert users and all(u.startswith("cli/") for u in users), users


def _definitions(name: str) -> list[str]:
    """Modules of the package that define a function or class called ``name``."""
    found = []
    for path in PACKAGE.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            is_def = isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)
            if is_def and node.name.lstrip("_") == name:
                found.append(str(path.relative_to(PACKAGE)))
    return sorted(found)


def test_process_facts_have_one_home() -> None:
    # "Is this pid alive?" has one answer (a zombie is not); the run lock lives below the
    # engine and ops, so the engine never imports ops to take it.
    assert _definitions("pid_alive") == ["proc/pids.py"]
    assert _definitions("proc_locks_holders") == ["proc/pids.py"]
    assert _definitions("RunLock") == ["proc/runlock.py"]


# Modules still named like the standard library, in packages another change restructures;
# this set may only shrink.
_STDLIB_NAMED_PENDING = {"x/http.py", "engine/inspect.py", "engine/types.py"}


def test_no_module_is_named_like_the_standard_library() -> None:
    named = {
        str(path.relative_to(PACKAGE))
        for path in PACKAGE.rglob("*.py")
        if path.stem in sys.stdlib_module_names and path.stem != "__init__"
    }
    assert named <= _STDLIB_NAMED_PENDING, sorted(named - _STDLIB_NAMED_PENDING)


def test_ops_is_grouped_by_runbook_procedure() -> None:
    # "Where is diagnose?" has one answer: every procedure lives in its subpackage; only the
    # shared redaction re-export stays at the top of ops/.
    loose = sorted(p.name for p in (PACKAGE / "ops").glob("*.py"))
    assert loose == ["__init__.py", "redact.py"], loose
    diagnose = sorted(str(p.relative_to(PACKAGE)) for p in PACKAGE.rglob("diagnose.py"))
    assert diagnose == ["ops/diagnosis/diagnose.py"]


def _outside(*allowed: str) -> list[tuple[str, ast.AST]]:
    """(module, node) for every node of the package outside ``allowed`` files and the emulator
    (which shares no code with the rest by design)."""
    found = []
    for path in PACKAGE.rglob("*.py"):
        rel = str(path.relative_to(PACKAGE))
        if rel in allowed or rel.startswith("emulator/"):
            continue
        found.extend((rel, node) for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))))
    return found


def test_handles_are_normalised_in_one_place() -> None:
    # Dropping "@", lower-casing and building "sn:"/"id:" keys: inputs/normalize.py only (and
    # handles.py, its fold_handle, which the X client may import and inputs re-exports).
    offences = set()
    for rel, node in _outside("inputs/normalize.py", "handles.py"):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in ("lstrip", "strip", "removeprefix")
            and any(isinstance(a, ast.Constant) and a.value == "@" for a in node.args)
        ):
            offences.add(f"{rel}:{node.lineno} strips '@'")
        if isinstance(node, ast.JoinedStr) and node.values:
            head = node.values[0]
            if isinstance(head, ast.Constant) and head.value in ("sn:", "id:"):
                offences.add(f"{rel}:{node.lineno} builds a {head.value} key")
    assert not offences, sorted(offences)


def test_utc_timestamps_are_formatted_in_one_place() -> None:
    # "...Z" timestamps are written and read by twitter_blocker/timefmt.py only; local time for
    # people (strftime with %Z) stays at the CLI edge.
    offences = set()
    for rel, node in _outside("timefmt.py"):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            text = node.value
            if text == "+00:00" or (text.endswith("Z") and "%" in text and "%Z" not in text):
                offences.add(f"{rel}:{getattr(node, 'lineno', '?')} {text!r}")
    assert not offences, sorted(offences)


_LEDGER_TABLES = re.compile(r"\b(block_history|process_log|attempts|target_keys|rate_budgets)\b")
_SQL_VERBS = re.compile(r"\b(SELECT|INSERT|UPDATE|DELETE)\b")


def _text_of(node: ast.AST) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(v.value for v in node.values if isinstance(v, ast.Constant))
    return None


def test_only_the_store_runs_sql_on_the_ledger() -> None:
    # One read model (store/readmodel.py) answers every reader; the deliberate exception is
    # the runbook's own verbatim queries in ops/database/integrity.py (compared with a shell).
    offences = set()
    nodes = [(rel, n) for rel, n in _outside("ops/database/integrity.py") if rel[:6] != "store/"]
    prose = {id(n.value) for _, n in nodes if isinstance(n, ast.Expr)}  # docstrings
    for rel, node in nodes:
        text = None if id(node) in prose else _text_of(node)
        if text and _LEDGER_TABLES.search(text) and _SQL_VERBS.search(text):
            offences.add(f"{rel}:{getattr(node, 'lineno', '?')}")
    assert not offences, sorted(offences)


def test_ops_reads_the_ledger_through_the_store_dataclasses() -> None:
    # The rows ops shows are the store's types, not re-declared copies.
    assert _definitions("RunRow") == []
    assert _definitions("RunInfo") == ["store/models.py"]


def test_one_import_style_relative_within_the_package() -> None:
    # ``python -m twitter_blocker`` runs __main__.py as a script: the one absolute import.
    offences = []
    for path in PACKAGE.rglob("*.py"):
        rel = str(path.relative_to(PACKAGE))
        if rel == "__main__.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            elif isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            if any(n == "twitter_blocker" or n.startswith("twitter_blocker.") for n in names):
                offences.append(f"{rel}:{node.lineno}")
    assert not offences, offences
