"""Breakout frames (docs/games/breakout.md §Drawing): two full-width row bands of bytes over a baked
background — the score's rows, and the game area's rows — computed element-wise.

Full-width bands are joined by rows only (no column select in `compose`), and spreading a
cell grid over pixels by broadcast + reshape runs as per-element index arithmetic. So each
board row (bricks, or the paddle on the bottom row) is one 10-bit word spread over its pixel
rows by a 1-D broadcast (as two uint8 words, columns 0-7 and 8-9), each byte tests its
column's bit with a static mask (uint8 AND: a per-byte uint32 shift measured ~3x slower) and
selects a static "all lit" image, and the ball and trail discs are per-row column intervals
(`span_mask`): a few compares per byte, no gather.
"""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from arcade_core.render import (
    FrameLayout,
    Window,
    colour_row,
    layered_windows,
    paint,
    score_layer,
    span_mask,
)
from arcade_core.render.geometry import disc_span

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
        self.area = Window(0, o, obs_size, o + s, obs_size)
        self.background = layout.pixels(self.area)  # freezes the background
        # per pixel row: the colour of a lit cell (its brick row's; the paddle's on row 19)
        colours = [C.BRICK.get(r, C.AREA) for r in range(C.ROWS)]
        colours[C.ROWS - 1] = C.PADDLE
        self.lit = np.repeat(np.concatenate([colour_row(c, obs_size) for c in colours]), ch, 0)
        # per byte: its board column's bit in the word of columns 0-7 and of columns 8-9
        col = np.repeat(np.arange(obs_size) - o, 3)
        col = np.where((col >= 0) & (col < s), col // cw, -1)
        self.masks = [
            np.where((col >= 0) & (col // 8 == g), 1 << (col % 8), 0).astype(np.uint8)[None, :]
            for g in range(2)
        ]
        self.ys = np.arange(s, dtype=np.int32)[:, None]

    def __call__(self, state: Any, partial: bool = False) -> jax.Array:
        windows = {
            self.area: self.area_pixels(state, partial),
            **self.score_pixels(state),
        }
        return self.layout.render(windows)

    def score_pixels(self, state: Any) -> dict:
        """The score's full-width band(s): `arcade_core.render.score_layer` (uint8, no per-byte
        shift), pixel-identical to `FrameLayout.render`'s score."""
        return layered_windows(self.layout, [score_layer(self.layout, state.score)])

    def _disc(self, x: jax.Array, y: jax.Array, r: int) -> tuple[jax.Array, jax.Array]:
        """Per row of the area window, the columns of the disc of radius r centred in cell
        (x, y)."""
        cw, ch, o = self.L["cell_w"], self.L["cell_h"], self.layout.offset
        cx = x.astype(jnp.int32) * cw + cw // 2 + o
        cy = y.astype(jnp.int32) * ch + ch // 2
        return disc_span(jnp.asarray(self.ys), cx, cy, r * r)

    def area_pixels(self, state: Any, partial: bool) -> jax.Array:
        """The game area's rows: bricks and paddle from one word per board row, then the ball
        and (MDP) trail."""
        ch, w = self.L["cell_h"], self.paddle_width
        cols = jnp.arange(C.COLS, dtype=jnp.int32)
        paddle = (cols >= state.paddle) & (cols < state.paddle + w)
        cells = jnp.where(jnp.arange(C.ROWS)[:, None] == C.ROWS - 1, paddle, state.bricks != 0)
        lit = None
        for g, mask in enumerate(self.masks):
            part = cells[:, 8 * g : 8 * g + 8].astype(jnp.uint8)
            word = jnp.sum(part << jnp.arange(part.shape[1], dtype=jnp.uint8), axis=1)
            word = jnp.broadcast_to(word.astype(jnp.uint8)[:, None], (C.ROWS, ch))
            t = word.reshape(C.ROWS * ch, 1) & jnp.asarray(mask)
            lit = t if lit is None else lit | t
        lit = lit != 0
        out = jnp.where(lit, jnp.asarray(self.lit), jnp.asarray(self.background))
        lo, hi = self._disc(state.ball_x, state.ball_y, self.L["ball_r"])
        if partial:  # the POMDP sees the ball only while it moves up
            lo = jnp.where(state.direction < 2, lo, 1 << 20)
        out = paint(out, span_mask(self.area, (lo, hi)), C.BALL)
        if not partial:
            trail = self._disc(state.last_x, state.last_y, self.L["trail_r"])
            out = paint(out, span_mask(self.area, trail), C.TRAIL)
        return out
