"""JAX drawing of cards in the frame's bytes (see `arcade_core.render.canvas`).

* `SuitStamp` — one static spot showing any of the four suits (or nothing), e.g. the dealt
  card or the query card.
* `HistoryGrid` — the dealt cards in order, 9 per row, on the game area (docs/games/countrecall.md,
  docs/games/autoencode.md),
  the later card winning where symbols overlap.
Both are drawn as layers (`arcade_core.render.layers`) and carry a static uint8 code per *byte*
saying which suits' sprites cover its pixel (bit s for suit s); a step turns its suits into one-hot
masks, so a byte costs an AND, a few compares and selects in uint8 — no gather, no per-byte shift by
a dynamic amount.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from arcade_core.render import FrameLayout, Window, colour_row, compact_rows

from .suits import IS_RED, SUIT_COLOUR, SUITS, suit_mask

COLUMNS = 9  # history slots per row

RED_BITS = sum(1 << s for s in SUITS if IS_RED[s])  # 0b1001: heart and diamond
assert SUIT_COLOUR[1] == (0, 0, 0), "black ink is the zero byte"


def onehot(suit: Any, visible: Any = True) -> jax.Array:
    """uint8 `1 << suit` (suit 0..3), or 0 where not `visible`."""
    bit = jnp.left_shift(jnp.uint8(1), jnp.asarray(suit, jnp.uint8))
    return jnp.where(visible, bit, jnp.uint8(0))


def ink(base: Any, lit: jax.Array, red: jax.Array) -> jax.Array:
    """`base` bytes with suit ink where `lit`: red where `red`, else black (zero bytes)."""
    red_row = jnp.asarray(colour_row(SUIT_COLOUR[0], base.shape[-1] // 3))
    return jnp.where(lit, jnp.where(red, red_row, jnp.uint8(0)), base)


class SuitStamp:
    """A suit drawn at a static place on the canvas, the suit chosen per step.

    `boxes[s] = (x0, y0, x1, y1)` is the box suit s is drawn in (canvas coordinates; the spade and
    club boxes may be shorter than the heart's and diamond's). `large` selects the 256-px shape
    constants (docs/games/conventions.md §Drawing primitives). `window` is the tight box of all four
    sprites (its rows drawn full-width).
    """

    def __init__(
        self, layout: FrameLayout, boxes: Sequence[tuple[int, int, int, int]], large: bool
    ) -> None:
        S = layout.size
        self.layout = layout
        code = np.zeros((S, S), np.uint8)
        for s, (x0, y0, x1, y1) in zip(SUITS, boxes, strict=True):
            full = np.zeros((S, S), bool)
            m = suit_mask(s, x1 - x0, y1 - y0, large)
            sub = full[y0 : y1 + 1, x0 : x1 + 1]  # inclusive box, clipped to the canvas
            sub[:] = m[: sub.shape[0], : sub.shape[1]]
            code |= full.astype(np.uint8) << s
        ys, xs = np.nonzero(code)
        self.window = Window(int(xs.min()), int(ys.min()), int(xs.max()) + 1, int(ys.max()) + 1, S)
        self._code = np.repeat(code, 3, axis=1)  # [S, 3S]: per byte

    def code(self, y0: int, y1: int) -> np.ndarray:
        """uint8[y1 - y0, 3S]: the static suit bits of canvas rows y0..y1, per byte."""
        return self._code[y0:y1]

    def pixels(self, suit: Any, visible: Any = True) -> jax.Array:
        """The byte rows of `window` showing `suit` (0..3), or the background if not
        `visible`."""
        w = self.window
        return stamps(self.layout.pixels(w), w.y0, w.y1, [(self, suit, visible)])


def stamps(base: Any, y0: int, y1: int, items: Sequence[tuple[SuitStamp, Any, Any]]) -> jax.Array:
    """`base` (byte rows y0..y1) with up to two stamps `(stamp, suit, visible)` drawn in one
    pass: the second stamp's code and one-hot sit in the high nibble (stamps never overlap)."""
    if not 1 <= len(items) <= 2:
        raise ValueError("one pass draws one or two stamps")
    code = np.zeros((y1 - y0, np.shape(base)[-1]), np.uint8)
    oh = jnp.uint8(0)
    for i, (stamp, suit, visible) in enumerate(items):
        c = stamp.code(y0, y1)
        if np.any(code & (c << (4 * i))):
            raise ValueError("stamps overlap")
        code |= c << (4 * i)
        oh = oh | (onehot(suit, visible) << (4 * i))
    if not code.any():  # no sprite reaches these rows
        return jnp.asarray(base)
    v = jnp.asarray(code) & oh
    return ink(base, v != 0, (v & (RED_BITS * 0x11)) != 0)


