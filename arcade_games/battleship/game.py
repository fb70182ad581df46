"""BattleShip rules (GAMES.md §3.4) with the suite's fixes: the repeat limit ends the episode on
the fire that reaches it (returns stay >= -1), the cursor starts anywhere on the board, ship and
cursor placement use independent keys, and the uniform `info` of §1.7."""

from __future__ import annotations

import jax
import jax.numpy as jnp

from arcade_core.env import Environment
from arcade_core.observability import View
from arcade_core.struct import dataclass
from arcade_games.gridcursor.cursor import FIRE, move, one_hot, random_cell

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


def place_ships(key: jax.Array, n: int) -> jax.Array:
    """bool[N, N] with ships of lengths 2, 3, 3, 4 placed in that order, each uniform over the
    (orientation, row, column) triples where it fits on the board without overlapping the
    ships before it (touching allowed).

    A placement's cells are `[r, c + k]` (horizontal) or `[r + k, c]` (vertical), k < L; it is
    blocked when any of them is off the board or taken, found with L shifted copies of the
    board padded with "taken". The choice is a categorical draw over the 2·N² triples.
    """
    board = jnp.zeros((n, n), bool)
    rows = jnp.arange(n)[:, None]
    cols = jnp.arange(n)[None, :]
    for k_ship, length in zip(
        jax.random.split(key, len(C.SHIP_LENGTHS)), C.SHIP_LENGTHS, strict=True
    ):
        padded = jnp.pad(board, ((0, length), (0, length)), constant_values=True)
        blocked_h = jnp.zeros((n, n), bool)
        blocked_v = jnp.zeros((n, n), bool)
        for k in range(length):  # static, at most 4
            blocked_h = blocked_h | padded[:n, k : k + n]
            blocked_v = blocked_v | padded[k : k + n, :n]
        valid = jnp.stack([~blocked_h, ~blocked_v]).reshape(-1)
        pick = jax.random.categorical(k_ship, jnp.where(valid, 0.0, -jnp.inf))
        vertical, r, c = pick // (n * n), (pick // n) % n, pick % n
        along_h = (rows == r) & (cols >= c) & (cols < c + length)
        along_v = (cols == c) & (rows >= r) & (rows < r + length)
        board = board | jnp.where(vertical == 1, along_v, along_h)
    return board


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
        n = int(board_size)
        if n not in C.AREA_SIDE[self.obs_size]:
            raise ValueError(
                f"board_size must be one of {sorted(C.AREA_SIDE[self.obs_size])}, got {n}"
            )
        self.n = n
        self.hit_reward = 1.0 / C.SHIP_CELLS
        self.repeat_penalty = -2.0 / (n * n)
        self.repeat_limit = n * n // 2
        self.renderer = BattleShipRenderer(self.obs_size, n)

    @property
    def default_params(self) -> BattleShipParams:
        return BattleShipParams(max_steps_in_episode=C.time_limit(self.n))

    def init(self, key: jax.Array, params: BattleShipParams) -> BattleShipState:
        k_ships, k_cursor = jax.random.split(key)
        cx, cy = random_cell(k_cursor, self.n)
        zero = jnp.int32(0)
        return BattleShipState(
            ships=place_ships(k_ships, self.n),
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
        fire = action == FIRE
        cx, cy = move(state.cx, state.cy, action, self.n)
        target = one_hot(state.cx, state.cy, self.n) & fire
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
