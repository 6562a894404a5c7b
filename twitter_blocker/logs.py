"""Logging for a run: ``twitter_blocker.log`` and ``error_log.jsonl``.

- ``twitter_blocker.log``: rotating (5 x 5 MB), one line per record with a UTC
  ISO timestamp, the level and the logger name.
- ``error_log.jsonl``: one JSON object per failed API attempt (time, operation,
  HTTP status, X code, message, outcome, target), appended, 0600.
- A redaction filter masks every ``auth_token``/``ct0``/csrf/cookie value before
  anything is written, by pattern and by the literal values registered with
  ``register_secret`` (the engine registers the loaded cookies' values).

Nothing is configured at import time; the CLI calls ``setup_logging`` once.
"""

from __future__ import annotations

import contextvars
import json
import logging
import logging.handlers
import os
import threading
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from .config import Paths
from .redact import MASK, MIN_LITERAL, redact, register_secret

__all__ = [
    "MASK",
    "MIN_SECRET_LEN",
    "ErrorLog",
    "RedactingFilter",
    "redact",
    "register_secret",
    "setup_account_logging",
    "setup_logging",
]

LOGGER_NAME = "twitter_blocker"
MAX_BYTES = 5_000_000
BACKUPS = 5
MIN_SECRET_LEN = MIN_LITERAL


class RedactingFilter(logging.Filter):
    """Rewrites each record's message (args merged in) through ``redact``."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except (TypeError, ValueError):
            message = str(record.msg)
        record.msg = redact(message)
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        return True


class UTCFormatter(logging.Formatter):
    # (whole second, its text): a run logs many records a second (a line per decision)
    _second: tuple[int, str] = (-1, "")

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:
        second, stamp = self._second
        if second != int(record.created):
            second = int(record.created)
            stamp = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(second))
            self._second = (second, stamp)
        return f"{stamp}.{int(record.msecs):03d}Z"


FORMAT = "%(asctime)s %(levelname)-7s %(name)s: %(message)s"


class _RotatingFile(logging.handlers.RotatingFileHandler):
    """``RotatingFileHandler`` that formats each record once (the stdlib formats it a second
    time to measure it) and asks whether the log is a regular file once per open, not twice
    per record (a run logs a line per decision)."""

    _regular = True

    def _open(self) -> Any:
        stream = super()._open()
        self._regular = os.path.isfile(self.baseFilename)
        return stream

    def format(self, record: logging.LogRecord) -> str:
        line = record.__dict__.get("_tb_line")
        if line is None or record.__dict__.get("_tb_line_by") is not self:
            line = super().format(record)
            record.__dict__["_tb_line"], record.__dict__["_tb_line_by"] = line, self
        return str(line)

    def shouldRollover(self, record: logging.LogRecord) -> bool:
        if self.stream is None:  # delay was set
            self.stream = self._open()
        if not self._regular or self.maxBytes <= 0:  # bpo-45401: never roll a non-file
            return False
        self.stream.seek(0, 2)
        return bool(self.stream.tell() + len(self.format(record)) + 1 >= self.maxBytes)


def _open_private(path: Path) -> None:
    """Create ``path`` with mode 0600 if it does not exist yet."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    os.close(fd)


def _lean_records() -> None:
    """Leave out of every record what no line of ours shows (the Logging HOWTO's
    "Optimization"): the caller's file and line, the thread, the process. A run writes a
    record per decision; this is a quarter of a record's cost. Accounts are told apart by
    ``ACCOUNT``, never by thread."""
    logging._srcfile = None
    logging.logThreads = False
    logging.logProcesses = False
    logging.logMultiprocessing = False


def setup_logging(paths: Paths, *, debug: bool = False, console: bool = False) -> logging.Logger:
    """Attach the rotating file handler (and optionally stderr) to the package logger.

    Calling it again replaces the handlers it added before (tests, repeated runs).
    """
    logger = logging.getLogger(LOGGER_NAME)
    _lean_records()
    for handler in list(logger.handlers):
        if getattr(handler, "_tb_owned", False):
            logger.removeHandler(handler)
            handler.close()
    logger.setLevel(logging.DEBUG if debug else logging.INFO)
    logger.propagate = False
    _open_private(paths.log_file)
    file_handler = _RotatingFile(
        paths.log_file, maxBytes=MAX_BYTES, backupCount=BACKUPS, encoding="utf-8"
    )
    handlers: list[logging.Handler] = [file_handler]
    if console:
        handlers.append(logging.StreamHandler())
    for handler in handlers:
        handler.setFormatter(UTCFormatter(FORMAT))
        handler.addFilter(RedactingFilter())
        handler._tb_owned = True  # type: ignore[attr-defined]
        logger.addHandler(handler)
    return logger


# The account whose run is writing (several accounts in one process): set by each account's
# task (``engine.accounts``); unset where the process speaks for all of them.
ACCOUNT: contextvars.ContextVar[str | None] = contextvars.ContextVar("account", default=None)


class _ByAccount(logging.Handler):
    """Routes each record to the log file of the account that wrote it (``ACCOUNT``; records
    of the process, which speaks for all, go to every file). One redaction per record."""

    def __init__(self, files: dict[str, logging.Handler]) -> None:
        super().__init__()
        self.files = files

    def createLock(self) -> None:
        # No lock of its own: each file's handler locks itself. A router lock held across the
        # file write made every account thread queue behind the one writing (a lock handoff
        # and a thread switch per record with ten accounts).
        self.lock = None

    def emit(self, record: logging.LogRecord) -> None:
        target = self.files.get(ACCOUNT.get() or "")
        for handler in (target,) if target is not None else tuple(self.files.values()):
            if record.levelno >= handler.level:
                handler.handle(record)

    def close(self) -> None:
        for handler in self.files.values():
            handler.close()
        super().close()


def setup_account_logging(
    accounts: Sequence[tuple[str, Paths]], *, debug: bool = False, console: bool = False
) -> logging.Logger:
    """Several accounts in one process: each data directory's ``twitter_blocker.log`` gets
    the records of its account (``(name, paths)`` pairs; records name their account by
    ``ACCOUNT``)."""
    logger = setup_logging(accounts[0][1], debug=debug, console=console)
    for handler in list(logger.handlers):
        if isinstance(handler, logging.FileHandler):
            logger.removeHandler(handler)
            handler.close()
    files: dict[str, logging.Handler] = {}
    for name, paths in accounts:
        _open_private(paths.log_file)
        handler = _RotatingFile(
            paths.log_file, maxBytes=MAX_BYTES, backupCount=BACKUPS, encoding="utf-8"
        )
        handler.setFormatter(UTCFormatter(FORMAT))
        files[name] = handler
    router = _ByAccount(files)
    router.addFilter(RedactingFilter())
    router._tb_owned = True  # type: ignore[attr-defined]
    logger.addHandler(router)
    return logger


class ErrorLog:
    """Appends one redacted JSON object per failed attempt to ``error_log.jsonl`` (0600)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()

    def write(self, entry: Mapping[str, Any]) -> None:
        self.write_many([entry])

    def write_many(self, entries: list[Mapping[str, Any]]) -> None:
        if not entries:
            return
        lines = [redact(json.dumps(dict(e), ensure_ascii=False, default=str)) for e in entries]
        with self._lock:
            _open_private(self.path)
            with self.path.open("a", encoding="utf-8") as handle:
                handle.write("\n".join(lines) + "\n")
