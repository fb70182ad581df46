"""The shared frame of every game (docs/games/conventions.md §The frame): background, a square game
area in the centre, the score at the top and the game's name at the bottom.

A `FrameLayout` is built once per (game, difficulty, size): background, name and any static
drawing of the game area are baked into one image; a step then computes only its
windows (byte rows, see `canvas`) and `render` composes them with the score.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import jax
import numpy as np

from .canvas import Window, compose, number_mask, number_window, paint, to_image, to_rows
from .static import new_canvas, text

Colour = Sequence[int]

SCORE_BOX = {256: (86, 2, 171, 30), 128: (43, 1, 85, 15)}
DIGIT_W = {256: 15, 128: 10}  # digit width on the full canvas (10 on every sub-canvas)
LETTER = {256: dict(letter_w=20, margin=2, gap=3), 128: dict(letter_w=10, margin=1, gap=1)}


def name_box(obs_size: int, low_name: bool = False) -> tuple[int, int, int, int]:
    """Box of the game name: (0,231)-(256,256) at 256; (0,115|116)-(128,128) at 128."""
    if obs_size == 256:
        return (0, 231, 256, 256)
    return (0, 116 if low_name else 115, 128, 128)


class FrameLayout:
    """Static layout of a game's frame at one observation size.

    `canvas` (NumPy uint8, S x S x 3) starts as the background with the name drawn and the
    game area filled; draw static parts into it or into `area` (a view of the game area)
    before the first `background()` call, which freezes the image.
    """

    def __init__(
        self,
        obs_size: int,
        *,
        name: str,
        background: Colour,
        name_colour: Colour,
        score_colour: Colour,
        area_side: int,
        area_colour: Colour | None = None,
        low_name: bool = False,
        max_score_digits: int = 4,
    ) -> None:
        self.size = obs_size
        self.area_side = area_side
        self.offset = (obs_size - area_side) // 2
        self.score_colour = tuple(score_colour)
        self.max_score_digits = max_score_digits
        self.canvas = new_canvas(obs_size, obs_size, background)
        text(
            self.canvas, name.upper(), name_box(obs_size, low_name), name_colour, **LETTER[obs_size]
        )
        o = self.offset
        self.area = self.canvas[o : o + area_side, o : o + area_side]
        if area_colour is not None:
            self.area[:] = np.asarray(area_colour, np.uint8)
        self.score_window = number_window(
            SCORE_BOX[obs_size], DIGIT_W[obs_size], max_score_digits, width=obs_size
        )
        # `render` draws the score from row 0: the rows above it join its band, one band fewer
        # of the 8 a frame can fuse (see `compose`)
        self.score_band = number_window(
            SCORE_BOX[obs_size], DIGIT_W[obs_size], max_score_digits, width=obs_size, top=0
        )
        self._rows: np.ndarray | None = None

    def background(self) -> np.ndarray:
        """The baked background as byte rows (uint8[S, 3S]); freezes the static drawing."""
        if self._rows is None:
            self.canvas.setflags(write=False)
            self._rows = to_rows(self.canvas)
            self._rows.setflags(write=False)
        return self._rows

    def window(self, x0: int, y0: int, x1: int, y1: int, *, area: bool = True) -> Window:
        """A static window (a band of whole rows owning columns x0..x1), in game-area
        coordinates by default, clipped to the canvas."""
        o = self.offset if area else 0
        return Window(x0 + o, y0 + o, x1 + o, y1 + o).clip(self.size, self.size)

    def pixels(self, win: Window) -> jax.Array:
        """The background's byte rows under `win` (traced constant)."""
        return win.of(self.background())

    def number(
        self,
        pixels: jax.Array,
        value: Any,
        box: tuple[int, int, int, int],
        colour: Colour,
        *,
        max_digits: int,
    ) -> jax.Array:
        """Draw a number in `box` (canvas coordinates) onto `pixels` of `number_window(box)`."""
        mask = number_mask(
            value, box, digit_w=DIGIT_W[self.size], max_digits=max_digits, width=self.size
        )
        return paint(pixels, mask, colour)

    def render(self, windows: Mapping[Window, jax.Array], score: Any | None = None) -> jax.Array:
        """The uint8[S, S, 3] frame: background, `windows`, and the score if given."""
        windows = dict(windows)
        if score is not None:
            win = self.score_band
            mask = number_mask(
                score,
                SCORE_BOX[self.size],
                digit_w=DIGIT_W[self.size],
                max_digits=self.max_score_digits,
                width=self.size,
                top=0,
            )
            windows[win] = paint(self.pixels(win), mask, self.score_colour)
        return to_image(compose(self.background(), windows))
