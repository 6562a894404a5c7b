"""What was done to whom, by which run, from which source: table ``actions`` (migration 7).

``block_history`` keeps answering "who is blocked now": a row undone later leaves
``status = 'blocked'`` (``skipped``, reason ``unblocked`` or ``unblocked_elsewhere``), so every
runbook query on it stays true; ``actions`` keeps the whole story (docs/SCHEMA.md).

- Blocks made by a run are recorded by a trigger when a row becomes ``blocked`` with reason
  ``blocked``: the run is the one ``running`` in ``process_log`` (one run per database).
- Unblock, mute and unmute calls are written ahead (``state = 'sent'``, committed before the
  call) and completed (``done``) after X's answer, so a killed run resumes without doing a
  confirmed one twice.
- ``origin``: ``run`` (this tool's call), ``external`` (adopted by ``blocks sync``),
  ``elsewhere`` (``blocks sync`` saw the block gone from X).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum

from .db import Migration, transaction, utc_now_iso


class Act(StrEnum):
    BLOCK = "block"
    MUTE = "mute"
    UNBLOCK = "unblock"
    UNMUTE = "unmute"


UNBLOCKED = "unblocked"  # block_history.reason of a row this tool unblocked
UNBLOCKED_ELSEWHERE = "unblocked_elsewhere"  # ... of a row X no longer shows as blocked
EXTERNAL = "external"  # actions.source of a block adopted by sync

M007_ACTIONS = Migration(
    7,
    "0007_actions",
    (
        """CREATE TABLE actions(
  id INTEGER PRIMARY KEY,
  history_id INTEGER REFERENCES block_history(id) ON DELETE SET NULL,
  user_id TEXT NOT NULL,
  action TEXT NOT NULL CHECK (action IN ('block','mute','unblock','unmute')),
  state TEXT NOT NULL CHECK (state IN ('sent','done','failed')),
  origin TEXT NOT NULL DEFAULT 'run' CHECK (origin IN ('run','external','elsewhere')),
  run_id INTEGER,
  source TEXT,
  undoes_run INTEGER,
  at TEXT NOT NULL,
  done_at TEXT
)""",
        "CREATE INDEX idx_actions_run ON actions(run_id, action)",
        "CREATE INDEX idx_actions_user ON actions(user_id, action)",
        """CREATE TABLE row_sources(
  history_id INTEGER NOT NULL REFERENCES block_history(id) ON DELETE CASCADE,
  source TEXT NOT NULL,
  PRIMARY KEY(history_id, source)
) WITHOUT ROWID""",
        """CREATE TABLE list_cursors(
  kind TEXT PRIMARY KEY,
  cursor TEXT,
  read INTEGER NOT NULL DEFAULT 0,
  updated_at TEXT NOT NULL
)""",
        """CREATE TABLE list_snapshot(
  kind TEXT NOT NULL,
  user_id TEXT NOT NULL,
  screen_name TEXT,
  seq INTEGER NOT NULL,
  PRIMARY KEY(kind, user_id)
) WITHOUT ROWID""",
        """CREATE TRIGGER actions_block_of_run AFTER UPDATE OF status ON block_history
WHEN NEW.status = 'blocked' AND OLD.status != 'blocked' AND NEW.reason = 'blocked'
  AND NEW.user_id IS NOT NULL
BEGIN
  INSERT INTO actions(history_id, user_id, action, state, origin, run_id, source, at, done_at)
  VALUES (NEW.id, NEW.user_id, 'block', 'done', 'run',
          (SELECT max(id) FROM process_log WHERE status = 'running'),
          (SELECT min(source) FROM row_sources WHERE history_id = NEW.id),
          NEW.updated_at, NEW.updated_at);
