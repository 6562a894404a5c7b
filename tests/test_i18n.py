"""日本語で使える (issue 15): every message and help text has Japanese, the language is
chosen as documented, and the main commands under a Japanese locale print no English
sentence (defined in ``tests/i18n_support.py``)."""

from __future__ import annotations

import importlib
import inspect
import string
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import click
import pytest
from i18n_support import english_sentences
from test_cli_support import (
    _restore_process_state,  # noqa: F401  (autouse fixture)
    invoke,
    make_world,
    subprocess_env,
    write_data_dir,
)
from test_ops_health import probes

from twitter_blocker.cli.i18n import localize
from twitter_blocker.cli.lazy import SUBCOMMANDS
from twitter_blocker.cli.run import root
from twitter_blocker.config import resolve_paths
from twitter_blocker.emulator import Emulator
from twitter_blocker.i18n import detect, tr
from twitter_blocker.i18n.ja import MESSAGES
from twitter_blocker.i18n.ja_texts import TEXTS
from twitter_blocker.messages import EN, msg, set_language
from twitter_blocker.ops.diagnosis.health import check_health
from twitter_blocker.ops.reports.incident_sources import from_health
from twitter_blocker.ops.reports.notify import after_check

Factory = Callable[..., Emulator]
ROOT = Path(__file__).resolve().parents[1]
JA = {"LANG": "ja_JP.UTF-8", "LC_ALL": None, "LC_MESSAGES": None, "TWITTER_BLOCKER_LANG": None}
EN_ENV = {"LANG": "C.UTF-8", "LC_ALL": None, "LC_MESSAGES": None, "TWITTER_BLOCKER_LANG": None}


@pytest.fixture(autouse=True)
def _back_to_english() -> Iterator[None]:
    yield
    set_language("en")


def _fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


# --- the catalogs are complete --------------------------------------------------------------


def test_every_message_key_has_a_japanese_text() -> None:
    missing = [key for key in EN if not MESSAGES.get(key)]
    assert not missing, (
        f"{len(missing)} message key(s) of twitter_blocker/messages.py have no Japanese text; "
        "add them with the same key to twitter_blocker/i18n/ja.py:\n  " + "\n  ".join(missing)
    )
    stale = sorted(set(MESSAGES) - set(EN))
    assert not stale, f"keys in i18n/ja.py that messages.py no longer has: {stale}"


def test_japanese_texts_use_the_same_placeholders() -> None:
    wrong = {
        key: (sorted(_fields(EN[key])), sorted(_fields(text)))
        for key, text in MESSAGES.items()
        if key in EN and _fields(EN[key]) != _fields(text)
    }
    assert not wrong, f"placeholders differ (English, Japanese): {wrong}"


def _all_commands() -> Iterator[click.Command]:
    tops: list[click.Command] = [root]
    for target in SUBCOMMANDS.values():
        module, attr = target.split(":")
        tops.append(getattr(importlib.import_module(module), attr))
    for top in tops:
        localize(top)
        stack = [top]
        while stack:
            command = stack.pop()
            yield command
            if isinstance(command, click.Group):
                stack.extend(command.commands.values())


def _help_texts(command: click.Command) -> Iterator[str]:
    for text in (command.help, command.short_help, command.epilog):
        if text:
            yield inspect.cleandoc(text).partition("\f")[0]
    for param in command.params:
        text = getattr(param, "help", None)
        if text:
            yield text


def test_every_help_text_has_a_japanese_text() -> None:
    missing = sorted(
        {text for command in _all_commands() for text in _help_texts(command)} - set(TEXTS)
    )
    assert not missing, (
        f"{len(missing)} --help text(s) have no Japanese text; add each English text as a key "
        "of HELP in twitter_blocker/i18n/ja_texts.py:\n  " + "\n  ".join(map(repr, missing))
    )


def test_every_command_takes_lang() -> None:
    without = [c.name for c in _all_commands() if not any(p.name == "lang" for p in c.params)]
    assert not without


