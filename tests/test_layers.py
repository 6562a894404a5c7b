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
        "twitter_blocker.x.transport",
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
    # the dashboard only reads: through the store's read model and ops, never a client or a run
    "dashboard": (
        "twitter_blocker.cli",
        "twitter_blocker.emulator",
        "twitter_blocker.engine",
        "twitter_blocker.x",
        "httpx",
        "rich",
        "click",
    ),
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


# --- who owns which concept (issue 10) ---------------------------------------------------------
# "May this operation send now?" has one authority: engine/scheduler.py. The X client reports
# what it saw (CallRecord.rate); x/outcomes.py only classifies an answer (a code 88 with budget
# left is suspicious); the store persists; ops and the CLI only read and show.
RATE_DECIDER = PACKAGE / "engine" / "scheduler.py"
RATE_READERS = {PACKAGE / "x" / "outcomes.py"}
RATE_FIELDS = {"remaining", "reset", "reset_epoch"}


def _compares_rate_fields(path: Path) -> list[int]:
    """Lines where a rate window's ``remaining`` is compared, or its ``reset`` is compared
    with a time (a decision), as opposed to being passed on, shown, or checked for None
    (whether X named a reset at all is evidence, not a window decision)."""
    ordering = (ast.Lt, ast.LtE, ast.Gt, ast.GtE)
    lines = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not isinstance(node, ast.Compare):
            continue
        for operand in (node.left, *node.comparators):
            if not isinstance(operand, ast.Attribute) or operand.attr not in RATE_FIELDS:
                continue
            if operand.attr == "remaining" or any(isinstance(op, ordering) for op in node.ops):
                lines.append(node.lineno)
    return lines


@pytest.mark.parametrize("layer", ["x", "engine"])
def test_only_the_scheduler_decides_whether_to_send(layer: str) -> None:
    offenders = [
        f"{path.relative_to(PACKAGE)}:{line}"
        for path in _files(layer)
        if path != RATE_DECIDER and path not in RATE_READERS
        for line in _compares_rate_fields(path)
    ]
    assert offenders == [], "rate windows are judged only in engine/scheduler.py"


def test_the_rule_sees_a_rate_decision() -> None:
    assert _compares_rate_fields(RATE_DECIDER), "the checker must see the scheduler's decisions"


def test_the_x_package_holds_no_rate_state() -> None:
    """No attribute of the client side keeps windows, resets or budgets across calls."""
    words = ("spent", "reset", "remaining", "budget", "window")
    offenders = []
    for path in _files("x"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Attribute)
                and isinstance(node.ctx, ast.Store)
                and isinstance(node.value, ast.Name)
                and node.value.id == "self"
                and any(w in node.attr.lower() for w in words)
                and path.name != "errors.py"  # RateLimited carries the reset X named
            ):
                offenders.append(f"{path.relative_to(PACKAGE)}:{node.lineno} self.{node.attr}")
    assert offenders == []


def test_the_store_takes_its_times_from_the_caller() -> None:
    """The scheduler hands its clock's time to every budget write (FakeClock in tests)."""
    source = RATE_DECIDER.read_text(encoding="utf-8")
    for call in ("update_many(", "record_event("):
        for chunk in source.split(f"self.store.{call}")[1:]:
            assert "at_epoch=" in chunk.split(")")[0], f"{call} without at_epoch"


def test_no_module_over_400_lines() -> None:
    # The whole package, the emulator and the catalogs included.
    long = [
        f"{p.relative_to(PACKAGE)}: {n}"
        for p in sorted(PACKAGE.rglob("*.py"))
        if (n := len(p.read_text(encoding="utf-8").splitlines())) > 400
    ]
    assert long == []


def _halves(path: Path) -> bool:
    """Does the module cut something in halves (``n // 2``)?"""
    return any(
        isinstance(node, ast.BinOp)
        and isinstance(node.op, ast.FloorDiv)
        and isinstance(node.right, ast.Constant)
        and node.right.value == 2
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
    )


def test_only_the_engine_lookup_path_retries_a_failed_batch_in_halves() -> None:
    """Failure isolation has one home: engine/lookups.py halves a failed batch; the client
    raises it (it falls back to singles only where the batch answer itself is unusable)."""
    home = PACKAGE / "engine" / "lookups.py"
    assert _halves(home), "the checker must see the engine's halving"
    others = [str(p.relative_to(PACKAGE)) for p in _files("x") + _files("engine") if p != home]
    assert [p for p in others if _halves(PACKAGE / p)] == []


