"""MineSweeper frames (GAMES.md §3.7 Rendering): one window, the board, over a baked background
(canvas, name, black board with its grid).

Cell numbers are 5x5-font glyphs whose size and offset are fixed per (variant, size), so each
board pixel knows statically which glyph bit it shows for the cell it belongs to: a board pixel
is lit when bit `S[y, x]` of its cell's 25-bit glyph word is set (`S = 31`: never). A step
spreads the per-cell glyph words over the pixels by broadcasting and tests one bit per pixel —
no tile per digit, no gather per pixel. The MDP's 15-px glyph is wider than a cell at 128 px
Medium/Hard; where it reaches into a neighbour cell (128 Hard) that pixel also tests the
neighbour's glyph, read from a column-shifted copy of the words (white wins, as the reference's
per-pixel maximum over cells).
"""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from arcade_core.observability import View
from arcade_core.render import DIGITS, FrameLayout, pack
from arcade_games.gridcursor.board import GridMaps, shift_cols

from . import constants as C

NO_BIT = 31  # glyph words use bits 0..24
FONT = np.asarray(
    [sum(1 << i for i, b in enumerate(DIGITS[d].ravel()) if b) for d in range(10)], np.uint32
)


def glyph_bit_maps(grid: GridMaps, glyph_w: int) -> dict[int, np.ndarray]:
    """For each column offset d with any lit pixel, uint32[side, side]: the bit of the glyph of
    cell (own row, own column + d) that each board pixel shows (`NO_BIT` where none).

    Glyph of a cell with interior (x0, y0): font cells `glyph_w // 5` wide and `(c - 2) // 5`
    high, top-left at `(x0 + (c - glyph_w) // 2, y0 + 1)` (§2.4). Pixels on grid lines show no
    glyph (the grid is drawn after the numbers).
    """
    c, n = grid.cell, grid.n
    cw, ch = glyph_w // 5, (c - 2) // 5
    left = (c - glyph_w) // 2  # floor: negative when the glyph is wider than the cell
    assert 1 + 5 * ch <= c, "glyphs never reach a neighbouring row"
    loc_y, own = grid.local(), grid.owner()
    interior = grid.interior_index() >= 0
    frow = np.where(interior & (loc_y >= 1) & (loc_y < 1 + 5 * ch), (loc_y - 1) // max(ch, 1), -1)
    xs = np.arange(grid.side)
    maps = {}
    for d in (-1, 0, 1):
        j = own + d
        rel = xs - (np.asarray([grid.cell_origin(int(i)) for i in j]) + left)
        fcol = np.where(
            interior & (own >= 0) & (j >= 0) & (j < n) & (rel >= 0) & (rel < 5 * cw), rel // cw, -1
        )
        ok = (frow[:, None] >= 0) & (fcol[None, :] >= 0)
        bits = np.where(ok, frow[:, None] * 5 + fcol[None, :], NO_BIT).astype(np.uint32)
        if ok.any():
            maps[d] = bits
    return maps


class MineSweeperRenderer:
    """Draws a MineSweeper state at one observation size for an N x N board."""

    def __init__(self, obs_size: int, n: int) -> None:
        self.n = n
        side = C.AREA_SIDE[obs_size][n]
        self.grid = grid = GridMaps(n, C.cell_side(obs_size, n), C.GRID_GAP)
        assert grid.side == side, (grid.side, side)
        self.layout = layout = FrameLayout(
            obs_size,
            name="MINESWEEPER",
            background=C.BACKGROUND,
            name_colour=C.NAME,
            score_colour=C.SCORE,
            area_side=side,
            area_colour=C.AREA,
            max_score_digits=2,
        )
        layout.area[grid.line_mask()] = np.asarray(C.GRID, np.uint8)
        self.window = layout.window(0, 0, side, side)
        self.mdp_bits = glyph_bit_maps(grid, C.DIGIT_W["mdp"])
        self.pomdp_bits = glyph_bit_maps(grid, C.DIGIT_W["pomdp"])

    def _layers(self, state: Any, view: View) -> list[tuple[jax.Array, Any]]:
        """(glyph words [N, N], bit map [side, side]) pairs whose lit pixels are the numbers."""
        glyphs = jnp.take(jnp.asarray(FONT), jnp.clip(state.neighbours, 0, 9))
        shown = jnp.where(state.revealed, glyphs, jnp.uint32(0))
        shows_all = view.shows(state)
        if shows_all is True:
            return [(shift_cols(shown, d), bits) for d, bits in self.mdp_bits.items()]
        idx = jnp.arange(self.n)
        at_cursor = (idx[:, None] == state.cy) & (idx[None, :] == state.cx)
        mine_only = jnp.where(at_cursor, shown, jnp.uint32(0))
        layers = []
        none = np.full((self.grid.side,) * 2, NO_BIT, np.uint32)
        for d in sorted(set(self.mdp_bits) | set(self.pomdp_bits)):
            words = jnp.where(shows_all, shift_cols(shown, d), shift_cols(mine_only, d))
            bits = jnp.where(
                shows_all,
                jnp.asarray(self.mdp_bits.get(d, none)),
                jnp.asarray(self.pomdp_bits.get(d, none)),
            )
            layers.append((words, bits))
        return layers

    def __call__(self, state: Any, view: View) -> jax.Array:
        lit = None
        for words, bits in self._layers(state, view):
            on = ((self.grid.spread(words) >> bits) & 1) == 1
            lit = on if lit is None else lit | on
        on_cursor = self.grid.cursor_mask(state.cx, state.cy)
        pixels = jnp.where(on_cursor, jnp.uint32(pack(C.CURSOR)), self.layout.pixels(self.window))
        pixels = jnp.where(lit, jnp.uint32(pack(C.NUMBER)), pixels)
        return self.layout.render({self.window: pixels}, score=state.score)
