"""Every response classification of ``x.outcomes.classify`` (X-FACTS.md 1.2, 2.5, 3, 4, 5)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from twitter_blocker.x.errors import (
    AccountLocked,
    AccountSuspended,
    CsrfMismatch,
    FeaturesOutdated,
    Inconclusive,
    RateLimited,
    Transient,
    UnexpectedResponse,
    XAuthError,
    XError,
)
from twitter_blocker.x.outcomes import Classified, classify, parse_feature_names

JSON = {"content-type": "application/json;charset=utf-8"}


def rate_headers(remaining: int, reset: int = 2_000_000_000) -> dict[str, str]:
    return {
        **JSON,
        "x-rate-limit-limit": "150",
        "x-rate-limit-remaining": str(remaining),
        "x-rate-limit-reset": str(reset),
    }


def err(code: int, message: str) -> bytes:
    return json.dumps({"errors": [{"code": code, "message": message}]}).encode()


def run(
    status: int,
    body: bytes | dict[str, Any],
    headers: dict[str, str] | None = None,
    *,
    graphql: bool = True,
    op: str = "UserByScreenName",
) -> Classified:
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    return classify(op, status, JSON if headers is None else headers, raw, graphql=graphql)


def raises(c: Classified, kind: type[XError]) -> XError:
    assert isinstance(c.error, kind), c
    return c.error


def test_ok_with_rate_info() -> None:
    c = run(200, {"data": {}}, rate_headers(149))
    assert c.outcome == "ok" and c.error is None and c.data == {"data": {}}
    assert c.rate is not None and (c.rate.limit, c.rate.remaining, c.rate.reset) == (
        150,
        149,
        2e9,
    )


@pytest.mark.parametrize(
    ("status", "code", "message", "graphql"),
    [
        (401, 32, "Could not authenticate you", True),
        (401, 32, "Could not authenticate you.", False),
        (401, 89, "Invalid or expired token.", False),
        (400, 215, "Bad Authentication data.", False),
        (200, 32, "Could not authenticate you", True),
    ],
)
def test_auth_codes(status: int, code: int, message: str, graphql: bool) -> None:
    c = run(status, err(code, message), graphql=graphql)
    e = raises(c, XAuthError)
    assert not isinstance(e, CsrfMismatch)
    assert c.outcome == "auth_failed" and e.code == code and e.http_status == status
    assert e.exit_code == 3


def test_csrf_mismatch() -> None:
    c = run(403, err(353, "This request requires a matching csrf cookie and header."))
    e = raises(c, CsrfMismatch)
    assert c.outcome == "csrf_mismatch" and e.exit_code == 3


@pytest.mark.parametrize(("status", "graphql"), [(403, False), (403, True), (200, True)])
def test_locked_326(status: int, graphql: bool) -> None:
    text = "To protect our users from spam and other malicious activity, this account is locked."
    c = run(status, err(326, text), graphql=graphql)
    e = raises(c, AccountLocked)
    assert c.outcome == "account_locked" and e.exit_code == 4


def test_locked_graphql_200_with_data_still_locked() -> None:
    body = {
        "data": {},
        "errors": [{"code": 326, "message": "Authorization: Denied by access control"}],
    }
    assert run(200, body).outcome == "account_locked"


def test_locked_without_code_by_graphql_message() -> None:
    body = {
        "errors": [
            {"message": "Authorization: Denied by access control: Missing TwitterUserNotSuspended"}
        ]
    }
    raises(run(200, body), AccountLocked)


def test_own_account_suspended_64() -> None:
    text = "Your account is suspended and is not permitted to access this feature."
    c = run(403, err(64, text), graphql=False)
    e = raises(c, AccountSuspended)
    assert c.outcome == "account_suspended" and e.exit_code == 4


def test_rate_limited_429_json() -> None:
    c = run(429, err(88, "Rate limit exceeded"), rate_headers(0, 1_800_000_000))
    e = raises(c, RateLimited)
    assert isinstance(e, RateLimited)
    assert e.reset == 1_800_000_000 and e.suspicious is False
    assert c.outcome == "rate_limited" and c.code == 88


def test_rate_limited_plain_text() -> None:
    c = run(429, b"Rate limit exceeded.\n", {"content-type": "text/plain", **rate_headers(0)})
    e = raises(c, RateLimited)
    assert isinstance(e, RateLimited) and e.reset == 2e9 and e.code is None


def test_rate_limited_200_with_88() -> None:
    c = run(200, err(88, "Rate limit exceeded"), rate_headers(0))
    raises(c, RateLimited)


def test_rate_limited_88_with_remaining_is_suspicious() -> None:
    c = run(429, err(88, "Rate limit exceeded"), rate_headers(37))
    e = raises(c, RateLimited)
    assert isinstance(e, RateLimited) and e.suspicious is True


def test_rate_limited_without_headers_has_no_reset() -> None:
    e = raises(run(429, err(88, "Rate limit exceeded")), RateLimited)
    assert isinstance(e, RateLimited) and e.reset is None


def test_features_336_names_parsed() -> None:
    body = {
        "errors": [
            {
                "message": "The following features cannot be null: "
                "responsive_web_grok_annotations_enabled, rweb_tipjar_consumption_enabled",
                "extensions": {"name": "BadRequestError", "code": 336, "kind": "Validation"},
                "code": 336,
                "kind": "Validation",
            }
        ]
    }
    c = run(400, body)
    e = raises(c, FeaturesOutdated)
    assert isinstance(e, FeaturesOutdated)
    assert e.missing == (
        "responsive_web_grok_annotations_enabled",
        "rweb_tipjar_consumption_enabled",
    )
    assert c.outcome == "features_outdated"


def test_parse_feature_names_tolerates_trailing_period() -> None:
    assert parse_feature_names("The following features cannot be null: a_b, c.") == ("a_b", "c")
    assert parse_feature_names("no colon here") == ()


@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_5xx_transient(status: int) -> None:
    c = run(status, b"")
    raises(c, Transient)
    assert c.outcome == "transient"


@pytest.mark.parametrize(
    ("status", "code", "message"),
    [
        (503, 130, "Over capacity"),
        (500, 131, "Internal error"),
        (200, 131, "Dependency: Internal error"),
    ],
)
def test_busy_codes_transient(status: int, code: int, message: str) -> None:
    e = raises(run(status, err(code, message)), Transient)
    assert e.code == code


def test_131_with_data_is_ok() -> None:
    node = {"result": {"__typename": "User", "rest_id": "1"}}
    body = {"data": {"user": node}, "errors": [{"code": 131, "message": "Dependency"}]}
    assert run(200, body).outcome == "ok"


def test_loadshed_transient() -> None:
    raises(run(503, {"errors": [{"message": "(-1) LoadShed"}]}), Transient)
    raises(run(200, {"errors": [{"message": "LoadShed"}]}), Transient)
    raises(run(503, b"LoadShed", {"content-type": "text/plain"}), Transient)


def test_html_edge_pages_transient() -> None:
    html = b"<!DOCTYPE html><html><body>Attention Required! | Cloudflare</body></html>"
    c = run(403, html, {"content-type": "text/html", "cf-ray": "8abc-NRT"})
    raises(c, Transient)
    assert c.outcome == "transient"
    raises(run(200, html, {"content-type": "text/html"}), Transient)


def test_html_429_is_rate_limited() -> None:
    raises(run(429, b"<html>Too Many</html>", {"content-type": "text/html"}), RateLimited)


def test_malformed_json_transient() -> None:
    raises(run(200, b'{"data": {"user": '), Transient)


def test_empty_404_graphql_is_tid_rejected() -> None:
    c = run(404, b"", {})
    raises(c, Transient)
    assert c.outcome == "tid_rejected"


def test_empty_403_is_auth_signal() -> None:
    c = run(403, b"", {})
    raises(c, XAuthError)
    assert c.outcome == "auth_failed"


def test_empty_403_from_edge_is_transient() -> None:
    raises(run(403, b"", {"cf-ray": "1"}), Transient)


@pytest.mark.parametrize(
    ("status", "code", "outcome"),
    [
        (403, 147, "self"),
        (403, 63, "suspended"),
        (404, 50, "not_found"),
        (404, 34, "not_found"),
        (404, 108, "not_found"),
        (404, 17, "not_found"),
    ],
)
def test_per_target_answers_are_values(status: int, code: int, outcome: str) -> None:
    c = run(status, err(code, "x"), graphql=False, op="blocks/create")
    assert c.error is None and c.outcome == outcome and c.code == code


V1_PATHS = ["blocks/create", "blocks/destroy", "friendships/show", "users/lookup"]


@pytest.mark.parametrize("op", V1_PATHS)
@pytest.mark.parametrize("body", [b"", b"  \n", b"{}", b"[]", b'{"errors": []}'])
def test_rest_404_without_a_code_is_tid_rejected_not_a_target_answer(op: str, body: bytes) -> None:
    """X-FACTS.md 6: an empty 404 is X refusing the transaction id, not "user not found"
    (that one carries code 50/34, X-FACTS.md 3.1, 3.8). It must be retried, never final."""
    for headers in ({}, JSON):
        c = run(404, body, headers, graphql=False, op=op)
        raises(c, Transient)
        assert c.outcome == "tid_rejected" and c.code is None and c.http_status == 404


@pytest.mark.parametrize("op", V1_PATHS)
@pytest.mark.parametrize("code", [50, 34, 108, 17])
def test_rest_404_with_a_gone_code_stays_not_found(op: str, code: int) -> None:
    c = run(404, err(code, "User not found."), graphql=False, op=op)
    assert c.error is None and c.outcome == "not_found" and c.code == code


def test_404_with_codeless_errors_is_unexpected_not_not_found() -> None:
    c = run(404, {"errors": [{"message": "Sorry"}]}, graphql=False, op="blocks/create")
    raises(c, UnexpectedResponse)
    assert c.outcome == "bad_request"


def test_graphql_404_without_errors_is_tid_rejected() -> None:
    c = run(404, b"{}")
    raises(c, Transient)
    assert c.outcome == "tid_rejected"


def test_automated_226_backs_off_hard() -> None:
    e = raises(
        run(403, err(226, "This request looks like it might be automated."), graphql=False),
        RateLimited,
    )
    assert isinstance(e, RateLimited) and e.suspicious is True and e.reset is None


def test_validation_422_is_unexpected() -> None:
    body = {"errors": [{"message": "must be defined", "path": ["variable", "userIds"]}]}
    c = run(422, body)
    raises(c, UnexpectedResponse)
    assert c.outcome == "bad_request"


def test_errors_beside_data_use_data() -> None:
    node = {"result": {"__typename": "User", "rest_id": "1"}}
    body = {"data": {"user": node}, "errors": [{"code": 214, "message": "BadRequest: cursor"}]}
    c = run(200, body)
    assert c.outcome == "ok" and c.data == body and c.code == 214
    partial = {"data": {"users": [node, {}]}, "errors": [{"code": 131, "message": "Dependency"}]}
    assert run(200, partial, op="UsersByRestIds").outcome == "ok"


@pytest.mark.parametrize(
    "data",
    [
        {},
        None,
        {"user": {}},
        {"user": None},
        {"user": {"result": {}}},
        {"users": []},
        {"users": [{}, None]},
    ],
)
@pytest.mark.parametrize("code", [131, 214, None])
def test_errors_beside_empty_data_prove_nothing(data: Any, code: int | None) -> None:
    error: dict[str, Any] = {"message": "Dependency: Internal error"}
    if code is not None:
        error["code"] = code
    c = run(200, {"data": data, "errors": [error]})
    assert c.outcome == "inconclusive"
    raises(c, Inconclusive)
    assert c.data is None
    # without errors, the documented empty forms are an answer ("no such user", X-FACTS.md 2.2)
    assert run(200, {"data": data}).outcome == "ok"


def test_error_message_never_holds_more_than_x_said() -> None:
    c = run(401, err(32, "Could not authenticate you"))
    assert str(c.error) == "UserByScreenName: HTTP 401, code 32: Could not authenticate you"


def test_graphql_404_with_code_is_not_a_target_answer() -> None:
    """A retired queryId must not turn every target into "not found"."""
    c = run(404, err(34, "Sorry, that page does not exist."))
    raises(c, UnexpectedResponse)
    assert c.outcome == "bad_request"


# ------------------------------------------------------------------ robustness

_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(
            st.sampled_from(["errors", "code", "message", "data", "extensions", "user", "x"]),
            children,
            max_size=4,
        )
    ),
    max_leaves=20,
)


@settings(max_examples=300, deadline=None)
@given(
    status=st.sampled_from([200, 400, 401, 403, 404, 422, 429, 500, 503]),
    body=st.one_of(st.binary(max_size=60), _json.map(lambda v: json.dumps(v).encode())),
    html=st.booleans(),
    graphql=st.booleans(),
)
def test_classify_never_raises(status: int, body: bytes, html: bool, graphql: bool) -> None:
    headers = {"content-type": "text/html" if html else "application/json"}
    c = classify("Op", status, headers, body, graphql=graphql)
    assert (c.error is None) == (c.outcome in ("ok", "self", "suspended", "not_found"))
    if c.outcome == "not_found":
        assert c.code in (17, 34, 50, 108)  # never a "not found" without X's code
    if c.error is not None:
        assert isinstance(c.error, XError) and str(c.error).startswith("Op: HTTP")
