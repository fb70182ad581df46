"""Pong frames: the court, net, name and frame baked once; each step fills three static
windows — the player's paddle column, the ball's court, the AI's paddle column — element-wise
from the state (a row test for a paddle, a box test for the ball). Nothing is scattered."""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp
from arcade_core.render import FrameLayout, paint, rect_mask

from . import constants as C


class PongRenderer:
    """Draws a Pong state at one observation size."""

    def __init__(self, obs_size: int, paddle: int) -> None:
        self.cell = c = C.CELL[obs_size]
        self.paddle = paddle
        self.layout = layout = FrameLayout(
            obs_size,
            name="PONG",
            background=C.BACKGROUND,
            name_colour=C.NAME,
            score_colour=C.SCORE,
            area_side=C.COURT * c,
            area_colour=C.COURT_COLOUR,
            max_score_digits=1,
        )
        # the net: a dashed line down the middle, drawn once
        net_w, mid = max(c // 2, 1), C.COURT * c // 2
        for y in range(0, C.COURT * c, 4 * c):
            layout.area[y : y + 2 * c, mid - net_w // 2 : mid - net_w // 2 + net_w] = C.NET
        full = C.COURT * c
        self.left = layout.window(C.PLAYER_X * c, 0, (C.PLAYER_X + C.PADDLE_W) * c, full)
        self.court = layout.window(C.LEFT * c, 0, C.AI_X * c, full)
        self.right = layout.window(C.AI_X * c, 0, (C.AI_X + C.PADDLE_W) * c, full)
        self.offset = layout.offset

    def cell_box(self, x: Any, y: Any, w: int, h: int) -> tuple[Any, Any, Any, Any]:
        """Canvas pixel box of a `w x h`-cell rectangle whose top-left cell is (x, y)."""
        c, o = self.cell, self.offset
        return o + x * c, o + y * c, o + (x + w) * c, o + (y + h) * c

    def _paddle(self, win: Any, top: jax.Array, colour: tuple[int, int, int]) -> jax.Array:
        _, y0, _, y1 = self.cell_box(0, top, 0, self.paddle)
        rows = (win.ys >= y0) & (win.ys < y1)  # the paddle fills its column: a row test
        return paint(self.layout.pixels(win), rows, colour)

    def __call__(self, state: Any, ball_visible: Any = True) -> jax.Array:
        x0, y0, x1, y1 = self.cell_box(state.ball[0], state.ball[1], C.BALL, C.BALL)
        ball = rect_mask(self.court, x0, y0, x1, y1)
        if ball_visible is not True:
            ball = ball & ball_visible
        windows = {
            self.left: self._paddle(self.left, state.player, C.PLAYER),
            self.court: paint(self.layout.pixels(self.court), ball, C.BALL_COLOUR),
            self.right: self._paddle(self.right, state.ai, C.AI),
        }
        return self.layout.render(windows, score=jnp.minimum(state.points[0], 9))
