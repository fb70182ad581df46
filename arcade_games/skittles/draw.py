"""Skittles frames (GAMES.md §3.8 Rendering): the 10 x 10 grid is one window over a baked
black background with the name; the score is the only other window.

Every cell is a flat colour computed from the state (a rainbow colour per row, white for the
agent, black when empty or hidden), so the grid is drawn as `Board` does — each cell's value
spread over its pixels by broadcasting, no gather — but with the packed colour itself spread
instead of a kind index: one select with the static gap mask replaces `Board`'s K - 1 = 8
selects over precomputed images (there would be 9 flat tiles)."""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from arcade_core.render import FrameLayout, pack

from . import constants as C

RAINBOW_PACKED = np.asarray([pack(c) for c in C.RAINBOW], np.uint32)


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
        self.window = layout.window(0, 0, side, side)
        coords = np.arange(side)
        inside = (coords >= C.GAP) & ((coords - C.GAP) % pitch < cell)
        self.interior = inside[:, None] & inside[None, :]  # static: pixels inside some cell

    def cell_colours(self, state: Any, shown: Any = True) -> jax.Array:
        """uint32[10, 10] packed colour of every cell: the row's rainbow colour where an enemy
        is (and `shown`), white at the agent, black elsewhere."""
        palette = jnp.asarray(RAINBOW_PACKED)
        row_colour = jnp.full((C.GRID,), palette[0])
        for k in range(1, len(C.RAINBOW)):  # 7 colours: selects on 10 values, no gather
            row_colour = jnp.where(state.colour_idx == k, palette[k], row_colour)
        enemy = state.grid if shown is True else state.grid & shown
        colours = jnp.where(enemy, row_colour[:, None], jnp.uint32(0))
        cols = jnp.arange(C.GRID)[None, :]
        rows = jnp.arange(C.GRID)[:, None]
        agent = (rows == C.GRID - 1) & (cols == state.x)
        return jnp.where(agent, jnp.uint32(pack(C.AGENT)), colours)

    def grid_pixels(self, colours: jax.Array) -> jax.Array:
        """The grid window's packed pixels from per-cell colours (broadcast, one select)."""
        n, p, g = C.GRID, self.pitch, C.GAP
        spread = jnp.broadcast_to(colours[:, None, :, None], (n, p, n, p)).reshape(n * p, n * p)
        spread = jnp.pad(spread, ((g, 0), (g, 0)))
        return jnp.where(jnp.asarray(self.interior), spread, jnp.uint32(pack(C.BACKGROUND)))

    def __call__(self, state: Any, shown: Any = True) -> jax.Array:
        """The frame; `shown` (bool[10, 10] or True) says which cells' enemies are drawn."""
        pixels = self.grid_pixels(self.cell_colours(state, shown))
        return self.layout.render({self.window: pixels}, score=state.score)
