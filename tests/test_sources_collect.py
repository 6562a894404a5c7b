"""Chain sources: the emulator's graph and timelines, and ``collect`` for every source kind
(equal to the emulator's truth as a set; resumable; likers of someone else's post refused)."""

from __future__ import annotations

import csv
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from test_cli_support import (
    World,
    _restore_process_state,  # noqa: F401  (autouse fixture)
    invoke,
    make_world,
)

from twitter_blocker.emulator import Emulator

Factory = Callable[..., Emulator]


def control(world: World, path: str) -> Any:
    reply = httpx.get(f"{world.emu.base_url}/__emulator__/{path}", timeout=10)
    reply.raise_for_status()
    return reply.json()


def _world(factory: Factory, tmp_path: Path, **config: Any) -> World:
    return make_world(factory, tmp_path, population=config.pop("population", 400), **config)


def _collected(path: Path) -> list[str]:
    if path.suffix == ".json":
        users: list[str] = json.loads(path.read_text())["users"]
        return users
    with path.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    return [r["user_id"] for r in rows]


def _truths(world: World) -> dict[str, set[str]]:
    overview = control(world, "graph")
    people = world.emu.world.population.people
    hub = people[overview["hubs"][0]["user_id"]].screen_name
    small = people[overview["hubs"][2]["user_id"]].screen_name
    edges = control(world, f"graph/{hub}")
    viewer = str(world.truth["viewer"]["user_id"])
    foreign = next(p for p in overview["posts"] if p["author_id"] != viewer)["id"]
    own = next(p for p in overview["posts"] if p["author_id"] == viewer)["id"]
    post = control(world, f"posts/{foreign}")
    list_id = overview["lists"][1]["id"]
    members = set(control(world, f"posts/{list_id}")["members"])
    return {
        f"followers:@{hub}": set(edges["followers"]),
        f"following:@{hub}": set(edges["following"]),
        f"verified-followers:@{hub}": set(edges["verified_followers"]),
        f"followers:@{small}": set(control(world, f"graph/{small}")["followers"]),
        f"retweeters:https://x.com/{hub}/status/{foreign}": set(post["retweeters"]),
        f"quoters:{foreign}": set(post["quoters"]),
        f"repliers:{foreign}": set(post["repliers"]),
        f"list-members:https://x.com/i/lists/{list_id}": members,
        f"likers:{own}": set(control(world, f"posts/{own}")["likers"]),
    }  # fmt: skip


def test_every_source_kind_collects_the_emulator_truth(
    tmp_path: Path, emulator_factory: Factory
) -> None:
    world = _world(emulator_factory, tmp_path)
    for i, (source, expected) in enumerate(_truths(world).items()):
        assert expected, source
        out = tmp_path / f"out{i}.{'csv' if i % 2 else 'json'}"
        result = invoke(["collect", source, "-o", str(out), *world.args()[:4]])
        assert result.exit_code == 0, (source, result.stderr)
        got = _collected(out)
        assert len(got) == len(set(got)), source  # deduplicated
        assert set(got) == expected, source
        assert f"{len(expected)} accounts collected" in result.stderr
        assert "end: " in result.stderr


def test_end_reasons_are_named(tmp_path: Path, emulator_factory: Factory) -> None:
    world = _world(emulator_factory, tmp_path)
    reasons = {
        "followers:": "end cursor",
        "verified-followers:": "three empty pages in a row",
        "retweeters:": "empty page (stopOnEmptyResponse)",
        "quoters:": "repeated cursor",
    }
    truths = _truths(world)
    for prefix, reason in reasons.items():
        source = next(s for s in truths if s.startswith(prefix))
        out = tmp_path / f"{prefix[:-1]}.csv"
        result = invoke(["collect", source, "-o", str(out), *world.args()[:4]])
        assert result.exit_code == 0, result.stderr
        assert f"end: {reason}" in result.stderr, (source, result.stderr)


