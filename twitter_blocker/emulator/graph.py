"""The follower graph, posts and lists of the emulated world, deterministic from the seed.

A few large accounts ("hubs": by default 60 %, 25 % and 10 % of the active people follow them)
and many small ones (each active person follows 0-3 others). Each hub has one post with
retweeters, quoters and repliers (a replier may reply twice; the author replies in its own
thread) and one list; the primary viewer
has one post whose likers only it can see (likes are private since June 2024; docs/EMULATOR.md).
Only active people (protected ones included) are in the graph: the timelines serve every
edge, so the control routes' ids are exactly what a complete collect must find.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from .population import Population, Status

DEFAULT_HUB_SHARES = (0.60, 0.25, 0.10)


@dataclass(slots=True)
class Post:
    post_id: str
    author_id: str
    retweeters: list[str] = field(default_factory=list)
    quoters: list[str] = field(default_factory=list)
    # (reply tweet id, author id), newest first; an author may appear twice
    replies: list[tuple[str, str]] = field(default_factory=list)
    likers: list[str] = field(default_factory=list)

    @property
    def repliers(self) -> list[str]:
        return list(dict.fromkeys(author for _, author in self.replies))


@dataclass(slots=True)
class Graph:
    followers: dict[str, list[str]]  # user id -> follower ids, newest first
    following: dict[str, list[str]]
    hubs: list[str]
    posts: dict[str, Post]
    lists: dict[str, list[str]]  # list id -> member ids
    verified: frozenset[str]

    def followers_of(self, user_id: str) -> list[str]:
        return self.followers.get(user_id, [])

    def following_of(self, user_id: str) -> list[str]:
        return self.following.get(user_id, [])


def is_verified(user_id: str) -> bool:
    """About one account in eight has a blue check [inf: the share]."""
    return int(user_id[-4:]) % 8 == 3


def build(population: Population, seed: int, hub_followers: tuple[int, ...] = ()) -> Graph:
    rng = random.Random(f"emulator-graph-{seed}")
    viewer_ids = {v.person.user_id for v in population.viewers}
    active = [p.user_id for p in population.people.values() if p.status is Status.ACTIVE]
    others = [u for u in active if u not in viewer_ids]
    n_hubs = len(hub_followers) if hub_followers else len(DEFAULT_HUB_SHARES)
    hubs = others[:n_hubs]
    followers: dict[str, list[str]] = {}
    following: dict[str, list[str]] = {}

    def edge(follower: str, followed: str) -> None:
        followers.setdefault(followed, []).append(follower)
        following.setdefault(follower, []).append(followed)

    for i, hub in enumerate(hubs):
        pool = [u for u in active if u != hub]
        size = hub_followers[i] if hub_followers else int(len(pool) * DEFAULT_HUB_SHARES[i])
        for follower in rng.sample(pool, min(size, len(pool))):
            edge(follower, hub)
    small = [u for u in active if u not in hubs]
    for person in small:
        for followed in rng.sample(small, min(len(small), rng.randint(0, 3))):
            if followed != person:
                edge(person, followed)
    if hubs:  # the largest hub follows many (Following pages of ~60-70)
        for followed in rng.sample(small, min(len(small), 150)):
            edge(hubs[0], followed)

    def new_id(base: int) -> str:
        return str(base + rng.getrandbits(56))

    def some(low: int, high: int) -> list[str]:
        return rng.sample(active, min(len(active), rng.randint(low, high)))

    posts: dict[str, Post] = {}
    lists: dict[str, list[str]] = {}
    for hub in hubs:
        post = Post(new_id(1_800_000_000_000_000_000), hub, some(30, 120), some(10, 45))
        post.replies.append((new_id(1_810_000_000_000_000_000), hub))  # a thread by its author
        for author in some(10, 45):
            post.replies.append((new_id(1_810_000_000_000_000_000), author))
            if rng.random() < 0.2:
                post.replies.append((new_id(1_810_000_000_000_000_000), author))
        post.likers = some(10, 40)  # hidden from everyone but the author
        posts[post.post_id] = post
        lists[new_id(1_700_000_000_000_000_000)] = some(15, 130)
    if population.viewers:
        own = Post(new_id(1_800_000_000_000_000_000), population.viewers[0].person.user_id)
        own.likers = some(25, 60)
        posts[own.post_id] = own
    return Graph(
        followers=followers,
        following=following,
        hubs=hubs,
        posts=posts,
        lists=lists,
        verified=frozenset(u for u in active if is_verified(u)),
    )
