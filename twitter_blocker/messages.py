"""Every user-facing English message, in one place, so a Japanese catalog can follow.

Use ``msg("key", **params)``. Modules add their keys here (grouped by area)
instead of writing message text inline. A catalog is a plain dict; ``CATALOGS``
maps a language code to one, and ``set_language`` picks it (falls back to English
key by key).
"""

from __future__ import annotations

EN: dict[str, str] = {
    # --- cookies -------------------------------------------------------------
    "cookies.missing_file": "cookie file not found",
    "cookies.missing_file.hint": (
        "export your x.com cookies to this file, or point --cookies / TWITTER_COOKIES_PATH at it"
    ),
    "cookies.missing_cookie": "cookie {name!r} is missing",
    "cookies.missing_cookie.hint": (
        "log in at https://x.com, open developer tools > Application > Cookies > https://x.com, "
        "and export auth_token and ct0 (Cookie-Editor's JSON export works)"
    ),
    "cookies.unparseable": "cannot read cookies: {detail}",
    "cookies.unparseable.hint": (
        "use a browser-export JSON array, a JSON object {{name: value}}, a Netscape cookies.txt "
        "or a raw 'Cookie:' header line"
    ),
    # --- targets -------------------------------------------------------------
    "targets.missing_file": "target list not found",
    "targets.missing_file.hint": "create it, or point --users-file / TWITTER_USERS_FILE at it",
    "targets.empty": "the target list has no entries",
    "targets.empty.hint": "add handles or user ids, one per line or as JSON",
    "targets.unparseable": "cannot read the target list: {detail}",
    "targets.invalid": "invalid entry {value!r}: {reason}",
    # --- run -----------------------------------------------------------------
    "auth.failed": (
        "X rejected the session cookies ({detail}). Log in at https://x.com in your browser, "
        "export auth_token and ct0 again (developer tools > Application > Cookies), "
        "then run `twitter-blocker auth import FILE`"
    ),
    "account.locked": (
        "your X account is temporarily locked (code 326). Unlock it at https://x.com first; "
        "this tool never retries a locked account automatically"
    ),
    "account.suspended": (
        "your X account is suspended (code 64). Resolve it at https://x.com first; "
        "this tool never retries a suspended account automatically"
    ),
    "db.busy": (
        "another run (pid {pid}) holds {db}; wait for it or stop it with `twitter-blocker stop`"
    ),
    "run.interrupted": "stopped before finishing ({why}); run the same command again to resume",
}

CATALOGS: dict[str, dict[str, str]] = {"en": EN}
_active: dict[str, str] = EN


def set_language(code: str) -> None:
    global _active
    _active = CATALOGS.get(code, EN)


def msg(key: str, /, **params: object) -> str:
    template = _active.get(key) or EN[key]
    return template.format(**params) if params else template
