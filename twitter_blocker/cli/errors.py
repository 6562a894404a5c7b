"""Turn our exceptions into one stderr line and an exit code. The only place that exits."""

from __future__ import annotations

import functools
import logging
import sys
from collections.abc import Callable
from typing import Any, TypeVar

import click

from ..errors import EXIT_RESUMABLE, EXIT_UNEXPECTED, BlockerError
from ..messages import msg

F = TypeVar("F", bound=Callable[..., Any])
log = logging.getLogger("twitter_blocker")


def fail(message: str, code: int) -> None:
    click.echo(f"error: {message}", err=True)
    sys.exit(code)


def handle_errors(func: F) -> F:
    """Run a command body; our errors become one line + their exit code, never a traceback.

    An unexpected exception is logged with its traceback to the log file and shown
    as one line (the traceback only with --debug, via the TB_DEBUG env flag).
    """

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except BlockerError as exc:
            fail(str(exc), exc.exit_code)
        except KeyboardInterrupt:
            fail(msg("run.interrupted", why="interrupted"), EXIT_RESUMABLE)
        except (click.exceptions.Exit, click.ClickException, SystemExit):
            raise
        except Exception as exc:
            log.exception("unexpected error")
            if logging.getLogger("twitter_blocker").isEnabledFor(logging.DEBUG):
                raise
            fail(
                f"unexpected {type(exc).__name__}: {exc} (details in twitter_blocker.log; "
                "rerun with --debug for a traceback)",
                EXIT_UNEXPECTED,
            )
        return None

    return wrapper  # type: ignore[return-value]
