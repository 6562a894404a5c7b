"""``python -m bench [S1 ... S6] [--quick] [--handles N] [--window-seconds W] [--work-dir D]``."""

from __future__ import annotations

import argparse
import compileall
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path

from .accounts import s8
from .chain import s7
from .emulator import BenchError
from .local import s4, s5
from .measure import code_commit
from .report import write_report
from .results import ScenarioResult, load_results, write_result
from .scenarios import s1_s3, s2, s6
from .settings import BENCH_DIR, SCENARIOS, Settings


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench",
        description="Run the issue-4 benchmark scenarios and write bench/results + RESULTS.md.",
    )
    parser.add_argument(
        "scenarios",
        nargs="*",
        metavar="SCENARIO",
        help=f"any of {' '.join(SCENARIOS)} (default: all)",
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help="a tenth of every size, results under bench/work/quick/",
    )
    parser.add_argument(
        "--handles",
        type=int,
        default=None,
        help="list size for S1/S2/S3/S6 (S4 10x, S5 100x): a reduced run",
    )
    parser.add_argument(
        "--window-seconds", type=float, default=None, help="the emulator's shortened rate window"
    )
    parser.add_argument(
        "--work-dir",
        type=Path,
        default=None,
        help="scratch directory (results and RESULTS.md go under it too)",
    )
    args = parser.parse_args(list(argv))
    wanted = [s.upper() for s in args.scenarios]
    unknown = [s for s in wanted if s not in SCENARIOS]
    if unknown:
        parser.error(f"unknown scenario(s): {' '.join(unknown)}; choose from {' '.join(SCENARIOS)}")
    args.scenarios = wanted or list(SCENARIOS)
    return args


def run(settings: Settings, wanted: Sequence[str]) -> list[ScenarioResult]:
    results: list[ScenarioResult] = []

    def keep(found: Sequence[ScenarioResult]) -> None:
        for result in found:
            path = write_result(result, settings.results_dir)
            verdict = "PASS" if result.passed else "FAIL"
            print(
                f"{result.scenario}: {verdict}  wall {result.wall_seconds:.2f} s  -> {path}",
                flush=True,
            )
            for criterion in result.criteria:
                if not criterion.passed:
                    print(
                        f"    failed: {criterion.name} = {criterion.value} "
                        f"(needs {criterion.op} {criterion.limit})",
                        flush=True,
                    )
            results.append(result)

    steps: list[tuple[str, Callable[[], list[ScenarioResult]]]] = [
        ("S1", lambda: s1_s3(settings, want_s1="S1" in wanted, want_s3="S3" in wanted)),
        ("S2", lambda: [s2(settings)]),
        ("S4", lambda: [s4(settings)]),
        ("S5", lambda: [s5(settings)]),
        ("S6", lambda: [s6(settings)]),
        ("S7", lambda: [s7(settings)]),
        ("S8", lambda: [s8(settings)]),
    ]
    for name, step in steps:
        if name in wanted or (name == "S1" and "S3" in wanted):
            label = "S1/S3" if name == "S1" else name
            print(f"{label}: running ...", flush=True)
            started = time.monotonic()
            keep(step())
            print(f"{label}: took {time.monotonic() - started:.1f} s in all", flush=True)
    return results


def precompile() -> None:
    """Byte-compile the package, as installing it does: the client then starts as an installed
    one would, also where the environment writes no bytecode (PYTHONDONTWRITEBYTECODE), which
    otherwise recompiles every module on every client start and counts that as client CPU."""
    compileall.compile_dir(BENCH_DIR.parent / "twitter_blocker", quiet=1)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    # Any non-standard size is a reduced run: it never overwrites bench/results.
    reduced = args.quick or args.handles is not None
    settings = Settings.reduced() if reduced else Settings.full()
    settings = settings.with_overrides(
        work_dir=args.work_dir, handles=args.handles, window_seconds=args.window_seconds
    )
    settings = replace(settings, code_commit=code_commit(BENCH_DIR.parent))
    settings.work_dir.mkdir(parents=True, exist_ok=True)
    precompile()
    try:
        results = run(settings, args.scenarios)
    except BenchError as exc:
        print(f"bench: {exc}", file=sys.stderr)
        return 1
    report = write_report(load_results(settings.results_dir), settings.report_path)
    print(f"report: {report}")
    return 0 if all(r.passed for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