def test_unattributable_batch_elements_are_settled_in_one_place() -> None:
    """Counting out the elements a batch answer cannot tie to a key lives in x/batch.py."""
    homes = [
        str(p.relative_to(PACKAGE))
        for p in _files("x") + _files("engine")
        for node in ast.walk(ast.parse(p.read_text(encoding="utf-8")))
        if isinstance(node, ast.FunctionDef) and "by_count" in node.name
    ]
    assert homes == ["x/batch.py"]


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


# Modules still named like the standard library; this set may only shrink.
_STDLIB_NAMED_PENDING: set[str] = set()


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


def test_every_home_named_in_the_design_exists() -> None:
    """docs/DESIGN.md's concept table names real files and folders (issue 10 item 8)."""
    design = (PACKAGE.parent / "docs" / "DESIGN.md").read_text(encoding="utf-8")
    table = design.split("## Where each concept lives", 1)[1].split("\n## ", 1)[0]
    named = re.findall(r"`(twitter_blocker/[\w/.]+)`", table)
    assert len(named) > 20
    missing = [p for p in named if not (PACKAGE.parent / p.rstrip("/")).exists()]
    assert missing == []


# --- one vocabulary of outcomes (issue 10 item 3) ----------------------------------------------
# X's answer (x.models.Outcome, UserState, BlockStatus) -> the ledger (store.models Status,
# UserStatus, Reason) -> a target's outcome in a run (engine.outcomes.TargetOutcome): enums
# all the way, each step a table of members. Words for people are the CLI's and messages'.
OUTCOME_HOMES = {"x/models.py", "x/outcomes.py", "store/models.py", "engine/outcomes.py"}
OUTCOME_ENUMS = ("Outcome", "UserState", "BlockStatus", "UserStatus", "Reason", "TargetOutcome")


def _outcome_words() -> set[str]:
    """Every value the outcome enums spell, read from their home modules."""
    words: set[str] = set()
    for home in OUTCOME_HOMES:
        for node in ast.walk(ast.parse((PACKAGE / home).read_text(encoding="utf-8"))):
            if isinstance(node, ast.ClassDef) and node.name in OUTCOME_ENUMS:
                for item in node.body:
                    if isinstance(item, ast.Assign) and isinstance(item.value, ast.Constant):
                        words.add(str(item.value.value))
    return words


def _literals(node: ast.AST) -> list[str]:
    """String constants of an operand: itself, or the members of a literal collection."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.args:
        return _literals(node.args[0]) if node.func.id in ("frozenset", "set", "tuple") else []
    if isinstance(node, ast.Tuple | ast.List | ast.Set):
        return [t for e in node.elts for t in _literals(e)]
    return []


def _spelled_outcome_compares(path: Path, words: set[str]) -> list[int]:
    """Lines comparing with an outcome spelled as a string (``x == "ok"``,
    ``word in ("blocked", ...)``), or holding such a set to compare with."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    compared = [
        operand
        for node in ast.walk(tree)
        if isinstance(node, ast.Compare)
        for operand in (node.left, *node.comparators)
    ]
    lines = [n.lineno for n in compared if words & set(_literals(n))]
    for node in ast.walk(tree):  # NAME = frozenset({"ok", ...}): a set of spellings
        spelled = isinstance(node, ast.Assign) and isinstance(node.value, ast.Call | ast.Set)
        if spelled and words & set(_literals(node.value)):
            lines.append(node.lineno)
    return lines


@pytest.mark.parametrize("layer", ["x", "engine"])
def test_outcomes_are_not_compared_by_spelling(layer: str) -> None:
    # x/parse.py reads X's own JSON words ("Suspended", "following"): that is X's vocabulary
    # coming in, not ours travelling.
    words = _outcome_words()
    offences = [
        f"{path.relative_to(PACKAGE)}:{line}"
        for path in _files(layer)
        if str(path.relative_to(PACKAGE)) not in OUTCOME_HOMES | {"x/parse.py"}
        for line in _spelled_outcome_compares(path, words)
    ]
    assert offences == [], "compare with the enum members (x.models, store.models, ...)"


