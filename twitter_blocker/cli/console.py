"""The rich console for CLI output: a terminal's width on a terminal, no width limit otherwise.

rich assumes 80 columns when its stream is not a terminal and wraps every longer line;
piped into a file, ``grep`` or a log, a line must stay one line.
"""

from __future__ import annotations

import sys
from typing import Any

from rich.console import Console

from ..i18n import tr_lines

PIPE_WIDTH = 10_000  # "unlimited": tables are only as wide as their content


class _Console(Console):
    """Text printed in the user's language (``i18n.tr_lines``; a no-op in English)."""

    def print(self, *objects: Any, **kwargs: Any) -> None:
        super().print(*(tr_lines(o) if isinstance(o, str) else o for o in objects), **kwargs)


def make_console(*, stderr: bool = False) -> Console:
    stream = sys.stderr if stderr else sys.stdout
    if stream.isatty():
        return _Console(stderr=stderr)
    return _Console(stderr=stderr, width=PIPE_WIDTH, soft_wrap=True)
