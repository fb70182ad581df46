"""Skittles rules (GAMES.md §3.8) with the suite's fix of quirk 20: the POMDP's cell dropout
comes from a per-episode key kept in the state, folded with the time step, instead of from the
time step alone (which made it the same in every env and every episode)."""

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
    probability 1/2 — one random bit per cell (128 bits from 4 threefry words), from the
    episode's key folded with the time step, so a frame is a pure function of the state."""
    key = jax.random.fold_in(jax.random.wrap_key_data(mask_key, impl="threefry2x32"), time)
    words = jax.random.bits(key, (4,), jnp.uint32)
    cell = jnp.arange(C.GRID * C.GRID, dtype=jnp.uint32)
    word = jnp.zeros_like(cell)
    for k in range(1, 4):
        word = jnp.where(cell // 32 == k, words[k], word)
    word = jnp.where(cell // 32 == 0, words[0], word)
    return (((word >> (cell % 32)) & 1) == 1).reshape(C.GRID, C.GRID)


class Skittles(Environment[SkittlesState, SkittlesParams]):
    """Dodge blocks falling down a 10 x 10 grid by moving along the bottom row.

    Every step the agent moves (left/right, clamped to the usable columns; other actions stay),
    the grid shifts down one row and a new enemy appears in the top row in a uniform usable
    column. The agent dies if an enemy is in its cell before or after the shift. Each step,
    the fatal one included, pays 1/100, so returns lie in [0.1, 1]. The POMDP shows every
    cell's enemy independently with probability 1/2 per frame (all on the first frame); the
    agent is always shown.

    Real-time (`realtime=True`): the blocks fall every step whatever the agent does, so human
    play ticks without waiting for a key.

    Choices the spec left open: the dropout bits come from a threefry key drawn at reset and
    stored as raw `uint32[2]` data (so `jnp.where` can select states), folded with `time`;
    a cell's bit is bit (i mod 32) of word i // 32 of four random words, i = 10 row + col.
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

    def init(self, key: jax.Array, params: SkittlesParams) -> SkittlesState:
        k_x, k_mask = jax.random.split(key)
        x = jax.random.randint(k_x, (), self.lo, self.hi + 1, jnp.int32)
        zero = jnp.int32(0)
        return SkittlesState(
            grid=jnp.zeros((C.GRID, C.GRID), jnp.bool_),
            colour_idx=jnp.zeros((C.GRID,), jnp.int32),
            x=x,
            mask_key=jax.random.bits(k_mask, (2,), jnp.uint32),
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
        spawn = jax.random.randint(key, (), self.lo, self.hi + 1, jnp.int32)
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
        shown = dropout_mask(state.mask_key, state.time) | view.shows(state)
        return self.renderer(state, shown)