def test_likers_of_someone_elses_post_are_refused_not_empty(
    tmp_path: Path, emulator_factory: Factory
) -> None:
    world = _world(emulator_factory, tmp_path)
    viewer = str(world.truth["viewer"]["user_id"])
    foreign = next(p for p in control(world, "graph")["posts"] if p["author_id"] != viewer)["id"]
    out = tmp_path / "likers.csv"
    result = invoke(["collect", f"likers:{foreign}", "-o", str(out), *world.args()[:4]])
    assert result.exit_code == 2
    assert "only to its author" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert not out.exists() or _collected(out) == []


@pytest.mark.parametrize("text", ["followers", "followers:", "fans:@x", "retweeters:abc"])
def test_a_bad_source_is_one_line_exit_2(
    tmp_path: Path, emulator_factory: Factory, text: str
) -> None:
    world = _world(emulator_factory, tmp_path, population=30)
    out = tmp_path / "x.csv"
    result = invoke(["collect", text, "-o", str(out), *world.args()[:4]])
    assert result.exit_code == 2
    assert "is not a source" in result.stderr
    assert not out.exists()


def test_limit_stops_at_n(tmp_path: Path, emulator_factory: Factory) -> None:
    world = _world(emulator_factory, tmp_path)
    source = next(s for s in _truths(world) if s.startswith("followers:"))
    out = tmp_path / "f.csv"
    result = invoke(["collect", source, "-o", str(out), "--limit", "75", *world.args()[:4]])
    assert result.exit_code == 0, result.stderr
    assert len(_collected(out)) == 75
    assert "end: limit reached" in result.stderr


def _killed_then_finished(
    args: list[str], cwd: Path, rng: Any, times: int, within: tuple[float, float]
) -> int:
    """Start ``args`` ``times`` times, each killed (SIGKILL) at a random instant ``within``
    seconds unless it finishes first, then once more to the end (exit 0); how many were killed."""
    import signal
    import subprocess
    import time

    from test_cli_support import start_module

    kills = 0
    for _ in range(times):  # killed at random instants (some runs may finish first)
        proc = start_module(args, cwd=cwd)
        try:
            proc.communicate(timeout=rng.uniform(*within))
        except subprocess.TimeoutExpired:
            proc.send_signal(signal.SIGKILL)
            proc.communicate()
            kills += 1
            time.sleep(0.05)
    proc = start_module(args, cwd=cwd)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err
    return kills


@pytest.mark.parametrize("suffix", [".csv", ".json"])
def test_collect_killed_at_random_instants_resumes_without_gap_or_duplicate(
    tmp_path: Path, emulator_factory: Factory, suffix: str
) -> None:
    import random

    world = _world(emulator_factory, tmp_path, population=1500)
    world.emu.set_switches(latency_ms=25)
    source = next(s for s in _truths(world) if s.startswith("followers:"))
    expected = _truths(world)[source]
    out = tmp_path / f"killed{suffix}"
    args = ["collect", source, "-o", str(out), *world.args()[:4]]
    assert _killed_then_finished(args, tmp_path, random.Random(suffix), 4, (0.5, 2.0)) >= 1
    got = _collected(out)
    assert len(got) == len(set(got))
    assert set(got) == expected


def _run_source_world(factory: Factory, tmp_path: Path) -> tuple[World, str, set[str]]:
    world = _world(factory, tmp_path)
    hub = control(world, "graph")["hubs"][1]
    people = world.emu.world.population.people
    name = people[hub["user_id"]].screen_name
    followers = set(control(world, f"graph/{name}")["followers"])
    return world, name, followers


