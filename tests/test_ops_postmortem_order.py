"""Postmortem timeline in time order; the Japanese reports are Japanese (issue 9 item 11)."""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from twitter_blocker.cli.run import root
from twitter_blocker.emulator import Emulator
from twitter_blocker.store.history import History
from twitter_blocker.x.models import CallRecord, RateInfo

ENGLISH_CELLS = ("started", "ended", "failed call", "written", "run #", "backup `", "incident new")


@pytest.fixture
def data_dir(tmp_path: Path, emulator: Emulator) -> Path:
    emulator.write_fixture(tmp_path)
    now = time.time()
    with History.open(tmp_path / "block_history.db") as history:
        history.import_targets([])
        run_id = history.start_run("python3 main.py --all", 5)
        history.add_attempts(
            run_id,
            [CallRecord("blocks/create", now - 60, 0.1, 503, 130, "Over capacity", "transient")],
            user_id="12345",
        )
        history.end_run(
            run_id, status="interrupted", exit_code=75, end_reason="interrupted", counts={}
        )
    return tmp_path


def _invoke(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(root, list(args))
    return result.exit_code, result.output


def _timeline(text: str) -> list[list[str]]:
    rows = [line for line in text.splitlines() if re.match(r"\| \d{4}-\d\d-\d\d ", line)]
    return [[cell.strip() for cell in row.strip("|").split("|")] for row in rows]


def _new_then_later_work(data_dir: Path, base: str, lang: str) -> str:
    args = ["--data-dir", str(data_dir), "--api-base", base]
    code, out = _invoke("incident", "new", "--lang", lang, "--since", "2h", "--json", *args)
    assert code == 0, out
    time.sleep(1.1)  # the recovery happens after the report was written
    with History.open(data_dir / "block_history.db") as history:
        run_id = history.start_run("twitter-blocker recover", 1)
        history.end_run(run_id, status="done", exit_code=0, end_reason="done", counts={})
    (data_dir / "emergency_backup_20261129_114506").mkdir(mode=0o700)
    incident_id = str(json.loads(out)["incident_id"])
    code, out = _invoke("incident", "postmortem", incident_id, "--data-dir", str(data_dir))
    assert code == 0, out
    return (data_dir / "incidents" / f"{incident_id}-postmortem.md").read_text()


def test_the_timeline_is_sorted_by_time(data_dir: Path, emulator: Emulator) -> None:
    rows = _timeline(_new_then_later_work(data_dir, emulator.base_url, "en"))
    times = [row[0] for row in rows]
    assert len(rows) >= 5, rows
    assert times == sorted(times), rows
    assert any("incident new" in row[2] for row in rows)


def test_the_japanese_postmortem_has_no_english_cells(data_dir: Path, emulator: Emulator) -> None:
    text = _new_then_later_work(data_dir, emulator.base_url, "ja")
    rows = _timeline(text)
    assert len(rows) >= 5, rows
    for row in rows:
        for cell in row[1:]:
            for word in ENGLISH_CELLS:
                assert word not in cell, (word, row)
    assert [row[0] for row in rows] == sorted(row[0] for row in rows)


def test_the_incident_report_shows_no_raw_dict(data_dir: Path, emulator: Emulator) -> None:
    with History.open(data_dir / "block_history.db") as history:
        history.budgets.update("1", "blocks/create", RateInfo(187, 100, time.time() + 600))
    args = ["--data-dir", str(data_dir), "--api-base", emulator.base_url]
    code, out = _invoke("incident", "new", "--lang", "ja", "--json", *args)
    assert code == 0, out
    text = Path(json.loads(out)["path"]).read_text()
    assert "{'" not in text and "'}" not in text, text
    assert "blocks/create: 100/187" in text
    assert not re.search(r"reset \d{9,}", text), text  # a time, not raw epoch seconds
