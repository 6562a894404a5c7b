"""Reading x.com pages and bundles: the variants public clients have met in 2026."""

from __future__ import annotations

from twitter_blocker.x import bundles
from twitter_blocker.x.contract import DISCOVERED, Endpoint
from twitter_blocker.x.resolver import DAY, Endpoints

MAIN = "https://abs.twimg.com/responsive-web/client-web/main.15e48250ae23af9ea.js"


def test_chunk_maps_in_both_bracketings_and_hash_lengths() -> None:
    for loader in (
        'p.u=e=>(({20113:"endpoints.UsersGraphQL",59924:"ondemand.s"})[e]||e)+"."+'
        '({20113:"da4b248",59924:"62eaf35b242cc757"})[e]+"a.js"',
        'p.u=e=>({20113:"endpoints.UsersGraphQL",59924:"ondemand.s"}[e]||e)+"."+'
        '({20113:"da4b248",59924:"62eaf35b242cc757"})[e]+"a.js"',
    ):
        urls = bundles.chunk_urls(f"<script>{loader}</script>", MAIN)
        base = "https://abs.twimg.com/responsive-web/client-web/"
        assert urls == {
            "endpoints.UsersGraphQL": base + "endpoints.UsersGraphQL.da4b248a.js",
            "ondemand.s": base + "ondemand.s.62eaf35b242cc757a.js",
        }


def test_operations_in_both_patterns() -> None:
    legacy = (
        'e.exports={queryId:"Gb-d6r0vxPOADdG62OEBpQ",operationName:"UserByScreenName",'
        'operationType:"query",metadata:{featureSwitches:["a_enabled","b_enabled"],'
        'fieldToggles:["withAuxiliaryUserLabels"]}}'
    )
    xweb = (
        'params:{id:"5XShkXk2oO2J7SYmTu6pvw",metadata:{features:["c_enabled"]},'
        'name:"Viewer",operationKind:"query",text:null}'
    )
    found = bundles.operations(legacy + ";" + xweb, "legacy")
    assert found["UserByScreenName"].query_id == "Gb-d6r0vxPOADdG62OEBpQ"
    assert found["UserByScreenName"].features == ("a_enabled", "b_enabled")
    assert found["Viewer"].features == ("c_enabled",)


def test_feature_values_layers_and_shortcut() -> None:
    html = (
        'window.__INITIAL_STATE__={"featureSwitch":{"debug":{"a":{"value":false}},'
        '"defaultConfig":{"a":{"value":true},"b":{"value":false}},'
        '"user":{"config":{"b":{"value":true}}}}};window.__META_DATA__={}'
    )
    assert bundles.feature_values(html) == {"a": True, "b": True}
    assert bundles.feature_values('x "c_on": {"value": true} y') == {"c_on": True}


def test_page_kinds() -> None:
    assert bundles.page_kind(307, {"location": "/i/jf/onboarding/web?x"}, "") is (
        bundles.PageKind.ONBOARDING
    )
    challenge = '<html><script src="/cdn-cgi/challenge-platform/h/b/orchestrate"></script>'
    assert bundles.page_kind(403, {"cf-ray": "1"}, challenge) is bundles.PageKind.CLOUDFLARE
    shell = '<script src="https://abs.twimg.com/x-web/x-web/assets/entry-client-logged-out-BX0aFYXb.js">'
    assert bundles.page_kind(200, {}, shell) is bundles.PageKind.LOGGED_OUT
    assert bundles.page_kind(200, {}, f'<script src="{MAIN}"></script>') is bundles.PageKind.APP


def test_relative_imports_skip_i18n() -> None:
    js = 'import("./a-1.js");import x from "../b-2.js";import("./i18n/ja-3.js")'
    got = bundles.relative_imports(js, "https://abs.twimg.com/x-web/x-web/assets/entry.js")
    assert got == [
        "https://abs.twimg.com/x-web/x-web/assets/a-1.js",
        "https://abs.twimg.com/x-web/x-web/b-2.js",
    ]


class _Memory:
    def __init__(self, rows: list[Endpoint]) -> None:
        self.rows = rows

    def load_endpoints(self, account: str) -> list[Endpoint]:
        return self.rows

    def save_endpoints(self, account: str, endpoints: object) -> None:
        return None


def test_a_cached_discovery_is_used_for_a_day_only() -> None:
    now = 1_800_000_000.0
    row = Endpoint("Viewer", "NewViewerId0000000000", "GET", {"x": True}, DISCOVERED, now - 10)
    fresh = Endpoints(memory=_Memory([row]), clock=lambda: now)
    assert fresh.get("Viewer").query_id == "NewViewerId0000000000"
    later = Endpoints(memory=_Memory([row]), clock=lambda: now + DAY)
    assert later.get("Viewer").source == "pinned"
