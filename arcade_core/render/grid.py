"""Game kit: an N x N board of square cells with grid lines (docs/games/conventions.md §Drawing
primitives), and how to draw it fast (BattleShip and MineSweeper draw their boards with it; so may
any plugin's grid game).

Geometry: a `gap`-px line before every cell and after the last, so the board's side is
`gap + N * pitch`, `pitch = cell + gap`, and cell (col i, row j) has its interior at
`(gap + i * pitch, gap + j * pitch)` (board coordinates).

Drawing: what a pixel shows depends on its cell (row j, col i) and its place in the cell.
Expanding per-cell values to pixels through a `[N, pitch, N, pitch]` broadcast makes XLA
compute `x // pitch` and `x % pitch` for every pixel, which does not vectorize. Instead a step
packs what it needs of each board row into bit-words (per row, or per pixel row of the row), and
expands only those to the board's pixel *rows* (a few dozen values). A pixel then shifts its
row's word by a static per-column amount and tests bits: operands of shape `[h, 1]`, `[1, w]` or
static `[h, w]`, element-wise, no gather, no division.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from .canvas import colour_row
from .frame import FrameLayout
from .layers import layered_windows, score_layer


@dataclass(frozen=True)
class GridMaps:
    """Board geometry, static per-coordinate maps (NumPy) and the row expansions (JAX)."""

    n: int
    cell: int
    gap: int = 2

    @classmethod
    def fitting(cls, n: int, side: int, gap: int = 2) -> GridMaps:
        """The largest board of N x N cells whose side fits in `side` px: cell c =
        (side - gap (N + 1)) // N (docs/games/conventions.md §Drawing primitives)."""
        return cls(n, (side - gap * (n + 1)) // n, gap)

    @property
    def pitch(self) -> int:
        return self.cell + self.gap

    @property
    def side(self) -> int:
        return self.gap + self.n * self.pitch

    def _index(self, t: np.ndarray) -> np.ndarray:
        inside = (t >= 0) & (t < self.side - self.gap) & (t % self.pitch < self.cell)
        return np.where(inside, t // self.pitch, -1).astype(np.int32)

    def _local(self, t: np.ndarray) -> np.ndarray:
        inside = (t >= 0) & (t < self.side - self.gap) & (t % self.pitch < self.cell)
        return np.where(inside, t % self.pitch, -1).astype(np.int32)

    def index(self) -> np.ndarray:
        """int32[side]: the board row whose interior holds each pixel row, -1 on grid lines."""
        return self._index(np.arange(self.side) - self.gap)

    def col_index(self) -> np.ndarray:
        """int32[side]: the board column of each pixel column, -1 on grid lines."""
        return self._index(np.arange(self.side) - self.gap)

    def local(self) -> np.ndarray:
        """int32[side]: each pixel row's position inside its cell (-1 on grid lines)."""
        return self._local(np.arange(self.side) - self.gap)

    def col_local(self) -> np.ndarray:
        """int32[side]: each pixel column's position inside its cell (-1 on grid lines)."""
        return self._local(np.arange(self.side) - self.gap)

    def line_mask(self) -> np.ndarray:
        """bool[side, side]: grid-line pixels of the board (for baking)."""
        on = self.index() < 0
        return on[:, None] | on[None, :]

    def tile(self, per_cell: np.ndarray, fill: int = 0) -> np.ndarray:
        """A static in-cell map [cell, cell] repeated over every cell ([side, side]; `fill` on
        the grid lines)."""
        ly, lx = self.local(), self.col_local()
        inside = (ly[:, None] >= 0) & (lx[None, :] >= 0)
        cy, cx = np.clip(ly, 0, self.cell - 1), np.clip(lx, 0, self.cell - 1)
        return np.where(inside, np.asarray(per_cell)[cy[:, None], cx[None, :]], fill)

    def cursor_mask(self, cx: jax.Array, cy: jax.Array) -> jax.Array:
        """bool[side, side]: the interior of cell (cx, cy), one compare per row and column."""
        rows, cols = jnp.asarray(self.index()), jnp.asarray(self.col_index())
        return (rows[:, None] == cy) & (cols[None, :] == cx)

    def row_blocks(self, table: jax.Array) -> jax.Array:
        """[N, cell, ...] values per (board row, row inside the cell) -> [side, ...]: each
        pixel row's values (0 on the grid lines)."""
        rest = [(0, 0)] * (table.ndim - 2)
        block = jnp.pad(table, ((0, 0), (0, self.gap), *rest))  # the lines after each cell
        block = block.reshape(self.n * self.pitch, *table.shape[2:])
        return jnp.pad(block, ((self.gap, 0), *rest))

    def rows(self, values: jax.Array) -> jax.Array:
        """[N] values per board row -> [side]: each pixel row's value (0 on the grid lines)."""
        return self.row_blocks(jnp.broadcast_to(values[:, None], (self.n, self.cell)))


class BoardFrame:
    """The frame of a cursor game on an N x N board (BattleShip, MineSweeper): a `GridMaps`
    board filling the game area (`area_side` px: the spec's numbers make cells fit exactly)
    with its grid lines baked, its rows drawn as one full-width
    window, per-byte cell indices to highlight the cursor's cell, and the score as a layer.
    `FrameLayout`'s own arguments (name, colours, score digits) pass through."""

    def __init__(
        self,
        obs_size: int,
        n: int,
        *,
        area_side: int,
        grid_colour: Sequence[int],
        gap: int = 2,
        **layout: Any,
    ) -> None:
        self.n = n
        self.grid = grid = GridMaps.fitting(n, area_side, gap)
        assert grid.side == area_side, (grid.side, area_side)
        self.layout = FrameLayout(obs_size, area_side=area_side, **layout)
        self.layout.area[grid.line_mask()] = np.asarray(grid_colour, np.uint8)
        S, o = obs_size, self.layout.offset
        self.window = self.layout.window(-o, 0, S - o, area_side)  # the board's rows, full width
        self.col_index = self.per_byte(grid.col_index(), -1)[None, :]  # [1, 3S], -1 off cells
        self.row_index = grid.index()[:, None]  # [side, 1]

    def per_byte(self, per_col: np.ndarray, fill: int) -> np.ndarray:
        """A per-board-column map ([..., side]) spread over the canvas's bytes ([..., 3S])."""
        S, o, side = self.layout.size, self.layout.offset, self.grid.side
        out = np.full((*per_col.shape[:-1], S), fill, per_col.dtype)
        out[..., o : o + side] = per_col
        return np.repeat(out, 3, axis=-1)

    def on_cursor(self, cx: jax.Array, cy: jax.Array) -> jax.Array:
        """bool[side, 3S]: the bytes of the cursor cell's interior."""
        return (jnp.asarray(self.row_index) == cy) & (jnp.asarray(self.col_index) == cx)

    def base(self, on_cursor: jax.Array, colour: Sequence[int]) -> jax.Array:
        """The board's rows of the background with the cursor cell filled with `colour`."""
        cursor = jnp.asarray(colour_row(colour, self.layout.size))
        return jnp.where(on_cursor, cursor, self.layout.pixels(self.window))

    def render(self, pixels: jax.Array, score: jax.Array) -> jax.Array:
        """The frame: the board's rows `pixels`, and the score in uint8 (`score_layer`: no
        per-byte shift), pixel-identical to `FrameLayout.render`'s."""
        windows = layered_windows(self.layout, [score_layer(self.layout, score)])
        return self.layout.render({self.window: pixels, **windows})


def row_words(values: jax.Array, bits: int) -> jax.Array:
    """[N, N] small non-negative ints -> uint32[N]: each board row packed `bits` bits per column
    (column i at bit `bits * i`)."""
    n = values.shape[-1]
    shifts = jnp.arange(n, dtype=jnp.uint32) * bits
    return jnp.sum(values.astype(jnp.uint32) << shifts, axis=-1, dtype=jnp.uint32)


def shift_cols(values: jax.Array, delta: int) -> jax.Array:
    """`out[..., i] = values[..., i + delta]`, zero where `i + delta` is off the board."""
    if delta == 0:
        return values
    n = values.shape[-1]
    pad = [(0, 0)] * (values.ndim - 1) + [(abs(delta), abs(delta))]
    start = abs(delta) + delta
    return jnp.pad(values, pad)[..., start : start + n]
