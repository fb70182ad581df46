"""BattleShip rules (docs/games/battleship.md) with the suite's fixes: the repeat limit ends the
episode on the fire that reaches it (returns stay >= -1), the cursor starts anywhere on the board,
ship and cursor placement use independent random words, and the uniform `info` of
docs/games/conventions.md §Steps and info."""

from __future__ import annotations

import jax
import jax.numpy as jnp

from arcade_core.env import Environment
from arcade_core.observability import View
from arcade_core.render.cursor import (
    CursorBoard,
    nth_set_bit,
    pick_below,
    random_cell,
    rows_to_board,
)
from arcade_core.struct import dataclass

from . import constants as C
from .draw import BattleShipRenderer


@dataclass
class BattleShipState:
    ships: jax.Array  # bool[N, N], [row, col]: a ship covers the cell (never drawn)
    guesses: jax.Array  # bool[N, N], [row, col]: fired at
    cx: jax.Array  # cursor column (screen x)
    cy: jax.Array  # cursor row (screen y)
    hits: jax.Array  # ship cells hit, the score drawn at the top
    repeats: jax.Array  # fires at an already fired cell
    time: jax.Array


@dataclass
class BattleShipParams:
    max_steps_in_episode: int = 128


def place_ships(words: jax.Array, n: int) -> jax.Array:
    """bool[N, N] with ships of lengths 2, 3, 3, 4 placed in that order, each uniform over the
    (orientation, row, column) triples where it fits on the board without overlapping the
    ships before it (touching allowed); one random word per ship.

    The board is kept as one bit-word per row. A horizontal ship of length L fits at (r, c)
    when bits c..c+L-1 of row r are clear and c + L <= N; a vertical one when bit c is clear in
    rows r..r+L-1 (rows past the board count as full). The pick is the `word mod count`-th
    free triple, horizontal starts first, each in row-major order.
    """
    full = (1 << n) - 1
    rows = jnp.zeros(n, jnp.uint32)
    idx = jnp.arange(n, dtype=jnp.int32)
    for word, length in zip(words, C.SHIP_LENGTHS, strict=True):
        span_h = rows
        padded = jnp.concatenate([rows, jnp.full(length - 1, full, jnp.uint32)])
        span_v = rows
        for k in range(1, length):  # static, at most 4
            span_h = span_h | (rows >> k)
            span_v = span_v | padded[k : k + n]
        free_h = ~span_h & jnp.uint32((1 << (n - length + 1)) - 1)
        free_v = ~span_v & jnp.uint32(full)
        free = jnp.concatenate([free_h, free_v])
        count = jnp.sum(jax.lax.population_count(free).astype(jnp.int32))
        r, c = nth_set_bit(free, pick_below(word, count))
        vertical = r >= n
        r = jnp.where(vertical, r - n, r)
        c = c.astype(jnp.uint32)
        along_h = jnp.where(idx == r, jnp.uint32((1 << length) - 1) << c, jnp.uint32(0))
        along_v = jnp.where((idx >= r) & (idx < r + length), jnp.uint32(1) << c, jnp.uint32(0))
        rows = rows | jnp.where(vertical, along_v, along_h)
    return rows_to_board(rows, n)


class BattleShip(Environment[BattleShipState, BattleShipParams]):
    """Find and sink four hidden ships (lengths 2, 3, 3, 4) on an N x N board by moving a
    cursor (actions 0-3, clamped) and firing at it (4). A hit pays 1/12, a fire at a cell
    already fired at pays -2/N², a miss 0; all 12 ship cells hit ends the episode with return
    1. Turn-based.

    MDP: every fired cell shows X (hit) or O (miss), the cursor cell is highlighted. POMDP:
    the first frame as the MDP (nothing is fired yet), then only the cursor and the cursor
    cell's own mark. Ships are never drawn.

    Choices the spec left open: the cursor starts uniform over the whole board (the [FIX]
    optional of the reference's {0..N-2}); boards are stored `[row, col]`; the episode ends on
    the fire that brings `repeats` to N²/2 ([FIX]), so returns lie in [-1, 1] (up to float32
    rounding of the per-step rewards).
    """

    name = "BattleShip"

    def __init__(
        self,
        *,
        board_size: int = 8,
        partial_obs: bool = False,
        obs_size: int = 128,
        final_observation: bool = False,
    ) -> None:
        super().__init__(
            partial_obs=partial_obs, obs_size=obs_size, final_observation=final_observation
        )
        self.board = board = CursorBoard.of(board_size, C.AREA_SIDE[self.obs_size])
        self.n = board.n
        self.hit_reward = 1.0 / C.SHIP_CELLS
        self.repeat_penalty = board.repeat_penalty
        self.repeat_limit = board.repeat_limit
        self.renderer = BattleShipRenderer(self.obs_size, board.n)

    @property
    def default_params(self) -> BattleShipParams:
        return BattleShipParams(max_steps_in_episode=C.time_limit(self.n))

    def init(self, key: jax.Array, params: BattleShipParams) -> BattleShipState:
        words = jax.random.bits(key, (len(C.SHIP_LENGTHS) + 2,), jnp.uint32)
        cx, cy = random_cell(words[-2:], self.n)
        zero = jnp.int32(0)
        return BattleShipState(
            ships=place_ships(words[: len(C.SHIP_LENGTHS)], self.n),
            guesses=jnp.zeros((self.n, self.n), bool),
            cx=cx,
            cy=cy,
            hits=zero,
            repeats=zero,
            time=zero,
        )

    def transition(
        self, key: jax.Array, state: BattleShipState, action: jax.Array, params: BattleShipParams
    ) -> tuple[BattleShipState, jax.Array, jax.Array]:
        fire, cx, cy, target = self.board.aim(state.cx, state.cy, action)
        repeat = jnp.any(state.guesses & target)
        hit = jnp.any(state.ships & target) & ~repeat
        hits = state.hits + hit.astype(jnp.int32)
        repeats = state.repeats + repeat.astype(jnp.int32)
        reward = jnp.where(
            repeat,
            jnp.float32(self.repeat_penalty),
            jnp.where(hit, jnp.float32(self.hit_reward), 0.0),
        )
        terminated = fire & ((hits >= C.SHIP_CELLS) | (repeats >= self.repeat_limit))
        new = state.replace(
            guesses=state.guesses | target, cx=cx, cy=cy, hits=hits, repeats=repeats
        )
        return new, reward, terminated

    def draw(self, state: BattleShipState, params: BattleShipParams, view: View) -> jax.Array:
        return self.renderer(state, view)
