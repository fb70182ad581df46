"""The plain drawing kit: whole-canvas JAX primitives for renderers written to be read.

A plain renderer is a game's frame as its spec states it: start from the shared frame
(`frame`), then paint one visible element after another. Each primitive here computes a bool
mask over the whole canvas from the pixel coordinates (`coords`) and paints it, so every
primitive touches every pixel: slow next to a tuned renderer (which draws only the rows that
change, from tables built once), but short, obvious and jittable. A game that offers both
renderers gets them checked pixel-equal by the conformance kit, and `make(id,
renderer="plain")` plays with the plain one.

Coordinates are integer pixels, x to the right and y down; boxes are half-open `(x0, y0, x1,
y1)`. Positions and values may be traced JAX scalars; shapes (sizes of bitmaps, strings) are
static. Colours are RGB triples.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, NamedTuple

import jax
import jax.numpy as jnp
import numpy as np

from . import static
from .font import DIGITS, LETTERS
from .frame import DIGIT_W, LETTER, SCORE_BOX, name_box
from .geometry import in_disc, in_triangle
from .grid import GridMaps

Colour = Sequence[int]
Box = tuple[Any, Any, Any, Any]


def coords(img: jax.Array) -> tuple[jax.Array, jax.Array]:
    """The pixel coordinates of `img`: xs int32[1, W] (columns) and ys int32[H, 1] (rows)."""
    h, w = img.shape[:2]
    return jnp.arange(w, dtype=jnp.int32)[None, :], jnp.arange(h, dtype=jnp.int32)[:, None]


def canvas(size: int, colour: Colour) -> jax.Array:
    """A `size x size` uint8 RGB image of one colour."""
    return jnp.broadcast_to(jnp.asarray(colour, jnp.uint8), (size, size, 3))


def paint(img: jax.Array, mask: Any, colour: Colour) -> jax.Array:
    """`colour` wherever `mask` (bool, broadcast to the image's [H, W]) is set."""
    return jnp.where(jnp.asarray(mask)[..., None], jnp.asarray(colour, jnp.uint8), img)


def add(img: jax.Array, mask: Any, colour: Colour) -> jax.Array:
    """`colour` added (modulo 256 per channel) wherever `mask` is set: overlapping additive
    shapes mix, as the reference draws some of them."""
    delta = jnp.where(jnp.asarray(mask)[..., None], jnp.asarray(colour, jnp.uint8), 0)
    return img + delta.astype(jnp.uint8)


def in_box(xs: Any, ys: Any, box: Box) -> jax.Array:
    """Pixels of the half-open box (x0, y0)-(x1, y1)."""
    x0, y0, x1, y1 = box
    return (xs >= x0) & (xs < x1) & (ys >= y0) & (ys < y1)


def rect(img: jax.Array, box: Box, colour: Colour) -> jax.Array:
    """A filled rectangle (half-open box, clipped to the image)."""
    xs, ys = coords(img)
    return paint(img, in_box(xs, ys, box), colour)


def disc(img: jax.Array, cx: Any, cy: Any, r: Any, colour: Colour) -> jax.Array:
    """A filled disc: pixels at Euclidean distance <= r from (cx, cy)."""
    xs, ys = coords(img)
    return paint(img, in_disc(xs, ys, cx, cy, r), colour)


def triangle(img: jax.Array, a: Any, b: Any, c: Any, colour: Colour) -> jax.Array:
    """A filled triangle with vertices a, b, c (edges included, either orientation)."""
    xs, ys = coords(img)
    return paint(img, in_triangle(xs, ys, a, b, c), colour)


def bitmap_mask(
    img: Any, bits: Any, x: Any, y: Any, cell: tuple[int, int] = (1, 1)
) -> jax.Array | np.ndarray:
    """Pixels lit by the bool bitmap `bits` (rows x cols, may be traced) with its top-left at
    (x, y), each bit a `cell = (w, h)` block of pixels, clipped to `img`. A static bitmap at a
    static place is placed in NumPy (a constant, built once)."""
    cw, ch = cell
    if isinstance(bits, np.ndarray) and all(isinstance(v, int) for v in (x, y)):
        out = np.zeros(img.shape[:2], bool)
        big = np.kron(bits.astype(bool), np.ones((ch, cw), bool))
        x0, y0 = max(x, 0), max(y, 0)
        part = big[y0 - y :, x0 - x :][: out.shape[0] - y0, : out.shape[1] - x0]
        out[y0 : y0 + part.shape[0], x0 : x0 + part.shape[1]] = part
        return out
    bits = jnp.asarray(bits, bool)
    xs, ys = coords(img)
    col, row = (xs - x) // cw, (ys - y) // ch
    inside = (xs >= x) & (ys >= y) & (col < bits.shape[1]) & (row < bits.shape[0])
    lit = bits[jnp.clip(row, 0, bits.shape[0] - 1), jnp.clip(col, 0, bits.shape[1] - 1)]
    return inside & lit


def sprite(
    img: jax.Array, bits: Any, x: Any, y: Any, colour: Colour, cell: tuple[int, int] = (1, 1)
) -> jax.Array:
    """A one-colour sprite: `colour` where the bitmap `bits` at (x, y) is set (`bitmap_mask`)."""
    return paint(img, bitmap_mask(img, bits, x, y, cell), colour)


def image(img: jax.Array, pixels: Any, x: Any, y: Any) -> jax.Array:
    """A small RGB image `pixels` (h x w x 3, may be traced) pasted with its top-left at
    (x, y), clipped to `img`."""
    pixels = jnp.asarray(pixels, jnp.uint8)
    h, w = pixels.shape[:2]
    xs, ys = coords(img)
    inside = in_box(xs, ys, (x, y, x + w, y + h))
    got = pixels[jnp.clip(ys - y, 0, h - 1), jnp.clip(xs - x, 0, w - 1)]
    return jnp.where(inside[..., None], got, img)


def text(
    img: jax.Array,
    string: str,
    box: Box,
    colour: Colour,
    *,
    letter_w: int,
    margin: int,
    gap: int,
) -> jax.Array:
    """A string of capital letters and digits centred across `box` in the 5x5 font: letters
    `letter_w` wide (a font cell `letter_w // 5`), `gap` apart, `margin` below the box's top,
    their height the box's less two margins. Spaces leave a letter's room."""
    x0, y0, x1, y1 = box
    n = len(string)
    left = x0 + ((x1 - x0) - (n * letter_w + (n - 1) * gap)) // 2
    cell = (letter_w // 5, ((y1 - margin) - (y0 + margin)) // 5)
    for k, char in enumerate(string):  # a handful of letters, unrolled at trace time
        if char != " ":
            glyph = DIGITS[int(char)] if char.isdigit() else LETTERS[char]
            img = sprite(img, glyph, left + k * (letter_w + gap), y0 + margin, colour, cell)
    return img


def number(
    img: jax.Array,
    value: Any,
    box: Box,
    colour: Colour,
    *,
    digit_w: int,
    max_digits: int,
    margin: int = 1,
    gap: int = 2,
) -> jax.Array:
    """A non-negative integer (traced) centred across `box` in the digit font: its digits
    `digit_w` wide, `gap` apart. A value of more than `max_digits` digits shows its last
    `max_digits`; a negative one the single digit `value mod 10`."""
    x0, y0, x1, y1 = box
    v = jnp.asarray(value, jnp.int32)
    v = jnp.where(v < 0, v % 10, v)
    n = 1 + sum((v >= 10**k).astype(jnp.int32) for k in range(1, max_digits))  # digits shown
    left = x0 + ((x1 - x0) - (n * digit_w + (n - 1) * gap)) // 2
    cell = (digit_w // 5, ((y1 - margin) - (y0 + margin)) // 5)
    powers = jnp.asarray([10**p for p in range(max_digits)], jnp.int32)
    for k in range(max_digits):  # the k-th digit from the left, if there are more than k
        digit = (v // powers[jnp.maximum(n - 1 - k, 0)]) % 10
        lit = bitmap_mask(
            img, jnp.asarray(DIGITS)[digit], left + k * (digit_w + gap), y0 + margin, cell
        )
        img = paint(img, lit & (k < n), colour)
    return img


def frame(
    size: int,
    *,
    name: str,
    background: Colour,
    name_colour: Colour,
    area_side: int,
    area_colour: Colour | None = None,
    low_name: bool = False,
) -> np.ndarray:
    """The frame every game shares, drawn once in NumPy (it is static): the background, a
    square game area of side `area_side` in the centre (filled with `area_colour` if given)
    and the game's name at the bottom. The plain primitives draw on it as on any image."""
    img = static.new_canvas(size, size, background)
    if area_colour is not None:
        o = area_offset(size, area_side)
        static.fill_rect(img, o, o, o + area_side, o + area_side, area_colour)
    return static.text(img, name.upper(), name_box(size, low_name), name_colour, **LETTER[size])


def area_offset(size: int, area_side: int) -> int:
    """Where the game area starts on both axes: it is centred on the canvas."""
    return (size - area_side) // 2


def score(img: jax.Array, value: Any, colour: Colour, *, max_digits: int) -> jax.Array:
    """The score, centred in the score box at the top of the frame."""
    size = img.shape[0]
    return number(img, value, SCORE_BOX[size], colour, digit_w=DIGIT_W[size], max_digits=max_digits)


class BoardCells(NamedTuple):
    """Per pixel of the canvas, where it lies on an N x N board of square cells (`board_cells`):
    `col` and `row` of its cell (clipped to the board), (`u`, `v`) its place inside the cell's
    interior, `inside` whether it lies in a cell's interior (not on a grid line, not off the
    board), `on_board` whether it lies on the board at all (grid lines included)."""

    col: jax.Array
    row: jax.Array
    u: jax.Array
    v: jax.Array
    inside: jax.Array
    on_board: jax.Array

    def at(self, col: Any, row: Any) -> jax.Array:
        """The interior pixels of the cell in column `col`, row `row` (e.g. the cursor's)."""
        return self.inside & (self.col == col) & (self.row == row)

    @property
    def lines(self) -> jax.Array:
        """The pixels of the board's grid lines: on the board, in no cell's interior."""
        return self.on_board & ~self.inside


def board_frame(
    size: int, n: int, *, area_side: int, gap: int, **layout: Any
) -> tuple[np.ndarray, BoardCells, GridMaps]:
    """The shared frame (`frame`'s `layout` arguments) with an N x N board filling its game
    area: cells of `GridMaps.fitting(n, area_side, gap)`. Returns the frame, its
    `BoardCells` and the grid: the plain counterpart of `grid.BoardFrame`, for cursor games
    on a board."""
    grid = GridMaps.fitting(n, area_side, gap)
    img = frame(size, area_side=area_side, **layout)
    return img, board_cells(img, area_offset(size, area_side), grid), grid


def board_cells(img: Any, o: int, grid: GridMaps) -> BoardCells:
    """The cells of the board `grid` (docs/games/conventions.md §Drawing primitives: a
    `grid.gap`-px line before every cell and after the last) with its top-left corner at (o, o)."""
    xs, ys = coords(img)
    x, y = xs - (o + grid.gap), ys - (o + grid.gap)  # from the first cell's top-left
    on_board = in_box(xs, ys, (o, o, o + grid.side, o + grid.side))
    u, v = x % grid.pitch, y % grid.pitch
    inside = on_board & (x >= 0) & (y >= 0) & (u < grid.cell) & (v < grid.cell)
    col = jnp.clip(x // grid.pitch, 0, grid.n - 1)
    row = jnp.clip(y // grid.pitch, 0, grid.n - 1)
    return BoardCells(col, row, u, v, inside, on_board)
