"""Emulator GraphQL user operations: shapes, envelopes, batches and validation (X-FACTS.md 2)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from twitter_blocker.emulator import DEFAULT_REQUIRED_FEATURES, Emulator

Http = Callable[..., Any]  # the emulator_http fixture (conftest.EmulatorHttp)


def _targets(emu: Emulator, kind: str) -> list[dict[str, Any]]:
    return [t for t in emu.truth()["targets"] if t["kind"] == kind]


def _user(http: Any, handle: str) -> dict[str, Any]:
    r = http.gql("UserByScreenName", {"screen_name": handle})
    assert r.status_code == 200
    result: dict[str, Any] = r.json()["data"]["user"]["result"]
    return result


def test_current_shape_relationships_per_viewer(emulator: Emulator, emulator_http: Http) -> None:
    primary, other = emulator_http(emulator), emulator_http(emulator, viewer=1)
    following = _targets(emulator, "following")[0]
    follower = _targets(emulator, "follower")[0]
    blocked = _targets(emulator, "already_blocked")[0]
    assert _user(primary, following["identifier"])["relationship_perspectives"]["following"]
    assert _user(primary, follower["identifier"])["relationship_perspectives"]["followed_by"]
    assert _user(primary, blocked["identifier"])["relationship_perspectives"]["blocking"]
    node = _user(primary, _targets(emulator, "protected")[0]["identifier"])
    assert node["privacy"] == {"protected": True}
    viewer_id = emulator.truth()["viewer"]["user_id"]
    state = emulator.state()["accounts"]
    other_id = next(k for k in state if k != viewer_id)
    rel = _user(other, blocked["identifier"])["relationship_perspectives"]
    assert rel["blocking"] == (blocked["user_id"] in state[other_id]["blocked"])


def test_transitional_shape(emulator_factory: Callable[..., Emulator], emulator_http: Http) -> None:
    emu = emulator_factory(shape="transitional")
    node = _user(emulator_http(emu), _targets(emu, "already_blocked")[0]["identifier"])
    assert node["core"]["screen_name"]
    assert node["relationship_perspectives"]["blocking"] is True
    assert "screen_name" not in node["legacy"] and "blocking" not in node["legacy"]
    assert "followers_count" in node["legacy"]


def test_legacy_shape_omits_false_flags(
    emulator_factory: Callable[..., Emulator], emulator_http: Http
) -> None:
    emu = emulator_factory(shape="legacy")
    http = emulator_http(emu)
    active = _user(http, _targets(emu, "active")[0]["identifier"])
    assert "core" not in active and "relationship_perspectives" not in active
    legacy = active["legacy"]
    assert legacy["following"] is False
    assert not {"blocking", "followed_by", "protected"} & set(legacy)
    blocked = _user(http, _targets(emu, "already_blocked")[0]["identifier"])["legacy"]
    assert blocked["blocking"] is True
    protected = _user(http, _targets(emu, "protected")[0]["identifier"])["legacy"]
    assert protected["protected"] is True


def test_handle_case_insensitive_canonical_in_response(
    emulator: Emulator, emulator_http: Http
) -> None:
    t = _targets(emulator, "case_variant")[0]
    assert t["identifier"] != t["screen_name"]
    node = _user(emulator_http(emulator), t["identifier"])
    assert node["core"]["screen_name"] == t["screen_name"]


def test_users_by_rest_ids_mixed_batch(emulator: Emulator, emulator_http: Http) -> None:
    http = emulator_http(emulator)
    active = [t["user_id"] for t in _targets(emulator, "active")[:5]]
    suspended = _targets(emulator, "suspended")[0]["user_id"]
    deactivated = _targets(emulator, "deactivated")[0]["user_id"]
    ids = [*active, suspended, deactivated, "1999999999999999999"]
    r = http.gql("UsersByRestIds", {"userIds": ids})
    assert r.status_code == 200
    users = r.json()["data"]["users"]
    assert len(users) == len(ids)
    found = [
        u["result"]["rest_id"] for u in users if u.get("result", {}).get("__typename") == "User"
    ]
    assert sorted(found) == sorted(active)
    assert found != active  # not request order
    unavailable = [u for u in users if u.get("result", {}).get("__typename") == "UserUnavailable"]
    assert unavailable == [
        {
            "result": {
                "__typename": "UserUnavailable",
                "message": "User is suspended",
                "reason": "Suspended",
            }
        }
    ]
    assert sum(1 for u in users if u == {}) == 2
    http.emu.set_switches(rest_id_beside_batch_result=True)
    users = http.gql("UsersByRestIds", {"userIds": [suspended]}).json()["data"]["users"]
    assert users[0]["rest_id"] == suspended


def test_users_by_screen_names(emulator: Emulator, emulator_http: Http) -> None:
    http = emulator_http(emulator)
    names = [t["identifier"] for t in _targets(emulator, "case_variant")[:2]]
    names += [_targets(emulator, "renamed")[0]["identifier"], "nosuchhandle0"]
    users = http.gql("UsersByScreenNames", {"screen_names": names}).json()["data"]["users"]
    canonical = {u["result"]["core"]["screen_name"] for u in users if "result" in u}
    assert canonical == {t["screen_name"] for t in _targets(emulator, "case_variant")[:2]}
    assert users.count({}) == 2


def test_batch_over_limit_is_400(
    emulator_factory: Callable[..., Emulator], emulator_http: Http
) -> None:
    emu = emulator_factory(batch_limit=3)
    r = emulator_http(emu).gql("UsersByRestIds", {"userIds": ["1", "2", "3", "4"]})
    assert r.status_code == 400
    assert r.json()["errors"][0]["code"] == 214


@pytest.mark.parametrize(
    ("operation", "variable"),
    [
        ("UserByScreenName", "screen_name"),
        ("UserByRestId", "userId"),
        ("UsersByRestIds", "userIds"),
        ("UsersByScreenNames", "screen_names"),
    ],
)
def test_missing_variable_is_422(
    emulator: Emulator, emulator_http: Http, operation: str, variable: str
) -> None:
    r = emulator_http(emulator).gql(operation, {"withSafetyModeUserFields": True})
    assert r.status_code == 422
    err = r.json()["errors"][0]
    assert err["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
    assert err["path"] == ["variable", variable]
    assert "must be defined" in err["message"]


def test_missing_features_is_400_336_naming_them(emulator: Emulator, emulator_http: Http) -> None:
    http = emulator_http(emulator)
    features = {name: True for name in DEFAULT_REQUIRED_FEATURES[2:]}
    r = http.gql("Viewer", features=features)
    assert r.status_code == 400
    err = r.json()["errors"][0]
    assert err["code"] == 336 and err["extensions"]["code"] == 336
    missing = sorted(DEFAULT_REQUIRED_FEATURES[:2])
    assert err["message"] == "The following features cannot be null: " + ", ".join(missing)
    assert err["kind"] == "Validation" and err["name"] == "BadRequestError"
    features[DEFAULT_REQUIRED_FEATURES[0]] = False  # false is fine, only null/missing fails
    features[DEFAULT_REQUIRED_FEATURES[1]] = True
    assert http.gql("Viewer", features=features).status_code == 200


def test_required_features_configurable(
    emulator_factory: Callable[..., Emulator], emulator_http: Http
) -> None:
    emu = emulator_factory(required_features={"Viewer": ("brand_new_flag",)})
    http = emulator_http(emu)
    r = http.gql("Viewer")
    assert r.json()["errors"][0]["message"].endswith("cannot be null: brand_new_flag")
    assert http.gql("Viewer", features={"brand_new_flag": True}).status_code == 200
    assert http.gql("UserByRestId", {"userId": "1"}, features={}).status_code == 200


def test_undecodable_variables_is_400(emulator: Emulator, emulator_http: Http) -> None:
    http = emulator_http(emulator)
    r = http.client.get(
        "/i/api/graphql/5XShkXk2oO2J7SYmTu6pvw/Viewer",
        params={"variables": "{nope", "features": "{}"},
        headers=http.headers(),
    )
    assert r.status_code == 400


def test_errors_next_to_data(emulator: Emulator, emulator_http: Http) -> None:
    emulator.set_switches(errors_with_data=True)
    body = emulator_http(emulator).gql("Viewer").json()
    assert body["data"]["viewer"]["user_results"]["result"]["core"]["screen_name"] == "emu_viewer"
    assert body["errors"][0]["code"] == 214


def test_viewer_and_unknown_operation(emulator: Emulator, emulator_http: Http) -> None:
    http = emulator_http(emulator)
    node = http.gql("Viewer").json()["data"]["viewer"]["user_results"]["result"]
    assert node["rest_id"] == emulator.truth()["viewer"]["user_id"]
    r = http.gql("NoSuchOperation")
    assert (r.status_code, r.content) == (404, b"")


def test_relationships_moved_serves_nodes_without_relationship_data(
    emulator_factory: Callable[..., Emulator], emulator_http: Http
) -> None:
    emu = emulator_factory(shape="transitional", relationships_moved=True)
    node = _user(emulator_http(emu), _targets(emu, "already_blocked")[0]["identifier"])
    assert "relationship_perspectives" not in node
    assert not any(flag in node["legacy"] for flag in ("blocking", "following", "followed_by"))
    emu.set_switches(relationships_moved=False)
    node = _user(emulator_http(emu), _targets(emu, "already_blocked")[0]["identifier"])
    assert node["relationship_perspectives"]["blocking"] is True


@pytest.mark.parametrize(
    ("form", "single", "element"),
    [("empty", {"user": {}}, {}), ("null", {"user": None}, None), ("missing", {}, "gone")],
)
def test_errors_beside_empty_data_for_the_next_calls(
    emulator: Emulator, emulator_http: Http, form: str, single: Any, element: Any
) -> None:
    http = emulator_http(emulator)
    active = _targets(emulator, "active")[:4]
    emulator.set_switches(errors_empty_next=2, errors_empty_form=form)
    body = http.gql("UserByScreenName", {"screen_name": active[0]["identifier"]}).json()
    assert body["data"] == single
    [err] = body["errors"]
    assert (err["code"], err["message"], err["extensions"]["code"]) == (
        131,
        "Dependency: Internal error",
        131,
    )
    users = http.gql("UsersByRestIds", {"userIds": [t["user_id"] for t in active]}).json()
    elements = users["data"]["users"]
    real = [e for e in elements if e and "result" in e]
    assert len(real) == 2 and users["errors"][0]["code"] == 131
    if element == "gone":
        assert len(elements) == 2
    else:
        assert elements[1] == elements[3] == element
    # the count is used up: the next answer is whole again
    assert emulator.state()["switches"]["errors_empty_next"] == 0
    assert (
        "errors"
        not in http.gql("UserByScreenName", {"screen_name": active[0]["identifier"]}).json()
    )


def test_errors_beside_empty_data_as_a_share(emulator: Emulator, emulator_http: Http) -> None:
    http = emulator_http(emulator)
    handle = _targets(emulator, "active")[0]["identifier"]
    emulator.set_switches(errors_empty_rate=0.5)
    answers = [http.gql("UserByScreenName", {"screen_name": handle}).json() for _ in range(40)]
    hit = sum("errors" in a for a in answers)
    assert 5 < hit < 35
    assert all(a["data"] == {"user": {}} for a in answers if "errors" in a)
    assert "errors" not in http.gql("Viewer").json()  # only the user lookups
