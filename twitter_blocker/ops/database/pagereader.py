"""Read a SQLite database file page by page, without SQLite (for ``db recover``).

The file format (https://www.sqlite.org/fileformat2.html): a 100-byte header on
page 1, fixed-size pages, b-tree pages (table leaf 0x0d / interior 0x05, index leaf
0x0a / interior 0x02) holding cells whose payload is a record (varint header of
serial types, then the values), spilling into overflow pages past a local limit.
Committed frames of a ``-wal`` file beside the database are laid over its pages
(salts and checksums verified, up to the last commit frame), as SQLite would.

Everything here tolerates damage: a page that does not parse is ``None``, a cell
that does not parse is a :class:`BadCell`, and nothing ever raises on bad bytes.
"""

from __future__ import annotations

import mmap
import struct
from collections.abc import Iterator
from dataclasses import dataclass, field
from enum import IntEnum
from pathlib import Path

MAGIC = b"SQLite format 3\x00"
HEADER_SIZE = 100
PAGE_SIZES = tuple(1 << n for n in range(9, 17))  # 512 .. 65536
ENCODINGS = {1: "utf-8", 2: "utf-16-le", 3: "utf-16-be"}
WAL_MAGIC = (0x377F0682, 0x377F0683)

Value = int | float | str | bytes | None


class PageType(IntEnum):
    INDEX_INTERIOR = 0x02
    TABLE_INTERIOR = 0x05
    INDEX_LEAF = 0x0A
    TABLE_LEAF = 0x0D

    @property
    def is_table(self) -> bool:
        return self in (PageType.TABLE_LEAF, PageType.TABLE_INTERIOR)

    @property
    def is_leaf(self) -> bool:
        return self in (PageType.TABLE_LEAF, PageType.INDEX_LEAF)


class Malformed(ValueError):
    """Bytes that do not follow the file format."""


@dataclass(frozen=True, slots=True)
class Cell:
    """One row (table leaf: with its rowid) or one index/WITHOUT ROWID entry."""

    rowid: int | None
    values: tuple[Value, ...]


@dataclass(frozen=True, slots=True)
class BadCell:
    why: str


@dataclass(frozen=True, slots=True)
class Page:
    number: int
    kind: PageType
    cell_offsets: tuple[int, ...]
    children: tuple[int, ...]  # interior pages: every child page, right-most last


def read_varint(buf: bytes, pos: int) -> tuple[int, int]:
    """A SQLite varint at ``pos``: (value, position after it)."""
    value = 0
    for i in range(9):
        if pos + i >= len(buf):
            raise Malformed("varint runs past the page")
        byte = buf[pos + i]
        if i == 8:
            return ((value << 8) | byte) & 0xFFFFFFFFFFFFFFFF, pos + 9
        value = (value << 7) | (byte & 0x7F)
        if byte < 0x80:
            return value, pos + i + 1
    raise Malformed("varint")  # pragma: no cover - the loop always returns


def _signed(value: int) -> int:
    return value - (1 << 64) if value >= 1 << 63 else value


_INT_SIZES = {1: 1, 2: 2, 3: 3, 4: 4, 5: 6, 6: 8}


def _size_of(serial: int) -> int:
    if serial in _INT_SIZES:
        return _INT_SIZES[serial]
    if serial == 7:
        return 8
    if serial in (10, 11):
        raise Malformed("reserved serial type")
    if serial >= 12:
        return (serial - 12) // 2
    return 0


def parse_record(payload: bytes, encoding: str = "utf-8") -> tuple[Value, ...]:
    """The values of a record; raises :class:`Malformed` unless it parses exactly."""
    header_size, pos = read_varint(payload, 0)
    if header_size < pos or header_size > len(payload):
        raise Malformed("record header size")
    serials: list[int] = []
    while pos < header_size:
        serial, pos = read_varint(payload, pos)
        serials.append(serial)
    if pos != header_size or not serials:
        raise Malformed("record header")
    body = header_size
    if body + sum(_size_of(s) for s in serials) != len(payload):
        raise Malformed("record length")
    values: list[Value] = []
    for serial in serials:
        size = _size_of(serial)
        raw = payload[body : body + size]
        body += size
        if serial == 0:
            values.append(None)
        elif serial in _INT_SIZES:
            values.append(int.from_bytes(raw, "big", signed=True))
        elif serial == 7:
            values.append(struct.unpack(">d", raw)[0])
        elif serial in (8, 9):
            values.append(serial - 8)
        elif serial % 2 == 0:
            values.append(bytes(raw))
        else:
            try:
                values.append(raw.decode(encoding))
            except UnicodeDecodeError as exc:
                raise Malformed("text is not valid") from exc
    return tuple(values)


