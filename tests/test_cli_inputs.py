"""Bad input anywhere -> exit 2, one line on stderr naming the file and line/key, nothing written.

No emulator is needed: the API base points at a closed loopback port, so a run that got past
the input checks could not succeed (and would create the database, which every test forbids).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from test_cli_support import (
    DEAD_API,
    GOOD_COOKIES,
    Entry,
    Result,
    _restore_process_state,  # noqa: F401  (autouse fixture)
    assert_strict,
    full_snapshot,
    invoke,
    run_module,
    write_data_dir,
)

from twitter_blocker.inputs.targets import Target
from twitter_blocker.store.history import History

AUTH = GOOD_COOKIES[0]["value"]
CT0 = GOOD_COOKIES[1]["value"]


def _cookie_list(*names: str) -> str:
    return json.dumps([c for c in GOOD_COOKIES if c["name"] in names])


# (id, cookies.json text or bytes, what the error line must contain besides the file name)
BAD_COOKIES: list[tuple[str, str | bytes, str]] = [
    ("truncated-json", '[{"name": "auth_token", "value": "abc"', "line 1"),
    ("array-of-numbers", "[1, 2]", "[0]"),
    ("entry-without-name", json.dumps([{"value": "abc"}]), "[0]"),
    ("non-string-value", json.dumps([{"name": "auth_token", "value": 5}]), "auth_token"),
    ("object-non-string", json.dumps({"auth_token": 5, "ct0": "abc"}), "'auth_token'"),
    ("second-entry-bad", json.dumps([GOOD_COOKIES[0], "ct0"]), "[1]"),
    ("missing-auth-token", _cookie_list("ct0", "twid"), "auth_token"),
    ("missing-ct0", _cookie_list("auth_token", "twid"), "ct0"),
    (
        "other-site-only",
        json.dumps([{**c, "domain": ".example.com"} for c in GOOD_COOKIES]),
        "auth_token",
    ),
    ("netscape-short-line", "# Netscape HTTP Cookie File\n.x.com\tTRUE\t/\n", ":2"),
    ("header-without-equals", f"auth_token={AUTH}; ct0\n", ":1"),
    ("empty-file", "", "empty"),
    ("not-utf8", b"\xff\xfe\xfa auth_token", "UTF-8"),
    ("semicolon-in-value", json.dumps({"auth_token": "abc;def", "ct0": CT0}), "auth_token"),
    ("json-scalar", "42", ":1"),
]

# (id, users file name, text or bytes, what the error line must contain besides the file name)
BAD_TARGETS: list[tuple[str, str, str | bytes, str]] = [
    ("truncated-json", "users.json", '{"format": "screen_name", "users": ["a"', "line 1"),
    ("unknown-format", "users.json", '{"format": "handle", "users": ["alice"]}', "format"),
    ("empty-users", "users.json", '{"format": "screen_name", "users": []}', "no entries"),
    ("id-list-with-handle", "users.json", '{"format": "user_id", "users": ["12", "bob"]}', "[1]"),
    ("users-not-a-list", "users.json", '{"format": "screen_name", "users": "alice"}', "users"),
    ("invalid-handle-json", "users.json", '["good_one", "bad handle!"]', "[1]"),
    ("handle-too-long", "users.json", '["abcdefghijklmnopq"]', "[0]"),
    ("invalid-handle-text", "users.txt", "alice\nbob\nnot valid!\n", "users.txt:3"),
    ("csv-without-columns", "users.csv", "name,colour\nalice,red\n", "users.csv:1"),
    ("comments-only", "users.txt", "# nobody yet\n\n", "no entries"),
    ("no-users-key", "users.json", '{"format": "screen_name"}', "users.json"),
    ("not-utf8", "users.txt", b"alice\n\xff\xfebob\n", "users.txt:2"),
    ("bad-url", "users.txt", "alice\nhttps://example.com/bob\n", "users.txt:2"),
]


def _assert_one_line_error(result: Result, *, where: str, detail: str) -> None:
    assert result.exit_code == 2, (result.exit_code, result.stderr)
    assert "Traceback" not in result.stderr + result.stdout
    lines = result.stderr_lines
    assert len(lines) == 1, lines
    line = lines[0]
    assert line.startswith("error: "), line
    assert where in line, (where, line)
    assert detail in line, (detail, line)


def _assert_nothing_written(data: Path, before: dict[str, Entry]) -> None:
    assert full_snapshot(data) == before
    assert not (data / "block_history.db").exists()
    assert not (data / "block_history.db.lock").exists()
    assert not (data / "cache").exists()


def test_missing_cookie_file_says_how_to_export(tmp_path: Path) -> None:
    data = write_data_dir(tmp_path / "data")
    (data / "cookies.json").unlink()
    before = full_snapshot(data)
    result = invoke(["--data-dir", str(data), "--all", "--api-base", DEAD_API])
    _assert_one_line_error(result, where=str(data / "cookies.json"), detail="not found")
    assert "export" in result.stderr.lower() or "--cookies" in result.stderr
    _assert_nothing_written(data, before)


def test_missing_auth_token_names_the_cookie_and_the_fix(tmp_path: Path) -> None:
    data = write_data_dir(tmp_path / "data", cookies=_cookie_list("ct0", "twid"))
    before = full_snapshot(data)
    result = invoke(["--data-dir", str(data), "--all", "--api-base", DEAD_API])
    _assert_one_line_error(result, where="cookies.json", detail="'auth_token' is missing")
    assert "(" in result.stderr_lines[0]  # the hint: how to export it
    _assert_nothing_written(data, before)


def test_missing_users_file(tmp_path: Path) -> None:
    data = write_data_dir(tmp_path / "data")
    (data / "users.json").unlink()
    before = full_snapshot(data)
    result = invoke(["--data-dir", str(data), "--dry-run", "--all", "--api-base", DEAD_API])
    _assert_one_line_error(result, where=str(data / "users.json"), detail="not found")
    assert "--users-file" in result.stderr
    _assert_nothing_written(data, before)


# (id, allowlist text, what the line must contain besides the file name)
BAD_ALLOWLISTS: list[tuple[str, str | None, str]] = [
    ("missing", None, "not found"),
    ("invalid-entry", "friend_one\nno such handle!\n", "allow.txt:2"),
    ("truncated-json", '["friend_one"', "line 1"),
]


@pytest.mark.parametrize(
    ("text", "detail"), [p[1:] for p in BAD_ALLOWLISTS], ids=[p[0] for p in BAD_ALLOWLISTS]
)
def test_bad_allowlist_is_one_line_exit_2(tmp_path: Path, text: str | None, detail: str) -> None:
    data = write_data_dir(tmp_path / "data")
    allow = tmp_path / "allow.txt"
    if text is not None:
        allow.write_text(text, encoding="utf-8")
    before = full_snapshot(data)
    args = ["--data-dir", str(data), "--all", "--allowlist", str(allow)]
    result = invoke([*args, "--api-base", DEAD_API])
    _assert_one_line_error(result, where=str(allow), detail=detail)
    _assert_nothing_written(data, before)


BAD_FLAGS: list[tuple[str, list[str], str]] = [
    ("max-users-zero", ["--max-users", "0"], "--max-users"),
    ("max-users-word", ["--max-users", "many"], "--max-users"),
    ("negative-delay", ["--delay", "-1"], "--delay"),
    ("unknown-flag", ["--all", "--block-everyone"], "--block-everyone"),
    ("retry-and-dry-run", ["--retry", "--dry-run"], "--retry"),
    ("max-wait-word", ["--max-wait", "soon"], "--max-wait"),
    ("cap-zero", ["--max-blocks-per-hour", "0"], "--max-blocks-per-hour"),
    ("unknown-subcommand", ["blockall"], "blockall"),
]


def test_bad_input_leaves_an_existing_database_unchanged(tmp_path: Path) -> None:
    data = write_data_dir(tmp_path / "data", users='["alice", "bad handle!"]')
    with History.open(data / "block_history.db") as history:
        history.import_targets([Target("sn:carol", None, "carol", 1)])
    before = full_snapshot(data)
    for args in (["--all"], ["--dry-run", "--all"], ["--max-users", "3"]):
        result = invoke(["--data-dir", str(data), "--api-base", DEAD_API, *args])
        _assert_one_line_error(result, where="users.json: [1]", detail="bad handle!")
    assert full_snapshot(data) == before
    assert not (data / "block_history.db.lock").exists()


def test_bad_input_in_a_real_process_has_no_traceback(tmp_path: Path) -> None:
    data = write_data_dir(tmp_path / "data", users="alice\n@@@\n", users_name="users.txt")
    before = full_snapshot(data)
    result = run_module(["--all", "--users-file", "users.txt", "--api-base", DEAD_API], cwd=data)
    _assert_one_line_error(result, where="users.txt:2", detail="@@@")
    _assert_nothing_written(data, before)


# A remedy is an instruction: "use ...", "fix them or pass --skip-invalid", "export ... again".
REMEDY_VERBS = ("use ", "add ", "fix ", "export", "create ", "log in", "name a column", "pass ")


def _remedy_cases() -> list[Any]:
    cases = [("cookies", name, "cookies.json", text) for name, text, _ in BAD_COOKIES]
    cases += [("targets", name, file, text) for name, file, text, _ in BAD_TARGETS]
    return [
        pytest.param(
            kind,
            file,
            text,
            id=f"{kind}:{name}",
        )
        for kind, name, file, text in cases
    ]


@pytest.mark.parametrize(("kind", "name", "text"), _remedy_cases())
def test_every_bad_input_line_says_what_to_do(
    tmp_path: Path, kind: str, name: str, text: str | bytes
) -> None:
    """``name`` is the target file's name (targets) or unused (cookies)."""
    if kind == "cookies":
        data = write_data_dir(tmp_path / "data", cookies=text)
    else:
        data = write_data_dir(tmp_path / "data", users=text, users_name=name)
    users = data / (name if kind == "targets" else "users.json")
    result = invoke(["--data-dir", str(data), "--users-file", str(users), "--all"])
    assert result.exit_code == 2
    line = result.stderr_lines[0]
    assert any(verb in line.lower() for verb in REMEDY_VERBS), line


