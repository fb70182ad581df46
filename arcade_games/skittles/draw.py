"""Skittles frames (GAMES.md §3.8 Rendering): the 10 x 10 grid is one full-width window over a
baked black background with the name; the score is the only other window.

A grid row holds at most one enemy (one spawns per step, rows only shift), so a frame is fixed
by one enemy column and one colour per row plus the agent's column. Each pixel row takes its
grid row's values (a 1-D broadcast of a few hundred values) and each pixel compares its static
column index with them: two compares and two selects per pixel, no gather, no per-cell image.
Windows span the canvas' full width because `compose` joins full-width bands along rows only,
measured several times cheaper than joining narrow windows column-wise (XLA:CPU, 64 envs).
"""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from arcade_core.render import FrameLayout, number_mask, pack, paint
from arcade_core.render.frame import DIGIT_W, SCORE_BOX

from . import constants as C

RAINBOW_PACKED = np.asarray([pack(c) for c in C.RAINBOW], np.uint32)
NONE = -2  # "no enemy / not a cell row"; pixel columns off the cells read -1


class SkittlesRenderer:
    """Draws a Skittles state at one observation size."""

    def __init__(self, obs_size: int) -> None:
        L = C.LAYOUT[obs_size]
        self.cell = cell = L["cell"]
        self.pitch = pitch = cell + C.GAP
        self.layout = layout = FrameLayout(
            obs_size,
            name="SKITTLES",
            background=C.BACKGROUND,
            name_colour=C.NAME,
            score_colour=C.SCORE,
            area_side=L["area"],
            area_colour=C.BACKGROUND,
            max_score_digits=len(str(C.TIME_LIMIT)),
        )
        side = C.GAP + C.GRID * pitch
        assert side == L["area"], (side, L["area"])
        o = layout.offset
        # rows from the first cell's top to the area's bottom, across the whole canvas
        self.window = layout.window(0, o + C.GAP, obs_size, o + side, area=False)
        rel = np.arange(C.GRID * pitch)
        self.row_in_cell = (rel % pitch) < cell  # per window row: inside a cell row (not a gap)
        x = np.arange(obs_size) - (o + C.GAP)
        on_cell = (x >= 0) & (x < C.GRID * pitch) & (x % pitch < cell)
        self.column = np.where(on_cell, x // pitch, -1).astype(np.int32)  # per canvas column
        sw = layout.score_window
        self.score_window = layout.window(0, sw.y0, obs_size, sw.y1, area=False)
        self.score_pad = ((0, 0), (sw.x0, obs_size - sw.x1))

    def _per_pixel_row(self, per_grid_row: jax.Array) -> jax.Array:
        """Spread 10 per-grid-row values over the window's pixel rows (NONE in the gaps)."""
        p = self.pitch
        spread = jnp.broadcast_to(per_grid_row[:, None], (C.GRID, p)).reshape(C.GRID * p)
        return jnp.where(jnp.asarray(self.row_in_cell), spread, NONE)

    def grid_pixels(self, state: Any, shown: Any = True) -> jax.Array:
        """The window's packed pixels: each row's enemy in its rainbow colour where `shown`
        (bool[10], per row, or True), the agent's cell white (drawn last), black elsewhere."""
        has_enemy = jnp.any(state.grid, axis=1)
        enemy_col = jnp.argmax(state.grid, axis=1).astype(jnp.int32)
        visible = has_enemy if shown is True else has_enemy & shown
        enemy_col = jnp.where(visible, enemy_col, NONE)
        palette = jnp.asarray(RAINBOW_PACKED)
        colour = jnp.full((C.GRID,), palette[0])
        for k in range(1, len(C.RAINBOW)):  # 7 colours: selects on 10 values, no gather
            colour = jnp.where(state.colour_idx == k, palette[k], colour)
        agent_col = jnp.where(jnp.arange(C.GRID) == C.GRID - 1, state.x, NONE)
        col = jnp.asarray(self.column)[None, :]
        enemy_y = self._per_pixel_row(enemy_col)[:, None]
        agent_y = self._per_pixel_row(agent_col)[:, None]
        colour_y = jnp.broadcast_to(colour[:, None], (C.GRID, self.pitch)).reshape(-1)[:, None]
        black, white = jnp.uint32(pack(C.BACKGROUND)), jnp.uint32(pack(C.AGENT))
        return jnp.where(col == agent_y, white, jnp.where(col == enemy_y, colour_y, black))

    def score_pixels(self, score: jax.Array) -> jax.Array:
        """The score in a full-width strip: the number's own window padded with background."""
        L = self.layout
        mask = number_mask(
            score, SCORE_BOX[L.size], digit_w=DIGIT_W[L.size], max_digits=L.max_score_digits
        )
        return paint(L.pixels(self.score_window), jnp.pad(mask, self.score_pad), C.SCORE)

    def __call__(self, state: Any, shown: Any = True) -> jax.Array:
        """The frame; `shown` (bool[10] or True) says which rows' enemies are drawn."""
        return self.layout.render(
            {
                self.window: self.grid_pixels(state, shown),
                self.score_window: self.score_pixels(state.score),
            }
        )
