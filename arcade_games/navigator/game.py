"""Navigator rules (docs/games/navigator.md) with the suite's fixes (its §Differences from POPGym
Arcade): the treasure is uniform over the cells without TNT, the agent starts uniformly on a cell
holding neither, and the truncating step pays its normal reward."""

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
    # 100 once the treasure is dug; drawn at the top, but the winning state is replaced by the
    # reset, so the score shown is always 0 ([KEEP], harmless)
    score: jax.Array
    time: jax.Array


@dataclass
class NavigatorParams:
    max_steps_in_episode: int = 64


def sample_cells(words: jax.Array, num_cells: int, m: int) -> jax.Array:
    """int32[m]: a uniformly random m-subset of `range(num_cells)` from m random uint32 words.

    Floyd's algorithm: for j = num_cells - m .. num_cells - 1 draw t uniform in [0, j] and
    take t, or j if t was taken already. Only scalar compares against earlier picks — no sort,
    no scatter, no cumulative sum — so it compiles in no time and stays cheap under `vmap`
    (the base resets an env on every step). `word mod (j + 1)` has a bias below j / 2^32."""
    picks: list[jax.Array] = []
    for i, j in enumerate(range(num_cells - m, num_cells)):
        t = (words[i] % jnp.uint32(j + 1)).astype(jnp.int32)
        taken = jnp.bool_(False)
        for p in picks:
            taken = taken | (p == t)
        picks.append(jnp.where(taken, jnp.int32(j), t))
    return jnp.stack(picks)


class Navigator(Environment[NavigatorState, NavigatorParams]):
    """Walk an N x N grid to a hidden treasure while avoiding 7 TNT cells, then dig it up.

    Actions: up/down/left/right move the agent (clamped at the edge; a blocked move still costs
    a step), fire digs. Stepping on TNT ends the episode with -0.5; digging on the treasure ends
    it with +1; every other step costs 0.5/N^2, so returns lie in [-1, 1]. The POMDP shows the
    board only on the first frame of an episode, then only the grid and the agent.

    Turn-based (`realtime=False`): nothing on the board moves unless the agent acts, so human
    play waits for a key.

    Choices the spec left open: the board is stored row-major (`board[row, col]`; the
    reference stores it transposed); the reset draws a uniform set of 9 distinct cells
    (Floyd's algorithm), makes a uniform one of them the treasure, a uniform other one the
    agent's start and the remaining 7 TNT — the same distribution as the spec's sequential
    picks (7 TNT, then the treasure, then the agent, each uniform among the free cells).
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
        m = C.NUM_TNT + 2  # TNT cells, the treasure and the agent's cell, all distinct
        # all of a reset's randomness in one draw: a power-of-two count of words compiles
        # several times faster than odd counts or one `randint` per pick on XLA:CPU
        words = jax.random.bits(key, (16,), jnp.uint32)
        cells = sample_cells(words, n * n, m)
        # roles within the uniform subset: a uniform treasure, a uniform agent among the rest
        slot = jnp.arange(m, dtype=jnp.uint32)
        treasure = words[m] % jnp.uint32(m)
        agent = words[m + 1] % jnp.uint32(m - 1)
        agent = agent + (agent >= treasure).astype(jnp.uint32)
        role = jnp.where(slot == treasure, C.TREASURE, jnp.where(slot == agent, C.EMPTY, C.TNT))
        flat = jnp.arange(n * n, dtype=jnp.int32).reshape(n, n)
        board = jnp.zeros((n, n), jnp.int32)
        for i in range(m):  # m selects over the board: vectorizes, unlike a scatter
            board = jnp.where(flat == cells[i], role[i], board)
        idx = jnp.sum(jnp.where(slot == agent, cells, 0)).astype(jnp.int32)
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
        here = state.board[ay, ax]  # one element per env: a cheap gather
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
