"""Breakout frames (GAMES.md §3.9 Rendering): two full-width windows over a baked background —
the score's rows, and the game area's rows — whose pixels are computed element-wise.

Two measured costs (XLA:CPU, 64 envs) shape it: a window narrower than the canvas is joined
to the background by column concatenation, several times dearer than row bands; and spreading
a cell grid over pixels by broadcast + reshape runs as per-element index arithmetic. So each
board row (bricks, or the paddle on the bottom row) is one 10-bit word spread over its pixel
rows by a 1-D broadcast, each pixel tests its column's bit with a static shift, and the ball
and trail discs are per-row x-intervals: a few compares per pixel, no gather, no mask image.
"""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from arcade_core.render import FrameLayout, Window, number_mask, pack, paint
from arcade_core.render.frame import DIGIT_W, SCORE_BOX

from . import constants as C


class BreakoutRenderer:
    """Draws a Breakout state at one observation size."""

    def __init__(self, obs_size: int, paddle_width: int) -> None:
        L = C.LAYOUT[obs_size]
        self.L = L
        self.paddle_width = paddle_width
        self.layout = layout = FrameLayout(
            obs_size,
            name="BREAKOUT",
            background=C.BACKGROUND,
            name_colour=C.NAME,
            score_colour=C.SCORE,
            area_side=L["area"],
            area_colour=C.AREA,
            max_score_digits=len(str(C.NUM_BRICKS)),
        )
        s, cw, ch, o = L["area"], L["cell_w"], L["cell_h"], layout.offset
        self.area = Window(0, o, obs_size, o + s)
        sw = layout.score_window
        self.score = Window(0, sw.y0, obs_size, sw.y1)
        self.score_pad = ((0, 0), (sw.x0, obs_size - sw.x1))
        self.background = layout.pixels(self.area)  # freezes the background
        self.score_bg = layout.pixels(self.score)
        # per pixel row: the colour of a lit cell (its brick row's; the paddle's on row 19)
        colours = [pack(C.BRICK.get(r, C.AREA)) for r in range(C.ROWS)]
        colours[C.ROWS - 1] = pack(C.PADDLE)
        self.row_colour = np.repeat(np.asarray(colours, np.uint32), ch)[:, None]
        # per pixel column: the bit of its board column (31: off the game area, never set)
        col = np.arange(obs_size) - o
        self.col_bit = np.where((col >= 0) & (col < s), col // cw, 31).astype(np.uint32)[None, :]
        self.xs = np.arange(obs_size, dtype=np.int32)[None, :]
        self.ys = np.arange(s, dtype=np.int32)[:, None]

    def __call__(self, state: Any, partial: bool = False) -> jax.Array:
        windows = {
            self.area: self.area_pixels(state, partial),
            self.score: self.score_pixels(state),
        }
        return self.layout.render(windows)

    def score_pixels(self, state: Any) -> jax.Array:
        """The score in its full-width rows (the number's window padded with background)."""
        L = self.layout
        mask = number_mask(
            state.score, SCORE_BOX[L.size], digit_w=DIGIT_W[L.size], max_digits=L.max_score_digits
        )
        return paint(jnp.asarray(self.score_bg), jnp.pad(mask, self.score_pad), C.SCORE)

    def _disc(self, x: jax.Array, y: jax.Array, r: int) -> jax.Array:
        """Pixels of the area window in the disc of radius r centred in cell (x, y)."""
        cw, ch, o = self.L["cell_w"], self.L["cell_h"], self.layout.offset
        dx = jnp.asarray(self.xs) - (x * cw + cw // 2 + o)
        dy = jnp.asarray(self.ys) - (y * ch + ch // 2)
        return dx * dx + dy * dy <= r * r

    def area_pixels(self, state: Any, partial: bool) -> jax.Array:
        """The game area's rows: bricks and paddle from one word per board row, then the ball
        and (MDP) trail."""
        ch, w = self.L["cell_h"], self.paddle_width
        cols = jnp.arange(C.COLS, dtype=jnp.uint32)
        words = jnp.sum(state.bricks.astype(jnp.uint32) << cols, axis=1, dtype=jnp.uint32)
        paddle = ((1 << w) - 1) << state.paddle.astype(jnp.uint32)
        words = jnp.where(jnp.arange(C.ROWS) == C.ROWS - 1, paddle, words)  # no brick there
        per_row = jnp.broadcast_to(words[:, None], (C.ROWS, ch)).reshape(C.ROWS * ch, 1)
        lit = ((per_row >> jnp.asarray(self.col_bit)) & 1) == 1
        out = jnp.where(lit, jnp.asarray(self.row_colour), jnp.asarray(self.background))
        ball = self._disc(state.ball_x, state.ball_y, self.L["ball_r"])
        if partial:  # the POMDP sees the ball only while it moves up
            ball = ball & (state.direction < 2)
        out = jnp.where(ball, jnp.uint32(pack(C.BALL)), out)
        if not partial:
            trail = self._disc(state.last_x, state.last_y, self.L["trail_r"])
            out = jnp.where(trail, jnp.uint32(pack(C.TRAIL)), out)
        return out
