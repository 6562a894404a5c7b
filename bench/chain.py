"""S7: collect and block the followers of one large account in one ``--source`` run.

The emulator serves a follower graph with one hub of N followers (``--graph-hub N``; 20,000
at full size, twice ``--handles`` in a reduced run). The client runs ``--source
followers:@hub --all`` with no target file. Ideal windows = max(Followers pages / 50, blocks
needed / 187): the pages and the blocks overlap when the run is pipelined.
"""

from __future__ import annotations

import math
from typing import Any

import httpx

from twitter_blocker.emulator.config import DEFAULT_LIMITS

from .client import client_command, data_dir
from .emulator import EmulatorProcess
from .figures import observe, windows_used
from .measure import run_measured
from .results import ScenarioResult, at_most, under
from .scenarios import base_result, fresh_dir, spec
from .settings import Settings

FULL_FOLLOWERS = 20_000


def followers_for(settings: Settings) -> int:
    return FULL_FOLLOWERS if not settings.quick else 2 * settings.handles


def s7(settings: Settings) -> ScenarioResult:
    n = followers_for(settings)
    population = int(n / 0.75) + 200  # about 79 % of the population is active
    workdir = fresh_dir(settings.work_dir / "S7")
    with EmulatorProcess(spec(settings, population, "--graph-hub", str(n)), workdir) as emu:
        hub = _get(emu, "/__emulator__/graph")["hubs"][0]
        handle = str(hub["screen_name"])
        truth = emu.truth()
        viewer = str(truth["viewer"]["user_id"])
        before = emu.state()
        account = before["accounts"][viewer]
        edges = _get(emu, f"/__emulator__/graph/{handle}")
        followers = set(edges["followers"])
        protected = {viewer, *account["following"], *account["followers"]}
        needed = followers - protected - set(account["blocked"])
        command = client_command(emu, workdir, workdir / "no-target-file.json")
        command += ["--source", f"followers:@{handle}", "--max-wait", "60"]
        data_dir(workdir).mkdir(parents=True, exist_ok=True)
        m = run_measured(
            command, cwd=data_dir(workdir), output=workdir / "client-S7.out",
            timeout=settings.client_timeout,
        )  # fmt: skip
        after = emu.state()
    obs = observe(before, after, viewer)
    blocked = set(after["accounts"][viewer]["blocked"]) - set(account["blocked"])
    result = base_result("S7", settings, m, len(followers))
    result.title = f"collect and block the followers of a {n:,}-follower account (--source)"
    pages = obs.calls.get("Followers", 0)
    page_limit, block_limit = DEFAULT_LIMITS["Followers"], DEFAULT_LIMITS["blocks/create"]
    ideal = max(math.ceil(pages / page_limit), math.ceil(len(needed) / block_limit), 1)
    used, fraction = windows_used(m.wall_seconds, settings.window_seconds)
    result.blocks_needed = len(needed)
    result.api_calls = dict(sorted(obs.calls.items()))
    result.api_calls_total = obs.total_calls
    result.http_statuses = obs.statuses
    result.rate_limited_429 = obs.rate_limited
    result.window_seconds = settings.window_seconds
    result.windows_used, result.windows_fraction = used, round(fraction, 3)
    result.ideal_windows = ideal
    result.windows_ratio = round(used / ideal, 3)
    result.emulator_windows = obs.windows
    result.block_calls = sum(obs.block_calls.values())
    result.limits = {"Followers": page_limit, "blocks/create": block_limit}
    missing, extra = len(needed - blocked), len(blocked - needed)
    result.notes.append(
        f"{pages} Followers pages ({math.ceil(pages / page_limit)} windows), {len(needed):,} "
        f"blocks needed ({math.ceil(len(needed) / block_limit)} windows); "
        f"{missing} expected accounts not blocked, {extra} blocked unexpectedly"
    )
    result.criteria += [
        at_most("windows used / ideal", result.windows_ratio, 1.05),
        at_most("429 answers", obs.rate_limited, 0),
        at_most("expected followers not blocked", missing, 0),
        at_most("accounts blocked that should not be", extra, 0),
        under("client peak RSS", m.peak_rss_mb, 100.0, "MB"),
    ]
    return result


def _get(emu: EmulatorProcess, path: str) -> Any:
    with httpx.Client(base_url=emu.base_url, timeout=60.0, trust_env=False) as http:
        reply = http.get(path)
        reply.raise_for_status()
        return reply.json()
