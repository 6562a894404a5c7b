"""Identity of ledger rows: one row per user, found through ``target_keys``.

A target starts under the key it was listed with (``id:<digits>`` or
``sn:<lower handle>``). When a lookup reveals the user id, :func:`resolve_identity`
gives the row its ``id:`` and ``sn:`` keys; if another row already stands for the
same user, the two are merged so the runbook's duplicate query stays empty.
"""

from __future__ import annotations

import sqlite3

from ..errors import StoreError
from ..inputs.normalize import handle_key, id_key
from ..messages import msg
from .db import joined, transaction, utc_now_iso
from .models import STATUS_RANK


def _status_of(conn: sqlite3.Connection, row_id: int) -> tuple[str, str | None] | None:
    found = conn.execute(
        "SELECT status, user_id FROM block_history WHERE id = ?", (row_id,)
    ).fetchone()
    return None if found is None else (str(found[0]), found[1])


_MERGED_COLUMNS = (
    "user_id",
    "screen_name",
    "user_status",
    "protected",
    "block_sent_at",
    "created_at",
    "blocked_at",
    "checked_at",
)


def _earliest(x: str | None, y: str | None) -> str | None:
    return min((v for v in (x, y) if v is not None), default=None)


def _latest(x: str | None, y: str | None) -> str | None:
    return max((v for v in (x, y) if v is not None), default=None)


def merge_rows(
    conn: sqlite3.Connection, a: int, b: int, merged: dict[int, int] | None = None
) -> int:
    """Merge two rows of the same user; return the survivor's id. Call inside a transaction.

    The survivor is the row further along (blocked > skipped > failed > pending; on a tie
    the older row) and keeps its state, reason and error fields. It also keeps the earliest
    ``block_sent_at``/``created_at``, any ``blocked_at``, the latest ``checked_at``, and
    takes every key and attempt of the other row, which is deleted (and noted in
    ``merged`` as dropped id -> survivor id).
    """
    first, second = _status_of(conn, a), _status_of(conn, b)
    if first is None or second is None:
        raise StoreError(msg("store.no_row", row_id=a if first is None else b))
    rank_a, rank_b = STATUS_RANK[first[0]], STATUS_RANK[second[0]]
    keep, drop = (a, b) if (rank_a, -a) >= (rank_b, -b) else (b, a)
    cols = ", ".join(_MERGED_COLUMNS)
    kept = conn.execute(f"SELECT {cols} FROM block_history WHERE id = ?", (keep,)).fetchone()
    other = conn.execute(f"SELECT {cols} FROM block_history WHERE id = ?", (drop,)).fetchone()
    k, o = (
        dict(zip(_MERGED_COLUMNS, kept, strict=True)),
        dict(zip(_MERGED_COLUMNS, other, strict=True)),
    )
    conn.execute("UPDATE target_keys SET history_id = ? WHERE history_id = ?", (keep, drop))
    conn.execute("UPDATE attempts SET history_id = ? WHERE history_id = ?", (keep, drop))
    conn.execute("DELETE FROM block_history WHERE id = ?", (drop,))
    if merged is not None:
        merged[drop] = keep
    conn.execute(
        """UPDATE block_history SET user_id = ?, screen_name = ?, user_status = ?, protected = ?,
             block_sent_at = ?, created_at = ?, blocked_at = ?, checked_at = ?, updated_at = ?
           WHERE id = ?""",
        (
            k["user_id"] if k["user_id"] is not None else o["user_id"],
            k["screen_name"] if k["screen_name"] is not None else o["screen_name"],
            k["user_status"] if k["user_status"] is not None else o["user_status"],
            max(int(k["protected"]), int(o["protected"])),
            _earliest(k["block_sent_at"], o["block_sent_at"]),
            _earliest(k["created_at"], o["created_at"]),
            k["blocked_at"] if k["blocked_at"] is not None else o["blocked_at"],
            _latest(k["checked_at"], o["checked_at"]),
            utc_now_iso(),
            keep,
        ),
    )
    return keep


def _point_key(conn: sqlite3.Connection, key: str, row_id: int) -> None:
    conn.execute(
        "INSERT INTO target_keys(key, history_id) VALUES (?, ?)"
        " ON CONFLICT(key) DO UPDATE SET history_id = excluded.history_id",
        (key, row_id),
    )


