"""`db check|recover|init`, `integrity`, `cleanup` (runbook: データベース破損, データ整合性確認,
大容量ファイル問題)."""

from __future__ import annotations

import sys

import click

from ..config import Paths
from ..errors import EXIT_OK, EXIT_UNEXPECTED
from ..messages import msg
from ..ops.database.check import CheckResult, check_database, init_database
from ..ops.database.integrity import IntegrityReport, check_integrity
from ..ops.database.recover import RecoverResult, recover_database
from ..ops.maintenance.cleanup import CleanupResult
from ..ops.maintenance.cleanup import cleanup as run_cleanup
from .errors import handle_errors
from .options import echo_json, json_option, jsonable, path_options


def _size(n: int | None) -> str:
    if n is None:
        return "?"
    value = float(n)
    for unit in ("B", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{n} B"


@click.group()
@path_options
def db(paths: Paths) -> None:
    """Check, recover or create the block history database.

    Path flags may come before or after the subcommand.
    """


def _print_check(result: CheckResult) -> None:
    if not result.exists:
        click.echo(f"{result.path}: missing")
        return
    for stage in result.stages_passed:
        click.echo(f"  {stage.value:<18} ok")
    if result.failed_stage is not None:
        click.echo(f"  {result.failed_stage.value:<18} FAILED")
        for line in result.problems:
            click.echo(f"    {line}")
        click.echo(msg("ops.dbcheck.damaged", path=result.path))
    else:
        click.echo(msg("ops.dbcheck.ok", path=result.path))


@db.command("check")
@json_option
@path_options
@handle_errors
def db_check(paths: Paths, as_json: bool) -> None:
    """quick_check, then integrity_check, then foreign_key_check; stops at the first failure.

    Exit 0 when intact, 1 when damaged or missing. Safe while a run is writing.
    """
    result = check_database(paths.db)
    if as_json:
        echo_json({**jsonable(result), "ok": result.ok})
    else:
        _print_check(result)
    sys.exit(EXIT_OK if result.ok else EXIT_UNEXPECTED)


def _print_recover(result: RecoverResult) -> None:
    if not result.readable:
        key = "ops.recover.foreign" if result.foreign else "ops.recover.failed"
        click.echo("error: " + msg(key, path=result.source), err=True)
        return
    click.echo(f"salvaged with the {result.method.value} into {result.output}")
    click.echo(
        f"  pages: {result.pages:,} in the file, {result.unreadable_pages:,} unreadable"
        + (
            f", {result.unattributed_rows:,} rows on pages of no known table"
            if result.unattributed_rows
            else ""
        )
    )
    for table in result.tables:
        lost = []
        if table.unreadable_pages:
            lost.append(f"{table.unreadable_pages} of its pages unreadable")
        if table.skipped_rows:
            lost.append(f"{table.skipped_rows} unreadable rows skipped")
        if table.duplicates:
            lost.append(f"{table.duplicates} older copies left out")
        more = f"  ({'; '.join(lost)})" if lost else ""
        click.echo(f"  {table.table:<20} {table.rows:>10,} rows{more}")
    if result.orphans_dropped:
        click.echo(f"  {result.orphans_dropped} rows dropped whose parent row was lost")
    if result.keys_rebuilt:
        click.echo(f"  {result.keys_rebuilt} lookup keys rebuilt from the salvaged rows")
    click.echo(f"check of the recovered copy: {result.check.summary}")
    if result.note:
        click.echo(f"note: {result.note}")
    if result.applied:
        click.echo(msg("ops.recover.applied", kept=result.damaged_kept))
    elif result.check.ok:
        click.echo(msg("ops.recover.review", output=result.output))


@db.command("recover")
@click.option("--apply", is_flag=True, help="Swap the verified copy in (keeps the damaged file).")
@click.option("--python-salvage", is_flag=True, hidden=True)  # earlier versions' flag: a no-op
@json_option
@path_options
@handle_errors
def db_recover(paths: Paths, apply: bool, python_salvage: bool, as_json: bool) -> None:
    """Salvage every readable row into recovered.db beside the database and verify it.

    Reads the file page by page, as SQLite's .recover does (no sqlite3 shell needed):
    every row on an undamaged page is kept, even under a damaged b-tree page, and
    the losses are counted. Older copies of a row are left out and lost lookup keys
    rebuilt, so a resume adds no duplicate rows. Only --apply swaps it in (under the
    run lock: exit 5 while a run is active), keeping the damaged file as
    <db>.damaged-<UTC>. Exit 1 when nothing was readable or the copy fails its check.
    """
    del python_salvage
    result = recover_database(paths.db, lock_file=paths.lock_file, apply=apply)
    if as_json:
        echo_json({**jsonable(result), "rows": result.rows, "ok": result.ok})
    else:
        _print_recover(result)
    sys.exit(EXIT_OK if result.ok and (result.applied or not apply) else EXIT_UNEXPECTED)


@db.command("init")
@path_options
@handle_errors
def db_init(paths: Paths) -> None:
    """Create an empty database with the current schema. Never overwrites a file (exit 2)."""
    created = init_database(paths.db)
    click.echo(msg("ops.db.created", path=created))


def _print_integrity(report: IntegrityReport) -> None:
    click.echo(f"database: {report.db} ({report.check.summary})")
    click.echo(f"tables: {' '.join(report.tables) or '-'}")
    click.echo(
        f"total_records: {report.total_records if report.total_records is not None else '-'}"
    )
    for status, count in report.by_status:
        click.echo(f"  {status:<10} {count:>10,}")
    click.echo(f"permanent_failures: {report.permanent_failures}")
    click.echo(f"duplicates: {len(report.duplicates)} groups")
    for dup in report.duplicates[:20]:
        click.echo(f"  user_id={dup.user_id} screen_name={dup.screen_name} count={dup.count}")
    click.echo("files:")
    for item in report.files:
        if item.exists:
            click.echo(f"  {item.name:<9} {item.sha256}  md5 {item.md5}  {item.path}")
        else:
            click.echo(f"  {item.name:<9} missing  {item.path}")
    if report.ok:
        click.echo(msg("ops.integrity.consistent"))
    for problem in report.problems:
        click.echo(f"INCONSISTENT: {problem}")


@click.command()
@json_option
@path_options
@handle_errors
def integrity(paths: Paths, as_json: bool) -> None:
    """The runbook's data integrity check: tables, counts, duplicates, checksums.

    Exit 1 on any inconsistency: a failed database check, duplicate rows, pending rows
    left mid-block with no run active, or status combinations the tool never writes.
    """
    report = check_integrity(paths)
    if as_json:
        echo_json({"report": report, "problems": list(report.problems), "ok": report.ok})
    else:
        _print_integrity(report)
    sys.exit(EXIT_OK if report.ok else EXIT_UNEXPECTED)


def _print_cleanup(result: CleanupResult) -> None:
    verb = "would " if result.dry_run else ""
    click.echo(f"files over 100 MB under {result.data_dir}:")
    for path, size in result.large_files:
        click.echo(f"  {_size(size):>10}  {path}")
    if not result.large_files:
        click.echo("  none")
    for step in result.steps:
        after = "" if step.bytes_after is None else f" -> {_size(step.bytes_after)}"
        note = f"  ({step.detail})" if step.detail else ""
        click.echo(
            f"{verb}{step.action.value.replace('_', ' ')}: {step.path} "
            f"{_size(step.bytes_before)}{after}{note}"
        )
    for why in result.skipped:
        click.echo(f"skipped {why}")
    if result.size_after is None:
        click.echo(f"data directory: {_size(result.size_before)} ({msg('ops.cleanup.dry_run')})")
    else:
        click.echo(f"data directory: {_size(result.size_before)} -> {_size(result.size_after)}")


@click.command()
@click.option("--dry-run", is_flag=True, help="Show what would be done; change nothing.")
@click.option(
    "--keep-days",
    type=click.IntRange(min=0),
    default=7,
    show_default=True,
    help="Delete rotated logs last written more than this many days ago.",
)
@json_option
@path_options
@handle_errors
def cleanup(paths: Paths, dry_run: bool, keep_days: int, as_json: bool) -> None:
    """Free disk space: list files over 100 MB, gzip rotated logs, delete old ones,
    purge expired cache entries and compact the cache, remove the old JSON cache.

    The live log, error_log.jsonl, the databases and backups are never deleted.
    """
    result = run_cleanup(paths, dry_run=dry_run, keep_days=keep_days)
    if as_json:
        echo_json(result)
    else:
        _print_cleanup(result)
