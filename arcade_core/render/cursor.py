"""Game kit: a cursor over an N x N board — its moves, its one-hot cell, random placement of the
cursor and of k items — as BattleShip and MineSweeper use it (docs/games/conventions.md §Actions,
docs/games/battleship.md, docs/games/minesweeper.md), and any plugin's grid game may. Pure JAX,
jittable and vmappable.

Boards are `[N, N]` arrays indexed `[row, col]` = `[cy, cx]` (screen order), so a board is
drawn without a transpose. Everything is element-wise over the N x N cells: no gathers, no
scatters, no sorts, no Python loops over cells.

Randomness is drawn as a handful of uint32 words per reset (`jax.random.bits`), because a reset
runs on every step (auto-reset) and threefry words are the dearest thing in it: a uniform pick
among `count` options is `word mod count` (bias below count / 2³², i.e. < 1e-7 here) applied
to the `k`-th free cell. Placement works on boards packed as one uint32 word per row (bit i =
column i), where "free", "fits" and "k-th" are a few shifts and popcounts per row.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import jax
import jax.numpy as jnp

UP, DOWN, LEFT, RIGHT, FIRE = 0, 1, 2, 3, 4


def move(cx: jax.Array, cy: jax.Array, action: jax.Array, n: int) -> tuple[jax.Array, jax.Array]:
    """The cursor after `action`: up = cy-1, down = cy+1, left = cx-1, right = cx+1, clamped
    to the board (a blocked move is a no-op); fire leaves it where it is."""
    dx = jnp.where(action == LEFT, -1, jnp.where(action == RIGHT, 1, 0))
    dy = jnp.where(action == UP, -1, jnp.where(action == DOWN, 1, 0))
    return (
        jnp.clip(cx + dx, 0, n - 1).astype(jnp.int32),
        jnp.clip(cy + dy, 0, n - 1).astype(jnp.int32),
    )


@dataclass(frozen=True)
class CursorBoard:
    """What cursor games on an N x N board share beyond the moves (BattleShip, MineSweeper):
    the board size, checked against the sizes a game offers, and the repeat rule — firing at a
    cell already used costs -2/N², and the fire that brings the repeats to N²/2 ends the
    episode (docs/games/battleship.md, docs/games/minesweeper.md, the suite's fix)."""

    n: int

    @classmethod
    def of(cls, board_size: int, sizes: Iterable[int]) -> CursorBoard:
        """The board of side `board_size`; a `ValueError` naming `sizes` if it is not one."""
        n = int(board_size)
        if n not in set(sizes):
            raise ValueError(f"board_size must be one of {sorted(sizes)}, got {n}")
        return cls(n)

    @property
    def repeat_penalty(self) -> float:
        return -2.0 / (self.n * self.n)

    @property
    def repeat_limit(self) -> int:
        return self.n * self.n // 2

    def aim(
        self, cx: jax.Array, cy: jax.Array, action: jax.Array
    ) -> tuple[jax.Array, jax.Array, jax.Array, jax.Array]:
        """One cursor step: `(fire, cx, cy, target)` — whether `action` fires, the cursor after
        it, and bool[N, N] the cell fired at (the cursor's before the move; none unless
        firing)."""
        fire = action == FIRE
        new_cx, new_cy = move(cx, cy, action, self.n)
        return fire, new_cx, new_cy, one_hot(cx, cy, self.n) & fire


def pick_below(word: jax.Array, count: jax.Array | int) -> jax.Array:
    """An int32 uniform in [0, count) from one random uint32 word (`word mod count`)."""
    return (word % jnp.asarray(count, jnp.uint32)).astype(jnp.int32)


def random_cell(words: jax.Array, n: int) -> tuple[jax.Array, jax.Array]:
    """A cursor `(cx, cy)` uniform over the whole board, from two random words.

    The reference draws each coordinate in {0..N-2}; the spec marks that [FIX] (optional) and
    the suite takes the fix.
    """
    return pick_below(words[0], n), pick_below(words[1], n)


def one_hot(cx: jax.Array, cy: jax.Array, n: int) -> jax.Array:
    """bool[N, N]: True only at the cursor cell `[cy, cx]`."""
    idx = jnp.arange(n, dtype=jnp.int32)
    return (idx[:, None] == cy) & (idx[None, :] == cx)


def _count_before(counts: jax.Array) -> jax.Array:
    """Exclusive prefix sum of a short vector, as an element-wise product with a static
    strictly-lower-triangular matrix (cheaper under `vmap` than `cumsum` at these sizes)."""
    k = counts.shape[-1]
    tri = jnp.tril(jnp.ones((k, k), jnp.int32), -1)  # tri[i, j] = j < i
    return (counts[None, :] * tri).sum(-1)


def nth_set_bit(words: jax.Array, k: jax.Array) -> tuple[jax.Array, jax.Array]:
    """(row, bit) of the `k`-th set bit (0-based) of `words` (uint32[R], one row of a board per
    word, bit i = column i), counting row by row, bits upwards: a board's k-th True cell in
    row-major order. Popcounts instead of per-cell ranks keep it to O(R + 32) operations."""
    counts = jax.lax.population_count(words).astype(jnp.int32)
    before = _count_before(counts)  # set bits in the rows above
    in_row = (before <= k) & (k < before + counts)  # one-hot when k < total
    word = jnp.sum(jnp.where(in_row, words, jnp.uint32(0)))
    k_in_row = jnp.sum(jnp.where(in_row, k - before, 0))
    bit = jnp.arange(32, dtype=jnp.uint32)
    below = jax.lax.population_count(word & ((jnp.uint32(1) << bit) - 1)).astype(jnp.int32)
    at = (((word >> bit) & 1) == 1) & (below == k_in_row)
    row = jnp.sum(jnp.where(in_row, jnp.arange(words.shape[0], dtype=jnp.int32), 0))
    return row, jnp.sum(jnp.where(at, bit.astype(jnp.int32), 0))


def rows_to_board(rows: jax.Array, n: int) -> jax.Array:
    """uint32[N] row words -> bool[N, N] (`[row, col]`, bit col of word row)."""
    return ((rows[:, None] >> jnp.arange(n, dtype=jnp.uint32)[None, :]) & 1) == 1


def random_subset(words: jax.Array, n: int, k: int) -> jax.Array:
    """bool[N, N] with exactly `k` True cells, every k-subset equally likely: k successive
    uniform picks among the cells still free (one random word each), on row bit-words."""
    full = jnp.uint32((1 << n) - 1)
    rows = jnp.zeros(n, jnp.uint32)
    idx = jnp.arange(n, dtype=jnp.int32)
    for i in range(k):  # static: one pick per cell chosen
        r, c = nth_set_bit(~rows & full, pick_below(words[i], n * n - i))
        rows = rows | jnp.where(idx == r, jnp.uint32(1) << c.astype(jnp.uint32), jnp.uint32(0))
    return rows_to_board(rows, n)


def neighbour_counts(mask: jax.Array) -> jax.Array:
    """int32[N, N]: the number of True cells in the 3x3 block around each cell (itself
    included), by summing the nine shifted copies of the zero-padded board."""
    n_rows, n_cols = mask.shape
    p = jnp.pad(mask.astype(jnp.int32), 1)
    total = jnp.zeros((n_rows, n_cols), jnp.int32)
    for dy in range(3):  # nine static shifts
        for dx in range(3):
            total = total + p[dy : dy + n_rows, dx : dx + n_cols]
    return total
