"""``twitter-blocker init [DIR]``: a data directory in the runbook's layout.

It writes the folders (0700: they will hold the session and its backups), a
``main.py`` that runs the *installed* package (so the runbook's
``python3 main.py --all --auto-retry`` works from the data directory) and a
``users.json`` in the runbook's format with an empty list (a run does nothing
until the user fills it in). It never overwrites: when any file it would write
exists, it writes nothing. Cookies are not written here: ``auth import`` does that.
"""

from __future__ import annotations

import contextlib
import json
import os
from dataclasses import dataclass
from pathlib import Path

from ...config import Paths
from ...errors import InputError
from ...messages import msg

MAIN_PY = '''#!/usr/bin/env python3
"""Runs the installed twitter-blocker from this data directory (from `twitter-blocker init`).

The runbook's commands work from here, e.g. `python3 main.py --all --auto-retry`.
"""

import sys

try:
    from twitter_blocker.cli import main
except ModuleNotFoundError as exc:
    if exc.name != "twitter_blocker":
        raise
    sys.stderr.write(
        f"error: {sys.executable} cannot find the twitter_blocker package (activate the "
        "venv it is installed in: `source /path/to/twitter-blocker/.venv/bin/activate`, "
        "or install it into this python3: `python3 -m pip install /path/to/twitter-blocker`)\\n"
    )
    sys.exit(2)

if __name__ == "__main__":
    main()
'''

USERS_JSON = {"format": "screen_name", "users": []}


@dataclass(frozen=True, slots=True)
class InitResult:
    data_dir: Path
    created: list[Path]  # files and folders written, in order


def _mkdir(path: Path, created: list[Path]) -> None:
    if path.is_dir():
        return
    path.mkdir(mode=0o700, parents=True)
    with contextlib.suppress(OSError):
        os.chmod(path, 0o700)  # whatever the umask
    created.append(path)


def _write_new(path: Path, text: str, mode: int, created: list[Path]) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
    created.append(path)


def init_data_dir(paths: Paths) -> InitResult:
    """Create the layout in ``paths.data_dir``. Raises InputError (exit 2), writing nothing,
    when a file it would write already exists."""
    root = paths.data_dir
    main_py, users = root / "main.py", paths.users_file
    for path in (main_py, users):
        if path.exists() or path.is_symlink():
            raise InputError(msg("ops.init.exists"), where=str(path), hint=msg("ops.init.hint"))
    if root.exists() and not root.is_dir():
        raise InputError(msg("ops.init.not_a_dir"), where=str(root))
    created: list[Path] = []
    _mkdir(root, created)
    _mkdir(paths.cache_dir, created)
    _mkdir(paths.backup_dir, created)
    _write_new(main_py, MAIN_PY, 0o755, created)
    _write_new(users, json.dumps(USERS_JSON, indent=2) + "\n", 0o644, created)
    return InitResult(root, created)
