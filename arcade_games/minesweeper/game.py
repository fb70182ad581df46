"""MineSweeper rules (docs/games/minesweeper.md) with the suite's fixes: the repeat limit ends the
episode on the reveal that reaches it (returns stay >= -1), every action truncates when time reaches
2N², the cursor starts anywhere on the board, and the uniform `info` of docs/games/conventions.md
§Steps and info."""

from __future__ import annotations

import jax
import jax.numpy as jnp

from arcade_core.env import Environment
from arcade_core.observability import View
from arcade_core.render.cursor import (
    CursorBoard,
    neighbour_counts,
    random_cell,
    random_subset,
)
from arcade_core.struct import dataclass

from . import constants as C
from .draw import MineSweeperRenderer


@dataclass
class MineSweeperState:
    mines: jax.Array  # bool[N, N], [row, col]
    revealed: jax.Array  # bool[N, N], [row, col]
    neighbours: jax.Array  # int32[N, N]: mines in the 3x3 block around each cell, set at reset
    cx: jax.Array  # cursor column (screen x)
    cy: jax.Array  # cursor row (screen y)
    repeats: jax.Array  # reveals of an already revealed cell
    score: jax.Array  # safe cells revealed (drawn at the top)
    time: jax.Array


@dataclass
class MineSweeperParams:
    max_steps_in_episode: int = 32


class MineSweeper(Environment[MineSweeperState, MineSweeperParams]):
    """Reveal the N² - m safe cells of a minefield with a cursor (actions 0-3 move it, clamped;
    4 reveals the cursor cell). A new safe cell pays 1/(N² - m), revealing a revealed cell
    -2/N², a mine 0 and ends the episode (no first-click safety). Turn-based.

    MDP: every revealed cell shows its neighbour count, the cursor cell is highlighted. POMDP:
    the first frame as the MDP (nothing is revealed yet), then only the cursor and, if the
    cursor cell is revealed, its number.

    Choices the spec left open: the spec's `grid` (0 hidden, 1 mine, 2 revealed) is kept as two
    boolean boards, `mines` and `revealed`, `[row, col]`; the cursor starts uniform over the
    whole board ([FIX] optional); the episode ends on the reveal that brings `repeats` to N²/2
    ([FIX]) and truncates at time 2N² for every action ([FIX]), so returns lie in [-1, 1] (up to
    float32 rounding of the per-step rewards) and episodes last at most 2N² steps. As in the
    spec, a reveal opens one cell only (no flood fill of zero-count regions).
    """

    name = "MineSweeper"

    def __init__(
        self,
        *,
        board_size: int = 4,
        partial_obs: bool = False,
        obs_size: int = 128,
        final_observation: bool = False,
    ) -> None:
        super().__init__(
            partial_obs=partial_obs, obs_size=obs_size, final_observation=final_observation
        )
        self.board = board = CursorBoard.of(board_size, C.MINES)
        self.n = n = board.n
        self.num_mines = C.MINES[n]
        self.safe_cells = n * n - self.num_mines
        self.reveal_reward = 1.0 / self.safe_cells
        self.repeat_penalty = board.repeat_penalty
        self.repeat_limit = board.repeat_limit
        self.renderer = MineSweeperRenderer(self.obs_size, n)

    @property
    def default_params(self) -> MineSweeperParams:
        return MineSweeperParams(max_steps_in_episode=C.time_limit(self.n))

    def init(self, key: jax.Array, params: MineSweeperParams) -> MineSweeperState:
        n = self.n
        words = jax.random.bits(key, (self.num_mines + 2,), jnp.uint32)
        mines = random_subset(words[: self.num_mines], n, self.num_mines)
        cx, cy = random_cell(words[-2:], n)
        zero = jnp.int32(0)
        return MineSweeperState(
            mines=mines,
            revealed=jnp.zeros((n, n), bool),
            neighbours=neighbour_counts(mines),
            cx=cx,
            cy=cy,
            repeats=zero,
            score=zero,
            time=zero,
        )

    def transition(
        self, key: jax.Array, state: MineSweeperState, action: jax.Array, params: MineSweeperParams
    ) -> tuple[MineSweeperState, jax.Array, jax.Array]:
        fire, cx, cy, target = self.board.aim(state.cx, state.cy, action)
        mine = jnp.any(state.mines & target)
        repeat = jnp.any(state.revealed & target)
        fresh = fire & ~mine & ~repeat
        revealed = state.revealed | target
        reward = jnp.where(
            repeat,
            jnp.float32(self.repeat_penalty),
            jnp.where(fresh, jnp.float32(self.reveal_reward), 0.0),
        )
        repeats = state.repeats + repeat.astype(jnp.int32)
        cleared = jnp.sum(revealed & ~state.mines) == self.safe_cells
        terminated = fire & (mine | cleared | (repeats >= self.repeat_limit))
        new = state.replace(
            revealed=revealed,
            cx=cx,
            cy=cy,
            repeats=repeats,
            score=state.score + fresh.astype(jnp.int32),
        )
        return new, reward, terminated

    def draw(self, state: MineSweeperState, params: MineSweeperParams, view: View) -> jax.Array:
        return self.renderer(state, view)
