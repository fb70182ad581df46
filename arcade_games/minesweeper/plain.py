"""MineSweeper's plain renderer: the frame of docs/games/minesweeper.md (Drawing, The POMDP) as
code, one function per thing drawn. `make("MineSweeperEasy", renderer="plain")` plays with it;
it gives the very frames of the tuned renderer in `draw.py` (the conformance kit checks them
pixel-equal).

The N x N board fills the game area: a 2-px grid line before every cell and after the last,
cells of `c` px (`GridMaps.fitting`). Numbers are 5 x 5 font digits; the grid is drawn over
them, and they light nothing off the board.
"""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp

from arcade_core.observability import View
from arcade_core.render import DIGITS, plain
from arcade_core.render.cursor import one_hot
from arcade_core.render.grid import GridMaps
from arcade_core.render.plain import BoardCells

from . import constants as C


def draw(env: Any, state: Any, params: Any, view: View) -> jax.Array:
    """The frame of `state`: the cursor's cell, the number of every revealed cell (the POMDP:
    the cursor cell's only, narrower), the grid, the score (safe cells revealed)."""
    S, n = env.obs_size, state.revealed.shape[0]
    img, cells, grid = plain.board_frame(
        S, n, area_side=C.AREA_SIDE[S][n], gap=C.GRID_GAP, name="MINESWEEPER",
        background=C.BACKGROUND, name_colour=C.NAME, area_colour=C.AREA,
    )  # fmt: skip
    img = plain.paint(img, cells.at(state.cx, state.cy), C.CURSOR)
    shown = state.revealed
    if view.partial:
        shown = shown & one_hot(state.cx, state.cy, n)  # the cursor cell's only
    width = C.DIGIT_W["pomdp" if view.partial else "mdp"]
    img = numbers(img, cells, grid, jnp.clip(state.neighbours, 0, 9), shown, width)
    img = plain.paint(img, cells.lines, C.GRID)
    return plain.score(img, state.score, C.SCORE, max_digits=2)


def numbers(
    img: Any, cells: BoardCells, grid: GridMaps, digits: jax.Array, shown: jax.Array, width: int
) -> jax.Array:
    """In white, the digit `digits[row, col]` of every cell where `shown`: `width` px wide (font
    cells `width // 5` px), centred across the cell's interior (rounding left, so a number
    wider than the cell starts left of it), `(c - 2) // 5` px per font row from the interior's
    second row. A number wider than its cell lights the edges of its row neighbours' interiors
    too (white wins over what lies there)."""
    n, c, pitch = grid.n, grid.cell, grid.pitch
    cw, ch = width // 5, (c - 2) // 5
    font_row = (cells.v - 1) // ch
    on_rows = (cells.v >= 1) & (font_row < 5)
    font = jnp.asarray(DIGITS)  # [10, 5, 5]
    lit = jnp.zeros_like(cells.inside)
    for j in range(n):  # the numbers of column j, at most one per row
        x = (cells.col - j) * pitch + cells.u - (c - width) // 2  # from the number's left edge
        on_number = on_rows & (x >= 0) & (x < 5 * cw) & shown[cells.row, j]
        glyph = font[digits[cells.row, j], jnp.clip(font_row, 0, 4), jnp.clip(x // cw, 0, 4)]
        lit = lit | (on_number & glyph)
    return plain.paint(img, cells.inside & lit, C.NUMBER)
