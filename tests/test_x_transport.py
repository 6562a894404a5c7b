"""The transport's URLs: a query our code encoded is attached without httpx parsing it again,
and the URL is exactly the one httpx would have built from the string."""

from __future__ import annotations

import httpx
import pytest

from twitter_blocker.x import endpoints
from twitter_blocker.x.transport import build, with_encoded_query

BASE = "http://127.0.0.1:8123/i/api/graphql/abc123/UserByScreenName"


def _queries() -> list[str]:
    out = []
    for operation in ("UserByScreenName", "UsersByScreenNames", "UsersByRestIds", "Followers"):
        for variables in (
            {"screen_name": "Some_One", "withSafetyModeUserFields": True},
            {"userIds": ["12", "34"], "cursor": "1|2:3 4/5+6=7&8"},
            {"name": '日本語 ü "quoted" <tag> #hash %25'},
        ):
            out.append(endpoints.graphql_query(operation, variables, {"a_feature": True}))
    return out


@pytest.mark.parametrize("query", _queries())
def test_an_encoded_query_gives_the_url_httpx_would_build(query: str) -> None:
    fast = with_encoded_query(httpx.URL(BASE), query)
    assert fast is not None
    parsed = httpx.URL(f"{BASE}?{query}")
    assert str(fast) == str(parsed)
    assert fast.raw_path == parsed.raw_path
    assert fast.params == parsed.params
    assert (fast.host, fast.port, fast.path) == (parsed.host, parsed.port, parsed.path)


@pytest.mark.parametrize("query", ["a=b c", 'a="b"', "a=%zz", "a=b#c", "a=\u00e9", "a=<b>"])
def test_anything_not_plainly_encoded_is_left_to_httpx(query: str) -> None:
    assert with_encoded_query(httpx.URL(BASE), query) is None


def test_a_base_with_its_own_query_is_left_to_httpx() -> None:
    assert with_encoded_query(httpx.URL(BASE + "?x=1"), "a=b") is None


def _api_headers() -> httpx.Headers:
    return httpx.Headers({"accept": "*/*", "cookie": "ct0=abc; auth_token=def", "x-a": "1"})


@pytest.mark.parametrize(
    ("method", "url", "body"),
    [
        ("GET", BASE + "?variables=%7B%7D&features=%7B%22a%22%3Atrue%7D", None),
        ("POST", "http://127.0.0.1:8123/i/api/1.1/blocks/create.json", b"user_id=123"),
        ("POST", "https://x.com/i/api/graphql/abc/UsersByRestIds", b'{"variables":{}}'),
        ("POST", "http://127.0.0.1:8123/i/api/1.1/blocks/create.json", b""),
        ("POST", "http://127.0.0.1:8123/i/api/1.1/blocks/create.json", None),
    ],
)
def test_a_request_built_around_its_host_is_the_one_httpx_builds(
    method: str, url: str, body: bytes | None
) -> None:
    expected = httpx.Request(method, url, headers=_api_headers(), content=body)
    host = httpx.URL(url).netloc.decode("ascii")
    headers = httpx.Headers([("Host", host), *_api_headers().multi_items()])
    built = build(method, httpx.URL(url), headers, body, has_host=True)
    assert built.headers.raw == expected.headers.raw  # same names, values and order
    assert built.url == expected.url
    assert built.read() == expected.read()
    assert built.method == expected.method
