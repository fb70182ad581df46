"""MineSweeper frames (docs/games/minesweeper.md §Drawing): one window, the board's rows across the
whole canvas (a full-width band of bytes), over a baked background (canvas, name, black board with
its grid).

Cell numbers are 5x5-font glyphs (25-bit words, bit `row * 5 + col`) whose size and offset are
fixed per (variant, size). So each pixel row of the board shows one font row of the glyphs of
one board row, and each pixel column one font column of one cell: a step packs, per (board
row, font row) and font column, the N <= 8 cells' bits into one byte, expands those bytes to
pixel rows, and a byte of the frame picks its column's byte by static selects and tests its
cell's bit (see `arcade_core.render.grid`; the per-column tables are spread over the
canvas's bytes). No tile per digit, no gather, no division, no 32-bit lane per pixel.

The MDP's glyph is 15 px wide, wider than a cell at 128 px Medium/Hard; at 128 Hard it reaches
1 px into each horizontal neighbour, where white wins (the reference's per-pixel maximum over
cells). So the MDP glyph of a cell is re-packed per *column class*: the cell's interior columns
grouped by which (neighbour offset, font column) glyph columns light them; the neighbours'
columns are OR-ed in on the N x N words, not per pixel.
"""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from arcade_core.observability import View
from arcade_core.render import (
    DIGITS,
    BoardFrame,
    GridMaps,
    colour_row,
    shift_cols,
)
from arcade_core.render.cursor import one_hot

from . import constants as C

FONT = np.asarray(
    [sum(1 << i for i, b in enumerate(DIGITS[d].ravel()) if b) for d in range(10)], np.uint32
)
Contribution = tuple[tuple[int, int], ...]  # ((neighbour offset d, font column), ...)


