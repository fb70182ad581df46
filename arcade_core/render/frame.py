"""The shared frame of every game (GAMES.md §1.4): background, a square game area in the
centre, the score at the top and the game's name at the bottom.

A `FrameLayout` is built once per (game, difficulty, size): the background, the name and any
static drawing of the game area are baked into one constant image; `step` then only copies it
and stamps what moved.
"""

from __future__ import annotations

from collections.abc import Sequence

import jax
import jax.numpy as jnp
import numpy as np

from .dynamic import draw_number
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

    `canvas` (NumPy, S x S x 3) starts as the background with the name drawn and the game area
    filled; draw static parts into `area` (a view of the game area) before the first
    `background()` call, which freezes the image.
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

    def background(self) -> jax.Array:
        """The baked background as a uint8 constant of the traced computation.

        The NumPy image is frozen on the first call (later static drawing raises) and embedded
        as a constant wherever it is traced; nothing is put on a device at build time.
        """
        self.canvas.setflags(write=False)
        return jnp.asarray(self.canvas)

    def draw_score(self, canvas: jax.Array, score: jax.Array) -> jax.Array:
        """Draw the score centred in the standard score box (GAMES.md §1.4)."""
        return draw_number(
            canvas,
            score,
            SCORE_BOX[self.size],
            self.score_colour,
            digit_w=DIGIT_W[self.size],
            max_digits=self.max_score_digits,
        )
