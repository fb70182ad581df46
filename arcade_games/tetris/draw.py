"""Tetris frames (docs/games/tetris.md §Drawing): two full-width row bands of bytes over a baked
background (walls, game area, name) — the score's rows and the board's rows.

The board, the current piece, the full-row bars and the previews are drawn from cell kinds
(0 empty, k + 1 piece k) laid out by `Board` geometry (board cells of side k, preview cells of
side k//2), but not with `Board.pixels`: full-width bands are joined by rows only, and
spreading a cell grid by broadcast + reshape runs as per-element index arithmetic. So, as in
Navigator's row-coded board, the kinds are 3 bit planes: per plane, each board row is two
uint8 words (columns 0-7, 8-9) and each pixel row of the preview column one (its 4 cells),
computed on rows (reductions, so XLA materialises them) and spread over pixel rows by a 1-D
broadcast; columns 8-9 and the preview share a word per pixel row (bits 0-1, 2-5), so a byte
tests its column's bit in one of two words with static masks (uint8 AND and OR: a per-byte
uint32 shift measured ~3x slower), and the planes pick its colour by a select tree over the
background and static colour rows, then a static cell-border mask and the full-row bars.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np

from arcade_core.render import (
    Board,
    FrameLayout,
    Window,
    colour_row,
    layered_windows,
    paint,
    score_layer,
)

from . import constants as C

BITS = 3  # bits per cell kind (0..7): one bit plane each


def cell_tiles(side: int, border: bool) -> np.ndarray:
    """uint8[8, side, side, 3]: empty (black) and the 7 piece colours, with a 1-px white border if
    `border` — the cells as docs/games/tetris.md §Drawing draws them (used for `Board` geometry and
    by tests)."""
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
        self.window = Window(0, board.window.y0, S, board.window.y1, S)
        self.background = layout.pixels(self.window)  # freezes the background

        # static per-byte tables of the board window: each byte's bit in the uint8 words of
        # board columns 0-7, board columns 8-9 and preview columns 0-3 (0 where it has none)
        h, y0 = self.window.shape[0], self.window.y0
        xs, ys = np.arange(S), np.arange(y0, y0 + h)
        bx = xs - board.window.x0
        on_board = (bx >= 0) & (bx < C.COLS * k)
        px = xs - previews[0].window.x0 if previews else np.full(S, -1)
        in_column = (px >= 0) & (px < 4 * half)
        bcol = np.repeat(np.where(on_board, bx // k, -1), 3)
        pcol = np.repeat(np.where(in_column, px // half, -1), 3)
        # two words per plane and pixel row: board columns 0-7; board columns 8-9 (bits 0-1)
        # with the preview column's 4 cells (bits 2-5)
        self.masks = [
            np.where((bcol >= 0) & (bcol // 8 == 0), 1 << (bcol % 8), 0),
            np.where((bcol >= 0) & (bcol // 8 == 1), 1 << (bcol % 8), 0)
            | np.where(pcol >= 0, 1 << (pcol + 2), 0),
        ]
        self.masks = [m.astype(np.uint8)[None, :] for m in self.masks]
        bar_cols = np.repeat((xs >= board.window.x0 - 2) & (xs < board.window.x1 + 2), 3)
        assert C.WHITE == (255, 255, 255), "the bars are OR'd in: white must be all ones"
        self.bar_bytes = np.where(bar_cols, 255, 0).astype(np.uint8)[None, :]
        # each pixel row of the preview column: which (preview, box row) word it shows; row
        # 2P of the words (all zero) where none
        self.column_words = np.full(h, 2 * preview, np.int32)
        for j, p in enumerate(previews):
            for r in range(2):
                a = p.window.y0 + r * half - y0
                self.column_words[a : a + half] = 2 * j + r
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
        self.border = np.repeat(border, 3, axis=1)

    def _preview_words(self, preview: jax.Array) -> jax.Array:
        """uint8[h, BITS]: per pixel row of the board window and bit plane, the bits of the
        preview cells it shows (bit c: preview column c), 0 between previews: the [2P, BITS]
        words of the preview box rows, gathered per pixel row by a static index. (A one-hot
        sum over the box rows here was fused into the per-byte loop and recomputed there.)"""
        cells = jnp.asarray(self.preview_cells)[preview]  # [P, 8] bool
        kinds = cells.astype(jnp.int32) * (preview[:, None] + 1)
        kinds = kinds.reshape(-1, 4)  # [2P, 4]: per (preview, box row), its 4 cells
        planes = (kinds[:, None, :] >> jnp.arange(BITS)[None, :, None]) & 1  # [2P, BITS, 4]
        words = jnp.sum(planes << jnp.arange(4), axis=2).astype(jnp.uint8)  # [2P, BITS]
        words = jnp.concatenate([words, jnp.zeros((1, BITS), jnp.uint8)])  # row 2P: none
        return jnp.take(words, jnp.asarray(self.column_words), axis=0)

    def _board_words(self, kinds: jax.Array) -> jax.Array:
        """uint8[20, 2 * BITS]: per board row, plane b's bits of columns 0-7 (word b) and 8-9
        (word BITS + b). Two reductions: the kinds packed 3 bits a column into one uint32 per
        row, then every word's bits picked from it. (One reduction per word measured slower:
        each recomputed the kinds, the piece mask included, from the board.)"""
        cols = jnp.arange(C.COLS, dtype=jnp.uint32)
        packed = jnp.sum(kinds.astype(jnp.uint32) << (BITS * cols), axis=1, dtype=jnp.uint32)
        word, c = np.arange(2 * BITS)[:, None], np.arange(8)[None, :]  # [word, bit c]
        col = 8 * (word // BITS) + c
        assert BITS * C.COLS < 32, "packed uses bits 0..29: bit 31 stands for no column"
        shift = jnp.asarray(np.where(col < C.COLS, BITS * col + word % BITS, 31), jnp.uint32)
        bits = ((packed[:, None, None] >> shift[None]) & 1) << jnp.asarray(c, jnp.uint32)[None]
        return jnp.sum(bits, axis=2, dtype=jnp.uint32).astype(jnp.uint8)

    def __call__(
        self, kinds: jax.Array, full: jax.Array, preview: jax.Array, score: jax.Array
    ) -> jax.Array:
        """The frame: `kinds` (uint8[20, 10], 0..7) of the board cells, `full` (bool[20]) rows
        to bar, the `preview` piece types and the score."""
        k, S = self.k, self.layout.size
        kinds = jnp.asarray(kinds, jnp.uint8)
        pw = self._preview_words(preview)
        m0, m1 = (jnp.asarray(m) for m in self.masks)

        def spread(w: jax.Array) -> jax.Array:  # per board row -> per pixel row, [h, 1]
            return jnp.broadcast_to(w[:, None], (C.ROWS, k)).reshape(C.ROWS * k, 1)

        words = self._board_words(kinds)
        planes, occupied = [], None
        for b in range(BITS):
            w0, w1 = words[:, b], words[:, BITS + b]
            t = (spread(w0) & m0) | ((spread(w1) | (pw[:, b : b + 1] << 2)) & m1)
            occupied = t if occupied is None else occupied | t
            planes.append(t != 0)
        # kind -> colour by a select tree over (background, 7 piece colour rows)
        level = [jnp.asarray(self.background)] + [
            jnp.asarray(colour_row(c, S)) for c in C.PIECE_COLOUR
        ]
        for plane in planes:  # lowest bit first
            level = [
                jnp.where(plane, hi, lo) for lo, hi in zip(level[::2], level[1::2], strict=True)
            ]
        out = paint(level[0], (occupied != 0) & jnp.asarray(self.border), C.WHITE)
        # the bars: white is 255 in every channel, so a uint8 OR paints them (a bool mask
        # spread from `full` measured ~1.3x slower for the whole board window)
        bar = jnp.where(full, jnp.uint8(255), jnp.uint8(0))
        out = out | (spread(bar) & jnp.asarray(self.bar_bytes))
        # the score in uint8 (`arcade_core.render.score_layer`: no per-byte shift), pixel-identical
        windows = layered_windows(self.layout, [score_layer(self.layout, score)])
        return self.layout.render({self.window: out, **windows})
