"""Breakout's plain renderer: the frame of docs/games/breakout.md (Rendering) as code, one
function per thing drawn. `make("BreakoutEasy", renderer="plain")` plays with it; it gives the
very frames of the tuned renderer in `draw.py` (the conformance kit checks them pixel-equal).

The board is 10 columns x 20 rows of cells filling the game area, a cell `cell_w` x `cell_h`
pixels; everything is drawn on the game area (cut at its edges).
"""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp

from arcade_core.observability import View
from arcade_core.render import plain

from . import constants as C


def draw(env: Any, state: Any, params: Any, view: View) -> jax.Array:
    """The frame of `state`: bricks, paddle, the ball (the POMDP shows it only while it moves
    up) and, in the MDP, the trail dot where the ball was before its last move; the score."""
    S, L = env.obs_size, C.LAYOUT[env.obs_size]
    img = plain.frame(S, name="BREAKOUT", background=C.BACKGROUND, name_colour=C.NAME,
                      area_side=L["area"], area_colour=C.AREA)  # fmt: skip
    o = plain.area_offset(S, L["area"])
    img = bricks(img, L, o, state.bricks)
    img = paddle(img, L, o, state.paddle, env.paddle_width)
    moving_up = state.direction < 2  # directions 0 and 1
    img = dot(
        img, L, o, state.ball_x, state.ball_y, L["ball_r"], C.BALL, moving_up | (not view.partial)
    )
    if not view.partial:
        img = dot(img, L, o, state.last_x, state.last_y, L["trail_r"], C.TRAIL, True)
    return plain.score(img, state.score, C.SCORE, max_digits=len(str(C.NUM_BRICKS)))


def cell_box(L: dict, o: int, col: Any, row: Any, width: Any = 1) -> tuple[Any, Any, Any, Any]:
    """The canvas box of `width` cells of board row `row` from column `col`."""
    cw, ch = L["cell_w"], L["cell_h"]
    return (o + col * cw, o + row * ch, o + (col + width) * cw, o + (row + 1) * ch)


def on_area(img: Any, L: dict, o: int) -> jax.Array:
    """The game area's pixels."""
    xs, ys = plain.coords(img)
    return plain.in_box(xs, ys, (o, o, o + L["area"], o + L["area"]))


def bricks(img: Any, L: dict, o: int, bricks: jax.Array) -> jax.Array:
    """Each brick left (rows 1..6) a filled cell in its row's colour."""
    xs, ys = plain.coords(img)
    for row, colour in C.BRICK.items():  # six rows
        col = (xs - o) // L["cell_w"]  # the board column of each pixel
        left = bricks[row, jnp.clip(col, 0, C.COLS - 1)]
        in_row = plain.in_box(xs, ys, cell_box(L, o, 0, row, C.COLS))
        img = plain.paint(img, in_row & left, colour)
    return img


def paddle(img: Any, L: dict, o: int, left: jax.Array, width: int) -> jax.Array:
    """The paddle: `width` cells of the bottom row from column `left`."""
    xs, ys = plain.coords(img)
    box = plain.in_box(xs, ys, cell_box(L, o, left, C.ROWS - 1, width))
    return plain.paint(img, box & on_area(img, L, o), C.PADDLE)


def dot(
    img: Any, L: dict, o: int, col: jax.Array, row: jax.Array, r: int, colour: Any, shown: Any
) -> jax.Array:
    """A disc of radius r (pixels within r of the centre) centred in cell (col, row)."""
    cx = o + col * L["cell_w"] + L["cell_w"] // 2
    cy = o + row * L["cell_h"] + L["cell_h"] // 2
    xs, ys = plain.coords(img)
    disc = (xs - cx) ** 2 + (ys - cy) ** 2 <= r * r
    return plain.paint(img, disc & on_area(img, L, o) & shown, colour)
