"""End to end over loopback: lookup answers that prove nothing never become a verdict, and a
failed batch lookup is retried by the engine's batch halving, never paid for with singles."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import pytest
from test_engine_support import block_calls, db_query, mismatches, op_calls, run, workspace

from twitter_blocker.emulator import Emulator
from twitter_blocker.x.client import XClient
from twitter_blocker.x.models import LookupResult

Factory = Callable[..., Emulator]
FAST_RETRY = {"retry_base": 0.01, "retry_cap": 0.05}


@pytest.mark.parametrize("by_id", [False, True])
def test_errors_beside_empty_data_never_decide_a_target(
    emulator_factory: Factory, tmp_path: Path, by_id: bool
) -> None:
    emu = emulator_factory(population=120, errors_empty_rate=0.4)
    paths = workspace(emu, tmp_path, by_id=by_id)
    report = run(paths, emu, auto_retry=True, batch_size=20, **FAST_RETRY)
    assert report.exit_code == 0
    assert report.counts["failed_temporary"] > 0  # the partial answers really came
    assert mismatches(paths, by_id=by_id) == []
    assert max(block_calls(emu).values()) == 1
    # every permanent "gone" verdict is one the truth agrees with (checked above); and no
    # attempt that proved nothing was recorded as a success
    outcomes = {o for (o,) in db_query(paths, "SELECT DISTINCT outcome FROM attempts")}
    assert "inconclusive" in outcomes


def test_a_failed_batch_is_halved_by_the_engine_not_expanded_into_singles(
    emulator_factory: Factory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    emu = emulator_factory(population=60, overloaded_operations=["UsersByScreenNames"])
    paths = workspace(emu, tmp_path)
    sizes: list[int] = []
    real = XClient.lookup_handles

    def spy(self: XClient, handles: Sequence[str]) -> list[LookupResult]:
        sizes.append(len(handles))
        if len(sizes) == 4:  # X takes the batch operation again
            emu.set_switches(overloaded_operations=[])
        return real(self, handles)

    monkeypatch.setattr(XClient, "lookup_handles", spy)
    report = run(paths, emu, auto_retry=True, batch_size=16, **FAST_RETRY)
    assert report.exit_code == 0
    assert mismatches(paths) == []
    assert sizes[:6] == [16, 8, 4, 2, 4, 8], sizes  # halved while failing, doubled back after
    assert op_calls(emu, "UserByScreenName") <= 5  # only batch elements it cannot attribute
    rows = db_query(paths, "SELECT count(*) FROM block_history WHERE attempts > 0")
    assert rows == [(0,)]  # the halving cost no target an attempt


def test_a_target_alone_in_a_failing_batch_costs_attempts_and_then_settles(
    emulator_factory: Factory, tmp_path: Path
) -> None:
    emu = emulator_factory(population=6, overloaded_operations=["UsersByRestIds"])
    paths = workspace(emu, tmp_path, by_id=True)
    report = run(paths, emu, batch_size=4, max_attempts=2, **FAST_RETRY)
    assert report.counts["failed_temporary"] > 0
    assert op_calls(emu, "UserByRestId") == 0
    emu.set_switches(overloaded_operations=[])
    run(paths, emu, mode="retry", reset_retry=True, **FAST_RETRY)
    assert mismatches(paths, by_id=True) == []
