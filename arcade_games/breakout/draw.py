"""Breakout frames (GAMES.md §3.9 Rendering): one static window over the game area whose pixels
are computed element-wise from the state — bricks spread from the brick grid by broadcasting,
paddle, ball and trail as per-row x per-column cell compares against static in-cell shapes."""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from arcade_core.render import FrameLayout, pack

from . import constants as C


class BreakoutRenderer:
    """Draws a Breakout state at one observation size."""

    def __init__(self, obs_size: int, paddle_width: int) -> None:
        L = C.LAYOUT[obs_size]
        self.L = L
        self.paddle_width = paddle_width
        self.layout = layout = FrameLayout(
            obs_size,
            name="BREAKOUT",
            background=C.BACKGROUND,
            name_colour=C.NAME,
            score_colour=C.SCORE,
            area_side=L["area"],
            area_colour=C.AREA,
            max_score_digits=len(str(C.NUM_BRICKS)),
        )
        s, cw, ch = L["area"], L["cell_w"], L["cell_h"]
        self.area = layout.window(0, 0, s, s)
        ys, xs = np.arange(s), np.arange(s)
        self.row_of = (ys // ch).astype(np.int32)  # cell row of each pixel row
        self.col_of = (xs // cw).astype(np.int32)  # cell column of each pixel column
        # ball and trail discs, centred in their cell: a static in-cell shape per pixel
        dy = (ys % ch - ch // 2)[:, None]
        dx = (xs % cw - cw // 2)[None, :]
        self.ball_shape = dx * dx + dy * dy <= L["ball_r"] ** 2
        self.trail_shape = dx * dx + dy * dy <= L["trail_r"] ** 2
        row_colour = [pack(C.BRICK.get(r, C.AREA)) for r in range(C.ROWS)]
        self.brick_colour = np.asarray(row_colour, np.uint32)[self.row_of][:, None]

    def __call__(self, state: Any, partial: bool = False) -> jax.Array:
        return self.layout.render({self.area: self.pixels(state, partial)}, score=state.score)

    def pixels(self, state: Any, partial: bool) -> jax.Array:
        """The game area's packed pixels: bricks, then paddle, ball and (MDP) trail."""
        cw, ch, w = self.L["cell_w"], self.L["cell_h"], self.paddle_width
        R, Cc = C.ROWS, C.COLS
        rows, cols = jnp.asarray(self.row_of)[:, None], jnp.asarray(self.col_of)[None, :]
        spread = jnp.broadcast_to(state.bricks[:, None, :, None], (R, ch, Cc, cw))
        brick = spread.reshape(R * ch, Cc * cw)
        out = jnp.where(brick, jnp.asarray(self.brick_colour), jnp.uint32(pack(C.AREA)))
        paddle = (rows == R - 1) & (cols >= state.paddle) & (cols < state.paddle + w)
        out = jnp.where(paddle, jnp.uint32(pack(C.PADDLE)), out)
        ball = (rows == state.ball_y) & (cols == state.ball_x) & jnp.asarray(self.ball_shape)
        if partial:  # the POMDP sees the ball only while it moves up
            ball = ball & (state.direction < 2)
        out = jnp.where(ball, jnp.uint32(pack(C.BALL)), out)
        if not partial:
            trail = (rows == state.last_y) & (cols == state.last_x) & jnp.asarray(self.trail_shape)
            out = jnp.where(trail, jnp.uint32(pack(C.TRAIL)), out)
        return out
