"""Navigator rules (GAMES.md §3.6) with the suite's fixes: the treasure is uniform over the
cells without TNT (quirk 15), the agent starts uniformly on a cell holding neither (quirk 16),
and the truncating step pays its normal reward (quirk 17)."""

from __future__ import annotations

import jax
import jax.numpy as jnp

from arcade_core.env import Environment
from arcade_core.observability import View
from arcade_core.struct import dataclass

from . import constants as C
from .draw import NavigatorRenderer


@dataclass
class NavigatorState:
    board: jax.Array  # int32[N, N], board[row, col]: 0 empty, 1 TNT, 2 treasure
    ax: jax.Array  # agent column
    ay: jax.Array  # agent row
    score: (
        jax.Array
    )  # 100 once the treasure is dug (drawn at the top; the spec keeps it always 0 on screen)
    time: jax.Array


@dataclass
class NavigatorParams:
    max_steps_in_episode: int = 64


def pick_cell(key: jax.Array, free: jax.Array) -> jax.Array:
    """One-hot (bool, same shape as `free`) of a cell drawn uniformly among the `free` ones.

    A uniform rank among the free cells, found with a cumulative count: no sort, no scatter,
    so it stays cheap under `vmap` (the base resets an env on every step)."""
    flat = free.reshape(-1)
    count = jnp.cumsum(flat.astype(jnp.int32))
    r = jax.random.randint(key, (), 0, count[-1])
    return (flat & (count == r + 1)).reshape(free.shape)


class Navigator(Environment[NavigatorState, NavigatorParams]):
    """Walk an N x N grid to a hidden treasure while avoiding 7 TNT cells, then dig it up.

    Actions: up/down/left/right move the agent (clamped at the edge; a blocked move still costs
    a step), fire digs. Stepping on TNT ends the episode with -0.5; digging on the treasure ends
    it with +1; every other step costs 0.5/N^2, so returns lie in [-1, 1]. The POMDP shows the
    board only on the first frame of an episode, then only the grid and the agent.

    Turn-based (`realtime=False`): nothing on the board moves unless the agent acts, so human
    play waits for a key.

    Choices the spec left open: the board is stored row-major (`board[row, col]`); the reset
    draws 7 TNT cells, then the treasure, then the agent, each uniformly among the cells still
    free (sequential picks without replacement, distribution as the spec's reset).
    """

    name = "Navigator"

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
        self.board_size = n = int(board_size)
        self.time_limit = n * n
        self.step_penalty = C.STEP_PENALTY_TOTAL / (n * n)
        self.renderer = NavigatorRenderer(self.obs_size, n)

    @property
    def default_params(self) -> NavigatorParams:
        return NavigatorParams(max_steps_in_episode=self.time_limit)

    def init(self, key: jax.Array, params: NavigatorParams) -> NavigatorState:
        n = self.board_size
        keys = jax.random.split(key, C.NUM_TNT + 2)
        free = jnp.ones((n, n), jnp.bool_)
        board = jnp.zeros((n, n), jnp.int32)
        for k in range(C.NUM_TNT):
            hit = pick_cell(keys[k], free)
            board = jnp.where(hit, C.TNT, board)
            free = free & ~hit
        treasure = pick_cell(keys[C.NUM_TNT], free)
        board = jnp.where(treasure, C.TREASURE, board)
        agent = pick_cell(keys[C.NUM_TNT + 1], free & ~treasure)
        idx = jnp.argmax(agent.reshape(-1)).astype(jnp.int32)
        zero = jnp.int32(0)
        return NavigatorState(board, idx % n, idx // n, zero, zero)

    def transition(
        self, key: jax.Array, state: NavigatorState, action: jax.Array, params: NavigatorParams
    ) -> tuple[NavigatorState, jax.Array, jax.Array]:
        n = self.board_size
        dx = jnp.where(action == 2, -1, jnp.where(action == 3, 1, 0))
        dy = jnp.where(action == 0, -1, jnp.where(action == 1, 1, 0))
        ax = jnp.clip(state.ax + dx, 0, n - 1).astype(jnp.int32)
        ay = jnp.clip(state.ay + dy, 0, n - 1).astype(jnp.int32)
        rows = jnp.arange(n)[:, None]
        cols = jnp.arange(n)[None, :]
        here = jnp.sum(jnp.where((rows == ay) & (cols == ax), state.board, 0))  # board[ay, ax]
        dig = action == 4
        on_tnt = ~dig & (here == C.TNT)
        found = dig & (here == C.TREASURE)
        reward = jnp.where(
            on_tnt, C.TNT_REWARD, jnp.where(found, C.TREASURE_REWARD, -self.step_penalty)
        ).astype(jnp.float32)
        score = state.score + jnp.where(found, C.WIN_SCORE, 0)
        new = state.replace(ax=ax, ay=ay, score=score.astype(jnp.int32))
        return new, reward, on_tnt | found

    def draw(self, state: NavigatorState, params: NavigatorParams, view: View) -> jax.Array:
        return self.renderer(state, visible=view.shows(state))