# --- the whole data directory, byte for byte -------------------------------------------------
#
# The cases below hold every rejected input to the strict promise: the exit code documented in
# the README, one line naming the file, line or key and what to do, and a data directory whose
# every entry (names, bytes, modes, symlink targets, the logs too) is exactly as it was: no new
# database, lock, log, WAL or shared-memory file.


def _dup_cookie_json() -> str:
    stale = {**GOOD_COOKIES[0], "value": "f" * 40}
    return json.dumps([GOOD_COOKIES[0], GOOD_COOKIES[1], GOOD_COOKIES[2], stale])


def _dup_netscape() -> str:
    rows = [
        ".x.com\tTRUE\t/\tTRUE\t0\tauth_token\t" + AUTH,
        ".x.com\tTRUE\t/\tTRUE\t0\tct0\t" + CT0,
        "x.com\tFALSE\t/\tTRUE\t0\tauth_token\t" + "e" * 40,
    ]
    return "# Netscape HTTP Cookie File\n" + "\n".join(rows) + "\n"


# (id, cookies.json text, what the line must contain besides the file name)
STRICT_COOKIES: list[tuple[str, str | bytes, tuple[str, ...]]] = [
    *((name, text, (detail,)) for name, text, detail in BAD_COOKIES),
    ("two-auth-tokens-json", _dup_cookie_json(), ("auth_token", "[0]", "[3]")),
    ("two-auth-tokens-netscape", _dup_netscape(), ("auth_token", ":2", ":4")),
    (
        "two-auth-tokens-header",
        f"auth_token={AUTH}; ct0={CT0}; auth_token=zz9",
        ("part 1", "part 3"),
    ),
    (
        "two-ct0-object-and-array",
        json.dumps([GOOD_COOKIES[0], GOOD_COOKIES[1], {**GOOD_COOKIES[1], "value": "9" * 32}]),
        ("ct0", "[1]", "[2]"),
    ),
    ("only-whitespace", "  \n\t\n", ("empty",)),
]


