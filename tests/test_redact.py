"""The one redaction every output goes through (logs, database messages, ops reports)."""

from __future__ import annotations

from hypothesis import example, given, settings
from hypothesis import strategies as st

from twitter_blocker import logs, redact
from twitter_blocker.ops import redact as ops_redact
from twitter_blocker.store.runs import scrub

CT0 = "0123456789abcdef" * 10  # 160 hex characters, like a real ct0
TOKEN = "f" * 40
BEARER = "AAAAAAAAAAAAAAAAAAAAANRILgAAAAAAnNwIzUejRCOuH5E6I8xnZz4puTs%3D1Zv7ttf"


def test_secret_shapes_are_masked_and_names_kept() -> None:
    cases = {
        f"ct0={CT0}; auth_token={TOKEN}": "ct0=***; auth_token=***",
        f'{{"auth_token": "{TOKEN}"}}': '{"auth_token": "***"}',
        "Cookie: a=b; c=d": "Cookie: ***",
        f"authorization: Bearer {BEARER}": "authorization: ***",
        f"bearer {BEARER} in a message": "bearer *** in a message",
        f"token {TOKEN} leaked bare": "token *** leaked bare",
    }
    for text, expected in cases.items():
        assert redact.redact(text) == expected


def test_ids_handles_and_ordinary_words_survive() -> None:
    text = "blocked 1500000000000000001 (@ct0_fan, screen_name=attic) at 02:15"
    assert redact.redact(text) == text


def test_literal_values_are_masked_wherever_they_appear() -> None:
    assert redact.redact("value sekrit-value-1 here", ["sekrit-value-1"]) == "value *** here"
    redact.register_secret("registered-secret-9")
    assert redact.redact("x registered-secret-9 y") == "x *** y"


def test_every_layer_uses_the_same_redaction() -> None:
    text = f"failed: ct0={CT0}"
    assert logs.redact(text) == ops_redact.redact(text) == scrub(text) == "failed: ct0=***"


def _reference(text: str, literals: tuple[str, ...]) -> str:
    """``redact`` as it was before it skipped patterns that cannot match: every pattern runs."""
    for value in sorted(literals, key=len, reverse=True):
        if value in text:
            text = text.replace(value, redact.MASK)
    text = redact._HEADER.sub(lambda m: m.group("key") + redact.MASK, text)
    text = redact._PAIR.sub(lambda m: m.group("key") + m.group("q") + redact.MASK, text)
    text = redact._BEARER.sub(redact.MASK, text)
    return redact._LONG_HEX.sub(redact.MASK, text)


_PIECES = [
    *redact.SECRET_NAMES,
    *(name.upper() for name in redact.SECRET_NAMES),
    "Cookie",
    "set-COOKIE",
    "Authorization",
    "authoriZation",
    "Bearer ",
    BEARER,
    BEARER[:30],
    TOKEN,
    CT0[:40],
    "=",
    ": ",
    '"',
    "'",
    ";",
    " ",
    "\n",
    "decision @someone (id 1500000000000000001): blocked",
    "c\u017frf_token",  # long s: IGNORECASE matches it for s
    "coo\u212aie",  # Kelvin sign: IGNORECASE matches it for k
    "\u0130",  # dotted capital I
    "é",
    "x",
    "7",
    "lit-secret-1",
]


@settings(max_examples=600, deadline=None)
@given(st.lists(st.sampled_from(_PIECES), max_size=14), st.booleans())
@example(["c\u017frf_token", "=", "x"], False)  # long s in a name: only the pattern sees it
@example(["auth_to\u212aen", ": ", TOKEN], False)
def test_skipping_patterns_that_cannot_match_changes_no_output(
    pieces: list[str], with_literal: bool
) -> None:
    text = "".join(pieces)
    literals = ("lit-secret-1",) if with_literal else ()
    registered = tuple(redact._registered)
    assert redact.redact(text, literals) == _reference(text, registered + literals)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=60))
def test_skipping_patterns_changes_no_output_on_any_text(text: str) -> None:
    assert redact.redact(text) == _reference(text, tuple(redact._registered))
