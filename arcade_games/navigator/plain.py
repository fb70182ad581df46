"""Navigator's plain renderer: the frame of docs/games/navigator.md (What you see, Drawing) as
code, one function per thing drawn. `make("NavigatorEasy", renderer="plain")` plays with it;
it gives the very frames of the tuned renderer in `draw.py` (the conformance kit checks them
pixel-equal).

The N x N board fills the game area: a 2-px white grid line before every cell and after the
last, cells of `c` px (`constants.CELL`). The TNT block and the treasure hexagon are the
shapes of `draw.py` (`tnt_tile`, `hexagon_mask`), built once in NumPy.
"""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from arcade_core.observability import View
from arcade_core.render import plain

from . import constants as C
from .draw import hexagon_mask, tnt_tile


def draw(env: Any, state: Any, params: Any, view: View) -> jax.Array:
    """The frame of `state`: the grid lines, the TNT blocks and the treasure (in the POMDP only
    on the first frame), the agent's yellow cell over whatever its cell holds, the score."""
    S, n = env.obs_size, env.board_size
    c = C.CELL[S][n]
    side = C.GRID_LINE + n * (c + C.GRID_LINE)
    img = plain.frame(S, name="NAVIGATOR", background=C.BACKGROUND, name_colour=C.NAME,
                      area_side=side, area_colour=C.AREA)  # fmt: skip
    o = plain.area_offset(S, side)
    img = grid_lines(img, o, n, c)
    shown = view.shows(state)
    img = cell_tiles(img, o, c, (state.board == C.TNT) & shown, tnt_tile(c))
    img = cell_tiles(img, o, c, (state.board == C.TREASURE) & shown, treasure_tile(c))
    img = agent(img, o, n, c, state.ax, state.ay)
    return plain.score(img, state.score, C.SCORE, max_digits=len(str(C.WIN_SCORE)))


def cell_of(img: Any, o: int, c: int) -> tuple[jax.Array, jax.Array, jax.Array, jax.Array]:
    """Per pixel: its board column and row, and its place (x, y) inside that cell's interior;
    the place is negative on grid lines and off the board (board columns/rows may then be
    anything)."""
    xs, ys = plain.coords(img)
    pitch = c + C.GRID_LINE
    x, y = xs - (o + C.GRID_LINE), ys - (o + C.GRID_LINE)  # from the first cell's top-left
    dx = jnp.where((x >= 0) & (x % pitch < c), x % pitch, -1)
    dy = jnp.where((y >= 0) & (y % pitch < c), y % pitch, -1)
    return x // pitch, y // pitch, dx, dy


def grid_lines(img: Any, o: int, n: int, c: int) -> jax.Array:
    """The white grid: every pixel of the board that is not inside a cell."""
    xs, ys = plain.coords(img)
    side = C.GRID_LINE + n * (c + C.GRID_LINE)
    _, _, dx, dy = cell_of(img, o, c)
    on_board = plain.in_box(xs, ys, (o, o, o + side, o + side))
    return plain.paint(img, on_board & ((dx < 0) | (dy < 0)), C.GRID)


def treasure_tile(c: int) -> np.ndarray:
    """uint8[c, c, 3]: the light blue hexagon on black."""
    tile = np.zeros((c, c, 3), np.uint8)
    tile[hexagon_mask(c)] = C.TREASURE_HEX
    return tile


def cell_tiles(img: Any, o: int, c: int, where: jax.Array, tile: np.ndarray) -> jax.Array:
    """The c x c picture `tile` in every cell where `where` (bool[row, col]) holds, each
    pixel the lighter (per channel) of the tile's colour and the board's, as POPGym Arcade
    composites them."""
    n = where.shape[0]
    col, row, dx, dy = cell_of(img, o, c)
    inside = (dx >= 0) & (dy >= 0) & (col < n) & (row < n)
    hit = inside & where[jnp.clip(row, 0, n - 1), jnp.clip(col, 0, n - 1)]
    lighter = np.maximum(tile, np.asarray(C.AREA, np.uint8))
    colour = jnp.asarray(lighter)[jnp.clip(dy, 0, c - 1), jnp.clip(dx, 0, c - 1)]
    return jnp.where(hit[..., None], colour, img)


def agent(img: Any, o: int, n: int, c: int, ax: jax.Array, ay: jax.Array) -> jax.Array:
    """The agent: its cell (col ax, row ay) filled yellow."""
    col, row, dx, dy = cell_of(img, o, c)
    return plain.paint(img, (dx >= 0) & (dy >= 0) & (col == ax) & (row == ay), C.AGENT_COLOUR)
