"""Drawing for the suite: static layers in NumPy (built once per env), dynamic stamps in JAX.

* `static`: NumPy primitives used when an env is built — canvas, filled rectangle, line, grid,
  text, masks for discs, rings and triangles. Their cost is paid once.
* `dynamic`: JAX primitives used inside `step` — sprite stamps and masked paints at dynamic
  positions (`lax.dynamic_update_slice` on a small window, never a full-canvas mask), and
  numbers drawn by a gather over their box only.
* `font`: the 5x5 digit and letter bitmaps of GAMES.md §2.4–2.5.
* `frame`: the shared frame (background, game area, score at the top, name at the bottom).
"""

from .dynamic import draw_number, paint, paste_region, stamp, take_region
from .font import DIGITS, LETTERS, glyph_mask
from .frame import FrameLayout
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
    "DIGITS",
    "LETTERS",
    "FrameLayout",
    "disc_mask",
    "draw_number",
    "fill_rect",
    "glyph_mask",
    "grid",
    "line",
    "new_canvas",
    "paint",
    "paste",
    "paste_region",
    "ring_mask",
    "stamp",
    "take_region",
    "text",
    "triangle_mask",
]
