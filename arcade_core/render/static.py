"""Build-time drawing in NumPy: the static layers of a frame, drawn once when an env is built.

All functions paint in place on an `H x W x 3` uint8 array and clip to it; boxes are half-open
`(x0, y0)-(x1, y1)` as in docs/games/conventions.md §Drawing primitives.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .font import glyph_mask
from .geometry import in_capsule, in_disc, in_ring, in_triangle, triangle_vertices

Colour = Sequence[int]


def new_canvas(height: int, width: int, colour: Colour) -> np.ndarray:
    """An `height x width` RGB image filled with `colour`."""
    img = np.empty((height, width, 3), np.uint8)
    img[:] = np.asarray(colour, np.uint8)
    return img


def _clip_box(img: np.ndarray, x0: int, y0: int, x1: int, y1: int) -> tuple[int, int, int, int]:
    h, w = img.shape[:2]
    return max(x0, 0), max(y0, 0), min(x1, w), min(y1, h)


def fill_rect(img: np.ndarray, x0: int, y0: int, x1: int, y1: int, colour: Colour) -> np.ndarray:
    """Paint the half-open box (x0, y0)-(x1, y1), clipped to the image (docs/games/conventions.md
    §Drawing primitives)."""
    x0, y0, x1, y1 = _clip_box(img, x0, y0, x1, y1)
    if x1 > x0 and y1 > y0:
        img[y0:y1, x0:x1] = np.asarray(colour, np.uint8)
    return img


def paint_mask(img: np.ndarray, mask: np.ndarray, colour: Colour) -> np.ndarray:
    """Paint `colour` where the full-image bool `mask` is set."""
    img[mask] = np.asarray(colour, np.uint8)
    return img


def _coords(img: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    h, w = img.shape[:2]
    return np.arange(w)[None, :], np.arange(h)[:, None]


def grid(img: np.ndarray, cell: int, gap: int, colour: Colour) -> np.ndarray:
    """Grid lines: every pixel with x or y mod (cell + gap) < gap (docs/games/conventions.md
    §Drawing primitives)."""
    xs, ys = _coords(img)
    pitch = cell + gap
    return paint_mask(img, (xs % pitch < gap) | (ys % pitch < gap), colour)


def line(
    img: np.ndarray, p: tuple[float, float], q: tuple[float, float], width: float, colour: Colour
) -> np.ndarray:
    """A straight line of the given width: pixels within width/2 of segment pq."""
    xs, ys = _coords(img)
    return paint_mask(img, in_capsule(xs, ys, p, q, width / 2.0), colour)


def disc_mask(shape: tuple[int, int], cx: float, cy: float, r: float) -> np.ndarray:
    """Bool mask of a disc of radius r centred (cx, cy) on an image of `shape` (h, w)."""
    return np.asarray(
        in_disc(np.arange(shape[1])[None, :], np.arange(shape[0])[:, None], cx, cy, r)
    )


def ring_mask(shape: tuple[int, int], cx: float, cy: float, r: float, t: float) -> np.ndarray:
    """Bool mask of a ring (r - t)^2 <= d^2 <= r^2 on an image of `shape` (h, w)."""
    xs, ys = np.arange(shape[1])[None, :], np.arange(shape[0])[:, None]
    return np.asarray(in_ring(xs, ys, cx, cy, r, t))


def triangle_mask(
    shape: tuple[int, int], box: tuple[int, int, int, int], direction: str
) -> np.ndarray:
    """Bool mask of the triangle inscribed in `box` pointing up/down/left/right
    (docs/games/conventions.md §Drawing primitives)."""
    xs, ys = np.arange(shape[1])[None, :], np.arange(shape[0])[:, None]
    return np.asarray(in_triangle(xs, ys, *triangle_vertices(box, direction)))


def text(
    img: np.ndarray,
    string: str,
    box: tuple[int, int, int, int],
    colour: Colour,
    *,
    letter_w: int,
    margin: int,
    gap: int,
) -> np.ndarray:
    """A horizontal string centred in `box` with the letter font (docs/games/conventions.md §Drawing
    primitives)."""
    x0, y0, x1, y1 = box
    n = len(string)
    total = n * letter_w + (n - 1) * gap
    left = x0 + ((x1 - x0) - total) // 2
    cell_w, cell_h = letter_w // 5, ((y1 - margin) - (y0 + margin)) // 5
    for k, ch in enumerate(string):  # build time only: a handful of letters, once per env
        if ch == " ":
            continue
        g = glyph_mask(ch, cell_w, cell_h)
        gx, gy = left + k * (letter_w + gap), y0 + margin
        sub = img[gy : gy + g.shape[0], gx : gx + g.shape[1]]
        sub[g[: sub.shape[0], : sub.shape[1]]] = np.asarray(colour, np.uint8)
    return img


def paste(sub: np.ndarray, canvas: np.ndarray) -> np.ndarray:
    """Copy `sub` into the centre of `canvas`, offset ((S - s)//2, (S - s)//2)
    (docs/games/conventions.md §Drawing primitives)."""
    oy, ox = (canvas.shape[0] - sub.shape[0]) // 2, (canvas.shape[1] - sub.shape[1]) // 2
    canvas[oy : oy + sub.shape[0], ox : ox + sub.shape[1]] = sub
    return canvas