@pytest.mark.parametrize(
    ("text", "needles"), [c[1:] for c in STRICT_COOKIES], ids=[c[0] for c in STRICT_COOKIES]
)
@pytest.mark.parametrize("mode", [["--all"], ["--dry-run", "--all"]], ids=["run", "dry-run"])
def test_malformed_cookie_file_is_one_line_exit_2(
    tmp_path: Path, text: str | bytes, needles: tuple[str, ...], mode: list[str]
) -> None:
    data = write_data_dir(tmp_path / "data", cookies=text)
    before = full_snapshot(data)
    result = invoke(["--data-dir", str(data), "--api-base", DEAD_API, *mode])
    assert_strict(result, 2, (str(data / "cookies.json"), *needles))
    assert full_snapshot(data) == before
    assert AUTH not in result.stderr and CT0 not in result.stderr


STRICT_TARGETS: list[tuple[str, str, str | bytes, tuple[str, ...]]] = [
    *((name, file, text, (detail,)) for name, file, text, detail in BAD_TARGETS),
    ("csv-header-only", "users.csv", "screen_name\n", ("no entries",)),
    ("json-null-entry", "users.json", '["alice", null]', ("[1]",)),
    ("json-nested-list", "users.json", '["alice", ["bob"]]', ("[1]",)),
]