def resolve_identity(
    conn: sqlite3.Connection,
    row_id: int,
    user_id: str,
    screen_name: str | None,
    merged: dict[int, int] | None = None,
    *,
    join: bool = False,
) -> int:
    """Record that row ``row_id`` is user ``user_id`` (now called ``screen_name``).

    Merges with the row that already holds ``user_id``, and with an id-less row that
    was listed under the same handle; repoints the ``sn:`` key of the handle to this
    user (handles move between accounts: the latest lookup wins). One transaction;
    returns the id of the surviving row. A ``row_id`` already merged away (an earlier
    call merged it into the row of this user) resolves to that row. ``join``: inside the
    caller's transaction without a savepoint (``db.joined``: the caller lets a failure end it).
    """
    user_id = str(user_id)
    now = utc_now_iso()
    with joined(conn) if join else transaction(conn):
        # One statement for the row's state, the other row holding ``user_id`` and the row
        # the handle's key points to (with its user id); the last is read again below only
        # if a merge or an insert changed the rows in between.
        sn_key = handle_key(screen_name) if screen_name else None
        row = conn.execute(
            "SELECT b.status, b.user_id,"
            " (SELECT id FROM block_history WHERE user_id = ?1 AND id != ?2 LIMIT 1),"
            " ob.id, ob.user_id, b.screen_name"
            " FROM block_history b LEFT JOIN target_keys o ON o.key = ?3"
            " LEFT JOIN block_history ob ON ob.id = o.history_id WHERE b.id = ?2",
            (user_id, row_id, sn_key),
        ).fetchone()
        if row is None:
            found = conn.execute(
                "SELECT id FROM block_history WHERE user_id = ?", (user_id,)
            ).fetchone()
            if found is None:
                raise StoreError(msg("store.no_row", row_id=row_id))
            return int(found[0])
        current: tuple[str, str | None] = (str(row[0]), row[1])
        holder = row[2]
        owner = None if row[3] is None else (row[3], row[4])
        wrote = True
        if current[1] is not None and current[1] != user_id:
            # This row already is another user (its handle now belongs to someone else):
            # leave it untouched; the handle key moves to the row of the new user.
            if holder is not None:
                survivor, wrote = int(holder), False
            else:
                survivor = int(
                    conn.execute(
                        "INSERT INTO block_history(user_id, screen_name, created_at, updated_at)"
                        " VALUES (?, ?, ?, ?) RETURNING id",
                        (user_id, screen_name, now, now),
                    ).fetchone()[0]
                )
        elif holder is not None:
            survivor = merge_rows(conn, row_id, int(holder), merged)
        else:
            survivor, wrote = row_id, False
        as_read = survivor == row_id and not wrote  # nothing merged or added: ``row`` holds
        if sn_key is not None:
            if wrote:
                owner = conn.execute(
                    "SELECT k.history_id, b.user_id FROM target_keys k"
                    " JOIN block_history b ON b.id = k.history_id WHERE k.key = ?",
                    (sn_key,),
                ).fetchone()
            if owner is not None and int(owner[0]) != survivor and owner[1] in (None, user_id):
                survivor = merge_rows(conn, survivor, int(owner[0]), merged)
                as_read = False
        # Columns whose value stays are left out: an indexed column written with its own value
        # still costs its index an update (a lookup resolves a handle per target).
        if as_read and (screen_name is None or screen_name == row[5]):
            if current[1] == user_id:
                conn.execute(
                    "UPDATE block_history SET updated_at = ? WHERE id = ?", (now, survivor)
                )
            else:
                conn.execute(
                    "UPDATE block_history SET user_id = ?, updated_at = ? WHERE id = ?",
                    (user_id, now, survivor),
                )
        else:
            conn.execute(
                "UPDATE block_history SET user_id = ?, screen_name = COALESCE(?, screen_name),"
                " updated_at = ? WHERE id = ?",
                (user_id, screen_name, now, survivor),
            )
        if as_read and owner is not None and int(owner[0]) == survivor:
            _point_key(conn, id_key(user_id), survivor)  # the handle's key is this row's already
        elif sn_key is not None:  # both keys in one statement (``_point_key`` for two)
            conn.execute(
                "INSERT INTO target_keys(key, history_id) VALUES (?, ?), (?, ?)"
                " ON CONFLICT(key) DO UPDATE SET history_id = excluded.history_id",
                (id_key(user_id), survivor, sn_key, survivor),
            )
        else:
            _point_key(conn, id_key(user_id), survivor)
    return survivor


def rebuild_keys(conn: sqlite3.Connection) -> int:
    """Give every ledger row its ``id:``/``sn:`` keys where they were lost; returns how many.

    A resume finds targets by these keys: without them it would add a second row for
    a user whose row was salvaged. Keys that survived (and may point elsewhere, after
    a rename) are kept.
    """
    before = conn.total_changes
    conn.execute(
        "INSERT OR IGNORE INTO target_keys(key, history_id)"
        " SELECT 'id:' || user_id, id FROM block_history WHERE user_id IS NOT NULL"
        " ORDER BY status = 'pending', updated_at DESC"
    )
    conn.execute(
        "INSERT OR IGNORE INTO target_keys(key, history_id)"
        " SELECT 'sn:' || lower(trim(screen_name)), id FROM block_history"
        " WHERE screen_name IS NOT NULL AND trim(screen_name) != ''"
        " ORDER BY status = 'pending', updated_at DESC"
    )
    return conn.total_changes - before
