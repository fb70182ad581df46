"""Navigator frames (docs/games/navigator.md §Drawing): the board is one window whose cells are
drawn from four precomputed tiles (empty, TNT, treasure hexagon, agent) laid out by `Board`,
over a baked background holding the name and the board's outer grid lines; the score is the
only other window."""

from __future__ import annotations

import math
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from arcade_core.render import Board, FrameLayout, layered_windows, score_layer, to_image

from . import constants as C


def hexagon_mask(c: int) -> np.ndarray:
    """bool[c, c]: the treasure hexagon in a cell of side c (docs/games/navigator.md §Drawing), in
    cell-interior coordinates. Its pixels on the right/bottom grid line are dropped: the grid is
    drawn last."""
    f = np.float32  # float32 as the reference: boundary pixels (e.g. the tip at c = 6) agree
    xs = np.arange(c, dtype=f)[None, :]
    ys = np.arange(c, dtype=f)[:, None]
    half = f(c / 2.0)
    px, py = (xs - half) / half, (ys - half) / half
    cos30, sin30 = f(math.cos(math.pi / 6)), f(math.sin(math.pi / 6))
    xr = px * cos30 - py * sin30
    yr = px * sin30 + py * cos30
    r3 = np.sqrt(f(3.0))
    return (np.abs(xr) <= 1) & (np.abs(yr) <= r3 / 2) & (r3 * np.abs(xr) + np.abs(yr) <= r3)


def _band(c: int, x: tuple[float, float], y: tuple[float, float]) -> np.ndarray:
    """bool[c, c]: the half-open band x0*c <= x < x1*c, y0*c <= y < y1*c (cell coordinates)."""
    xs, ys = np.arange(c)[None, :], np.arange(c)[:, None]
    return (xs >= x[0] * c) & (xs < x[1] * c) & (ys >= y[0] * c) & (ys < y[1] * c)


def tnt_letters_mask(c: int) -> np.ndarray:
    """bool[c, c]: the black "TNT" letters of the TNT block (docs/games/navigator.md §Drawing)."""
    xs, ys = np.arange(c)[None, :], np.arange(c)[:, None]
    m = _band(c, (0.05, 0.30), (0.32, 0.40)) | _band(c, (0.13, 0.20), (0.35, 0.65))  # T
    m |= _band(c, (0.325, 0.40), (0.34, 0.65)) | _band(c, (0.60, 0.65), (0.34, 0.65))  # N posts
    diag = np.abs((ys - 0.35 * c) - (xs - 0.35 * c) * (0.35 / 0.30)) <= 0.05 * c
    m |= _band(c, (0.35, 0.60), (0.35, 0.65)) & diag  # N diagonal
    m |= _band(c, (0.67, 0.93), (0.32, 0.40)) | _band(c, (0.76, 0.83), (0.35, 0.65))  # T
    return m


