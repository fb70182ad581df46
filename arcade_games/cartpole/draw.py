"""CartPole frames (GAMES.md §3.1 Rendering): a cached background, the cart as one stamp, the
pole as additive colour in a small window around it, the arrows in their fixed boxes."""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from arcade_core.render import FrameLayout, paste_region, stamp, take_region
from arcade_core.render.geometry import in_capsule, in_disc, in_triangle

from . import constants as C

ARROW_MARGIN = 16  # arrow heads may reach past their box; exact while |v| < e^12


def _arrow_len(v: jax.Array, a: float) -> jax.Array:
    """L(v, a) = int(a + 2 ln(1 + |v|)) (GAMES.md §2.8)."""
    return jnp.floor(a + 2.0 * jnp.log1p(jnp.abs(v))).astype(jnp.int32)


def _window(box: tuple[int, int, int, int], margin: int, side: int) -> tuple[int, int, int, int]:
    x0, y0, x1, y1 = box
    return max(x0 - margin, 0), max(y0 - margin, 0), min(x1 + margin, side), min(y1 + margin, side)


def _tri(
    xs: Any, ys: Any, box: tuple[Any, Any, Any, Any], apex_first: Any, horizontal: bool
) -> Any:
    """Triangle in `box` pointing right/down (`apex_first` False) or left/up (True)."""
    x0, y0, x1, y1 = box
    if horizontal:
        ym = (y0 + y1) // 2
        ax, bx = jnp.where(apex_first, x0, x1), jnp.where(apex_first, x1, x0)
        return in_triangle(xs, ys, (ax, ym), (bx, y0), (bx, y1))
    xm = (x0 + x1) // 2
    ay, by = jnp.where(apex_first, y0, y1), jnp.where(apex_first, y1, y0)
    return in_triangle(xs, ys, (xm, ay), (x0, by), (x1, by))


