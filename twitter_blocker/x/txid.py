"""``x-client-transaction-id``: the per-request signature of x.com's web app.

The publicly documented algorithm (obfio, antibot.blog 2025-03; implemented by twscrape
``xclid.py`` and XClientTransaction, both MIT), written here from that description:

1. key: base64-decode the page's ``twitter-site-verification`` meta (48 bytes);
2. frame ``key[5] % n`` of the ``loading-x-anim`` SVGs; its row ``key[i0] % 16``;
3. frame time: product of ``key[i] % 16`` over the other indices, rounded to the nearest 10;
4. animation key: a cubic-bezier easing of that time drives a colour interpolation (clamped
   to 0..255) and a rotation (60..360 degrees); hex of colour and rotation matrix, then "00",
   without "." and "-";
5. id: ``[r] + XOR_r(key || t(4 bytes LE) || sha256("METHOD!path!t" + "obfiowerehiring" +
   anim)[:16] || 3)`` in base64 without padding, ``t`` seconds since 2023-05-01.

An id is never reused: each draws a fresh random byte, and an id already issued is drawn
again (a replayed id is refused, XClientTransaction #16).
"""

from __future__ import annotations

import base64
import hashlib
import math
import secrets
import time
from collections import deque

from .discovery import TidMaterial

_SALT = "obfiowerehiring"
_START = 1682924400
_REMEMBER = 4096


def _round_js(value: float) -> int:
    return math.floor(value + 0.5)


def _bezier(p1x: float, p1y: float, p2x: float, p2y: float, x: float) -> float:
    """CSS ``cubic-bezier(p1x, p1y, p2x, p2y)`` evaluated at ``x`` (Newton, then bisection)."""
    if x <= 0 or x >= 1:
        return 0.0 if x <= 0 else 1.0

    def coord(a: float, b: float, t: float) -> float:
        u = 1 - t
        return 3 * a * u * u * t + 3 * b * u * t * t + t * t * t

    t = x
    for _ in range(8):
        err = coord(p1x, p2x, t) - x
        if abs(err) < 1e-9:
            return coord(p1y, p2y, t)
        u = 1 - t
        slope = 3 * p1x * (u * u - 2 * u * t) + 3 * p2x * (2 * u * t - t * t) + 3 * t * t
        if abs(slope) < 1e-9:
            break
        t -= err / slope
    low, high, t = 0.0, 1.0, x
    while high - low > 1e-12:
        if coord(p1x, p2x, t) < x:
            low = t
        else:
            high = t
        t = (low + high) / 2
    return coord(p1y, p2y, t)


def _float_hex(value: float) -> str:
    sign = "-" if value < 0 else ""
    value = abs(value)
    integer = math.floor(value)
    fraction = value - integer
    out = f"{integer:x}"
    if fraction:
        out += "."
        count = 0
        while fraction and count < 8:
            fraction *= 16
            digit = math.floor(fraction)
            out += f"{digit:x}"
            fraction -= digit
            count += 1
    return sign + out


def animation_key(material: TidMaterial) -> str:
    key = material.key
    frames = material.frames
    row = frames[key[5] % len(frames)][key[material.indices[0]] % 16]
    product = 1
    for index in material.indices[1:]:
        product *= key[index] % 16
    frame_time = _round_js(product / 10) * 10
    p = [v / 255 if n % 2 == 0 else v / 255 * 2 - 1 for n, v in enumerate(row[7:11])]
    eased = _bezier(p[0], p[1], p[2], p[3], frame_time / 4096)
    start, end = row[0:3], row[3:6]
    colour = [min(255.0, max(0.0, a + (b - a) * eased)) for a, b in zip(start, end, strict=True)]
    degrees = 60 + (360 - 60) * (row[6] / 255) * eased
    rad = degrees * math.pi / 180
    matrix = (math.cos(rad), -math.sin(rad), math.sin(rad), math.cos(rad))
    text = "".join(format(_round_js(c), "x") for c in colour)
    text += "".join(_float_hex(round(m, 2)) for m in matrix)
    return (text + "00").replace(".", "").replace("-", "")


class TransactionIds:
    """Makes ids from one page's material; never hands out the same id twice."""

    def __init__(self, material: TidMaterial) -> None:
        self._key = material.key
        self._anim = animation_key(material)
        self._issued: set[str] = set()
        self._order: deque[str] = deque()

    def make(self, method: str, path: str, now: float | None = None) -> str:
        seconds = int((time.time() if now is None else now) - _START)
        digest = hashlib.sha256(f"{method}!{path}!{seconds}{_SALT}{self._anim}".encode()).digest()
        payload = self._key + seconds.to_bytes(4, "little") + digest[:16] + bytes([3])
        for _ in range(512):  # 256 random bytes per second and path: redraw on a repeat
            r = secrets.randbelow(256)
            tid = base64.b64encode(bytes([r, *(b ^ r for b in payload)])).decode().rstrip("=")
            if tid not in self._issued:
                break
        else:
            return self.make(method, path, (time.time() if now is None else now) + 1)
        self._issued.add(tid)
        self._order.append(tid)
        if len(self._order) > _REMEMBER:
            self._issued.discard(self._order.popleft())
        return tid
