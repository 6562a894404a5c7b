"""What the operations commands show passes through the one redaction (``twitter_blocker.redact``).

The logs are already redacted when written, but ``diagnose`` and incident reports
show log lines, error messages and command lines again, with the current cookie
values as extra literals to mask.
"""

from __future__ import annotations

from ..config import Paths
from ..errors import InputError
from ..redact import MASK, SECRET_NAMES, redact, redact_lines

__all__ = ["MASK", "SECRET_NAMES", "known_secrets", "redact", "redact_lines"]


def known_secrets(paths: Paths) -> tuple[str, ...]:
    """The current cookie values (to mask them literally); empty when the file is unusable."""
    from ..inputs.cookies import load_cookies  # only when asked: health stays light

    try:
        cookies = load_cookies(paths.cookies)
    except InputError:
        return ()
    return tuple(value for name, value in cookies.items() if name != "lang")
