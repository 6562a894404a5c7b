"""The exception tree. Every error knows the process exit code it maps to.

    BlockerError (1)                      anything we raise on purpose
    ├── InputError (2)                    bad file, flag, key or line: nothing was written
    ├── AuthError (3)                     cookies rejected (X codes 32, 89, 215, 353)
    ├── AccountBlockedError (4)           own account locked (326) or suspended (64)
    ├── DatabaseBusyError (5)             another run holds the database lock
    ├── Interrupted (75)                  stopped by a signal or a cap; the run can resume
    └── StoreError (1)                    the database cannot be opened or is damaged

The library never calls ``sys.exit``; only the CLI turns these into exit codes.
Messages are English one-liners that say what is wrong and what to do.
"""

from __future__ import annotations

EXIT_OK = 0
EXIT_UNEXPECTED = 1
EXIT_USAGE = 2
EXIT_AUTH = 3
EXIT_ACCOUNT = 4
EXIT_DB_BUSY = 5
EXIT_RESUMABLE = 75


class BlockerError(Exception):
    """Base class of the errors this project raises on purpose."""

    exit_code: int = EXIT_UNEXPECTED


class InputError(BlockerError):
    """Bad user input. ``where`` names the file and the line or key."""

    exit_code = EXIT_USAGE

    def __init__(self, message: str, *, where: str | None = None, hint: str | None = None) -> None:
        self.where = where
        self.hint = hint
        text = f"{where}: {message}" if where else message
        if hint:
            text = f"{text} ({hint})"
        super().__init__(text)


class AuthError(BlockerError):
    """X rejected the session cookies; the user must re-export them."""

    exit_code = EXIT_AUTH


class AccountBlockedError(BlockerError):
    """The user's own account is locked (326) or suspended (64). Never retried."""

    exit_code = EXIT_ACCOUNT


class DatabaseBusyError(BlockerError):
    """Another process holds the run lock of this database."""

    exit_code = EXIT_DB_BUSY

    def __init__(self, message: str, *, pid: int | None = None) -> None:
        self.pid = pid
        super().__init__(message)


class Interrupted(BlockerError):
    """The run stopped before finishing; everything done is committed."""

    exit_code = EXIT_RESUMABLE


class StoreError(BlockerError):
    """The database cannot be opened, migrated or read."""

    exit_code = EXIT_UNEXPECTED
