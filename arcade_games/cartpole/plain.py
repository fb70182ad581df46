"""CartPole's plain renderer: the frame of docs/games/cartpole.md (Rendering) as code, one
function per thing drawn. `make("CartPoleEasy", renderer="plain")` plays with it; it gives the
very frames of the tuned renderer in `draw.py` (the conformance kit checks them pixel-equal).

The game area is a square in the middle of the frame; everything below is drawn in its
coordinates (`o` is where it starts on the canvas) and stays inside it.
"""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp

from arcade_core.observability import View
from arcade_core.render import plain
from arcade_core.render.geometry import in_triangle, triangle_vertices

from . import constants as C

# An arrow's head grows with the speed it shows; it stops growing where it would reach more
# than this many rows below the arrow's box (only at speeds no episode reaches), and the
# shaft's thickness stops with it.
ARROW_MARGIN = 4


def draw(env: Any, state: Any, params: Any, view: View) -> jax.Array:
    """The frame of `state`: cart and pole (hidden by the POMDP after the first frame), the
    two speed arrows, the score; NoisyCartPole draws x, x_dot, theta, theta_dot plus the
    frame's noise (`env.noise`)."""
    S, L = env.obs_size, C.LAYOUT[env.obs_size]
    noise = env.noise(state)
    x = jnp.clip(state.x + noise[0], -C.X_LIMIT, C.X_LIMIT)
    theta = jnp.clip(state.theta + noise[2], -C.THETA_DRAW_LIMIT, C.THETA_DRAW_LIMIT)
    img = plain.frame(S, name="CARTPOLE", background=C.BACKGROUND, name_colour=C.NAME,
                      area_side=L["area"], area_colour=C.BACKGROUND)  # fmt: skip
    o = plain.area_offset(S, L["area"])
    shown = view.shows(state)
    xl = cart_left(x, L)
    img = cart(img, L, o, xl, shown)
    img = pole(img, L, o, xl, theta, shown)
    img = velocity_arrow(img, L, o, state.x_dot + noise[1])
    img = angular_arrow(img, L, o, state.theta_dot + noise[3])
    return plain.score(img, state.score, C.SCORE, max_digits=len(str(env.time_limit)))


def cart_left(x: jax.Array, L: dict) -> jax.Array:
    """The cart's left edge: int(x (s - W) / 4.8 + (s - W) / 2) on an area of side s, x in
    [-2.4, 2.4] spread over the columns a cart W wide can take. `int` truncates toward zero."""
    span = L["area"] - L["cart_w"]
    return (x * span / 4.8 + span / 2).astype(jnp.int32)


def cart(img: jax.Array, L: dict, o: int, xl: jax.Array, shown: Any) -> jax.Array:
    """The cart: a W x H rectangle from `xl`, its top at row `cart_top`."""
    x0, y0 = o + xl, o + L["cart_top"]
    xs, ys = plain.coords(img)
    body = plain.in_box(xs, ys, (x0, y0, x0 + L["cart_w"], y0 + L["cart_h"]))
    return plain.paint(img, body & shown, C.CART)


