"""CartPole frames (GAMES.md §3.1 Rendering) as two full-width row bands over a baked
background: cart + pole (the rows they can reach), and the two arrows (the rows of their
boxes)."""

from __future__ import annotations

import math
from typing import Any

import jax
import jax.numpy as jnp

from arcade_core.render import FrameLayout, add_colour, paint, row_span, span_mask, span_masks
from arcade_core.render.geometry import isqrt, triangle_span

from . import constants as C

# Arrow heads reach past their box: the velocity head and the angular one pointing left by
# Hd//2 - T//2 + 1 <= 4 px whatever the speed; the angular head pointing down by hd - rad,
# which grows with |theta_dot|. A 4-px margin is exact for |theta_dot| < e^4.5 - 1 ~ 89 at
# 128 px (e^9 at 256 px); reachable states stay below ~5 (the pole falls first).
ARROW_MARGIN = 4


def arrow_len(v: jax.Array, a: float) -> jax.Array:
    """L(v, a) = int(a + 2 ln(1 + |v|)) (GAMES.md §2.8)."""
    return jnp.floor(a + 2.0 * jnp.log1p(jnp.abs(v))).astype(jnp.int32)


def _tri_span(
    ys: Any, box: tuple[Any, Any, Any, Any], apex_first: Any, horizontal: bool
) -> tuple[Any, Any]:
    """Per row, the interval of the triangle inscribed in `box`, pointing right/down, or
    left/up where `apex_first` (the `in_triangle` pixels, exactly)."""
    x0, y0, x1, y1 = box
    if horizontal:
        ym = (y0 + y1) >> 1
        ax, bx = jnp.where(apex_first, x0, x1), jnp.where(apex_first, x1, x0)
        return triangle_span(ys, (ax, ym), (bx, y0), (bx, y1))
    xm = (x0 + x1) >> 1
    ay, by = jnp.where(apex_first, y0, y1), jnp.where(apex_first, y1, y0)
    return triangle_span(ys, (xm, ay), (x0, by), (x1, by))


def _join(a: tuple[Any, Any], b: tuple[Any, Any]) -> tuple[jax.Array, jax.Array]:
    """Per row, the hull of two intervals that touch wherever both are non-empty (their union
    then), else the non-empty one."""
    a_on, b_on = a[0] <= a[1], b[0] <= b[1]
    lo = jnp.where(a_on & b_on, jnp.minimum(a[0], b[0]), jnp.where(a_on, a[0], b[0]))
    hi = jnp.where(a_on & b_on, jnp.maximum(a[1], b[1]), jnp.where(a_on, a[1], b[1]))
    return lo, hi


def _disc_span(ys: jax.Array, cx: jax.Array, cy: Any, r: float) -> tuple[jax.Array, jax.Array]:
    """Per row, the x-interval [lo, hi] of the disc |p - c| <= r (empty: lo > hi)."""
    h2 = r * r - (ys - cy) ** 2
    half = jnp.sqrt(jnp.maximum(h2, 0.0))
    return jnp.where(h2 >= 0, cx - half, jnp.inf), jnp.where(h2 >= 0, cx + half, -jnp.inf)


def _band_span(
    v: jax.Array, px: jax.Array, sin: jax.Array, cos: jax.Array, r: float, length: float
) -> tuple[jax.Array, jax.Array]:
    """Per row (v = y - P.y), the x-interval of the pole's straight part: points whose
    projection on PQ lies in [0, length] and whose distance to the line is <= r.

    With u = x - P.x: across = u cos + v sin in [-r, r]; along = u sin - v cos in
    [0, length]. cos > 0 here (|theta| <= 12 degrees); a vertical pole (sin = 0) has no
    along-bound on x, only on the row.
    """
    a_lo, a_hi = (-r - v * sin) / cos, (r - v * sin) / cos
    safe = jnp.where(sin == 0, 1.0, sin)
    b1, b2 = (v * cos) / safe, (length + v * cos) / safe
    row_ok = (-v * cos >= 0) & (-v * cos <= length)
    b_lo = jnp.where(sin == 0, jnp.where(row_ok, -jnp.inf, jnp.inf), jnp.minimum(b1, b2))
    b_hi = jnp.where(sin == 0, jnp.where(row_ok, jnp.inf, -jnp.inf), jnp.maximum(b1, b2))
    lo, hi = jnp.maximum(a_lo, b_lo), jnp.minimum(a_hi, b_hi)
    empty = lo > hi  # mark empty rows as (inf, -inf) so a union by min/max ignores them
    return jnp.where(empty, jnp.inf, px + lo), jnp.where(empty, -jnp.inf, px + hi)


