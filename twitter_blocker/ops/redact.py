"""What the operations commands show passes through the one redaction (``twitter_blocker.redact``).

The logs are already redacted when written, but ``diagnose`` and incident reports
show log lines, error messages and command lines again, with the current cookie
values as extra literals to mask.
"""

from ..redact import MASK, SECRET_NAMES, redact, redact_lines

__all__ = ["MASK", "SECRET_NAMES", "redact", "redact_lines"]
