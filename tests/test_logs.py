"""Logging: UTC timestamps and levels, secrets masked in the log and error_log.jsonl."""

from __future__ import annotations

import json
import logging
import stat
import threading
from pathlib import Path

import pytest

from twitter_blocker import logs
from twitter_blocker.config import resolve_paths

AUTH = "a1b2c3d4e5f60718293a4b5c6d7e8f9012345678"
CT0 = "f" * 40 + "0123456789abcdef" * 4


def test_log_lines_have_utc_timestamp_level_and_no_secrets(tmp_path: Path) -> None:
    paths = resolve_paths(data_dir=tmp_path, env={})
    logger = logs.setup_logging(paths, debug=True)
    try:
        log = logging.getLogger("twitter_blocker.engine")
        log.info("cookie header: auth_token=%s; ct0=%s", AUTH, CT0)
        log.warning("headers {'x-csrf-token': '%s'}", CT0)
        log.debug("Cookie: lang=en; twid=u%%3D42")
        logs.register_secret("s3cr3t-value-xyz")
        log.error("leaked s3cr3t-value-xyz in a message")
        try:
            raise ValueError(f"auth_token={AUTH}")
        except ValueError:
            log.exception("boom")
    finally:
        for handler in list(logger.handlers):
            handler.flush()
    text = paths.log_file.read_text()
    assert AUTH not in text and CT0 not in text and "s3cr3t-value-xyz" not in text
    assert "twid=u%3D42" not in text
    lines = [line for line in text.splitlines() if line.startswith("20")]
    assert len(lines) == 5
    first = lines[0].split()
    assert first[0].endswith("Z") and "T" in first[0]
    assert first[1] == "INFO"
    assert "auth_token=***" in lines[0]
    assert any(line.split()[1] == "WARNING" for line in lines)
    assert stat.S_IMODE(paths.log_file.stat().st_mode) == 0o600


def test_info_level_hides_debug(tmp_path: Path) -> None:
    paths = resolve_paths(data_dir=tmp_path, env={})
    logs.setup_logging(paths, debug=False)
    logging.getLogger("twitter_blocker.x").debug("hidden detail")
    logging.getLogger("twitter_blocker.x").info("shown")
    text = paths.log_file.read_text()
    assert "shown" in text and "hidden detail" not in text


def test_the_log_rolls_over_at_its_size_and_keeps_every_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(logs, "MAX_BYTES", 2_000)
    paths = resolve_paths(data_dir=tmp_path, env={})
    logger = logs.setup_logging(paths)
    try:
        for i in range(60):
            logging.getLogger("twitter_blocker.engine").info("decision %03d %s", i, "x" * 40)
    finally:
        logs.setup_logging(resolve_paths(data_dir=tmp_path / "other", env={}))
    files = [paths.log_file, *sorted(paths.log_file.parent.glob(paths.log_file.name + ".*"))]
    assert len(files) >= 3
    assert all(f.stat().st_size <= 2_000 for f in files)
    found = sorted(
        int(line.split("decision ")[1][:3])
        for f in files
        for line in f.read_text().splitlines()
        if "decision" in line
    )
    assert found == list(range(60))  # each line once, none lost to a rollover
    assert logger.handlers


def test_error_log_is_jsonl_redacted_and_private(tmp_path: Path) -> None:
    path = tmp_path / "error_log.jsonl"
    errors = logs.ErrorLog(path)
    errors.write({"operation": "blocks/create", "http_status": 503, "message": "LoadShed"})
    errors.write_many(
        [
            {"operation": "UsersByRestIds", "message": f"bad ct0={CT0}"},
            {"operation": "Viewer", "message": f"Cookie: auth_token={AUTH}; ct0={CT0}"},
        ]
    )
    lines = path.read_text().splitlines()
    assert len(lines) == 3
    entries = [json.loads(line) for line in lines]
    assert entries[0]["http_status"] == 503
    assert AUTH not in path.read_text() and CT0 not in path.read_text()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_redact_keeps_harmless_text() -> None:
    assert logs.redact("blocked 12345 (screen_name=alice)") == "blocked 12345 (screen_name=alice)"
    assert logs.redact('{"ct0": "abcdef123456"}') == '{"ct0": "***"}'


def test_account_logs_get_their_own_records_whole_and_the_processs_in_each(
    tmp_path: Path,
) -> None:
    # the router takes no lock of its own: records written from many threads at once still
    # land whole, each in the file of the account it names (logs.ACCOUNT), redacted; records
    # of no account go to every file
    accounts = [(f"account:{i}", resolve_paths(data_dir=tmp_path / str(i), env={})) for i in (0, 1)]
    logger = logs.setup_account_logging(accounts)
    log = logging.getLogger("twitter_blocker.engine")

    def write(i: int) -> None:
        logs.ACCOUNT.set(accounts[i][0])  # as each account's task does
        for n in range(300):
            log.info("acct %d line %d auth_token=%s", i, n, AUTH)

    threads = [
        threading.Thread(target=write, args=(i,), name=name) for i, (name, _) in enumerate(accounts)
    ]
    try:
        for t in threads:
            t.start()
        log.info("from the main thread")
        for t in threads:
            t.join()
    finally:
        for handler in list(logger.handlers):
            handler.flush()
            logger.removeHandler(handler)
            handler.close()
    for i, (_, paths) in enumerate(accounts):
        lines = paths.log_file.read_text(encoding="utf-8").splitlines()
        ours = [line for line in lines if f"acct {i} line " in line]
        assert len(ours) == 300 and all(line.startswith("20") for line in lines)
        assert not [line for line in lines if f"acct {1 - i} " in line]
        assert sum("from the main thread" in line for line in lines) == 1
        assert AUTH not in "\n".join(lines)


def test_the_time_of_each_record_is_its_own_second_and_millisecond() -> None:
    """The formatter keeps the text of the last second: records of the same second, of the
    next one and of an earlier one each read their own time."""
    formatter = logs.UTCFormatter(logs.FORMAT)

    def stamp(created: float) -> str:
        record = logging.LogRecord("t", logging.INFO, __file__, 1, "m", None, None)
        record.created, record.msecs = created, (created - int(created)) * 1000
        return formatter.formatTime(record)

    assert stamp(1_796_000_000.5) == "2026-11-30T00:53:20.500Z"
    assert stamp(1_796_000_000.999) == "2026-11-30T00:53:20.999Z"
    assert stamp(1_796_000_001.0) == "2026-11-30T00:53:21.000Z"
    assert stamp(1_795_999_999.25) == "2026-11-30T00:53:19.250Z"
