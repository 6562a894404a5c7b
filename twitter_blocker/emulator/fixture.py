"""Fixture files a test, benchmark or demo hands to the blocker: cookies, target lists, truth."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

from .population import truth
from .world import Account, World

_EXPIRES = 1830297600.0  # 2028-01-01; fixed so fixtures are byte-for-byte deterministic


def _cookie(name: str, value: str, *, http_only: bool, same_site: str) -> dict[str, Any]:
    return {
        "domain": ".x.com",
        "expirationDate": _EXPIRES,
        "hostOnly": False,
        "httpOnly": http_only,
        "name": name,
        "path": "/",
        "sameSite": same_site,
        "secure": True,
        "session": False,
        "storeId": "0",
        "value": value,
    }


def cookie_export(account: Account) -> list[dict[str, Any]]:
    """The account's session as a browser-export (Cookie-Editor style) JSON array."""
    return [
        _cookie("auth_token", account.auth_token or "", http_only=True, same_site="no_restriction"),
        _cookie("ct0", account.ct0, http_only=False, same_site="lax"),
        _cookie("twid", f"u%3D{account.user_id}", http_only=False, same_site="no_restriction"),
        _cookie("lang", "en", http_only=False, same_site="lax"),
    ]


def _write(path: Path, value: Any, *, secret: bool = False) -> None:
    """Atomic write; files holding session cookies are created 0600."""
    text = json.dumps(value, indent=2, ensure_ascii=False) + "\n"
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        os.fchmod(fd, 0o600 if secret else 0o644)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def cookie_file_name(viewer_index: int) -> str:
    return "cookies.json" if viewer_index == 0 else f"cookies_{viewer_index}.json"


def write_cookies(world: World, directory: Path, viewer_index: int) -> Path:
    with world.lock:
        export = cookie_export(world.account(viewer_index))
    path = directory / cookie_file_name(viewer_index)
    _write(path, export, secret=True)
    return path


def truth_file_name(viewer_index: int) -> str:
    return "truth.json" if viewer_index == 0 else f"truth_{viewer_index}.json"


def write_fixture(world: World, directory: Path | str) -> None:
    """cookies.json, cookies_<n>.json, users.json, users_ids.json, truth.json and, for each
    extra viewer, truth_<n>.json beside its cookies_<n>.json (same format)."""
    out = Path(directory)
    out.mkdir(parents=True, exist_ok=True)
    for account in world.accounts:
        write_cookies(world, out, account.index)
    targets = world.population.targets
    _write(out / "users.json", {"format": "screen_name", "users": [t.identifier for t in targets]})
    ids = [t.user_id for t in targets if t.user_id is not None and t.expected_by_id is not None]
    _write(out / "users_ids.json", {"format": "user_id", "users": ids})
    for account in world.accounts:
        _write(out / truth_file_name(account.index), truth(world.population, account.index))
