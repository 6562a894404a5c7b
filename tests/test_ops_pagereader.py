"""The SQLite page reader behind `db recover`, against files SQLite itself wrote."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from twitter_blocker.ops.database.pagereader import (
    BadCell,
    Cell,
    Malformed,
    PageFile,
    PageType,
    parse_record,
    read_varint,
)
from twitter_blocker.ops.database.recover import recover_database

VALUES: list[object] = [
    None,
    0,
    1,
    -1,
    127,
    -129,
    40000,
    -8388608,
    2**31,
    -(2**40),
    2**47,
    2**63 - 1,
    -(2**63),
    1.5,
    -0.0,
    "",
    "héllo ✓ 日本語",
    b"",
    b"\x00\xff\x10",
    "x" * 20000,  # spills into overflow pages
    b"\xab" * 9000,
]


def _table_cells(path: Path, table: str) -> list[Cell | BadCell]:
    conn = sqlite3.connect(path)
    root = int(
        conn.execute("SELECT rootpage FROM sqlite_master WHERE name = ?", (table,)).fetchone()[0]
    )
    conn.close()
    pf = PageFile.open(path)
    assert pf is not None
    reached, broken = pf.walk(root, table=True)
    assert not broken
    cells: list[Cell | BadCell] = []
    for number in sorted(reached):
        page = pf.page(number)
        assert page is not None
        cells += list(pf.cells(page))
    return cells


@pytest.mark.parametrize(
    ("data", "value", "size"),
    [
        (b"\x00", 0, 1),
        (b"\x7f", 127, 1),
        (b"\x81\x00", 128, 2),
        (b"\xff" * 8 + b"\xff", 2**64 - 1, 9),
        (b"\x81\x81\x01", (1 << 14) + (1 << 7) + 1, 3),
    ],
)
def test_varints(data: bytes, value: int, size: int) -> None:
    assert read_varint(data, 0) == (value, size)


def test_truncated_varint_and_record_are_malformed() -> None:
    with pytest.raises(Malformed):
        read_varint(b"\x81\x81", 0)
    with pytest.raises(Malformed):
        parse_record(b"\x02\x01")  # header says one 1-byte int, body missing
    with pytest.raises(Malformed):
        parse_record(b"\x02\x0a")  # reserved serial type


def test_every_serial_type_reads_back_as_sqlite_wrote_it(tmp_path: Path) -> None:
    db = tmp_path / "t.db"
    conn = sqlite3.connect(db)
    conn.execute("CREATE TABLE t(v)")
    conn.executemany("INSERT INTO t VALUES (?)", [(v,) for v in VALUES])
    conn.commit()
    conn.close()
    cells = _table_cells(db, "t")
    assert all(isinstance(c, Cell) for c in cells)
    by_rowid = {c.rowid: c.values[0] for c in cells if isinstance(c, Cell)}
    assert [by_rowid[n] for n in range(1, len(VALUES) + 1)] == VALUES


def test_utf16_database_text(tmp_path: Path) -> None:
    db = tmp_path / "t.db"
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA encoding = 'UTF-16be'")
    conn.execute("CREATE TABLE t(v TEXT)")
    conn.execute("INSERT INTO t VALUES ('日本語 text')")
    conn.commit()
    conn.close()
    cells = _table_cells(db, "t")
    assert [c.values for c in cells if isinstance(c, Cell)] == [("日本語 text",)]


def _ledger(path: Path, rows: int, note: str = "x") -> None:
    from twitter_blocker.store.db import connect, migrate
    from twitter_blocker.store.schema import MIGRATIONS

    conn = connect(path)
    migrate(conn, MIGRATIONS)
    conn.execute("BEGIN")
    for n in range(rows):
        conn.execute(
            "INSERT INTO block_history(user_id, screen_name, status, last_error, created_at,"
            " updated_at) VALUES (?, ?, 'blocked', ?, 'x', 'x')",
            (str(1000 + n), f"user{n}", note),
        )
    conn.execute("COMMIT")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()


@pytest.mark.parametrize("fill", [b"\xa5", b"\x00"])
def test_a_row_whose_overflow_page_is_lost_is_skipped_not_garbled(
    tmp_path: Path, fill: bytes
) -> None:
    db = tmp_path / "block_history.db"
    _ledger(db, 20, note="long " * 3000)
    conn = sqlite3.connect(db)
    overflow = [
        int(r[0])
        for r in conn.execute(
            "SELECT pageno FROM dbstat WHERE name = 'block_history' AND pagetype = 'overflow'"
        )
    ]
    conn.close()
    with db.open("r+b") as handle:
        handle.seek((overflow[-1] - 1) * 4096)  # the last page of a chain: no pointer to check
        handle.write(fill * 4096)
    result = recover_database(db, lock_file=tmp_path / "lock")
    counts = {t.table: t for t in result.tables}
    assert counts["block_history"].rows == 19
    assert counts["block_history"].skipped_rows == 1
    conn = sqlite3.connect(result.output)
    notes = {r[0] for r in conn.execute("SELECT last_error FROM block_history")}
    conn.close()
    assert notes == {"long " * 3000}


def test_rows_committed_only_in_the_wal_are_recovered(tmp_path: Path) -> None:
    live = tmp_path / "live.db"
    _ledger(live, 10)
    conn = sqlite3.connect(live, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA wal_autocheckpoint=0")
    conn.execute(
        "INSERT INTO block_history(user_id, screen_name, created_at, updated_at)"
        " VALUES ('77', 'in_wal', 'x', 'x')"
    )
    copy = tmp_path / "copy"
    copy.mkdir()
    shutil.copy(live, copy / "block_history.db")
    shutil.copy(f"{live}-wal", copy / "block_history.db-wal")
    conn.close()
    pf = PageFile.open(copy / "block_history.db")
    assert pf is not None and pf.wal_frames > 0
    result = recover_database(copy / "block_history.db", lock_file=tmp_path / "lock")
    conn = sqlite3.connect(result.output)
    names = {r[0] for r in conn.execute("SELECT screen_name FROM block_history")}
    conn.close()
    assert "in_wal" in names and len(names) == 11


def test_a_lost_header_still_gives_the_rows_back(tmp_path: Path) -> None:
    db = tmp_path / "block_history.db"
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA page_size = 1024")
    conn.execute("CREATE TABLE z(x)")  # the page size holds once something is written
    conn.execute("DROP TABLE z")
    conn.commit()
    conn.close()
    _ledger(db, 500)
    with db.open("r+b") as handle:
        handle.write(b"\x00" * 100)  # magic, page size, freelist: all gone
    pf = PageFile.open(db)
    assert pf is not None and pf.page_size == 1024 and not pf.header_ok
    result = recover_database(db, lock_file=tmp_path / "lock")
    assert result.readable and result.check.ok
    counts = {t.table: t.rows for t in result.tables}
    assert counts["block_history"] == 500


def test_page_types_of_a_real_file(tmp_path: Path) -> None:
    db = tmp_path / "block_history.db"
    _ledger(db, 300)
    pf = PageFile.open(db)
    assert pf is not None
    kinds = {page.kind for n in range(1, pf.page_count + 1) if (page := pf.page(n))}
    assert {PageType.TABLE_LEAF, PageType.TABLE_INTERIOR, PageType.INDEX_LEAF} <= kinds


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    damage=st.lists(
        st.tuples(st.integers(0, 2**20), st.binary(min_size=1, max_size=600)), max_size=12
    )
)
def test_any_damage_never_crashes_and_the_copy_always_checks_ok(
    tmp_path_factory: pytest.TempPathFactory, damage: list[tuple[int, bytes]]
) -> None:
    folder = tmp_path_factory.mktemp("fuzz")
    db = folder / "block_history.db"
    shutil.copy(_fuzz_source(tmp_path_factory), db)
    size = db.stat().st_size
    with db.open("r+b") as handle:
        for at, junk in damage:
            handle.seek(at % size)
            handle.write(junk)
    result = recover_database(db, lock_file=folder / "lock")
    assert result.check.ok or not result.readable
    if result.readable:
        conn = sqlite3.connect(result.output)
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        conn.close()


_FUZZ: dict[str, Path] = {}


def _fuzz_source(factory: pytest.TempPathFactory) -> Path:
    if "db" not in _FUZZ:
        path = factory.mktemp("fuzz-source") / "block_history.db"
        _ledger(path, 400, note="n" * 50)
        _FUZZ["db"] = path
    return _FUZZ["db"]
