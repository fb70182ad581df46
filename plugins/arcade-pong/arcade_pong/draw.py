"""Pong frames: the court, net, name and frame baked once; each step fills full-width bands of
byte rows — the court's rows (both paddles and the ball, each a per-row column interval:
`span_mask`) and the score's rows (the core's game kit: `score_layer`) — joined to the
background by rows only. Nothing is scattered."""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp
from arcade_core.render import (
    FrameLayout,
    layered_windows,
    paint,
    row_span,
    score_layer,
    span_mask,
)

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
        full, o = C.COURT * c, layout.offset
        self.offset = o
        # the court's rows across the whole canvas: no column select when composing
        self.court = layout.window(-o, 0, obs_size - o, full)

    def cell_box(self, x: Any, y: Any, w: int, h: int) -> tuple[Any, Any, Any, Any]:
        """Canvas pixel box of a `w x h`-cell rectangle whose top-left cell is (x, y)."""
        c, o = self.cell, self.offset
        return o + x * c, o + y * c, o + (x + w) * c, o + (y + h) * c

    def _paddle(self, x: int, top: jax.Array) -> tuple[jax.Array, jax.Array]:
        """The column span of a paddle in column `x` (cells) whose top cell is `top`."""
        x0, y0, x1, y1 = self.cell_box(x, top, C.PADDLE_W, self.paddle)
        return row_span(self.court, (self.court.ys >= y0) & (self.court.ys < y1), x0, x1 - 1)

    def __call__(self, state: Any, ball_visible: Any = True) -> jax.Array:
        x0, y0, x1, y1 = self.cell_box(state.ball[0], state.ball[1], C.BALL, C.BALL)
        ys = self.court.ys
        rows = (ys >= y0) & (ys < y1)
        if ball_visible is not True:
            rows = rows & ball_visible
        court = self.layout.pixels(self.court)
        court = paint(
            court, span_mask(self.court, self._paddle(C.PLAYER_X, state.player)), C.PLAYER
        )
        court = paint(
            court, span_mask(self.court, row_span(self.court, rows, x0, x1 - 1)), C.BALL_COLOUR
        )
        court = paint(court, span_mask(self.court, self._paddle(C.AI_X, state.ai)), C.AI)
        score = layered_windows(
            self.layout, [score_layer(self.layout, jnp.minimum(state.points[0], 9))]
        )
        return self.layout.render({self.court: court, **score})
