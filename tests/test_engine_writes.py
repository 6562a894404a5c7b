"""Write amplification: one commit before every block call, everything else batched into it.

The ledger's promise (a kill -9 at any instant loses nothing and sends no block twice) needs
exactly one commit before each block call: ``block_sent_at`` written ahead. The block's
answer does not need its own commit: a crash before the next commit leaves ``block_sent_at``
set, and the resume looks that row up again before anything else (tests/test_cli_exits.py
kills runs mid-block). So the answer rides along with the next commit, halving the commits
(and the WAL pages written) of a run that mostly blocks. ``make bench`` reports the bytes.
"""

from __future__ import annotations

import sqlite3
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from test_engine_support import db_query, mismatches, run, workspace

import twitter_blocker.store.history as history_module
from twitter_blocker.emulator import Emulator

Factory = Callable[..., Emulator]


def _count_commits(monkeypatch: pytest.MonkeyPatch) -> Counter[str]:
    """COMMITs per database file name, on every ledger connection opened from now on."""
    commits: Counter[str] = Counter()
    real = history_module.connect

    def traced(path: Path | str, **kwargs: Any) -> sqlite3.Connection:
        conn = real(path, **kwargs)
        name = Path(path).name

        def trace(sql: str) -> None:
            if sql.strip().upper() == "COMMIT":
                commits[name] += 1

        conn.set_trace_callback(trace)
        return conn

    monkeypatch.setattr(history_module, "connect", traced)
    return commits


def test_a_run_commits_about_once_per_block_call(
    emulator_factory: Factory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    emu = emulator_factory(population=150)
    paths = workspace(emu, tmp_path)
    commits = _count_commits(monkeypatch)
    report = run(paths, emu, auto_retry=True)
    assert (report.end_reason, report.exit_code) == ("done", 0)
    assert mismatches(paths) == []
    blocks = report.api_calls["blocks/create"]
    assert blocks > 50
    lookups = sum(n for op, n in report.api_calls.items() if op != "blocks/create")
    # schema, import, process_log start/end and the last flush: a handful; then one commit
    # per block call and at most one per lookup answer. Before batching: two per block call.
    assert commits["block_history.db"] <= blocks + lookups + 12, (commits, report.api_calls)
    assert commits["block_history.db"] < 1.5 * blocks, (commits, report.api_calls)
    # the attempt log is batched, not dropped: every call is in it at the end
    logged = db_query(paths, "SELECT count(*) FROM attempts")[0][0]
    assert logged == sum(report.api_calls.values())
