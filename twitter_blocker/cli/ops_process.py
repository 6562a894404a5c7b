"""`twitter-blocker stop` and `twitter-blocker recover` (runbook 緊急停止, 段階的復旧)."""

from __future__ import annotations

import sys

import click

from ..config import Paths
from ..errors import EXIT_OK, EXIT_UNEXPECTED
from ..messages import msg
from ..ops.diagnosis.diagnose import quick_state
from ..ops.diagnosis.facts import disk_fact, memory_fact
from ..ops.processes.recover import RecoverResult
from ..ops.processes.recover import recover as run_recovery
from ..ops.processes.stop import StopOutcome, StopResult, stop_run
from .errors import handle_errors
from .options import api_base_option, echo_json, json_option, path_options


def _print_stop(result: StopResult, paths: Paths) -> None:
    if result.outcome is StopOutcome.NOT_RUNNING:
        click.echo(msg("ops.stop.not_running", lock=paths.lock_file.name))
    elif result.outcome is StopOutcome.STOPPED:
        click.echo(msg("ops.stop.stopped", pid=result.pid, seconds=result.waited_seconds))
    elif result.outcome is StopOutcome.KILLED:
        click.echo(msg("ops.stop.killed", pid=result.pid, timeout=result.waited_seconds))
    elif result.outcome is StopOutcome.REFUSED:
        click.echo(msg("ops.stop.refused", detail=result.detail), err=True)
    else:
        click.echo(msg("ops.stop.still_running", pid=result.pid), err=True)
    process, run = quick_state(paths)
    disk, memory = disk_fact(paths), memory_fact()
    click.echo("system state after:")
    if process.running:
        click.echo(f"  a run is active: pid {process.pid} since {process.started_at}")
    else:
        click.echo("  no run is active")
    click.echo(f"  disk {disk.percent:.1f}% used, memory {memory.percent:.1f}% used")
    if run is not None:
        click.echo(
            "  "
            + msg(
                "ops.stop.last_run",
                id=run.id,
                status=run.status,
                exit_code=run.exit_code,
                reason=run.end_reason or "-",
            )
        )


@click.command()
@click.option(
    "--timeout",
    type=click.FloatRange(min=0),
    default=30.0,
    show_default=True,
    help="Seconds to wait after SIGTERM before SIGKILL.",
)
@json_option
@path_options
@handle_errors
def stop(paths: Paths, timeout: float, as_json: bool) -> None:
    """Stop the run of this data directory gracefully (runbook 緊急停止).

    Sends SIGTERM to exactly the pid holding this database's run lock (checked
    first), waits for it to commit and exit (75), and sends SIGKILL only after
    --timeout. Never touches any other process (unlike `pkill -f`).
    Exit 0 when stopped or nothing was running, 1 otherwise.
    """
    result = stop_run(paths.lock_file, paths.db, timeout=timeout)
    if as_json:
        echo_json(result)
    else:
        _print_stop(result, paths)
    sys.exit(EXIT_OK if result.ok else EXIT_UNEXPECTED)


def _print_recover(result: RecoverResult) -> None:
    for phase in result.phases:
        click.echo(
            f"## phase {phase.phase.number}: {phase.phase.label}: --max-users "
            f"{phase.phase.max_users} --delay {phase.phase.delay} "
            f"(limit {phase.phase.timeout:.0f}s, took {phase.elapsed:.1f}s)"
        )
        if phase.ok:
            click.echo(msg("ops.recover.phase_ok", number=phase.phase.number, reason=phase.reason))
        else:
            click.echo(
                msg(
                    "ops.recover.phase_failed",
                    number=phase.phase.number,
                    code=phase.exit_code,
                    reason=phase.reason,
                ),
                err=True,
            )
            for line in phase.output_tail:
                click.echo(f"  | {line}", err=True)
    if result.dry_run:
        click.echo(msg("ops.recover.dry_run"))
    if result.ok and result.next_command:
        click.echo(msg("ops.recover.done"))
        click.echo(f"  {result.next_command}")


@click.command()
@click.option("--dry-run", is_flag=True, help="Pass --dry-run to every phase: nobody is blocked.")
@json_option
@path_options
@api_base_option
@handle_errors
def recover(paths: Paths, api_base: str, dry_run: bool, as_json: bool) -> None:
    """Phased recovery (runbook 段階的復旧): 1 target, then 5, each checked.

    Phase 1 runs `--max-users 1 --delay 5` (limit 30 s), phase 2 `--max-users 5
    --delay 3` (limit 60 s), each as a child process of this CLI, checked by its
    exit code and by the database (a finished run row, progress, no new
    failures). Stops at the first failed phase with its exit code.
    """
    result = run_recovery(paths, api_base, dry_run=dry_run)
    if as_json:
        echo_json(result)
    else:
        _print_recover(result)
        if not result.ok:
            click.echo(result.reason, err=True)
    sys.exit(result.exit_code)
