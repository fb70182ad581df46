"""BattleShip frames (docs/games/battleship.md §Drawing): one window, the board's rows across the
whole canvas (a full-width band of bytes), over a baked background (canvas, name, plain board with
its grid).

Each byte knows statically which column of cells it is in, as a bit of a uint8 row word, and
keeps that bit only where its pixel lies on an X stroke (`xbit`) or an O stroke (`obit`) of
its cell. A step packs each board row's X cells and O cells into uint8 words (8 columns a
word), expands them to pixel rows (see `arcade_core.render.grid`), and a byte ANDs its
row's word with its static bit: element-wise uint8, no per-byte shift, no tiles, no gather.
"""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from arcade_core.observability import View
from arcade_core.render import BoardFrame, colour_row
from arcade_core.render.cursor import one_hot

from . import constants as C

NONE, X_CODE, O_CODE = 0, 1, 2


def mark_bits(cell: int, obs_size: int) -> np.ndarray:
    """uint32[c, c]: bit 0 where an X (docs/games/battleship.md §Drawing) covers a pixel of the cell
    interior, bit 1 where an O does. Mark pixels on the grid lines after the cell are dropped: the
    grid is drawn over them."""
    u = np.arange(cell)[None, :]
    v = np.arange(cell)[:, None]
    k = C.X_HALF_WIDTH[obs_size]
    x_mask = (np.abs(v - u) <= k) | (np.abs(v - cell + u) <= k)
    r, t, centre = cell // 2, C.O_THICKNESS[obs_size], cell // 2
    d2 = (u - centre) ** 2 + (v - centre) ** 2
    o_mask = ((r - t) ** 2 <= d2) & (d2 <= r * r)
    return (x_mask * X_CODE | o_mask * O_CODE).astype(np.uint32)


class BattleShipRenderer(BoardFrame):
    """Draws a BattleShip state at one observation size for an N x N board."""

    def __init__(self, obs_size: int, n: int) -> None:
        super().__init__(
            obs_size,
            n,
            area_side=C.AREA_SIDE[obs_size][n],
            grid_colour=C.GRID,
            gap=C.GRID_GAP,
            name="BATTLESHIP",
            background=C.BACKGROUND,
            name_colour=C.NAME,
            score_colour=C.SCORE,
            area_colour=C.AREA,
            max_score_digits=len(str(C.SHIP_CELLS)),
        )
        grid = self.grid
        # per byte: its board column as a bit of a uint8 word (columns 8w..8w+7 in word w),
        # kept only where the pixel lies on an X (`xbit`) or an O (`obit`) stroke
        col = self.col_index[0]
        self.words = -(-n // 8)
        self.word_of = (np.maximum(col, 0) // 8)[None, :]  # [1, 3S]
        bit = np.where(col >= 0, 1 << (np.maximum(col, 0) % 8), 0).astype(np.uint8)
        marks = self.per_byte(grid.tile(mark_bits(grid.cell, obs_size)), 0)
        self.xbit = np.where(marks & X_CODE, bit[None, :], 0).astype(np.uint8)
        self.obit = np.where(marks & O_CODE, bit[None, :], 0).astype(np.uint8)

    def plane(self, cells: jax.Array) -> jax.Array:
        """bool[N, N] -> uint8[side, 1 or 3S]: the row word holding each byte's cell's bit."""
        g = self.grid
        w = jnp.pad(cells, ((0, 0), (0, 8 * self.words - self.n))).astype(jnp.uint8)
        w = w.reshape(self.n, self.words, 8) << jnp.arange(8, dtype=jnp.uint8)
        w = jnp.sum(w, axis=-1, dtype=jnp.uint8)  # [N, words]
        rows = [g.rows(w[:, k])[:, None] for k in range(self.words)]  # [side, 1] each
        out = rows[0]
        for k in range(1, self.words):
            out = jnp.where(jnp.asarray(self.word_of == k), rows[k], out)
        return out

    def __call__(self, state: Any, view: View) -> jax.Array:
        S = self.layout.size
        code = jnp.where(state.guesses, jnp.where(state.ships, X_CODE, O_CODE), NONE)
        on_cursor = self.on_cursor(state.cx, state.cy)

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
        x_lit = (self.plane(code == X_CODE) & jnp.asarray(self.xbit)) != 0
        o_lit = (self.plane(code == O_CODE) & jnp.asarray(self.obit)) != 0
        base = self.base(on_cursor, C.CURSOR)
        pixels = jnp.where(x_lit, x_colour, jnp.where(o_lit, row(C.O_MARK), base))
        return self.render(pixels, state.hits)