def glyph_columns(grid: GridMaps, glyph_w: int) -> list[Contribution]:
    """Per interior column of a cell: the glyph columns that light it, as (d, font column) for the
    glyph of the cell d columns away. Glyph of a cell with interior x0: font cells `glyph_w // 5` px
    wide from `x0 + (c - glyph_w) // 2` (docs/games/conventions.md §Drawing primitives; floor, so it
    may start left of the cell)."""
    c, pitch, cw = grid.cell, grid.pitch, glyph_w // 5
    left = (c - glyph_w) // 2
    cols = []
    for u in range(c):
        hits = []
        for d in (-1, 0, 1):
            rel = u - d * pitch - left
            if 0 <= rel < 5 * cw:
                hits.append((d, rel // cw))
        cols.append(tuple(hits))
    return cols


class GlyphLayout:
    """The static side of one glyph layout: the column classes of a cell, and per byte of a
    canvas row the class it reads and its cell's bit."""

    def __init__(self, grid: GridMaps, glyph_w: int, offset: int, width: int) -> None:
        """`offset`: the board's left edge on a canvas `width` columns wide."""
        self.grid = grid
        per_col = glyph_columns(grid, glyph_w)
        self.classes: list[Contribution] = sorted({h for h in per_col if h})
        self.k = len(self.classes)
        self.ch = (grid.cell - 2) // 5
        assert 1 + 5 * self.ch <= grid.cell, "glyphs never reach a neighbouring row"
        cls = np.asarray([self.classes.index(h) if h else -1 for h in per_col])
        idx, loc = grid.col_index(), grid.col_local()
        col_cls = np.where(idx >= 0, cls[np.clip(loc, 0, grid.cell - 1)], -1)
        if grid.n > 8:
            raise ValueError(f"a {grid.n}-cell row does not fit one byte per column class")
        # per byte of a full canvas row: the column class whose row byte it reads, and its
        # cell's bit in that byte (0 off the cells: never lit)
        cls_b = np.zeros(width, np.int32)
        cls_b[offset : offset + grid.side] = np.maximum(col_cls, 0)
        bit_b = np.zeros(width, np.uint8)
        bit_b[offset : offset + grid.side] = np.where(col_cls >= 0, 1 << np.maximum(idx, 0), 0)
        self.cls, self.bit = np.repeat(cls_b, 3)[None, :], np.repeat(bit_b, 3)[None, :]

    @property
    def own_cell_only(self) -> bool:
        return all(d == 0 for h in self.classes for d, _ in h)

    def class_words(self, glyphs: jax.Array) -> jax.Array:
        """Per-cell glyph words [N, N] -> per-cell class words (bit `row * K + class`)."""
        if self.classes == [((0, col),) for col in range(5)]:
            return glyphs  # the classes are the own glyph's five font columns
        out = jnp.zeros_like(glyphs)
        for k, hits in enumerate(self.classes):  # static: a handful of classes
            for d, col in hits:
                w = shift_cols(glyphs, d)
                for row in range(5):
                    out = out | (((w >> (row * 5 + col)) & 1) << (row * self.k + k))
        return out

    def lit(self, glyphs: jax.Array) -> jax.Array:
        """bool[side, 3 width]: the board bytes the glyphs light.

        Per pixel row, one byte per column class with bit i for cell i (a board row has at most
        8 cells); a byte picks its class's row byte by static selects and tests its cell's bit:
        uint8 work per byte, 32 bytes per vector instruction."""
        g, k, n = self.grid, self.k, self.grid.n
        words = self.class_words(glyphs)
        fr = jnp.arange(5, dtype=jnp.uint32)[None, :, None]
        slices = (words[:, None, :] >> (fr * k)) & ((1 << k) - 1)  # [N rows, 5 font rows, N cols]
        cls = jnp.arange(k, dtype=jnp.uint32)[:, None]
        cells = jnp.arange(n, dtype=jnp.uint32)
        per_class = ((slices[:, :, None, :] >> cls) & 1) << cells  # [N, 5, K, N]
        packed = jnp.sum(per_class, axis=-1, dtype=jnp.uint32).astype(jnp.uint8)  # [N, 5, K]
        rows = jnp.broadcast_to(packed[:, :, None, :], (n, 5, self.ch, k))
        rows = rows.reshape(n, 5 * self.ch, k)
        below = g.cell - 1 - 5 * self.ch
        in_cell = jnp.pad(rows, ((0, 0), (1, below), (0, 0)))  # a gap row above the glyph
        per_row = g.row_blocks(in_cell)  # [side, K]
        value = per_row[:, :1]
        for c in range(1, k):  # static: a handful of classes
            value = jnp.where(jnp.asarray(self.cls == c), per_row[:, c : c + 1], value)
        return (value & jnp.asarray(self.bit)) != 0


class MineSweeperRenderer(BoardFrame):
    """Draws a MineSweeper state at one observation size for an N x N board."""

    def __init__(self, obs_size: int, n: int) -> None:
        super().__init__(
            obs_size,
            n,
            area_side=C.AREA_SIDE[obs_size][n],
            grid_colour=C.GRID,
            gap=C.GRID_GAP,
            name="MINESWEEPER",
            background=C.BACKGROUND,
            name_colour=C.NAME,
            score_colour=C.SCORE,
            area_colour=C.AREA,
            max_score_digits=2,
        )
        o, S = self.layout.offset, obs_size
        self.mdp = GlyphLayout(self.grid, C.DIGIT_W["mdp"], o, S)
        self.pomdp = GlyphLayout(self.grid, C.DIGIT_W["pomdp"], o, S)
        assert self.pomdp.own_cell_only, "a POMDP number stays inside its cell"

    def glyphs(self, state: Any) -> jax.Array:
        """uint32[N, N]: each revealed cell's neighbour-count glyph, 0 for hidden cells."""
        words = jnp.take(jnp.asarray(FONT), jnp.clip(state.neighbours, 0, 9))
        return jnp.where(state.revealed, words, jnp.uint32(0))

    def __call__(self, state: Any, view: View) -> jax.Array:
        glyphs = self.glyphs(state)
        if view.partial:
            # Only the cursor cell's number, in the narrower number layout. The POMDP's first
            # frame is the MDP's by definition (t = 0 reveal); it is this very frame, as
            # nothing is revealed at t = 0.
            at = one_hot(state.cx, state.cy, self.n)
            lit = self.pomdp.lit(jnp.where(at, glyphs, jnp.uint32(0)))
        else:
            lit = self.mdp.lit(glyphs)
        base = self.base(self.on_cursor(state.cx, state.cy), C.CURSOR)
        number = jnp.asarray(colour_row(C.NUMBER, self.layout.size))
        return self.render(jnp.where(lit, number, base), state.score)
