"""JAX drawing of cards on packed canvases (see `arcade_core.render.canvas`).

* `SuitStamp` — one static spot showing any of the four suits (or nothing), e.g. the dealt
  card or the query card.
* `HistoryGrid` — the dealt cards in order, 9 per row, on the game area (GAMES.md §3.3/§3.5),
  the later card winning where symbols overlap.

Both carry a static uint8 code per pixel saying which suits' sprites cover it (bit s for suit
s); a step turns its suits into one-hot masks, so a pixel costs an AND and a few compares and
selects — no gather, no per-pixel shift by a dynamic amount.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from arcade_core.render import FrameLayout, Window, pack

from .suits import IS_RED, SUIT_COLOUR, SUITS, suit_mask

COLUMNS = 9  # history slots per row

RED_BITS = sum(1 << s for s in SUITS if IS_RED[s])  # 0b1001: heart and diamond
_RED, _BLACK = np.uint32(pack(SUIT_COLOUR[0])), np.uint32(pack(SUIT_COLOUR[1]))


def onehot(suit: Any, visible: Any = True) -> jax.Array:
    """uint8 `1 << suit` (suit 0..3), or 0 where not `visible`."""
    bit = jnp.left_shift(jnp.uint8(1), jnp.asarray(suit, jnp.uint8))
    return jnp.where(visible, bit, jnp.uint8(0))


def _ink(background: Any, ink: jax.Array, red: jax.Array) -> jax.Array:
    return jnp.where(ink, jnp.where(red, _RED, _BLACK), background)


def _uniform(pixels: np.ndarray) -> Any:
    """A uniform background as a scalar (cheaper to select from), else the traced image."""
    flat = np.asarray(pixels).ravel()
    return np.uint32(flat[0]) if np.all(flat == flat[0]) else jnp.asarray(pixels)


class SuitStamp:
    """A suit drawn at a static place on the canvas, the suit chosen per step.

    `boxes[s] = (x0, y0, x1, y1)` is the box suit s is drawn in (canvas coordinates; the
    spade and club boxes may be shorter than the heart's and diamond's). `large` selects the
    256-px shape constants (§2.11).
    """

    def __init__(
        self, layout: FrameLayout, boxes: Sequence[tuple[int, int, int, int]], large: bool
    ) -> None:
        S = layout.size
        masks = []
        for s, (x0, y0, x1, y1) in zip(SUITS, boxes, strict=True):
            full = np.zeros((S, S), bool)
            m = suit_mask(s, x1 - x0, y1 - y0, large)
            sub = full[y0 : y1 + 1, x0 : x1 + 1]  # inclusive box, clipped to the canvas
            sub[:] = m[: sub.shape[0], : sub.shape[1]]
            masks.append(full)
        ys, xs = np.nonzero(np.any(masks, axis=0))
        self.window = w = Window(int(xs.min()), int(ys.min()), int(xs.max()) + 1, int(ys.max()) + 1)
        code = np.zeros(w.shape, np.uint8)
        for s, m in zip(SUITS, masks, strict=True):
            code |= m[w.y0 : w.y1, w.x0 : w.x1].astype(np.uint8) << s
        self.code = code
        self.background = _uniform(np.asarray(layout.background())[w.y0 : w.y1, w.x0 : w.x1])

    def pixels(self, suit: Any, visible: Any = True) -> jax.Array:
        """The window's packed pixels showing `suit` (0..3), or the background if not `visible`."""
        v = jnp.asarray(self.code) & onehot(suit, visible)
        return _ink(self.background, v != 0, (v & RED_BITS) != 0)


class HistoryGrid:
    """The history of dealt cards on the game area: slot k's box has its top-left at
    `(pitch (k mod 9), pitch (k // 9))` (game-area coordinates) and size `w x h`.

    Slots never overlap sideways (w < pitch) but may overlap the row below (h >= pitch); a
    pixel then shows the later card's symbol where that symbol covers it. Each pixel is thus
    covered by at most two slots: the one whose pitch cell it is in ("own") and the one above
    ("upper"). The static code holds in bits 0..3 which suits of its own slot cover it and in
    bits 4..7 which of the upper slot's do; a step spreads, per slot row, `own | upper << 4`
    one-hot suits over the pixels by broadcasting and ANDs.
    """

    def __init__(self, layout: FrameLayout, num_cards: int, pitch: int, w: int, h: int) -> None:
        if w >= pitch or h >= 2 * pitch:
            raise ValueError("history slots may overlap only the next row")
        large = layout.size == 256
        self.num_cards, self.pitch = num_cards, pitch
        self.rows = -(-num_cards // COLUMNS)
        height = min((self.rows - 1) * pitch + h + 1, layout.area_side)
        width = min((COLUMNS - 1) * pitch + w + 1, layout.area_side)
        self.window = layout.window(0, 0, width, height)
        ys, xs = np.arange(height)[:, None], np.arange(width)[None, :]
        dx, dy = xs % pitch, ys % pitch
        code = np.zeros((height, width), np.uint8)
        for s in SUITS:
            m = np.zeros((2 * pitch, pitch), bool)
            sm = suit_mask(s, w, h, large)
            m[: sm.shape[0], : sm.shape[1]] = sm
            own = m[dy, dx]
            upper = m[dy + pitch, dx] & (ys >= pitch)
            code |= (own.astype(np.uint8) << s) | (upper.astype(np.uint8) << (s + 4))
        self.code = code
        self.background = _uniform(layout.pixels(self.window))

    def pixels(self, suits: jax.Array, shown: jax.Array) -> jax.Array:
        """The window's packed pixels for the cards `suits` (int[num_cards]) where `shown`."""
        R, p = self.rows, self.pitch
        hh, ww = self.window.shape
        grid = jnp.pad(onehot(suits, shown), (0, R * COLUMNS - self.num_cards))
        grid = grid.reshape(R, COLUMNS)
        zero = jnp.zeros((1, COLUMNS), jnp.uint8)
        # row r of the pitch grid: its own slots, and those of row r - 1 (upper) in bits 4..7
        both = jnp.concatenate([grid, zero]) | (jnp.concatenate([zero, grid]) << 4)
        spread = jnp.broadcast_to(both[:, None, :, None], (R + 1, p, COLUMNS, p))
        spread = spread.reshape((R + 1) * p, COLUMNS * p)[:hh, :ww]
        v = jnp.asarray(self.code) & spread
        own = v & 0x0F
        red = jnp.where(own != 0, own & RED_BITS, v & (RED_BITS << 4)) != 0
        return _ink(self.background, v != 0, red)
