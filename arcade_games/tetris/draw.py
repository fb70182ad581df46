"""Tetris frames (GAMES.md §3.10 Rendering). The board — locked cells (MDP), the current piece
and the full-row bars — is one `Board` of cell kinds; each preview piece is a small `Board`;
the two 2-px bar ends beside the walls are strips lit per full row. Everything else (walls,
game area, name) is baked into the background."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np

from arcade_core.render import Board, FrameLayout, pack

from . import constants as C

WHITE_KIND = C.NUM_PIECES + 1  # cell kind of a full-row bar; 0 empty, k + 1 piece k


def cell_tiles(side: int, border: bool) -> np.ndarray:
    """uint8[9, side, side, 3]: empty (black), the 7 piece colours (with a 1-px white border
    if `border`), and plain white."""
    tiles = np.zeros((WHITE_KIND + 1, side, side, 3), np.uint8)
    for k, colour in enumerate(C.PIECE_COLOUR, 1):
        tiles[k] = C.WHITE if border else colour
        inner = 1 if border else 0
        tiles[k, inner : side - inner, inner : side - inner] = colour
    tiles[WHITE_KIND] = C.WHITE
    return tiles


class TetrisRenderer:
    """Draws a Tetris state at one observation size."""

    def __init__(self, obs_size: int, preview: int, shapes: np.ndarray) -> None:
        L = C.LAYOUT[obs_size]
        k = self.k = L["cell"]
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
        o = layout.offset
        area = layout.area
        area[:, 5 * k - 1] = C.WHITE  # walls
        area[:, 15 * k] = C.WHITE
        self.board = Board(C.ROWS, C.COLS, k, 0, cell_tiles(k, True), C.WHITE, o + 5 * k, o)
        # bar ends: x in [5k-2, 5k) and [15k, 15k+2), over the board's rows
        self.left = layout.window(5 * k - 2, 0, 5 * k, C.ROWS * k)
        self.right = layout.window(15 * k, 0, 15 * k + 2, C.ROWS * k)
        self.row_of = np.arange(C.ROWS * k) // k  # board row of each pixel row
        # previews: rotation 0 fills only rows 1..2 of the box, so each preview draws those
        half = k // 2
        rot0 = (shapes[:, 0:1] >> np.arange(16, dtype=np.uint32)) & 1  # [7, 16]
        rot0 = rot0.reshape(C.NUM_PIECES, 4, 4).astype(bool)
        assert not rot0[:, [0, 3]].any(), "rotation 0 must fill only box rows 1..2"
        kinds = rot0[:, 1:3] * np.arange(1, C.NUM_PIECES + 1)[:, None, None]
        self.preview_kinds = kinds.astype(np.int32)  # [7, 2, 4]
        tiles = cell_tiles(half, half >= 4)
        self.previews = [
            Board(2, 4, half, 0, tiles, C.WHITE, o + 16 * k, o + 3 * k + 2 + 3 * k * j + half)
            for j in range(preview)
        ]
        layout.background()

    def __call__(
        self, kinds: jax.Array, full: jax.Array, preview: jax.Array, score: jax.Array
    ) -> jax.Array:
        """The frame: `kinds` (int[20, 10], 0..8) of the board cells, `full` (bool[20]) rows
        to bar, the `preview` piece types and the score."""
        bar = jnp.asarray(full)[jnp.asarray(self.row_of)][:, None]
        white = jnp.uint32(pack(C.WHITE))
        windows = {
            self.board.window: self.board.pixels(kinds),
            self.left: jnp.where(bar, white, self.layout.pixels(self.left)),
            self.right: jnp.where(bar, white, self.layout.pixels(self.right)),
        }
        table = jnp.asarray(self.preview_kinds)
        for j, board in enumerate(self.previews):
            one_hot = (jnp.arange(C.NUM_PIECES) == preview[j])[:, None, None]
            windows[board.window] = board.pixels(jnp.sum(jnp.where(one_hot, table, 0), axis=0))
        return self.layout.render(windows, score=score)
