"""`ratelimit`: a window whose reset has passed is fresh, with its full limit (issue 9 item 14)."""

from __future__ import annotations

import json
import time
from pathlib import Path

from click.testing import CliRunner

from twitter_blocker.cli.run import root
from twitter_blocker.ops.access.ratelimit import rate_limit_report
from twitter_blocker.store.history import History
from twitter_blocker.x.models import RateInfo


def _db(folder: Path, now: float) -> Path:
    db = folder / "block_history.db"
    with History.open(db) as history:
        budgets = history.budgets
        budgets.update("42", "blocks/create", RateInfo(limit=187, remaining=0, reset=now - 120))
        budgets.update("42", "UsersByRestIds", RateInfo(limit=150, remaining=3, reset=now + 300))
    return db


def test_a_reset_window_is_fresh_with_its_full_limit(tmp_path: Path) -> None:
    now = time.time()
    report = rate_limit_report(_db(tmp_path, now), now=now)
    ops = {op.operation: op for op in report.operations}
    reset = ops["blocks/create"]
    assert reset.fresh and not reset.exhausted
    assert reset.remaining == 187 and reset.seconds_to_reset(now) is None
    current = ops["UsersByRestIds"]
    assert not current.fresh and current.remaining == 3
    assert report.wait_until is None


def test_the_command_shows_a_reset_window_as_fresh(tmp_path: Path) -> None:
    _db(tmp_path, time.time())
    out = CliRunner().invoke(root, ["ratelimit", "--data-dir", str(tmp_path)]).output
    line = next(text for text in out.splitlines() if text.startswith("blocks/create"))
    assert "fresh" in line and "remaining   187" in line, out
    assert "in 0s" not in out
    other = next(text for text in out.splitlines() if text.startswith("UsersByRestIds"))
    assert "remaining     3" in other and "fresh" not in other
    data = json.loads(
        CliRunner().invoke(root, ["ratelimit", "--json", "--data-dir", str(tmp_path)]).output
    )
    fresh = next(op for op in data["operations"] if op["operation"] == "blocks/create")
    assert fresh["fresh"] is True and fresh["remaining"] == 187


def test_diagnose_shows_a_reset_window_as_fresh(tmp_path: Path) -> None:
    _db(tmp_path, time.time())
    args = ["diagnose", "--data-dir", str(tmp_path), "--api-base", "http://127.0.0.1:9"]
    out = CliRunner().invoke(root, [*args, "--probe-timeout", "1"]).output
    line = next(text for text in out.splitlines() if "blocks/create:" in text)
    assert "187/187" in line and "fresh" in line, out
