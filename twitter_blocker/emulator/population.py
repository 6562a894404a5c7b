"""The emulated world's people, generated deterministically from a seed in O(n).

One ``Population`` holds every account X knows (targets and viewers), the handle index, the
target list a user would feed the blocker (with the outcome a correct blocker must reach) and,
per viewer account, its cookies and starting relationships.
"""

from __future__ import annotations

import gc
import random
from dataclasses import dataclass, field, fields
from enum import StrEnum

from .config import EmulatorConfig, PopulationMix


class Kind(StrEnum):
    ACTIVE = "active"
    PROTECTED = "protected"
    SUSPENDED = "suspended"
    DEACTIVATED = "deactivated"
    NEVER_EXISTED = "never_existed"
    FOLLOWING = "following"  # the primary viewer follows them
    FOLLOWER = "follower"  # they follow the primary viewer
    MUTUAL = "mutual"
    ALREADY_BLOCKED = "already_blocked"
    RENAMED = "renamed"  # the list carries a handle they have since given up
    CASE_VARIANT = "case_variant"  # the list carries their handle in another letter case


class Outcome(StrEnum):
    BLOCKED = "blocked"
    ALREADY_BLOCKED = "already_blocked"
    SKIPPED_FOLLOWING = "skipped_following"
    SKIPPED_FOLLOWER = "skipped_follower"
    SUSPENDED = "suspended"
    NOT_FOUND = "not_found"
    DEACTIVATED = "deactivated"


class Status(StrEnum):
    ACTIVE = "active"
    SUSPENDED = "suspended"
    DEACTIVATED = "deactivated"


@dataclass(slots=True)
class Person:
    user_id: str
    screen_name: str  # current handle, canonical case
    name: str
    created_epoch: int
    protected: bool = False
    status: Status = Status.ACTIVE

    @property
    def visible(self) -> bool:
        """Deactivated accounts look like accounts that never existed (X-FACTS.md 2.2)."""
        return self.status is not Status.DEACTIVATED


@dataclass(frozen=True, slots=True)
class Target:
    identifier: str  # the handle as written in users.json
    user_id: str | None  # None: X never assigned one (never-existed handles)
    screen_name: str | None  # current canonical handle, None if never existed
    kind: Kind
    expected: Outcome
    expected_by_id: Outcome | None  # None: not in users_ids.json


@dataclass(slots=True)
class ViewerSeed:
    index: int
    person: Person
    auth_token: str
    ct0: str
    following: set[str] = field(default_factory=set)
    followers: set[str] = field(default_factory=set)
    blocked: set[str] = field(default_factory=set)


@dataclass(slots=True)
class Population:
    people: dict[str, Person]
    by_handle: dict[str, str]  # lower-cased current handle -> user id
    targets: list[Target]
    viewers: list[ViewerSeed]

    def find_handle(self, handle: str) -> Person | None:
        user_id = self.by_handle.get(handle.lower())
        return self.people.get(user_id) if user_id is not None else None


_WORDS = (
    "ash",
    "bay",
    "bee",
    "cat",
    "cod",
    "dew",
    "elk",
    "elm",
    "fig",
    "fox",
    "gem",
    "hay",
    "ivy",
    "jay",
    "kit",
    "lark",
    "lime",
    "lynx",
    "mink",
    "moth",
    "newt",
    "oak",
    "owl",
    "pear",
    "pine",
    "plum",
    "quay",
    "reed",
    "rye",
    "sage",
    "seal",
    "sky",
    "sol",
    "tern",
    "toad",
    "vale",
    "wasp",
    "wren",
    "yak",
    "zinc",
    "ant",
    "bog",
    "cove",
    "dune",
    "fern",
    "gull",
    "hare",
    "iris",
    "jade",
    "kelp",
    "loam",
    "mist",
    "nook",
    "opal",
    "peat",
    "rain",
)

