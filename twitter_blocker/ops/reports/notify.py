"""Notifications through Apprise, from an outbox that survives failures.

Where messages go (all of them are used, duplicates once):
  ``--notify URL`` (repeatable), ``TWITTER_BLOCKER_NOTIFY`` (URLs separated by
  spaces), and ``notify.urls`` in ``config.toml`` of the data directory::

      [notify]
      urls = ["ntfy://ntfy.sh/my-topic", "jsons://hooks.example.com/blocker"]

A message is written to the outbox first (one row per target, the target named
by a hash of its URL: URLs may hold tokens, the file never does), then delivered
in a background thread bounded by ``DELIVERY_DEADLINE``; what is not delivered
stays pending and goes out with the next check that has the same target. Nothing
here raises: a notification can never stop a run or change its exit code.
Every text is masked with the current cookie values before it is stored.
"""

from __future__ import annotations

import hashlib
import logging
import os
import shlex
import sqlite3
import threading
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from ...config import Paths
from ...errors import BlockerError, InputError
from ...messages import msg
from ...store import incidents as store
from ...store.db import iso
from ..diagnosis.levels import SYMPTOMS, Symptom
from ..redact import known_secrets, redact
from .incidents import Change, Seen, incidents_file, record

log = logging.getLogger("twitter_blocker.ops.reports.notify")

ENV_NOTIFY = "TWITTER_BLOCKER_NOTIFY"
CONFIG_FILE = "config.toml"
DELIVERY_DEADLINE = 10.0  # seconds a command may spend delivering before it exits
RETRY_MAX = timedelta(hours=1)


@dataclass(frozen=True, slots=True)
class Delivery:
    sent: int
    failed: int
    pending: int


def target_of(url: str) -> str:
    return hashlib.sha256(url.encode("utf-8")).hexdigest()[:16]


def _config_urls(path: Path) -> list[str]:
    if not path.is_file():
        return []
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise InputError(
            msg("notify.config_bad", detail=exc),
            where=str(path),
            hint=msg("notify.config_bad.hint"),
        ) from None
    section = data.get("notify", {})
    urls = section.get("urls", []) if isinstance(section, dict) else None
    if not isinstance(urls, list) or not all(isinstance(u, str) for u in urls):
        raise InputError(
            msg("notify.config_bad", detail="notify.urls must be a list of strings"),
            where=f"{path}: notify.urls",
            hint=msg("notify.config_bad.hint"),
        )
    return [u.strip() for u in urls if u.strip()]


def resolve_urls(
    paths: Paths,
    flags: tuple[str, ...] = (),
    env: Mapping[str, str] | None = None,
    *,
    include_config: bool = True,
) -> tuple[str, ...]:
    """Every notification URL from the flags, the environment and ``config.toml``, checked.

    Raises ``InputError`` (exit 2) naming where a bad one came from, before anything is
    written; the message shows the URL's scheme only.
    """
    environ = os.environ if env is None else env
    sources = [("--notify", u) for u in flags]
    sources += [(ENV_NOTIFY, u) for u in environ.get(ENV_NOTIFY, "").split()]
    config = paths.data_dir / CONFIG_FILE
    if include_config:
        sources += [(f"{config}: notify.urls", u) for u in _config_urls(config)]
    urls: list[str] = []
    if not sources:
        return ()
    import apprise

    for where, url in sources:
        if url in urls:
            continue
        if apprise.Apprise.instantiate(url) is None:
            scheme = url.split("://", 1)[0] if "://" in url else ""
            raise InputError(
                msg("notify.unsupported", scheme=scheme),
                where=where,
                hint=msg("notify.unsupported.hint"),
            )
        urls.append(url)
    return tuple(urls)


def _symptom(row: store.IncidentRow) -> str:
    return SYMPTOMS[Symptom(row.symptom)][2]


def _clock(text: str | None) -> str:
    return (text or "-")[:19].replace("T", " ")


def change_message(change: Change, paths: Paths) -> tuple[str, str]:
    row = change.incident
    title = msg(f"notify.title.{change.kind}", number=row.id, level=row.level)
    if change.kind == "opened":
        body = msg(
            "notify.body.incident",
            symptom=_symptom(row),
            detail=row.detail,
            source=row.source,
            at=_clock(row.opened_at),
            data_dir=paths.data_dir,
        )
    elif change.kind == "escalated":
        body = msg(
            "notify.body.escalated",
            symptom=_symptom(row),
            detail=row.detail,
            opened=_clock(row.opened_at),
            reason=change.reason,
        )
    else:
        body = msg(
            "notify.body.closed",
            symptom=_symptom(row),
            reason=change.reason,
            opened=_clock(row.opened_at),
            closed=_clock(row.closed_at),
        )
    return title, body


