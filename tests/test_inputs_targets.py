"""Target lists: every format, normalisation, dedup across forms, malformed files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from twitter_blocker.errors import EXIT_USAGE, InputError
from twitter_blocker.inputs.normalize import (
    RESERVED_PATHS,
    InvalidEntry,
    handle_key,
    id_key,
    normalize,
)
from twitter_blocker.inputs.targets import (
    Target,
    TargetList,
    check_targets,
    load_allowlist,
    load_targets,
    parse_targets,
)


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8", newline="")
    return path


def _keys(tl: TargetList) -> list[str]:
    return [t.key for t in tl.targets]


# --- formats ------------------------------------------------------------------------------------


def test_runbook_screen_name_format(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "users.json",
        json.dumps({"format": "screen_name", "users": ["Alice", "@bob", "12345", " carol "]}),
    )
    tl = load_targets(path)
    assert tl.format == "screen_name"
    assert tl.targets == [
        Target("sn:alice", None, "Alice", 1),
        Target("sn:bob", None, "bob", 2),
        Target("sn:12345", None, "12345", 3),  # the format key says digits are handles here
        Target("sn:carol", None, "carol", 4),
    ]
    assert tl.source == str(path)


def test_runbook_user_id_format_accepts_strings_numbers_and_id_urls(tmp_path: Path) -> None:
    users = ["123", 456, " 789 ", "https://x.com/i/user/1011", 18446744073709551615]
    path = _write(tmp_path, "users.json", json.dumps({"format": "user_id", "users": users}))
    tl = load_targets(path)
    assert tl.format == "user_id"
    assert [t.user_id for t in tl.targets] == ["123", "456", "789", "1011", "18446744073709551615"]
    assert all(t.screen_name is None for t in tl.targets)


def test_plain_json_list_of_strings_numbers_and_objects(tmp_path: Path) -> None:
    users = [
        "alice",
        "42",
        "@777",
        43,
        {"id": 44, "screen_name": "Dora"},
        {"id_str": "45"},
        {"username": "eve"},
        {"user_id": "46", "handle": "@frank"},
        {"screen_name": "DORA"},  # duplicate of the object above through its handle
    ]
    tl = load_targets(_write(tmp_path, "list.json", json.dumps(users, indent=2)))
    assert tl.format == "json-list"
    assert _keys(tl) == [
        "sn:alice",
        "id:42",
        "sn:777",
        "id:43",
        "id:44",
        "id:45",
        "sn:eve",
        "id:46",
    ]
    assert tl.targets[4] == Target("id:44", "44", "Dora", 5)
    assert tl.duplicates == [(9, "DORA")]


def test_users_object_without_format_reads_like_a_plain_list() -> None:
    tl = parse_targets('{"users": ["a", "1"]}', source="u.json")
    assert (tl.format, _keys(tl)) == ("json-list", ["sn:a", "id:1"])


def test_block_js_from_the_x_archive(tmp_path: Path) -> None:
    text = (
        "window.YTD.block.part0 = [\n"
        '  {"blocking": {"accountId": "11", '
        '"userLink": "https://twitter.com/intent/user?user_id=11"}},\n'
        '  {"blocking": {"userLink": "https://twitter.com/intent/user?user_id=12"}},\n'
        '  {"blocking": {"accountId": "11"}}\n'
        "]\n"
    )
    tl = load_targets(_write(tmp_path, "block.js", text))
    assert tl.format == "block.js"
    assert [(t.user_id, t.line) for t in tl.targets] == [("11", 1), ("12", 2)]
    assert [line for line, _ in tl.duplicates] == [3]


def test_csv_with_id_and_handle_columns(tmp_path: Path) -> None:
    text = (
        "\ufeffuser_id,screen_name,note\r\n"
        "1,Alice,spam\r\n"
        ",@bob,\r\n"
        "2,,\r\n"
        '3,"https://x.com/carol?s=1","quoted, with comma"\r\n'
        "4,alice,dup by handle\r\n"
        "\r\n"
        "# a comment row\r\n"
        "1,,dup by id\r\n"
    )
    tl = load_targets(_write(tmp_path, "users.csv", text))
    assert tl.format == "csv"
    assert tl.targets == [
        Target("id:1", "1", "Alice", 2),
        Target("sn:bob", None, "bob", 3),
        Target("id:2", "2", None, 4),
        Target("id:3", "3", "carol", 5),
    ]
    assert [line for line, _ in tl.duplicates] == [6, 9]


@pytest.mark.parametrize(
    ("text", "keys"),
    [
        ("accountId\n11\n12\n", ["id:11", "id:12"]),
        ("username\nfoo\n123\n", ["sn:foo", "sn:123"]),  # a handle column: digits are handles
        ("handle;id_str\nfoo;5\n", ["id:5"]),
        ("id\tscreen_name\n5\tfoo\n", ["id:5"]),
        ("name,screen_name\nX,foo\n", ["sn:foo"]),
    ],
)
def test_csv_variants(text: str, keys: list[str]) -> None:
    assert _keys(parse_targets(text, source="u.csv")) == keys


def test_text_file_with_every_value_form(tmp_path: Path) -> None:
    lines = [
        "# targets",
        "",
        "alice",
        "  @Bob  ",
        "123",
        "@456",
        "https://x.com/carol",
        "http://www.twitter.com/dave/status/1?s=20#frag",
        "mobile.twitter.com/erin/with_replies",
        "https://x.com/i/user/789",
        "twitter.com/intent/user?user_id=1011",
        "https://twitter.com/intent/user?screen_name=@frank",
        "x.com/intent/follow?screen_name=gina",
        "harry   # a comment after the handle",
    ]
    path = _write(tmp_path, "users.txt", "\ufeff" + "\r\n".join(lines) + "\r\n")
    tl = load_targets(path)
    assert tl.format == "text"
    assert [(t.key, t.line) for t in tl.targets] == [
        ("sn:alice", 3),
        ("sn:bob", 4),
        ("id:123", 5),
        ("sn:456", 6),
        ("sn:carol", 7),
        ("sn:dave", 8),
        ("sn:erin", 9),
        ("id:789", 10),
        ("id:1011", 11),
        ("sn:frank", 12),
        ("sn:gina", 13),
        ("sn:harry", 14),
    ]
    assert tl.targets[1].screen_name == "Bob"


def test_dedup_across_case_at_and_url_forms_keeps_the_first_with_lines() -> None:
    text = "Alice\n@alice\nhttps://x.com/ALICE\n99\nx.com/i/user/99\nbob\n"
    tl = parse_targets(text, source="t.txt")
    assert _keys(tl) == ["sn:alice", "id:99", "sn:bob"]
    assert tl.targets[0].screen_name == "Alice"
    assert tl.duplicates == [(2, "@alice"), (3, "https://x.com/ALICE"), (5, "x.com/i/user/99")]


def test_skip_invalid_reports_invalid_entries_with_lines(tmp_path: Path) -> None:
    path = _write(tmp_path, "t.txt", "ok\nbad-name\nfine\n007\nway_too_long_handle_x\n")
    tl = load_targets(path, skip_invalid=True)
    assert _keys(tl) == ["sn:ok", "sn:fine"]
    assert [(line, value) for line, value, _ in tl.invalid] == [
        (2, "bad-name"),
        (4, "007"),
        (5, "way_too_long_handle_x"),
    ]
    assert "@007" in tl.invalid[1][2]


def test_target_uses_slots_and_is_frozen() -> None:
    target = Target("sn:a", None, "a", 1)
    assert not hasattr(target, "__dict__")
    with pytest.raises(AttributeError):
        target.line = 2  # type: ignore[misc]


def test_many_lines_load_and_deduplicate(tmp_path: Path) -> None:
    lines = [f"user_{i // 2 % 5000}" if i % 2 else str(1000 + i // 2 % 7000) for i in range(20000)]
    tl = load_targets(_write(tmp_path, "big.txt", "\n".join(lines)))
    assert len(tl.targets) == 5000 + 7000
    assert len(tl.duplicates) == 20000 - 12000
    assert not tl.invalid


def test_target_keys_include_the_handle_of_an_id_entry() -> None:
    assert Target("id:5", "5", "Foo", 1).keys == ("id:5", "sn:foo")
    assert Target("id:5", "5", None, 1).keys == ("id:5",)
    assert Target("sn:foo", None, "Foo", 1).keys == ("sn:foo",)


def test_allowlist_keeps_every_key_even_of_duplicates(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "allow.json",
        json.dumps(["@Friend", {"id": "42", "screen_name": "friend"}, "7", "x.com/i/user/7"]),
    )
    assert load_allowlist(path) == frozenset({"sn:friend", "id:42", "id:7"})


def test_allowlist_may_be_empty_but_never_silently_skips_a_bad_entry(tmp_path: Path) -> None:
    assert load_allowlist(_write(tmp_path, "a.txt", "# nobody yet\n")) == frozenset()
    path = _write(tmp_path, "b.txt", "friend\nfriend-2\n")
    with pytest.raises(InputError, match=r"b\.txt:2: invalid entry 'friend-2'"):
        load_allowlist(path)
    with pytest.raises(InputError, match="--allowlist"):
        load_allowlist(tmp_path / "missing.txt")


# --- malformed inputs ---------------------------------------------------------------------------

MALFORMED = [
    # (file name, content, text that must be in the message besides the path)
    ("a.json", '{"format": "screen_name", "users": ["a",\n "b"', "line 2, column"),
    ("b.json", '{"format": "screen_name" "users": []}', "line 1, column 26"),
    ("c.json", '"alice"', ":1: invalid entry '\"alice\"'"),
    ("d.json", '{"format": "screen_name"}', 'no "users" key'),
    ("e.json", '{"format": "screen_name", "users": "alice"}', "key 'users'"),
    ("f.json", '{"format": "handles", "users": ["a"]}', "key 'format'"),
    ("g.json", '{"format": 3, "users": ["a"]}', "key 'format'"),
    ("h.json", '{"format": "user_id", "users": []}', "no entries"),
    ("i.json", "[]", "no entries"),
    ("j.json", '{"format": "user_id", "users": ["1", "@alice"]}', "users[1]"),
    ("k.json", '{"format": "user_id", "users": [1.5]}', "users[0]"),
    ("l.json", '{"format": "user_id", "users": [true]}', "users[0]"),
    ("m.json", '{"format": "user_id", "users": [-4]}', "users[0]"),
    ("n.json", '{"format": "screen_name", "users": [12]}', "users[0]"),
    ("o.json", '["ok", null]', "[1]"),
    ("p.json", '["ok", ["nested"]]', "[1]"),
    ("q.json", '[{"name": "x"}]', "[0]: invalid entry"),
    ("r.json", '[{"id": "12a"}]', "[0]"),
    ("s.json", '[{"screen_name": 5}]', "[0]"),
    ("t.json", '["a", "bad name"]', "[1]"),
    ("block.js", "window.YTD.block.part0 = [ {", "line 1, column"),
    ("block2.js", 'window.YTD.block.part0 = {"a": 1}', "block.js must assign a JSON array"),
    ("u.txt", "alice\nbob\nfoo-bar\n", ":3"),
    ("v.txt", "alice\n0\n", ":2"),
    ("w.txt", "alice\n0012\n", ":2"),
    ("x.txt", "alice\n" + "9" * 21 + "\n", ":2"),
    ("y.txt", "alice\nhttps://example.com/alice\n", ":2"),
    ("z.txt", "alice\nhttps://x.com/\n", ":2"),
    ("aa.txt", "alice\nhttps://x.com/home\n", ":2"),
    ("ab.txt", "alice\nx.com/intent/user?foo=1\n", ":2"),
    ("ac.txt", "alice\n@\n", ":2"),
    ("ad.txt", "# only comments\n\n   \n", "no entries"),
    ("ae.txt", "", "no entries"),
    ("af.txt", "ok\nmaybe,not\n", ":2"),
    ("ag.csv", "name,note\nalice,x\n", ":1"),
    ("ah.csv", "id,screen_name\n12,alice\n1.23E+18,\n", ":3"),
    ("ai.csv", "id,screen_name\n12,alice\n,\n13,bad name\n", ":4"),
    ("aj.csv", "id,screen_name\n12,x.com/i/user/13\n", ":2"),
    ("ak.csv", "id\n@alice\n", ":2"),
    ("al.txt", "alice\nbäd\n", ":2"),
    ("am.txt", "alice\n１２３\n", ":2"),
]


@pytest.mark.parametrize(("name", "text", "where"), MALFORMED, ids=[m[0] for m in MALFORMED])
def test_malformed_target_files_name_the_file_and_spot(
    tmp_path: Path, name: str, text: str, where: str
) -> None:
    path = _write(tmp_path, name, text)
    with pytest.raises(InputError) as info:
        load_targets(path)
    message = str(info.value)
    assert message.startswith(str(path))
    assert where in message
    assert info.value.exit_code == EXIT_USAGE
    assert "\n" not in message


def test_invalid_entries_message_counts_the_others_and_hints_at_skip_invalid(
    tmp_path: Path,
) -> None:
    path = _write(tmp_path, "t.txt", "ok\nbad-1\nbad-2\nbad-3\n")
    with pytest.raises(InputError) as info:
        load_targets(path)
    assert str(info.value) == (
        f"{path}:2: invalid entry 'bad-1': a handle has only letters, digits and _, not '-' "
        "(and 2 more invalid) (fix them or pass --skip-invalid to leave them out)"
    )


def test_only_invalid_entries_with_skip_invalid_is_still_an_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"no valid entries \(2 invalid\)"):
        load_targets(_write(tmp_path, "t.txt", "bad-1\nbad-2\n"), skip_invalid=True)


def test_missing_unreadable_and_non_utf8_files(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="target list not found") as info:
        load_targets(tmp_path / "users.json")
    assert "--users-file" in str(info.value)
    with pytest.raises(InputError, match="cannot read the target list"):
        load_targets(tmp_path)
    path = tmp_path / "latin1.txt"
    path.write_bytes(b"alice\nbob\nj\xf6rg\n")
    with pytest.raises(InputError, match=r"latin1\.txt:3: cannot read") as info:
        load_targets(path)
    assert str(info.value) == (
        f"{path}:3: cannot read the target list: not UTF-8 text "
        "(fix the bytes on that line, or save the file as UTF-8 text)"
    )


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("cut.json", '{"format": "screen_name", "users": ["a"'),
        ("comma.json", '["alice",\n "bob",]'),
        ("extra.json", '["alice"] ["bob"]'),
        ("block.js", "window.YTD.block.part0 = [ {"),
    ],
)
def test_invalid_json_names_the_spot_and_what_to_do(tmp_path: Path, name: str, text: str) -> None:
    path = _write(tmp_path, name, text)
    with pytest.raises(InputError) as info:
        load_targets(path)
    message = str(info.value)
    assert message.startswith(f"{path}: invalid JSON at line "), message
    assert message.endswith(
        "(fix the JSON there, or use a plain text file with one handle or id per line)"
    )


def test_check_targets_passes_a_good_list_through() -> None:
    tl = parse_targets("a\nb\n", source="t")
    assert check_targets(tl) is tl


# --- properties ---------------------------------------------------------------------------------

HANDLES = st.text(
    alphabet="abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_",
    min_size=1,
    max_size=15,
)
PROFILE_HANDLES = HANDLES.filter(lambda h: h.lower() not in RESERVED_PATHS)
IDS = st.integers(min_value=1, max_value=2**64 - 1).map(str)


@given(
    PROFILE_HANDLES, st.sampled_from(["{}", "@{}", " @{} ", "https://x.com/{}", "twitter.com/{}/"])
)
def test_normalisation_is_idempotent(handle: str, form: str) -> None:
    _, first = normalize(form.format(handle), digits_are_handles=True)
    assert first == handle
    assert normalize(first, digits_are_handles=True) == (None, first)
    assert normalize("@" + first) == (None, first)


@given(
    PROFILE_HANDLES,
    st.sampled_from(
        [
            "@{}",
            "https://x.com/{}",
            "http://twitter.com/{}",
            "https://mobile.twitter.com/{}/status/1?s=20",
            "www.x.com/{}/likes#top",
            "https://twitter.com/intent/user?screen_name={}",
            "https://x.com/@{}",
        ]
    ),
    st.sampled_from([str.lower, str.upper, str.swapcase, lambda s: s]),
)
def test_every_handle_form_maps_to_the_same_key(handle: str, form: str, case: object) -> None:
    assert callable(case)
    written = form.format(case(handle))
    tl = parse_targets(f"@{handle}\n{written}\n", source="t.txt")
    assert _keys(tl) == [handle_key(handle)]
    assert [line for line, _ in tl.duplicates] == [2]


@given(
    IDS,
    st.sampled_from(
        ["{}", "x.com/i/user/{}", "https://twitter.com/intent/user?user_id={}", " {} "]
    ),
)
def test_every_id_form_maps_to_the_same_key(user_id: str, form: str) -> None:
    assert normalize(form.format(user_id)) == (user_id, None)
    tl = parse_targets(json.dumps([int(user_id), form.format(user_id)]), source="l.json")
    assert _keys(tl) == [id_key(user_id)]


@given(st.text(max_size=40))
def test_normalize_either_returns_one_valid_value_or_a_reason(value: str) -> None:
    try:
        user_id, screen_name = normalize(value)
    except InvalidEntry as exc:
        assert exc.reason
        return
    assert (user_id is None) != (screen_name is None)
    again = normalize(user_id if user_id is not None else "@" + str(screen_name))
    assert again == (user_id, screen_name)
