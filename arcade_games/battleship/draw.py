"""BattleShip frames (GAMES.md §3.4 Rendering): one window, the board's rows across the whole
canvas (a full-width band of bytes), over a baked background (canvas, name, plain board with
its grid).

Each byte knows statically whether its pixel lies on an X or an O stroke of its cell
(`marks`: bit 0 X, bit 1 O, tiled over the board, 0 off the board) and which column of cells
it is in. A step packs each board row's mark codes (0 none, 1 X, 2 O; 2 bits per column) into
one word, expands the words to pixel rows, and a byte reads its cell's code with one shift by
a static per-column amount (see `arcade_games.gridcursor.board`): element-wise, no tiles, no
gather.
"""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from arcade_core.observability import View
from arcade_core.render import FrameLayout, colour_row
from arcade_games.gridcursor.board import GridMaps, row_words
from arcade_games.gridcursor.cursor import one_hot

from . import constants as C

NONE, X_CODE, O_CODE = 0, 1, 2


def mark_bits(cell: int, obs_size: int) -> np.ndarray:
    """uint32[c, c]: bit 0 where an X (§2.10) covers a pixel of the cell interior, bit 1 where
    an O does. Mark pixels on the grid lines after the cell are dropped: the grid is drawn
    over them."""
    u = np.arange(cell)[None, :]
    v = np.arange(cell)[:, None]
    k = C.X_HALF_WIDTH[obs_size]
    x_mask = (np.abs(v - u) <= k) | (np.abs(v - cell + u) <= k)
    r, t, centre = cell // 2, C.O_THICKNESS[obs_size], cell // 2
    d2 = (u - centre) ** 2 + (v - centre) ** 2
    o_mask = ((r - t) ** 2 <= d2) & (d2 <= r * r)
    return (x_mask * X_CODE | o_mask * O_CODE).astype(np.uint32)


class BattleShipRenderer:
    """Draws a BattleShip state at one observation size for an N x N board."""

    def __init__(self, obs_size: int, n: int) -> None:
        self.n = n
        side = C.AREA_SIDE[obs_size][n]
        self.grid = grid = GridMaps(n, C.cell_side(obs_size, n), C.GRID_GAP)
        assert grid.side == side, (grid.side, side)
        self.layout = layout = FrameLayout(
            obs_size,
            name="BATTLESHIP",
            background=C.BACKGROUND,
            name_colour=C.NAME,
            score_colour=C.SCORE,
            area_side=side,
            area_colour=C.AREA,
            max_score_digits=len(str(C.SHIP_CELLS)),
        )
        layout.area[grid.line_mask()] = np.asarray(C.GRID, np.uint8)
        S, o = obs_size, layout.offset
        self.window = layout.window(-o, 0, S - o, side)  # the board's rows, full width

        def per_byte(per_col: np.ndarray, fill: int) -> np.ndarray:
            """A per-board-column map ([..., side]) spread over the canvas's bytes."""
            out = np.full((*per_col.shape[:-1], S), fill, per_col.dtype)
            out[..., o : o + side] = per_col
            return np.repeat(out, 3, axis=-1)

        self.marks = per_byte(grid.tile(mark_bits(grid.cell, obs_size)), 0).astype(np.uint32)
        self.code_shift = per_byte(2 * np.maximum(grid.col_index(), 0), 0).astype(np.uint32)
        self.col_index = per_byte(grid.col_index(), -1)[None, :]  # [1, 3S], -1 off the cells
        self.row_index = grid.index()[:, None]  # [side, 1]

    def __call__(self, state: Any, view: View) -> jax.Array:
        g, S = self.grid, self.layout.size
        code = jnp.where(state.guesses, jnp.where(state.ships, X_CODE, O_CODE), NONE)
        on_cursor = (jnp.asarray(self.row_index) == state.cy) & (
            jnp.asarray(self.col_index) == state.cx
        )

        def row(c: tuple[int, int, int]) -> jax.Array:
            return jnp.asarray(colour_row(c, S))

        if view.partial:
            # Only the cursor cell's mark, and an X there is pure red. The POMDP's first frame
            # is the MDP's by definition (t = 0 reveal); it is this very frame, as nothing has
            # been fired at t = 0.
            code = jnp.where(one_hot(state.cx, state.cy, self.n), code, NONE)
            x_colour = row(C.X_MARK)
        else:
            # every fired cell's mark, min-composited with what lies under it [KEEP]
            x_colour = jnp.where(on_cursor, row(C.X_MDP_CURSOR), row(C.X_MDP_PLAIN))
        words = g.rows(row_words(code, 2))  # [side]: the mark codes of each pixel row's cells
        # the cell's code masked by the byte's strokes: X_CODE on an X stroke of an X cell,
        # O_CODE on an O stroke of an O cell, 0 elsewhere (one shift and one AND per byte)
        lit_code = (words[:, None] >> jnp.asarray(self.code_shift)[None, :]) & jnp.asarray(
            self.marks
        )
        lit = lit_code != 0
        mark = jnp.where(lit_code == X_CODE, x_colour, row(C.O_MARK))
        base = jnp.where(on_cursor, row(C.CURSOR), self.layout.pixels(self.window))
        pixels = jnp.where(lit, mark, base)
        return self.layout.render({self.window: pixels}, score=state.hits)