# --- choosing the language ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("flag", "environ", "expected"),
    [
        (None, {}, "en"),
        (None, {"LANG": "ja_JP.UTF-8"}, "ja"),
        (None, {"LANG": "C.UTF-8"}, "en"),
        (None, {"LC_MESSAGES": "ja_JP.UTF-8", "LANG": "en_US.UTF-8"}, "ja"),
        (None, {"LC_ALL": "en_US.UTF-8", "LC_MESSAGES": "ja_JP.UTF-8"}, "en"),
        (None, {"LC_ALL": "ja_JP.eucJP", "LANG": "C"}, "ja"),
        (None, {"TWITTER_BLOCKER_LANG": "en", "LANG": "ja_JP.UTF-8"}, "en"),
        (None, {"TWITTER_BLOCKER_LANG": "ja", "LANG": "C"}, "ja"),
        (None, {"TWITTER_BLOCKER_LANG": "fr", "LANG": "ja_JP.UTF-8"}, "ja"),
        ("en", {"TWITTER_BLOCKER_LANG": "ja", "LANG": "ja_JP.UTF-8"}, "en"),
        ("ja", {"LANG": "C"}, "ja"),
    ],
)
def test_language_selection_order(flag: str | None, environ: dict[str, str], expected: str) -> None:
    assert detect(flag, environ) == expected


def test_lang_flag_beats_env_and_locale_on_root_and_subcommands(tmp_path: Path) -> None:
    both = {**JA, "TWITTER_BLOCKER_LANG": "ja"}
    english = invoke(["--lang", "en", "health", "--help"], env=both).stdout
    assert "Database intact" in english and "使い方" not in english
    english = invoke(["health", "--help", "--lang", "en"], env=both).stdout
    assert "Database intact" in english
    japanese = invoke(["health", "--lang", "ja", "--help"], env=EN_ENV).stdout
    assert "使い方:" in japanese and "データベース" in japanese
    assert "使い方:" in invoke(["--help"], env={**EN_ENV, "TWITTER_BLOCKER_LANG": "ja"}).stdout
    assert "Usage:" in invoke(["--help"], env={**JA, "TWITTER_BLOCKER_LANG": "en"}).stdout
    stats = invoke(["--stats", "--data-dir", str(tmp_path), "--lang", "ja"], env=EN_ENV)
    assert "データベースはまだありません" in stats.stderr


def test_msg_and_tr_switch_language() -> None:
    set_language("ja")
    assert msg("cookies.empty") == "Cookie ファイルが空です"
    assert tr("blocked 3") == "ブロック 3"
    set_language("en")
    assert msg("cookies.empty") == "the cookie file is empty"
    assert tr("blocked 3") == "blocked 3"


# --- what counts as an English sentence -----------------------------------------------------


@pytest.mark.parametrize(
    "line",
    [
        "error: the cookie file is empty",
        "実行結果: blocked 3, already blocked 1",
        "X rejected the session cookies",
        "  no run is active",
    ],
)
def test_detector_finds_english(line: str) -> None:
    assert english_sentences(line)


@pytest.mark.parametrize(
    "line",
    [
        "エラー: /tmp/a b/users.json: JSON が不正です（1 行 5 列）",
        "`twitter-blocker db recover` を実行してください",
        "次の手順: twitter-blocker incident new --level 2",
        "--max-blocks-per-hour 40 を付けてください",
        "X はセッションを受け付けています: @emu_viewer（900000925）としてログイン中",
        "2026-01-01T00:00:00.000Z INFO    twitter_blocker.engine: nothing to do here",
        "使い方: twitter-blocker health [OPTIONS]",
        "x.com:443 に接続できません: [Errno -2] Name or service not known",
    ],
)
def test_detector_leaves_identifiers(line: str) -> None:
    assert english_sentences(line) == []


# --- the main commands under a Japanese locale ----------------------------------------------


def _has_japanese(text: str) -> bool:
    return any("\u3040" <= ch <= "\u30ff" or "\u4e00" <= ch <= "\u9fff" for ch in text)


