"""The emulator's mutable state: accounts, relationships, blocks, counters and rate windows.

Handlers run on the server's event loop while tests read state from their own thread, so every
read and write goes through ``World.lock``.
"""

from __future__ import annotations

import random
import threading
import time
from collections import Counter, defaultdict, deque
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any

from .config import EmulatorConfig
from .graph import Graph, build
from .limits import RateWindows
from .population import Person, Population, generate, new_cookies


class AccountState(StrEnum):
    ACTIVE = "active"
    LOCKED = "locked"  # 326 until unlocked through the control API
    SUSPENDED = "suspended"  # 64


@dataclass(slots=True)
class Account:
    index: int
    person: Person
    auth_token: str | None  # None once the session is killed, until renewed
    ct0: str
    state: AccountState = AccountState.ACTIVE
    following: set[str] = field(default_factory=set)
    followers: set[str] = field(default_factory=set)
    blocked: dict[str, None] = field(default_factory=dict)  # insertion-ordered set
    muted: dict[str, None] = field(default_factory=dict)  # insertion-ordered set
    block_calls: Counter[str] = field(default_factory=Counter)
    recent_blocks: deque[float] = field(default_factory=deque)
    blocks_since_unlock: int = 0
    generation: int = 0

    @property
    def user_id(self) -> str:
        return self.person.user_id


