"""The override file ``x-endpoints.json``: queryIds, methods and features the user sets.

    {"UserByScreenName": {"query_id": "Gb-d6r0vxPOADdG62OEBpQ", "method": "GET",
                          "features": {"hidden_profile_subscriptions_enabled": true}}}

Every key of an entry is optional; what an entry sets beats both the built-in and the
discovered values. A missing file is no override. A bad file is an ``InputError`` naming the
file and the key (exit 2); nothing is sent to X with half a file.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from ..errors import InputError
from ..messages import msg
from ..x.contract import METHODS, Override
from ..x.endpoints import QUERY_IDS

_QUERY_ID = re.compile(r"[A-Za-z0-9_-]{8,64}")


def _fail(path: Path, where: str, message: str) -> InputError:
    return InputError(
        message, where=f"{path}: {where}" if where else str(path), hint=msg("endpoints.hint")
    )


def _entry(path: Path, op: str, raw: Any) -> Override:
    if not isinstance(raw, dict):
        raise _fail(path, op, msg("endpoints.bad_shape", expected="an object"))
    unknown = sorted(set(raw) - {"query_id", "method", "features", "tid"})
    if unknown:
        raise _fail(
            path,
            f"{op}.{unknown[0]}",
            msg("endpoints.bad_shape", expected="query_id, method, features or tid"),
        )
    query_id = raw.get("query_id")
    if query_id is not None and (
        not isinstance(query_id, str) or not _QUERY_ID.fullmatch(query_id)
    ):
        raise _fail(path, f"{op}.query_id", msg("endpoints.bad_shape", expected="a queryId string"))
    method = raw.get("method")
    if method is not None:
        if not isinstance(method, str) or method.upper() not in METHODS:
            raise _fail(
                path, f"{op}.method", msg("endpoints.bad_shape", expected='"GET" or "POST"')
            )
        method = method.upper()
    features = raw.get("features")
    if features is not None and (
        not isinstance(features, dict) or not all(isinstance(v, bool) for v in features.values())
    ):
        raise _fail(
            path, f"{op}.features", msg("endpoints.bad_shape", expected="an object of true/false")
        )
    tid = raw.get("tid")
    if tid is not None and not isinstance(tid, bool):
        raise _fail(path, f"{op}.tid", msg("endpoints.bad_shape", expected="true or false"))
    return Override(query_id=query_id, method=method, features=features, tid=tid)


def load_overrides(path: Path) -> dict[str, Override]:
    """Operation -> override; ``{}`` when the file does not exist."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    except OSError as exc:
        raise _fail(path, "", str(exc)) from None
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise _fail(
            path, f"line {getattr(exc, 'lineno', '?')}", msg("endpoints.bad_json", detail=exc)
        ) from None
    if not isinstance(data, dict):
        raise _fail(path, "", msg("endpoints.bad_shape", expected="an object keyed by operation"))
    out: dict[str, Override] = {}
    for op, raw in data.items():
        if op not in QUERY_IDS:
            known = ", ".join(QUERY_IDS)
            raise _fail(path, op, msg("endpoints.unknown_operation", op=op, known=known))
        out[op] = _entry(path, op, raw)
    return out
