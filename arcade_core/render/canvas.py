"""Per-step drawing in JAX, built for how XLA runs vmapped code on a CPU.

Frames are drawn directly in their output bytes: a band of canvas rows is a uint8[h, 3W] array
(R, G, B of each pixel side by side, W = canvas width), and the frame is the vertical
concatenation of full-width bands, reshaped to uint8[H, W, 3] for free. Measured with the
shared harness (64 envs, 128 px; see BENCHMARKS.md), every alternative costs a multiple of a
frame write: per-env scatters and gathers (`dynamic_update_slice` of a sprite, `atlas[index]`)
5-20x; packed uint32 pixels converted to bytes 2-25x; narrow windows joined by horizontal
concatenation ~10x; while full-width byte bands concatenated by rows run at the floor, and a
gather of whole contiguous rows from a small table (`Strips`) costs about a load per byte. So:

* the background is baked once (NumPy) as bytes;
* a step computes a few static `Window`s — row bands fixed when the env is built — element-wise
  from the state: every byte knows its pixel's x (`win.xs`) and y (`win.ys`), so masks are
  compares, bit tests and squared distances, and `paint` selects a colour's byte pattern;
* a shape that meets each row in a few runs (computed per row, or stored per index in a
  `StripTable`) is drawn by `Strips`: one gathered row of bytes added per run;
* `compose` concatenates background bands and windows by rows, so each output byte is written
  once. A window narrower than the canvas still spans whole rows (its compute covers the full
  width; bytes outside its columns are reset to the background by one static select).
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from .font import DIGITS

Colour = Sequence[int]


def pack(colour: Colour) -> int:
    """One RGB triple as the int R | G << 8 | B << 16: a hashable colour id (e.g. for tables)."""
    r, g, b = (int(c) & 0xFF for c in colour)
    return r | (g << 8) | (b << 16)


def unpack_colour(colour: Colour | int) -> tuple[int, int, int]:
    """An RGB triple from an RGB sequence or a `pack`ed int."""
    if isinstance(colour, (int, np.integer)):
        c = int(colour)
        return (c & 0xFF, (c >> 8) & 0xFF, (c >> 16) & 0xFF)
    r, g, b = (int(v) & 0xFF for v in colour)
    return (r, g, b)


def pack_image(img: np.ndarray) -> np.ndarray:
    """uint8[H, W, 3] -> uint32[H, W] colour ids (`pack` per pixel), for build-time tables."""
    img = np.asarray(img, np.uint32)
    return img[..., 0] | (img[..., 1] << 8) | (img[..., 2] << 16)


def unpack_np(canvas: np.ndarray) -> np.ndarray:
    """uint32[H, W] colour ids -> uint8[H, W, 3] (NumPy twin of `pack_image`)."""
    c = np.asarray(canvas, np.uint32)
    return np.stack([c & 0xFF, (c >> 8) & 0xFF, (c >> 16) & 0xFF], -1).astype(np.uint8)


def to_rows(img: np.ndarray) -> np.ndarray:
    """uint8[H, W, 3] -> uint8[H, 3W], the byte rows the JAX layer draws in."""
    img = np.asarray(img, np.uint8)
    return img.reshape(img.shape[0], -1)


def to_image(rows: Any) -> Any:
    """uint8[..., H, 3W] byte rows -> uint8[..., H, W, 3] (a free reshape, JAX or NumPy)."""
    return rows.reshape(*rows.shape[:-1], rows.shape[-1] // 3, 3)


def pixel_mask(mask: Any) -> np.ndarray:
    """A byte mask bool[h, 3W] -> the pixel mask bool[h, W] (its R bytes), for tests."""
    return np.asarray(mask)[..., ::3]


def colour_row(colour: Colour | int, width: int) -> np.ndarray:
    """uint8[1, 3*width]: `colour`'s bytes repeated along a row, what `paint` selects."""
    return np.tile(np.asarray(unpack_colour(colour), np.uint8), width)[None, :]