def _wal_checksum(data: bytes, big: bool, s0: int, s1: int) -> tuple[int, int]:
    words = struct.unpack(f"{'>' if big else '<'}{len(data) // 4}I", data)
    for i in range(0, len(words), 2):
        s0 = (s0 + words[i] + s1) & 0xFFFFFFFF
        s1 = (s1 + words[i + 1] + s0) & 0xFFFFFFFF
    return s0, s1


def read_wal(wal: bytes, page_size: int | None) -> tuple[dict[int, bytes], int]:
    """Pages of the committed frames of a WAL file: ({page number: page}, frames used)."""
    if len(wal) < 32:
        return {}, 0
    magic, _version, size, _seq, salt1, salt2, c0, c1 = struct.unpack(">8I", wal[:32])
    if magic not in WAL_MAGIC or size not in PAGE_SIZES or (page_size and size != page_size):
        return {}, 0
    big = magic & 1 == 1
    s0, s1 = _wal_checksum(wal[:24], big, 0, 0)
    if (s0, s1) != (c0, c1):
        return {}, 0
    committed: dict[int, bytes] = {}
    pending: dict[int, bytes] = {}
    used = frames = 0
    pos = 32
    while pos + 24 + size <= len(wal):
        pageno, commit, f_salt1, f_salt2, f0, f1 = struct.unpack(">6I", wal[pos : pos + 24])
        if (f_salt1, f_salt2) != (salt1, salt2) or pageno == 0:
            break
        data = wal[pos + 24 : pos + 24 + size]
        s0, s1 = _wal_checksum(wal[pos : pos + 8], big, s0, s1)
        s0, s1 = _wal_checksum(data, big, s0, s1)
        if (s0, s1) != (f0, f1):
            break
        pending[pageno] = data
        frames += 1
        if commit:
            committed.update(pending)
            pending.clear()
            used = frames
        pos += 24 + size
    return committed, used


def _map(path: Path) -> bytes | mmap.mmap:
    """The file's bytes, mapped (not read into memory) when it is not empty."""
    with path.open("rb") as handle:
        if path.stat().st_size == 0:
            return b""
        return mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)


def _guess_page_size(data: bytes | mmap.mmap) -> int | None:
    """For a file whose header is unreadable: the page size under which most pages parse."""
    best, best_score = None, 0
    for size in PAGE_SIZES:
        if len(data) < size:
            break
        probe = PageFile(data, size, 0, "utf-8")
        score = sum(1 for n in range(2, probe.page_count + 1) if probe.page(n) is not None)
        if score > best_score:
            best, best_score = size, score
    return best