class CartPoleRenderer:
    """Draws a CartPole state at one observation size."""

    def __init__(self, obs_size: int, max_score: int) -> None:
        L = C.LAYOUT[obs_size]
        self.L = L
        self.layout = layout = FrameLayout(
            obs_size,
            name="CARTPOLE",
            background=C.BACKGROUND,
            name_colour=C.NAME,
            score_colour=C.SCORE,
            area_side=L["area"],
            area_colour=C.BACKGROUND,
            max_score_digits=len(str(max_score)),
        )
        w, r = L["cart_w"], L["pole_r"]
        # the pivot and tip discs (rows within r of each centre) never share a row, so each
        # row meets at most one of them: `_cart_and_pole` compares against one disc per byte
        if not w * math.cos(C.THETA_DRAW_LIMIT) > 2 * r:
            raise ValueError(f"pole of length {w} and radius {r}: its end discs share rows")
        self.pivot_y = L["cart_top"] + L["cart_h"] // 2
        o, S = layout.offset, obs_size
        # cart + pole: from the highest pole tip (plus its cap) down to the cart's bottom; the
        # shapes stay inside the game area, so the band spans whole rows (no column select)
        self.body = layout.window(-o, self.pivot_y - w - r - 1, S - o, L["cart_top"] + L["cart_h"])
        m = ARROW_MARGIN
        (_, b0, _, b1), (_, d0, _, d1) = L["vel_box"], L["ang_box"]
        # both arrows share rows: one band, each arrow's shapes bounded by its own box
        self.arrows = layout.window(-o, min(b0, d0) - m, S - o, max(b1, d1) + m)

    def cart_left(self, x: jax.Array) -> jax.Array:
        """Left edge of the cart on the game area: int(x~ (s-W)/4.8 + (s-W)/2)."""
        span = self.L["area"] - self.L["cart_w"]
        # int() truncates toward zero, in the spec's order of operations: at x = -2.4 the sum
        # can round to -1e-6, which floor would turn into -1
        return (x * span / 4.8 + span / 2).astype(jnp.int32)

    def __call__(self, state: Any, visible: Any = True) -> jax.Array:
        x = jnp.clip(state.x + state.noise[0], -C.X_LIMIT, C.X_LIMIT)
        theta = jnp.clip(state.theta + state.noise[2], -C.THETA_DRAW_LIMIT, C.THETA_DRAW_LIMIT)
        arrows = span_mask(
            self.arrows,
            self._velocity_arrow(state.x_dot + state.noise[1]),
            *self._angular_arrow(state.theta_dot + state.noise[3]),
        )
        windows = {
            self.body: self._cart_and_pole(x, theta, visible),
            self.arrows: paint(self.layout.pixels(self.arrows), arrows, C.ARROW),
        }
        return self.layout.render(windows, score=state.score)

    def _cart_and_pole(self, x: jax.Array, theta: jax.Array, visible: Any) -> jax.Array:
        """Cart rect, then the pole capsule and its two end discs with colour added mod 256.

        Every shape here is convex, so each window row meets it in one interval: the bounds are
        computed per row (a few dozen rows) and each byte only compares its column against
        three of them: the cart, the capsule (the union of both discs and the band between)
        and the one end disc on its row (the two never share a row, checked at build time).
        """
        L = self.L
        w, r = L["cart_w"], L["pole_r"]
        ys = (self.body.ys - self.layout.offset).astype(jnp.float32)
        o = self.layout.offset
        xl = self.cart_left(x)
        shown = jnp.asarray(visible, bool)
        cart = row_span(self.body, (ys >= L["cart_top"]) & shown, xl + o, xl + o + w - 1)
        # pole: pivot P, tip Q = P + W (sin, -cos) (positive angle leans right)
        px, py = (xl + w // 2).astype(jnp.float32), float(self.pivot_y)
        sin, cos = jnp.sin(theta), jnp.cos(theta)
        qx, qy = px + w * sin, py - w * cos
        lo_p, hi_p = _disc_span(ys, px, py, r)
        lo_q, hi_q = _disc_span(ys, qx, qy, r)
        lo_b, hi_b = _band_span(ys - py, px, sin, cos, r, w)
        lo_c = jnp.minimum(jnp.minimum(lo_p, lo_q), lo_b)
        hi_c = jnp.maximum(jnp.maximum(hi_p, hi_q), hi_b)
        on_p = lo_p <= hi_p
        lo_d, hi_d = jnp.where(on_p, lo_p, lo_q), jnp.where(on_p, hi_p, hi_q)

        def pole(lo: jax.Array, hi: jax.Array) -> tuple[jax.Array, jax.Array]:
            return jnp.where(shown, lo + o, jnp.inf), hi + o

        m_cart, m_capsule, m_disc = span_masks(self.body, cart, pole(lo_c, hi_c), pole(lo_d, hi_d))
        out = paint(self.layout.pixels(self.body), m_cart, C.CART)
        return add_colour(add_colour(out, m_capsule, C.POLE), m_disc, C.POLE)

    def _velocity_arrow(self, v: jax.Array) -> tuple[jax.Array, jax.Array]:
        """Horizontal arrow (§2.8): a shaft and a head pointing the way the cart moves, as one
        interval per row."""
        x0, y0, x1, y1 = self.L["vel_box"]
        o = self.layout.offset
        ys = self.arrows.ys - o
        t, hd = arrow_len(v, 2.0), arrow_len(v, self.L["head0"])
        ym, left = (y0 + y1) // 2, v <= 0
        sx0, sx1 = jnp.where(left, x0 + hd, x0), jnp.where(left, x1, x1 - hd)
        shaft = row_span(self.arrows, (ys >= ym - (t >> 1)) & (ys < ym + (t >> 1)), sx0, sx1 - 1)
        hx0 = jnp.where(left, x0, x1 - hd)
        box = (hx0, ym - (hd >> 1), hx0 + hd, ym + (hd >> 1))
        head = _tri_span(ys, box, left, horizontal=True)
        # on the shaft's rows the head's base column is next to the shaft's end (the head is
        # at least as tall as the shaft), so the union is one interval on every row
        lo, hi = _join(shaft, head)
        return lo + o, hi + o

    def _angular_arrow(self, w: jax.Array) -> list[tuple[jax.Array, jax.Array]]:
        """Curved arrow (§2.8): an upper-right quarter ring, head down (w > 0) or left, as two
        intervals per row (ring, head)."""
        x0, y0, x1, y1 = self.L["ang_box"]
        o = self.layout.offset
        ys = self.arrows.ys - o
        t, hd = arrow_len(w, 2.0), arrow_len(w, self.L["head0"])
        cx, cy, rad = (x0 + x1) // 2, (y0 + y1) // 2, (x1 - x0) // 2
        # quarter ring x >= cx, y <= cy, d2 <= rad^2 and (inner < 0 or d2 > inner^2), per row
        dy2 = (ys - cy) ** 2
        inner = rad - t
        k = inner * inner - dy2
        lo = jnp.where((inner < 0) | (k < 0), cx, cx + isqrt(k) + 1)
        hi = cx + isqrt(rad * rad - dy2)
        ring = row_span(self.arrows, ys <= cy, lo, hi)
        ccw = w <= 0
        t2, h2 = t >> 1, hd >> 1  # floor halves (t, hd >= 0)
        down = (x1 - t2 - h2, cy, x1 - t2 + h2, cy + hd)
        left = (cx - hd, y0 + t2 - h2, cx, y0 + t2 + h2)
        # pick the head's box and direction first, so one triangle is computed
        x0h, y0h, x1h, y1h = (jnp.where(ccw, p, q) for p, q in zip(left, down, strict=True))
        apex = (jnp.where(ccw, x0h, (x0h + x1h) >> 1), jnp.where(ccw, (y0h + y1h) >> 1, y1h))
        base0 = (jnp.where(ccw, x1h, x0h), jnp.where(ccw, y0h, y0h))
        base1 = (jnp.where(ccw, x1h, x1h), jnp.where(ccw, y1h, y0h))
        head = triangle_span(ys, apex, base0, base1)
        return [(lo + o, hi + o) for lo, hi in (ring, head)]
