"""Target lists in every format people keep them in -> normalised, deduplicated ``Target``s.

Formats (detected from the text; a UTF-8 BOM and CRLF line ends are fine):

- the runbook's ``{"format": "screen_name"|"user_id", "users": [...]}`` (the ``format`` key
  decides what a bare all-digit value is; in a ``user_id`` list every entry must be an id);
- a plain JSON list of strings, numbers and/or objects with ``id``/``id_str``/``user_id``
  and/or ``screen_name``/``username``/``handle`` keys;
- X's archive ``block.js`` (``window.YTD.block.part0 = [{"blocking": {"accountId": ...}}]``);
- CSV (``,``, ``;`` or tab) whose header names an id and/or a handle column;
- text, one value per line, ``#`` comments (whole line, or after whitespace).

Values are normalised by ``normalize.normalize``. Each target has a key (``id:<id>`` or
``sn:<lower-cased handle>``); an entry that carries both an id and a handle claims both keys.
The first entry wins; later ones are recorded in ``duplicates`` with their line. Entries that
cannot be read are recorded in ``invalid`` with their line and the reason.

Line numbers are 1-based file lines for text and CSV, and array index + 1 for JSON lists
(error messages then name the array index, e.g. ``users[3]``).
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import NoReturn

from ..errors import InputError
from ..messages import msg
from .normalize import InvalidEntry, handle_key, id_key, normalize
from .target_json import Sink, parse_json_targets

__all__ = [
    "Target",
    "TargetList",
    "check_targets",
    "load_allowlist",
    "load_targets",
    "parse_targets",
]

_SHOWN = 80  # characters of a bad value kept for messages
_SPACE = re.compile(r"\s*")
_ID_COLUMNS = ("id", "user_id", "id_str", "accountid", "userid", "account_id")
_HANDLE_COLUMNS = ("screen_name", "username", "handle", "screenname", "user_name")


@dataclass(frozen=True, slots=True)
class Target:
    key: str  # "id:<digits>" or "sn:<lower-cased handle>"; the dedup key
    user_id: str | None  # decimal string
    screen_name: str | None  # as written (case kept), without "@"
    line: int  # 1-based line (or array index + 1 for JSON lists)

    @property
    def keys(self) -> tuple[str, ...]:
        """Every key this entry claims: its id key and, when it also names a handle, that too."""
        if self.user_id is not None and self.screen_name is not None:
            return (self.key, handle_key(self.screen_name))
        return (self.key,)


@dataclass
class TargetList:
    source: str
    format: str  # "screen_name", "user_id", "json-list", "block.js", "csv", "text"
    targets: list[Target]  # valid, deduplicated, in file order
    duplicates: list[tuple[int, str]]  # (line, value) of dropped repeats
    invalid: list[tuple[int, str, str]]  # (line, value, reason)
    json_path: str | None = field(default=None)  # "users" / "" for JSON formats; None for lines

    def where(self, line: int) -> str:
        """``file:line`` for text and CSV, ``file: users[i]`` for JSON entries."""
        if self.json_path is None:
            return f"{self.source}:{line}"
        return f"{self.source}: {self.json_path}[{line - 1}]"


class Collector:
    """Dedups by key while entries stream in; builds the ``TargetList``."""

    __slots__ = ("duplicates", "invalid", "seen", "targets")

    def __init__(self) -> None:
        self.seen: dict[str, int] = {}
        self.targets: list[Target] = []
        self.duplicates: list[tuple[int, str]] = []
        self.invalid: list[tuple[int, str, str]] = []

    def add(self, line: int, raw: str, user_id: str | None, screen_name: str | None) -> None:
        # Hot path (a million entries must take seconds): keys built inline, one dict probe.
        seen = self.seen
        if user_id is None:
            if screen_name is None:
                raise ValueError("a target needs a user id or a screen name")
            key = handle_key(screen_name)
            if key in seen:
                self.duplicates.append((line, raw[:_SHOWN]))
                return
        else:
            key = id_key(user_id)
            if key in seen:
                self.duplicates.append((line, raw[:_SHOWN]))
                return
            if screen_name is not None:
                other = handle_key(screen_name)
                if other in seen:
                    self.duplicates.append((line, raw[:_SHOWN]))
                    return
                seen[other] = line
        seen[key] = line
        self.targets.append(Target(key, user_id, screen_name, line))

    def bad(self, line: int, raw: str, reason: str) -> None:
        self.invalid.append((line, raw[:_SHOWN], reason))

    def build(self, source: str, fmt: str, json_path: str | None = None) -> TargetList:
        return TargetList(source, fmt, self.targets, self.duplicates, self.invalid, json_path)


def parse_targets(text: str, *, source: str) -> TargetList:
    """Detect the format and read every entry. Raises ``InputError`` only when the text as a
    whole cannot be read (syntax, shape, unknown format, CSV without a usable column); bad
    entries are returned in ``invalid`` and an empty list is returned empty (see ``check_targets``).
    """
    collector = Collector()
    fmt, json_path = _feed_any(text, source, collector)
    return collector.build(source, fmt, json_path)


def _feed_any(text: str, source: str, sink: Sink) -> tuple[str, str | None]:
    """Detect the format and feed every entry to ``sink``; (format label, JSON path)."""
    text = text.removeprefix("\ufeff")
    space = _SPACE.match(text)
    if text.startswith(("[", "{", "window.YTD."), space.end() if space else 0):
        return parse_json_targets(text, source, sink)
    header_at, delimiter = _csv_header(_lazy_lines(text), source)
    if header_at is not None:
        _feed_csv(text.splitlines(keepends=True), source, delimiter, sink)
        return "csv", None
    _feed_text(text.splitlines(), sink)
    return "text", None


def _lazy_lines(text: str) -> Iterator[str]:
    """The lines of ``text`` one at a time (format detection reads only the first few)."""
    start, size = 0, len(text)
    while start < size:
        end = text.find("\n", start)
        if end == -1:
            end = size
        yield text[start:end].rstrip("\r")
        start = end + 1


def check_targets(targets: TargetList, *, skip_invalid: bool = False) -> TargetList:
    """Raise the one-line ``InputError`` for invalid entries (unless ``skip_invalid``) or an
    empty list; return ``targets`` unchanged otherwise."""
    if targets.invalid and not skip_invalid:
        _raise_invalid(targets)
    if not targets.targets:
        if targets.invalid:
            raise InputError(
                msg("targets.no_valid", invalid=len(targets.invalid)), where=targets.source
            )
        raise InputError(msg("targets.empty"), where=targets.source, hint=msg("targets.empty.hint"))
    return targets


def load_targets(path: Path, *, skip_invalid: bool = False) -> TargetList:
    """Read, parse and check a target list file (``InputError``, exit 2, on any problem)."""
    text = _read_text(path, missing_hint=msg("targets.missing_file.hint"))
    return check_targets(parse_targets(text, source=str(path)), skip_invalid=skip_invalid)


class _KeySink:
    """Collects every key of every valid entry, duplicates included."""

    __slots__ = ("invalid", "keys")

    def __init__(self) -> None:
        self.keys: set[str] = set()
        self.invalid: list[tuple[int, str, str]] = []

    def add(self, line: int, raw: str, user_id: str | None, screen_name: str | None) -> None:
        if user_id is not None:
            self.keys.add(id_key(user_id))
        if screen_name is not None:
            self.keys.add(handle_key(screen_name))

    def bad(self, line: int, raw: str, reason: str) -> None:
        self.invalid.append((line, raw[:_SHOWN], reason))


def load_allowlist(path: Path) -> frozenset[str]:
    """Every ``Target`` key an allowlist file names, in any format a target list may have.

    Unlike ``load_targets`` nothing is dropped as a duplicate: an entry with an id and a
    handle protects both, so a renamed account stays protected by its id. Any invalid entry
    is an error (an allowlist must never silently protect less than written). An allowlist
    without entries is allowed and protects nobody.
    """
    text = _read_text(path, missing_hint=msg("allowlist.missing_file.hint"))
    sink = _KeySink()
    fmt, json_path = _feed_any(text, str(path), sink)
    if sink.invalid:
        _raise_invalid(TargetList(str(path), fmt, [], [], sink.invalid, json_path))
    return frozenset(sink.keys)


def _raise_invalid(targets: TargetList) -> NoReturn:
    line, value, reason = targets.invalid[0]
    more = len(targets.invalid) - 1
    text = (
        msg("targets.invalid.more", value=value, reason=reason, more=more)
        if more
        else msg("targets.invalid", value=value, reason=reason)
    )
    raise InputError(text, where=targets.where(line), hint=msg("targets.invalid.hint"))


def _read_text(path: Path, *, missing_hint: str) -> str:
    source = str(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise InputError(msg("targets.missing_file"), where=source, hint=missing_hint) from None
    except OSError as exc:
        raise InputError(
            msg("targets.unreadable", detail=exc.strerror or type(exc).__name__), where=source
        ) from None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise InputError(
            msg("targets.unreadable", detail=msg("targets.not_utf8")),
            where=f"{source}:{line}",
            hint=msg("targets.not_utf8.hint"),
        ) from None


# --- text --------------------------------------------------------------------------------------


def _feed_text(lines: list[str], sink: Sink) -> None:
    add, bad = sink.add, sink.bad
    for lineno, line in enumerate(lines, start=1):
        value = line.strip()
        if not value or value[0] == "#":
            continue
        if "#" in value:
            value = _cut_comment(value)
        try:
            user_id, screen_name = normalize(value)
        except InvalidEntry as exc:
            bad(lineno, value, exc.reason)
            continue
        add(lineno, value, user_id, screen_name)


def _cut_comment(value: str) -> str:
    """Drop a ``#`` comment that follows whitespace (a URL fragment has none before it)."""
    for at in range(1, len(value)):
        if value[at] == "#" and value[at - 1] in " \t":
            return value[:at].rstrip()
    return value


