"""Game kit: an N x N board of square cells with grid lines (GAMES.md §2.2), and how to draw
it fast (BattleShip and MineSweeper draw their boards with it; so may any plugin's grid game).

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

from dataclasses import dataclass

import jax
import jax.numpy as jnp
import numpy as np


@dataclass(frozen=True)
class GridMaps:
    """Board geometry, static per-coordinate maps (NumPy) and the row expansions (JAX)."""

    n: int
    cell: int
    gap: int = 2

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