class HistoryGrid:
    """The history of dealt cards on the game area: slot k's box has its top-left at
    `(pitch (k mod 9), pitch (k // 9))` (game-area coordinates) and size `w x h`.

    Slots never overlap sideways (w < pitch) but may overlap the row below (h >= pitch); a
    pixel then shows the later card's symbol where that symbol covers it. Each pixel is thus
    covered by at most two slots: the one whose pitch cell it is in ("own") and the one above
    ("upper"). The static code holds in bits 0..3 which suits of its own slot cover it and in
    bits 4..7 which of the upper slot's do; a step forms, per pixel row and slot column,
    `own | upper << 4` one-hot suits ([h, 9], tiny), spreads them over the bytes by 9 selects
    against static column masks, and ANDs.
    """

    def __init__(self, layout: FrameLayout, num_cards: int, pitch: int, w: int, h: int) -> None:
        if w >= pitch or h >= 2 * pitch:
            raise ValueError("history slots may overlap only the next row")
        large = layout.size == 256
        S, o = layout.size, layout.offset
        self.layout = layout
        self.num_cards, self.pitch = num_cards, pitch
        self.rows = -(-num_cards // COLUMNS)
        height = min((self.rows - 1) * pitch + h + 1, layout.area_side)
        width = min((COLUMNS - 1) * pitch + w + 1, layout.area_side)
        # full canvas rows (the grid's columns are reset by nothing: the code is 0 outside)
        self.window = layout.window(-o, 0, S - o, height)
        ys, xs = np.arange(height)[:, None], np.arange(width)[None, :]
        dx, dy = xs % pitch, ys % pitch
        code = np.zeros((height, S), np.uint8)
        for s in SUITS:
            m = np.zeros((2 * pitch, pitch), bool)
            sm = suit_mask(s, w, h, large)
            m[: sm.shape[0], : sm.shape[1]] = sm
            own = m[dy, dx]
            upper = m[dy + pitch, dx] & (ys >= pitch)
            code[:, o : o + width] |= (own.astype(np.uint8) << s) | (
                upper.astype(np.uint8) << (s + 4)
            )
        self._code = np.repeat(code, 3, axis=1)
        col = np.arange(S) - o
        slot = np.where((col >= 0) & (col < width), col // pitch, -1)
        self._slot = np.repeat(slot, 3)  # [3S]: each byte's slot column (-1: none)

    def code(self, y0: int, y1: int) -> np.ndarray:
        """uint8[y1 - y0, 3S]: the static code of canvas rows y0..y1 (inside `window`)."""
        w = self.window
        return self._code[y0 - w.y0 : y1 - w.y0]

    def draw(self, base: Any, y0: int, y1: int, suits: jax.Array, shown: jax.Array) -> jax.Array:
        """`base` (byte rows y0..y1, inside `window`) with the cards `suits` (int[num_cards])
        drawn where `shown`."""
        R, p, w = self.rows, self.pitch, self.window
        grid = jnp.pad(onehot(suits, shown), (0, R * COLUMNS - self.num_cards))
        grid = grid.reshape(R, COLUMNS)
        zero = jnp.zeros((1, COLUMNS), jnp.uint8)
        # row r of the pitch grid: its own slots, and those of row r - 1 (upper) in bits 4..7
        both = jnp.concatenate([grid, zero]) | (jnp.concatenate([zero, grid]) << 4)
        per_row = jnp.broadcast_to(both[:, None, :], (R + 1, p, COLUMNS))
        per_row = per_row.reshape((R + 1) * p, COLUMNS)[y0 - w.y0 : y1 - w.y0]  # [h, 9]
        slot = self._slot
        spread = jnp.zeros((y1 - y0, slot.size), jnp.uint8)
        for k in range(COLUMNS):
            if np.any(slot == k):
                spread = jnp.where(jnp.asarray(slot == k)[None, :], per_row[:, k : k + 1], spread)
        v = jnp.asarray(self.code(y0, y1)) & spread
        own = v & 0x0F
        red = jnp.where(own != 0, own & RED_BITS, v & (RED_BITS << 4)) != 0
        return ink(base, v != 0, red)

    def pixels(self, suits: jax.Array, shown: jax.Array) -> jax.Array:
        """The byte rows of `window` for the cards `suits` (int[num_cards]) where `shown`."""
        w = self.window
        base = compact_rows(np.asarray(self.layout.background())[w.y0 : w.y1])
        return self.draw(jnp.asarray(base), w.y0, w.y1, suits, shown)
