"""The benchmark harness: its figures, its report, and a tiny real run of S1/S3/S5.

The real run starts the emulator and the CLI as subprocesses exactly as ``make bench`` does,
with a few hundred targets and a two-second window, all under ``tmp_path``. It checks what
must hold at any size (no 429, no unneeded or repeated block, the database equals the truth,
the result files and the report are written); it asserts no timing.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.figures import audit_blocks, needs_from_truth, observe, windows_used  # noqa: E402
from bench.measure import run_measured  # noqa: E402
from bench.report import render  # noqa: E402
from bench.results import at_most, under  # noqa: E402
from bench.targets_file import write_target_file  # noqa: E402

VIEWER = "1"

TRUTH: dict[str, Any] = {
    "viewer": {"user_id": VIEWER, "screen_name": "me"},
    "targets": [
        {
            "identifier": "Alice",
            "user_id": "10",
            "expected": "blocked",
            "expected_by_id": "blocked",
        },
        {"identifier": "bob", "user_id": "11", "expected": "already_blocked"},
        {"identifier": "carol", "user_id": "12", "expected": "skipped_following"},
        {
            "identifier": "oldname",
            "user_id": "13",
            "expected": "not_found",
            "expected_by_id": "blocked",
        },
        {"identifier": "ghost", "user_id": None, "expected": "not_found"},
    ],
}


def state(
    calls: dict[str, dict[str, int]], windows: dict[str, int], block_calls: dict[str, int]
) -> dict[str, Any]:
    return {
        "calls": calls,
        "windows": {VIEWER: windows},
        "accounts": {VIEWER: {"blocked": [], "block_calls": block_calls}},
    }


def test_needs_by_handle_and_by_id_follow_the_truth_and_the_limits() -> None:
    limits = {"limits": {"blocks/create": 2, "UsersByScreenNames": 50, "UsersByRestIds": 150}}
    by_handle = needs_from_truth(TRUTH, limits, by_id=False)
    assert (by_handle.targets, by_handle.blocks_needed, by_handle.lookup_calls_needed) == (5, 1, 1)
    assert by_handle.lookup_operation == "UsersByScreenNames"
    assert by_handle.ideal_windows == 1
    by_id = needs_from_truth(TRUTH, limits, by_id=True)
    # the renamed handle is blocked by id; the never-existed user is not on the id list
    assert (by_id.targets, by_id.blocks_needed, by_id.lookup_operation) == (4, 2, "UsersByRestIds")
    assert by_id.ideal_windows == 1
    tight = needs_from_truth(TRUTH, {"limits": {"blocks/create": 1}}, by_id=True)
    assert tight.ideal_windows == 2  # blocks, not lookups, set the pace


def test_observe_takes_the_difference_between_two_snapshots() -> None:
    before = state({"blocks/create": {"200": 3}}, {"blocks/create": 1}, {"10": 1})
    after = state(
        {"blocks/create": {"200": 5, "429": 1}, "UsersByScreenNames": {"200": 2}},
        {"blocks/create": 3, "UsersByScreenNames": 1},
        {"10": 2, "12": 1},
    )
    seen = observe(before, after, VIEWER)
    assert seen.calls == {"blocks/create": 3, "UsersByScreenNames": 2}
    assert seen.rate_limited == 1
    assert seen.windows == {"blocks/create": 2, "UsersByScreenNames": 1}
    assert seen.block_calls == {"10": 1, "12": 1}
    assert seen.total_calls == 5


def test_audit_counts_unneeded_and_repeated_blocks_per_list() -> None:
    after = state({}, {}, {"10": 2, "11": 1, "13": 1})
    seen = observe(state({}, {}, {}), after, VIEWER)
    by_handle = audit_blocks(seen, TRUTH, by_id=False)
    assert (by_handle.unneeded, by_handle.repeated) == (2, 1)  # 11 already blocked, 13 renamed
    assert set(by_handle.unneeded_sample) == {"11", "13"}
    by_id = audit_blocks(seen, TRUTH, by_id=True)
    assert (by_id.unneeded, by_id.repeated) == (1, 1)  # by id, 13 needed its block


def test_windows_used_rounds_up_and_keeps_the_fraction() -> None:
    assert windows_used(9.8, 4.9) == (2, pytest.approx(2.0))
    assert windows_used(9.9, 4.9)[0] == 3
    assert windows_used(0.2, 4.9)[0] == 1


def test_criteria_compare_with_their_operator() -> None:
    assert at_most("ratio", 1.05, 1.05).passed
    assert not under("wall", 5.0, 5.0).passed
    assert under("wall", 4.99, 5.0).passed


def test_target_file_is_deterministic_and_counts_its_lines(tmp_path: Path) -> None:
    first = write_target_file(tmp_path / "a.txt", 5_000, seed=3)
    second = write_target_file(tmp_path / "b.txt", 5_000, seed=3)
    assert (tmp_path / "a.txt").read_bytes() == (tmp_path / "b.txt").read_bytes()
    assert first == second
    lines = (tmp_path / "a.txt").read_text("utf-8").splitlines()
    assert len(lines) == 5_000
    assert first.distinct + first.duplicates + first.comments == 5_000
    assert any(line.startswith("https://") for line in lines)
    assert any(line.startswith("@") for line in lines)


def test_report_renders_every_scenario_and_flags_failures() -> None:
    base = {
        "title": "t",
        "quick": True,
        "date_utc": "2026-11-29T00:00:00Z",
        "machine": {"cores": 2, "python": "3.11", "sqlite": "3.45", "platform": "linux"},
        "targets": 10,
        "wall_seconds": 1.0,
        "client_cpu_seconds": 0.5,
        "peak_memory_mb": 50.0,
        "exit_code": 0,
    }
    ok = {
        **base,
        "scenario": "S1",
        "passed": True,
        "criteria": [at_most("429 answers", 0, 0).as_dict()],
    }
    bad = {
        **base,
        "scenario": "S4",
        "passed": False,
        "criteria": [under("wall time", 7.5, 5.0, "s").as_dict()],
    }
    text = render([ok, bad])
    assert "| S1 t |" in text and "| S4 t |" in text
    assert "**FAIL**" in text and "| S4 | wall time | 7.500 s | < 5.000 s | **no** |" in text


def test_a_child_is_measured_alone_not_with_the_harness_memory(tmp_path: Path) -> None:
    ballast = bytearray(200 * 1024 * 1024)  # the harness's peak: a direct child would inherit it
    for i in range(0, len(ballast), 4096):
        ballast[i] = 1
    m = run_measured(
        [sys.executable, "-c", "print('child ran')"], cwd=tmp_path, output=tmp_path / "out.txt"
    )
    del ballast
    assert m.exit_code == 0 and "child ran" in (tmp_path / "out.txt").read_text()
    assert 0 < m.peak_rss_mb < 100
    assert m.cpu_seconds > 0


def test_a_child_is_measured_for_the_bytes_it_writes(tmp_path: Path) -> None:
    code = "open('blob', 'wb').write(b'x' * 3_000_000)"
    m = run_measured([sys.executable, "-c", code], cwd=tmp_path, output=tmp_path / "out.txt")
    assert m.exit_code == 0
    assert m.written_bytes is not None and 3_000_000 <= m.written_bytes < 3_200_000
    assert m.disk_write_bytes is not None


def test_a_child_past_its_timeout_is_killed(tmp_path: Path) -> None:
    m = run_measured(
        [sys.executable, "-c", "import time; time.sleep(30)"],
        cwd=tmp_path,
        output=tmp_path / "out.txt",
        timeout=0.5,
    )
    assert m.exit_code == -9


def test_a_tiny_benchmark_run_end_to_end(tmp_path: Path) -> None:
    work = tmp_path / "bench"
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "bench",
            "S1",
            "S3",
            "S5",
            "--handles",
            "400",
            "--window-seconds",
            "1.9",
            "--work-dir",
            str(work),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    assert proc.returncode in (0, 1), proc.stdout + proc.stderr  # 1 = a criterion failed
    results = {p.stem: json.loads(p.read_text()) for p in (work / "results").glob("S*.json")}
    assert set(results) == {"S1", "S3", "S5"}, proc.stdout + proc.stderr
    s1, s3, s5 = results["S1"], results["S3"], results["S5"]
    assert s1["exit_code"] == 0 and s3["exit_code"] == 0, s1["notes"] + s3["notes"]
    assert s1["targets"] == 400 and s1["blocks_needed"] > 187  # needs a second window
    assert s1["rate_limited_429"] == 0
    assert s1["unneeded_block_calls"] == 0 and s1["targets_blocked_twice"] == 0
    assert s1["truth_mismatches"] == 0, s1["notes"]
    assert s1["block_calls"] == s1["blocks_needed"]
    assert s1["bytes_written_per_target"] > 0 and s1["written_bytes"] > 0
    assert s1["ideal_windows"] >= 2 and s1["windows_used"] >= s1["ideal_windows"]
    assert s3["block_calls"] == 0 and s3["truth_mismatches"] == 0
    assert s5["exit_code"] == 0 and s5["targets"] > 30_000
    report = (work / "RESULTS.md").read_text()
    assert "| S1 " in report and "| S3 " in report and "| S5 " in report
    assert "Bytes written / target" in report and "bytes written per target:" in report


def test_a_tiny_run_of_several_accounts_in_one_process(tmp_path: Path) -> None:
    """S8 small: 10 accounts x 100 targets in one client process, each checked on its own."""
    work = tmp_path / "bench"
    proc = subprocess.run(
        [sys.executable, "-m", "bench", "S8", "--handles", "500", "--window-seconds", "1.9",
         "--work-dir", str(work)],
        cwd=ROOT, capture_output=True, text=True, timeout=240, check=False,
    )  # fmt: skip
    assert proc.returncode in (0, 1), proc.stdout + proc.stderr  # 1 = a criterion failed
    s8 = json.loads((work / "results" / "S8.json").read_text())
    assert s8["exit_code"] == 0 and s8["targets"] == 1000, s8["notes"]
    assert s8["rate_limited_429"] == 0 and s8["truth_mismatches"] == 0, s8["notes"]
    assert s8["unneeded_block_calls"] == 0 and s8["targets_blocked_twice"] == 0
    assert s8["block_calls"] == s8["blocks_needed"] > 0
    assert sum(1 for note in s8["notes"] if note.startswith("account ")) == 10