# --- CSV ---------------------------------------------------------------------------------------


def _csv_header(lines: Iterable[str], source: str) -> tuple[int | None, str]:
    """(index of the header line, delimiter) when the text is CSV, else (None, ",")."""
    for index, line in enumerate(lines):
        first = line.strip()
        if not first or first.startswith("#"):
            continue
        for delimiter in (",", ";", "\t"):
            if delimiter in first and _columns(_split_header(first, delimiter)) != (None, None):
                return index, delimiter
        if first.strip('"').lower() in _ID_COLUMNS + _HANDLE_COLUMNS:
            return index, ","  # a one-column CSV: its header is a column name, not a handle
        if "," in first:
            cells = ", ".join(_split_header(first, ","))[:_SHOWN]
            raise InputError(
                msg("targets.csv_no_column", found=cells),
                where=f"{source}:{index + 1}",
                hint=msg("targets.csv_no_column.hint"),
            )
        return None, ","
    return None, ","


def _split_header(line: str, delimiter: str) -> list[str]:
    return next(csv.reader([line], delimiter=delimiter))


def _columns(header: list[str]) -> tuple[int | None, int | None]:
    names = [cell.strip().lower() for cell in header]
    id_col = next((names.index(n) for n in _ID_COLUMNS if n in names), None)
    handle_col = next((names.index(n) for n in _HANDLE_COLUMNS if n in names), None)
    return id_col, handle_col


