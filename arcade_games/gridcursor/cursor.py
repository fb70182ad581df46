"""Cursor rules shared by BattleShip and MineSweeper (GAMES.md §1.3, §3.4, §3.7).

Boards are `[N, N]` arrays indexed `[row, col]` = `[cy, cx]` (screen order), so a board is
drawn without a transpose. Everything is element-wise over the N x N cells: no gathers, no
scatters, no Python loops over cells.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp

UP, DOWN, LEFT, RIGHT, FIRE = 0, 1, 2, 3, 4


def move(cx: jax.Array, cy: jax.Array, action: jax.Array, n: int) -> tuple[jax.Array, jax.Array]:
    """The cursor after `action`: up = cy-1, down = cy+1, left = cx-1, right = cx+1, clamped
    to the board (a blocked move is a no-op); fire leaves it where it is."""
    dx = jnp.where(action == LEFT, -1, jnp.where(action == RIGHT, 1, 0))
    dy = jnp.where(action == UP, -1, jnp.where(action == DOWN, 1, 0))
    return jnp.clip(cx + dx, 0, n - 1).astype(jnp.int32), jnp.clip(cy + dy, 0, n - 1).astype(
        jnp.int32
    )


def random_cell(key: jax.Array, n: int) -> tuple[jax.Array, jax.Array]:
    """A cursor uniform over the whole board: `(cx, cy)`, drawn from independent keys.

    The reference draws each coordinate in {0..N-2}; the spec marks that [FIX] (optional) and
    the suite takes the fix.
    """
    kx, ky = jax.random.split(key)
    return (
        jax.random.randint(kx, (), 0, n, dtype=jnp.int32),
        jax.random.randint(ky, (), 0, n, dtype=jnp.int32),
    )


def one_hot(cx: jax.Array, cy: jax.Array, n: int) -> jax.Array:
    """bool[N, N]: True only at the cursor cell `[cy, cx]`."""
    idx = jnp.arange(n, dtype=jnp.int32)
    return (idx[:, None] == cy) & (idx[None, :] == cx)


def uniform_subset(key: jax.Array, n_cells: int, k: int) -> jax.Array:
    """bool[n_cells] with exactly `k` True, every k-subset equally likely.

    Ranks i.i.d. uniforms by pairwise comparison (ties broken by index), which is element-wise
    (n_cells² compares) and so cheap under `vmap`, unlike a sort or a scatter.
    """
    u = jax.random.uniform(key, (n_cells,))
    idx = jnp.arange(n_cells)
    before = (u[None, :] < u[:, None]) | (
        (u[None, :] == u[:, None]) & (idx[None, :] < idx[:, None])
    )
    return before.sum(axis=1) < k


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
