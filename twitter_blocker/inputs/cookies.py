"""Session cookies from every form people export them in.

Accepted (the format is detected from the text):

- a browser-export JSON array (Cookie-Editor, EditThisCookie): objects with ``name``,
  ``value`` and usually ``domain``; also ``{"cookies": [...]}`` (Playwright storage state);
- a JSON object ``{name: value}``;
- a Netscape ``cookies.txt`` (7 tab-separated fields, ``#HttpOnly_`` prefixes, comments);
- a raw ``Cookie:`` header line, with or without the ``Cookie:`` prefix.

Only x.com / twitter.com cookies (and their subdomains) are kept when the format carries
domains. ``auth_token`` and ``ct0`` are required; an empty value counts as missing.

Secrets: no cookie value ever appears in an error message or in ``repr``/``str``
(``mask`` shows at most 4 characters and the length).
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote

from ..errors import InputError
from ..messages import msg

__all__ = [
    "REQUIRED",
    "Cookies",
    "load_cookies",
    "mask",
    "parse_cookies",
    "parse_twid",
    "write_cookies_json",
]

REQUIRED = ("auth_token", "ct0")
_X_DOMAINS = ("x.com", "twitter.com")
_MAX_FILE_BYTES = 10 * 1024 * 1024
# What a Cookie header can carry: printable ASCII and tab, except ";" (the pair separator).
_HEADER_SAFE = frozenset(chr(c) for c in range(0x20, 0x7F)) - {";"} | {"\t"}


def mask(value: str) -> str:
    """``"abcd…(40 chars)"``: at most 4 leading characters (fewer when short) and the length."""
    shown = value[: min(4, len(value) // 4)]
    return f"{shown}…({len(value)} chars)"


@dataclass(frozen=True, repr=False)
class Cookies:
    """The session cookies X needs, plus the other x.com cookies in file order."""

    auth_token: str
    ct0: str
    user_id: str | None  # from twid: "u%3D123", "u=123", quoted or not
    others: tuple[tuple[str, str], ...] = ()

    def header_value(self) -> str:
        """The ``Cookie`` header value: auth_token, ct0, then the others in file order."""
        pairs = [("auth_token", self.auth_token), ("ct0", self.ct0), *self.others]
        return "; ".join(f"{name}={value}" for name, value in pairs)

    def names(self) -> list[str]:
        return ["auth_token", "ct0", *(name for name, _ in self.others)]

    def items(self) -> list[tuple[str, str]]:
        """Every cookie as (name, value), required ones first."""
        return [("auth_token", self.auth_token), ("ct0", self.ct0), *self.others]

    def __repr__(self) -> str:
        others = ", ".join(f"{name}={mask(value)}" for name, value in self.others)
        return (
            f"Cookies(auth_token={mask(self.auth_token)}, ct0={mask(self.ct0)}, "
            f"user_id={self.user_id!r}, others=[{others}])"
        )

    __str__ = __repr__


def parse_twid(value: str) -> str | None:
    """The user id in a ``twid`` value (``u%3D123``, ``u=123``, quoted or not), else None."""
    text = value.strip()
    if len(text) >= 2 and text[0] == text[-1] == '"':
        text = text[1:-1].strip()
    text = unquote(text)
    if len(text) >= 2 and text[0] == text[-1] == '"':
        text = text[1:-1].strip()
    if not text.startswith("u="):
        return None
    digits = text[2:]
    if not (1 <= len(digits) <= 20 and digits.isascii() and digits.isdigit()):
        return None
    if digits[0] == "0":
        return None
    return digits


def load_cookies(path: Path) -> Cookies:
    """Read and parse a cookie file; every problem is an ``InputError`` naming the file."""
    source = str(path)
    try:
        size = path.stat().st_size
        if size > _MAX_FILE_BYTES:
            raise InputError(
                msg("cookies.unreadable", detail=f"{size} bytes is too large for a cookie file"),
                where=source,
            )
        raw = path.read_bytes()
    except FileNotFoundError:
        raise InputError(
            msg("cookies.missing_file"), where=source, hint=msg("cookies.missing_file.hint")
        ) from None
    except OSError as exc:
        raise InputError(
            msg("cookies.unreadable", detail=exc.strerror or type(exc).__name__), where=source
        ) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(
            msg("cookies.unreadable", detail=msg("cookies.not_utf8", byte=exc.start)),
            where=source,
            hint=msg("cookies.not_utf8.hint"),
        ) from None
    return parse_cookies(text, source=source)


def parse_cookies(text: str, *, source: str) -> Cookies:
    """Detect the format of ``text`` and build ``Cookies``; errors name ``source`` and the spot."""
    text = text.removeprefix("\ufeff")
    stripped = text.strip()
    if not stripped:
        raise InputError(msg("cookies.empty"), where=source, hint=msg("cookies.unparseable.hint"))
    if stripped[0] in "[{":
        pairs = _from_json(stripped, source)
    elif _looks_netscape(text):
        pairs = _from_netscape(text, source)
    else:
        pairs = _from_header(text, source)
    return _build(pairs, source)


# --- formats -----------------------------------------------------------------------------------

# (name, value, domain or None when the format carries no domain, where in the file)
_Pair = tuple[str, str, str | None, str]


def _keep_duplicate_keys(items: list[tuple[str, object]]) -> dict[str, object]:
    """A JSON object with a repeated key keeps both (``json`` would keep only the last): the
    repeat is stored as ``name\x00<n>`` (no cookie name holds a NUL)."""
    out: dict[str, object] = {}
    for key, value in items:
        out[f"{key}\x00{len(out)}" if key in out else key] = value
    return out


def _from_json(text: str, source: str) -> list[_Pair]:
    try:
        data = json.loads(text, object_pairs_hook=_keep_duplicate_keys)
    except json.JSONDecodeError as exc:
        raise InputError(
            msg("cookies.json_syntax", line=exc.lineno, column=exc.colno, detail=exc.msg),
            where=source,
            hint=msg("cookies.unparseable.hint"),
        ) from None
    if isinstance(data, dict) and isinstance(data.get("cookies"), list):
        return _from_json_array(data["cookies"], source, prefix="cookies")
    if isinstance(data, list):
        return _from_json_array(data, source, prefix="")
    if isinstance(data, dict):
        pairs: list[_Pair] = []
        for key, value in data.items():
            name = key.split("\x00", 1)[0]
            if not isinstance(value, str):
                raise InputError(
                    msg("cookies.bad_value", name=name),
                    where=f"{source}: key {name!r}",
                    hint=msg("cookies.bad_value.hint"),
                )
            pairs.append((name, value, None, f"key {name!r}"))
        return pairs
    raise InputError(
        msg("cookies.unparseable", detail="the JSON is neither an array nor an object"),
        where=source,
        hint=msg("cookies.unparseable.hint"),
    )


def _from_json_array(items: list[object], source: str, *, prefix: str) -> list[_Pair]:
    pairs: list[_Pair] = []
    for index, item in enumerate(items):
        where = f"{source}: {prefix}[{index}]"
        item_hint = msg("cookies.bad_item.hint")
        if not isinstance(item, dict):
            raise InputError(
                msg("cookies.bad_item", detail="is not an object"), where=where, hint=item_hint
            )
        name = item.get("name")
        value = item.get("value")
        if not isinstance(name, str) or not name:
            raise InputError(
                msg("cookies.bad_item", detail="has no string 'name'"), where=where, hint=item_hint
            )
        if not isinstance(value, str):
            raise InputError(
                msg("cookies.bad_value", name=name), where=where, hint=msg("cookies.bad_value.hint")
            )
        domain = item.get("domain")
        if domain is not None and not isinstance(domain, str):
            raise InputError(
                msg("cookies.bad_item", detail="has a non-string 'domain'"),
                where=where,
                hint=item_hint,
            )
        pairs.append((name, value, domain if domain is not None else None, f"{prefix}[{index}]"))
    return pairs


def _looks_netscape(text: str) -> bool:
    for line in text.splitlines():
        if line.startswith("#HttpOnly_"):
            return True
        if not line.strip():
            continue
        if line.startswith("#"):
            if "netscape" in line.lower() or "http cookie file" in line.lower():
                return True
            continue
        return "\t" in line
    return False


def _from_netscape(text: str, source: str) -> list[_Pair]:
    pairs: list[_Pair] = []
    for lineno, line in enumerate(text.splitlines(), start=1):
        if line.startswith("#HttpOnly_"):
            line = line[len("#HttpOnly_") :]
        elif not line.strip() or line.lstrip().startswith("#"):
            continue
        fields = line.split("\t")
        if len(fields) == 6:  # an empty value whose trailing tab was trimmed by an editor
            fields.append("")
        if len(fields) != 7:
            raise InputError(
                msg("cookies.netscape_fields", count=len(fields)),
                where=f"{source}:{lineno}",
                hint=msg("cookies.unparseable.hint"),
            )
        domain, name, value = fields[0].strip(), fields[5].strip(), fields[6].strip()
        if not name:
            raise InputError(
                msg("cookies.bad_item", detail="has an empty name"),
                where=f"{source}:{lineno}",
                hint=msg("cookies.bad_item.hint"),
            )
        pairs.append((name, value, domain, f":{lineno}"))
    return pairs


def _from_header(text: str, source: str) -> list[_Pair]:
    pairs: list[_Pair] = []
    for lineno, line in enumerate(text.splitlines(), start=1):
        body = line.strip()
        if not body or body.startswith("#"):
            continue
        if body[:7].lower() == "cookie:":
            body = body[7:]
        for index, part in enumerate(body.split(";"), start=1):
            part = part.strip()
            if not part:
                continue
            name, sep, value = part.partition("=")
            name = name.strip()
            if not sep or not name or any(c.isspace() for c in name):
                raise InputError(
                    msg("cookies.header_pair", index=index),
                    where=f"{source}:{lineno}",
                    hint=msg("cookies.unparseable.hint"),
                )
            pairs.append((name, value.strip(), None, f"line {lineno} part {index}"))
    return pairs


# --- building ----------------------------------------------------------------------------------


def _domain_rank(domain: str | None) -> int | None:
    """0 for x.com (and subdomains), 1 for twitter.com, 2 when unknown, None for other sites."""
    if domain is None or not domain.strip():
        return 2
    host = domain.strip().lower().lstrip(".")
    for rank, base in enumerate(_X_DOMAINS):
        if host == base or host.endswith("." + base):
            return rank
    return None


def _build(pairs: list[_Pair], source: str) -> Cookies:
    chosen: dict[str, tuple[int, str]] = {}  # name -> (rank, value); dict keeps first-seen order
    spots: dict[str, str] = {}  # name -> where the chosen value is
    for name, value, domain, spot in pairs:
        rank = _domain_rank(domain)
        if rank is None or not value:
            continue
        held = chosen.get(name)
        if held is not None and rank == held[0] and value != held[1] and name in REQUIRED:
            # Two sessions' cookies in one file: a silent pick may be the stale one.
            raise InputError(
                msg(
                    "cookies.duplicate",
                    name=name,
                    domain=(domain or "x.com").lstrip("."),
                    first=spots[name],
                    second=spot,
                ),
                where=source,
            )
        if held is None or rank < held[0]:
            spots[name] = spot
            if not _HEADER_SAFE.issuperset(name) or not _HEADER_SAFE.issuperset(value):
                raise InputError(msg("cookies.bad_char", name=name), where=source)
            chosen[name] = (rank, value)
    for name in REQUIRED:
        if name not in chosen:
            raise InputError(
                msg("cookies.missing_cookie", name=name),
                where=source,
                hint=msg("cookies.missing_cookie.hint"),
            )
    twid = chosen.get("twid")
    return Cookies(
        auth_token=chosen["auth_token"][1],
        ct0=chosen["ct0"][1],
        user_id=parse_twid(twid[1]) if twid else None,
        others=tuple((n, v) for n, (_, v) in chosen.items() if n not in REQUIRED),
    )


# --- writing -----------------------------------------------------------------------------------


def write_cookies_json(cookies: Cookies, path: Path) -> None:
    """Write a browser-export JSON array (domain ``.x.com``) atomically, mode 0600."""
    items = [
        {
            "domain": ".x.com",
            "hostOnly": False,
            "httpOnly": name == "auth_token",
            "name": name,
            "path": "/",
            "secure": True,
            "session": False,
            "value": value,
        }
        for name, value in cookies.items()
    ]
    data = (json.dumps(items, indent=2) + "\n").encode("utf-8")
    directory = path.parent if str(path.parent) else Path(".")
    fd, tmp_name = _open_private_temp(directory, path.name)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp_name, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp_name)
        raise
    with contextlib.suppress(OSError):  # make the rename durable where the platform allows it
        dir_fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)


def _open_private_temp(directory: Path, name: str) -> tuple[int, str]:
    """A new file next to the target, created 0600 (never briefly world-readable)."""
    for _ in range(100):
        candidate = os.path.join(directory, f".{name}.{secrets.token_hex(6)}.tmp")
        try:
            fd = os.open(candidate, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            continue
        os.fchmod(fd, 0o600)
        return fd, candidate
    raise FileExistsError(f"cannot create a temporary file in {directory}")
