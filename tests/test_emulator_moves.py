"""The emulator moves as X moves: rotating queryIds, POST-only operations, the /home page of
both web builds with its bundles, the onboarding redirect and the Cloudflare page."""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Callable

import httpx
import pytest

from tests.conftest import EmulatorHttp
from twitter_blocker.emulator import Emulator
from twitter_blocker.emulator.queryids import PUBLISHED_IDS, ids_for_epoch

Http = Callable[..., EmulatorHttp]


def _raw_gql(http: EmulatorHttp, query_id: str, op: str, **params: str) -> httpx.Response:
    return http.client.get(
        f"/i/api/graphql/{query_id}/{op}",
        params={"variables": "{}", "features": json.dumps(http.features), **params},
        headers=http.headers(),
    )


def test_epoch_zero_serves_the_published_ids_only(emulator: Emulator, emulator_http: Http) -> None:
    http = emulator_http(emulator)
    assert _raw_gql(http, PUBLISHED_IDS["Viewer"], "Viewer").status_code == 200
    stale = _raw_gql(http, "qW5u-DAuXpMEG0zA1F7UGQ", "Viewer")
    assert (stale.status_code, stale.content) == (404, b"")


def test_rotation_at_run_time_and_the_lenient_switch(
    emulator: Emulator, emulator_http: Http
) -> None:
    http = emulator_http(emulator)
    ctl = httpx.Client(base_url=emulator.base_url + "/__emulator__")
    try:
        assert ctl.post("/switches", json={"query_id_epoch": 1}).status_code == 200
    finally:
        ctl.close()
    new = ids_for_epoch(1)
    assert set(new.values()).isdisjoint(PUBLISHED_IDS.values())
    assert _raw_gql(http, PUBLISHED_IDS["Viewer"], "Viewer").status_code == 404
    # epoch 1 also requires one new flag (a deploy that starts requiring a feature)
    missing = _raw_gql(http, new["Viewer"], "Viewer")
    assert missing.status_code == 400 and "rweb_epoch1_profile_enabled" in missing.text
    emulator.set_switches(stale_id_form="unspecified")
    unspecified = _raw_gql(http, "old", "Viewer")
    assert unspecified.status_code == 200
    assert unspecified.json() == {"errors": [{"message": "Query: Unspecified"}]}
    emulator.set_switches(any_query_id=True)
    assert _raw_gql(http, "anything", "UserByRestId", variables='{"userId":"1"}').status_code in (
        200,
        400,
    )


def test_post_only_operation(emulator: Emulator, emulator_http: Http) -> None:
    http = emulator_http(emulator)
    emulator.set_switches(post_operations=["Viewer"])
    got = http.gql("Viewer")
    assert (got.status_code, got.content) == (404, b"")
    posted = http.client.post(
        f"/i/api/graphql/{PUBLISHED_IDS['Viewer']}/Viewer",
        json={
            "variables": {"withCommunitiesMemberships": True},
            "features": http.features,
            "queryId": PUBLISHED_IDS["Viewer"],
        },
        headers=http.headers(),
    )
    assert posted.status_code == 200 and "viewer" in posted.json()["data"]


def _home(emulator: Emulator, http: EmulatorHttp, **cookies: str) -> httpx.Response:
    jar = cookies or {"auth_token": http.auth_token, "ct0": http.ct0}
    header = "; ".join(f"{k}={v}" for k, v in jar.items())
    return http.client.get("/home", headers={"cookie": header})


def test_home_without_a_session_is_a_307_to_onboarding(
    emulator: Emulator, emulator_http: Http
) -> None:
    http = emulator_http(emulator)
    for cookies in ({"auth_token": "dead", "ct0": "x"}, {"ct0": "x"}):
        r = _home(emulator, http, **cookies)
        assert r.status_code == 307 and r.content == b""
        assert r.headers["location"].startswith("/i/jf/onboarding/web?")


def test_home_cloudflare(emulator: Emulator, emulator_http: Http) -> None:
    http = emulator_http(emulator)
    emulator.set_switches(home_cloudflare=True)
    r = _home(emulator, http)
    assert r.status_code == 403 and "cf-ray" in r.headers and "<html" in r.text.lower()
    assert emulator.state()["calls"]["home"] == {"cloudflare": 1}


