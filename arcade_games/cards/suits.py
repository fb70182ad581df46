"""The four suit sprites of docs/games/conventions.md §Drawing primitives, built in NumPy when an
env is built.

A sprite is the bool mask of a suit drawn in a box `(0, 0)-(w, h)`; every suit is clipped to
the *inclusive* box, so a mask is `(h + 1) x (w + 1)`. Shapes depend only on the box size and
on whether the image drawn on is large (256 or 192 px) or small (128 or 96 px); boxes always
start on whole pixels, so a sprite is the same wherever it is placed.
"""

from __future__ import annotations

from functools import cache

import numpy as np

HEART, SPADE, CLUB, DIAMOND = 0, 1, 2, 3
SUITS = (HEART, SPADE, CLUB, DIAMOND)
RED, BLACK = (255, 0, 0), (0, 0, 0)
#: colour of each suit index (heart and diamond red, spade and club black)
SUIT_COLOUR = (RED, BLACK, BLACK, RED)
IS_RED = (True, False, False, True)

# The reference evaluates the shapes in float32 (JAX's default); doing the same keeps the
# pixels on the curves' edges identical.
F = np.float32


def _coords(w: int, h: int) -> tuple[np.ndarray, np.ndarray]:
    """Pixel coordinates of the inclusive box [0, w] x [0, h] as float32 (row, column)."""
    return np.arange(w + 1, dtype=F)[None, :], np.arange(h + 1, dtype=F)[:, None]


def _triangle(xs: np.ndarray, ys: np.ndarray, a: tuple, b: tuple, c: tuple) -> np.ndarray:
    """Inside or on the edges of triangle abc, either orientation (docs/games/conventions.md
    §Drawing primitives)."""

    def edge(p: tuple, q: tuple) -> np.ndarray:
        return (F(q[0]) - F(p[0])) * (ys - F(p[1])) - (F(q[1]) - F(p[1])) * (xs - F(p[0]))

    e0, e1, e2 = edge(a, b), edge(b, c), edge(c, a)
    return ((e0 >= 0) & (e1 >= 0) & (e2 >= 0)) | ((e0 <= 0) & (e1 <= 0) & (e2 <= 0))


def heart(w: int, h: int, large: bool) -> np.ndarray:
    """(u² + v² - 1)³ - u² v³ < 0 around the box's integer centre, scaled by k = min(w,h)//2 + a."""
    xs, ys = _coords(w, h)
    k = F(min(w, h) // 2 + (6 if large else 4))
    u = F(2) * (xs - F(w // 2)) / k
    v = F(-2) * (ys - F(h // 2)) / k
    return (u * u + v * v - F(1)) ** 3 - u * u * v**3 < 0


def spade(w: int, h: int, large: bool) -> np.ndarray:
    """An upside-down heart in the top of the box plus a triangular stem (clipped by the box)."""
    del large  # the spade's shape does not depend on the image size
    xs, ys = _coords(w, h)
    hw, top = F(w / 2), F(0.35 * h)
    u = F(1.404) * (xs - hw) / hw
    v = F(-1.404) * (ys - top) / top
    body = (u * u + v * v - F(1)) ** 3 + u * u * v**3 < 0
    mx = w / 2
    stem = _triangle(
        xs, ys, (mx, h - 0.8 * h), (mx - 0.4 * w, h + 1.8 * h), (mx + 0.4 * w, h + 1.8 * h)
    )
    return body | stem


def club(w: int, h: int, large: bool) -> np.ndarray:
    """Three discs of radius r = floor(min(w,h)/3.12), a stem, and the reference's small
    triangle (non-empty only when 0.2 h < 6, apex below its base: kept for pixel parity)."""
    del large
    xs, ys = _coords(w, h)
    r = int(np.floor(min(w, h) / 3.12))
    cx, cy = w // 2, h // 2
    rr = F(r) * F(r)
    out = np.zeros((h + 1, w + 1), bool)
    for dx, dy in ((0.0, -0.8 * r), (-0.8 * r, float(r)), (0.8 * r, float(r))):
        px, py = F(cx + dx), F(cy + dy)
        out |= (xs - px) ** 2 + (ys - py) ** 2 <= rr
    out |= (np.abs(xs - F(cx)) <= F(np.floor(0.4 * r))) & (ys >= F(cy + r)) & (ys <= F(h))
    if 0.2 * h < 6:  # the reference fills this triangle only with its apex below its base
        out |= _triangle(xs, ys, (cx, h - 0.2 * h), (cx - 0.8 * r, h - 6), (cx + 0.8 * r, h - 6))
    return out


def diamond(w: int, h: int, large: bool) -> np.ndarray:
    """a (|x - cx|/sx + |y - cy|/sy) <= 1 with sx = w//2, sy = h//2, a = 1.48 (large) or 1.2.

    Evaluated in float32 as `(a * (1/sx)) |x - cx| + (a * (1/sy)) |y - cy| <= 1`: in the 8x12
    box (CountRecall's history at 128 px) pixels (±2, ±2) and (0, ±5) lie exactly on the edge,
    and this order of rounding is the one that reproduces the reference's pixels (measured:
    (±2, ±2) in, (0, ±5) out); every other box is the same under any order."""
    xs, ys = _coords(w, h)
    a = F(1.48 if large else 1.2)
    kx, ky = a * (F(1) / F(w // 2)), a * (F(1) / F(h // 2))
    return kx * np.abs(xs - F(w // 2)) + ky * np.abs(ys - F(h // 2)) <= F(1)


_SHAPES = (heart, spade, club, diamond)


@cache
def suit_mask(suit: int, w: int, h: int, large: bool) -> np.ndarray:
    """bool[h + 1, w + 1]: the pixels of `suit` drawn in the box (0, 0)-(w, h) (read-only)."""
    m = np.asarray(_SHAPES[suit](w, h, large), bool)
    m.setflags(write=False)
    return m
