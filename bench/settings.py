"""Sizes, windows and directories of one benchmark session."""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
SCENARIOS = ("S1", "S2", "S3", "S4", "S5", "S6", "S7", "S8")


@dataclass(frozen=True, slots=True)
class Settings:
    """``handles``: size of the S1/S2/S3/S6 lists; ``final_targets``: S4; ``file_lines``: S5.

    ``window_seconds`` shortens X's 15-minute window (limits unchanged). The emulator ends a
    window at the whole second ``ceil(first request + window)``, so a window a hair under a
    whole number of seconds lasts that whole number once a client sends right at the reset,
    and the measured ratio is not inflated by the rounding (see bench/README.md).
    """

    work_dir: Path
    results_dir: Path
    report_path: Path
    quick: bool = False
    handles: int = 10_000
    final_targets: int = 100_000
    file_lines: int = 1_000_000
    window_seconds: float = 4.9
    seed: int = 1
    client_timeout: float = 1800.0
    code_commit: str = ""  # the commit the session started from (see measure.code_commit)

    @classmethod
    def full(cls) -> Settings:
        return cls(
            work_dir=BENCH_DIR / "work",
            results_dir=BENCH_DIR / "results",
            report_path=BENCH_DIR / "RESULTS.md",
        )

    @classmethod
    def reduced(cls) -> Settings:
        """``--quick``: a tenth of every size; results kept apart from the committed ones."""
        work = BENCH_DIR / "work" / "quick"
        return cls(
            work_dir=work,
            results_dir=work / "results",
            report_path=work / "RESULTS.md",
            quick=True,
            handles=1_000,
            final_targets=10_000,
            file_lines=100_000,
            window_seconds=2.9,
        )

    def with_overrides(
        self,
        *,
        work_dir: Path | None = None,
        results_dir: Path | None = None,
        handles: int | None = None,
        window_seconds: float | None = None,
    ) -> Settings:
        out = self
        if work_dir is not None:
            out = replace(
                out,
                work_dir=work_dir,
                results_dir=work_dir / "results",
                report_path=work_dir / "RESULTS.md",
            )
        if results_dir is not None:
            out = replace(out, results_dir=results_dir, report_path=results_dir / "RESULTS.md")
        if handles is not None:
            out = replace(
                out,
                handles=handles,
                final_targets=handles * 10,
                file_lines=handles * 100,
                quick=True,
            )
        if window_seconds is not None:
            out = replace(out, window_seconds=window_seconds)
        return out
