"""CartPole frames (docs/games/cartpole.md §Drawing) as full-width row bands over a baked
background: cart + pole (the rows they can reach, in four windows), and the two arrows (the rows of
their boxes). Every shape is drawn by `Strips`: per row, its run of columns gathered as a whole row
of bytes from a small table and added to the background."""

from __future__ import annotations

import math
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from arcade_core.render import FrameLayout, Strips, StripTable, apart, colour_delta
from arcade_core.render.geometry import in_triangle, triangle_vertices

from . import constants as C

# The arrow band is each box plus a 4-px margin: the velocity head and the angular one pointing
# left reach past their box by Hd//2 - T//2 + 1 <= 4 px whatever the speed; the angular head
# pointing down by Hd - R, which grows with |theta_dot|. So the band holds every arrow exactly
# for |theta_dot| < e^4.5 - 1 ~ 89 at 128 px (e^9 at 256 px), and longer ones are drawn at the
# largest size it holds; reachable states stay below ~5 (the pole falls first).
ARROW_MARGIN = 4


def arrow_len(v: jax.Array, a: float) -> jax.Array:
    """L(v, a) = int(a + 2 ln(1 + |v|)) (docs/games/conventions.md §Drawing primitives)."""
    return jnp.floor(a + 2.0 * jnp.log1p(jnp.abs(v))).astype(jnp.int32)


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
        top, cart_top = self.pivot_y - w - r - 1, L["cart_top"]
        bottom = cart_top + L["cart_h"]
        self.body = layout.window(-o, top, S - o, bottom)
        # ... drawn as four windows of rows, each comparing its bytes only against the shapes
        # that can reach it: the tip disc's rows (its centre is at most W cos(theta_max) above
        # the pivot; one row of margin for float rounding), the shaft, the cart's rows down to
        # the pivot disc's last, and the cart's rows below the pole
        tip_end = math.floor(self.pivot_y - w * math.cos(C.THETA_DRAW_LIMIT) + r) + 2
        pole_end = self.pivot_y + r + 1
        if not top < tip_end <= cart_top <= self.pivot_y - r and pole_end < bottom:
            raise ValueError(f"CartPole layout {L}: the pole's row bands do not nest")
        self.parts = [
            (layout.window(-o, a, S - o, b), shapes)
            for a, b, shapes in (
                (top, tip_end, ("capsule", "disc")),
                (tip_end, cart_top, ("capsule",)),
                (cart_top, pole_end, ("cart", "capsule", "disc")),
                (pole_end, bottom, ("cart",)),
            )
        ]
        # per body row: v = y - pivot y; the pivot disc's half-width (-inf off its rows); the
        # rows a vertical pole's band covers (0 <= -v <= W)
        self.body_h = h = self.body.y1 - self.body.y0
        h8 = -(-h // 8) * 8  # padded to whole 8-float vectors: rows past h are computed, unread
        v = (np.arange(self.body.y0, self.body.y0 + h8) - o - self.pivot_y).astype(np.float32)
        self.row_v = v[:, None]
        h2 = r * r - v * v
        self.pivot_rows = (h2 >= 0)[:, None]
        self.pivot_half = np.where(h2 >= 0, np.sqrt(np.maximum(h2, 0)), -np.inf).astype(np.float32)[
            :, None
        ]
        self.vertical_rows = ((-v >= 0) & (-v <= w))[:, None]
        m = ARROW_MARGIN
        (_, b0, _, b1), (_, d0, _, d1) = L["vel_box"], L["ang_box"]
        # both arrows share rows: one band, each arrow's shapes bounded by its own box; it
        # starts where the body ends, so the rows between join it instead of making a band of
        # their own (a frame fuses at most 8: see `compose`)
        if min(b0, d0) - m < bottom:
            raise ValueError(f"CartPole layout {L}: the arrows' band overlaps the cart")
        self.arrows = layout.window(-o, bottom, S - o, max(b1, d1) + m)
        # every shape is drawn by adding strips (`Strips`) to the background, which paints only
        # where that background is one colour: the game area's, on all these rows
        under = np.concatenate([layout.pixels(self.body), layout.pixels(self.arrows)])
        if not np.all(np.asarray(under).reshape(len(under), -1, 3) == np.asarray(C.BACKGROUND)):
            raise ValueError("CartPole's body and arrow rows must be the background colour")
        # the pole's runs: its capsule spans at most W sin(theta) + 2r columns of a row (its
        # horizontal extent), the end discs 2r + 1; one column of margin for rounding
        self.pole_strips = Strips(
            C.POLE, S, math.floor(w * math.sin(C.THETA_DRAW_LIMIT) + 2 * r) + 2
        )
        self.cart_strips = Strips(colour_delta(C.CART, C.BACKGROUND), S, w, fixed=True)
        # every arrow shape, as per-row runs: a step gathers one table row per arrow
        self.tables = {kind: self._arrow_table(kind) for kind in ("vel", "ang")}

    def cart_left(self, x: jax.Array) -> jax.Array:
        """Left edge of the cart on the game area: int(x~ (s-W)/4.8 + (s-W)/2)."""
        span = self.L["area"] - self.L["cart_w"]
        # int() truncates toward zero, in the spec's order of operations: at x = -2.4 the sum
        # can round to -1e-6, which floor would turn into -1
        return (x * span / 4.8 + span / 2).astype(jnp.int32)

    def __call__(
        self, state: Any, noise: Any = (0.0, 0.0, 0.0, 0.0), visible: Any = True
    ) -> jax.Array:
        """The frame of `state` with `noise` (float[4]) added to x, x_dot, theta and theta_dot
        before drawing, the cart and pole shown where `visible`."""
        # the frame's inputs in a kernel of their own (`apart`): fused, the step's dynamics
        # (physics, a reset's draws, NoisyCartPole's inverse-erf noise) would be recomputed in
        # every kernel that reads them, the frame's own included; the pole's sine and cosine
        # and the arrows' table rows (a log1p per speed) too, which the frame's loop would
        # otherwise recompute on every row
        noise = jnp.asarray(noise, jnp.float32)
        x = jnp.clip(state.x + noise[0], -C.X_LIMIT, C.X_LIMIT)
        theta = jnp.clip(state.theta + noise[2], -C.THETA_DRAW_LIMIT, C.THETA_DRAW_LIMIT)
        arrows = [
            self._arrow_index(kind, v + noise[i]).astype(jnp.float32)
            for kind, v, i in (("vel", state.x_dot, 1), ("ang", state.theta_dot, 3))
        ]
        shown = jnp.asarray(visible, jnp.float32)
        xl = self.cart_left(x).astype(jnp.float32)
        score = state.score.astype(jnp.float32)
        inputs = apart(jnp.stack([xl, jnp.sin(theta), jnp.cos(theta), *arrows, score, shown]))
        xl, sin, cos = inputs[0].astype(jnp.int32), inputs[1], inputs[2]
        index = {"vel": inputs[3].astype(jnp.int32), "ang": inputs[4].astype(jnp.int32)}
        score, visible = inputs[5].astype(jnp.int32), inputs[6] > 0
        arrows = self.layout.pixels(self.arrows)
        for kind in ("vel", "ang"):
            arrows = arrows + self.tables[kind][0].rows(index[kind])
        windows = {**self._cart_and_pole(xl, sin, cos, visible), self.arrows: arrows}
        return self.layout.render(windows, score=score)

    def _cart_and_pole(
        self, xl: jax.Array, sin: jax.Array, cos: jax.Array, visible: Any
    ) -> dict[Any, jax.Array]:
        """Cart rect, then the pole capsule and its two end discs with colour added mod 256.

        Every shape here is convex, so each window row meets it in one run: the runs are
        computed per row (a few dozen rows, in a kernel of their own: `apart`) as `Strips`
        starts, and each byte adds one gathered strip per shape: the capsule (the union of
        both discs and the band between), the one end disc on its row (the two never share a
        row, checked at build time) and, on the cart's rows, the cart (painted as its
        difference from the background); each of the body's four row windows only the shapes
        that reach it. `xl`: the cart's left edge (`cart_left`); `sin`, `cos`: of the pole's
        angle. Returns the windows' pixels.
        """
        w, o = self.L["cart_w"], self.layout.offset
        shown = jnp.asarray(visible, bool)
        cart = self.cart_strips.rows(
            self.cart_strips.start(jnp.where(shown, xl + o, 1), jnp.where(shown, xl + o + w - 1, 0))
        )
        starts = self._pole_rows(xl, sin, cos, shown)  # int32 [2, h]
        out = {}
        for win, shapes in self.parts:
            sl = slice(win.y0 - self.body.y0, win.y1 - self.body.y0)
            pixels = self.layout.pixels(win)
            if "cart" in shapes:
                pixels = pixels + cart
            for i, k in enumerate(("capsule", "disc")):
                if k in shapes:
                    pixels = pixels + self.pole_strips.rows(starts[i, sl])
            out[win] = pixels
        return out

    def _pole_rows(
        self, xl: jax.Array, sin: jax.Array, cos: jax.Array, shown: jax.Array
    ) -> jax.Array:
        """Per body row, the `Strips` starts of the capsule's run and of the end disc's on that
        row: int32[2, h] (capsule, disc).

        Pivot P, tip Q = P + W (sin, -cos) (a positive angle leans right), v = y - P.y:
        * the band: u = x - P.x with across = u cos + v sin in [-r, r] and along = u sin - v cos
          in [0, W]; cos > 0 here (|theta| <= 12 degrees) and a vertical pole (sin = 0) has no
          along-bound on x, only on the row;
        * the discs: the pivot's rows are static, the tip's a square root per row.

        Written for the kernel that computes it (`apart`: the per-byte loop only reads its
        result): rows padded to a multiple of 8 (no scalar remainder loop), min/max as selects
        (no NaN handling: no bound is NaN), and each run's start an exact float.
        """
        L = self.L
        w, r, o = L["cart_w"], L["pole_r"], self.layout.offset
        px = (xl + w // 2).astype(jnp.float32)
        v = jnp.asarray(self.row_v)  # [h8, 1]

        def lower(a: jax.Array, b: jax.Array) -> jax.Array:
            return jnp.where(a < b, a, b)

        def upper(a: jax.Array, b: jax.Array) -> jax.Array:
            return jnp.where(a > b, a, b)

        vertical = sin == 0
        safe = jnp.where(vertical, 1.0, sin)
        # the band: across bound, then along bound (none on x for a vertical pole)
        tan, half_w = sin / cos, r / cos
        vt = v * tan
        a_lo, a_hi = px - half_w - vt, px + half_w - vt
        b1 = px + v * (cos / safe)
        b2 = b1 + w / safe
        row_ok = jnp.asarray(self.vertical_rows)
        b_lo = jnp.where(vertical, jnp.where(row_ok, -jnp.inf, jnp.inf), lower(b1, b2))
        b_hi = jnp.where(vertical, jnp.where(row_ok, jnp.inf, -jnp.inf), upper(b1, b2))
        lo_b, hi_b = upper(a_lo, b_lo), lower(a_hi, b_hi)
        band = lo_b <= hi_b  # empty rows become (inf, -inf) so the union by min/max skips them
        lo_b, hi_b = jnp.where(band, lo_b, jnp.inf), jnp.where(band, hi_b, -jnp.inf)
        # the pivot disc: static half-widths (-inf off its rows); the tip disc
        hp = jnp.asarray(self.pivot_half)
        lo_p, hi_p = px - hp, px + hp
        dq = v + w * cos  # y - Q.y
        h2 = r * r - dq * dq
        hq = jnp.sqrt(upper(h2, 0.0))
        qx = px + w * sin
        lo_q, hi_q = jnp.where(h2 >= 0, qx - hq, jnp.inf), jnp.where(h2 >= 0, qx + hq, -jnp.inf)
        on_p = jnp.asarray(self.pivot_rows)
        capsule = (lower(lower(lo_p, lo_q), lo_b), upper(upper(hi_p, hi_q), hi_b))
        disc = (jnp.where(on_p, lo_p, lo_q), jnp.where(on_p, hi_p, hi_q))

        def start(lo: jax.Array, hi: jax.Array) -> jax.Array:
            # canvas columns; a hidden pole's runs are empty
            return self.pole_strips.start(jnp.where(shown, lo + o, jnp.inf), hi + o)

        starts = apart(jnp.stack([start(*capsule), start(*disc)]))[:, : self.body_h, 0]
        return starts.astype(jnp.int32)

    def _arrow_table(self, kind: str) -> tuple[StripTable, int]:
        """Every shape of one arrow on the arrow band, from the arrow formulas of
        docs/games/conventions.md §Drawing primitives: per direction, per head size Hd = h0 + k and
        thickness T = 2 + k + d (d in -1..1: float rounding of the two lengths may differ by one). k
        runs up to the largest size whose every shape stays on the band; longer arrows are drawn at
        that size."""
        h0, win, o = self.L["head0"], self.arrows, self.layout.offset
        s = self.L["area"]
        xs, ys = np.arange(s)[None, :], np.arange(s)[:, None]  # the game area, where the spec draws
        band = np.arange(win.y0 - o, win.y1 - o)
        on_area = (band >= 0) & (band < s)
        masks: list[np.ndarray] = []
        k = 0
        while True:
            batch = []
            for positive in (False, True):
                for d in (-1, 0, 1):
                    whole = _arrow_mask(self.L, kind, positive, max(2 + k + d, 0), h0 + k, xs, ys)
                    m = whole[np.clip(band, 0, s - 1)] & on_area[:, None]  # its band rows
                    if m.sum() != whole.sum() or k > 64:  # part of it would fall off the band
                        delta = colour_delta(C.ARROW, C.BACKGROUND)
                        return StripTable(self._to_band(np.stack(masks)), delta), k - 1
                    batch.append(m)
            masks += batch
            k += 1

    def _to_band(self, masks: np.ndarray) -> np.ndarray:
        """Game-area masks over the band's rows -> canvas-wide masks (bool[n, h, S])."""
        o, s = self.layout.offset, self.L["area"]
        out = np.zeros((*masks.shape[:2], self.layout.size), bool)
        out[..., o : o + s] = masks
        return out

    def _arrow_index(self, kind: str, v: jax.Array) -> jax.Array:
        """The table row of arrow `kind` for speed `v`: picked by direction and by the two
        lengths L(v, h0) and L(v, 2) as `arrow_len` computes them."""
        _, k_max = self.tables[kind]
        h0 = self.L["head0"]
        k = arrow_len(v, h0) - h0
        d = jnp.clip(arrow_len(v, 2.0) - 2 - k, -1, 1)
        k = jnp.minimum(k, k_max)
        return ((k * 2 + (v > 0).astype(jnp.int32)) * 3) + d + 1


def _arrow_mask(
    L: dict, kind: str, positive: bool, t: int, hd: int, xs: np.ndarray, ys: np.ndarray
) -> np.ndarray:
    """docs/games/conventions.md §Drawing primitives on the game area (NumPy): the velocity arrow
    (`kind` "vel", pointing right if `positive`) or the angular one ("ang", head down if
    `positive`)."""
    if kind == "vel":
        x0, y0, x1, y1 = L["vel_box"]
        ym = (y0 + y1) // 2
        rows = (ys >= ym - t // 2) & (ys < ym + t // 2)
        if positive:
            shaft = (xs >= x0) & (xs < x1 - hd) & rows
            head = triangle_vertices((x1 - hd, ym - hd // 2, x1, ym + hd // 2), "right")
        else:
            shaft = (xs >= x0 + hd) & (xs < x1) & rows
            head = triangle_vertices((x0, ym - hd // 2, x0 + hd, ym + hd // 2), "left")
        return shaft | in_triangle(xs, ys, *head)
    x0, y0, x1, y1 = L["ang_box"]
    cx, cy, rad = (x0 + x1) // 2, (y0 + y1) // 2, (x1 - x0) // 2
    d2 = (xs - cx) ** 2 + (ys - cy) ** 2
    inner = rad - t  # R - T < d  <=>  R - T < 0 or (R - T)^2 < d^2 (integers)
    ring = (d2 <= rad * rad) & ((inner < 0) | (inner * inner < d2)) & (xs >= cx) & (ys <= cy)
    if positive:
        box = (x1 - t // 2 - hd // 2, cy, x1 - t // 2 + hd // 2, cy + hd)
        head = triangle_vertices(box, "down")
    else:
        box = (cx - hd, y0 + t // 2 - hd // 2, cx, y0 + t // 2 + hd // 2)
        head = triangle_vertices(box, "left")
    return ring | in_triangle(xs, ys, *head)
