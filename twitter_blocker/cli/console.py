"""The rich console for CLI output: a terminal's width on a terminal, no width limit otherwise.

rich assumes 80 columns when its stream is not a terminal and wraps every longer line;
piped into a file, ``grep`` or a log, a line must stay one line.
"""

from __future__ import annotations

import sys

from rich.console import Console

PIPE_WIDTH = 10_000  # "unlimited": tables are only as wide as their content


def make_console(*, stderr: bool = False) -> Console:
    stream = sys.stderr if stderr else sys.stdout
    if stream.isatty():
        return Console(stderr=stderr)
    return Console(stderr=stderr, width=PIPE_WIDTH, soft_wrap=True)
