"""Skittles's plain renderer: the frame of docs/games/skittles.md (What you see, Drawing) as
code, one function per thing drawn. `make("SkittlesEasy", renderer="plain")` plays with it; it
gives the very frames of the tuned renderer in `draw.py` (the conformance kit checks them
pixel-equal).

The game area holds the 10 x 10 grid: cells of `cell` px, the first 2 px (`GAP`) in from the
area's top-left corner, one every `cell + GAP` px; the gaps stay black (no grid lines).
"""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp

from arcade_core.observability import View
from arcade_core.render import plain

from . import constants as C
from .game import dropout_mask


def draw(env: Any, state: Any, params: Any, view: View) -> jax.Array:
    """The frame of `state`: the falling blocks (in the POMDP only those on cells its dropout
    shows, all of them on the first frame), the player's white cell over them, the score."""
    S, L = env.obs_size, C.LAYOUT[env.obs_size]
    img = plain.frame(S, name="SKITTLES", background=C.BACKGROUND, name_colour=C.NAME,
                      area_side=L["area"], area_colour=C.BACKGROUND)  # fmt: skip
    o = plain.area_offset(S, L["area"])
    shown = state.grid
    if view.partial:
        shown = shown & (dropout_mask(state.mask_key, state.time) | view.shows(state))
    img = blocks(img, L, o, shown, state.colour_idx)
    img = player(img, L, o, state.x)
    return plain.score(img, state.score, C.SCORE, max_digits=len(str(C.TIME_LIMIT)))


def grid_cell(img: Any, L: dict, o: int) -> tuple[jax.Array, jax.Array, jax.Array]:
    """Per pixel: its grid column, its grid row, and whether it lies inside a cell (not in
    a gap, not off the grid)."""
    xs, ys = plain.coords(img)
    pitch = L["cell"] + C.GAP
    x, y = xs - (o + C.GAP), ys - (o + C.GAP)  # from the first cell's top-left
    col, row = x // pitch, y // pitch
    on_grid = (x >= 0) & (y >= 0) & (col < C.GRID) & (row < C.GRID)
    in_cell = on_grid & (x % pitch < L["cell"]) & (y % pitch < L["cell"])
    return jnp.clip(col, 0, C.GRID - 1), jnp.clip(row, 0, C.GRID - 1), in_cell


def blocks(img: Any, L: dict, o: int, shown: jax.Array, colour_idx: jax.Array) -> jax.Array:
    """Each shown block (`shown`: bool[row, col]) fills its cell in its row's rainbow colour."""
    col, row, in_cell = grid_cell(img, L, o)
    colour = jnp.asarray(C.RAINBOW, jnp.uint8)[colour_idx[row]]  # [H, W, 3]
    return jnp.where((in_cell & shown[row, col])[..., None], colour, img)


def player(img: Any, L: dict, o: int, x: jax.Array) -> jax.Array:
    """The player: a white cell in the bottom row, column `x`."""
    col, row, in_cell = grid_cell(img, L, o)
    return plain.paint(img, in_cell & (row == C.GRID - 1) & (col == x), C.AGENT)