def _assert_japanese(name: str, text: str) -> None:
    assert _has_japanese(text), (name, text)
    found = english_sentences(text)
    assert not found, f"{name}: English left under LANG=ja_JP.UTF-8:\n" + "\n".join(found)


def test_main_commands_print_no_english_under_a_japanese_locale(
    tmp_path: Path, emulator_factory: Factory
) -> None:
    world = make_world(emulator_factory, tmp_path)
    base = ["--data-dir", str(world.data)]
    outputs: dict[str, tuple[int, str]] = {}

    def run(name: str, args: list[str], code: int = 0) -> str:
        result = invoke(args, env=JA)
        out = result.stdout + result.stderr
        assert result.exit_code == code, (name, result.exit_code, out)
        outputs[name] = (result.exit_code, out)
        return out

    run("bare command", world.args())
    run("run", world.args("--all", "--auto-retry"))
    run("dry run", world.args("--dry-run", "--all"))
    run("--stats", [*base, "--stats"])
    run("diagnose", ["diagnose", *base, "--api-base", world.emu.base_url])
    run("diagnose markdown", ["diagnose", *base, "--format", "markdown"], code=1)
    run("health", ["health", *base])
    run("auth check", ["auth", "check", *base, "--api-base", world.emu.base_url])
    run("ratelimit", ["ratelimit", *base])
    run("integrity", ["integrity", *base])
    run("db check", ["db", "check", *base])
    run("incident new", ["incident", "new", *base, "--level", "2"])
    report = next((world.data / "incidents").glob("INC-*.md"))
    run("incident postmortem", ["incident", "postmortem", report.stem, *base])
    documents = {
        "incident document": report.read_text(encoding="utf-8"),
        "postmortem document": next((world.data / "incidents").glob("*-postmortem.md")).read_text(
            encoding="utf-8"
        ),
    }
    paths = resolve_paths(data_dir=world.data, env={})  # an incident record: disk 99% used
    after_check(paths, from_health(paths, check_health(paths, probes=probes(disk=99.0))), ())
    run("incident list", ["incident", "list", *base])
    run("incident show", ["incident", "show", "1", *base])
    run("incident close", ["incident", "close", "1", *base])
    api = ["--api-base", world.emu.base_url]
    viewer = world.truth["viewer"]["screen_name"]
    chain = ["collect", f"followers:@{viewer}", "-o", str(tmp_path / "chain.csv"), *base, *api]
    run("collect", chain)
    run("blocks export", ["blocks", "export", "-o", str(tmp_path / "blocks.csv"), *base])
    run("blocks sync", ["blocks", "sync", *base, *api])
    run("unblock --dry-run", ["unblock", "--source", "users.json", "--dry-run", *base, *api])
    run("unblock", ["unblock", "--source", "users.json", *base, *api, "--delay", "0"])
    bad_users = write_data_dir(tmp_path / "bad", users="[1, ")
    bad_cookies = write_data_dir(tmp_path / "badc", cookies="")
    run("bad target list", ["--all", "--data-dir", str(bad_users)], code=2)
    run("bad cookies", ["--all", "--data-dir", str(bad_cookies)], code=2)
    run("bad flag", ["--max-users", "zero"], code=2)
    run("unknown option", ["health", "--bogus"], code=2)
    assert outputs["run"][1].count("ブロック") >= 2
    assert outputs["bad cookies"][1].startswith("エラー: ")
    assert (
        "対応中" in outputs["incident list"][1]
        and "クローズしました" in outputs["incident close"][1]
    )
    assert "収集しました" in outputs["collect"][1]
    assert "ブロック解除: 完了" in outputs["unblock"][1]
    for name, (_, text) in outputs.items():
        _assert_japanese(name, text)
    for name, text in documents.items():
        _assert_japanese(name, text)


