"""`backup` and `restore` (runbook: 緊急バックアップ, 予防策, データベース破損 step 3)."""

from __future__ import annotations

from pathlib import Path

import click

from ..config import Paths
from ..errors import EXIT_UNEXPECTED
from ..messages import msg
from ..ops.backups.backup import (
    DEFAULT_RETENTION,
    BackupResult,
    Role,
    newest_good,
    parse_duration,
    take_backup,
)
from ..ops.backups.restore import RestoreResult, restore_backup
from .errors import handle_errors
from .options import echo_json, json_option, path_options


def _print_backup(result: BackupResult) -> None:
    click.echo(msg("ops.backup.written", folder=result.folder))
    for entry in result.manifest.files:
        check = f"  integrity {entry.integrity}" if entry.integrity is not None else ""
        click.echo(f"  {entry.name:<24} {entry.size:>12,} bytes  {entry.method}{check}")
    for role in result.manifest.missing:
        click.echo(f"  ({role}: no file, skipped)")
    if result.latest is not None:
        how = "copy" if result.latest_is_copy else "link"
        click.echo(f"latest: {result.latest} ({how})")
    for folder in result.pruned:
        click.echo(msg("ops.backup.pruned", folder=folder))
    if not result.ok:
        click.echo("warning: " + msg("ops.backup.damaged_copy"), err=True)
        if result.manifest.kind == "auto":
            good = newest_good(result.folder.parent)
            click.echo(msg("ops.backup.failed_kept_latest", latest=good or "none"), err=True)


@click.command()
@click.option(
    "--emergency",
    is_flag=True,
    help="Write emergency_backup_YYYYmmdd_HHMMSS/ in the data directory (never pruned).",
)
@click.option("--with-cache", is_flag=True, help="Also back up the cache database.")
@click.option(
    "--retention",
    default="24h",
    show_default=True,
    help="Delete automatic backups taken longer ago than this (90m, 24h, 7d).",
)
@json_option
@path_options
@handle_errors
def backup(paths: Paths, emergency: bool, with_cache: bool, retention: str, as_json: bool) -> None:
    """Snapshot the database (SQLite online backup), cookies and users file.

    Safe while a run is writing. Without --emergency it writes backup/auto_YYYYmmdd_HHMM/
    (UTC), points backup/latest and backup/block_history_latest.db at it and prunes
    automatic backups older than --retention. Folders are 0700, copies 0600; a
    manifest.json records sizes, sha256 and the integrity check of each copy.
    Exit 1 when a database copy fails its integrity check (the backup is kept).
    """
    keep = parse_duration(retention) if retention else DEFAULT_RETENTION
    result = take_backup(paths, emergency=emergency, with_cache=with_cache, retention=keep)
    if as_json:
        echo_json(result)
    else:
        _print_backup(result)
    if not result.ok:
        raise SystemExit(EXIT_UNEXPECTED)


def _print_restore(result: RestoreResult) -> None:
    verified = result.backup
    click.echo(msg("ops.restore.verified", folder=verified.folder, at=verified.manifest.created_at))
    for item in result.files:
        kept = f"  (previous kept as {item.kept.name})" if item.kept is not None else ""
        click.echo(f"restored {item.role.value:<8} -> {item.path}{kept}")
    if result.check is not None:
        click.echo(f"integrity of the restored database: {result.check.summary}")


@click.command()
@click.argument("backup_dir", metavar="BACKUP", type=click.Path(path_type=Path))
@click.option(
    "--only",
    "only",
    multiple=True,
    type=click.Choice([r.value for r in Role]),
    help="Restore only these files (repeatable), e.g. --only db to keep newer cookies.",
)
@json_option
@path_options
@handle_errors
def restore(paths: Paths, backup_dir: Path, only: tuple[str, ...], as_json: bool) -> None:
    """Restore BACKUP (a folder such as backup/latest or emergency_backup_...).

    The manifest, every checksum and the integrity of every database copy are
    verified before anything is touched; a tampered or damaged backup is refused
    (exit 1, naming the file). Refused while a run holds the database (exit 5).
    Current files are kept as <name>.before-restore-<UTC>.
    """
    if not backup_dir.is_absolute() and not backup_dir.exists():
        backup_dir = paths.data_dir / backup_dir
    roles = frozenset(Role(value) for value in only) if only else None
    result = restore_backup(paths, backup_dir, only=roles)
    if as_json:
        echo_json(result)
    else:
        _print_restore(result)
    if result.check is not None and not result.check.ok:
        click.echo("error: " + msg("ops.restore.after_check", why=result.check.summary), err=True)
        raise SystemExit(EXIT_UNEXPECTED)