_EXPECTED: dict[Kind, tuple[Outcome, Outcome | None]] = {
    Kind.ACTIVE: (Outcome.BLOCKED, Outcome.BLOCKED),
    Kind.PROTECTED: (Outcome.BLOCKED, Outcome.BLOCKED),
    Kind.SUSPENDED: (Outcome.SUSPENDED, Outcome.SUSPENDED),
    Kind.DEACTIVATED: (Outcome.DEACTIVATED, Outcome.DEACTIVATED),
    Kind.NEVER_EXISTED: (Outcome.NOT_FOUND, None),
    Kind.FOLLOWING: (Outcome.SKIPPED_FOLLOWING, Outcome.SKIPPED_FOLLOWING),
    Kind.FOLLOWER: (Outcome.SKIPPED_FOLLOWER, Outcome.SKIPPED_FOLLOWER),
    Kind.MUTUAL: (Outcome.SKIPPED_FOLLOWING, Outcome.SKIPPED_FOLLOWING),
    Kind.ALREADY_BLOCKED: (Outcome.ALREADY_BLOCKED, Outcome.ALREADY_BLOCKED),
    Kind.RENAMED: (Outcome.NOT_FOUND, Outcome.BLOCKED),
    Kind.CASE_VARIANT: (Outcome.BLOCKED, Outcome.BLOCKED),
}

_EPOCH_2009 = 1230768000
_EPOCH_2025 = 1735689600


def kind_counts(mix: PopulationMix, n: int) -> dict[Kind, int]:
    """Whole counts per kind summing to ``n``; ``active`` takes the remainder."""
    shares = {Kind(f.name): max(0.0, float(getattr(mix, f.name))) for f in fields(mix)}
    total = sum(shares.values()) or 1.0
    counts = {kind: int(n * share / total) for kind, share in shares.items()}
    counts[Kind.ACTIVE] += n - sum(counts.values())
    return counts


def _hex(rng: random.Random, chars: int) -> str:
    return f"{rng.getrandbits(chars * 4):0{chars}x}"


def new_cookies(rng: random.Random) -> tuple[str, str]:
    """A fresh (auth_token, ct0): 40 hex chars and 160 hex chars like a logged-in session."""
    return _hex(rng, 40), _hex(rng, 160)