def pole(img: jax.Array, L: dict, o: int, xl: jax.Array, theta: jax.Array, shown: Any) -> jax.Array:
    """The pole: POLE added (modulo 256) over a capsule of radius r around the segment from
    the pivot P (the cart's centre) to the tip Q = P + W (sin theta, -cos theta), then added
    once more over each end disc.

    Each of these shapes is convex, so it meets a pixel row in one run of columns lo..hi
    (float bounds; the pixels x with lo <= x <= hi): per row, the capsule's run is the hull of
    the runs of its three parts (the band of points within r across the segment and between
    its ends along it, and the two end discs)."""
    w, r = L["cart_w"], L["pole_r"]
    sin, cos = jnp.sin(theta), jnp.cos(theta)
    px = (xl + w // 2).astype(jnp.float32)  # P, in area columns; its row:
    py = L["cart_top"] + L["cart_h"] // 2
    xs, ys = plain.coords(img)
    v = (ys - o - py).astype(jnp.float32)  # each row relative to P (negative above it)
    band = band_run(v, px, sin, cos, w, r)
    pivot = disc_run(v, px, r)
    tip = disc_run(v + w * cos, px + w * sin, r)
    capsule = (jnp.minimum(jnp.minimum(pivot[0], tip[0]), band[0]),
               jnp.maximum(jnp.maximum(pivot[1], tip[1]), band[1]))  # fmt: skip

    def on(run: tuple[jax.Array, jax.Array]) -> jax.Array:
        lo, hi = run  # in area columns; compared as canvas columns
        return (xs >= lo + o) & (xs <= hi + o) & shown

    img = plain.add(img, on(capsule), C.POLE)
    return plain.add(img, on(pivot) | on(tip), C.POLE)


def band_run(
    v: jax.Array, px: jax.Array, sin: jax.Array, cos: jax.Array, w: int, r: int
) -> tuple[jax.Array, jax.Array]:
    """Per row v, the columns x of the pole's band: with u = x - px, the points whose
    distance across the segment |u cos + v sin| is at most r and whose distance along it
    u sin - v cos lies in 0..W. cos > 0 (|theta| <= 12 degrees); a vertical pole (sin = 0)
    bounds only the rows, 0 <= -v <= W. Empty rows are (inf, -inf)."""
    tan, half_w = sin / cos, r / cos
    across = (px - half_w - v * tan, px + half_w - v * tan)
    vertical = sin == 0
    safe = jnp.where(vertical, 1.0, sin)
    end0 = px + v * (cos / safe)  # along = 0 ...
    end1 = end0 + w / safe  # ... and along = W
    rows = (-v >= 0) & (-v <= w)
    along = (jnp.where(vertical, jnp.where(rows, -jnp.inf, jnp.inf), jnp.minimum(end0, end1)),
             jnp.where(vertical, jnp.where(rows, jnp.inf, -jnp.inf), jnp.maximum(end0, end1)))  # fmt: skip
    lo, hi = jnp.maximum(across[0], along[0]), jnp.minimum(across[1], along[1])
    return jnp.where(lo <= hi, lo, jnp.inf), jnp.where(lo <= hi, hi, -jnp.inf)


def disc_run(dy: jax.Array, cx: Any, r: int) -> tuple[jax.Array, jax.Array]:
    """Per row, the columns of a disc of radius r centred at column cx, `dy` rows from its
    centre: cx -+ sqrt(r^2 - dy^2), (inf, -inf) on the rows it misses."""
    h2 = r * r - dy * dy
    h = jnp.sqrt(jnp.maximum(h2, 0.0))
    return jnp.where(h2 >= 0, cx - h, jnp.inf), jnp.where(h2 >= 0, cx + h, -jnp.inf)


def arrow_sizes(speed: jax.Array, L: dict, most: int) -> tuple[jax.Array, jax.Array]:
    """(thickness T, head size Hd) of an arrow showing `speed`: L(v, 2) and L(v, h0), with
    L(v, a) = int(a + 2 ln(1 + |v|)); a head larger than `most` is cut to it, and the
    thickness by as much."""
    grow = 2.0 * jnp.log1p(jnp.abs(speed))
    t = jnp.floor(2.0 + grow).astype(jnp.int32)
    hd = jnp.floor(L["head0"] + grow).astype(jnp.int32)
    cut = jnp.maximum(hd - most, 0)
    return t - cut, hd - cut


def on_area(xs: jax.Array, ys: jax.Array, L: dict) -> jax.Array:
    """The game area's pixels (in area coordinates): arrows are cut at its edges."""
    return (xs >= 0) & (xs < L["area"]) & (ys >= 0) & (ys < L["area"])


def velocity_arrow(img: jax.Array, L: dict, o: int, x_dot: jax.Array) -> jax.Array:
    """The cart's speed: a horizontal arrow across `vel_box`, pointing the way the cart
    moves (left when x_dot <= 0), a shaft T thick ending in a triangular head Hd long."""
    x0, y0, x1, y1 = L["vel_box"]
    ym = (y0 + y1) // 2
    t, hd = arrow_sizes(x_dot, L, most=2 * (y1 + ARROW_MARGIN - 1 - ym) + 1)
    xs, ys = plain.coords(img)
    xs, ys = xs - o, ys - o
    rows = (ys >= ym - t // 2) & (ys < ym + t // 2)
    right = x_dot > 0
    shaft = jnp.where(right, (xs >= x0) & (xs < x1 - hd), (xs >= x0 + hd) & (xs < x1)) & rows
    head_right = triangle_vertices((x1 - hd, ym - hd // 2, x1, ym + hd // 2), "right")
    head_left = triangle_vertices((x0, ym - hd // 2, x0 + hd, ym + hd // 2), "left")
    head = jnp.where(right, in_triangle(xs, ys, *head_right), in_triangle(xs, ys, *head_left))
    return plain.paint(img, (shaft | head) & on_area(xs, ys, L), C.ARROW)


def angular_arrow(img: jax.Array, L: dict, o: int, theta_dot: jax.Array) -> jax.Array:
    """The pole's angular speed: a quarter ring (the upper right quarter of the circle
    inscribed in `ang_box`, radius R, T thick: R - T < d <= R) ending in a head at its
    clockwise end, pointing down, when theta_dot > 0; at its other end, pointing left,
    otherwise."""
    x0, y0, x1, y1 = L["ang_box"]
    cx, cy, rad = (x0 + x1) // 2, (y0 + y1) // 2, (x1 - x0) // 2
    t, hd = arrow_sizes(theta_dot, L, most=y1 + ARROW_MARGIN - 1 - cy)
    xs, ys = plain.coords(img)
    xs, ys = xs - o, ys - o
    d2 = (xs - cx) ** 2 + (ys - cy) ** 2
    inner = rad - t  # R - T < d  <=>  R - T < 0 or (R - T)^2 < d^2
    ring = (d2 <= rad * rad) & ((inner < 0) | (inner * inner < d2)) & (xs >= cx) & (ys <= cy)
    down = triangle_vertices((x1 - t // 2 - hd // 2, cy, x1 - t // 2 + hd // 2, cy + hd), "down")
    left = triangle_vertices((cx - hd, y0 + t // 2 - hd // 2, cx, y0 + t // 2 + hd // 2), "left")
    head = jnp.where(theta_dot > 0, in_triangle(xs, ys, *down), in_triangle(xs, ys, *left))
    return plain.paint(img, (ring | head) & on_area(xs, ys, L), C.ARROW)