@pytest.mark.parametrize("epoch", [0, 3])
def test_legacy_home_and_bundles_carry_the_current_ids(
    emulator: Emulator, emulator_http: Http, epoch: int
) -> None:
    http = emulator_http(emulator)
    emulator.set_switches(query_id_epoch=epoch, web_build="legacy")
    page = _home(emulator, http)
    assert page.status_code == 200
    assert (
        "window.__INITIAL_STATE__=" in page.text and 'name="twitter-site-verification"' in page.text
    )
    main = re.search(r'src="([^"]+/client-web/main\.[0-9a-f]+\.js)"', page.text)
    assert main is not None
    text = http.client.get(main.group(1)).text
    chunk = re.search(r'(\d+):"endpoints\.UsersGraphQL"', page.text)
    assert chunk is not None
    chunk_hash = re.search(chunk.group(1) + r':"([0-9a-f]{16})"', page.text)
    assert chunk_hash is not None
    url = f"/responsive-web/client-web/endpoints.UsersGraphQL.{chunk_hash.group(1)}a.js"
    text += http.client.get(url).text
    found = dict(
        (op, qid)
        for qid, op in re.findall(
            r'queryId:"([^"]+)",operationName:"(\w+)",operationType:"query"', text
        )
    )
    assert found == ids_for_epoch(epoch)
    assert "metadata:{featureSwitches:[" in text


def test_x_web_home_links_chunks_by_relative_import(
    emulator: Emulator, emulator_http: Http
) -> None:
    http = emulator_http(emulator)
    emulator.set_switches(query_id_epoch=2, web_build="x-web")
    page = _home(emulator, http).text
    entry = re.search(r'src="([^"]+/x-web/x-web/assets/entry-client-[^"]+\.js)"', page)
    assert entry is not None and 'data-app-env="prod"' in page
    text = http.client.get(entry.group(1)).text
    imports = re.findall(r'import\("\./([^"]+\.js)"\)', text)
    assert imports
    for name in imports:
        text += http.client.get(f"/x-web/x-web/assets/{name}").text
    found = {
        op: qid
        for qid, op in re.findall(
            r'params:\{id:"([^"]+)",metadata:\{features:\[[^\]]*\]\},name:"(\w+)",'
            r'operationKind:"query"',
            text,
        )
    }
    assert found == ids_for_epoch(2)
    assert http.client.get("/x-web/x-web/assets/entry-client-nope.js").status_code == 404


def test_transaction_id_verified_and_replay_refused(
    emulator: Emulator, emulator_http: Http
) -> None:
    """The emulator's verifier and the client's generator are written apart; they agree."""
    from twitter_blocker.x import bundles
    from twitter_blocker.x.discovery import TidMaterial
    from twitter_blocker.x.txid import TransactionIds

    http = emulator_http(emulator)
    emulator.set_switches(tid_operations=["Viewer"], tid_strict=True, query_id_epoch=4)
    page = _home(emulator, http).text
    main = re.search(r'src="[^"]+(/responsive-web/client-web/main\.[0-9a-f]+\.js)"', page)
    assert main is not None
    chunk = bundles.chunk_urls(page, main.group(1))["ondemand.s"]
    indices = bundles.key_indices(http.client.get(chunk).text)
    key = base64.b64decode(bundles.verification(page) or "")
    ids = TransactionIds(TidMaterial(key, bundles.anim_frames(page), indices))
    path = f"/i/api/graphql/{ids_for_epoch(4)['Viewer']}/Viewer"
    features = {**http.features, "rweb_epoch4_profile_enabled": True}
    params = {"variables": "{}", "features": json.dumps(features)}
    tid = ids.make("GET", path)
    first = http.client.get(
        path, params=params, headers=http.headers(**{"x-client-transaction-id": tid})
    )
    assert first.status_code == 200
    again = http.client.get(
        path, params=params, headers=http.headers(**{"x-client-transaction-id": tid})
    )
    assert (again.status_code, again.content) == (404, b"")  # a replayed id
    wrong = ids.make("GET", path.replace("Viewer", "Viewer2"))
    assert (
        http.client.get(
            path, params=params, headers=http.headers(**{"x-client-transaction-id": wrong})
        ).status_code
        == 404
    )
    fresh = ids.make("GET", path)
    assert (
        http.client.get(
            path, params=params, headers=http.headers(**{"x-client-transaction-id": fresh})
        ).status_code
        == 200
    )
