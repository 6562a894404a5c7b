"""The run with several ``--data-dir`` (one account each) in one process.

Every account's inputs are read and checked before anything is written (bad input in any
directory: one ``error:`` line, exit 2, nothing written); then all accounts run at once
(``engine.accounts``) and the report is one table with every account's outcome. The exit
code is the most severe of the accounts' codes.
"""

from __future__ import annotations

import threading
from typing import Any

import click

from ..config import Paths
from ..engine.accounts import AccountJob, MultiReport, execute_many, log_name
from ..errors import EXIT_OK, InputError
from ..i18n import tr
from ..messages import msg
from .notify_opts import after_run, notify_urls

# A run mode that exists for one account only (it asks one account, or moves its list).
_ONE_ACCOUNT = (("test_user", "--test-user"), ("sources", "--source"))


def labels(all_paths: list[Paths]) -> list[str]:
    """How the report names each account: its directory's name, or its path when two
    directories share a name."""
    names = [p.data_dir.name or str(p.data_dir) for p in all_paths]
    if len(set(names)) < len(names):
        return [str(p.data_dir) for p in all_paths]
    return names


def check_many(flags: dict[str, Any]) -> None:
    """Flags that cannot apply to several accounts at once: a one-line error (exit 2)."""
    for key, name in _ONE_ACCOUNT:
        if flags.get(key):
            raise InputError(msg("accounts.one_only", flag=name))
    if flags.get("action") == "mute" and not flags.get("retry"):
        raise InputError(msg("accounts.one_only", flag="--action mute"))
    only_reset = not (flags["retry"] or flags["all_targets"] or flags["max_users"])
    if flags.get("reset_retry") and only_reset:
        raise InputError(msg("accounts.one_only", flag="--reset-retry"))


def _check_bound(job: AccountJob) -> None:
    """A ledger that belongs to another account than its directory's cookies: one line naming
    both, exit 2, before any account starts (a single directory finds it in the run)."""
    from ..store.account import Account, read_account
    from ..store.db import connect

    user_id = job.cookies.user_id
    if user_id is None or not job.paths.db.exists():
        return  # without twid the viewer lookup of that account's run finds it
    conn = connect(job.paths.db, readonly=True)
    try:
        bound = read_account(conn)
    finally:
        conn.close()
    if bound is not None and bound.user_id != user_id:
        raise InputError(
            msg(
                "run.other_account",
                found=Account(user_id, None).label(),
                db=job.paths.db,
                bound=bound.label(),
            ),
            where=str(job.paths.cookies),
            hint=msg("run.other_account.hint"),
        )


HEADERS = (
    "account",
    "exit code",
    "how it ended",
    "blocked",
    "skipped",
    "suspended/not found",
    "temporary failures",
    "API calls",
)


class _Lines:
    """A ProgressSink per account: one labelled line when a pass starts, and its warnings."""

    def __init__(self, label: str) -> None:
        self.label = label

    def start(self, phase: str, total: int) -> None:
        click.echo(msg("accounts.started", account=self.label, phase=phase, total=total), err=True)

    def advance(self, outcome: str, target: str) -> None:
        pass

    def waiting(self, until_epoch: float, reason: str) -> None:
        pass

    def note(self, level: str, text: str) -> None:
        if level in ("warning", "error"):
            click.echo(f"[{self.label}] {text}", err=True)

    def budget(self, operation: str, remaining: int, limit: int, reset_epoch: float) -> None:
        pass


def run_many(all_paths: list[Paths], api_base: str, flags: dict[str, Any]) -> int:
    """The root command with several ``--data-dir``: ``--stats`` for each, or one run."""
    from .. import logs
    from ..engine.collecting import source_from
    from ..inputs.targets import load_allowlist
    from ..ops.maintenance import preflight
    from .run import run_options
    from .unblock import check_action

    names = labels(all_paths)
    if flags["stats"]:
        from .accounts_views import show_stats_many

        for paths in all_paths:
            preflight.check_writable(paths, lock=False)
            preflight.check_database(paths)
        return show_stats_many(list(zip(names, all_paths, strict=True)), as_json=flags["as_json"])
    check_many(flags)
    sources = tuple(text.strip() for text in flags["sources"] if source_from(text))
    allowed = load_allowlist(flags["allowlist"]) if flags["allowlist"] else frozenset()
    options = run_options(flags, allowed, sources)
    jobs: list[AccountJob] = []
    seen: dict[str, str] = {}
    for label, paths in zip(names, all_paths, strict=True):
        inputs = preflight.read_run_inputs(
            paths,
            api_base,
            read_targets=options.mode != "retry",
            skip_invalid=flags["skip_invalid"],
            allowlist=flags["allowlist"],
        )
        if inputs.targets is not None:
            check_action(flags["action"], inputs.targets.format, inputs.targets.source)
        account = inputs.cookies.user_id
        if account is not None and account in seen:
            raise InputError(
                msg("accounts.same", account=account, first=seen[account], second=label)
            )
        if account is not None:
            seen[account] = label
        jobs.append(AccountJob(label, paths, inputs.cookies, inputs.targets))
    for job in jobs:
        preflight.check_before_writing(job.paths)
        _check_bound(job)
    urls = {job.label: notify_urls(job.paths, flags["notify"]) for job in jobs}
    logs.setup_account_logging(
        [(log_name(job.label), job.paths) for job in jobs],
        debug=flags["debug"],
        console=flags["debug"],
    )
    from .run import _install_signal_handlers

    stop = threading.Event()
    _install_signal_handlers(stop)
    report = execute_many(
        jobs, api_base, options, stop=stop, progress=lambda job: _Lines(job.label)
    )
    print_accounts(report)
    for job, outcome in zip(jobs, report.outcomes, strict=True):
        after_run(job.paths, outcome.report, urls[job.label])  # never raises
    return report.exit_code


def print_accounts(report: MultiReport) -> None:
    """One row per account: how its run ended, what it decided, and why it stopped."""
    from rich.table import Table

    from .console import make_console

    table = Table(title=msg("accounts.title", n=len(report.outcomes)))
    for n, header in enumerate(HEADERS):
        table.add_column(tr(header), justify="left" if n in (0, 2) else "right")
    for o in report.outcomes:
        counts = o.report.counts
        skipped = sum(v for k, v in counts.items() if k.startswith("skipped_"))
        final = counts.get("suspended", 0) + counts.get("not_found", 0)
        table.add_row(
            o.label,
            str(o.exit_code),
            o.reason,
            str(counts.get("blocked", 0) + counts.get("already_blocked", 0)),
            str(skipped),
            str(final),
            str(counts.get("failed_temporary", 0)),
            str(o.report.total_calls),
        )
    console = make_console(stderr=True)
    console.print(table)
    facts = report.facts
    click.echo(msg("accounts.facts", reused=facts.reused, proved=facts.proved), err=True)
    for o in report.outcomes:
        if o.exit_code != EXIT_OK and o.message:
            click.echo(f"{o.label}: {o.message}", err=True)
