"""The account's own block and mute lists over the emulator: BlockedAccountsAll and
MutedAccounts paging, blocks made by hand through the control API, the mute calls."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx

from twitter_blocker.emulator import Emulator
from twitter_blocker.inputs.cookies import load_cookies
from twitter_blocker.x.blocklist import ListKind, ListPage, mute, parse_page, read_all, unmute
from twitter_blocker.x.client import XClient
from twitter_blocker.x.errors import UnexpectedResponse
from twitter_blocker.x.models import BlockStatus


def _client(emu: Emulator, tmp: Path) -> XClient:
    emu.write_fixture(tmp)
    return XClient(load_cookies(tmp / "cookies.json"), api_base=emu.base_url)


def _active(emu: Emulator) -> list[str]:
    return [t["user_id"] for t in emu.truth()["targets"] if t["kind"] == "active"]


def hand_block(emu: Emulator, ids: list[str], index: int = 0) -> list[str]:
    answer = httpx.post(f"{emu.base_url}/__emulator__/accounts/{index}/blocks", json={"ids": ids})
    answer.raise_for_status()
    added: list[str] = answer.json()["blocked"]
    return added


def test_blocked_list_pages_to_the_end_with_cursors(emulator: Emulator, tmp_path: Path) -> None:
    ids = _active(emulator)[:45]
    assert hand_block(emulator, ids) == ids
    before = set(emulator.state()["accounts"].values().__iter__().__next__()["blocked"])
    pages: list[ListPage] = []
    with _client(emulator, tmp_path) as client:
        got = [u.user_id for u in read_all(client, ListKind.BLOCKED, on_page=pages.append)]
    assert set(got) == before and len(got) == len(before)  # every block once
    assert len(pages) >= 3 and pages[-1].next_cursor is None
    assert all(p.next_cursor and not p.next_cursor.startswith("0|") for p in pages[:-1])
    assert all(u.blocking for p in pages for u in p.users)
    calls = emulator.state()["calls"]["BlockedAccountsAll"]
    assert calls == {"200": len(pages)}


def test_resume_from_a_persisted_cursor_reads_only_the_rest(
    emulator: Emulator, tmp_path: Path
) -> None:
    hand_block(emulator, _active(emulator)[:50])
    with _client(emulator, tmp_path) as client:
        everything = [u.user_id for u in read_all(client, ListKind.BLOCKED)]
        first: list[ListPage] = []
        for _ in read_all(client, ListKind.BLOCKED, on_page=first.append):
            break  # killed after the first page
        rest = [u.user_id for u in read_all(client, ListKind.BLOCKED, cursor=first[0].next_cursor)]
    assert [u.user_id for u in first[0].users] + rest == everything


def test_mute_and_unmute_change_the_muted_list_only(emulator: Emulator, tmp_path: Path) -> None:
    ids = _active(emulator)[:3]
    with _client(emulator, tmp_path) as client:
        assert all(mute(client, uid).status is BlockStatus.OK for uid in ids)
        assert unmute(client, ids[0]).status is BlockStatus.OK
        muted = [u.user_id for u in read_all(client, ListKind.MUTED)]
    viewer = next(iter(emulator.state()["accounts"].values()))
    assert set(muted) == set(ids[1:]) == set(viewer["muted"])
    assert not set(ids) & set(viewer["blocked"])


def test_errors_without_users_prove_nothing() -> None:
    body: dict[str, Any] = {"data": {}, "errors": [{"message": "timeout", "code": 0}]}
    try:
        parse_page(body, None)
    except UnexpectedResponse:
        return
    raise AssertionError("an empty answer with errors ended the list")


def test_zero_cursor_and_repeated_cursor_end_the_list() -> None:
    def page(value: str) -> dict[str, Any]:
        cursor = {"entryId": "cursor-bottom-1", "content": {"cursorType": "Bottom", "value": value}}
        return {
            "data": {
                "viewer": {
                    "timeline": {
                        "timeline": {
                            "instructions": [{"type": "TimelineAddEntries", "entries": [cursor]}]
                        }
                    }
                }
            }
        }

    assert parse_page(page("0|123"), None).next_cursor is None
    assert parse_page(page("5|123"), "5|123").next_cursor is None
    assert parse_page(page("5|123"), None).next_cursor == "5|123"


def test_timeline_page_shapes_and_headers(emulator: Emulator) -> None:
    from tests.conftest import EmulatorHttp

    hand_block(emulator, _active(emulator)[:25])
    http = EmulatorHttp(emulator)
    try:
        first = http.gql("BlockedAccountsAll", {"count": 20, "includePromotedContent": False})
        assert first.status_code == 200
        assert first.headers["x-rate-limit-limit"] == "500"
        timeline = first.json()["data"]["viewer"]["timeline"]["timeline"]
        types = [i["type"] for i in timeline["instructions"]]
        assert types == ["TimelineClearCache", "TimelineTerminateTimeline", "TimelineAddEntries"]
        entries = timeline["instructions"][-1]["entries"]
        assert [e["entryId"].split("-")[0] for e in entries][-2:] == ["cursor", "cursor"]
        bottom = entries[-2]["content"]
        assert bottom["cursorType"] == "Bottom" and not bottom["value"].startswith("0|")
        second = http.gql("BlockedAccountsAll", {"count": 20, "cursor": bottom["value"]})
        timeline = second.json()["data"]["viewer"]["timeline"]["timeline"]
        assert [i["type"] for i in timeline["instructions"]] == ["TimelineAddEntries"]
        last = timeline["instructions"][0]["entries"][-2]["content"]
        assert last["cursorType"] == "Bottom" and last["value"].startswith("0|")
        muted = http.gql("MutedAccounts", {"count": 20}).json()
        assert "muting_timeline" in muted["data"]["viewer"]
    finally:
        http.close()