def _feed_csv(lines: list[str], source: str, delimiter: str, sink: Sink) -> None:
    reader = csv.reader(lines, delimiter=delimiter)
    id_col: int | None = None
    handle_col: int | None = None
    header_seen = False
    try:
        for row in reader:
            lineno = reader.line_num
            if not row or row[0].lstrip()[:1] == "#":
                continue
            if not header_seen:
                if not any(cell.strip() for cell in row):
                    continue
                id_col, handle_col = _columns(row)
                header_seen = True
                continue
            _csv_row(sink, lineno, row, delimiter, id_col, handle_col)
    except csv.Error as exc:
        raise InputError(
            msg("targets.unparseable", detail=str(exc)), where=f"{source}:{reader.line_num}"
        ) from None


def _csv_row(
    collector: Sink,
    lineno: int,
    row: list[str],
    delimiter: str,
    id_col: int | None,
    handle_col: int | None,
) -> None:
    id_cell = row[id_col].strip() if id_col is not None and id_col < len(row) else ""
    handle_cell = (
        row[handle_col].strip() if handle_col is not None and handle_col < len(row) else ""
    )
    if not id_cell and not handle_cell:
        if any(cell.strip() for cell in row):
            collector.bad(lineno, delimiter.join(row), "no id and no screen_name in this row")
        return  # a blank row
    user_id: str | None = None
    screen_name: str | None = None
    try:
        if id_cell:
            user_id, _ = normalize(id_cell)
            if user_id is None:
                raise InvalidEntry("the id column holds something that is not a user id")
        if handle_cell:
            found_id, screen_name = normalize(handle_cell, digits_are_handles=True)
            if found_id is not None:
                if user_id is not None and found_id != user_id:
                    raise InvalidEntry("the id and handle columns name different accounts")
                user_id = found_id
    except InvalidEntry as exc:
        reason = exc.reason
        if id_cell and ("e+" in id_cell.lower() or "." in id_cell) and user_id is None:
            reason = "the id was turned into a number by a spreadsheet; format the column as text"
        collector.bad(lineno, delimiter.join(row), reason)
        return
    collector.add(lineno, id_cell or handle_cell, user_id, screen_name)