def test_every_help_is_japanese_under_a_japanese_locale() -> None:
    paths: list[list[str]] = [[]]
    for name in SUBCOMMANDS:
        paths.append([name])
    for command in _all_commands():
        if isinstance(command, click.Group) and command is not root and command.name:
            paths.extend([command.name, sub] for sub in command.commands)
    for path in paths:
        result = invoke([*path, "--help"], env=JA)
        assert result.exit_code == 0, (path, result.stderr)
        _assert_japanese(" ".join(["--help", *path]), result.stdout)


def test_english_stays_english(tmp_path: Path, emulator_factory: Factory) -> None:
    world = make_world(emulator_factory, tmp_path)
    result = invoke(world.args("--all"), env=EN_ENV)
    assert "run: blocked" in result.stderr
    assert not _has_japanese(result.stdout + result.stderr)
    stats = invoke(["--data-dir", str(world.data), "--stats", "--json"], env=JA)
    assert '"by_status"' in stats.stdout and "ステータス" not in stats.stdout  # JSON keys stay


def test_demo_under_a_japanese_locale_shows_progress_and_result_in_japanese() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "twitter_blocker", "demo", "--population", "30"],
        cwd=ROOT,
        env=subprocess_env({"LANG": "ja_JP.UTF-8", "LC_ALL": "", "TWITTER_BLOCKER_LANG": ""}),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0, out
    assert "[本処理] 30/30" in out and "実行結果: ブロック" in out
    assert "ブロックした集合は期待どおりです" in out
    _assert_japanese("demo", out)


def test_ops_commands_print_no_english_under_a_japanese_locale(
    tmp_path: Path, emulator_factory: Factory
) -> None:
    world = make_world(emulator_factory, tmp_path)
    base = ["--data-dir", str(world.data)]
    api = ["--api-base", world.emu.base_url]
    assert invoke(world.args("--all"), env=JA).exit_code == 0
    commands = {
        "stop": ["stop", *base],
        "backup": ["backup", *base],
        "backup --emergency": ["backup", "--emergency", *base],
        "restore": ["restore", str(world.data / "backup" / "latest"), *base],
        "cleanup --dry-run": ["cleanup", "--dry-run", *base],
        "recover --dry-run": ["recover", "--dry-run", *base, *api],
        "schedule": ["schedule", *base],
        "init": ["init", str(tmp_path / "fresh")],
        "endpoints": ["endpoints", *base],
        "db recover": ["db", "recover", *base],
        "--test-user": world.args("--test-user", str(world.truth["targets"][0]["screen_name"])),
        "--reset-retry": world.args("--reset-retry"),
        "--retry": world.args("--retry"),
        "conflicting flags": world.args("--stats", "--all"),
    }
    for name, args in commands.items():
        result = invoke(args, env=JA)
        assert result.exit_code in (0, 2), (name, result.exit_code, result.stderr)
        _assert_japanese(name, result.stdout + result.stderr)


def test_configuration_to_paste_is_never_translated(tmp_path: Path) -> None:
    for kind in ("cron", "systemd"):
        args = ["schedule", "--print", kind, "--data-dir", str(tmp_path)]
        english = invoke(args, env=EN_ENV).stdout.splitlines()
        japanese = invoke(args, env=JA).stdout.splitlines()
        assert len(english) == len(japanese)
        for en, ja in zip(english, japanese, strict=True):
            if not en.startswith("#"):
                assert en == ja


def test_a_record_closed_under_a_japanese_locale_keeps_english_in_the_database(
    tmp_path: Path,
) -> None:
    """Stored values are English (the records are read in either language)."""
    data = write_data_dir(tmp_path / "data")
    paths = resolve_paths(data_dir=data, env={})
    after_check(paths, from_health(paths, check_health(paths, probes=probes(disk=99.0))), ())
    assert invoke(["incident", "close", "1", "--data-dir", str(data)], env=JA).exit_code == 0
    english = invoke(["incident", "show", "1", "--data-dir", str(data)], env=EN_ENV).stdout
    assert "(closed by hand)" in english and not _has_japanese(english)
    japanese = invoke(["incident", "show", "1", "--data-dir", str(data)], env=JA).stdout
    assert "（手動でクローズ）" in japanese
