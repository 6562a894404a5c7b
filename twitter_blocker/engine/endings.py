"""How a run that stopped early ends: its process_log status, exit code and reason, the
pacing event a session kill or lock leaves behind, and the error the CLI turns into exit
3 or 4. Also the dry run's saved plan."""

from __future__ import annotations

import json
import os
from pathlib import Path

from ..errors import EXIT_ACCOUNT, EXIT_AUTH, EXIT_RESUMABLE
from ..messages import msg
from ..x.errors import AccountLocked, XError
from .clock import iso
from .failures import Stop
from .runtypes import AccountStopped, AuthStopped, RunReport
from .scheduler import Scheduler

# Stops after which the same command simply resumes (exit 75).
RESUMABLE_REASONS = frozenset(
    {
        "interrupted",
        "max_wait",
        "cap",
        "ban_signal",
        "too_many_errors",
        "stalled",
        "outage",
        "no_answer",
        "contradiction",
        "forbidden",
        "refusing_blocks",
        "allowlist",
        "stale_contract",
    }
)
RESUMABLE_REASONS |= {"relationships_unavailable"}  # engine/relations.py


def settle_stop(
    exc: Stop, report: RunReport, *, blocks: int, scheduler: Scheduler | None
) -> tuple[str, int, str]:
    """(process_log status, exit code, end reason) of a stopped run; fills the report.

    ``blocks``: blocks that landed in this session before X stopped it (not the refused
    call); a session kill or lock records it as a pacing event so a cap can be suggested.
    """
    if exc.reason in RESUMABLE_REASONS:
        report.message = msg("run.interrupted", why=exc.detail or exc.reason)
        return "interrupted", EXIT_RESUMABLE, exc.reason
    detail = json.dumps({"blocks": blocks})
    if exc.reason == "auth":
        if blocks > 0 and scheduler is not None:
            scheduler.record_stop("session_killed", detail)
            report.blocks_before_stop = blocks
            return "failed", EXIT_AUTH, "session_killed"
        return "failed", EXIT_AUTH, "auth_failed"
    locked = isinstance(exc.error, AccountLocked)
    if scheduler is not None:
        scheduler.record_stop("locked" if locked else "suspended", detail)
    report.blocks_before_stop = blocks
    return "failed", EXIT_ACCOUNT, "account_locked" if locked else "account_suspended"


def raise_fatal(exc: Stop, report: RunReport) -> None:
    """Auth and account stops become AuthStopped (exit 3) / AccountStopped (exit 4)."""
    if exc.reason == "auth":
        text = msg("auth.failed", detail=_detail(exc.error))
        if report.blocks_before_stop:
            text = msg(
                "run.session_killed",
                blocks=report.blocks_before_stop,
                cap=max(1, report.blocks_before_stop * 8 // 10),
                fix=text,
            )
        report.message = text
        raise AuthStopped(text, report=report) from exc.error
    if exc.reason == "account":
        key = "account.locked" if isinstance(exc.error, AccountLocked) else "account.suspended"
        text = msg(key)
        if report.blocks_before_stop:
            text += " " + msg("run.blocks_before", blocks=report.blocks_before_stop)
        report.message = text
        raise AccountStopped(text, report=report) from exc.error


def _detail(error: XError | None) -> str:
    if error is None:
        return "no detail"
    parts = [p for p in (error.http_status, error.code) if p is not None]
    return "/".join(str(p) for p in parts) or type(error).__name__


def write_plan(path: Path, report: RunReport, now: float) -> None:
    """``dry_run_report.json``: what a real run would do, target by target (atomic write)."""
    data = {
        "generated_at": iso(now),
        "counts": report.counts,
        "api_calls": report.api_calls,
        "plan": [a.as_dict() for a in report.plan],
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    os.replace(tmp, path)
