"""``--stats``, ``health``, ``diagnose`` and ``ratelimit`` over several ``--data-dir``.

One row per account (the account is named by its data directory, as in the run's report).
With ``--json`` the output is one JSON object keyed by account name, each value being what
the command prints for that directory alone (plus its ``data_dir``). A single
``--data-dir`` keeps each command's own output unchanged.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import click
from rich.table import Table

from ..config import Paths
from ..errors import EXIT_OK
from ..i18n import tr
from ..messages import msg
from .console import make_console
from .multirun import labels
from .options import echo_json, jsonable

Accounts = Sequence[tuple[str, Paths]]


def named(all_paths: Sequence[Paths]) -> list[tuple[str, Paths]]:
    return list(zip(labels(list(all_paths)), all_paths, strict=True))


def _table(*columns: str) -> Table:
    table = Table(title_justify="left")
    for n, column in enumerate(columns):
        table.add_column(tr(column), justify="left" if n == 0 else "right")
    return table


def show_stats_many(accounts: Accounts, *, as_json: bool) -> int:
    from ..store.history import History
    from ..store.stats import action_stats, stats_document

    payload: dict[str, Any] = {}
    table = _table(
        "account",
        "targets",
        "done (final)",
        "pending targets",
        "blocked",
        "retry candidates",
        "last run",
    )
    for label, paths in accounts:
        if not paths.db.exists():
            payload[label] = {"data_dir": str(paths.data_dir), "database": None}
            table.add_row(label, "-", "-", "-", "-", "-", msg("accounts.no_db"))
            continue
        with History.open(paths.db) as history:
            stats = history.stats()
            acts = action_stats(history.conn)
        payload[label] = {**stats_document(stats, acts), "data_dir": str(paths.data_dir)}
        run = stats.last_run
        last = f"#{run.id} {run.state} ({run.end_reason or '-'})" if run is not None else "-"
        table.add_row(
            label,
            str(stats.total),
            str(stats.done),
            str(stats.pending),
            str(stats.by_status.get("blocked", 0)),
            str(stats.retry_candidates),
            last,
        )
    if as_json:
        click.echo(json.dumps(payload, indent=2, default=str))
    else:
        make_console().print(table)
    return EXIT_OK


def health_many(accounts: Accounts, as_json: bool, **thresholds: Any) -> int:
    from ..ops.diagnosis.health import check_health
    from .ops_health import health_document

    payload: dict[str, Any] = {}
    table = _table("account", "health", "checks not ok")
    codes: list[int] = []
    for label, paths in accounts:
        report = check_health(paths, **thresholds)
        codes.append(report.exit_code)
        level = report.level.name.lower()
        bad = [c for c in report.checks if c.level.name != "OK"]
        payload[label] = {"data_dir": str(paths.data_dir), **health_document(report)}
        table.add_row(label, level, "; ".join(f"{c.name}: {c.detail}" for c in bad) or "-")
    if as_json:
        echo_json(payload)
    else:
        make_console().print(table)
    return max(codes, default=EXIT_OK)


def diagnose_many(accounts: Accounts, api_base: str, as_json: bool, **probe: Any) -> int:
    from ..ops.diagnosis.diagnose import diagnose as run_diagnosis
    from ..ops.diagnosis.facts import known_secrets
    from ..ops.redact import redact
    from .ops_diagnose import as_data

    payload: dict[str, Any] = {}
    table = _table("account", "incident level", "findings")
    secrets: list[str] = []
    found = False
    for label, paths in accounts:
        report = run_diagnosis(paths, api_base, **probe)
        secrets.extend(known_secrets(paths))
        found = found or report.level is not None
        payload[label] = as_data(report)
        level = "-" if report.level is None else str(int(report.level))
        table.add_row(label, level, "; ".join(f.symptom.value for f in report.findings) or "-")
    if as_json:
        text = json.dumps(payload, indent=2, ensure_ascii=False) + "\n"
        click.echo(redact(text, secrets), nl=False)
    else:
        make_console().print(table)
    return 1 if found else EXIT_OK


def ratelimit_many(accounts: Accounts, as_json: bool) -> int:
    from ..ops.access.ratelimit import rate_limit_report

    payload: dict[str, Any] = {}
    table = _table("account", "windows spent", "wait until (UTC)", "operations")
    for label, paths in accounts:
        report = rate_limit_report(paths.db)
        payload[label] = {"data_dir": str(paths.data_dir), **jsonable(report)}
        spent = ", ".join(op.operation for op in report.limited) or "-"
        until = "-"
        if report.wait_until is not None:
            from datetime import UTC, datetime

            until = datetime.fromtimestamp(report.wait_until, UTC).strftime("%H:%M:%S")
        ops = ", ".join(f"{op.operation} {op.remaining}/{op.limit}" for op in report.operations)
        table.add_row(label, spent, until, ops or "-")
    if as_json:
        echo_json(payload)
    else:
        make_console().print(table)
    return EXIT_OK
