"""Pong rules: one paddle against a simple AI, first to `points` wins.

Positions are integer cells on a `COURT x COURT` court (see `constants`), so the rules are
exact and a frame is a pure function of the state. Each step, in order:

1. the player's paddle moves (up 0, down 1; the other actions hold it);
2. the AI's paddle moves up to `ai_speed` cells toward the ball while the ball comes at it on
   the AI's half of the court, back toward the middle otherwise;
3. the ball moves by its velocity and reflects off the top and bottom walls;
4. a ball reaching a paddle's face is returned if the paddle covers it — the further from the
   paddle's centre it hits, the steeper it leaves (up to `max_vy`) — and is otherwise a point
   for the other side, after which the ball is served again from the middle.

A point pays `+1/points` to the player or costs `1/points`; the game ends when a side has
`points`, so every return lies in [-1, 1].
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
from arcade_core.env import Environment
from arcade_core.observability import View
from arcade_core.struct import dataclass

from . import constants as C
from .draw import PongRenderer


@dataclass
class PongState:
    ball: jax.Array  # int32[2]: the ball's top-left cell (x, y)
    vel: jax.Array  # int32[2]: cells per step (vx, vy)
    player: jax.Array  # int32: top cell of the player's paddle
    ai: jax.Array  # int32: top cell of the AI's paddle
    points: jax.Array  # int32[2]: (player, AI)
    flash: jax.Array  # bool: the ball bounced or was served this step (the POMDP shows it)
    time: jax.Array


@dataclass
class PongParams:
    max_steps_in_episode: int = 1000


class Pong(Environment[PongState, PongParams]):
    """One-player Pong against a simple AI. Up (0) and down (1) move your paddle (left), the
    other actions hold it. A point won pays +1/3, a point lost costs 1/3; first to 3 wins, so
    returns lie in [-1, 1]. The POMDP shows the ball only on every k-th frame (k = 3, 4, 6 for
    Easy, Medium, Hard) and on the frame of a bounce or a serve."""

    name = "Pong"

    def __init__(
        self,
        *,
        paddle: int = 10,
        ball_speed: int = 1,
        max_vy: int = 2,
        ai_speed: int = 1,
        flicker: int = 3,
        points: int = 3,
        max_steps: int = 1000,
        partial_obs: bool = False,
        obs_size: int = 128,
        final_observation: bool = False,
    ) -> None:
        super().__init__(
            partial_obs=partial_obs, obs_size=obs_size, final_observation=final_observation
        )
        self.paddle, self.ball_speed, self.max_vy = int(paddle), int(ball_speed), int(max_vy)
        self.ai_speed, self.flicker, self.points = int(ai_speed), int(flicker), int(points)
        self.max_steps = int(max_steps)
        self.renderer = PongRenderer(self.obs_size, self.paddle)

    @property
    def default_params(self) -> PongParams:
        return PongParams(max_steps_in_episode=self.max_steps)

    # ------------------------------------------------------------------ rules
    def serve(self, key: jax.Array) -> tuple[jax.Array, jax.Array]:
        """The ball in the middle column at a random height, heading a random way."""
        k_y, k_dir, k_vy = jax.random.split(key, 3)
        y = jax.random.randint(k_y, (), C.COURT // 4, 3 * C.COURT // 4 - C.BALL + 1)
        vx = jnp.where(jax.random.bernoulli(k_dir), self.ball_speed, -self.ball_speed)
        vy = jax.random.randint(k_vy, (), -1, 2)
        ball = jnp.stack([jnp.int32((C.LEFT + C.RIGHT) // 2), y]).astype(jnp.int32)
        return ball, jnp.stack([vx, vy]).astype(jnp.int32)

    def init(self, key: jax.Array, params: PongParams) -> PongState:
        ball, vel = self.serve(key)
        middle = jnp.int32((C.COURT - self.paddle) // 2)
        return PongState(
            ball, vel, middle, middle, jnp.zeros(2, jnp.int32), jnp.bool_(False), jnp.int32(0)
        )

    def move_player(self, player: jax.Array, action: jax.Array) -> jax.Array:
        dy = jnp.where(action == 0, -C.PLAYER_SPEED, jnp.where(action == 1, C.PLAYER_SPEED, 0))
        return jnp.clip(player + dy, 0, C.COURT - self.paddle)

    def move_ai(self, ai: jax.Array, ball: jax.Array, vel: jax.Array) -> jax.Array:
        """Toward the ball's centre while it comes at the AI on the AI's half of the court, back
        toward the middle otherwise."""
        chasing = (vel[0] > 0) & (ball[0] >= C.COURT // 2)
        target = jnp.where(chasing, ball[1] + C.BALL // 2, C.COURT // 2) - self.paddle // 2
        step = jnp.clip(target - ai, -self.ai_speed, self.ai_speed)
        return jnp.clip(ai + step, 0, C.COURT - self.paddle)

    def bounce_walls(self, y: jax.Array, vy: jax.Array) -> tuple[jax.Array, jax.Array, jax.Array]:
        """Reflect off the top and bottom walls: `(y, vy, bounced)`."""
        bottom = C.COURT - C.BALL
        top_hit, bottom_hit = y < 0, y > bottom
        y = jnp.where(top_hit, -y, jnp.where(bottom_hit, 2 * bottom - y, y))
        bounced = top_hit | bottom_hit
        return y, jnp.where(bounced, -vy, vy), bounced

    def covers(self, paddle_top: jax.Array, y: jax.Array) -> jax.Array:
        """Whether the paddle's rows meet the ball's rows."""
        return (y + C.BALL > paddle_top) & (y < paddle_top + self.paddle)

    def english(self, paddle_top: jax.Array, y: jax.Array) -> jax.Array:
        """The returned ball's vy: its centre's offset from the paddle's, scaled to max_vy."""
        offset2 = (2 * y + C.BALL) - (2 * paddle_top + self.paddle)  # in half cells, |.| <= paddle
        vy = jnp.round(offset2 * self.max_vy / self.paddle).astype(jnp.int32)
        return jnp.clip(vy, -self.max_vy, self.max_vy)

    def transition(
        self, key: jax.Array, state: PongState, action: jax.Array, params: PongParams
    ) -> tuple[PongState, jax.Array, jax.Array]:
        player = self.move_player(state.player, action)
        ai = self.move_ai(state.ai, state.ball, state.vel)
        x = state.ball[0] + state.vel[0]
        y, vy, wall = self.bounce_walls(state.ball[1] + state.vel[1], state.vel[1])
        vx = state.vel[0]
        at_left, at_right = x < C.LEFT, x > C.RIGHT
        player_hit = at_left & self.covers(player, y)
        ai_hit = at_right & self.covers(ai, y)
        x = jnp.where(player_hit, 2 * C.LEFT - x, jnp.where(ai_hit, 2 * C.RIGHT - x, x))
        vx = jnp.where(player_hit, self.ball_speed, jnp.where(ai_hit, -self.ball_speed, vx))
        vy = jnp.where(
            player_hit, self.english(player, y), jnp.where(ai_hit, self.english(ai, y), vy)
        )
        won, lost = at_right & ~ai_hit, at_left & ~player_hit
        scored = won | lost
        served_ball, served_vel = self.serve(key)
        ball = jnp.where(scored, served_ball, jnp.stack([x, y]))
        vel = jnp.where(scored, served_vel, jnp.stack([vx, vy]))
        points = state.points + jnp.stack([won, lost]).astype(jnp.int32)
        new = state.replace(
            ball=ball.astype(jnp.int32),
            vel=vel.astype(jnp.int32),
            player=player,
            ai=ai,
            points=points,
            flash=wall | player_hit | ai_hit | scored,
        )
        reward = (won.astype(jnp.float32) - lost.astype(jnp.float32)) / self.points
        return new, reward, jnp.max(points) >= self.points

    # ------------------------------------------------------------------ pixels
    def ball_visible(self, state: PongState, view: View) -> jax.Array | bool:
        """MDP: always. POMDP: every `flicker`-th frame (the first included) and on a flash."""
        if not view.partial:
            return True
        return (state.time % self.flicker == 0) | state.flash

    def draw(self, state: PongState, params: PongParams, view: View) -> jax.Array:
        return self.renderer(state, self.ball_visible(state, view))
