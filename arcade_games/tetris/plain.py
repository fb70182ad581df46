"""Tetris's plain renderer: the frame of docs/games/tetris.md (Rendering) as code, one
function per thing drawn. `make("TetrisEasy", renderer="plain")` plays with it; it gives the
very frames of the tuned renderer in `draw.py` (the conformance kit checks them pixel-equal).

On the game area (side s, cell k = s // 20): the 10 x 20 board of k-px squares from column
5k, between two 1-px white walls, and the preview column from 16k. A square is filled in its
piece's colour, with a 1-px white border where it is large enough.
"""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from arcade_core.observability import View
from arcade_core.render import plain

from . import constants as C

# [piece, rotation, row, col]: the cells each piece fills in its 4 x 4 box
SHAPES = np.zeros((C.NUM_PIECES, 4, 4, 4), bool)
for _t, _rotations in enumerate(C.PIECES):
    for _r, _cells in enumerate(_rotations):
        SHAPES[_t, _r, _cells[::2], _cells[1::2]] = True


def draw(env: Any, state: Any, params: Any, view: View) -> jax.Array:
    """The frame of `state`: the locked cells (MDP only), the falling piece, a white bar over
    every full row (in the POMDP too), the next pieces, the score."""
    S, s = env.obs_size, C.LAYOUT[env.obs_size]["area"]
    k, o = s // 20, plain.area_offset(S, s)
    img = plain.frame(S, name="TETRIS", background=C.BACKGROUND, name_colour=C.NAME,
                      area_side=s, area_colour=C.AREA, low_name=True)  # fmt: skip
    img[o : o + s, o + 5 * k - 1] = C.WHITE  # the walls, either side of the board
    img[o : o + s, o + 15 * k] = C.WHITE
    if not view.partial:
        img = board(img, o, k, state.board)
    img = piece(img, o, k, state)
    img = full_row_bars(img, o, k, state.board)
    for j in range(env.preview):
        img = preview(img, o, k, j, state.preview[j])
    return plain.score(img, state.score, C.SCORE, max_digits=2)


def squares(img: Any, x0: int, y0: int, side: int, kinds: jax.Array, border: bool) -> jax.Array:
    """A grid of squares of `side` px from (x0, y0) (canvas), one per cell of `kinds` (rows x
    cols; 0 empty, t + 1 a square of piece t), with a 1-px white border if `border`."""
    rows, cols = kinds.shape
    xs, ys = plain.coords(img)
    col, row = (xs - x0) // side, (ys - y0) // side
    on_grid = plain.in_box(xs, ys, (x0, y0, x0 + cols * side, y0 + rows * side))
    kind = jnp.where(on_grid, kinds[jnp.clip(row, 0, rows - 1), jnp.clip(col, 0, cols - 1)], 0)
    colour = jnp.asarray((C.AREA, *C.PIECE_COLOUR), jnp.uint8)[kind]
    img = jnp.where((kind > 0)[..., None], colour, img)
    if border:
        dx, dy = (xs - x0) % side, (ys - y0) % side
        edge = (dx == 0) | (dx == side - 1) | (dy == 0) | (dy == side - 1)
        img = plain.paint(img, (kind > 0) & edge, C.WHITE)
    return img


def board(img: Any, o: int, k: int, cells: jax.Array) -> jax.Array:
    """The locked cells: board value t + 1 is a square of piece t."""
    return squares(img, o + 5 * k, o, k, cells, border=True)


def piece(img: Any, o: int, k: int, state: Any) -> jax.Array:
    """The falling piece: its rotation's cells in its 4 x 4 box at board cell (x, y), over
    the locked cells (cells off the board are not drawn)."""
    rows = jnp.arange(C.ROWS)[:, None] - state.y
    cols = jnp.arange(C.COLS)[None, :] - state.x
    inside = (rows >= 0) & (rows < 4) & (cols >= 0) & (cols < 4)
    shape = jnp.asarray(SHAPES)[state.piece, state.rotation % 4]
    covered = inside & shape[jnp.clip(rows, 0, 3), jnp.clip(cols, 0, 3)]
    return squares(img, o + 5 * k, o, k, jnp.where(covered, state.piece + 1, 0), border=True)


def full_row_bars(img: Any, o: int, k: int, cells: jax.Array) -> jax.Array:
    """A white bar over each full board row, 2 px wider than the board on either side."""
    full = jnp.all(cells > 0, axis=1)  # [20]
    xs, ys = plain.coords(img)
    row = (ys - o) // k
    bars = plain.in_box(xs, ys, (o + 5 * k - 2, o, o + 15 * k + 2, o + C.ROWS * k))
    return plain.paint(img, bars & full[jnp.clip(row, 0, C.ROWS - 1)], C.WHITE)


def preview(img: Any, o: int, k: int, j: int, t: jax.Array) -> jax.Array:
    """Next piece number j (0 first): piece t in rotation 0, in half-size squares (bordered
    if at least 4 px), its box at (16k, 3k + 2 + 3k j) on the game area."""
    h = k // 2
    kinds = jnp.where(jnp.asarray(SHAPES)[t, 0], t + 1, 0)
    return squares(img, o + 16 * k, o + 3 * k + 2 + 3 * k * j, h, kinds, border=h >= 4)
