"""Pixel-set predicates shared by static (NumPy) and dynamic (JAX) drawing.

Each takes integer pixel coordinate arrays `xs`, `ys` (broadcastable, e.g. a column and a row)
and returns a bool array. Only arithmetic and comparisons are used, so the same function serves
NumPy at build time and `jax.numpy` inside `step`; pass `xp` where a clip is needed.
"""

from __future__ import annotations

from typing import Any

import numpy as np

Point = tuple[Any, Any]


def in_disc(xs: Any, ys: Any, cx: Any, cy: Any, r: Any) -> Any:
    """Pixels whose Euclidean distance to (cx, cy) is <= r (GAMES.md §2.6)."""
    return (xs - cx) ** 2 + (ys - cy) ** 2 <= r * r


def in_ring(xs: Any, ys: Any, cx: Any, cy: Any, r: Any, t: Any) -> Any:
    """Pixels with (r - t)^2 <= d^2 <= r^2 (GAMES.md §2.6)."""
    d2 = (xs - cx) ** 2 + (ys - cy) ** 2
    return ((r - t) ** 2 <= d2) & (d2 <= r * r)


def in_triangle(xs: Any, ys: Any, a: Point, b: Point, c: Point) -> Any:
    """Pixels inside or on the edges of triangle abc, either orientation (GAMES.md §2.7)."""

    def edge(p: Point, q: Point) -> Any:
        return (q[0] - p[0]) * (ys - p[1]) - (q[1] - p[1]) * (xs - p[0])

    e0, e1, e2 = edge(a, b), edge(b, c), edge(c, a)
    return ((e0 >= 0) & (e1 >= 0) & (e2 >= 0)) | ((e0 <= 0) & (e1 <= 0) & (e2 <= 0))


def triangle_vertices(box: tuple[Any, Any, Any, Any], direction: str) -> tuple[Point, Point, Point]:
    """Vertices of the isosceles triangle inscribed in box (x0, y0, x1, y1) pointing `direction`."""
    x0, y0, x1, y1 = box
    xm, ym = (x0 + x1) // 2, (y0 + y1) // 2
    return {
        "up": ((xm, y0), (x0, y1), (x1, y1)),
        "down": ((xm, y1), (x0, y0), (x1, y0)),
        "left": ((x0, ym), (x1, y0), (x1, y1)),
        "right": ((x1, ym), (x0, y0), (x0, y1)),
    }[direction]


def in_capsule(xs: Any, ys: Any, p: Point, q: Point, r: Any, xp: Any = np) -> Any:
    """Pixels within distance r of segment pq, projection clamped to the segment (§2.9)."""
    dx, dy = q[0] - p[0], q[1] - p[1]
    norm2 = dx * dx + dy * dy
    t = ((xs - p[0]) * dx + (ys - p[1]) * dy) / xp.maximum(norm2, 1e-12)
    t = xp.clip(t, 0.0, 1.0)
    ex, ey = xs - (p[0] + t * dx), ys - (p[1] + t * dy)
    return ex * ex + ey * ey <= r * r
