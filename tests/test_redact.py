"""The one redaction every output goes through (logs, database messages, ops reports)."""

from __future__ import annotations

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