class World:
    def __init__(self, config: EmulatorConfig) -> None:
        self.config = config
        self.switches = config.switches
        self.lock = threading.RLock()
        self.population: Population = generate(config)
        self.chaos_rng = random.Random(f"emulator-chaos-{config.seed}")
        self._initial_switches = replace(config.switches)
        self.accounts: list[Account] = []
        self.by_token: dict[str, Account] = {}
        self.by_viewer_id: dict[str, Account] = {}
        self.calls: defaultdict[str, Counter[str]] = defaultdict(Counter)
        # user lookups served, per viewer index: user id or lower-cased handle -> times asked
        self.looked_up: defaultdict[int, Counter[str]] = defaultdict(Counter)
        self.windows = RateWindows(config.window_seconds)
        self.seen_tids: set[str] = set()  # transaction ids already used (replays are refused)
        # called with a viewer index after its cookies change (renewal, reset), outside the lock;
        # the server uses it to rewrite the fixture's cookie files
        self.cookies_changed: Callable[[int], None] | None = None
        self._graph: Graph | None = None  # built on first use (graph.py)
        self._load_accounts()

    @property
    def graph(self) -> Graph:
        if self._graph is None:
            self._graph = build(self.population, self.config.seed, self.config.graph_hubs)
        return self._graph

    def _load_accounts(self) -> None:
        self.accounts = [
            Account(
                index=seed.index,
                person=seed.person,
                auth_token=seed.auth_token,
                ct0=seed.ct0,
                following=set(seed.following),
                followers=set(seed.followers),
                blocked=dict.fromkeys(sorted(seed.blocked)),
            )
            for seed in self.population.viewers
        ]
        self.by_token = {a.auth_token: a for a in self.accounts if a.auth_token is not None}
        self.by_viewer_id = {a.user_id: a for a in self.accounts}

    # --- control --------------------------------------------------------------------------
    def reset(self) -> None:
        """Back to the state right after start: relationships, cookies, counters, windows."""
        with self.lock:
            self._load_accounts()
            self.calls.clear()
            self.looked_up.clear()
            self.windows.clear()
            self.seen_tids.clear()
            self.chaos_rng = random.Random(f"emulator-chaos-{self.config.seed}")
            self.switches.update(**self._initial_switches.as_dict())
        self._notify_cookies(*range(len(self.accounts)))

    def _notify_cookies(self, *indexes: int) -> None:
        if self.cookies_changed is not None:
            for index in indexes:
                self.cookies_changed(index)

    def account(self, viewer_index: int) -> Account:
        if not 0 <= viewer_index < len(self.accounts):
            raise KeyError(viewer_index)
        return self.accounts[viewer_index]

    def renew_cookies(self, viewer_index: int) -> Account:
        """A fresh login: new auth_token and ct0; the old token stops working."""
        with self.lock:
            account = self.account(viewer_index)
            if account.auth_token is not None:
                self.by_token.pop(account.auth_token, None)
            account.generation += 1
            rng = random.Random(
                f"emulator-login-{self.config.seed}-{viewer_index}-{account.generation}"
            )
            account.auth_token, account.ct0 = new_cookies(rng)
            self.by_token[account.auth_token] = account
            account.recent_blocks.clear()
        self._notify_cookies(viewer_index)
        return account

    def rotate_ct0(self, viewer_index: int) -> str:
        """X issues the session a new ct0 (served on the next 353 when ``ct0_strict`` is on)."""
        with self.lock:
            account = self.account(viewer_index)
            account.generation += 1
            rng = random.Random(
                f"emulator-ct0-{self.config.seed}-{viewer_index}-{account.generation}"
            )
            account.ct0 = new_cookies(rng)[1]
            return account.ct0

    def kill_session(self, account: Account) -> None:
        with self.lock:
            if account.auth_token is not None:
                self.by_token.pop(account.auth_token, None)
            account.auth_token = None

    def set_account_state(self, viewer_index: int, state: AccountState | str) -> None:
        with self.lock:
            account = self.account(viewer_index)
            account.state = AccountState(state)
            if account.state is AccountState.ACTIVE:
                account.blocks_since_unlock = 0

    # --- requests -------------------------------------------------------------------------
    def record_call(self, operation: str, status: int | str) -> None:
        with self.lock:
            self.calls[operation][str(status)] += 1

    def note_lookups(self, account: Account, keys: list[str]) -> None:
        with self.lock:
            self.looked_up[account.index].update(k.lower() for k in keys)

    def lookups(self) -> dict[int, dict[str, int]]:
        """Per viewer index: each user id or lower-cased handle -> how often it was looked up."""
        with self.lock:
            return {index: dict(counts) for index, counts in self.looked_up.items()}

    def note_block(self, account: Account, target_id: str, now: float | None = None) -> None:
        """Apply a successful blocks/create and the failure switches that count blocks."""
        now = time.time() if now is None else now
        with self.lock:
            account.block_calls[target_id] += 1
            account.blocked[target_id] = None
            account.following.discard(target_id)  # blocking ends both follow edges
            account.followers.discard(target_id)
            account.blocks_since_unlock += 1
            sw = self.switches
            locks = sw.lock_viewer is None or sw.lock_viewer == account.index
            if locks and sw.lock_after is not None and account.blocks_since_unlock >= sw.lock_after:
                account.state = AccountState.LOCKED
            if sw.session_kill_after is not None:
                account.recent_blocks.append(now)
                while (
                    account.recent_blocks
                    and account.recent_blocks[0] <= now - sw.session_kill_window
                ):
                    account.recent_blocks.popleft()
                if len(account.recent_blocks) >= sw.session_kill_after:
                    self.kill_session(account)

    def note_unblock(self, account: Account, target_id: str) -> None:
        with self.lock:
            account.blocked.pop(target_id, None)

    def state(self) -> dict[str, Any]:
        with self.lock:
            return {
                "calls": {op: dict(counts) for op, counts in self.calls.items()},
                "accounts": {
                    a.user_id: {
                        "index": a.index,
                        "screen_name": a.person.screen_name,
                        "state": str(a.state),
                        "session": "valid" if a.auth_token is not None else "killed",
                        "blocked": list(a.blocked),
                        "muted": list(a.muted),
                        "block_calls": dict(a.block_calls),
                        "following": sorted(a.following),
                        "followers": sorted(a.followers),
                    }
                    for a in self.accounts
                },
                "windows": self.windows.snapshot(),
                "switches": self.switches.as_dict(),
            }
