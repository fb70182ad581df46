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
    """Pixels whose Euclidean distance to (cx, cy) is <= r (docs/games/conventions.md §Drawing
    primitives)."""
    return (xs - cx) ** 2 + (ys - cy) ** 2 <= r * r


def in_ring(xs: Any, ys: Any, cx: Any, cy: Any, r: Any, t: Any) -> Any:
    """Pixels with (r - t)^2 <= d^2 <= r^2 (docs/games/conventions.md §Drawing primitives)."""
    d2 = (xs - cx) ** 2 + (ys - cy) ** 2
    return ((r - t) ** 2 <= d2) & (d2 <= r * r)


def in_triangle(xs: Any, ys: Any, a: Point, b: Point, c: Point) -> Any:
    """Pixels inside or on the edges of triangle abc, either orientation (docs/games/conventions.md
    §Drawing primitives)."""

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
    """Pixels within distance r of segment pq, projection clamped to the segment
    (docs/games/cartpole.md §Drawing)."""
    dx, dy = q[0] - p[0], q[1] - p[1]
    norm2 = dx * dx + dy * dy
    t = ((xs - p[0]) * dx + (ys - p[1]) * dy) / xp.maximum(norm2, 1e-12)
    t = xp.clip(t, 0.0, 1.0)
    ex, ey = xs - (p[0] + t * dx), ys - (p[1] + t * dy)
    return ex * ex + ey * ey <= r * r


# ----------------------------------------------------------------------- per-row spans (JAX)
# A convex shape meets each pixel row in one run of columns, so a dynamic shape is drawn by
# computing, per row, the inclusive integer interval [lo, hi] of its columns (a few ops on an
# [h, 1] array) and then comparing each byte's column against it (`canvas.span_mask`): two
# compares per byte instead of the shape's whole predicate. Empty rows have lo > hi.


def triangle_spans(ys: Any, a: Point, b: Point, c: Point) -> list[tuple[Any, Any]]:
    """Per-row column intervals whose union is `in_triangle(xs, ys, a, b, c)` exactly (integer
    vertices below 2^11): one interval per orientation branch (all edges >= 0, all <= 0); a
    proper triangle fills one of them, a degenerate one may touch both.

    Edge e(x, y) = A x + K(y) bounds x at -K / A. That quotient of integers below 2^23 is
    exact in float32 where it is an integer and never rounds onto one where it is not, so
    ceil/floor of it are the exact integer bounds; one division per edge serves both branches
    (integer division would cost XLA two kernels per use, and every kernel costs a launch)."""
    import jax.numpy as jnp

    lo_p, hi_p, ok_p = -jnp.inf, jnp.inf, True  # branch: all edges >= 0
    lo_n, hi_n, ok_n = -jnp.inf, jnp.inf, True  # branch: all edges <= 0
    for p, q in ((a, b), (b, c), (c, a)):
        coef = -(q[1] - p[1]) * jnp.ones_like(ys)  # of x
        k = (q[0] - p[0]) * (ys - p[1]) + (q[1] - p[1]) * p[0]
        bound = -k.astype(jnp.float32) / jnp.where(coef == 0, 1, coef).astype(jnp.float32)
        up, down = jnp.ceil(bound), jnp.floor(bound)
        lo_p = jnp.maximum(lo_p, jnp.where(coef > 0, up, -jnp.inf))
        hi_p = jnp.minimum(hi_p, jnp.where(coef < 0, down, jnp.inf))
        lo_n = jnp.maximum(lo_n, jnp.where(coef < 0, up, -jnp.inf))
        hi_n = jnp.minimum(hi_n, jnp.where(coef > 0, down, jnp.inf))
        ok_p = ok_p & ((coef != 0) | (k >= 0))
        ok_n = ok_n & ((coef != 0) | (k <= 0))
    return [
        (jnp.where(ok_p, lo_p, jnp.inf), jnp.where(ok_p, hi_p, -jnp.inf)),
        (jnp.where(ok_n, lo_n, jnp.inf), jnp.where(ok_n, hi_n, -jnp.inf)),
    ]


def isqrt(n: Any) -> Any:
    """floor(sqrt(n)) for int32 n >= 0, exact (float sqrt corrected by one either way);
    -1 for n < 0."""
    import jax.numpy as jnp

    r = jnp.floor(jnp.sqrt(jnp.maximum(n, 0).astype(jnp.float32))).astype(jnp.int32)
    r = jnp.where(r * r > n, r - 1, r)
    r = jnp.where((r + 1) * (r + 1) <= n, r + 1, r)
    return jnp.where(n < 0, -1, r)


def disc_span(ys: Any, cx: Any, cy: Any, r2: Any) -> tuple[Any, Any]:
    """Per row, the columns of integer points with (x - cx)^2 + (y - cy)^2 <= r2 (all ints)."""
    h = isqrt(r2 - (ys - cy) ** 2)
    return cx - h, cx + h  # h = -1 (row misses the disc): lo > hi