@dataclass(frozen=True)
class Window:
    """A static band of canvas rows `y0..y1` that a game redraws every step, owning columns
    `x0..x1` (half-open, canvas coordinates). Its pixels are the whole rows, as bytes:
    uint8[h, 3 * width] with `width` the canvas width (default `x1`, i.e. a band that starts
    at column 0 and ends at the right edge when x1 == width). `xs` (1 x 3width) is each byte's
    pixel column, `ys` (h x 1) each row's y, `channel` (1 x 3width) each byte's channel."""

    x0: int
    y0: int
    x1: int
    y1: int
    width: int | None = None

    @property
    def canvas_width(self) -> int:
        return self.x1 if self.width is None else self.width

    @property
    def shape(self) -> tuple[int, int]:
        return (self.y1 - self.y0, 3 * self.canvas_width)

    @property
    def full(self) -> bool:
        """Whether the window owns its rows' every column."""
        return self.x0 <= 0 and self.x1 >= self.canvas_width

    @property
    def xs(self) -> jax.Array:
        return jnp.asarray(np.arange(3 * self.canvas_width, dtype=np.int32)[None, :] // 3)

    @property
    def ys(self) -> jax.Array:
        return jnp.arange(self.y0, self.y1, dtype=jnp.int32)[:, None]

    @property
    def channel(self) -> jax.Array:
        return jnp.asarray(np.arange(3 * self.canvas_width, dtype=np.int32)[None, :] % 3)

    def columns(self) -> np.ndarray:
        """bool[1, 3 * width]: the bytes of the columns this window owns."""
        x = np.arange(3 * self.canvas_width) // 3
        return ((x >= self.x0) & (x < self.x1))[None, :]

    def clip(self, height: int, width: int) -> Window:
        return Window(
            max(self.x0, 0), max(self.y0, 0), min(self.x1, width), min(self.y1, height), width
        )

    def of(self, background: np.ndarray) -> jax.Array:
        """This window's rows of a byte-row background (uint8[H, 3W]), as a traced constant."""
        return jnp.asarray(background[self.y0 : self.y1])

    def overlaps(self, other: Window) -> bool:
        return (
            self.x0 < other.x1 and other.x0 < self.x1 and self.y0 < other.y1 and other.y0 < self.y1
        )


#: the most row bands a frame is composed of that XLA's CPU backend still fuses into one kernel:
#: a concatenate of more operands is not fused, and the frame costs ~3x more (measured)
MAX_BANDS = 8


def compose(background: np.ndarray, windows: Mapping[Window, jax.Array]) -> jax.Array:
    """The frame's byte rows: `background` (uint8[H, 3W], NumPy) with each window in place.

    Windows must not overlap (checked at trace time) and must span the canvas width. Bands of
    rows are concatenated (fast: whole rows are contiguous); windows sharing rows are merged by
    static column selects. The rows between windows are bands too: more than `MAX_BANDS` in
    all warns, as XLA then writes the frame in several kernels.
    """
    wins = sorted(windows, key=lambda w: (w.y0, w.x0))
    H, W3 = background.shape
    for i, a in enumerate(wins):
        if 3 * a.canvas_width != W3:
            raise ValueError(
                f"window {a} spans {a.canvas_width} columns, the canvas {W3 // 3}: "
                "make windows with FrameLayout.window() or pass width="
            )
        if tuple(windows[a].shape[-2:]) != a.shape:
            raise ValueError(f"window {a} has pixels of shape {windows[a].shape}, not {a.shape}")
        for b in wins[i + 1 :]:
            if a.overlaps(b):
                raise ValueError(f"windows {a} and {b} overlap")
    cuts = sorted({0, H, *(w.y0 for w in wins), *(w.y1 for w in wins)})
    if len(cuts) - 1 > MAX_BANDS:
        warnings.warn(
            f"a frame of {len(cuts) - 1} row bands: XLA's CPU backend fuses a concatenate of at "
            f"most {MAX_BANDS} operands, and this frame is written about 3x slower; merge "
            "windows, or start one where the band above it ends",
            stacklevel=2,
        )
    bands = []
    for y0, y1 in zip(cuts[:-1], cuts[1:], strict=True):
        inside = [w for w in wins if w.y0 <= y0 and y1 <= w.y1]
        band = jnp.asarray(background[y0:y1])
        for w in inside:
            rows = windows[w][y0 - w.y0 : y1 - w.y0]
            band = rows if (w.full and len(inside) == 1) else jnp.where(w.columns(), rows, band)
        bands.append(band)
    return jnp.concatenate(bands, axis=0) if len(bands) > 1 else bands[0]


def paint(pixels: jax.Array, mask: Any, colour: Colour | int) -> jax.Array:
    """`colour` where `mask` is set (byte rows; mask broadcastable to them)."""
    return jnp.where(mask, jnp.asarray(colour_row(colour, pixels.shape[-1] // 3)), pixels)


def rect_mask(win: Window, x0: Any, y0: Any, x1: Any, y1: Any) -> jax.Array:
    """Bytes of `win` inside the half-open box (x0, y0)-(x1, y1) (dynamic corners allowed)."""
    xs, ys = win.xs, win.ys
    return (xs >= x0) & (xs < x1) & (ys >= y0) & (ys < y1)


def span_bounds(lo: Any, hi: Any) -> tuple[jax.Array, jax.Array]:
    """Per-row inclusive interval (int or float, empty where lo > hi) -> the int8 bounds that
    `span_mask` compares against: columns 0..255 biased by -128, so that AVX2's signed byte
    compare (one instruction) tests them; an empty row becomes (127, -128), which no column
    meets."""
    lo, hi = jnp.asarray(lo), jnp.asarray(hi)
    if jnp.issubdtype(lo.dtype, jnp.floating):
        lo, hi = jnp.ceil(jnp.clip(lo, -1.0, 256.0)), jnp.floor(jnp.clip(hi, -1.0, 256.0))
    lo, hi = lo.astype(jnp.int32), hi.astype(jnp.int32)
    empty = (lo > hi) | (hi < 0) | (lo > 255)
    lo8 = jnp.where(empty, 255, jnp.clip(lo, 0, 255)) - 128
    hi8 = jnp.where(empty, 0, jnp.clip(hi, 0, 255)) - 128
    return lo8.astype(jnp.int8), hi8.astype(jnp.int8)


def apart(values: Any) -> jax.Array:
    """`values` (float32, any shape), computed in a kernel of their own instead of inside the
    per-byte loop that reads them.

    XLA fuses cheap producers into every consumer: per-env or per-row values (a sine, a span's
    bounds) read by a per-byte loop are then recomputed there as scalar code once per row,
    often hundreds of instructions a row, and a byte loop that broadcasts them is costlier than
    the bytes themselves. XLA never fuses an "expensive" op (a float division by a non-constant,
    not a broadcast, operand) into a consumer that reuses its elements, so dividing by a
    per-element 1 makes the values a vectorized kernel's output. `optimization_barrier` does
    not do this: the CPU pipeline drops it before fusion. Exact for every float, inf included.
    """
    values = jnp.asarray(values, jnp.float32)
    return values / jnp.where(values > 3e38, jnp.float32(2), jnp.float32(1))


def span_masks(win: Window, *spans: tuple[Any, Any]) -> list[jax.Array]:
    """One byte mask of `win` per per-row inclusive interval `(lo, hi)` (each broadcastable to
    [h, 1], int or float; empty where lo > hi; int8 pairs are taken as already biased by
    `span_bounds`, as `SpanTable` stores them): the bytes whose column lies in it. See
    `geometry.triangle_spans` / `disc_span`.

    A byte's column is compared as a biased int8 (a canvas is at most 256 wide), 32 bytes per
    vector instruction: a shape costs two compares and an OR per byte."""
    if win.canvas_width > 256:
        raise ValueError("span_mask draws on canvases up to 256 columns wide")
    if not spans:
        raise ValueError("span_mask needs at least one span")
    xs = jnp.asarray((np.arange(3 * win.canvas_width)[None, :] // 3 - 128).astype(np.int8))
    # ask for the per-row bounds to be materialized, not recomputed per byte. XLA's CPU
    # pipeline drops the barrier before fusion (seen in the optimized HLO): there divisions
    # and square roots stay in their own kernels, the cheap row ops join the per-byte loop,
    # and LLVM hoists them out of its inner loop over the row's bytes
    bounds = [
        (lo, hi) if _is_int8(lo) and _is_int8(hi) else span_bounds(lo, hi) for lo, hi in spans
    ]
    bounds = jax.lax.optimization_barrier(bounds)
    return [~((lo8 > xs) | (xs > hi8)) for lo8, hi8 in bounds]


def _is_int8(x: Any) -> bool:
    return getattr(x, "dtype", None) == jnp.int8


def span_mask(win: Window, *spans: tuple[Any, Any]) -> jax.Array:
    """Bytes of `win` whose column lies in any of the per-row inclusive intervals `(lo, hi)`
    (the union of `span_masks`)."""
    out = None
    for m in span_masks(win, *spans):
        out = m if out is None else out | m
    return out


def _mask_runs(masks: np.ndarray, empty: tuple[int, int]) -> tuple[np.ndarray, np.ndarray]:
    """Each row's runs of set pixels in bool[n, h, W] masks: inclusive column bounds lo, hi
    (int64[n, h, runs], runs = the most any row has, at least 1), `empty` where a row has
    fewer runs."""
    n, h, _ = masks.shape
    edges = np.diff(np.pad(masks, ((0, 0), (0, 0), (1, 1))).astype(np.int8), axis=-1)
    runs = max(1, int((edges == 1).sum(-1).max()))
    lo, hi = np.full((n, h, runs), empty[0], np.int64), np.full((n, h, runs), empty[1], np.int64)
    for i, y in zip(*np.nonzero(masks.any(-1)), strict=True):
        starts = np.flatnonzero(edges[i, y] == 1)
        ends = np.flatnonzero(edges[i, y] == -1) - 1
        lo[i, y, : starts.size], hi[i, y, : starts.size] = starts, ends
    return lo, hi


class SpanTable:
    """Shapes known when the env is built, drawn at a dynamic index: each (a pixel mask over a
    window's rows, bool[h, W]) is stored as its runs of columns per row, already biased for
    `span_masks`, so a step gathers one small table row per env instead of computing the
    shape, and each byte makes two compares per run (at most `runs` per row).

    Use it where a shape depends on a few small integers (an arrow's length and direction, a
    glyph): exact by construction, and nearly free to compile.
    """

    def __init__(self, masks: np.ndarray) -> None:
        masks = np.asarray(masks, bool)
        if masks.ndim != 3 or masks.shape[-1] > 256:
            raise ValueError(f"masks must be bool[n, h, W<=256], got {masks.shape}")
        lo, hi = _mask_runs(masks, empty=(255, 0))  # no column meets [255, 0]
        self.runs = lo.shape[-1]
        self.table = (np.stack([lo, hi], axis=-1) - 128).astype(np.int8)

    def __len__(self) -> int:
        return self.table.shape[0]

    def spans(self, index: Any) -> list[tuple[jax.Array, jax.Array]]:
        """The `runs` spans (biased int8 [h, 1] pairs) of shape `index` (clipped to the table)."""
        # one contiguous table row per shape: XLA emits a gather as a loop nest over its output,
        # and a flat innermost dimension is a vectorized copy where [h, runs, 2] is scalar code
        flat = jnp.asarray(self.table.reshape(len(self), -1))
        rows = flat[jnp.clip(index, 0, len(self) - 1)].reshape(self.table.shape[1:])
        return [(rows[:, r, 0:1], rows[:, r, 1:2]) for r in range(self.runs)]


class Strips:
    """Runs of one colour on byte rows, each drawn by gathering one whole row from a table
    instead of comparing every byte against the run's bounds.

    Row n of the table is `colour` repeated n times between runs of zeros; the canvas-wide
    slice (3W bytes) that starts `3W - 3 lo` bytes into it holds `colour` on columns
    lo..lo+n-1 and 0 elsewhere. Adding that slice to a band's bytes (uint8, so modulo 256)
    draws the run: a load and an add per byte, where a mask costs two compares, an OR and a
    select (`span_mask`, `add_colour`). XLA fuses a gather of whole contiguous rows into the
    frame's loop as vector loads; measured on the shared harness (64 envs, CartPole's three
    shapes on 44 rows), 1.6-2x less time over a frame write than the compares.

    To paint a colour over a uniform background, add the difference (`colour_delta`). Runs
    longer than `max_len` are cut to it, so size it from the shapes' geometry; `fixed=True`
    stores only lengths 0 and `max_len` (a run of one width, shown or not).
    """

    def __init__(self, colour: Colour | int, width: int, max_len: int, *, fixed: bool = False):
        if not 0 < max_len <= width:
            raise ValueError(f"max_len must be in 1..{width}, got {max_len}")
        self.width, self.max_len, self.fixed = width, max_len, fixed
        w3 = 3 * width
        self.stride = 2 * w3 + 3 * max_len
        lengths = (0, max_len) if fixed else range(max_len + 1)
        table = np.zeros((len(lengths), self.stride), np.uint8)
        for i, n in enumerate(lengths):
            table[i, w3 : w3 + 3 * n] = np.tile(colour_row(colour, 1), n)
        table.setflags(write=False)
        self.table = table

    def start(self, lo: Any, hi: Any) -> jax.Array:
        """Where the row of the inclusive run lo..hi starts in the flat table (an empty run
        where lo > hi; clipped to the canvas). Integer bounds give int32; float bounds (taken
        as ceil(lo), floor(hi)) give an exact float32, to compute in a per-row kernel."""
        lo, hi = jnp.asarray(lo), jnp.asarray(hi)
        if jnp.issubdtype(lo.dtype, jnp.floating) or jnp.issubdtype(hi.dtype, jnp.floating):
            lo = jnp.ceil(jnp.clip(lo.astype(jnp.float32), 0.0, self.width))
            hi = jnp.floor(jnp.clip(hi.astype(jnp.float32), -1.0, self.width - 1.0))
        else:
            lo, hi = jnp.clip(lo, 0, self.width), jnp.clip(hi, -1, self.width - 1)
        n = jnp.clip(hi - lo + 1, 0, self.max_len)
        row = (n > 0).astype(n.dtype) if self.fixed else n
        return row * self.stride + 3 * (self.width - lo)

    def rows(self, start: Any) -> jax.Array:
        """uint8[..., 3W]: the table's row slices at `start` (from `start`, any shape).

        Starts outside the table are clamped (as `dynamic_slice` does), by a clamp per row
        rather than `dynamic_slice`'s wrap of negative indices plus the clamp: per-row scalar
        work in the frame's loop, beside a row of only 12 vectors at 128 px.
        """
        start = jnp.asarray(start).astype(jnp.int32)
        flat, w3 = jnp.asarray(self.table.ravel()), 3 * self.width
        index = jnp.clip(start, 0, flat.shape[0] - w3).reshape(-1, 1)
        dims = jax.lax.GatherDimensionNumbers(
            offset_dims=(1,), collapsed_slice_dims=(), start_index_map=(0,)
        )
        rows = jax.lax.gather(
            flat, index, dims, (w3,), mode=jax.lax.GatherScatterMode.PROMISE_IN_BOUNDS
        )
        return rows.reshape(*start.shape, w3)


def colour_delta(colour: Colour | int, under: Colour | int) -> tuple[int, int, int]:
    """The colour that, added modulo 256 to `under`, gives `colour` (to paint by `Strips`)."""
    c, u = unpack_colour(colour), unpack_colour(under)
    return tuple((a - b) % 256 for a, b in zip(c, u, strict=True))  # type: ignore[return-value]


class StripTable:
    """Shapes known when the env is built, drawn at a dynamic index by `Strips`: each shape
    (a pixel mask over a window's rows, bool[h, W]) is stored as the strip starts of its runs
    per row, so a step gathers one small table row per env and then one strip row per run."""

    def __init__(self, masks: np.ndarray, colour: Colour | int) -> None:
        masks = np.asarray(masks, bool)
        if masks.ndim != 3:
            raise ValueError(f"masks must be bool[n, h, W], got {masks.shape}")
        n, h, w = masks.shape
        lo, hi = _mask_runs(masks, empty=(w, w - 1))
        self.runs = lo.shape[-1]
        self.strips = Strips(colour, w, max(1, int((hi - lo + 1).max())))
        starts = np.asarray(self.strips.start(lo, hi), np.int32)
        self.table = starts.reshape(n, h * self.runs)
        self.table.setflags(write=False)
        self.shape = (h, w)

    def __len__(self) -> int:
        return self.table.shape[0]

    def rows(self, index: Any) -> jax.Array:
        """uint8[h, 3W]: shape `index` (clipped to the table) as bytes to add to a band."""
        starts = jnp.asarray(self.table)[jnp.clip(index, 0, len(self) - 1)]
        starts = starts.reshape(self.shape[0], self.runs)
        out = self.strips.rows(starts[:, 0])
        for r in range(1, self.runs):
            out = out + self.strips.rows(starts[:, r])
        return out


def row_span(win: Window, rows: Any, lo: Any, hi: Any) -> tuple[jax.Array, jax.Array]:
    """The interval (lo, hi) on the rows where `rows` (bool [h, 1]) holds, empty elsewhere."""
    return jnp.where(rows, lo, 1), jnp.where(rows, hi, 0)


def add_colour(pixels: jax.Array, where: Any, colour: Colour | int) -> jax.Array:
    """Add `colour` to every channel modulo 256 where `where` (a byte mask, or a per-byte count
    of how many times) holds: the reference's additive blending, which uint8 arithmetic wraps by
    itself. A mask costs a select and an add per byte (x86 has no byte multiply)."""
    row = jnp.asarray(colour_row(colour, pixels.shape[-1] // 3))
    where = jnp.asarray(where)
    if where.dtype == jnp.bool_:
        return pixels + jnp.where(where, row, jnp.uint8(0))
    return pixels + where.astype(jnp.uint8) * row


# ---------------------------------------------------------------------------- bitmaps


def bitmap_rows(bitmap: np.ndarray) -> np.ndarray:
    """bool[h, w] -> uint32[chunks, h]: each row as bits, 32 columns per chunk (bit i = col i)."""
    h, w = bitmap.shape
    chunks = (w + 31) // 32
    padded = np.zeros((h, chunks * 32), bool)
    padded[:, :w] = bitmap
    bits = padded.reshape(h, chunks, 32).astype(np.uint64) << np.arange(32, dtype=np.uint64)
    return bits.sum(-1).astype(np.uint32).T.copy()


def bitmap_mask(win: Window, bitmap: np.ndarray, x: Any, y: Any) -> jax.Array:
    """Where the 1-bit `bitmap` (bool[h, w], static) lies with its top-left at dynamic (x, y).

    Per env this gathers one word per window row; per pixel it is a shift and a compare. A
    bitmap hanging over the window's edge is clipped exactly.
    """
    h, w = bitmap.shape
    rows = jnp.asarray(bitmap_rows(bitmap))  # [chunks, h]
    ry = win.ys[:, 0] - y  # bitmap row of each window row
    in_rows = (ry >= 0) & (ry < h)
    ryc = jnp.clip(ry, 0, h - 1)
    dx = win.xs[0] - x  # bitmap column of each window column
    in_cols = (dx >= 0) & (dx < w)
    dxc = jnp.clip(dx, 0, w - 1)
    word = rows[0][ryc][:, None]
    for k in range(1, rows.shape[0]):
        word = jnp.where((dxc // 32 == k)[None, :], rows[k][ryc][:, None], word)
    bit = (word >> (dxc % 32).astype(jnp.uint32)[None, :]) & 1
    return (bit == 1) & in_rows[:, None] & in_cols[None, :]


class Sprite:
    """A small multi-colour image stamped at a dynamic position: one 1-bit layer per colour
    (`bitmap_mask` each), so a sprite of k colours costs k shift-and-compare passes over the
    window and no per-pixel gather. Pixels equal to `transparent` (or masked out by `mask`)
    keep what is underneath."""

    def __init__(
        self,
        image: np.ndarray,
        *,
        transparent: Colour | None = None,
        mask: np.ndarray | None = None,
    ) -> None:
        image = np.asarray(image, np.uint8)
        packed = pack_image(image)
        keep = np.ones(packed.shape, bool) if mask is None else np.asarray(mask, bool)
        if transparent is not None:
            keep &= packed != pack(transparent)
        self.shape = packed.shape
        self.layers = [(int(c), keep & (packed == c)) for c in np.unique(packed[keep])]

    def paint(self, pixels: jax.Array, win: Window, x: Any, y: Any) -> jax.Array:
        """`pixels` (of `win`) with the sprite's top-left at dynamic (x, y), clipped exactly."""
        for colour, bits in self.layers:
            pixels = paint(pixels, bitmap_mask(win, bits, x, y), colour)
        return pixels


# ---------------------------------------------------------------------------- numbers

_FONT_ROWS = np.asarray(
    [[sum(1 << c for c in range(5) if DIGITS[d][r, c]) for r in range(5)] for d in range(10)],
    np.uint8,
)  # [digit, font row]: the row's 5 pixels as bits (bit c = font column c)


@cache
def _font_columns(font_row: tuple[int, ...]) -> np.ndarray:
    """uint8[10, h]: each digit's 5-bit font row on each of a number window's rows (`font_row`:
    the window's rows' font rows, 5 for the blank rows above the glyphs)."""
    table = np.concatenate([_FONT_ROWS, np.zeros((10, 1), np.uint8)], axis=1)  # font row 5: blank
    return table[:, np.asarray(font_row)]


@cache
def _number_layout(
    box: tuple[int, int, int, int],
    digit_w: int,
    max_digits: int,
    margin: int,
    gap: int,
    width: int | None,
    top: int | None = None,
) -> tuple[Window, np.ndarray, np.ndarray, np.ndarray]:
    """Static tables for `number_mask`: the window any 1..max_digits number can touch (from
    row `top` if given, above the glyphs); per digit count n, each byte's digit slot (255:
    none) and its font column's bit (0: none); each row's font row (5: blank)."""
    x0, y0, x1, y1 = box
    cell_w, cell_h = digit_w // 5, ((y1 - margin) - (y0 + margin)) // 5
    widths = [n * digit_w + (n - 1) * gap for n in range(1, max_digits + 1)]
    lefts = [x0 + ((x1 - x0) - wd) // 2 for wd in widths]
    right = max(le + wd for le, wd in zip(lefts, widths, strict=True))
    first = y0 + margin if top is None else top
    if first > y0 + margin:
        raise ValueError(f"top {top} is below the glyphs' first row {y0 + margin}")
    win = Window(min(lefts), first, right, y0 + margin + 5 * cell_h, width)
    xs = np.arange(3 * win.canvas_width) // 3
    slot = np.full((max_digits, xs.size), 255, np.uint8)
    bit = np.zeros((max_digits, xs.size), np.uint8)
    for n, left in enumerate(lefts, 1):
        rel = xs - left
        k, within = rel // (digit_w + gap), rel % (digit_w + gap)
        ok = (rel >= 0) & (k < n) & (within < 5 * cell_w)
        slot[n - 1] = np.where(ok, k, 255)
        bit[n - 1] = np.where(ok, 1 << np.clip(within // cell_w, 0, 4), 0)
    row = (np.arange(win.y0, win.y1) - (y0 + margin)) // cell_h  # 0..4 on the glyphs' rows
    return win, slot, bit, np.where(row < 0, 5, row).astype(np.int32)


def number_window(
    box: tuple[int, int, int, int],
    digit_w: int,
    max_digits: int,
    margin: int = 1,
    gap: int = 2,
    *,
    width: int | None = None,
    top: int | None = None,
) -> Window:
    """The window `number_mask` draws in for this box (all digit counts up to `max_digits`);
    `width` is the canvas width; `top` starts it higher, so that the rows above the glyphs
    join its band instead of making one of their own (a frame fuses at most 8 bands: see
    `compose`)."""
    return _number_layout(tuple(box), digit_w, max_digits, margin, gap, width, top)[0]


def number_mask(
    value: Any,
    box: tuple[int, int, int, int],
    *,
    digit_w: int,
    max_digits: int,
    margin: int = 1,
    gap: int = 2,
    width: int | None = None,
    top: int | None = None,
) -> jax.Array:
    """Bytes lit by a non-negative integer centred in `box` with the digit font
    (docs/games/conventions.md §Drawing primitives), over `number_window(box, ..., width=width,
    top=top)` (`width`: the canvas width).

    Digits are placed as the spec says: n digits of width `digit_w` and gap `gap`, centred;
    each glyph cell `digit_w // 5` wide and `(box height - 2 margin) // 5` high. A value with
    more than `max_digits` digits shows its last `max_digits`; a negative value shows as the
    single digit `value mod 10`, as the reference draws it.

    Drawn in uint8: per row and digit slot, the digit's 5-bit font row ([h, D], per env: one
    contiguous table row per digit); per byte, its slot's row picked by D - 1 selects against
    a static slot table and tested against the byte's static font-column bit — no per-byte
    shift, no per-byte gather.
    """
    win, slot_t, bit_t, font_row = _number_layout(
        tuple(box), digit_w, max_digits, margin, gap, width, top
    )
    v = jnp.asarray(value, jnp.int32)
    v = jnp.where(v < 0, jnp.mod(v, 10), v)
    n = jnp.int32(1)  # digits shown, 1..max_digits
    for k in range(1, max_digits):
        n = n + (v >= 10**k).astype(jnp.int32)
    # every digit by a constant divisor (a multiply and shifts, where a divisor picked per env
    # is an integer division); slot k (from the left) shows digit n - 1 - k
    place = [(v // 10**k) % 10 for k in range(max_digits)]
    digits = []
    for k in range(max_digits):
        d = place[0]
        for j in range(1, max_digits):
            d = jnp.where(n - 1 - k == j, place[j], d)
        digits.append(d)
    # each slot's font row on every window row, gathered as one contiguous table row per
    # digit: uint8 from the start, so the per-byte selects below stay in bytes (shifting
    # packed uint32 font words instead put those selects in 32-bit lanes, 8x the work)
    columns = jnp.asarray(_font_columns(tuple(font_row)))  # [10, h]
    rows = columns[jnp.stack(digits)].T  # [h, D], most significant digit first
    slot, bit = jnp.asarray(slot_t)[n - 1], jnp.asarray(bit_t)[n - 1]  # [3W]
    font = rows[:, max_digits - 1 :]
    for k in range(max_digits - 1):
        font = jnp.where(slot[None, :] == k, rows[:, k : k + 1], font)
    return (font & bit[None, :]) != 0


# ---------------------------------------------------------------------------- boards


class Board:
    """An R x C board of square cells drawn from K static tile images, with grid lines.

    Geometry as docs/games/conventions.md §Drawing primitives: a `gap`-px grid line before every
    cell and after the last, so cell (i, j) (column i, row j) has its interior at `(gap +
    i*(cell+gap), gap + j*(cell+gap))` relative to `(x, y)`, the board's top-left on the canvas (of
    `width` columns, default the board's right edge). `tiles` is uint8[K, cell, cell, 3] (or [K, 3]
    for flat colours); a step passes `kinds` (int[R, C], values 0..K-1) and gets the board's byte
    rows: each cell's kind is spread over its rows by broadcasting and over its columns by a product
    with a static one-hot matrix (no gather), then picked from K precomputed board images by K - 1
    selects.
    """

    def __init__(
        self,
        rows: int,
        cols: int,
        cell: int,
        gap: int,
        tiles: np.ndarray,
        line_colour: Colour,
        x: int,
        y: int,
        width: int | None = None,
    ) -> None:
        tiles = np.asarray(tiles, np.uint8)
        if tiles.ndim == 2:  # flat colours
            tiles = np.broadcast_to(tiles[:, None, None, :], (tiles.shape[0], cell, cell, 3))
        self.rows, self.cols, self.cell, self.gap = rows, cols, cell, gap
        self.pitch = pitch = cell + gap
        h, w = rows * pitch + gap, cols * pitch + gap
        self.window = Window(x, y, x + w, y + h, width)
        W = self.window.canvas_width
        ys, xs = np.arange(h), np.arange(W) - x
        inside = (xs >= 0) & (xs < w)
        line = (ys[:, None] % pitch < gap) | (xs[None, :] % pitch < gap) | ~inside[None, :]
        iy = np.clip((ys - gap) % pitch, 0, cell - 1)
        ix = np.clip((xs - gap) % pitch, 0, cell - 1)
        images = tiles[:, iy[:, None], ix[None, :]]  # [K, h, W, 3]
        images[:, line] = np.asarray(line_colour, np.uint8)
        self.images = images.reshape(images.shape[0], h, 3 * W)
        col = np.where(inside & (xs % pitch >= gap), (xs - gap) // pitch, -1).clip(-1, cols - 1)
        self._onehot = np.repeat(
            (col[None, :] == np.arange(cols)[:, None]).astype(np.float32), 3, axis=1
        )  # [C, 3W]: which board column each byte is in

    def cell_box(self, col: int, row: int) -> tuple[int, int, int, int]:
        """Canvas box (x0, y0, x1, y1) of cell (col, row)'s interior."""
        x = self.window.x0 + self.gap + col * self.pitch
        y = self.window.y0 + self.gap + row * self.pitch
        return (x, y, x + self.cell, y + self.cell)

    def kinds_per_byte(self, kinds: jax.Array) -> jax.Array:
        """int32[h, 3W]: the kind of the cell under each byte (0 on grid lines and outside)."""
        R, p, g = self.rows, self.pitch, self.gap
        kinds = jnp.asarray(kinds, jnp.float32)
        per_row = jnp.broadcast_to(kinds[:, None, :], (R, p, self.cols)).reshape(R * p, -1)
        per_row = jnp.pad(per_row, ((g, 0), (0, 0)))  # top grid line: kind 0, masked below
        return jnp.dot(per_row, jnp.asarray(self._onehot)).astype(jnp.int32)

    def pixels(self, kinds: jax.Array) -> jax.Array:
        """The board's byte rows (uint8[h, 3W]) for `kinds` (int[R, C])."""
        spread = self.kinds_per_byte(kinds)
        out = jnp.asarray(self.images[0])
        for k in range(1, self.images.shape[0]):
            out = jnp.where(spread == k, jnp.asarray(self.images[k]), out)
        return out