class CartPoleRenderer:
    """Draws a CartPole state at one observation size."""

    def __init__(self, obs_size: int, max_score: int) -> None:
        L = C.LAYOUT[obs_size]
        self.L = L
        self.layout = FrameLayout(
            obs_size,
            name="CARTPOLE",
            background=C.BACKGROUND,
            name_colour=C.NAME,
            score_colour=C.SCORE,
            area_side=L["area"],
            area_colour=C.BACKGROUND,
            max_score_digits=len(str(max_score)),
        )
        o, side = self.layout.offset, L["area"]
        self.cart_patch = np.broadcast_to(
            np.asarray(C.CART, np.uint8), (L["cart_h"], L["cart_w"], 3)
        )
        # pole window: everything the capsule can touch, relative to the pivot
        r, w = L["pole_r"], L["cart_w"]
        self.pole_half_w = int(np.ceil(w * np.sin(C.THETA_DRAW_LIMIT))) + r + 1
        self.pole_h = w + 2 * r + 2
        self.pivot_y = L["cart_top"] + L["cart_h"] // 2
        self.pole_top = self.pivot_y - w - r - 1
        self.vel_win = tuple(v + o for v in _window(L["vel_box"], ARROW_MARGIN, side))
        self.ang_win = tuple(v + o for v in _window(L["ang_box"], ARROW_MARGIN, side))

    def cart_left(self, x: jax.Array) -> jax.Array:
        """Left edge of the cart on the game area: int(x~ (s-W)/4.8 + (s-W)/2)."""
        span = self.L["area"] - self.L["cart_w"]
        return jnp.floor(x * (span / 4.8) + span / 2).astype(jnp.int32)

    def __call__(self, state: Any, visible: Any = True) -> jax.Array:
        L, o = self.L, self.layout.offset
        x = jnp.clip(state.x + state.noise[0], -C.X_LIMIT, C.X_LIMIT)
        theta = jnp.clip(state.theta + state.noise[2], -C.THETA_DRAW_LIMIT, C.THETA_DRAW_LIMIT)
        x_dot = state.x_dot + state.noise[1]
        theta_dot = state.theta_dot + state.noise[3]

        canvas = jnp.asarray(self.layout.background())
        xl = self.cart_left(x)
        canvas = self._cart(canvas, xl + o, L["cart_top"] + o, visible)
        canvas = self._pole(canvas, xl, theta, visible)
        canvas = self._velocity_arrow(canvas, x_dot)
        canvas = self._angular_arrow(canvas, theta_dot)
        return self.layout.draw_score(canvas, state.score)

    def _cart(self, canvas: jax.Array, x: jax.Array, y: int, visible: Any) -> jax.Array:
        patch = jnp.asarray(self.cart_patch)
        if visible is not True:
            h, w = patch.shape[:2]
            patch = jnp.where(visible, patch, take_region(canvas, x, y, h, w))
        return stamp(canvas, patch, x, y)

    def _pole(self, canvas: jax.Array, xl: jax.Array, theta: jax.Array, visible: Any) -> jax.Array:
        L, o = self.L, self.layout.offset
        w, r = L["cart_w"], L["pole_r"]
        px, py = xl + w // 2, self.pivot_y
        qx, qy = px + w * jnp.sin(theta), py - w * jnp.cos(theta)
        wx = px - self.pole_half_w
        xs = (wx + jnp.arange(2 * self.pole_half_w + 1))[None, :]
        ys = (self.pole_top + jnp.arange(self.pole_h))[:, None]
        count = (
            in_capsule(xs, ys, (px, py), (qx, qy), r, xp=jnp).astype(jnp.uint8)
            + in_disc(xs, ys, px, py, r).astype(jnp.uint8)
            + in_disc(xs, ys, qx, qy, r).astype(jnp.uint8)
        )
        if visible is not True:
            count = count * jnp.asarray(visible, jnp.uint8)
        region = take_region(canvas, wx + o, self.pole_top + o, *count.shape)
        region = region + count[..., None] * jnp.asarray(C.POLE, jnp.uint8)  # uint8 wrap-around
        return paste_region(canvas, region, wx + o, self.pole_top + o)

    def _paint_window(self, canvas: jax.Array, win: tuple[int, ...], mask: jax.Array) -> jax.Array:
        x0, y0, x1, y1 = win
        region = canvas[y0:y1, x0:x1]
        return canvas.at[y0:y1, x0:x1].set(
            jnp.where(mask[..., None], jnp.asarray(C.ARROW, jnp.uint8), region)
        )

    def _coords(self, win: tuple[int, ...]) -> tuple[jax.Array, jax.Array]:
        o = self.layout.offset
        x0, y0, x1, y1 = win
        return jnp.arange(x0 - o, x1 - o)[None, :], jnp.arange(y0 - o, y1 - o)[:, None]

    def _velocity_arrow(self, canvas: jax.Array, v: jax.Array) -> jax.Array:
        """Horizontal arrow (§2.8): shaft plus a head pointing the way the cart moves."""
        x0, y0, x1, y1 = self.L["vel_box"]
        xs, ys = self._coords(self.vel_win)
        t, hd = _arrow_len(v, 2.0), _arrow_len(v, self.L["head0"])
        ym, left = (y0 + y1) // 2, v <= 0
        sx0, sx1 = jnp.where(left, x0 + hd, x0), jnp.where(left, x1, x1 - hd)
        shaft = (xs >= sx0) & (xs < sx1) & (ys >= ym - t // 2) & (ys < ym + t // 2)
        hx0 = jnp.where(left, x0, x1 - hd)
        head = _tri(xs, ys, (hx0, ym - hd // 2, hx0 + hd, ym + hd // 2), left, horizontal=True)
        return self._paint_window(canvas, self.vel_win, shaft | head)

    def _angular_arrow(self, canvas: jax.Array, w: jax.Array) -> jax.Array:
        """Curved arrow (§2.8): an upper-right quarter ring, head down (clockwise) or left."""
        x0, y0, x1, y1 = self.L["ang_box"]
        xs, ys = self._coords(self.ang_win)
        t, hd = _arrow_len(w, 2.0), _arrow_len(w, self.L["head0"])
        cx, cy, rad = (x0 + x1) // 2, (y0 + y1) // 2, (x1 - x0) // 2
        d2 = (xs - cx) ** 2 + (ys - cy) ** 2
        inner = rad - t
        shaft = ((inner < 0) | (d2 > inner * inner)) & (d2 <= rad * rad) & (xs >= cx) & (ys <= cy)
        ccw = w <= 0
        down_box = (x1 - t // 2 - hd // 2, cy, x1 - t // 2 + hd // 2, cy + hd)
        left_box = (cx - hd, y0 + t // 2 - hd // 2, cx, y0 + t // 2 + hd // 2)
        head = jnp.where(
            ccw,
            _tri(xs, ys, left_box, True, horizontal=True),
            _tri(xs, ys, down_box, False, horizontal=False),
        )
        return self._paint_window(canvas, self.ang_win, shaft | head)
