"""The state of one ``collect``: the next cursor and every account collected, in one SQLite file.

Each page is one transaction (new accounts + the cursor that follows them), so a collect killed
at any instant resumes at the page after the last one committed: no gap, no duplicate. The
output file is derived from this state (rewritten whole on resume, appended per page).
"""

from __future__ import annotations

import csv
import io
import json
import os
import sqlite3
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE IF NOT EXISTS collected (
    seq INTEGER PRIMARY KEY,
    user_id TEXT NOT NULL UNIQUE,
    screen_name TEXT NOT NULL,
    source TEXT NOT NULL,
    verified INTEGER NOT NULL DEFAULT 0
);
"""


@dataclass(frozen=True, slots=True)
class Progress:
    source: str
    cursor: str | None  # the cursor of the next page to ask for; None: the first page
    sent: str | None  # the cursor last sent (a repeat of it ends the list)
    empty_streak: int
    pages: int
    count: int
    end_reason: str | None  # set once the list has ended


class CollectState:
    def __init__(self, path: Path | None, source: str) -> None:
        self._db = sqlite3.connect(":memory:" if path is None else str(path), isolation_level=None)
        if path is not None:
            os.chmod(path, 0o600)
        self._db.executescript(_SCHEMA)
        self._db.execute("PRAGMA synchronous=FULL")
        stored = self._meta("source")
        if stored is None:
            self._set({"source": source})
        self.matches = stored is None or stored == source
        self.stored_source = stored or source

    def close(self) -> None:
        self._db.close()

    def _meta(self, key: str) -> str | None:
        row = self._db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row[0]) if row[0] is not None else None

    def _set(self, values: dict[str, str | None]) -> None:
        self._db.executemany(
            "INSERT INTO meta (key, value) VALUES (?, ?)"
            " ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            list(values.items()),
        )

    def progress(self) -> Progress:
        (count,) = self._db.execute("SELECT COUNT(*) FROM collected").fetchone()
        return Progress(
            source=self.stored_source,
            cursor=self._meta("cursor"),
            sent=self._meta("sent"),
            empty_streak=int(self._meta("empty_streak") or 0),
            pages=int(self._meta("pages") or 0),
            count=int(count),
            end_reason=self._meta("end_reason"),
        )

    def add_page(
        self,
        users: Iterable[tuple[str, str]],
        *,
        sent: str | None,
        cursor: str | None,
        empty_streak: int,
        end_reason: str | None,
        limit: int | None = None,
        verified: frozenset[str] = frozenset(),
    ) -> list[tuple[str, str]]:
        """Store one page atomically; return the accounts new to this collect, in page order."""
        db = self._db
        db.execute("BEGIN IMMEDIATE")
        try:
            (count,) = db.execute("SELECT COUNT(*) FROM collected").fetchone()
            added: list[tuple[str, str]] = []
            for user_id, screen_name in users:
                if limit is not None and count + len(added) >= limit:
                    break
                cur = db.execute(
                    "INSERT OR IGNORE INTO collected (user_id, screen_name, source, verified)"
                    " VALUES (?, ?, ?, ?)",
                    (user_id, screen_name, self.stored_source, int(user_id in verified)),
                )
                if cur.rowcount:
                    added.append((user_id, screen_name))
            pages = int(self._meta("pages") or 0) + 1
            self._set(
                {
                    "cursor": cursor,
                    "sent": sent,
                    "empty_streak": str(empty_streak),
                    "pages": str(pages),
                    "end_reason": end_reason,
                }
            )
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
        return added

    def finish(self, end_reason: str) -> None:
        self._set({"end_reason": end_reason})

    def rows(self) -> Iterator[tuple[str, str, str]]:
        yield from self._db.execute(
            "SELECT user_id, screen_name, source FROM collected ORDER BY seq"
        )

    def accounts(self) -> Iterator[tuple[str, str, bool]]:
        """(user id, handle, verified) of everything collected, in order."""
        for uid, handle, verified in self._db.execute(
            "SELECT user_id, screen_name, verified FROM collected ORDER BY seq"
        ):
            yield str(uid), str(handle), bool(verified)


class OutputFile:
    """The collected list as a file: CSV appended per page; JSON (the runbook's target-list
    object) rewritten whole through a temporary file, so the file is always complete."""

    def __init__(self, path: Path, fmt: str) -> None:
        self.path = path
        self.fmt = fmt
        self._ids: list[str] = []

    def rewrite(self, rows: Iterable[tuple[str, str, str]]) -> None:
        rows = list(rows)
        self._ids = [r[0] for r in rows]
        if self.fmt == "csv":
            buf = io.StringIO()
            writer = csv.writer(buf, lineterminator="\n")
            writer.writerow(("user_id", "screen_name", "source"))
            writer.writerows(rows)
            self._replace(buf.getvalue())
        else:
            self._write_json()

    def append(self, rows: list[tuple[str, str, str]]) -> None:
        if not rows:
            return
        self._ids.extend(r[0] for r in rows)
        if self.fmt == "csv":
            buf = io.StringIO()
            csv.writer(buf, lineterminator="\n").writerows(rows)
            with open(self.path, "a", encoding="utf-8") as fh:
                fh.write(buf.getvalue())
                fh.flush()
                os.fsync(fh.fileno())
        else:
            self._write_json()

    def _write_json(self) -> None:
        body = json.dumps({"format": "user_id", "users": self._ids}, indent=1)
        self._replace(body + "\n")

    def _replace(self, text: str) -> None:
        tmp = self.path.with_name(self.path.name + ".tmp")
        with open(tmp, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, self.path)
