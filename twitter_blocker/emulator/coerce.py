"""The emulator's switch values from JSON or a query string: each converter accepts what a
person would type (``"on"``, ``"0.5"``, ``"a,b"``) and raises ``ValueError`` naming what it
expected (``config._CONVERTERS`` maps every switch to one)."""

from __future__ import annotations

from typing import Any


def to_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in (
        "true",
        "1",
        "yes",
        "on",
        "false",
        "0",
        "no",
        "off",
    ):
        return value.lower() in ("true", "1", "yes", "on")
    if isinstance(value, int):
        return bool(value)
    raise ValueError(f"expected true or false, got {value!r}")


def to_count(value: Any) -> int | None:
    if value is None or (isinstance(value, str) and value.lower() in ("none", "off", "")):
        return None
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise ValueError(f"expected a whole number or null, got {value!r}")
    number = int(value)
    if number < 0:
        raise ValueError(f"expected a number >= 0, got {value!r}")
    return number


def to_number(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise ValueError(f"expected a number, got {value!r}")
    number = float(value)
    if number < 0:
        raise ValueError(f"expected a number >= 0, got {value!r}")
    return number


def to_rate(value: Any) -> float:
    number = to_number(value)
    if number > 1:
        raise ValueError(f"expected a share between 0 and 1, got {value!r}")
    return number


def to_not_found_code(value: Any) -> int:
    code = int(value)
    if code not in (34, 50):
        raise ValueError("not_found_code must be 34 or 50")
    return code


def to_operations(value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [v for v in value.split(",") if v]
    return tuple(str(v) for v in value)
