"""The end-of-run summary: what happened, why it ended, and what to do next."""

from __future__ import annotations

import click

from ..engine.outcomes import TargetOutcome
from ..engine.runtypes import RunOptions, RunReport
from ..errors import EXIT_AUTH, EXIT_OK, EXIT_RESUMABLE

ORDER = (
    TargetOutcome.BLOCKED,
    TargetOutcome.ALREADY_BLOCKED,
    TargetOutcome.SKIPPED_FOLLOWING,
    TargetOutcome.SKIPPED_FOLLOWER,
    TargetOutcome.SKIPPED_SELF,
    TargetOutcome.SKIPPED_ALLOWLISTED,
    TargetOutcome.SUSPENDED,
    TargetOutcome.NOT_FOUND,
    TargetOutcome.FAILED_TEMPORARY,
)

LABELS: dict[str, str] = {
    TargetOutcome.FAILED_TEMPORARY: "temporary failures (retried with backoff)"
}


def print_report(report: RunReport, options: RunOptions, *, fatal: bool = False) -> None:
    """The summary line, and why the run stopped. ``fatal``: the CLI prints the stop
    message itself as the final ``error:`` line, so it is not repeated here."""
    counts = {k: v for k, v in report.counts.items() if v}
    ordered = [k for k in ORDER if k in counts] + sorted(k for k in counts if k not in ORDER)
    summary = ", ".join(f"{LABELS.get(k, k.replace('_', ' '))} {counts[k]}" for k in ordered)
    if not summary:  # a stop before any decision did not find "nothing to do"
        summary = "nothing to do" if report.exit_code == EXIT_OK else "no target decided"
    title = "dry run (nothing blocked)" if options.mode == "dry_run" else "run"
    click.echo(f"{title}: {summary}; API calls {report.total_calls}", err=True)
    if options.mode == "dry_run" and report.plan:
        would = sum(1 for p in report.plan if p.action == "block")
        click.echo(f"a real run would block {would} accounts; see dry_run_report.json", err=True)
    if report.exit_code == EXIT_OK:
        return
    if report.message and not fatal:
        click.echo(f"stopped: {report.message}", err=True)
    # A session kill's message already suggests the cap; a lock's does not.
    if report.blocks_before_stop and report.exit_code != EXIT_AUTH:
        cap = max(1, report.blocks_before_stop * 8 // 10)
        click.echo(
            f"X stopped the account after {report.blocks_before_stop} blocks; consider "
            f"--max-blocks-per-hour {cap} (80% of that) once it is unlocked",
            err=True,
        )
    if report.exit_code == EXIT_RESUMABLE:
        click.echo("run the same command again to resume where it stopped", err=True)
