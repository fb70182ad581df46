"""Playing cards drawn plainly, for the plain renderers of CountRecall and AutoEncode
(docs/games/countrecall.md, docs/games/autoencode.md): a suit shown in a box, and the history
of the cards dealt so far. The sprites are those of `suits` (built once in NumPy); hearts and
diamonds are red, spades and clubs black."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from arcade_core.render import plain

from .suits import SUIT_COLOUR, SUITS, suit_mask

COLUMNS = 9  # history slots per row
Box = tuple[int, int, int, int]


def suit(img: Any, which: Any, boxes: Sequence[Box], shown: Any, large: bool) -> jax.Array:
    """The suit `which` (0..3) drawn in its box `boxes[which]` (the inclusive box (x0, y0) to
    (x1, y1) on the canvas, clipped to it), nothing where not `shown`. `large`: the shapes of
    256-px frames."""
    for s in SUITS:
        x0, y0, x1, y1 = boxes[s]
        sprite = plain.bitmap_mask(img, suit_mask(s, x1 - x0, y1 - y0, large), x0, y0)
        img = plain.paint(img, sprite & (which == s) & shown, SUIT_COLOUR[s])
    return img


def history(
    img: Any,
    cards: jax.Array,
    count: Any,
    area: Box,
    pitch: int,
    size: tuple[int, int],
    large: bool,
) -> jax.Array:
    """The first `count` of `cards` (suits; all of them if `count` is larger) in order, 9 to a row on the game area `area`
    (canvas box): card k's sprite in a box `size = (w, h)` with its top-left at (pitch (k mod
    9), pitch (k // 9)) from the area's, cut at the area's edges.

    A box is narrower than the pitch but may be taller: a sprite can reach into the next
    row's slots, where the later card's ink wins. So each pixel shows the card of the slot it
    is in ("own") if that card's sprite covers it, else the card of the slot above."""
    w, h = size
    sprites = jnp.asarray(np.stack([suit_mask(s, w, h, large) for s in SUITS]))  # [4, h+1, w+1]
    x0, y0, x1, y1 = area
    xs, ys = plain.coords(img)
    ax, ay = xs - x0, ys - y0  # game-area coordinates
    col, dx = ax // pitch, ax % pitch
    on_area = (xs >= x0) & (xs < x1) & (ys >= y0) & (ys < y1)

    def slot(row: jax.Array) -> tuple[jax.Array, jax.Array]:
        """Whether the card in slot (col, row) covers each pixel, and that card's suit."""
        k = row * COLUMNS + col
        dy = ay - row * pitch
        dealt = on_area & (row >= 0) & (col < COLUMNS) & (k < count) & (k < cards.shape[0])
        which = cards[jnp.clip(k, 0, cards.shape[0] - 1)]
        inside = (dx <= w) & (dy >= 0) & (dy <= h)
        lit = sprites[which, jnp.clip(dy, 0, h), jnp.clip(dx, 0, w)]
        return dealt & inside & lit, which

    own, own_suit = slot(ay // pitch)
    upper, upper_suit = slot(ay // pitch - 1)
    which = jnp.where(own, own_suit, upper_suit)
    ink = jnp.asarray(SUIT_COLOUR, jnp.uint8)[which]  # [H, W, 3]
    return jnp.where((own | upper)[..., None], ink, img)
