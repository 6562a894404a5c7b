"""``twitter-blocker demo`` (what ``make demo`` runs).

A temporary workspace, the emulator on a free loopback port with a shortened
rate window (limits unchanged), fixture files, a full ``--all --auto-retry`` run
with the progress bar, the stats, and a comparison with the emulator's truth.
"""

from __future__ import annotations

import json
import sys
import tempfile
import threading
import time
from pathlib import Path

import click

from ..config import resolve_paths
from ..errors import EXIT_OK, EXIT_UNEXPECTED
from ..verify import blocked_set_diff, compare_db_with_truth, doubly_blocked, expected_blocked_ids
from .console import make_console
from .errors import handle_errors
from .progress import make_progress
from .report import print_report
from .run import _install_signal_handlers
from .stats import render


@click.command()
@click.option(
    "--population",
    type=click.IntRange(min=10),
    default=600,
    show_default=True,
    help="Targets in the generated list.",
)
@click.option(
    "--window-seconds",
    type=click.FloatRange(min=1),
    default=8.0,
    show_default=True,
    help="Rate window length (X's is 900 s; limits stay X's).",
)
@click.option("--seed", type=int, default=7, show_default=True, help="Population seed.")
@click.option(
    "--faults/--no-faults",
    default=True,
    show_default=True,
    help="Inject X's everyday failures: 3% of answers 503, 1% dropped connections.",
)
@click.option(
    "--keep",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Use (and keep) this directory instead of a temporary one.",
)
@handle_errors
def demo(
    population: int, window_seconds: float, seed: int, faults: bool, keep: Path | None
) -> None:
    """Block a generated list end to end against the embedded X emulator, then check the truth."""
    from ..emulator import EmulatorConfig, start_emulator
    from ..engine.runner import execute
    from ..engine.runtypes import RunOptions
    from ..logs import setup_logging
    from ..store.history import History

    console = make_console(stderr=True)
    with tempfile.TemporaryDirectory(prefix="twitter-blocker-demo-") as tmp:
        workspace = keep or Path(tmp)
        workspace.mkdir(parents=True, exist_ok=True)
        chaos = {"error_5xx_rate": 0.03, "drop_rate": 0.01} if faults else {}
        config = EmulatorConfig(
            seed=seed, population=population, window_seconds=window_seconds, **chaos
        )
        with start_emulator(config) as emu:
            emu.write_fixture(workspace)
            truth = json.loads((workspace / "truth.json").read_text())
            console.print(
                f"[bold]X emulator[/bold] at {emu.base_url} (window {window_seconds:g} s, "
                f"X's limits: 187 blocks and 50 UsersByScreenNames calls per window"
                f"{'; 3% of answers 503, 1% dropped connections' if faults else ''})\n"
                f"workspace {workspace}: cookies.json, users.json ({len(truth['targets'])} "
                f"targets), truth.json\n"
                f"running: twitter-blocker --all --auto-retry --delay 0.01 "
                f"--api-base {emu.base_url}"
            )
            paths = resolve_paths(data_dir=workspace, env={})
            setup_logging(paths, debug=False)
            options = RunOptions(mode="main", limit=None, auto_retry=True, delay=0.01)
            stop = threading.Event()
            _install_signal_handlers(stop)
            progress = make_progress(delay=options.delay)
            started = time.monotonic()
            try:
                report = execute(paths, emu.base_url, options, progress=progress, stop=stop)
            finally:
                progress.close()
            elapsed = time.monotonic() - started
            print_report(report, options)
            state = emu.state()
        with History.open(paths.db) as history:
            render(history.stats(), make_console())
        viewer = str(truth["viewer"]["user_id"])
        account = state["accounts"].get(viewer, {})
        extra, missing = blocked_set_diff(account.get("blocked", []), expected_blocked_ids(truth))
        twice = doubly_blocked(account.get("block_calls", {}))
        comparison = compare_db_with_truth(paths.db, truth)
        console.print(
            f"finished in {elapsed:.1f} s; database checked against truth for "
            f"{comparison.checked} targets"
        )
        problems = []
        if extra or missing:
            problems.append(f"blocked set differs: {len(extra)} unexpected, {len(missing)} missing")
        if twice:
            problems.append(f"{len(twice)} targets received more than one block call")
        for mismatch in comparison.mismatches[:10]:
            problems.append(
                f"{mismatch.identifier}: expected {mismatch.expected}, found {mismatch.found}"
            )
        if problems:
            for line in problems:
                console.print(f"[red]{line}[/red]")
            sys.exit(EXIT_UNEXPECTED)
        console.print("[bold green]blocked set matches expected[/bold green]")
        sys.exit(EXIT_OK if report.exit_code == EXIT_OK else report.exit_code)
