"""Breakout rules (docs/games/breakout.md): a ball on a 20 x 10 grid, six rows of bricks, a wide
paddle on the bottom row. Clearing every brick returns exactly the bricks' total value, 1; losing
the ball costs the value of what is left, so returns lie in [-1, 1]."""

from __future__ import annotations

import jax
import jax.numpy as jnp

from arcade_core.env import Environment
from arcade_core.observability import View
from arcade_core.struct import dataclass

from . import constants as C
from .draw import BreakoutRenderer


@dataclass
class BreakoutState:
    bricks: jax.Array  # bool[20, 10]
    ball_x: jax.Array  # column 0..9
    ball_y: jax.Array  # row 0..19
    direction: jax.Array  # 0 up-left, 1 up-right, 2 down-right, 3 down-left
    last_x: jax.Array  # ball position before the last move (the MDP's trail)
    last_y: jax.Array
    paddle: jax.Array  # leftmost paddle cell
    strike: jax.Array  # bool: a brick was hit on the previous step
    score: jax.Array  # bricks broken (with reward)
    time: jax.Array


@dataclass
class BreakoutParams:
    max_steps_in_episode: int = C.TIME_LIMIT


def _table(values: tuple[int, ...] | list[float], index: jax.Array) -> jax.Array:
    return jnp.asarray(values)[index]


class Breakout(Environment[BreakoutState, BreakoutParams]):
    """MinAtar-style Breakout with a paddle `paddle_width` cells wide (6 / 5 / 4).

    Actions: left (2) and right (3) move the paddle one cell; up, down and fire do nothing.
    The MDP shows bricks, paddle, ball and a trail dot at the ball's previous cell (its
    direction); the POMDP drops the trail and hides the ball while it moves down.

    Choices where the spec leaves one: the paddle starts at `min(5, 10 - w)` [FIX of the Easy
    start off the board]; a brick hit on the step right after another hit is removed without
    reward or bounce, as in the reference [KEEP]; `score` counts only rewarded bricks.
    """

    name = "Breakout"

    def __init__(
        self,
        *,
        paddle_width: int = 6,
        partial_obs: bool = False,
        obs_size: int = 128,
        final_observation: bool = False,
    ) -> None:
        super().__init__(
            partial_obs=partial_obs, obs_size=obs_size, final_observation=final_observation
        )
        self.paddle_width = int(paddle_width)
        self.renderer = BreakoutRenderer(self.obs_size, self.paddle_width)

    @property
    def default_params(self) -> BreakoutParams:
        return BreakoutParams()

    def init(self, key: jax.Array, params: BreakoutParams) -> BreakoutState:
        right = jax.random.bernoulli(key)
        x = jnp.where(right, C.COLS - 1, 0).astype(jnp.int32)
        y = jnp.int32(C.START_ROW)
        rows = jnp.arange(C.ROWS)[:, None]
        bricks = jnp.broadcast_to(
            (rows >= C.BRICK_ROWS[0]) & (rows < C.BRICK_ROWS[1]), (C.ROWS, C.COLS)
        )
        return BreakoutState(
            bricks=bricks,
            ball_x=x,
            ball_y=y,
            direction=right.astype(jnp.int32),
            last_x=x,
            last_y=y,
            paddle=jnp.int32(min(C.PADDLE_START, C.COLS - self.paddle_width)),
            strike=jnp.bool_(False),
            score=jnp.int32(0),
            time=jnp.int32(0),
        )

    def transition(
        self, key: jax.Array, state: BreakoutState, action: jax.Array, params: BreakoutParams
    ) -> tuple[BreakoutState, jax.Array, jax.Array]:
        w = self.paddle_width
        # 1. paddle
        move = jnp.where(action == 2, -1, jnp.where(action == 3, 1, 0))
        pos = jnp.clip(state.paddle + move, 0, C.COLS - w)
        # 2. tentative move
        bx, by, d = state.ball_x, state.ball_y, state.direction
        nx, ny = bx + _table(C.DX, d), by + _table(C.DY, d)
        # 3. side walls
        side = (nx < 0) | (nx > C.COLS - 1)
        nx = jnp.clip(nx, 0, C.COLS - 1)
        d = jnp.where(side, _table(C.FLIP_H, d), d)
        # 4. ceiling
        ceiling = ny < 0
        ny = jnp.maximum(ny, 0)
        d = jnp.where(ceiling, _table(C.FLIP_V, d), d)
        # 5. bricks (a one-hot compare over the grid: no per-env scatter)
        target = (jnp.arange(C.ROWS)[:, None] == ny) & (jnp.arange(C.COLS)[None, :] == nx)
        hit = ~ceiling & jnp.any(state.bricks & target)
        bricks = state.bricks & ~(target & hit)
        paid = hit & ~state.strike
        reward = jnp.where(paid, _table(C.ROW_VALUE, ny), 0.0).astype(jnp.float32)
        ny = jnp.where(paid, by, ny)
        d = jnp.where(paid, _table(C.FLIP_V, d), d)
        # 6. bottom: paddle under the ball's old column, else under its new column, else lost
        bottom = ~hit & (ny == C.ROWS - 1)
        under_old = (bx >= pos) & (bx < pos + w)
        under_new = (nx >= pos) & (nx < pos + w)
        bounce = bottom & under_old
        reverse = bottom & ~under_old & under_new
        lost = bottom & ~under_old & ~under_new
        d = jnp.where(bounce, _table(C.FLIP_V, d), jnp.where(reverse, _table(C.REVERSE, d), d))
        ny = jnp.where(bounce | reverse, by, ny)
        # 7.-8. termination; a lost ball costs what is left
        remaining = jnp.sum(bricks, dtype=jnp.int32)
        reward = reward - jnp.where(lost, remaining / C.NUM_BRICKS, 0.0).astype(jnp.float32)
        terminated = lost | (remaining == 0)
        new = state.replace(
            bricks=bricks,
            ball_x=nx,
            ball_y=ny,
            direction=d,
            last_x=bx,
            last_y=by,
            paddle=pos,
            strike=hit,
            score=state.score + paid.astype(jnp.int32),
        )
        return new, reward, terminated

    def draw(self, state: BreakoutState, params: BreakoutParams, view: View) -> jax.Array:
        return self.renderer(state, partial=view.partial)
