"""Find every row of every table in a damaged database file, page by page (``db recover``).

Like SQLite's ``.recover``, this does not trust the b-tree structure: every page
of the file is read. Pages reached from a table's root page (per ``sqlite_master``,
where it is readable) belong to that table; every other b-tree page that is not on
the freelist (so one damaged interior page does not lose a table) is given to the
table whose shape its records fit: the column count, the NULL of an
``INTEGER PRIMARY KEY``, NOT NULL, and the type affinity of each column (a TEXT
column never holds a number). Index pages are told from ``WITHOUT ROWID`` tables
of the same shape by checking their entries against the rows already found.
Shapes come from the file's own schema where readable, else from ``expected``.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from .pagereader import Cell, PageFile, PageType, Value

MASTER = "sqlite_master"


@dataclass(frozen=True, slots=True)
class Shape:
    """How one b-tree's records look: columns in record order and what each may hold."""

    name: str
    table: str  # the table itself, or the table an index belongs to
    columns: tuple[str | None, ...]  # None: the rowid of an index entry
    affinities: tuple[str, ...]
    notnull: tuple[bool, ...]
    alias: int | None  # record position of an INTEGER PRIMARY KEY (stored as NULL)
    is_index: bool
    without_rowid: bool

    def fits(self, values: Sequence[Value], *, exact: bool = True) -> bool:
        if len(values) > len(self.columns) or (exact and len(values) != len(self.columns)):
            return False
        for i, value in enumerate(values):
            if i == self.alias:
                if value is not None:
                    return False
            elif value is None:
                if self.notnull[i]:
                    return False
            elif self.affinities[i] == "TEXT" and isinstance(value, int | float):
                return False
        return True


MASTER_SHAPE = Shape(
    MASTER,
    MASTER,
    ("type", "name", "tbl_name", "rootpage", "sql"),
    ("TEXT", "TEXT", "TEXT", "INTEGER", "TEXT"),
    (True, True, True, False, False),
    None,
    False,
    False,
)


@dataclass(frozen=True, slots=True)
class Row:
    rowid: int | None
    values: dict[str, Value]
    reached: bool  # on a page reached from the table's root (not found by the scan alone)


@dataclass(slots=True)
class TableScan:
    name: str
    rows: list[Row] = field(default_factory=list)
    skipped: int = 0  # cells on this table's pages that did not parse or fit
    pages: int = 0
    broken_pages: int = 0  # pages its b-tree points at that are not b-tree pages


@dataclass(slots=True)
class Scan:
    page_size: int
    pages: int
    header_ok: bool
    wal_frames: int
    schema_read: bool  # shapes and root pages came from the file's own sqlite_master
    free_pages: int = 0
    unreadable_pages: int = 0  # neither a b-tree page nor on the freelist
    unattributed_rows: int = 0  # rows on pages no table's shape fits (or several fit), lost
    unattributed_pages: int = 0
    tables: dict[str, TableScan] = field(default_factory=dict)
    other_tables: tuple[str, ...] = ()  # tables of the file's schema that ``expected`` lacks
    own_tables: set[str] = field(default_factory=set)  # table names in the file's schema

    @property
    def foreign(self) -> bool:
        """The file's schema is readable and holds none of the expected tables."""
        return self.schema_read and not (self.own_tables & set(self.tables))

    @property
    def readable(self) -> bool:
        return any(t.rows for t in self.tables.values()) or self.schema_read


def affinity(declared: str) -> str:
    """SQLite's column affinity rules (https://www.sqlite.org/datatype3.html, 3.1)."""
    upper = declared.upper()
    if "INT" in upper:
        return "INTEGER"
    if any(word in upper for word in ("CHAR", "CLOB", "TEXT")):
        return "TEXT"
    if not upper or "BLOB" in upper:
        return "BLOB"
    if any(word in upper for word in ("REAL", "FLOA", "DOUB")):
        return "REAL"
    return "NUMERIC"


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _table_shape(conn: sqlite3.Connection, name: str, sql: str) -> Shape:
    info = conn.execute(f"PRAGMA table_info({_quote(name)})").fetchall()
    without_rowid = "WITHOUT ROWID" in " ".join(sql.upper().split())
    pks = [r for r in info if r[5]]
    if without_rowid:
        info = sorted(pks, key=lambda r: r[5]) + [r for r in info if not r[5]]
    alias = None
    if not without_rowid and len(pks) == 1 and str(pks[0][2]).upper() == "INTEGER":
        alias = [r[1] for r in info].index(pks[0][1])
    return Shape(
        name,
        name,
        tuple(str(r[1]) for r in info),
        tuple(affinity(str(r[2])) for r in info),
        tuple(bool(r[3]) or (without_rowid and bool(r[5])) for r in info),
        alias,
        False,
        without_rowid,
    )


