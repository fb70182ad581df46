"""Static per-pixel maps of an N x N board of square cells with grid lines (GAMES.md §2.2), and
the one dynamic operation the grid games need on them: spreading per-cell values over pixels.

Geometry: a `gap`-px line before every cell and after the last, so the board's side is
`gap + N * (cell + gap)` and cell (col i, row j) has its interior at
`(gap + i * pitch, gap + j * pitch)`, `pitch = cell + gap` (board coordinates).
"""

from __future__ import annotations

from dataclasses import dataclass

import jax
import jax.numpy as jnp
import numpy as np


@dataclass(frozen=True)
class GridMaps:
    """Board geometry and its per-pixel maps (NumPy, built once per env)."""

    n: int
    cell: int
    gap: int = 2

    @property
    def pitch(self) -> int:
        return self.cell + self.gap

    @property
    def side(self) -> int:
        return self.gap + self.n * self.pitch

    def cell_origin(self, i: int) -> int:
        """Board coordinate of the first interior pixel of column (or row) `i`."""
        return self.gap + i * self.pitch

    def owner(self) -> np.ndarray:
        """int[side]: the cell each coordinate belongs to under `spread` (a cell owns its
        interior and the line after it; the first `gap` pixels own none: -1)."""
        t = np.arange(self.side) - self.gap
        return np.where(t >= 0, t // self.pitch, -1)

    def local(self) -> np.ndarray:
        """int[side]: position inside the owning cell (>= cell on the line after it; -1 on the
        leading line)."""
        t = np.arange(self.side) - self.gap
        return np.where(t >= 0, t % self.pitch, -1)

    def interior_index(self) -> np.ndarray:
        """int32[side]: the cell whose interior holds each coordinate, -1 on grid lines."""
        loc = self.local()
        return np.where((loc >= 0) & (loc < self.cell), self.owner(), -1).astype(np.int32)

    def line_mask(self) -> np.ndarray:
        """bool[side, side]: grid-line pixels."""
        idx = self.interior_index()
        return (idx[:, None] < 0) | (idx[None, :] < 0)

    def cursor_mask(self, cx: jax.Array, cy: jax.Array) -> jax.Array:
        """bool[side, side]: the interior of cell (cx, cy), from one compare per row and per
        column."""
        idx = jnp.asarray(self.interior_index())
        return (idx[:, None] == cy) & (idx[None, :] == cx)

    def spread(self, values: jax.Array) -> jax.Array:
        """values[N, N] -> [side, side]: each pixel gets its owning cell's value (0 on the
        leading lines), by broadcasting and a reshape, so it vectorizes (no gather)."""
        n, p, g = self.n, self.pitch, self.gap
        spread = jnp.broadcast_to(values[:, None, :, None], (n, p, n, p)).reshape(n * p, n * p)
        return jnp.pad(spread, ((g, 0), (g, 0)))


def shift_cols(values: jax.Array, delta: int) -> jax.Array:
    """`out[:, i] = values[:, i + delta]`, zero where `i + delta` is off the board."""
    if delta == 0:
        return values
    n = values.shape[1]
    padded = jnp.pad(values, ((0, 0), (abs(delta), abs(delta))))
    start = abs(delta) + delta
    return padded[:, start : start + n]