def test_source_run_blocks_exactly_the_expected_followers(
    tmp_path: Path, emulator_factory: Factory
) -> None:
    world, name, followers = _run_source_world(emulator_factory, tmp_path)
    account = world.account()
    viewer = str(world.truth["viewer"]["user_id"])
    protected = {viewer, *account["following"], *account["followers"]}
    before = set(account["blocked"])
    expected = before | (followers - protected)
    none = tmp_path / "no-list.json"
    result = invoke(
        world.args("--source", f"followers:@{name}", "--all", "--auto-retry", "--users-file",
                   str(none))
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    after = world.account()
    assert set(after["blocked"]) == expected
    assert all(n == 1 for n in after["block_calls"].values())
    assert followers & protected  # the protected relationships were really exercised
    # collected from the timeline with complete relationship flags: no lookup decides them; the
    # only UsersByRestIds batch is the block read-back (one per 100 blocks; engine/readback.py)
    lookups = sum(world.calls(op) for op in ("UsersByRestIds", "UserByRestId", "users/lookup"))
    new_blocks = len(expected - before)
    assert 0 < new_blocks <= 100
    assert lookups <= 1, world.emu.state()["calls"]


def test_source_run_keeps_the_source_account_unless_include_source(
    tmp_path: Path, emulator_factory: Factory
) -> None:
    world = _world(emulator_factory, tmp_path)
    account = world.account()
    viewer = str(world.truth["viewer"]["user_id"])
    protected = {viewer, *account["following"], *account["followers"], *account["blocked"]}
    graph = world.emu.world.graph
    post = next(
        p for p in graph.posts.values() if p.author_id not in protected and p.author_id != viewer
    )
    assert post.author_id in post.repliers  # the author replies in its own thread
    author = world.emu.world.population.people[post.author_id].screen_name
    source = f"repliers:https://x.com/{author}/status/{post.post_id}"
    none = tmp_path / "no-list.json"
    base = world.args("--source", source, "--all", "--users-file", str(none), "--skip-verified")
    result = invoke(base)
    assert result.exit_code == 0, result.stderr
    blocked = set(world.account()["blocked"])
    assert post.author_id not in blocked
    assert not (blocked & graph.verified & set(post.repliers))
    assert blocked & set(post.repliers)  # the others were blocked
    again = invoke([*base, "--include-source"])
    assert again.exit_code == 0, again.stderr
    assert post.author_id in set(world.account()["blocked"])


def test_collect_is_paced_by_the_operations_own_window_without_429(
    tmp_path: Path, emulator_factory: Factory
) -> None:
    world = _world(emulator_factory, tmp_path, population=400, limits={"Followers": 2})
    source = next(s for s in _truths(world) if s.startswith("followers:"))
    expected = _truths(world)[source]
    out = tmp_path / "paced.csv"
    result = invoke(["collect", source, "-o", str(out), *world.args()[:4]])
    assert result.exit_code == 0, result.stderr
    assert set(_collected(out)) == expected
    statuses = world.emu.state()["calls"]["Followers"]
    assert "429" not in statuses and statuses["200"] >= 3  # more pages than one window holds
    assert "window is spent; waiting" in result.stderr
    windows = world.emu.state()["windows"]
    viewer = str(world.truth["viewer"]["user_id"])
    assert windows[viewer]["Followers"] >= 2


def test_source_run_without_relationship_flags_on_the_timeline_looks_them_up(
    tmp_path: Path, emulator_factory: Factory
) -> None:
    world, name, followers = _run_source_world(emulator_factory, tmp_path)
    world.emu.set_switches(relationships_moved=True)
    account = world.account()
    viewer = str(world.truth["viewer"]["user_id"])
    protected = {viewer, *account["following"], *account["followers"]}
    before = set(account["blocked"])
    none = tmp_path / "no-list.json"
    result = invoke(
        world.args("--source", f"followers:@{name}", "--all", "--auto-retry", "--users-file",
                   str(none))
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert set(world.account()["blocked"]) == before | (followers - protected)
    assert world.calls("friendships/lookup") + world.calls("friendships/show") >= 1


def test_source_run_killed_at_random_instants_resumes_to_exactly_the_expected_blocks(
    tmp_path: Path, emulator_factory: Factory
) -> None:
    import random

    world, name, followers = _run_source_world(emulator_factory, tmp_path)
    world.emu.set_switches(latency_ms=20)
    account = world.account()
    viewer = str(world.truth["viewer"]["user_id"])
    protected = {viewer, *account["following"], *account["followers"]}
    expected = set(account["blocked"]) | (followers - protected)
    none = tmp_path / "no-list.json"
    args = world.args("--source", f"followers:@{name}", "--all", "--auto-retry", "--users-file",
                      str(none))  # fmt: skip
    assert _killed_then_finished(args, tmp_path, random.Random(7), 3, (1.0, 2.5)) >= 1
    after = world.account()
    assert set(after["blocked"]) == expected
    assert all(n == 1 for n in after["block_calls"].values())


def test_collect_without_output_writes_csv_to_stdout(
    tmp_path: Path, emulator_factory: Factory
) -> None:
    world = _world(emulator_factory, tmp_path)
    source, expected = next((s, t) for s, t in _truths(world).items() if s.startswith("list-"))
    result = invoke(["collect", source, *world.args()[:4]])
    assert result.exit_code == 0, result.stderr
    rows = list(csv.DictReader(result.stdout.splitlines()))
    assert {r["user_id"] for r in rows} == expected
    assert {r["source"] for r in rows} == {source.split("https")[0] + source.split("/")[-1]}


def test_collect_past_max_wait_stops_75_and_resumes(
    tmp_path: Path, emulator_factory: Factory
) -> None:
    world = _world(emulator_factory, tmp_path, population=400, limits={"Followers": 1})
    source = next(s for s in _truths(world) if s.startswith("followers:"))
    expected = _truths(world)[source]
    out = tmp_path / "stopped.csv"
    args = ["collect", source, "-o", str(out), *world.args()[:4]]
    stopped = invoke([*args, "--max-wait", "0"])
    assert stopped.exit_code == 75, stopped.stderr
    assert "run the same command again to resume" in stopped.stderr
    part = _collected(out)
    assert 0 < len(part) < len(expected)
    done = invoke(args)
    assert done.exit_code == 0, done.stderr
    got = _collected(out)
    assert got[: len(part)] == part and set(got) == expected and len(got) == len(set(got))


def test_two_sources_and_the_users_file_in_one_run(
    tmp_path: Path, emulator_factory: Factory
) -> None:
    from twitter_blocker.verify import expected_blocked_ids

    world = _world(emulator_factory, tmp_path)
    truths = _truths(world)
    followers = next(t for s, t in truths.items() if s.startswith("followers:@"))
    quoters_source, quoters = next((s, t) for s, t in truths.items() if s.startswith("quoters:"))
    fsource = next(s for s in truths if s.startswith("followers:@"))
    account = world.account()
    viewer = str(world.truth["viewer"]["user_id"])
    protected = {viewer, *account["following"], *account["followers"]}
    listed = expected_blocked_ids(world.truth)
    expected = set(account["blocked"]) | listed | ((followers | quoters) - protected)
    result = invoke(world.args("--source", fsource, "--source", quoters_source, "--all"))
    assert result.exit_code == 0, result.stderr
    after = world.account()
    assert set(after["blocked"]) == expected
    assert all(n == 1 for n in after["block_calls"].values())


def test_collect_quoters_when_search_answers_post_only(
    tmp_path: Path, emulator_factory: Factory
) -> None:
    world = _world(emulator_factory, tmp_path)
    world.emu.set_switches(post_operations=["SearchTimeline"], tid_strict=True)
    source, expected = next((s, t) for s, t in _truths(world).items() if s.startswith("quoters:"))
    out = tmp_path / "q.csv"
    result = invoke(["collect", source, "-o", str(out), *world.args()[:4]])
    assert result.exit_code == 0, result.stderr
    assert set(_collected(out)) == expected
