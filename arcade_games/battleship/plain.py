"""BattleShip's plain renderer: the frame of docs/games/battleship.md (Drawing, The POMDP) as
code, one function per thing drawn. `make("BattleShipEasy", renderer="plain")` plays with it;
it gives the very frames of the tuned renderer in `draw.py` (the conformance kit checks them
pixel-equal).

The N x N board fills the game area: a 2-px grid line before every cell and after the last,
cells of `c` px (`GridMaps.fitting`). Marks lie inside their cell; the grid is drawn last, so
nothing of a mark shows on it.
"""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp

from arcade_core.observability import View
from arcade_core.render import plain
from arcade_core.render.cursor import one_hot
from arcade_core.render.plain import BoardCells

from . import constants as C


def draw(env: Any, state: Any, params: Any, view: View) -> jax.Array:
    """The frame of `state`: the cursor's cell, an X on every ship cell fired at and an O on
    every other cell fired at (the POMDP: the cursor cell's mark only), the grid, the score
    (ship cells hit)."""
    S, n = env.obs_size, state.guesses.shape[0]
    img, cells, grid = plain.board_frame(
        S, n, area_side=C.AREA_SIDE[S][n], gap=C.GRID_GAP, name="BATTLESHIP",
        background=C.BACKGROUND, name_colour=C.NAME, area_colour=C.AREA,
    )  # fmt: skip
    on_cursor = cells.at(state.cx, state.cy)
    img = plain.paint(img, on_cursor, C.CURSOR)
    fired = state.guesses
    if view.partial:
        fired = fired & one_hot(state.cx, state.cy, n)  # the cursor cell's only
    img = x_marks(img, cells, grid.cell, fired & state.ships, S, on_cursor, view.partial)
    img = o_marks(img, cells, grid.cell, fired & ~state.ships, S)
    img = plain.paint(img, cells.lines, C.GRID)
    return plain.score(img, state.hits, C.SCORE, max_digits=len(str(C.SHIP_CELLS)))


def marked(cells: BoardCells, which: jax.Array) -> jax.Array:
    """Per pixel: whether it lies inside a cell where `which` (bool[row, col]) holds."""
    return cells.inside & which[cells.row, cells.col]


def x_marks(
    img: Any, cells: BoardCells, c: int, which: jax.Array, S: int, on_cursor: Any, partial: bool
) -> jax.Array:
    """An X in every cell of `which` (cells c px wide): its two diagonals, strokes 2k + 1 px
    wide. Red in the POMDP; in the MDP the darker (per channel) of red and what lies under it,
    as POPGym Arcade composites it: (191, 0, 0) on a plain cell, (217, 0, 0) on the cursor."""
    u, v, k = cells.u, cells.v, C.X_HALF_WIDTH[S]
    lit = marked(cells, which) & ((jnp.abs(v - u) <= k) | (jnp.abs(v + u - c) <= k))
    if partial:
        return plain.paint(img, lit, C.X_MARK)
    img = plain.paint(img, lit & on_cursor, C.X_MDP_CURSOR)
    return plain.paint(img, lit & ~on_cursor, C.X_MDP_PLAIN)


def o_marks(img: Any, cells: BoardCells, c: int, which: jax.Array, S: int) -> jax.Array:
    """An O in every cell of `which` (cells c px wide): a black ring `t` px thick, of outer
    radius c // 2 around the cell's pixel (c // 2, c // 2)."""
    r, t = c // 2, C.O_THICKNESS[S]
    d2 = (cells.u - r) ** 2 + (cells.v - r) ** 2
    return plain.paint(img, marked(cells, which) & ((r - t) ** 2 <= d2) & (d2 <= r * r), C.O_MARK)
