"""Every command and example in README.md and docs/RUNBOOK*.md runs as written (issue 9).

The examples are extracted from the documents: the lines of the ```sh blocks and every
inline code span that starts a command (``twitter-blocker``, ``python3``, ``make``,
``sqlite3``, ``pip``). Each one must have an entry in ``EXAMPLES`` saying what happens
when it runs: ``Run(exit code)`` runs it with bash, in document order, in one data
directory under a temporary ``$HOME``, with the checkout's ``.venv/bin`` first on PATH
(the "activate the venv" way of the runbook) and ``TWITTER_API_BASE`` pointing at the
emulator; ``Synopsis`` (a usage form with ``[...]`` or a placeholder) is checked against
the command's ``--help``; ``Skip`` says why an example cannot run inside the suite.
A new example without an entry, or an entry whose example is gone, fails the test, so
the documents cannot drift from what the tool does.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from twitter_blocker.emulator import Emulator

ROOT = Path(__file__).resolve().parent.parent
DOCS = (ROOT / "README.md", ROOT / "docs" / "RUNBOOK.md", ROOT / "docs" / "RUNBOOK.ja.md")
COMMANDS = ("twitter-blocker", "python3", "make ", "sqlite3", "pip ")


@dataclass(frozen=True)
class Run:
    code: int
    fresh_dir: bool = False  # run in a new empty directory instead of the data directory


@dataclass(frozen=True)
class Synopsis:
    """A usage form: the command must exist and know every ``--option`` named."""


@dataclass(frozen=True)
class Skip:
    reason: str


DEMO = (
    "the demo runs for minutes; tests/test_cli_stats.py::"
    "test_demo_ends_with_blocked_set_matches_expected runs it on a small population"
)
SUITE = "this test suite is `make test`"
INSTALL = (
    "installs into the running environment; the suite runs from `make`'s install of this checkout"
)
PLACEHOLDER = "a placeholder in prose, not a command"
CONTAINER = (
    "needs a container engine and root; tests/test_container.py checks the Dockerfile and the "
    "compose file, and builds the image when TWITTER_BLOCKER_DOCKER_BUILD=1"
)

EXAMPLES: dict[str, Run | Synopsis | Skip] = {
    # README.md: quick start
    "make demo": Skip(DEMO),
    "make test": Skip(SUITE),
    "twitter-blocker demo --no-faults": Skip(DEMO),
    "make lint": Skip("run by the final check of every change (ruff, mypy); not a unit test"),
    "make bench": Skip("about 10 minutes; tests/test_bench_smoke.py runs the benchmark small"),
    # README.md: using it on X
    "pip install .": Skip(INSTALL),
    "twitter-blocker init ~/blocker && cd ~/blocker": Run(0),
    "twitter-blocker auth import ~/Downloads/x.com_cookies.json": Run(0),
    "twitter-blocker auth check": Run(0),
    "twitter-blocker --dry-run --all": Run(0),
    "twitter-blocker --max-users 5": Run(0),
    "twitter-blocker --all --auto-retry": Run(0),
    "twitter-blocker --stats": Run(0),
    "python3 main.py ...": Skip(PLACEHOLDER),
    "python3 -m twitter_blocker ...": Skip(PLACEHOLDER),
    "python3": Skip(PLACEHOLDER),
    # README.md: chain sources
    "twitter-blocker collect SOURCE [-o FILE] [--limit N] [--format json|csv]": Synopsis(),
    "twitter-blocker --source followers:@HANDLE --all --auto-retry": Synopsis(),
    # README.md: several accounts
    "twitter-blocker --all --auto-retry --data-dir DIR1 --data-dir DIR2 [--users-file FILE]": (
        Synopsis()
    ),
    "twitter-blocker --stats --json --data-dir DIR1 --data-dir DIR2": Synopsis(),
    "twitter-blocker health --data-dir DIR1 --data-dir DIR2 [--json]": Synopsis(),
    # README.md: operations toolkit
    "twitter-blocker stop --timeout 30": Run(0),
    "twitter-blocker backup --emergency --with-cache": Run(0),
    "twitter-blocker backup --retention 24h": Run(0),
    "twitter-blocker restore backup/latest --only db": Run(0),
    "twitter-blocker diagnose --format markdown": Run(0),
    "twitter-blocker db recover --apply": Run(0),
    "twitter-blocker auth import ~/Downloads/cookies.txt": Run(0),
    "twitter-blocker ratelimit --wait": Run(0),
    "twitter-blocker cleanup --dry-run": Run(0),
    "twitter-blocker recover --dry-run": Run(0),
    "twitter-blocker integrity --json": Run(0),
    "twitter-blocker health --json": Run(0),
    "twitter-blocker incident new --level 1": Run(0),
    "twitter-blocker schedule --print systemd": Run(0),
    "twitter-blocker init": Run(0, fresh_dir=True),
    'python3 -c "from twitter_blocker.database import DatabaseManager; '
    "DatabaseManager('block_history.db').init_database()\"": Run(0),
    'python3 -c "from twitter_blocker.twitter_api import TwitterAPI; '
    'print(TwitterAPI().get_login_user_info())"': Run(0),
    "python3 main.py --stats": Run(0),
    "python3 main.py --max-users 1 --delay 5.0": Run(0),
    'sqlite3 block_history.db "SELECT status, COUNT(*) FROM block_history GROUP BY status;"': Run(
        0
    ),
    "twitter-blocker emulator --port 8080 --seed 1 --population 1000 --write-fixture DIR": (
        Synopsis()
    ),
    # README.md: dashboard and metrics; the container (issue 14)
    "twitter-blocker serve [--port 8780] --data-dir DIR [--data-dir DIR ...]": Synopsis(),
    "twitter-blocker --stats --json": Run(0),
    "mkdir -p deploy/accounts/alice deploy/accounts/bob deploy/accounts/carol": Run(0),
    "sudo chown -R 10001 deploy/accounts": Skip(CONTAINER),
    "docker compose -f deploy/compose.yaml up -d --build": Skip(CONTAINER),
    "docker compose -f deploy/compose.yaml --profile dashboard up -d": Skip(CONTAINER),
    "docker compose -f deploy/compose.yaml ps": Skip(CONTAINER),
    # docs/RUNBOOK.md
    "twitter-blocker": Run(0),
    "twitter-blocker init [DIR]": Synopsis(),
    "twitter-blocker endpoints [--refresh] [--json]": Synopsis(),
    "twitter-blocker blocks export [--from-x] [--format csv|json|txt|block.js] [-o FILE]": (
        Synopsis()
    ),
    "twitter-blocker blocks sync": Synopsis(),
    "twitter-blocker unblock --run N": Synopsis(),
    "python3 main.py --all --auto-retry": Run(0),
    'python3 -c "from twitter_blocker..."': Skip(PLACEHOLDER),
    "python3 -m pip install /path/to/twitter-blocker": Skip(INSTALL),
    "twitter-blocker ...": Skip(PLACEHOLDER),
    "twitter-blocker diagnose": Run(0),
    "twitter-blocker stop [--timeout 30]": Synopsis(),
    "twitter-blocker backup --emergency [--with-cache]": Synopsis(),
    "twitter-blocker diagnose [--format text\\|markdown\\|json] [--live]": Synopsis(),
    'sqlite3 block_history.db "PRAGMA integrity_check;"': Run(0),
    "twitter-blocker db check": Run(0),
    "twitter-blocker db recover": Run(0),
    "twitter-blocker restore backup/latest": Run(0),
    "twitter-blocker db init": Run(0, fresh_dir=True),
    "twitter-blocker stop": Run(0),
    "twitter-blocker backup --emergency": Run(0),
    "twitter-blocker auth check --offline": Run(0),
    "twitter-blocker auth import FILE": Synopsis(),
    'python3 -c "import requests ..."': Skip(
        "the runbook's own snippet, quoted as what `twitter-blocker ratelimit` replaces"
    ),
    "twitter-blocker ratelimit [--json]": Synopsis(),
    "twitter-blocker recover": Run(0),
    "twitter-blocker cleanup [--keep-days 7]": Synopsis(),
    "twitter-blocker recover [--dry-run]": Synopsis(),
    "twitter-blocker integrity": Run(0),
    "twitter-blocker incident new [--level N] [--lang ja\\|en] [--since 2h] [--reporter NAME]": (
        Synopsis()
    ),
    "twitter-blocker incident postmortem INC-YYYYMMDD-NNN [--lang ja\\|en]": Synopsis(),
    # docs/RUNBOOK.ja.md (every other example there is one of the above)
    "twitter-blocker incident new [--level N] [--lang ja\\|en] [--since 2h] [--reporter 名前]": (
        Synopsis()
    ),
    "twitter-blocker schedule --print cron": Run(0),
    "twitter-blocker backup": Run(0),
    "twitter-blocker health": Run(0),
    'python3 -c "…TwitterAPI().get_login_user_info()"': Skip(PLACEHOLDER + " (elided with …)"),
    "python3 main.py --max-users 1": Run(0),
}


def _strip_comment(line: str) -> str:
    """A ```sh line without its trailing ``# comment`` (outside quotes)."""
    quote = None
    for index, char in enumerate(line):
        if char in "'\"" and quote in (None, char):
            quote = None if quote == char else char
        elif char == "#" and quote is None and (index == 0 or line[index - 1] == " "):
            return line[:index].rstrip()
    return line.rstrip()


def extract(text: str) -> list[str]:
    """The shell examples of one Markdown document, in order (duplicates kept)."""
    found: list[str] = []
    position = 0
    for block in re.finditer(r"```(\w*)\n(.*?)```", text, re.S):
        found += _inline(text[position : block.start()])
        if block.group(1) in ("sh", "bash", "shell"):
            found += [_strip_comment(line) for line in block.group(2).splitlines() if line.strip()]
        position = block.end()
    found += _inline(text[position:])
    return found


def _inline(text: str) -> list[str]:
    spans = re.findall(r"`([^`\n]+)`", text)
    return [span.strip() for span in spans if span.strip().startswith(COMMANDS)]


def documented() -> list[str]:
    unique: dict[str, None] = {}
    for doc in DOCS:
        for example in extract(doc.read_text(encoding="utf-8")):
            unique.setdefault(example, None)
    return list(unique)


def test_every_example_has_an_entry_and_every_entry_an_example() -> None:
    examples = documented()
    missing = [e for e in examples if e not in EXAMPLES]
    stale = [e for e in EXAMPLES if e not in examples]
    assert not missing, "add these documented examples to EXAMPLES:\n" + "\n".join(missing)
    assert not stale, "these EXAMPLES are no longer documented:\n" + "\n".join(stale)


def test_extraction_finds_blocks_inline_spans_and_strips_comments() -> None:
    text = (
        "Run `twitter-blocker x --y` or `other`.\n```sh\nmake a   # note\n```\n```json\n{}\n```\n"
    )
    assert extract(text) == ["twitter-blocker x --y", "make a"]
    assert _strip_comment("python3 -c \"print('#')\"  # c") == "python3 -c \"print('#')\""


def _venv_bin() -> Path:
    return Path(sys.executable).parent


def _netscape(cookies: list[dict[str, object]]) -> str:
    lines = ["# Netscape HTTP Cookie File"]
    for c in cookies:
        domain = str(c.get("domain") or ".x.com")
        lines.append(f"{domain}\tTRUE\t/\tTRUE\t2000000000\t{c['name']}\t{c['value']}")
    return "\n".join(lines) + "\n"


@dataclass
class Scene:
    home: Path
    env: dict[str, str]
    fixture: Path

    @property
    def data(self) -> Path:
        return self.home / "blocker"

    def run(self, example: str, *, fresh_dir: bool = False) -> subprocess.CompletedProcess[str]:
        if fresh_dir:
            cwd = self.home / f"fresh-{len(list(self.home.glob('fresh-*')))}"
            cwd.mkdir()
        else:
            cwd = self.data if self.data.is_dir() else self.home
        return subprocess.run(
            ["bash", "-c", example], cwd=cwd, env=self.env,
            capture_output=True, text=True, timeout=180,
        )  # fmt: skip


@pytest.fixture
def scene(tmp_path: Path, emulator_factory: Callable[..., Emulator]) -> Scene:
    # 25 targets: the full run takes seconds at the default --delay, inside one rate window.
    emulator = emulator_factory(population=25)
    home = tmp_path / "home"
    fixture = tmp_path / "fixture"
    emulator.write_fixture(fixture)
    downloads = home / "Downloads"
    downloads.mkdir(parents=True)
    cookies = json.loads((fixture / "cookies.json").read_text(encoding="utf-8"))
    shutil.copy(fixture / "cookies.json", downloads / "x.com_cookies.json")
    (downloads / "cookies.txt").write_text(_netscape(cookies), encoding="utf-8")
    keep = ("LANG", "LC_ALL", "TMPDIR", "SYSTEMROOT")
    env = {name: os.environ[name] for name in keep if name in os.environ}
    env.update(
        HOME=str(home),
        PATH=f"{_venv_bin()}{os.pathsep}{os.environ.get('PATH', '/usr/bin:/bin')}",
        TWITTER_API_BASE=emulator.base_url,
        COLUMNS="120",
    )
    return Scene(home, env, fixture)


def _help_options(scene: Scene, words: list[str]) -> str:
    proc = scene.run(" ".join([*words, "--help"]), fresh_dir=True)
    assert proc.returncode == 0, (words, proc.stderr)
    return proc.stdout


def _check_synopsis(scene: Scene, example: str) -> str | None:
    words = example.replace("\\|", "|").split()
    command = [w for w in words[1:] if re.fullmatch(r"[a-z]+", w)][:2]
    path = ["twitter-blocker"]
    for word in command:  # the subcommand path: words before the first option or argument
        if words.index(word) != len(path):
            break
        path.append(word)
    text = _help_options(scene, path)
    for option in re.findall(r"--[a-z][a-z-]*", example):
        if option not in text:
            return f"{' '.join(path)} --help does not mention {option}"
    return None


def test_every_documented_example_runs_as_written(scene: Scene) -> None:
    assert _check_synopsis(scene, "twitter-blocker stop [--no-such-flag]") is not None
    failures: list[str] = []
    for example in documented():
        entry = EXAMPLES.get(example)
        if entry is None or isinstance(entry, Skip):
            continue
        if isinstance(entry, Synopsis):
            problem = _check_synopsis(scene, example)
            if problem:
                failures.append(f"{example}: {problem}")
            continue
        if example.startswith("sqlite3") and shutil.which("sqlite3") is None:
            continue  # the runbook's own query needs the sqlite3 shell, not part of this tool
        proc = scene.run(example, fresh_dir=entry.fresh_dir)
        if proc.returncode != entry.code or "Traceback" in proc.stderr:
            tail = "\n    ".join((proc.stdout + proc.stderr).strip().splitlines()[-6:])
            failures.append(f"{example}: exit {proc.returncode}, expected {entry.code}\n    {tail}")
        if example.startswith("twitter-blocker init ~/blocker"):
            # the documented next step: put the handles to block into users.json
            shutil.copy(scene.fixture / "users.json", scene.data / "users.json")
    assert not failures, "\n".join(failures)
