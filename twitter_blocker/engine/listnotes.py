"""The target list's skipped and merged entries, told to the user before a run starts."""

from __future__ import annotations

import logging

from ..inputs.targets import TargetList
from ..messages import msg
from .runtypes import ProgressSink

log = logging.getLogger("twitter_blocker.engine")

SHOWN_PROBLEMS = 20  # list lines named one by one; the rest are counted


def report_list_problems(targets: TargetList, progress: ProgressSink) -> None:
    """Tell the user which entries were skipped (--skip-invalid) or merged as duplicates."""
    for line, value, reason in targets.invalid[:SHOWN_PROBLEMS]:
        where = targets.where(line)
        progress.note(
            "warning", msg("run.invalid_skipped", where=where, value=value, reason=reason)
        )
    for line, value in targets.duplicates[:SHOWN_PROBLEMS]:
        progress.note("warning", msg("run.duplicate", where=targets.where(line), value=value))
    for items, what in ((targets.invalid, "invalid entries"), (targets.duplicates, "duplicates")):
        if len(items) > SHOWN_PROBLEMS:
            more = msg("run.more", n=len(items) - SHOWN_PROBLEMS, what=what, source=targets.source)
            progress.note("warning", more)
    log.info(
        "%s: %d duplicates merged, %d invalid entries skipped",
        targets.source,
        len(targets.duplicates),
        len(targets.invalid),
    )
