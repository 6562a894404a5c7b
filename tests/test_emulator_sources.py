"""The emulator's chain-source timelines over HTTP: graph determinism, page shapes, cursors,
end signals, transaction-id gating and the likers rule (docs/EMULATOR.md, chain sources)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from twitter_blocker.emulator import Emulator
from twitter_blocker.emulator.graph import build
from twitter_blocker.x.sources import parse_page

TID = "x" * 94


def _hub(emu: Emulator) -> tuple[str, list[str]]:
    graph = emu.world.graph
    hub = graph.hubs[0]
    return hub, graph.followers_of(hub)


def test_the_graph_is_deterministic_from_the_seed(emulator: Emulator) -> None:
    world = emulator.world
    again = build(world.population, world.config.seed)
    assert again.followers == world.graph.followers
    assert list(again.posts) == list(world.graph.posts)
    sizes = [len(world.graph.followers_of(h)) for h in world.graph.hubs]
    assert sizes == sorted(sizes, reverse=True) and sizes[0] > 50  # a few large, many small


def test_followers_need_a_transaction_id_and_page_50_to_70_users(
    emulator_factory: Callable[..., Emulator], emulator_http: Callable[..., Any]
) -> None:
    emulator = emulator_factory(population=1500)
    http = emulator_http(emulator)
    hub, followers = _hub(emulator)
    variables = {"userId": hub, "count": 20, "includePromotedContent": False}
    refused = http.gql("Followers", variables)
    assert refused.status_code == 404 and refused.content == b""
    seen: list[str] = []
    cursor = None
    promo_pages = 0
    for _ in range(50):
        reply = http.gql("Followers", {**variables, **({"cursor": cursor} if cursor else {})},
                         **{"x-client-transaction-id": TID})  # fmt: skip
        assert reply.status_code == 200
        assert int(reply.headers["x-rate-limit-limit"]) == 50
        page = parse_page(reply.json())
        ids = [u.user_id for u in page.users]
        assert len(ids) <= 70
        if not ids:
            promo_pages += 1
            assert "who-to-follow-" in reply.text and page.cursor
        seen += ids
        cursor = page.cursor
        assert cursor is not None
        if cursor.startswith("0|"):
            break
    assert seen == followers
    assert promo_pages >= 1


def test_search_pages_after_the_first_carry_the_cursor_in_a_replace_entry(
    emulator: Emulator, emulator_http: Callable[..., Any]
) -> None:
    http = emulator_http(emulator)
    post = next(p for p in emulator.world.graph.posts.values() if len(p.quoters) > 20)
    variables = {"rawQuery": f"quoted_tweet_id:{post.post_id}", "count": 20,
                 "querySource": "typed_query", "product": "Latest"}  # fmt: skip
    hdr = {"x-client-transaction-id": TID}
    first = http.gql("SearchTimeline", variables, **hdr).json()
    instructions = first["data"]["search_by_raw_query"]["search_timeline"]["timeline"]
    assert [i["type"] for i in instructions["instructions"]] == ["TimelineAddEntries"]
    assert any(e["entryId"].startswith("promoted-tweet-") for e in
               instructions["instructions"][0]["entries"])  # fmt: skip
    cursor = parse_page(first).cursor
    second = http.gql("SearchTimeline", {**variables, "cursor": cursor}, **hdr).json()
    types = [
        i["type"]
        for i in second["data"]["search_by_raw_query"]["search_timeline"]["timeline"][
            "instructions"
        ]
    ]
    assert types.count("TimelineReplaceEntry") == 2


def test_likers_only_for_the_authors_own_post(
    emulator: Emulator, emulator_http: Callable[..., Any]
) -> None:
    http = emulator_http(emulator)
    viewer = emulator.world.accounts[0].user_id
    posts = list(emulator.world.graph.posts.values())
    own = next(p for p in posts if p.author_id == viewer)
    other = next(p for p in posts if p.author_id != viewer)
    hidden = http.gql("Favoriters", {"tweetId": other.post_id, "count": 20}).json()
    timeline = hidden["data"]["favoriters_timeline"]["timeline"]["instructions"]
    assert timeline == [{"type": "TimelineTerminateTimeline", "direction": "Bottom"}]
    shown = parse_page(http.gql("Favoriters", {"tweetId": own.post_id, "count": 20}).json())
    assert [u.user_id for u in shown.users] == own.likers[:20]
    assert shown.stop_on_empty


def test_control_routes_give_the_truth(
    emulator: Emulator, emulator_http: Callable[..., Any]
) -> None:
    http = emulator_http(emulator)
    hub, followers = _hub(emulator)
    name = emulator.world.population.people[hub].screen_name
    got = http.client.get(f"/__emulator__/graph/{name}").json()
    assert got["followers"] == followers
    post = next(iter(emulator.world.graph.posts.values()))
    truth = http.client.get(f"/__emulator__/posts/{post.post_id}").json()
    assert truth["retweeters"] == post.retweeters
    assert http.client.get("/__emulator__/graph/nobody_here_xx").status_code == 404
