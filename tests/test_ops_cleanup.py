"""cleanup over a real data directory: rotated logs, old JSON cache, the cache database."""

from __future__ import annotations

import gzip
import json
import os
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from click.testing import CliRunner

from twitter_blocker.cli.run import root
from twitter_blocker.config import Paths, resolve_paths
from twitter_blocker.ops.maintenance.cleanup import Action, cleanup
from twitter_blocker.store.cache import Cache

NOW = datetime(2026, 11, 29, 2, 0, tzinfo=UTC)


def age(path: Path, days: float) -> None:
    moment = (NOW - timedelta(days=days)).timestamp()
    os.utime(path, (moment, moment))


def setup_dir(tmp_path: Path) -> Paths:
    paths = resolve_paths(data_dir=tmp_path, env={})
    paths.log_file.write_text("live log line\n" * 100)
    age(paths.log_file, 30)  # old, but live: never touched
    recent = tmp_path / "twitter_blocker.log.1"
    recent.write_text("rotated line\n" * 1000)
    age(recent, 1)
    old = tmp_path / "twitter_blocker.log.2"
    old.write_text("old rotated\n" * 10)
    age(old, 8)
    old_gz = tmp_path / "twitter_blocker.log.3.gz"
    old_gz.write_bytes(gzip.compress(b"older"))
    age(old_gz, 7.01)
    kept_gz = tmp_path / "twitter_blocker.log.4.gz"
    kept_gz.write_bytes(gzip.compress(b"newer"))
    age(kept_gz, 6.99)
    paths.error_log.write_text('{"x": 1}\n')
    age(paths.error_log, 30)
    (tmp_path / "other.log").write_text("not ours")
    age(tmp_path / "other.log", 30)
    for layer, name in (("lookups", "alice.json"), ("profiles", "123.json")):
        (paths.cache_dir / layer).mkdir(parents=True)
        (paths.cache_dir / layer / name).write_text(json.dumps({"x": 1}))
    (paths.cache_dir / "relationships" / "42").mkdir(parents=True)
    (paths.cache_dir / "relationships" / "42" / "7.json").write_text("{}")
    return paths


def test_dry_run_changes_nothing(tmp_path: Path) -> None:
    paths = setup_dir(tmp_path)
    before = sorted(str(p) for p in tmp_path.rglob("*"))
    result = cleanup(paths, dry_run=True, now=NOW)
    assert sorted(str(p) for p in tmp_path.rglob("*")) == before
    assert result.size_after is None
    kinds = {(s.action, s.path.name) for s in result.steps}
    assert (Action.COMPRESS, "twitter_blocker.log.1") in kinds
    assert (Action.DELETE_LOG, "twitter_blocker.log.2") in kinds


def test_cleanup_compresses_deletes_and_keeps_what_it_must(tmp_path: Path) -> None:
    paths = setup_dir(tmp_path)
    result = cleanup(paths, now=NOW)
    names = {p.name for p in tmp_path.iterdir()}
    assert "twitter_blocker.log" in names  # the live log is never touched
    assert "error_log.jsonl" in names and "other.log" in names
    assert "twitter_blocker.log.1" not in names
    stamp = (NOW - timedelta(days=1)).strftime("%Y%m%dT%H%M%SZ")
    archive = tmp_path / f"twitter_blocker.log.{stamp}.gz"
    assert gzip.decompress(archive.read_bytes()) == b"rotated line\n" * 1000
    assert "twitter_blocker.log.2" not in names  # older than 7 days
    assert "twitter_blocker.log.3.gz" not in names
    assert "twitter_blocker.log.4.gz" in names  # younger than 7 days
    assert not (paths.cache_dir / "lookups").exists()
    assert not (paths.cache_dir / "relationships").exists()
    assert result.size_after is not None and result.size_after < result.size_before


def test_keep_days_is_honoured(tmp_path: Path) -> None:
    paths = setup_dir(tmp_path)
    cleanup(paths, now=NOW, keep_days=30)
    stamp = (NOW - timedelta(days=8)).strftime("%Y%m%dT%H%M%SZ")
    assert (tmp_path / f"twitter_blocker.log.{stamp}.gz").exists()  # compressed, not deleted


