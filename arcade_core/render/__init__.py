"""Drawing for the suite: static layers in NumPy (built once per env), dynamic stamps in JAX.

* `static`: NumPy primitives used when an env is built — canvas, filled rectangle, line, grid,
  text, masks for discs, rings and triangles. Their cost is paid once.
* `canvas`: JAX drawing inside `step`, directly in the frame's bytes: static row bands whose
  bytes are computed element-wise (rectangles, 1-bit bitmaps at dynamic positions, numbers,
  additive colour, boards), composed with the background by concatenating rows — never a
  full-canvas mask per primitive, never a per-env scatter.
* `font`: the 5x5 digit and letter bitmaps of docs/games/conventions.md §Drawing primitives.
* `frame`: the shared frame (background, game area, score at the top, name at the bottom).
* `plain`: the plain drawing kit, for renderers written to be read: whole-canvas primitives
  (`rect`, `disc`, `triangle`, `sprite`, `text`, `number`), the shared frame and score
  (`frame`, `score`), and an N x N board (`board_frame`, `BoardCells`).

The game kit — what the built-in games share, public so that every plugin's game has it too:

* `layers`: a step's drawing as `Layer`s over row ranges, composed into full-width windows
  (`layered_windows`), and the frame's score as a layer (`score_layer`, `number_layer`).
* `grid`: an N x N board of cells with grid lines (`GridMaps`), drawn from per-row bit words
  (`row_words`, `shift_cols`); `BoardFrame`, the frame of a cursor game on such a board.
* `cursor`: a cursor over such a board — moves, its one-hot cell, the repeat rule
  (`CursorBoard`), random placement of the cursor and of k items
  (`from arcade_core.render.cursor import CursorBoard, random_subset`).
"""

from .canvas import (
    Board,
    SpanTable,
    Sprite,
    Strips,
    StripTable,
    Window,
    add_colour,
    apart,
    bitmap_mask,
    colour_delta,
    colour_row,
    compose,
    number_mask,
    number_window,
    pack,
    pack_image,
    paint,
    pixel_mask,
    rect_mask,
    row_span,
    span_bounds,
    span_mask,
    span_masks,
    to_image,
    to_rows,
    unpack_colour,
    unpack_np,
)
from .font import DIGITS, LETTERS, glyph_mask
from .frame import FrameLayout
from .grid import BoardFrame, GridMaps, row_words, shift_cols
from .layers import Layer, compact_rows, layered_windows, number_layer, score_layer
from .static import (
    disc_mask,
    fill_rect,
    grid,
    line,
    new_canvas,
    paste,
    ring_mask,
    text,
    triangle_mask,
)

__all__ = [
    "BoardFrame",
    "GridMaps",
    "Layer",
    "compact_rows",
    "layered_windows",
    "number_layer",
    "row_words",
    "score_layer",
    "shift_cols",
    "SpanTable",
    "Sprite",
    "StripTable",
    "Strips",
    "Board",
    "DIGITS",
    "FrameLayout",
    "LETTERS",
    "Window",
    "add_colour",
    "colour_delta",
    "apart",
    "bitmap_mask",
    "compose",
    "disc_mask",
    "fill_rect",
    "glyph_mask",
    "grid",
    "line",
    "new_canvas",
    "number_mask",
    "number_window",
    "pack",
    "pack_image",
    "paint",
    "paste",
    "rect_mask",
    "row_span",
    "span_bounds",
    "span_mask",
    "span_masks",
    "ring_mask",
    "text",
    "triangle_mask",
    "colour_row",
    "pixel_mask",
    "to_image",
    "to_rows",
    "unpack_colour",
    "unpack_np",
]
