"""JAX drawing of cards on packed canvases (see `arcade_core.render.canvas`).

* `SuitStamp` — one static spot showing any of the four suits (or nothing), e.g. the dealt
  card or the query card: a window whose every pixel carries a 4-bit static code saying which
  suits cover it, so a frame is a shift and a compare per pixel.
* `HistoryGrid` — the dealt cards in order, 9 per row, on the game area (GAMES.md §3.3/§3.5):
  each slot's suit is spread over the slot's pixels by broadcasting (no gather), and slots
  whose symbols overlap the next row are resolved per pixel, the later card winning.
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

_RED, _BLACK = pack(SUIT_COLOUR[0]), pack(SUIT_COLOUR[1])
_RED_KINDS = sum(1 << (s + 1) for s in SUITS if IS_RED[s])  # kind = suit + 1; 0 = empty slot


def suit_pixels(background: jax.Array, code: jax.Array, kind: Any) -> jax.Array:
    """Pixels of a window whose static `code` has bit `k` set where the suit of kind k (suit
    + 1; kind 0 is "nothing") covers the pixel: the suit's colour there, else `background`."""
    kind = jnp.asarray(kind, jnp.uint32)
    hit = ((code >> kind) & 1) == 1
    red = ((jnp.uint32(_RED_KINDS) >> kind) & 1) == 1
    return jnp.where(hit, jnp.where(red, jnp.uint32(_RED), jnp.uint32(_BLACK)), background)


class SuitStamp:
    """A suit drawn at a static place on the canvas, the suit chosen per step.

    `boxes[s] = (x0, y0, x1, y1)` is the box suit s is drawn in (canvas coordinates; the
    spade and club boxes may be shorter than the heart's and diamond's). `large` selects the
    256-px shape constants (§2.11).
    """

    def __init__(
        self,
        layout: FrameLayout,
        boxes: Sequence[tuple[int, int, int, int]],
        large: bool,
    ) -> None:
        S = layout.size
        masks = []
        for s, (x0, y0, x1, y1) in zip(SUITS, boxes, strict=True):
            full = np.zeros((S, S), bool)
            m = suit_mask(s, x1 - x0, y1 - y0, large)
            sub = full[y0 : y1 + 1, x0 : x1 + 1]  # inclusive box, clipped to the canvas
            sub[:] = m[: sub.shape[0], : sub.shape[1]]
            masks.append(full)
        union = np.any(masks, axis=0)
        ys, xs = np.nonzero(union)
        self.window = Window(int(xs.min()), int(ys.min()), int(xs.max()) + 1, int(ys.max()) + 1)
        w = self.window
        code = np.zeros(w.shape, np.uint32)
        for s, m in zip(SUITS, masks, strict=True):
            code |= m[w.y0 : w.y1, w.x0 : w.x1].astype(np.uint32) << (s + 1)
        self.code = code
        self.layout = layout

    def pixels(self, suit: Any, visible: Any = True) -> jax.Array:
        """The window's packed pixels showing `suit` (0..3), or the background if not `visible`."""
        kind = jnp.where(visible, jnp.asarray(suit, jnp.int32) + 1, 0)
        return suit_pixels(self.layout.pixels(self.window), jnp.asarray(self.code), kind)


class HistoryGrid:
    """The history of dealt cards on the game area: slot k's box has its top-left at
    `(pitch (k mod 9), pitch (k // 9))` (game-area coordinates) and size `w x h`.

    Slots never overlap sideways (w < pitch) but may overlap the row below (h >= pitch); a
    pixel then shows the later card's symbol where that symbol covers it. Each pixel is thus
    covered by at most two slots: the one whose pitch cell it is in ("own") and the one above
    ("upper"). A static code per pixel holds, in bits 1..4, which suits of its own slot cover it
    and in bits 9..12 which of the upper slot's do.
    """

    def __init__(self, layout: FrameLayout, num_cards: int, pitch: int, w: int, h: int) -> None:
        if w >= pitch or h >= 2 * pitch:
            raise ValueError("history slots may overlap only the next row")
        large = layout.size == 256
        self.layout, self.num_cards, self.pitch = layout, num_cards, pitch
        self.rows = -(-num_cards // COLUMNS)
        height = min((self.rows - 1) * pitch + h + 1, layout.area_side)
        width = min((COLUMNS - 1) * pitch + w + 1, layout.area_side)
        self.window = layout.window(0, 0, width, height)
        ys, xs = np.arange(height)[:, None], np.arange(width)[None, :]
        dx, dy = xs % pitch, ys % pitch
        code = np.zeros((height, width), np.uint32)
        for s in SUITS:
            m = np.zeros((2 * pitch, pitch), bool)
            sm = suit_mask(s, w, h, large)
            m[: sm.shape[0], : sm.shape[1]] = sm
            own = m[dy, dx]
            upper = m[dy + pitch, dx] & (ys >= pitch)
            code |= (own.astype(np.uint32) << (s + 1)) | (upper.astype(np.uint32) << (s + 9))
        self.code = code

    def kinds(self, suits: jax.Array, shown: jax.Array) -> jax.Array:
        """int32[num_cards]: suit + 1 where `shown`, else 0 (empty slot)."""
        return jnp.where(shown, jnp.asarray(suits, jnp.int32) + 1, 0)

    def pixels(self, kinds: jax.Array) -> jax.Array:
        """The window's packed pixels for `kinds` (int[num_cards], 0 = empty, suit + 1)."""
        R, p = self.rows, self.pitch
        hh, ww = self.window.shape
        grid = jnp.pad(jnp.asarray(kinds, jnp.uint32), (0, R * COLUMNS - self.num_cards))
        grid = grid.reshape(R, COLUMNS)
        zero = jnp.zeros((1, COLUMNS), jnp.uint32)
        own = jnp.concatenate([grid, zero])  # row R: the overhang below the last row
        upper = jnp.concatenate([zero, grid])

        def spread(g: jax.Array) -> jax.Array:
            out = jnp.broadcast_to(g[:, None, :, None], (R + 1, p, COLUMNS, p))
            return out.reshape((R + 1) * p, COLUMNS * p)[:hh, :ww]

        code = jnp.asarray(self.code)
        k_own, k_up = spread(own), spread(upper)
        hit_own = ((code >> k_own) & 1) == 1
        hit_up = ((code >> (k_up + 8)) & 1) == 1
        kind = jnp.where(hit_own, k_own, jnp.where(hit_up, k_up, 0))
        return _colour(self.layout.pixels(self.window), kind)


def _colour(background: jax.Array, kind: jax.Array) -> jax.Array:
    """Suit colour where `kind` > 0 (kind = suit + 1), else `background`."""
    red = ((jnp.uint32(_RED_KINDS) >> kind) & 1) == 1
    return jnp.where(kind > 0, jnp.where(red, jnp.uint32(_RED), jnp.uint32(_BLACK)), background)