END""",
    ),
)


@dataclass(frozen=True, slots=True)
class Planned:
    user_id: str
    history_id: int | None
    screen_name: str | None


def note_sources(conn: sqlite3.Connection, keys: Iterable[str], source: str) -> None:
    """Remember that the rows of ``keys`` (target keys) came from the list ``source``."""
    with transaction(conn):
        conn.executemany(
            "INSERT OR IGNORE INTO row_sources(history_id, source)"
            " SELECT history_id, ? FROM target_keys WHERE key = ?",
            ((source, k) for k in keys),
        )


def _planned(rows: Iterable[Sequence[object]]) -> list[Planned]:
    return [
        Planned(str(r[0]), int(str(r[1])) if r[1] is not None else None, _opt(r[2])) for r in rows
    ]


def _opt(value: object) -> str | None:
    return None if value is None else str(value)


def user_id_of_handle(conn: sqlite3.Connection, screen_name: str) -> str | None:
    """The user id the ledger knows for a handle (case-insensitive), if any."""
    row = conn.execute(
        "SELECT user_id FROM block_history WHERE screen_name = ? COLLATE NOCASE"
        " AND user_id IS NOT NULL",
        (screen_name,),
    ).fetchone()
    return str(row[0]) if row is not None else None


def planned(conn: sqlite3.Connection, user_id: str) -> Planned:
    """``user_id`` as a plan entry, with its ledger row and handle when the ledger has them."""
    row = conn.execute(
        "SELECT id, screen_name FROM block_history WHERE user_id = ?", (user_id,)
    ).fetchone()
    return Planned(user_id, int(row[0]) if row else None, str(row[1]) if row and row[1] else None)


# A user's block is undone when a later unblock of it is done.
_NOT_UNDONE = """NOT EXISTS (SELECT 1 FROM actions u WHERE u.user_id = a.user_id
   AND u.action = ? AND u.state = 'done' AND u.id > a.id)"""


def _done_by_runs(
    conn: sqlite3.Connection, act: Act, where: str, params: tuple[object, ...]
) -> list[tuple[object, ...]]:
    """(user_id, history_id, screen_name) of the ``act`` calls runs made that nobody undid
    since, narrowed by ``where`` (on ``actions a``), oldest first."""
    undo = Act.UNBLOCK if act is Act.BLOCK else Act.UNMUTE
    return conn.execute(
        "SELECT a.user_id, a.history_id, b.screen_name FROM actions a"
        " LEFT JOIN block_history b ON b.id = a.history_id"
        f" WHERE {where} AND a.action = ? AND a.state = 'done' AND a.origin = 'run'"
        f" AND {_NOT_UNDONE} ORDER BY a.id",
        (*params, str(act), str(undo)),
    ).fetchall()


def blocks_of_run(conn: sqlite3.Connection, run_id: int, act: Act = Act.BLOCK) -> list[Planned]:
    """The accounts run ``run_id`` blocked (or muted) itself and nobody undid since."""
    return _planned(_done_by_runs(conn, act, "a.run_id = ?", (run_id,)))


def blocks_of_source(conn: sqlite3.Connection, source: str, act: Act = Act.BLOCK) -> list[Planned]:
    """The accounts a source list brought in that this tool blocked (or muted), not undone."""
    where = (
        "(a.source = ? OR a.history_id IN (SELECT history_id FROM row_sources WHERE source = ?))"
    )
    rows = _done_by_runs(conn, act, where, (source, source))
    seen: set[str] = set()
    out = []
    for p in _planned(rows):
        if p.user_id not in seen:
            seen.add(p.user_id)
            out.append(p)
    return out


def done_since(conn: sqlite3.Connection, act: Act, user_ids: Sequence[str], after: int) -> set[str]:
    """Users with a confirmed ``act`` in an actions row newer than id ``after``."""
    found: set[str] = set()
    for uid in user_ids:
        row = conn.execute(
            "SELECT 1 FROM actions WHERE user_id = ? AND action = ? AND state = 'done'"
            " AND id > ? LIMIT 1",
            (uid, str(act), after),
        ).fetchone()
        if row is not None:
            found.add(uid)
    return found


def latest(conn: sqlite3.Connection, user_id: str, acts: Sequence[Act]) -> Act | None:
    """The latest confirmed action of ``acts`` on ``user_id``."""
    marks = ",".join("?" for _ in acts)
    row = conn.execute(
        f"SELECT action FROM actions WHERE user_id = ? AND state = 'done' AND action IN ({marks})"
        " ORDER BY id DESC LIMIT 1",
        (user_id, *(str(a) for a in acts)),
    ).fetchone()
    return Act(row[0]) if row is not None else None


def write_ahead(
    conn: sqlite3.Connection,
    p: Planned,
    act: Act,
    *,
    run_id: int,
    source: str | None = None,
    undoes_run: int | None = None,
) -> int:
    """The ``sent`` mark, committed before the call; returns the actions row id."""
    with transaction(conn):
        cur = conn.execute(
            "INSERT INTO actions(history_id, user_id, action, state, origin, run_id, source,"
            " undoes_run, at) VALUES (?, ?, ?, 'sent', 'run', ?, ?, ?, ?)",
            (p.history_id, p.user_id, str(act), run_id, source, undoes_run, utc_now_iso()),
        )
        return int(cur.lastrowid or 0)


def complete(conn: sqlite3.Connection, action_id: int, act: Act, ok: bool) -> None:
    """X answered: ``done`` (and an unblocked ledger row leaves ``blocked``) or ``failed``."""
    now = utc_now_iso()
    with transaction(conn):
        conn.execute(
            "UPDATE actions SET state = ?, done_at = ? WHERE id = ?",
            ("done" if ok else "failed", now, action_id),
        )
        if ok and act is Act.UNBLOCK:
            conn.execute(
                "UPDATE block_history SET status = 'skipped', reason = ?, updated_at = ?"
                " WHERE status = 'blocked' AND user_id ="
                " (SELECT user_id FROM actions WHERE id = ?)",
                (UNBLOCKED, now, action_id),
            )


def record_external(
    conn: sqlite3.Connection, history_id: int, user_id: str, act: Act, run_id: int
) -> None:
    """``blocks sync``: a block adopted (``external``) or seen gone (``elsewhere``)."""
    origin = "external" if act is Act.BLOCK else "elsewhere"
    now = utc_now_iso()
    conn.execute(
        "INSERT INTO actions(history_id, user_id, action, state, origin, run_id, source, at,"
        " done_at) VALUES (?, ?, ?, 'done', ?, ?, ?, ?, ?)",
        (history_id, user_id, str(act), origin, run_id, EXTERNAL, now, now),
    )


def counts(conn: sqlite3.Connection) -> dict[str, int]:
    """Confirmed actions by kind (``--stats``): block, mute, unblock, unmute."""
    rows = conn.execute(
        "SELECT action, count(*) FROM actions WHERE state = 'done' GROUP BY action"
    ).fetchall()
    return {str(a): int(n) for a, n in rows}


def undone_runs(conn: sqlite3.Connection) -> list[int]:
    """Runs an ``unblock --run`` / ``unmute --run`` undid (in part or whole)."""
    rows = conn.execute(
        "SELECT DISTINCT undoes_run FROM actions WHERE undoes_run IS NOT NULL AND state = 'done'"
        " ORDER BY undoes_run"
    ).fetchall()
    return [int(r[0]) for r in rows]


# --- reading X's list (blocks export --from-x, blocks sync): resumable page by page ---------


def read_in_progress(conn: sqlite3.Connection, kind: str) -> tuple[str | None, int]:
    """(cursor of the next page, users read) of an unfinished read; (None, 0) = start afresh."""
    row = conn.execute("SELECT cursor, read FROM list_cursors WHERE kind = ?", (kind,)).fetchone()
    if row is None or row[0] is None:
        return None, 0
    return str(row[0]), int(row[1])


def start_read(conn: sqlite3.Connection, kind: str) -> None:
    with transaction(conn):
        conn.execute("DELETE FROM list_snapshot WHERE kind = ?", (kind,))
        conn.execute("DELETE FROM list_cursors WHERE kind = ?", (kind,))


def save_page(
    conn: sqlite3.Connection,
    kind: str,
    users: Sequence[tuple[str, str | None]],
    next_cursor: str | None,
) -> int:
    """One page and the cursor after it, in one commit; returns the users read so far."""
    with transaction(conn):
        seq = int(
            conn.execute("SELECT count(*) FROM list_snapshot WHERE kind = ?", (kind,)).fetchone()[0]
        )
        conn.executemany(
            "INSERT OR IGNORE INTO list_snapshot(kind, user_id, screen_name, seq)"
            " VALUES (?, ?, ?, ?)",
            ((kind, uid, sn, seq + i) for i, (uid, sn) in enumerate(users)),
        )
        read = int(
            conn.execute("SELECT count(*) FROM list_snapshot WHERE kind = ?", (kind,)).fetchone()[0]
        )
        conn.execute(
            "INSERT INTO list_cursors(kind, cursor, read, updated_at) VALUES (?, ?, ?, ?)"
            " ON CONFLICT(kind) DO UPDATE SET cursor = excluded.cursor, read = excluded.read,"
            " updated_at = excluded.updated_at",
            (kind, next_cursor, read, utc_now_iso()),
        )
        return read


def snapshot(conn: sqlite3.Connection, kind: str) -> list[tuple[str, str | None]]:
    """The list as last read from X, in X's order: (user_id, screen_name)."""
    rows = conn.execute(
        "SELECT user_id, screen_name FROM list_snapshot WHERE kind = ? ORDER BY seq", (kind,)
    ).fetchall()
    return [(str(r[0]), _opt(r[1])) for r in rows]
