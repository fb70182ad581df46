"""Game kit: a game's per-step drawing as layers over row ranges, cut into full-width row bands
so that every band is one element-wise pass over its bytes (no column selects), and the frame's
score as such a layer. The built-in games draw their score this way; a plugin's game may too.

    windows = layered_windows(layout, [score_layer(layout, state.score), my_layer])
    frame = layout.render(windows)  # pixel-identical to drawing the score with the frame
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from .canvas import Window, number_mask, number_window, paint
from .frame import DIGIT_W, SCORE_BOX, FrameLayout


def compact_rows(rows: np.ndarray) -> np.ndarray:
    """Static byte rows as [1, 3W] when all rows are equal (broadcast: cheaper to read)."""
    rows = np.asarray(rows)
    return rows[:1] if np.all(rows == rows[:1]) else rows


@dataclass(frozen=True)
class Layer:
    """Drawing over canvas rows y0..y1: `draw(pixels, a, b)` draws on the byte rows a..b (a
    sub-range of y0..y1) and returns them."""

    y0: int
    y1: int
    draw: Callable[[jax.Array, int, int], jax.Array]


def number_layer(
    layout: FrameLayout,
    value: Any,
    box: tuple[int, int, int, int],
    colour: Any,
    max_digits: int,
    margin: int = 1,
    gap: int = 2,
) -> Layer:
    """A number in `box` (canvas coordinates), as `canvas.number_mask` draws it
    (docs/games/conventions.md §Drawing primitives), as a layer over the rows of its
    `number_window`."""
    S = layout.size
    win = number_window(box, DIGIT_W[S], max_digits, margin, gap, width=S)
    mask = number_mask(
        value, box, digit_w=DIGIT_W[S], max_digits=max_digits, margin=margin, gap=gap, width=S
    )

    def draw(pixels: jax.Array, a: int, b: int) -> jax.Array:
        return paint(pixels, mask[a - win.y0 : b - win.y0], colour)

    return Layer(win.y0, win.y1, draw)


def score_layer(layout: FrameLayout, score: Any) -> Layer:
    """The frame's score, as `FrameLayout.render` draws it."""
    return number_layer(
        layout, score, SCORE_BOX[layout.size], layout.score_colour, layout.max_score_digits
    )


def layered_windows(layout: FrameLayout, layers: Sequence[Layer]) -> dict[Window, jax.Array]:
    """Full-width windows for `layers`: the rows are cut wherever a layer starts or ends, so
    each band is the background rows with every layer covering it drawn in order."""
    S = layout.size
    cuts = sorted({y for layer in layers for y in (layer.y0, layer.y1)})
    bg = np.asarray(layout.background())
    windows = {}
    for a, b in zip(cuts[:-1], cuts[1:], strict=True):
        inside = [layer for layer in layers if layer.y0 <= a and b <= layer.y1]
        if not inside:
            continue
        pixels = jnp.asarray(compact_rows(bg[a:b]))
        for layer in inside:
            pixels = layer.draw(pixels, a, b)
        pixels = jnp.broadcast_to(pixels, (b - a, 3 * S))
        windows[Window(0, a, S, b, S)] = pixels
    return windows