def _table_names(conn: sqlite3.Connection) -> set[str]:
    return {str(r[0]) for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}


def _index_shape(conn: sqlite3.Connection, name: str, table: Shape) -> Shape:
    cols = conn.execute(f"PRAGMA index_xinfo({_quote(name)})").fetchall()
    names = [None if int(r[1]) < 0 else str(r[2]) for r in cols]
    by_name = dict(zip(table.columns, table.affinities, strict=True))
    return Shape(
        name,
        table.name,
        tuple(names),
        tuple("INTEGER" if n is None else by_name.get(n, "BLOB") for n in names),
        tuple(n is None for n in names),
        None,
        True,
        False,
    )


def _create(conn: sqlite3.Connection, sql: str) -> bool:
    """Run one CREATE TABLE/INDEX read from a damaged file on the scratch connection only."""
    words = sql.upper().split()[:3]
    if words[:2] not in (["CREATE", "TABLE"], ["CREATE", "INDEX"], ["CREATE", "UNIQUE"]):
        return False
    try:
        conn.execute(sql)  # one statement only: sqlite3 refuses more
    except (sqlite3.DatabaseError, sqlite3.ProgrammingError):
        return False
    return True


def shapes_for(
    master: Iterable[tuple[str, str, str, str | None]], expected: Sequence[tuple[str, str, str]]
) -> tuple[dict[str, Shape], list[Shape]]:
    """Table and index shapes of ``expected`` ((type, name, sql), our schema), built from
    the file's own SQL where ``master`` ((type, name, tbl_name, sql)) has it."""
    own = {name: sql for _t, name, _tbl, sql in master if sql}
    tables: dict[str, Shape] = {}
    with contextlib.closing(sqlite3.connect(":memory:")) as scratch:
        for kind, name, sql in expected:
            if kind != "table":
                continue
            created = _table_names(scratch)
            if not _create(scratch, own.get(name, sql)) or _table_names(scratch) != {
                *created,
                name,
            }:
                scratch.execute(f"DROP TABLE IF EXISTS {_quote(name)}")
                scratch.execute(sql)
                own[name] = sql
            tables[name] = _table_shape(scratch, name, own.get(name, sql))
        for kind, name, sql in expected:
            if kind == "index" and not _create(scratch, own.get(name, sql)):
                _create(scratch, sql)
        indexes = [
            _index_shape(scratch, str(name), tables[str(tbl)])
            for name, tbl in scratch.execute(
                "SELECT name, tbl_name FROM sqlite_master WHERE type = 'index'"
            )
            if str(tbl) in tables
        ]
        # A table's UNIQUE/PRIMARY KEY indexes exist without SQL: list them from the table.
        for table in tables.values():
            for row in scratch.execute(f"PRAGMA index_list({_quote(table.name)})"):
                if str(row[1]) not in {i.name for i in indexes}:
                    indexes.append(_index_shape(scratch, str(row[1]), table))
    return tables, indexes


def _master_rows(pf: PageFile) -> list[tuple[str, str, str, int, str | None]]:
    rows: list[tuple[str, str, str, int, str | None]] = []
    reached, broken = pf.walk(1, table=True)
    pages = sorted(reached)
    # sqlite_master pages cut off from page 1: any table leaf of its exact shape.
    for number in range(2, pf.page_count + 1) if broken or not reached else ():
        if number not in reached:
            page = pf.page(number)
            if page is not None and page.kind is PageType.TABLE_LEAF:
                pages.append(number)
    for number in pages:
        page = pf.page(number)
        for cell in pf.cells(page) if page else ():
            if isinstance(cell, Cell) and MASTER_SHAPE.fits(cell.values):
                kind, name, tbl, root, sql = cell.values
                root = root if isinstance(root, int) else 0
                if kind in ("table", "index") and (
                    number in reached or str(sql).startswith("CREATE")
                ):
                    rows.append(
                        (str(kind), str(name), str(tbl), root, None if sql is None else str(sql))
                    )
    return rows


def _to_row(shape: Shape, cell: Cell, reached: bool) -> Row:
    values: dict[str, Value] = {}
    for i, column in enumerate(shape.columns[: len(cell.values)]):
        if column is not None:
            values[column] = cell.rowid if i == shape.alias else cell.values[i]
    return Row(cell.rowid, values, reached)


def _best(cells: list[Cell], shapes: Iterable[Shape]) -> tuple[list[Shape], int]:
    widths = {len(c.values) for c in cells}
    scored = [
        (sum(1 for c in cells if s.fits(c.values)) if len(s.columns) in widths else 0, s)
        for s in shapes
    ]
    top = max((n for n, _s in scored), default=0)
    return [s for n, s in scored if n == top and top > 0], top


