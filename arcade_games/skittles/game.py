"""Skittles rules (docs/games/skittles.md) with the suite's fix (docs/games/skittles.md §Differences
from POPGym Arcade): the POMDP's cell dropout comes from a per-episode key kept in the state, folded
with the time step, instead of from the time step alone (which made it the same in every env and
every episode)."""

from __future__ import annotations

import jax
import jax.numpy as jnp

from arcade_core.env import Environment
from arcade_core.observability import View
from arcade_core.struct import dataclass

from . import constants as C
from .draw import SkittlesRenderer


@dataclass
class SkittlesState:
    grid: jax.Array  # bool[10, 10] (the spec's M), grid[row, col]; row 9 is the agent's row
    colour_idx: jax.Array  # int32[10], rainbow colour of each row's enemy
    x: jax.Array  # agent column
    mask_key: jax.Array  # uint32[2], per-episode seed of the POMDP's cell dropout
    score: jax.Array  # steps taken (drawn at the top)
    time: jax.Array


@dataclass
class SkittlesParams:
    max_steps_in_episode: int = C.TIME_LIMIT


def dropout_mask(mask_key: jax.Array, time: jax.Array) -> jax.Array:
    """bool[10, 10]: which cells the POMDP shows at `time`, each independently with
    probability 1/2 — one random bit per cell, cell i = 10 row + col taking bit i mod 32 of
    word i // 32 of four threefry words drawn from the episode's key folded with the time
    step, so a frame is a pure function of the state."""
    cell = jnp.arange(C.GRID * C.GRID, dtype=jnp.uint32).reshape(C.GRID, C.GRID)
    return _bit(_dropout_words(mask_key, time), cell)


def _dropout_words(mask_key: jax.Array, time: jax.Array) -> jax.Array:
    """uint32[4]: the 128 random bits of the frame at `time` of the episode keyed `mask_key`."""
    key = jax.random.fold_in(jax.random.wrap_key_data(mask_key, impl="threefry2x32"), time)
    return jax.random.bits(key, (16,), jnp.uint32)[:4]  # drawing 16 compiles faster than 4


def _bit(words: jax.Array, index: jax.Array) -> jax.Array:
    """Bit `index` of the 128-bit string `words` (uint32[4]), element-wise, no gather."""
    word = words[0]
    for k in range(1, 4):
        word = jnp.where(index // 32 == k, words[k], word)
    return ((word >> (index % 32)) & 1) == 1


def enemy_shown(mask_key: jax.Array, time: jax.Array, grid: jax.Array) -> jax.Array:
    """bool[10]: whether each row's enemy (a row holds at most one) lies on a shown cell of
    `dropout_mask` — the same bits, read only where they matter."""
    col = jnp.argmax(grid, axis=1).astype(jnp.uint32)
    return _bit(_dropout_words(mask_key, time), jnp.arange(C.GRID, dtype=jnp.uint32) * C.GRID + col)


class Skittles(Environment[SkittlesState, SkittlesParams]):
    """Dodge blocks falling down a 10 x 10 grid by moving along the bottom row.

    Every step the agent moves (left/right, clamped to the usable columns; other actions stay),
    the grid shifts down one row and a new enemy appears in the top row in a uniform usable
    column. The agent dies if it moves onto an enemy in the bottom row or an enemy falls onto
    it. Each step, the fatal one included, pays 1/100, so returns lie in [0.1, 1]. The POMDP
    shows every cell's enemy independently with probability 1/2 per frame (all on the first
    frame); the agent is always shown.

    Real-time (`realtime=True`): the blocks fall every step whatever the agent does, so human
    play ticks without waiting for a key.

    Choices the spec left open: the dropout bits come from a threefry key drawn at reset and
    stored as raw `uint32[2]` data (so `jnp.where` can select states), folded with `time`;
    a cell's bit is bit (i mod 32) of word i // 32 of four random words, i = 10 row + col
    (`dropout_mask`). The state keeps the spec's M as a bool grid; as a row never holds two
    enemies, frames are drawn from one enemy column per row.
    """

    name = "Skittles"

    def __init__(
        self,
        *,
        columns: tuple[int, int] = C.COLUMNS["Easy"],
        partial_obs: bool = False,
        obs_size: int = 128,
        final_observation: bool = False,
    ) -> None:
        super().__init__(
            partial_obs=partial_obs, obs_size=obs_size, final_observation=final_observation
        )
        self.lo, self.hi = (int(c) for c in columns)
        self.renderer = SkittlesRenderer(self.obs_size)

    @property
    def default_params(self) -> SkittlesParams:
        return SkittlesParams(max_steps_in_episode=C.TIME_LIMIT)

    def _column(self, word: jax.Array) -> jax.Array:
        """A uniform usable column from a random uint32 (`mod` bias below 8 / 2^32)."""
        width = self.hi - self.lo + 1
        return (self.lo + word % jnp.uint32(width)).astype(jnp.int32)

    def init(self, key: jax.Array, params: SkittlesParams) -> SkittlesState:
        # one draw for the whole reset (a power-of-two count of words compiles fastest)
        words = jax.random.bits(key, (16,), jnp.uint32)
        x = self._column(words[0])
        zero = jnp.int32(0)
        return SkittlesState(
            grid=jnp.zeros((C.GRID, C.GRID), jnp.bool_),
            colour_idx=jnp.zeros((C.GRID,), jnp.int32),
            x=x,
            mask_key=words[1:3],
            score=zero,
            time=zero,
        )

    def transition(
        self, key: jax.Array, state: SkittlesState, action: jax.Array, params: SkittlesParams
    ) -> tuple[SkittlesState, jax.Array, jax.Array]:
        dx = jnp.where(action == 2, -1, jnp.where(action == 3, 1, 0))
        x = jnp.clip(state.x + dx, self.lo, self.hi).astype(jnp.int32)
        cols = jnp.arange(C.GRID)
        at_x = cols == x
        hit_side = jnp.any(state.grid[C.GRID - 1] & at_x)  # an enemy already beside/under us
        spawn = self._column(jax.random.bits(key, (), jnp.uint32))
        grid = jnp.concatenate([(cols == spawn)[None, :], state.grid[:-1]], axis=0)
        hit_fall = jnp.any(grid[C.GRID - 1] & at_x)  # the enemy that just fell onto us
        colour_idx = jnp.concatenate(
            [((state.colour_idx[0] + 1) % len(C.RAINBOW))[None], state.colour_idx[:-1]]
        )
        new = state.replace(grid=grid, colour_idx=colour_idx, x=x, score=state.score + 1)
        reward = jnp.float32(1.0 / C.TIME_LIMIT)
        return new, reward, hit_side | hit_fall

    def draw(self, state: SkittlesState, params: SkittlesParams, view: View) -> jax.Array:
        if not view.partial:
            return self.renderer(state)
        shown = enemy_shown(state.mask_key, state.time, state.grid) | view.shows(state)
        return self.renderer(state, shown)