def generate(config: EmulatorConfig) -> Population:
    """Build the population in O(n); the cyclic GC is paused meanwhile (only acyclic objects)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        return _generate(config)
    finally:
        if was_enabled:
            gc.enable()


def _generate(config: EmulatorConfig) -> Population:
    rng = random.Random(f"emulator-population-{config.seed}")
    n = config.population
    kinds: list[Kind] = []
    for kind, count in kind_counts(config.mix, n).items():
        kinds.extend([kind] * count)
    rng.shuffle(kinds)

    people: dict[str, Person] = {}
    by_handle: dict[str, str] = {}
    targets: list[Target] = []
    taken_ids: set[str] = set()
    getrandbits = rng.getrandbits

    def new_id() -> str:
        while True:
            user_id = str(1_200_000_000_000_000_000 + getrandbits(59))
            if user_id not in taken_ids:
                taken_ids.add(user_id)
                return user_id

    viewers: list[ViewerSeed] = []
    for index in range(config.viewers):
        user_id = str(900_000_000 + 1_000 * index + rng.randrange(1_000))
        taken_ids.add(user_id)
        handle = "emu_viewer" if index == 0 else f"emu_viewer{index}"
        person = Person(
            user_id, handle, f"Emulated Viewer {index}", rng.randint(_EPOCH_2009, _EPOCH_2025)
        )
        people[user_id] = person
        by_handle[handle.lower()] = user_id
        auth_token, ct0 = new_cookies(rng)
        viewers.append(ViewerSeed(index, person, auth_token, ct0))

    primary = viewers[0]
    rand, n_words = rng.random, len(_WORDS)
    span = _EPOCH_2025 - _EPOCH_2009
    for i, kind in enumerate(kinds):
        w1 = _WORDS[int(rand() * n_words)]
        w2 = _WORDS[int(rand() * n_words)]
        if kind is Kind.NEVER_EXISTED:
            identifier = f"{w1}{w2}n{i}"
            expected, by_id = _EXPECTED[kind]
            targets.append(Target(identifier, None, None, kind, expected, by_id))
            continue
        handle = f"{w1}_{w2}{i}"
        person = Person(
            new_id(),
            handle,
            f"{w1.title()} {w2.title()}",
            _EPOCH_2009 + int(rand() * span),
            protected=kind is Kind.PROTECTED or rand() < 0.03,
        )
        if kind is Kind.SUSPENDED:
            person.status = Status.SUSPENDED
        elif kind is Kind.DEACTIVATED:
            person.status = Status.DEACTIVATED
        people[person.user_id] = person
        by_handle[handle.lower()] = person.user_id
        identifier = handle
        if kind is Kind.RENAMED:
            identifier = f"{w1}{w2}x{i}"
        elif kind is Kind.CASE_VARIANT:
            identifier = handle.upper() if handle != handle.upper() else handle.lower()
        elif kind in (Kind.FOLLOWING, Kind.MUTUAL):
            primary.following.add(person.user_id)
        if kind in (Kind.FOLLOWER, Kind.MUTUAL):
            primary.followers.add(person.user_id)
        elif kind is Kind.ALREADY_BLOCKED:
            primary.blocked.add(person.user_id)
        expected, by_id = _EXPECTED[kind]
        targets.append(Target(identifier, person.user_id, handle, kind, expected, by_id))

    _seed_other_viewers(rng, viewers[1:], targets)
    return Population(people, by_handle, targets, viewers)


def _seed_other_viewers(
    rng: random.Random, viewers: list[ViewerSeed], targets: list[Target]
) -> None:
    """Secondary viewers get their own, independent relationships with the same targets."""
    ids = [t.user_id for t in targets if t.user_id is not None]
    for viewer in viewers:
        rand = rng.random
        for user_id in ids:
            roll = rand()
            if roll < 0.03:
                viewer.following.add(user_id)
            elif roll < 0.07:
                viewer.followers.add(user_id)
            elif roll < 0.09:
                viewer.blocked.add(user_id)


# What a target's kind means for any viewer: facts about the target alone. The other kinds
# are about the primary viewer's relationships; another viewer has its own (see _outcome_for).
_FACT_KINDS = frozenset({Kind.SUSPENDED, Kind.DEACTIVATED, Kind.NEVER_EXISTED})


def _outcome_for(viewer: ViewerSeed, target: Target, outcome: Outcome | None) -> Outcome | None:
    """A secondary viewer's expected outcome: the target's own state decides first (suspended,
    gone, a handle given up), then this viewer's relationships, as for the primary one."""
    if outcome is None or target.kind in _FACT_KINDS or outcome is Outcome.NOT_FOUND:
        return outcome
    uid = target.user_id or ""
    if uid in viewer.blocked:
        return Outcome.ALREADY_BLOCKED
    if uid in viewer.following:
        return Outcome.SKIPPED_FOLLOWING
    if uid in viewer.followers:
        return Outcome.SKIPPED_FOLLOWER
    return Outcome.BLOCKED


def truth(population: Population, viewer_index: int = 0) -> dict[str, object]:
    """truth.json (truth_<n>.json for viewer n): the outcome a correct blocker must reach."""
    seed = population.viewers[viewer_index]
    viewer = seed.person

    def outcomes(t: Target) -> tuple[Outcome | None, Outcome | None]:
        if viewer_index == 0:
            return t.expected, t.expected_by_id
        return _outcome_for(seed, t, t.expected), _outcome_for(seed, t, t.expected_by_id)

    targets = []
    for t in population.targets:
        expected, by_id = outcomes(t)
        targets.append(
            {
                "identifier": t.identifier,
                "user_id": t.user_id,
                "screen_name": t.screen_name,
                "kind": str(t.kind),
                "expected": str(expected),
                "expected_by_id": None if by_id is None else str(by_id),
            }
        )
    return {
        "viewer": {"user_id": viewer.user_id, "screen_name": viewer.screen_name},
        "targets": targets,
    }
