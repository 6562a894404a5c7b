"""The JSON target formats: the runbook's object, plain lists and X's archive ``block.js``.

Fed entry by entry into a sink (``targets.Collector``). Only whole-file problems raise
``InputError`` here: syntax (with line and column), shape (naming the key), unknown format.
"""

from __future__ import annotations

import json
import re
from typing import NoReturn, Protocol

from ..errors import InputError
from ..messages import msg
from .normalize import InvalidEntry, check_id, normalize, read_handle

__all__ = ["Sink", "parse_json_targets"]

_ID_KEYS = ("id_str", "id", "user_id", "userId", "accountId", "rest_id")
_HANDLE_KEYS = ("screen_name", "username", "handle", "screenName", "userName")
_URL_KEYS = ("userLink", "url", "profile_url")
_WRAPPER_KEYS = ("blocking", "muting", "user")
_FORMATS = ("screen_name", "user_id")
_SHOWN = 80
_DECODER = json.JSONDecoder()
_SPACE = re.compile(r"[ \t\r\n]*")
_MUTE_JS = re.compile(r"window\.YTD\.mute\.part\d+\s*=")


class Sink(Protocol):
    def add(self, line: int, raw: str, user_id: str | None, screen_name: str | None) -> None: ...
    def bad(self, line: int, raw: str, reason: str) -> None: ...


def parse_json_targets(text: str, source: str, sink: Sink) -> tuple[str, str]:
    """Feed every entry to ``sink``; return (format label, JSON path of the entry array)."""
    data, is_block_js = _decode(text, source)
    if is_block_js:
        if not isinstance(data, list):
            _shape(source, "block.js must assign a JSON array", key=None)
        _feed(data, sink, mode=None)
        return ("mute.js" if _MUTE_JS.match(text[:400].lstrip("\ufeff \t\r\n")) else "block.js"), ""
    if isinstance(data, list):
        _feed(data, sink, mode=None)
        return "json-list", ""
    if not isinstance(data, dict):
        _shape(source, "the JSON must be an object or a list", key=None)
    if "users" not in data:
        _shape(source, 'the JSON object has no "users" key', key=None)
    users = data["users"]
    if not isinstance(users, list):
        _shape(source, '"users" must be a JSON list', key="users")
    fmt = data.get("format")
    if fmt is None:
        _feed(users, sink, mode=None)
        return "json-list", "users"
    if not isinstance(fmt, str) or fmt not in _FORMATS:
        raise InputError(
            msg("targets.unknown_format", value=fmt),
            where=f"{source}: key 'format'",
            hint=msg("targets.unknown_format.hint"),
        )
    _feed(users, sink, mode=fmt)
    return fmt, "users"


def _decode(text: str, source: str) -> tuple[object, bool]:
    """The JSON value of ``text`` (after a ``window.YTD...=`` prefix, if any) without copying
    the text; a syntax error names the line and column in the file."""
    start = _skip_space(text, 0)
    is_block_js = text.startswith("window.YTD.", start)
    if is_block_js:
        equals = text.find("=", start)
        start = _skip_space(text, equals + 1) if equals != -1 else len(text)
    try:
        data, end = _DECODER.raw_decode(text, start)
    except json.JSONDecodeError as exc:
        _syntax(source, exc.pos, text, exc.msg)
    end = _skip_space(text, end)
    if is_block_js and text.startswith(";", end):
        end = _skip_space(text, end + 1)
    if end != len(text):
        _syntax(source, end, text, "Extra data")
    return data, is_block_js


def _skip_space(text: str, at: int) -> int:
    match = _SPACE.match(text, at)
    return match.end() if match else at


def _syntax(source: str, pos: int, text: str, detail: str) -> NoReturn:
    line = text.count("\n", 0, pos) + 1
    column = pos - text.rfind("\n", 0, pos)
    raise InputError(
        msg("targets.json_syntax", line=line, column=column, detail=detail),
        where=source,
        hint=msg("targets.json_syntax.hint"),
    ) from None


def _shape(source: str, detail: str, *, key: str | None) -> NoReturn:
    where = f"{source}: key {key!r}" if key else source
    raise InputError(
        msg("targets.wrong_shape", detail=detail), where=where, hint=msg("targets.wrong_shape.hint")
    )


def _feed(items: list[object], sink: Sink, *, mode: str | None) -> None:
    add, bad = sink.add, sink.bad
    for index, item in enumerate(items):
        line = index + 1
        try:
            user_id, screen_name = _entry(item, mode)
        except InvalidEntry as exc:
            bad(line, _shown(item), exc.reason)
            continue
        # What a duplicate is reported as: the string as written, else the id or handle found.
        raw = item if isinstance(item, str) else str(screen_name or user_id)
        add(line, raw, user_id, screen_name)


def _shown(item: object) -> str:
    return item if isinstance(item, str) else json.dumps(item, ensure_ascii=False)[:_SHOWN]


def _entry(item: object, mode: str | None) -> tuple[str | None, str | None]:
    if isinstance(item, str):
        if mode == "user_id":
            user_id, _ = normalize(item)
            if user_id is None:
                raise InvalidEntry('not a numeric user id (the list\'s "format" is "user_id")')
            return user_id, None
        return normalize(item, digits_are_handles=mode == "screen_name")
    if isinstance(item, bool):
        raise InvalidEntry("true/false is not a user")
    if isinstance(item, int):
        if mode == "screen_name":
            raise InvalidEntry('a number in a "screen_name" list; write the handle as a string')
        return _number_id(item), None
    if isinstance(item, float):
        raise InvalidEntry("a number with a fraction or exponent is not a user id")
    if isinstance(item, dict):
        return _object(item)
    if item is None:
        raise InvalidEntry("null is not a user")
    raise InvalidEntry("a nested list is not a user")


def _number_id(number: int) -> str:
    if number <= 0:
        raise InvalidEntry("a user id is a positive number")
    return check_id(str(number))


def _object(item: dict[str, object]) -> tuple[str | None, str | None]:
    for wrapper in _WRAPPER_KEYS:
        inner = item.get(wrapper)
        if isinstance(inner, dict) and len(item) == 1:
            item = inner
            break
    user_id: str | None = None
    screen_name: str | None = None
    for key in _ID_KEYS:
        if key in item and item[key] not in (None, ""):
            user_id = _object_id(item[key], key)
            break
    for key in _HANDLE_KEYS:
        value = item.get(key)
        if value not in (None, ""):
            if not isinstance(value, str):
                raise InvalidEntry(f"{key!r} must be a string")
            screen_name = read_handle(value)
            break
    if user_id is None and screen_name is None:
        for key in _URL_KEYS:
            value = item.get(key)
            if isinstance(value, str) and value:
                return normalize(value)
        raise InvalidEntry("the object has no id or screen_name key")
    return user_id, screen_name


def _object_id(value: object, key: str) -> str:
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise InvalidEntry(f"{key!r} must be a number or a string of digits")
    if isinstance(value, int):
        return _number_id(value)
    return check_id(value.strip())
