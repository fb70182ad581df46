"""Tetris frames (GAMES.md §3.10 Rendering): two full-width windows over a baked background
(walls, game area, name) — the score's rows and the board's rows.

The board, the current piece, the full-row bars and the previews are drawn from cell kinds
(0 empty, k + 1 piece k) laid out by `Board` geometry (board cells of side k, preview cells of
side k//2), but not with `Board.pixels`: measured on XLA:CPU (64 envs), a window narrower than
the canvas is joined by column concatenation, several times dearer than full-width row bands,
and spreading a cell grid by broadcast + reshape runs as per-element index arithmetic. So, as
in Navigator's row-coded board, each board row is one word (3 bits per cell, bit 30 = full
row) and each pixel row of the preview column one word (3 bits per preview cell), both
computed once (reductions, so XLA materialises them); a pixel finds its kind with a static
shift, and its colour with a select chain, a static cell-border mask and the background.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np

from arcade_core.render import Board, FrameLayout, Window, number_mask, pack, paint
from arcade_core.render.frame import DIGIT_W, SCORE_BOX

from . import constants as C

BITS = 3  # bits per cell kind (0..7)
BAR_BIT = 30  # a board row's word: bit 30 set when the row is full
OFF = 31  # shift of a pixel that shows no cell (bit 31 of a word is never set)


def cell_tiles(side: int, border: bool) -> np.ndarray:
    """uint8[8, side, side, 3]: empty (black) and the 7 piece colours, with a 1-px white
    border if `border` — the cells as GAMES.md §3.10 draws them (used for `Board` geometry
    and by tests)."""
    tiles = np.zeros((C.NUM_PIECES + 1, side, side, 3), np.uint8)
    for k, colour in enumerate(C.PIECE_COLOUR, 1):
        tiles[k] = C.WHITE if border else colour
        inner = 1 if border else 0
        tiles[k, inner : side - inner, inner : side - inner] = colour
    return tiles


class TetrisRenderer:
    """Draws a Tetris state at one observation size."""

    def __init__(self, obs_size: int, preview: int, shapes: np.ndarray) -> None:
        L = C.LAYOUT[obs_size]
        k = self.k = L["cell"]
        half = k // 2
        self.layout = layout = FrameLayout(
            obs_size,
            name="TETRIS",
            background=C.BACKGROUND,
            name_colour=C.NAME,
            score_colour=C.SCORE,
            area_side=L["area"],
            area_colour=C.AREA,
            low_name=True,
            max_score_digits=2,
        )
        o, S = layout.offset, obs_size
        area = layout.area
        area[:, 5 * k - 1] = C.WHITE  # walls
        area[:, 15 * k] = C.WHITE
        board = Board(C.ROWS, C.COLS, k, 0, cell_tiles(k, True), C.WHITE, o + 5 * k, o)
        # previews: rotation 0 fills only rows 1..2 of the box, so each shows those two rows
        rot0 = (shapes[:, 0:1] >> np.arange(16, dtype=np.uint32)) & 1  # [7, 16]
        rot0 = rot0.reshape(C.NUM_PIECES, 4, 4).astype(bool)
        assert not rot0[:, [0, 3]].any(), "rotation 0 must fill only box rows 1..2"
        self.preview_cells = rot0[:, 1:3].reshape(C.NUM_PIECES, 8)  # [piece, row * 4 + col]
        previews = [
            Board(2, 4, half, 0, cell_tiles(half, half >= 4), C.WHITE, o + 16 * k,
                  o + 3 * k + 2 + 3 * k * j + half)
            for j in range(preview)
        ]  # fmt: skip
        self.window = Window(0, board.window.y0, S, board.window.y1)
        self.background = layout.pixels(self.window)  # freezes the background
        sw = layout.score_window
        self.score = Window(0, sw.y0, S, sw.y1)
        self.score_bg = layout.pixels(self.score)
        self.score_pad = ((0, 0), (sw.x0, S - sw.x1))

        # static per-pixel tables of the board window
        h, y0 = self.window.shape[0], self.window.y0
        xs, ys = np.arange(S), np.arange(y0, y0 + h)
        shift = np.full(S, OFF, np.uint32)
        bx = xs - board.window.x0
        on_board = (bx >= 0) & (bx < C.COLS * k)
        shift[on_board] = BITS * (bx[on_board] // k)
        px = xs - previews[0].window.x0 if previews else np.full(S, -1)
        in_column = (px >= 0) & (px < 4 * half)
        shift[in_column] = BITS * (px[in_column] // half)
        self.shift = shift[None, :]
        self.in_column = in_column[None, :]
        self.bar_cols = ((xs >= board.window.x0 - 2) & (xs < board.window.x1 + 2))[None, :]
        # each pixel row of the preview column: which (preview, box row) it shows, if any
        self.column_rows = np.full(h, -1, np.int32)
        for j, p in enumerate(previews):
            for r in range(2):
                a = p.window.y0 + r * half - y0
                self.column_rows[a : a + half] = 2 * j + r
        # 1-px white cell borders: board cells always, preview cells where they have one
        border = np.zeros((h, S), bool)
        edge_k = (np.arange(k) == 0) | (np.arange(k) == k - 1)
        border[:, on_board] = edge_k[(ys[:, None] - y0) % k] | edge_k[bx[on_board] % k][None, :]
        if half >= 4:
            edge_h = (np.arange(half) == 0) | (np.arange(half) == half - 1)
            cell = edge_h[:, None] | edge_h[px[in_column] % half][None, :]  # [half, 4 half]
            for p in previews:
                for r in range(2):
                    a = p.window.y0 + r * half - y0
                    border[a : a + half, in_column] = cell
        self.border = border

    def _preview_words(self, preview: jax.Array) -> jax.Array:
        """uint32[h, 1]: per pixel row of the board window, the kinds of the preview cells it
        shows (3 bits per cell), 0 between previews. A one-hot sum: materialised once."""
        cells = jnp.asarray(self.preview_cells)[preview]  # [P, 8] bool
        kinds = cells.astype(jnp.uint32) * (preview[:, None] + 1).astype(jnp.uint32)
        shifts = jnp.asarray(BITS * (np.arange(8) % 4), jnp.uint32)
        words = (kinds << shifts).reshape(-1, 2, 4).sum(axis=2, dtype=jnp.uint32).reshape(-1)
        onehot = jnp.asarray(self.column_rows)[:, None] == jnp.arange(words.shape[0])[None, :]
        return jnp.sum(jnp.where(onehot, words[None, :], 0), axis=1, dtype=jnp.uint32)[:, None]

    def __call__(
        self, kinds: jax.Array, full: jax.Array, preview: jax.Array, score: jax.Array
    ) -> jax.Array:
        """The frame: `kinds` (int[20, 10], 0..7) of the board cells, `full` (bool[20]) rows
        to bar, the `preview` piece types and the score."""
        k = self.k
        shifts = jnp.asarray(BITS * np.arange(C.COLS), jnp.uint32)
        rows = jnp.sum(kinds.astype(jnp.uint32) << shifts, axis=1, dtype=jnp.uint32)
        rows = rows | (full.astype(jnp.uint32) << BAR_BIT)
        per_row = jnp.broadcast_to(rows[:, None], (C.ROWS, k)).reshape(C.ROWS * k, 1)
        word = jnp.where(jnp.asarray(self.in_column), self._preview_words(preview), per_row)
        kind = (word >> jnp.asarray(self.shift)) & ((1 << BITS) - 1)
        colour = jnp.uint32(pack(C.PIECE_COLOUR[0]))
        for t in range(1, C.NUM_PIECES):
            colour = jnp.where(kind == t + 1, jnp.uint32(pack(C.PIECE_COLOUR[t])), colour)
        white = jnp.uint32(pack(C.WHITE))
        colour = jnp.where(jnp.asarray(self.border), white, colour)
        out = jnp.where(kind > 0, colour, jnp.asarray(self.background))
        bar = ((per_row >> BAR_BIT) == 1) & jnp.asarray(self.bar_cols)
        out = jnp.where(bar, white, out)
        L = self.layout
        digits = number_mask(
            score, SCORE_BOX[L.size], digit_w=DIGIT_W[L.size], max_digits=L.max_score_digits
        )
        score_px = paint(jnp.asarray(self.score_bg), jnp.pad(digits, self.score_pad), C.SCORE)
        return L.render({self.window: out, self.score: score_px})
