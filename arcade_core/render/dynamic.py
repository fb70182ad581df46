"""Per-step drawing in JAX: small windows at dynamic positions, never a full-canvas mask.

Under `vmap` these lower to scatters/gathers of the window only, so a frame costs one copy of
the cached background plus the pixels that actually change.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache

import jax
import jax.numpy as jnp
import numpy as np

from .font import DIGITS

Colour = Sequence[int]


def stamp(canvas: jax.Array, patch: jax.Array, x: jax.Array, y: jax.Array) -> jax.Array:
    """Write the whole `patch` with its top-left at (x, y). The caller keeps it inside."""
    return jax.lax.dynamic_update_slice(canvas, jnp.asarray(patch, canvas.dtype), (y, x, 0))


def take_region(canvas: jax.Array, x: jax.Array, y: jax.Array, h: int, w: int) -> jax.Array:
    """The `h x w` window at (x, y) (kept inside the canvas, like `lax.dynamic_slice`)."""
    return jax.lax.dynamic_slice(canvas, (y, x, 0), (h, w, canvas.shape[2]))


def paste_region(canvas: jax.Array, region: jax.Array, x: jax.Array, y: jax.Array) -> jax.Array:
    """Inverse of `take_region`."""
    return jax.lax.dynamic_update_slice(canvas, region, (y, x, 0))


def paint(
    canvas: jax.Array,
    mask: jax.Array,
    x: jax.Array,
    y: jax.Array,
    colour: Colour | jax.Array,
    *,
    clip: bool = True,
) -> jax.Array:
    """Paint `colour` (an RGB triple or an `h x w x 3` patch) where the `h x w` mask is set.

    The mask's top-left lands at (x, y). With `clip=True` a mask that hangs over the canvas edge
    is clipped exactly (pixels outside are dropped, nothing is shifted); with `clip=False` the
    caller promises the mask lies inside, which saves a small gather.
    """
    h, w = mask.shape
    H, W = canvas.shape[:2]
    colour = jnp.asarray(colour, canvas.dtype)
    if colour.ndim == 1:
        colour = jnp.broadcast_to(colour, (h, w, 3))
    if not clip:
        region = take_region(canvas, x, y, h, w)
        return paste_region(canvas, jnp.where(mask[..., None], colour, region), x, y)
    cx, cy = jnp.clip(x, 0, W - w), jnp.clip(y, 0, H - h)
    ly, lx = cy - y + jnp.arange(h), cx - x + jnp.arange(w)  # window pixel -> mask coordinates
    inside = ((ly >= 0) & (ly < h))[:, None] & ((lx >= 0) & (lx < w))[None, :]
    ly, lx = jnp.clip(ly, 0, h - 1), jnp.clip(lx, 0, w - 1)
    m = mask[ly[:, None], lx[None, :]] & inside
    c = colour[ly[:, None], lx[None, :]]
    region = take_region(canvas, cx, cy, h, w)
    return paste_region(canvas, jnp.where(m[..., None], c, region), cx, cy)


@cache
def _number_tables(
    box: tuple[int, int, int, int],
    digit_w: int,
    max_digits: int,
    margin: int,
    gap: int,
    hw: tuple[int, int],
) -> tuple[tuple[int, int, int, int], np.ndarray, np.ndarray, np.ndarray]:
    """Static lookup tables for `draw_number`: the window it can touch and, per digit count n,
    which digit slot and font column each window column shows, and the font row of each row."""
    x0, y0, x1, y1 = box
    H, W = hw
    cell_w, cell_h = digit_w // 5, ((y1 - margin) - (y0 + margin)) // 5
    lefts = [
        x0 + ((x1 - x0) - (n * digit_w + (n - 1) * gap)) // 2 for n in range(1, max_digits + 1)
    ]
    wx0 = max(min(lefts), 0)
    wx1 = min(max(le + n * digit_w + (n - 1) * gap for n, le in enumerate(lefts, 1)), W)
    wy0, wy1 = max(y0 + margin, 0), min(y0 + margin + 5 * cell_h, H)
    xs = np.arange(wx0, wx1)
    slot = np.full((max_digits, xs.size), -1, np.int32)
    col = np.zeros((max_digits, xs.size), np.int32)
    for n, left in enumerate(lefts, 1):
        rel = xs - left
        k, within = rel // (digit_w + gap), rel % (digit_w + gap)
        ok = (rel >= 0) & (k < n) & (within < 5 * cell_w)
        slot[n - 1] = np.where(ok, k, -1)
        col[n - 1] = np.where(ok, within // cell_w, 0)
    row = (np.arange(wy0, wy1) - (y0 + margin)) // cell_h
    return (wx0, wy0, wx1, wy1), slot, col, row.astype(np.int32)


def draw_number(
    canvas: jax.Array,
    value: jax.Array,
    box: tuple[int, int, int, int],
    colour: Colour,
    *,
    digit_w: int,
    max_digits: int,
    margin: int = 1,
    gap: int = 2,
) -> jax.Array:
    """Draw a non-negative integer centred in `box` with the digit font (GAMES.md §2.4).

    Touches only the window the number can occupy: one gather from the 10x5x5 font. Values with
    more than `max_digits` digits show their last `max_digits` digits; a negative value shows
    as the single digit `value mod 10`, as the reference draws it.
    """
    (wx0, wy0, wx1, wy1), slot_t, col_t, row_t = _number_tables(
        tuple(box), digit_w, max_digits, margin, gap, tuple(canvas.shape[:2])
    )
    value = jnp.asarray(value, jnp.int32)
    neg = value < 0
    v = jnp.where(neg, jnp.mod(value, 10), value)
    pow10 = jnp.asarray([10**k for k in range(max_digits)], jnp.int32)
    n = jnp.clip(jnp.sum(v >= pow10[1:]) + 1, 1, max_digits)
    exps = jnp.clip(n - 1 - jnp.arange(max_digits), 0, max_digits - 1)
    digits = (v // pow10[exps]) % 10  # most significant first
    slot = jnp.asarray(slot_t)[n - 1]
    col = jnp.asarray(col_t)[n - 1]
    d = digits[jnp.clip(slot, 0, max_digits - 1)]
    font = jnp.asarray(DIGITS)
    lit = font[d[None, :], jnp.asarray(row_t)[:, None], col[None, :]] & (slot >= 0)[None, :]
    region = canvas[wy0:wy1, wx0:wx1]
    out = jnp.where(lit[..., None], jnp.asarray(colour, canvas.dtype), region)
    return canvas.at[wy0:wy1, wx0:wx1].set(out)