def tnt_tile(c: int) -> np.ndarray:
    """uint8[c, c, 3]: the TNT block as drawn, before compositing (docs/games/navigator.md
    §Drawing)."""
    tile = np.empty((c, c, 3), np.uint8)
    tile[:] = C.TNT_RED
    tile[c // 3 : c - c // 3, c // 16 : c - c // 16] = C.TNT_BAND
    tile[tnt_letters_mask(c)] = C.TNT_LETTERS
    return tile


def hexagon_tile(c: int) -> np.ndarray:
    """uint8[c, c, 3]: the treasure hexagon on black, before compositing."""
    tile = np.zeros((c, c, 3), np.uint8)
    tile[hexagon_mask(c)] = C.TREASURE_HEX
    return tile


def cell_tiles(c: int) -> np.ndarray:
    """uint8[4, c, c, 3], indexed by screen kind (empty, TNT, treasure, agent). TNT and
    treasure are max-composited against the sub-canvas colour, as the reference does [KEEP]."""
    area = np.asarray(C.AREA, np.uint8)
    tiles = np.empty((4, c, c, 3), np.uint8)
    tiles[C.EMPTY] = area
    tiles[C.TNT] = np.maximum(tnt_tile(c), area)
    tiles[C.TREASURE] = np.maximum(hexagon_tile(c), area)
    tiles[C.AGENT] = C.AGENT_COLOUR
    return tiles


def column_masks(col: np.ndarray) -> list[np.ndarray]:
    """Static uint8[1, n] bit masks, one per group of 8 board columns: a byte in board column
    c (per-byte `col`, -1 off the board) has bit c % 8 set in mask c // 8, nothing elsewhere."""
    groups = (int(col.max()) + 8) // 8
    on = col >= 0
    return [
        np.where(on & (col // 8 == g), 1 << (col % 8), 0).astype(np.uint8)[None, :]
        for g in range(groups)
    ]


def bit_test(bits: jax.Array, pitch: int, masks: list[np.ndarray]) -> jax.Array:
    """bool[R pitch, n]: whether the byte's board column is set in `bits` (bool[R, C], per
    board row, each `pitch` pixel rows high): the row's columns packed 8 to a uint8, spread
    over the pixel rows, ANDed with the static per-byte masks — uint8 ops only (a per-byte
    variable shift of a uint32 word measured 3x slower)."""
    R = bits.shape[0]
    out = None
    for g, mask in enumerate(masks):
        cells = bits[:, 8 * g : 8 * g + 8].astype(jnp.uint8)
        word = jnp.sum(cells << jnp.arange(cells.shape[1], dtype=jnp.uint8), axis=1)
        word = jnp.broadcast_to(word.astype(jnp.uint8)[:, None], (R, pitch)).reshape(R * pitch)
        t = word[:, None] & jnp.asarray(mask)
        out = t if out is None else out | t
    return out != 0


class RowCodedBoard:
    """`Board`'s geometry and tile images, drawn in a full-width band of byte rows from bit
    planes of the board rows.

    `Board.pixels` spreads the kinds over the bytes with a matrix product; here each bit of
    the kinds is a bit plane: per board row, 8 columns to a uint8 word, spread over the pixel
    rows (a 1-D broadcast), and each byte tests its column's bit with a static mask (one AND
    per group of 8 columns); the planes pick one of the K images by a select tree. Bytes off
    the board test no bit, and all K images hold the background there. The window starts
    below the top grid line, which the background holds along with the first column's.
    """

    def __init__(self, board: Board, layout: FrameLayout) -> None:
        R, C, g, p = board.rows, board.cols, board.gap, board.pitch
        k = board.images.shape[0]
        self.bits = max(1, (k - 1).bit_length())
        self.rows, self.pitch = R, p
        w, S = board.window, layout.size
        assert w.canvas_width == S, "the board must be built with width=obs_size"
        layout.canvas[w.y0 : w.y1, w.x0 : w.x1] = to_image(board.images[0])[:, w.x0 : w.x1]
        self.window = layout.window(0, w.y0 + g, S, w.y1, area=False)
        strip = layout.background()[self.window.y0 : self.window.y1]  # freezes the background
        images = np.broadcast_to(strip, (1 << self.bits, *strip.shape)).copy()  # [2^b, R p, 3S]
        cols = slice(3 * (w.x0 + g), 3 * w.x1)
        images[:k, :, cols] = board.images[:, g:, cols]
        self.images = images
        col = np.arange(S) - (w.x0 + g)
        on_board = (col >= 0) & (col < C * p)
        self.masks = column_masks(np.repeat(np.where(on_board, col // p, -1), 3))

    def pixels(self, kinds: jax.Array) -> jax.Array:
        """The window's byte rows (uint8[R p, 3S]) for `kinds` (int[R, C])."""
        kinds = jnp.asarray(kinds, jnp.int32)
        planes = [
            bit_test(((kinds >> b) & 1) == 1, self.pitch, self.masks) for b in range(self.bits)
        ]
        level = [jnp.asarray(im) for im in self.images]
        for plane in planes:  # a select tree: lowest bit first
            level = [
                jnp.where(plane, hi, lo) for lo, hi in zip(level[::2], level[1::2], strict=True)
            ]
        return level[0]


class NavigatorRenderer:
    """Draws a Navigator state at one observation size and board size."""

    def __init__(self, obs_size: int, board_size: int) -> None:
        self.n = n = board_size
        self.cell = c = C.CELL[obs_size][n]
        side = C.GRID_LINE + n * (c + C.GRID_LINE)
        self.layout = layout = FrameLayout(
            obs_size,
            name="NAVIGATOR",
            background=C.BACKGROUND,
            name_colour=C.NAME,
            score_colour=C.SCORE,
            area_side=side,
            area_colour=C.AREA,
            max_score_digits=len(str(C.WIN_SCORE)),
        )
        o = layout.offset
        self.board = RowCodedBoard(
            Board(n, n, c, C.GRID_LINE, cell_tiles(c), C.GRID, x=o, y=o, width=obs_size), layout
        )

    def score_pixels(self, score: Any) -> dict:
        """The score's full-width band(s): `arcade_core.render.score_layer` (uint8, no per-byte
        shift), pixel-identical to `FrameLayout.render`'s score."""
        return layered_windows(self.layout, [score_layer(self.layout, score)])

    def __call__(self, state: Any, visible: Any = True) -> jax.Array:
        """The frame: TNT and treasure where `visible` (MDP, or the POMDP's first frame), the
        agent's cell always filled yellow over whatever it holds."""
        n = self.n
        kinds = state.board if visible is True else jnp.where(visible, state.board, C.EMPTY)
        rows = jnp.arange(n, dtype=jnp.int32)[:, None]
        cols = jnp.arange(n, dtype=jnp.int32)[None, :]
        agent = (rows == state.ay) & (cols == state.ax)
        kinds = jnp.where(agent, C.AGENT, kinds)
        return self.layout.render(
            {
                self.board.window: self.board.pixels(kinds),
                **self.score_pixels(state.score),
            }
        )