@dataclass(slots=True)
class PageFile:
    """The pages of one database file (with its WAL's committed pages laid over them)."""

    data: bytes | mmap.mmap
    page_size: int
    reserved: int
    encoding: str
    overlay: dict[int, bytes] = field(default_factory=dict)
    header_ok: bool = True
    wal_frames: int = 0
    overflow: set[int] = field(default_factory=set)  # overflow pages met while reading cells

    @classmethod
    def open(cls, path: Path) -> PageFile | None:
        """Read ``path`` (and ``<path>-wal``); None when no page size makes sense of it."""
        data = _map(path)
        wal_path = Path(f"{path}-wal")
        wal = wal_path.read_bytes() if wal_path.is_file() else b""
        header_ok = data[:16] == MAGIC and len(data) >= HEADER_SIZE
        size = int.from_bytes(data[16:18], "big") if header_ok else 0
        size = 65536 if size == 1 else size
        overlay, frames = read_wal(wal, size if size in PAGE_SIZES else None)
        first = overlay.get(1, b"")
        if size not in PAGE_SIZES and first[:16] == MAGIC:
            data, header_ok = first + data[len(first) :], True  # page 1 only in the WAL
            size = int.from_bytes(first[16:18], "big")
        if size not in PAGE_SIZES:
            header_ok = False
            guessed = _guess_page_size(data)
            if guessed is None:
                return None
            size = guessed
            overlay, frames = read_wal(wal, size)
        source = overlay.get(1, data[:HEADER_SIZE]) if header_ok else b""
        reserved = source[20] if len(source) > 20 else 0
        enc = int.from_bytes(source[56:60], "big") if len(source) >= 60 else 1
        return cls(data, size, reserved, ENCODINGS.get(enc, "utf-8"), overlay, header_ok, frames)

    @property
    def usable(self) -> int:
        return self.page_size - self.reserved

    @property
    def page_count(self) -> int:
        return max(len(self.data) // self.page_size, max(self.overlay, default=0))

    def raw(self, number: int) -> bytes | None:
        if number in self.overlay:
            return self.overlay[number]
        if number < 1 or number * self.page_size > len(self.data):
            return None
        return self.data[(number - 1) * self.page_size : number * self.page_size]

    def page(self, number: int) -> Page | None:
        """The b-tree page ``number``, or None when it is not one (damaged, free, overflow)."""
        raw = self.raw(number)
        if raw is None:
            return None
        start = HEADER_SIZE if number == 1 else 0
        try:
            kind = PageType(raw[start])
        except ValueError:
            return None
        head = 8 if kind.is_leaf else 12
        ncells = int.from_bytes(raw[start + 3 : start + 5], "big")
        array_end = start + head + 2 * ncells
        if array_end > self.usable or raw[start + 7] > 60:  # fragmented bytes are at most 60
            return None
        offsets = tuple(
            int.from_bytes(raw[p : p + 2], "big") for p in range(start + head, array_end, 2)
        )
        if any(not array_end <= off < self.usable for off in offsets):
            return None
        children: tuple[int, ...] = ()
        if not kind.is_leaf:
            kids = [int.from_bytes(raw[off : off + 4], "big") for off in offsets]
            kids.append(int.from_bytes(raw[start + 8 : start + 12], "big"))
            if any(not 1 < kid <= self.page_count for kid in kids):
                return None
            children = tuple(kids)
        return Page(number, kind, offsets, children)

    def _local_size(self, payload: int, table: bool) -> int:
        usable = self.usable
        most = usable - 35 if table else (usable - 12) * 64 // 255 - 23
        if payload <= most:
            return payload
        least = (usable - 12) * 32 // 255 - 23
        local = least + (payload - least) % (usable - 4)
        return local if local <= most else least

    def _payload(self, raw: bytes, pos: int, size: int, table: bool) -> bytes:
        local = self._local_size(size, table)
        if pos + local > self.usable:
            raise Malformed("cell runs past the page")
        chunks = [raw[pos : pos + local]]
        got = local
        if local < size:
            if pos + local + 4 > self.usable:
                raise Malformed("overflow pointer runs past the page")
            nxt = int.from_bytes(raw[pos + local : pos + local + 4], "big")
            seen: set[int] = set()
            while got < size:
                page = self.raw(nxt)
                if page is None or nxt in seen or nxt < 2 or not page.strip(b"\x00"):
                    raise Malformed(f"overflow page {nxt} unreadable")  # a zeroed one too
                seen.add(nxt)
                self.overflow.add(nxt)
                take = min(size - got, self.usable - 4)
                chunks.append(page[4 : 4 + take])
                got += take
                nxt = int.from_bytes(page[:4], "big")
        return b"".join(chunks)

    def cells(self, page: Page) -> Iterator[Cell | BadCell]:
        """Every cell that holds data: table leaf rows, index leaf and interior entries."""
        if page.kind is PageType.TABLE_INTERIOR:
            return
        raw = self.raw(page.number) or b""
        table = page.kind is PageType.TABLE_LEAF
        for off in page.cell_offsets:
            try:
                pos = off if page.kind.is_leaf else off + 4
                size, pos = read_varint(raw, pos)
                rowid = None
                if table:
                    key, pos = read_varint(raw, pos)
                    rowid = _signed(key)
                if size > 1 << 31:
                    raise Malformed("payload size")
                payload = self._payload(raw, pos, size, table)
                yield Cell(rowid, parse_record(payload, self.encoding))
            except Malformed as exc:
                yield BadCell(str(exc))

    def freelist(self) -> set[int]:
        """Pages on the freelist (trunks and leaves), as far as it can be followed."""
        free: set[int] = set()
        if not self.header_ok:
            return free
        first = self.raw(1) or b""
        trunk = int.from_bytes(first[32:36], "big")
        while 1 < trunk <= self.page_count and trunk not in free:
            free.add(trunk)
            raw = self.raw(trunk) or b""
            count = int.from_bytes(raw[4:8], "big")
            if count > (self.usable - 8) // 4:
                break
            for i in range(count):
                leaf = int.from_bytes(raw[8 + 4 * i : 12 + 4 * i], "big")
                if 1 < leaf <= self.page_count:
                    free.add(leaf)
            trunk = int.from_bytes(raw[:4], "big")
        return free

    def walk(self, root: int, *, table: bool) -> tuple[set[int], set[int]]:
        """Descend from ``root``: (b-tree pages reached, child pages that did not parse)."""
        reached: set[int] = set()
        broken: set[int] = set()
        todo = [root]
        while todo:
            number = todo.pop()
            if number in reached or number in broken:
                continue
            page = self.page(number)
            if page is None or page.kind.is_table != table:
                broken.add(number)
                continue
            reached.add(number)
            todo.extend(page.children)
        return reached, broken
