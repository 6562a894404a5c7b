"""Cookie exports: every format, domain filtering, twid, masking, errors, the 0600 writer."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from twitter_blocker.errors import EXIT_USAGE, InputError
from twitter_blocker.inputs.cookies import (
    Cookies,
    load_cookies,
    mask,
    parse_cookies,
    parse_twid,
    write_cookies_json,
)

AUTH = "0123456789abcdef0123456789abcdef01234567"  # 40 chars, like a real auth_token
CT0 = "feedfacecafebeef" * 10  # 160 chars, like a logged-in ct0
SECRETS = (AUTH, CT0)


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8", newline="")
    return path


def _error(tmp_path: Path, name: str, text: str) -> InputError:
    path = _write(tmp_path, name, text)
    with pytest.raises(InputError) as info:
        load_cookies(path)
    message = str(info.value)
    assert str(path) in message
    assert info.value.exit_code == EXIT_USAGE
    for secret in SECRETS:
        assert secret not in message
    return info.value


# --- formats ------------------------------------------------------------------------------------


def test_cookie_editor_array_keeps_only_x_cookies(tmp_path: Path) -> None:
    data = [
        {"domain": ".x.com", "name": "auth_token", "value": AUTH, "path": "/", "secure": True},
        {"domain": ".google.com", "name": "NID", "value": "google-secret"},
        {"domain": ".x.com", "name": "ct0", "value": CT0},
        {"domain": ".x.com", "name": "twid", "value": "u%3D1234567890"},
        {"domain": "api.x.com", "name": "lang", "value": "en"},
        {"domain": "notx.com", "name": "evil", "value": "1"},
    ]
    cookies = load_cookies(_write(tmp_path, "cookies.json", json.dumps(data)))
    assert cookies.auth_token == AUTH
    assert cookies.ct0 == CT0
    assert cookies.user_id == "1234567890"
    assert cookies.others == (("twid", "u%3D1234567890"), ("lang", "en"))
    assert cookies.header_value() == f"auth_token={AUTH}; ct0={CT0}; twid=u%3D1234567890; lang=en"
    assert cookies.names() == ["auth_token", "ct0", "twid", "lang"]


def test_edit_this_cookie_array(tmp_path: Path) -> None:
    data = [
        {
            "domain": "x.com",
            "hostOnly": True,
            "httpOnly": True,
            "name": "auth_token",
            "path": "/",
            "sameSite": "no_restriction",
            "secure": True,
            "session": False,
            "storeId": "0",
            "value": AUTH,
            "id": 1,
        },
        {"domain": ".twitter.com", "hostOnly": False, "name": "ct0", "value": CT0, "id": 2},
    ]
    cookies = load_cookies(_write(tmp_path, "c.json", json.dumps(data, indent=4)))
    assert (cookies.auth_token, cookies.ct0, cookies.user_id) == (AUTH, CT0, None)


def test_x_com_value_beats_twitter_com_duplicate_and_empty_values_are_ignored() -> None:
    data = [
        {"domain": ".twitter.com", "name": "ct0", "value": "old"},
        {"domain": ".x.com", "name": "auth_token", "value": ""},
        {"domain": ".x.com", "name": "ct0", "value": CT0},
        {"domain": ".twitter.com", "name": "auth_token", "value": AUTH},
    ]
    cookies = parse_cookies(json.dumps(data), source="c.json")
    assert (cookies.auth_token, cookies.ct0) == (AUTH, CT0)


def test_json_object_and_storage_state(tmp_path: Path) -> None:
    obj = {"auth_token": AUTH, "ct0": CT0, "twid": '"u=42"'}
    cookies = load_cookies(_write(tmp_path, "o.json", json.dumps(obj)))
    assert (cookies.auth_token, cookies.ct0, cookies.user_id) == (AUTH, CT0, "42")
    state = {
        "cookies": [
            {"name": "auth_token", "value": AUTH, "domain": ".x.com"},
            {"name": "ct0", "value": CT0, "domain": ".x.com"},
        ],
        "origins": [],
    }
    assert parse_cookies(json.dumps(state), source="s.json").ct0 == CT0


def test_netscape_cookies_txt_with_httponly_comments_bom_and_crlf(tmp_path: Path) -> None:
    lines = [
        "# Netscape HTTP Cookie File",
        "# This is a generated file!  Do not edit.",
        "",
        f"#HttpOnly_.x.com\tTRUE\t/\tTRUE\t1900000000\tauth_token\t{AUTH}",
        f".x.com\tTRUE\t/\tTRUE\t1900000000\tct0\t{CT0}",
        ".x.com\tTRUE\t/\tTRUE\t1900000000\ttwid\tu%3D777",
        ".example.com\tTRUE\t/\tFALSE\t0\tsid\tnope",
        ".x.com\tTRUE\t/\tFALSE\t0\tempty",  # trailing tab trimmed: empty value
    ]
    path = _write(tmp_path, "cookies.txt", "\ufeff" + "\r\n".join(lines) + "\r\n")
    cookies = load_cookies(path)
    assert (cookies.auth_token, cookies.ct0, cookies.user_id) == (AUTH, CT0, "777")
    assert cookies.names() == ["auth_token", "ct0", "twid"]


def test_netscape_without_header_line_is_detected_by_tabs() -> None:
    text = f"x.com\tFALSE\t/\tTRUE\t0\tauth_token\t{AUTH}\nx.com\tFALSE\t/\tTRUE\t0\tct0\t{CT0}\n"
    assert parse_cookies(text, source="c.txt").auth_token == AUTH


@pytest.mark.parametrize(
    "line",
    [
        f"Cookie: auth_token={AUTH}; ct0={CT0}; twid=u%3D99",
        f"cookie:auth_token={AUTH};ct0={CT0};twid=u%3D99;",
        f"auth_token={AUTH}; ct0={CT0}; twid=u%3D99\n",
        f"  COOKIE: auth_token={AUTH}; ct0={CT0}; twid=u%3D99  \r\n",
    ],
)
def test_raw_header_line(line: str) -> None:
    cookies = parse_cookies(line, source="h.txt")
    assert (cookies.auth_token, cookies.ct0, cookies.user_id) == (AUTH, CT0, "99")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("u%3D1234567890", "1234567890"),
        ("u=1234567890", "1234567890"),
        ('"u=1234567890"', "1234567890"),
        ('"u%3D1234567890"', "1234567890"),
        ("%22u%3D5%22", "5"),
        ("u=", None),
        ("u=abc", None),
        ("u=0123", None),
        ("x=123", None),
        ("123", None),
        ("", None),
        ("u=" + "9" * 21, None),
    ],
)
def test_twid(value: str, expected: str | None) -> None:
    assert parse_twid(value) == expected


def test_odd_twid_is_not_an_error() -> None:
    cookies = parse_cookies(f"auth_token={AUTH}; ct0={CT0}; twid=garbage", source="h")
    assert cookies.user_id is None
    assert ("twid", "garbage") in cookies.others


# --- errors -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "text", "expected"),
    [
        ("a.json", json.dumps({"ct0": CT0}), "cookie 'auth_token' is missing"),
        ("b.json", json.dumps({"auth_token": AUTH}), "cookie 'ct0' is missing"),
        ("c.json", json.dumps({"auth_token": AUTH, "ct0": ""}), "cookie 'ct0' is missing"),
        (
            "d.json",
            json.dumps(
                [
                    {"name": "auth_token", "value": AUTH, "domain": ".example.com"},
                    {"name": "ct0", "value": CT0, "domain": ".x.com"},
                ]
            ),
            "cookie 'auth_token' is missing",
        ),
        ("e.txt", f"ct0={CT0}", "cookie 'auth_token' is missing"),
    ],
)
def test_missing_required_cookie_names_it_with_the_export_hint(
    tmp_path: Path, name: str, text: str, expected: str
) -> None:
    error = _error(tmp_path, name, text)
    assert expected in str(error)
    assert "developer tools" in str(error)


@pytest.mark.parametrize(
    ("name", "text", "where"),
    [
        ("syntax.json", '[{"name": "ct0", "value": "x"},\n  {"name": }]', "line 2, column"),
        ("item.json", json.dumps([{"name": "ct0", "value": CT0}, "auth_token"]), "[1]"),
        ("noname.json", json.dumps([{"value": AUTH}]), "[0]"),
        ("nonstr.json", json.dumps([{"name": "ct0", "value": 5}]), "[0]"),
        ("domain.json", json.dumps([{"name": "ct0", "value": CT0, "domain": 3}]), "[0]"),
        ("objval.json", json.dumps({"auth_token": AUTH, "ct0": ["x"]}), "key 'ct0'"),
        ("scalar.json", "[1, 2]", "[0]"),
        ("fields.txt", f"# Netscape HTTP Cookie File\n.x.com\tTRUE\t/\t{AUTH}\n", ":2"),
        ("noname.txt", f"#HttpOnly_.x.com\tTRUE\t/\tTRUE\t0\t\t{AUTH}\n", ":1"),
        ("pair.txt", f"auth_token={AUTH}; {CT0}; twid=u%3D1", ":1"),
        ("pair2.txt", f"# pasted\nCookie: auth_token={AUTH}\nct0 {CT0}", ":3"),
        ("empty.txt", "\n  \n", ""),
        (
            "newline.json",
            json.dumps({"auth_token": AUTH + "\r\nX-Evil: 1", "ct0": CT0}),
            "auth_token",
        ),
        ("semicolon.json", json.dumps({"auth_token": AUTH, "ct0": CT0 + ";a=b"}), "'ct0'"),
        ("unicode.json", json.dumps({"auth_token": AUTH, "ct0": CT0, "lang": "日本"}), "'lang'"),
    ],
)
def test_malformed_cookie_files_name_the_spot(
    tmp_path: Path, name: str, text: str, where: str
) -> None:
    error = _error(tmp_path, name, text)
    assert where in str(error)


@pytest.mark.parametrize(
    ("name", "text", "hint"),
    [
        ("notobj.json", "[1, 2]", "fix that entry"),
        (
            "second.json",
            json.dumps([{"name": "ct0", "value": CT0}, "auth_token"]),
            "fix that entry",
        ),
        ("noname.json", json.dumps([{"value": AUTH}]), "fix that entry"),
        ("domain.json", json.dumps([{"name": "ct0", "value": CT0, "domain": 3}]), "fix that entry"),
        ("noname.txt", f"#HttpOnly_.x.com\tTRUE\t/\tTRUE\t0\t\t{AUTH}\n", "fix that entry"),
        ("arrval.json", json.dumps([{"name": "auth_token", "value": 5}]), "quoted JSON string"),
        ("objval.json", json.dumps({"auth_token": 5, "ct0": CT0}), "quoted JSON string"),
    ],
)
def test_bad_entries_say_what_to_do(tmp_path: Path, name: str, text: str, hint: str) -> None:
    message = str(_error(tmp_path, name, text))
    assert message.endswith("export the cookies again)"), message
    assert hint in message and "\n" not in message


def test_missing_unreadable_and_binary_files(tmp_path: Path) -> None:
    missing = tmp_path / "nope.json"
    with pytest.raises(InputError, match="cookie file not found") as info:
        load_cookies(missing)
    assert str(missing) in str(info.value) and "--cookies" in str(info.value)
    with pytest.raises(InputError, match="cannot read the cookie file"):
        load_cookies(tmp_path)
    binary = tmp_path / "bin.json"
    binary.write_bytes(b"\xff\xfe\x00garbage")
    with pytest.raises(InputError, match="not UTF-8") as info:
        load_cookies(binary)
    assert str(info.value) == (
        f"{binary}: cannot read the cookie file: not UTF-8 text (byte 0) "
        "(save the file as UTF-8 text, or export the cookies again)"
    )


# --- secrets ------------------------------------------------------------------------------------


def test_repr_and_str_mask_every_value() -> None:
    cookies = Cookies(AUTH, CT0, "12", (("twid", "u%3D12"), ("kdt", "secretkdtvalue123")))
    for text in (repr(cookies), str(cookies), f"{cookies}", repr([cookies])):
        for secret in (AUTH, CT0, "u%3D12", "secretkdtvalue123"):
            assert secret not in text
        assert "auth_token=0123…(40 chars)" in text


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("", "…(0 chars)"),
        ("abc", "…(3 chars)"),
        ("abcdefgh", "ab…(8 chars)"),
        (AUTH, "0123…(40 chars)"),
    ],
)
def test_mask_shows_at_most_four_chars_and_the_length(value: str, expected: str) -> None:
    assert mask(value) == expected


# --- writing ------------------------------------------------------------------------------------


def test_write_cookies_json_is_0600_atomic_and_round_trips(tmp_path: Path) -> None:
    cookies = Cookies(AUTH, CT0, "42", (("twid", "u%3D42"), ("lang", "en")))
    path = tmp_path / "cookies.json"
    path.write_text("old")
    path.chmod(0o644)
    old_umask = os.umask(0)
    try:
        write_cookies_json(cookies, path)
    finally:
        os.umask(old_umask)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cookies.json"]  # no temp file left
    assert load_cookies(path) == cookies
    items = json.loads(path.read_text())
    assert {item["domain"] for item in items} == {".x.com"}
    assert [item["name"] for item in items if item["httpOnly"]] == ["auth_token"]
    assert all(item["secure"] and item["path"] == "/" for item in items)


def test_write_cookies_json_leaves_no_temp_file_on_failure(tmp_path: Path) -> None:
    target = tmp_path / "adir"
    target.mkdir()  # os.replace onto a directory fails
    with pytest.raises(OSError):
        write_cookies_json(Cookies(AUTH, CT0, None), target)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["adir"]


# --- properties ---------------------------------------------------------------------------------

_NAMES = st.text(alphabet="abcdefghijklmnopqrstuvwxyz_0123456789", min_size=1, max_size=12).filter(
    lambda n: n not in ("auth_token", "ct0")
)
_VALUES = st.text(
    alphabet=st.characters(min_codepoint=0x21, max_codepoint=0x7E, exclude_characters=';"\\'),
    min_size=1,
    max_size=60,
)


@given(
    auth=_VALUES,
    ct0=_VALUES,
    others=st.dictionaries(_NAMES, _VALUES, max_size=6),
    prefix=st.sampled_from(["", "Cookie: ", "cookie:"]),
)
def test_header_round_trip(auth: str, ct0: str, others: dict[str, str], prefix: str) -> None:
    original = Cookies(auth, ct0, None, tuple(others.items()))
    parsed = parse_cookies(prefix + original.header_value(), source="h")
    assert (parsed.auth_token, parsed.ct0, parsed.others) == (auth, ct0, original.others)
    assert parse_cookies(parsed.header_value(), source="h") == parsed
    assert repr(parsed).count("chars)") == len(parsed.names())