def _index_matches(index: Shape, cells: list[Cell], rows: dict[str, dict[int, Row]]) -> int:
    """Entries of ``cells`` that agree with a found row of the index's (rowid) table."""
    found = rows.get(index.table, {})
    hits = 0
    for cell in cells:
        row = found.get(cell.values[-1]) if isinstance(cell.values[-1], int) else None
        if row is not None and all(
            row.values.get(col) == value
            for col, value in zip(index.columns, cell.values, strict=False)
            if col is not None
        ):
            hits += 1
    return hits


def scan_file(path: Path, expected: Sequence[tuple[str, str, str]]) -> Scan | None:
    """Every row ``path`` still holds for the tables of ``expected``; None: not readable at all."""
    pf = PageFile.open(path)
    if pf is None:
        return None
    master = _master_rows(pf)
    tables, indexes = shapes_for([(t, n, tb, s) for t, n, tb, _r, s in master], expected)
    roots = {name: root for kind, name, _tbl, root, _sql in master if root > 1}
    scan = Scan(pf.page_size, pf.page_count, pf.header_ok, pf.wal_frames, bool(master))
    scan.tables = {name: TableScan(name) for name in tables}
    scan.own_tables = {name for kind, name, _tbl, _root, _sql in master if kind == "table"}
    scan.other_tables = tuple(
        sorted(n for n in scan.own_tables - set(tables) if not n.startswith("sqlite_"))
    )
    owner: dict[int, str] = {1: MASTER}
    for shape in [*tables.values(), *indexes]:
        if shape.name in roots:
            is_table = not shape.is_index and not shape.without_rowid
            reached, broken = pf.walk(roots[shape.name], table=is_table)
            owner.update((n, shape.name) for n in reached if n not in owner)
            if not shape.is_index:
                scan.tables[shape.name].broken_pages += len(broken)
    free = pf.freelist()
    scan.free_pages = len(free)
    orphans: list[tuple[int, list[Cell], int, bool]] = []  # page, cells, bad cells, table leaf
    by_rowid: dict[str, dict[int, Row]] = {name: {} for name in tables}
    not_btree: list[int] = []
    for number in range(1, pf.page_count + 1):
        page = pf.page(number) if number not in free else None
        if page is None:
            not_btree.append(number)
            continue
        name = owner.get(number)
        if page.kind is PageType.TABLE_INTERIOR or (name is not None and name not in scan.tables):
            continue  # no rows here, or a known index's page (indexes are rebuilt)
        cells = list(pf.cells(page))
        good = [c for c in cells if isinstance(c, Cell)]
        bad = len(cells) - len(good)
        if name is None:
            if page.kind is PageType.INDEX_INTERIOR and not good:
                continue
            orphans.append((number, good, bad, page.kind is PageType.TABLE_LEAF))
        else:
            _take(scan.tables[name], tables[name], good, bad, True, by_rowid[name])
    scan.unreadable_pages = sum(1 for n in not_btree if n not in free and n not in pf.overflow)
    # Rowid tables first: index pages are then told apart by the rows already found.
    for _number, good, bad, table_leaf in sorted(orphans, key=lambda o: not o[3]):
        if table_leaf:
            candidates = [*[s for s in tables.values() if not s.without_rowid], MASTER_SHAPE]
        else:
            candidates = [*[s for s in tables.values() if s.without_rowid], *indexes]
        best, _count = _best(good, candidates)
        tables_fit = [s for s in best if not s.is_index and s is not MASTER_SHAPE]
        index_fit = [s for s in best if s.is_index or s is MASTER_SHAPE]
        if index_fit and (
            not tables_fit or any(_index_matches(s, good, by_rowid) for s in index_fit)
        ):
            continue  # an index page (or sqlite_master): nothing to salvage
        if len(tables_fit) != 1:
            if good:
                scan.unattributed_pages += 1
                scan.unattributed_rows += len(good) + bad
            continue
        shape = tables_fit[0]
        _take(scan.tables[shape.name], shape, good, bad, False, by_rowid[shape.name])
    return scan


def _take(
    into: TableScan,
    shape: Shape,
    cells: list[Cell],
    bad: int,
    reached: bool,
    by_rowid: dict[int, Row],
) -> None:
    into.pages += 1
    into.skipped += bad
    for cell in cells:
        if shape.fits(cell.values, exact=not reached):
            row = _to_row(shape, cell, reached)
            into.rows.append(row)
            if row.rowid is not None:
                by_rowid.setdefault(row.rowid, row)
        else:
            into.skipped += 1