def test_archives_are_never_overwritten_when_the_handler_reuses_names(tmp_path: Path) -> None:
    paths = setup_dir(tmp_path)
    cleanup(paths, now=NOW)
    rotated = tmp_path / "twitter_blocker.log.1"  # the handler rotated again
    rotated.write_text("second rotation\n")
    age(rotated, 0.5)
    cleanup(paths, now=NOW)
    archives = sorted(tmp_path.glob("twitter_blocker.log.2026*.gz"))
    contents = {gzip.decompress(p.read_bytes()) for p in archives}
    assert contents == {b"rotated line\n" * 1000, b"second rotation\n"}
    # archives age out like any rotated log
    later = cleanup(paths, now=NOW + timedelta(days=30))
    assert {s.action for s in later.steps} == {Action.DELETE_LOG}
    assert not list(tmp_path.glob("twitter_blocker.log.2026*.gz"))


def test_large_files_are_listed(tmp_path: Path) -> None:
    paths = setup_dir(tmp_path)
    big = tmp_path / "big.bin"
    big.write_bytes(b"\0" * 30000)
    result = cleanup(paths, dry_run=True, now=NOW, large_threshold=20000)
    assert [p for p, _size in result.large_files] == [big]


def test_expired_cache_entries_are_purged(tmp_path: Path) -> None:
    paths = resolve_paths(data_dir=tmp_path, env={})
    paths.cache_dir.mkdir()
    old_clock = time.time() - 40 * 86400
    with Cache.open(paths.cache_db, clock=lambda: old_clock) as cache:
        cache.put_ids([("alice", "1"), ("bob", "2")])
    with Cache.open(paths.cache_db) as cache:
        cache.put_ids([("carol", "3")])
    dry = cleanup(paths, dry_run=True)
    assert dry.cache_entries_purged == 2
    result = cleanup(paths)
    assert result.cache_entries_purged == 2
    with Cache.open(paths.cache_db) as cache:
        assert cache.get_ids(["alice", "bob", "carol"]) == {"carol": "3"}
        assert cache.stats().handles == 1


def test_cli_cleanup_json(tmp_path: Path) -> None:
    setup_dir(tmp_path)
    out = CliRunner().invoke(
        root, ["cleanup", "--dry-run", "--json", "--data-dir", str(tmp_path)], env={}
    )
    assert out.exit_code == 0, out.output
    data = json.loads(out.output)
    assert data["dry_run"] is True
    assert any(step["action"] == "compress" for step in data["steps"])


def test_archives_keep_the_order_of_logs_rotated_within_one_second(tmp_path: Path) -> None:
    paths = resolve_paths(data_dir=tmp_path, env={})
    paths.log_file.write_text("live\n")
    moment = (NOW - timedelta(days=1)).timestamp()
    # .3 is the oldest rotation, .1 the newest; .3 and .2 share the same mtime exactly.
    for n, offset in ((3, 0.0), (2, 0.0), (1, 0.5)):
        rotated = tmp_path / f"twitter_blocker.log.{n}"
        rotated.write_text(f"rotation {n}\n")
        os.utime(rotated, (moment + offset, moment + offset))
    cleanup(paths, now=NOW)
    archives = sorted(tmp_path.glob("twitter_blocker.log.2026*.gz"))
    stamp = (NOW - timedelta(days=1)).strftime("%Y%m%dT%H%M%SZ")
    assert all(stamp in p.name for p in archives)  # named by their own time, not the cleanup's
    contents = [gzip.decompress(p.read_bytes()).decode() for p in archives]
    assert contents == ["rotation 3\n", "rotation 2\n", "rotation 1\n"]
    later = tmp_path / "twitter_blocker.log.1"  # one more rotation in the same second
    later.write_text("rotation 0\n")
    os.utime(later, (moment + 0.9, moment + 0.9))
    cleanup(paths, now=NOW)
    archives = sorted(tmp_path.glob("twitter_blocker.log.2026*.gz"))
    assert gzip.decompress(archives[-1].read_bytes()) == b"rotation 0\n"
