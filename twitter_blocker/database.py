"""The runbook's ``DatabaseManager``: a thin facade over ``store``.

The incident runbook recreates a minimal database with::

    python3 -c "
    from twitter_blocker.database import DatabaseManager
    db = DatabaseManager('block_history.db')
    db.init_database()
    "

``init_database`` creates the file with the current schema (or brings an older one
up to date; running it again changes nothing). The read helpers open one
connection per manager, kept until :meth:`close` (or the end of a ``with`` block).
"""

from __future__ import annotations

from pathlib import Path
from types import TracebackType

from .config import resolve_paths
from .inputs.normalize import fold_handle, handle_key, id_key
from .store.history import History
from .store.models import Row, Stats
from .store.stats import last_runs


class DatabaseManager:
    """``DatabaseManager(path)``; the path defaults to ``--db``'s default resolution."""

    def __init__(self, db_file: str | Path | None = None) -> None:
        self.db_file = Path(db_file) if db_file else resolve_paths().db
        self._history: History | None = None

    def __repr__(self) -> str:
        return f"DatabaseManager({str(self.db_file)!r})"

    @property
    def history(self) -> History:
        """The ledger, opened (and migrated) on first use."""
        if self._history is None:
            self._history = History.open(self.db_file)
        return self._history

    def init_database(self) -> None:
        """Create the database with the current schema, or migrate it; idempotent."""
        _ = self.history

    def get_stats(self, *, max_attempts: int = 10) -> Stats:
        """Totals by status/user_status/reason, retry candidates, errors, last run, budgets."""
        return self.history.stats(max_attempts=max_attempts)

    def count_by_status(self) -> dict[str, int]:
        """``SELECT status, COUNT(*) FROM block_history GROUP BY status``, every status present."""
        return self.history.counts()

    def get_blocked_count(self) -> int:
        return self.count_by_status()["blocked"]

    def get_permanent_failures_count(self) -> int:
        """The runbook's permanent-failure query."""
        return self.get_stats().permanent_failures

    def find_user(self, identifier: str) -> Row | None:
        """The row of ``@handle``, a handle, or a numeric user id."""
        text = fold_handle(identifier)
        if text.isdigit():
            found = self.history.find(id_key(text))
            if found is not None:
                return found
        return self.history.find(handle_key(text))

    def is_already_blocked(self, identifier: str) -> bool:
        row = self.find_user(identifier)
        return row is not None and row.status == "blocked"

    def last_run_state(self) -> str | None:
        """``done``/``interrupted``/``failed``/``running``, or ``crashed`` for a dead run."""
        runs = last_runs(self.history.conn, 1)
        return runs[0].state if runs else None

    def close(self) -> None:
        if self._history is not None:
            self._history.close()
            self._history = None

    def __enter__(self) -> DatabaseManager:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