def test_no_outcome_anywhere_is_compared_with_a_string_literal() -> None:
    # ``attempt.outcome == "ok"``: the read model, ops and the CLI compare with members too.
    offences = []
    for rel, node in _outside(*OUTCOME_HOMES):
        if not isinstance(node, ast.Compare):
            continue
        operands = [node.left, *node.comparators]
        named = any(
            (isinstance(o, ast.Attribute) and o.attr == "outcome")
            or (isinstance(o, ast.Name) and o.id == "outcome")
            for o in operands
        )
        if named and any(_literals(o) for o in operands):
            offences.append(f"{rel}:{node.lineno}")
    assert offences == []


def test_no_outcome_enum_is_built_from_another_one() -> None:
    # ``UserState(result.outcome)``, ``Reason(user_status.value)``: equality of spellings
    # standing in for a table. Reading a stored column (``Status(row[3])``) is parsing.
    offences = []
    for rel, node in _outside(*OUTCOME_HOMES):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id in OUTCOME_ENUMS
            and any(isinstance(a, ast.Attribute) for a in node.args)
        ):
            offences.append(f"{rel}:{node.lineno}")
    assert offences == []


def test_the_outcome_rules_can_fail() -> None:
    words = _outcome_words()
    assert {"ok", "rate_limited", "already_blocked", "skipped_follower", "deactivated"} <= words
    sample = PACKAGE.parent / "tests" / "test_layers.py"  # this file spells them, to compare
    assert _spelled_outcome_compares(sample, words)


# --- no block of six lines stands twice (issue 10, done means) --------------------------------
# A strict, self-contained subset of what a duplicates tool reports: six lines the same to the
# letter (white space folded), not counting the boilerplate the rule allows (imports, comments,
# decorators such as click option blocks, annotated fields and parameters, keyword arguments,
# ``self.x = y`` wiring, lone punctuation, string lines). Pairs alike only in shape (other names
# and values) are left to review. The emulator shares no code with the client by design, so a
# pair with one side in it is not counted.
_BOILERPLATE_LINE = re.compile(
    r"""^(
      $|\#.*|@.*|(from|import)\s.*|\*,|self,|self\.\w+\s=\s\w+
      |[\w.]+:\s*[^=]+(=.*)?
      |\w+=.*,?
      |("|').*("|')[,:]?.*
      |[\])}:,(\s]*
    )$""",
    re.X,
)
_RUN = 6


def _repeated_runs(files: dict[str, str]) -> list[str]:
    """``a:line ~ b:line`` for every run of ``_RUN`` counted lines that stands twice."""
    places: dict[tuple[str, ...], list[tuple[str, int, int]]] = {}
    for rel, text in files.items():
        kept = [
            (no, folded)
            for no, line in enumerate(text.splitlines(), 1)
            if not _BOILERPLATE_LINE.match(folded := " ".join(line.split()))
        ]
        for i in range(len(kept) - _RUN + 1):
            run = tuple(t for _, t in kept[i : i + _RUN])
            places.setdefault(run, []).append((rel, kept[i][0], kept[i + _RUN - 1][0]))
    found = set()
    for spots in places.values():
        for a in spots:
            for b in spots:
                overlap = a[0] == b[0] and not (a[2] < b[1] or b[2] < a[1])
                one_in_emulator = a[0].startswith("emulator/") != b[0].startswith("emulator/")
                if a < b and not overlap and not one_in_emulator:
                    found.add(f"{a[0]}:{a[1]} ~ {b[0]}:{b[1]}")
    return sorted(found)


def test_no_six_lines_stand_twice_in_the_package() -> None:
    files = {
        str(p.relative_to(PACKAGE)): p.read_text(encoding="utf-8")
        for p in sorted(PACKAGE.rglob("*.py"))
    }
    assert _repeated_runs(files) == [], "merge the repeated code into one place"


def test_the_repetition_rule_can_fail() -> None:
    body = "\n".join(f"    total += step({n})" for n in range(_RUN)) + "\n"
    twice = {"a.py": f"def one():\n{body}", "b.py": f"def two():\n    x = 1\n{body}"}
    assert _repeated_runs(twice) == ["a.py:2 ~ b.py:3"]
    assert _repeated_runs({"a.py": twice["a.py"], "emulator/b.py": twice["b.py"]}) == []
