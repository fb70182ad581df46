"""Skittles frames (docs/games/skittles.md §Drawing): the 10 x 10 grid is one full-width window over
a baked black background with the name; the score is the only other window.

A grid row holds at most one enemy (one spawns per step, rows only shift), so a frame is fixed
by one enemy column and one colour per row plus the agent's column. Each pixel row takes its
grid row's values (a 1-D broadcast of a few hundred values) and each byte compares its static
grid column with them, all in uint8: two compares, a channel pick of the row's enemy colour
and two selects per byte, no gather, no per-cell image. Windows span the canvas' full width,
so `compose` joins them along rows only (no column select).
"""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from arcade_core.render import FrameLayout, colour_row, layered_windows, score_layer

from . import constants as C

RAINBOW = np.asarray(C.RAINBOW, np.uint8)  # [7, 3]
NONE = 254  # "no enemy / not a cell row"; byte columns off the cells read 255
OFF = 255


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
        column = np.where(on_cell, x // pitch, OFF).astype(np.uint8)  # per canvas column
        self.column = np.repeat(column, 3)[None, :]  # per byte
        self.channel = (np.arange(3 * obs_size) % 3)[None, :]  # per byte

    def _per_pixel_row(self, per_grid_row: jax.Array) -> jax.Array:
        """Spread 10 per-grid-row values (uint8) over the window's pixel rows (NONE in the
        gaps)."""
        p = self.pitch
        spread = jnp.broadcast_to(per_grid_row[:, None], (C.GRID, p)).reshape(C.GRID * p)
        return jnp.where(jnp.asarray(self.row_in_cell), spread, jnp.uint8(NONE))

    def grid_pixels(self, state: Any, shown: Any = True) -> jax.Array:
        """The window's byte rows: each row's enemy in its rainbow colour where `shown`
        (bool[10], per row, or True), the agent's cell white (drawn last), black elsewhere."""
        has_enemy = jnp.any(state.grid, axis=1)
        enemy_col = jnp.argmax(state.grid, axis=1).astype(jnp.uint8)
        visible = has_enemy if shown is True else has_enemy & shown
        enemy_col = jnp.where(visible, enemy_col, jnp.uint8(NONE))
        palette = jnp.asarray(RAINBOW)
        colour = jnp.broadcast_to(palette[0], (C.GRID, 3))
        for k in range(1, len(C.RAINBOW)):  # 7 colours: selects on 10 rows, no gather
            colour = jnp.where((state.colour_idx == k)[:, None], palette[k], colour)
        agent_col = jnp.where(jnp.arange(C.GRID) == C.GRID - 1, state.x.astype(jnp.uint8), NONE)
        col = jnp.asarray(self.column)
        enemy_y = self._per_pixel_row(enemy_col)[:, None]
        agent_y = self._per_pixel_row(agent_col)[:, None]
        rgb = jnp.broadcast_to(colour[:, None, :], (C.GRID, self.pitch, 3)).reshape(-1, 3)
        ch = jnp.asarray(self.channel)
        enemy = jnp.where(ch == 0, rgb[:, 0:1], jnp.where(ch == 1, rgb[:, 1:2], rgb[:, 2:3]))
        S = self.layout.size
        black, white = jnp.asarray(colour_row(C.BACKGROUND, S)), jnp.asarray(colour_row(C.AGENT, S))
        return jnp.where(col == agent_y, white, jnp.where(col == enemy_y, enemy, black))

    def score_pixels(self, score: Any) -> dict:
        """The score's full-width band(s): `arcade_core.render.score_layer` (uint8, no per-byte
        shift), pixel-identical to `FrameLayout.render`'s score."""
        return layered_windows(self.layout, [score_layer(self.layout, score)])

    def __call__(self, state: Any, shown: Any = True) -> jax.Array:
        """The frame; `shown` (bool[10] or True) says which rows' enemies are drawn."""
        return self.layout.render(
            {
                self.window: self.grid_pixels(state, shown),
                **self.score_pixels(state.score),
            }
        )