def resume_command(argv: list[str]) -> str:
    """The command that resumes a run: the same arguments without ``--notify URL``."""
    kept: list[str] = []
    skip = False
    for arg in argv:
        if skip:
            skip = False
            continue
        if arg == "--notify":
            skip = True
            continue
        if arg.startswith("--notify="):
            continue
        kept.append(arg)
    return "twitter-blocker " + shlex.join(kept)


def _mask(text: str, secrets: tuple[str, ...]) -> str:
    return redact(text, secrets)


def _enqueue(
    conn: sqlite3.Connection,
    kind: str,
    incident_id: int | None,
    urls: tuple[str, ...],
    title: str,
    body: str,
    *,
    secrets: tuple[str, ...],
    now: datetime,
) -> None:
    store.enqueue(
        conn,
        kind=kind,
        incident_id=incident_id,
        targets=[target_of(u) for u in urls],
        title=_mask(title, secrets),
        body=_mask(body, secrets),
        at=iso(now),
    )


def _send(url: str, title: str, body: str) -> None:
    """One message to one URL; raises on failure (the caller logs without the URL)."""
    import apprise

    sender = apprise.Apprise()
    if not sender.add(url):
        raise ValueError("unusable URL")
    if not sender.notify(title=title, body=body):
        raise ConnectionError("the service did not accept the message")


def _deliver_now(path: Path, urls: tuple[str, ...], now: datetime, result: list[int]) -> None:
    by_target = {target_of(u): u for u in urls}
    conn = store.open_incidents(path)
    try:
        for row in store.due(conn, iso(now)):
            url = by_target.get(row.target)
            if url is None:
                continue  # a target this command was not given: left for one that is
            try:
                _send(url, row.title, row.body)
            except Exception as exc:  # any failure of any plugin: logged, retried later
                delay = min(RETRY_MAX, timedelta(minutes=2 ** min(row.attempts, 6)))
                store.mark_failed(conn, row.id, error=type(exc).__name__, retry_at=iso(now + delay))
                log.warning(msg("notify.failed", target=row.target, detail=type(exc).__name__))
                result[1] += 1
            else:
                store.mark_sent(conn, row.id, iso(datetime.now(UTC)))
                result[0] += 1
        result[2] = store.pending_count(conn)
    finally:
        conn.close()


def deliver(
    paths: Paths, urls: tuple[str, ...], now: datetime, *, deadline: float = DELIVERY_DEADLINE
) -> Delivery:
    """Send what is due, in a background thread given at most ``deadline`` seconds."""
    result = [0, 0, 0]
    if not urls:
        return Delivery(0, 0, 0)

    def work() -> None:
        try:
            _deliver_now(incidents_file(paths), urls, now, result)
        except (BlockerError, OSError, sqlite3.Error) as exc:
            log.warning(msg("notify.failed", target="outbox", detail=exc))

    thread = threading.Thread(target=work, name="twitter-blocker-notify", daemon=True)
    thread.start()
    thread.join(deadline)
    return Delivery(*result)


def after_check(
    paths: Paths,
    seen: Seen,
    urls: tuple[str, ...],
    *,
    now: datetime | None = None,
    run_end: tuple[str, str] | None = None,
) -> list[Change]:
    """Record one check's findings, queue the messages, deliver. Never raises.

    ``run_end``: (title, body) of a run that ended other than done.
    """
    moment = (now or datetime.now(UTC)).astimezone(UTC)
    changes: list[Change] = []
    if not incidents_file(paths).exists() and not seen.observations and not urls:
        return changes  # nothing to record, nothing open to close: no file is created
    try:
        secrets = known_secrets(paths)
        conn = store.open_incidents(incidents_file(paths))
        try:
            changes = record(conn, seen, moment)
            for change in changes:
                title, body = change_message(change, paths)
                number = change.incident.id
                _enqueue(conn, change.kind, number, urls, title, body, secrets=secrets, now=moment)
            if run_end is not None and urls:
                _enqueue(conn, "run", None, urls, *run_end, secrets=secrets, now=moment)
        finally:
            conn.close()
    except (BlockerError, OSError, sqlite3.Error) as exc:
        log.warning(msg("notify.failed", target="incidents", detail=exc))
        return changes
    deliver(paths, urls, moment, deadline=DELIVERY_DEADLINE)
    return changes


def send_changes(
    paths: Paths, changes: list[Change], urls: tuple[str, ...], *, now: datetime | None = None
) -> None:
    """Queue and deliver the messages of changes made by hand (``incident close``)."""
    moment = (now or datetime.now(UTC)).astimezone(UTC)
    try:
        secrets = known_secrets(paths)
        conn = store.open_incidents(incidents_file(paths))
        try:
            for change in changes:
                title, body = change_message(change, paths)
                number = change.incident.id
                _enqueue(conn, change.kind, number, urls, title, body, secrets=secrets, now=moment)
        finally:
            conn.close()
    except (BlockerError, OSError, sqlite3.Error) as exc:
        log.warning(msg("notify.failed", target="incidents", detail=exc))
        return
    deliver(paths, urls, moment, deadline=DELIVERY_DEADLINE)
