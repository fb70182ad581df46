"""BattleShip frames (GAMES.md §3.4 Rendering): one window, the board, over a baked background
(canvas, name). The board is an `arcade_core.render.Board` of three tiles (plain, X, O) picked
per cell; the cursor is then drawn element-wise over its cell's interior, under the mark."""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from arcade_core.observability import View
from arcade_core.render import Board, FrameLayout, pack
from arcade_games.gridcursor.board import GridMaps

from . import constants as C

PLAIN, X_KIND, O_KIND = 0, 1, 2


def mark_tiles(cell: int, obs_size: int) -> np.ndarray:
    """uint8[3, c, c, 3]: a plain cell, an X (§2.10, drawn min-composited as the MDP shows it on
    a plain cell) and an O. The X/O pixels on the grid lines after the cell are dropped: the
    grid is drawn over them."""
    u = np.arange(cell)[None, :]
    v = np.arange(cell)[:, None]
    k = C.X_HALF_WIDTH[obs_size]
    x_mask = (np.abs(v - u) <= k) | (np.abs(v - cell + u) <= k)
    r, t, centre = cell // 2, C.O_THICKNESS[obs_size], cell // 2
    d2 = (u - centre) ** 2 + (v - centre) ** 2
    o_mask = ((r - t) ** 2 <= d2) & (d2 <= r * r)
    tiles = np.empty((3, cell, cell, 3), np.uint8)
    tiles[:] = np.asarray(C.AREA, np.uint8)
    tiles[X_KIND][x_mask] = C.X_MDP_PLAIN
    tiles[O_KIND][o_mask] = C.O_MARK
    return tiles


class BattleShipRenderer:
    """Draws a BattleShip state at one observation size for an N x N board."""

    def __init__(self, obs_size: int, n: int) -> None:
        self.n = n
        side = C.AREA_SIDE[obs_size][n]
        self.cell = cell = C.cell_side(obs_size, n)
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
        self.grid = GridMaps(n, cell, C.GRID_GAP)
        assert self.grid.side == side, (self.grid.side, side)
        o = layout.offset
        self.board = Board(n, n, cell, C.GRID_GAP, mark_tiles(cell, obs_size), C.GRID, o, o)
        self.window = self.board.window
        # the static frame: grid over the plain board (what a fresh episode shows, less cursor)
        layout.area[:] = np.asarray(C.AREA, np.uint8)
        layout.area[self.grid.line_mask()] = np.asarray(C.GRID, np.uint8)

    def kinds(self, state: Any, view: View) -> tuple[jax.Array, jax.Array]:
        """Per-cell tile kinds (0 plain, 1 X, 2 O) of the marks this view shows, and the colour
        of an X on the cursor cell."""
        marks = jnp.where(state.guesses, jnp.where(state.ships, X_KIND, O_KIND), PLAIN)
        shows_all = view.shows(state)
        if shows_all is True:
            return marks, jnp.uint32(pack(C.X_MDP_CURSOR))
        idx = jnp.arange(self.n)
        at_cursor = (idx[:, None] == state.cy) & (idx[None, :] == state.cx)
        kinds = jnp.where(shows_all | at_cursor, marks, PLAIN)
        # min-compositing tints an X only in the MDP frame [KEEP]; the POMDP's lone X is pure red
        x_colour = jnp.where(
            shows_all, jnp.uint32(pack(C.X_MDP_CURSOR)), jnp.uint32(pack(C.X_MARK))
        )
        return kinds, x_colour

    def __call__(self, state: Any, view: View) -> jax.Array:
        kinds, x_on_cursor = self.kinds(state, view)
        pixels = self.board.pixels(kinds)
        on_cursor = self.grid.cursor_mask(state.cx, state.cy)
        pixels = jnp.where(
            on_cursor,
            jnp.where(
                pixels == pack(C.AREA),
                jnp.uint32(pack(C.CURSOR)),
                jnp.where(pixels == pack(C.X_MDP_PLAIN), x_on_cursor, pixels),
            ),
            pixels,
        )
        return self.layout.render({self.window: pixels}, score=state.hits)
