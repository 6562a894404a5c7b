"""Crash safety: a writer killed with SIGKILL leaves a sound database with every committed row."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from twitter_blocker.store.history import History
from twitter_blocker.store.models import Status

WRITER = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from twitter_blocker.inputs.targets import Target
    from twitter_blocker.store.history import History
    from twitter_blocker.store.models import Status
    from twitter_blocker.x.models import CallRecord

    h = History.open(Path(sys.argv[1]))
    h.import_targets([Target(f"id:{n}", str(n), None, n) for n in range(1, 5001)])
    run = h.start_run("--all", 5000)
    call = CallRecord("blocks/create", 1.8e9, 0.1, 200, None, None, "ok")
    after = 0
    while rows := h.rows_to_process(100, after):
        for row in rows:
            h.mark_block_sent(row.id)
            h.add_attempts(run, [call], history_id=row.id, user_id=row.user_id)
            h.record_final(row.id, Status.BLOCKED, "active", "blocked")
            print(row.id, flush=True)  # acknowledged only after the commit
        after = rows[-1].id
    """
)

IMPORTER = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from twitter_blocker.inputs.targets import Target
    from twitter_blocker.store.history import History

    h = History.open(Path(sys.argv[1]))
    print("open", flush=True)
    h.import_targets([Target(f"id:{n}", str(n), None, n) for n in range(1, 200001)])
    print("imported", flush=True)
    """
)


def _env() -> dict[str, str]:
    root = Path(__file__).resolve().parents[1]
    env = dict(os.environ)
    env["PYTHONPATH"] = str(root) + os.pathsep + env.get("PYTHONPATH", "")
    return env


@pytest.mark.parametrize("kill_after", [1, 137, 600])
def test_sigkill_mid_run_loses_nothing_committed(tmp_path: Path, kill_after: int) -> None:
    db = tmp_path / "block_history.db"
    acknowledged: list[int] = []
    with subprocess.Popen(
        [sys.executable, "-c", WRITER, str(db)], stdout=subprocess.PIPE, text=True, env=_env()
    ) as proc:
        assert proc.stdout is not None
        try:
            for line in proc.stdout:
                acknowledged.append(int(line))
                if len(acknowledged) >= kill_after:
                    proc.send_signal(signal.SIGKILL)
                    break
        finally:
            proc.kill()
            proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    assert len(acknowledged) >= kill_after
    with History.open(db) as h:
        assert h.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert h.conn.execute("PRAGMA foreign_key_check").fetchall() == []
        for row_id in acknowledged:
            row = h.get(row_id)
            assert row is not None and row.status is Status.BLOCKED
        counts = h.counts()
        assert sum(counts.values()) == 5000
        assert counts["blocked"] >= len(acknowledged)
        attempts = h.conn.execute("SELECT count(*) FROM attempts").fetchone()[0]
        assert attempts >= len(acknowledged)
        # at most the one row in flight carries an intent without a decision
        assert h.stats().block_sent_unconfirmed <= 1
        last = h.stats().last_run
        assert last is not None and last.state == "crashed"
        # the queue resumes after the last decision
        pending = h.rows_to_process(1)
        assert pending and pending[0].id > max(acknowledged) - 1


def test_sigkill_during_an_import_leaves_all_or_nothing(tmp_path: Path) -> None:
    db = tmp_path / "block_history.db"
    with subprocess.Popen(
        [sys.executable, "-c", IMPORTER, str(db)], stdout=subprocess.PIPE, text=True, env=_env()
    ) as proc:
        assert proc.stdout is not None
        try:
            assert proc.stdout.readline().strip() == "open"
            proc.send_signal(signal.SIGKILL)  # somewhere in (or just after) the one transaction
        finally:
            proc.kill()
            proc.wait(timeout=30)
    with History.open(db) as h:
        assert h.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        total = sum(h.counts().values())
        keys = h.conn.execute("SELECT count(*) FROM target_keys").fetchone()[0]
        assert (total, keys) in {(0, 0), (200_000, 200_000)}