@pytest.mark.parametrize(
    ("name", "text", "needles"),
    [c[1:] for c in STRICT_TARGETS],
    ids=[c[0] for c in STRICT_TARGETS],
)
def test_malformed_target_file_is_one_line_exit_2(
    tmp_path: Path, name: str, text: str | bytes, needles: tuple[str, ...]
) -> None:
    data = write_data_dir(tmp_path / "data", users=text, users_name=name)
    before = full_snapshot(data)
    args = ["--data-dir", str(data), "--users-file", str(data / name), "--all"]
    result = invoke([*args, "--api-base", DEAD_API])
    assert_strict(result, 2, (str(data / name), *needles))
    assert full_snapshot(data) == before


# (id, arguments, environment, what the line must contain)
STRICT_FLAGS: list[tuple[str, list[str], dict[str, str | None], tuple[str, ...]]] = [
    *((name, args, {}, (detail,)) for name, args, detail in BAD_FLAGS),
    ("api-base-ftp", ["--all", "--api-base", "ftp://nowhere"], {}, ("--api-base", "ftp://")),
    ("api-base-no-host", ["--all", "--api-base", "http://"], {}, ("--api-base",)),
    ("api-base-env-ftp", ["--all"], {"TWITTER_API_BASE": "ftp://x"}, ("TWITTER_API_BASE",)),
    ("api-base-ftp-dry-run", ["--dry-run", "--all", "--api-base", "ftp://n"], {}, ("--api-base",)),
    ("stats-and-all", ["--stats", "--all"], {}, ("--stats", "--all")),
    ("stats-and-dry-run", ["--stats", "--dry-run"], {}, ("--stats", "--dry-run")),
    ("stats-and-retry", ["--stats", "--retry"], {}, ("--stats", "--retry")),
    ("stats-and-max-users", ["--stats", "--max-users", "3"], {}, ("--stats", "--max-users")),
    ("test-user-and-all", ["--test-user", "alice", "--all"], {}, ("--test-user", "--all")),
    ("test-user-and-stats", ["--test-user", "alice", "--stats"], {}, ("--test-user", "--stats")),
    ("test-user-and-retry", ["--test-user", "alice", "--retry"], {}, ("--test-user", "--retry")),
    ("json-without-stats", ["--all", "--json"], {}, ("--json", "--stats")),
    ("json-alone", ["--json"], {}, ("--json", "--stats")),
    ("delay-word", ["--all", "--delay", "fast"], {}, ("--delay",)),
    ("cap-day-zero", ["--all", "--max-blocks-per-day", "0"], {}, ("--max-blocks-per-day",)),
]


@pytest.mark.parametrize(
    ("args", "env", "needles"), [c[1:] for c in STRICT_FLAGS], ids=[c[0] for c in STRICT_FLAGS]
)
def test_bad_flag_is_one_line_exit_2(
    tmp_path: Path, args: list[str], env: dict[str, str | None], needles: tuple[str, ...]
) -> None:
    data = write_data_dir(tmp_path / "data")
    before = full_snapshot(data)
    base = [] if any(a.startswith("--api-base") for a in args) or env else ["--api-base", DEAD_API]
    result = invoke(["--data-dir", str(data), *base, *args], env=env)
    assert_strict(result, 2, needles)
    assert full_snapshot(data) == before
