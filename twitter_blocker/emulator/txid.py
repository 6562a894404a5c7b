"""The emulator's own ``x-client-transaction-id`` key material and verifier.

Written from the publicly documented algorithm (obfio, antibot.blog 2025-03; X-FACTS.md 6),
independently of the client's generator:

    id = base64_nopad([r] + XOR_r(key(48) || t(4, LE) || sha256("M!/path!t" + salt + anim)[:16]
                                  || 0x03))

``key`` is the page's ``twitter-site-verification`` meta (48 bytes). ``anim`` comes from one of
four ``loading-x-anim-N`` SVG frames (rows of 11 integers) and the indices the indices script
names: the row ``frames[key[5] % 4][key[i0] % 16]``, the time ``frame_time`` = product of
``key[i] % 16`` over the other indices, rounded to the nearest 10. The material changes with
the web build (every ``query_id_epoch``), as it does when X ships new bundles.
"""

from __future__ import annotations

import base64
import hashlib
import math
import random
import time
from dataclasses import dataclass

SALT = "obfiowerehiring"
EPOCH_OFFSET = 1682924400  # 2023-05-01
MAX_SKEW = 300  # seconds of clock difference accepted [inf]


@dataclass(frozen=True, slots=True)
class Material:
    key: bytes  # 48 bytes
    frames: tuple[tuple[tuple[int, ...], ...], ...]  # 4 frames x 16 rows x 11 ints
    indices: tuple[int, ...]  # row index, then the frame-time indices

    @property
    def verification(self) -> str:
        return base64.b64encode(self.key).decode("ascii")


def material(seed: int, epoch: int) -> Material:
    rng = random.Random(f"emulator-tid-{seed}-{epoch}")
    key = bytes(rng.randrange(256) for _ in range(48))
    frames = tuple(
        tuple(
            tuple(rng.randrange(256) if i < 7 else rng.randrange(1, 255) for i in range(11))
            for _ in range(16)
        )
        for _ in range(4)
    )
    indices = tuple(rng.sample(range(6, 47), 4))
    return Material(key, frames, indices)


def frame_path(frame: tuple[tuple[int, ...], ...]) -> str:
    """An SVG path ``d`` whose rows follow ``M 10,30 C``: 9 characters, then rows split on C."""
    return "M 10,30 C" + "C".join(" ".join(str(v) for v in row) + " " for row in frame)


def _cubic(curves: list[float], t: float) -> float:
    """The y of a CSS cubic-bezier (0,0)-(x1,y1)-(x2,y2)-(1,1) at x = t (bisection)."""
    x1, y1, x2, y2 = curves

    def at(a: float, b: float, s: float) -> float:
        return 3 * a * (1 - s) * (1 - s) * s + 3 * b * (1 - s) * s * s + s * s * s

    if t <= 0.0:
        return 0.0
    if t >= 1.0:
        return 1.0
    lo, hi = 0.0, 1.0
    mid = t
    for _ in range(60):
        mid = (lo + hi) / 2
        if at(x1, x2, mid) < t:
            lo = mid
        else:
            hi = mid
    return at(y1, y2, mid)


def _hex(value: float) -> str:
    """A float as the web code prints it in hex (integer part, then up to 8 fraction digits)."""
    whole = int(abs(value))
    frac = abs(value) - whole
    digits = format(whole, "x")
    if frac > 0:
        digits += "."
        for _ in range(8):
            frac *= 16
            d = int(frac)
            digits += format(d, "x")
            frac -= d
            if frac == 0:
                break
    return ("-" if value < 0 else "") + digits


def animation_key(m: Material) -> str:
    frame = m.frames[m.key[5] % 4]
    row = frame[m.key[m.indices[0]] % 16]
    frame_time = 1
    for i in m.indices[1:]:
        frame_time *= m.key[i] % 16
    frame_time = int(math.floor(frame_time / 10 + 0.5) * 10)  # JS Math.round to 10
    target = frame_time / 4096
    curves = [(v / 255) if i % 2 == 0 else (v / 255) * 2 - 1 for i, v in enumerate(row[7:11])]
    eased = _cubic(curves, target)
    color = [max(0.0, min(255.0, row[i] + (row[i + 3] - row[i]) * eased)) for i in range(3)]
    angle = math.radians(60 + (360 - 60) * (row[6] / 255) * eased)
    matrix = [math.cos(angle), -math.sin(angle), math.sin(angle), math.cos(angle)]
    parts = [format(math.floor(c + 0.5), "x") for c in color]
    parts += [_hex(round(v, 2)) for v in matrix]
    return ("".join(parts) + "00").replace(".", "").replace("-", "")


def verify(value: str | None, method: str, path: str, m: Material, now: float | None) -> bool:
    """True when ``value`` is a transaction id for ``method`` ``path`` signed with ``m``."""
    if not value:
        return False
    try:
        raw = base64.b64decode(value + "=" * (-len(value) % 4), validate=True)
    except ValueError:
        return False
    if len(raw) != 70:
        return False
    r = raw[0]
    plain = bytes(b ^ r for b in raw[1:])
    if plain[:48] != m.key or plain[-1] != 3:
        return False
    t = int.from_bytes(plain[48:52], "little")
    clock = time.time() if now is None else now
    if abs((clock - EPOCH_OFFSET) - t) > MAX_SKEW:
        return False
    text = f"{method}!{path}!{t}{SALT}{animation_key(m)}"
    return plain[52:68] == hashlib.sha256(text.encode()).digest()[:16]
