"""Pixel-exact tests of the render primitives against brute-force versions of
docs/games/conventions.md §Drawing primitives."""

from __future__ import annotations

import string

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from arcade_core.render import (
    DIGITS,
    LETTERS,
    Board,
    FrameLayout,
    SpanTable,
    Strips,
    StripTable,
    Window,
    add_colour,
    bitmap_mask,
    colour_delta,
    compose,
    fill_rect,
    glyph_mask,
    grid,
    new_canvas,
    number_mask,
    number_window,
    pack,
    pack_image,
    pixel_mask,
    span_mask,
    text,
    to_image,
    to_rows,
    triangle_mask,
    unpack_np,
)
from arcade_core.render.canvas import MAX_BANDS
from arcade_core.render.frame import DIGIT_W, LETTER, SCORE_BOX, name_box


def brute_number(
    shape: tuple[int, int], value: int, box: tuple[int, int, int, int], dw: int
) -> np.ndarray:
    """docs/games/conventions.md §Drawing primitives 'number in a box', written pixel by pixel from
    the spec."""
    x0, y0, x1, y1 = box
    m, sp = 1, 2
    digits = [int(c) for c in str(value)] if value >= 0 else [value % 10]
    n = len(digits)
    total = n * dw + (n - 1) * sp
    left = x0 + ((x1 - x0) - total) // 2
    out = np.zeros(shape, bool)
    for k, d in enumerate(digits):
        bx0, by0, bx1, by1 = left + k * (dw + sp), y0 + m, left + k * (dw + sp) + dw, y1 - m
        cw, ch = (bx1 - bx0) // 5, (by1 - by0) // 5
        for r in range(5):
            for c in range(5):
                if DIGITS[d, r, c]:
                    out[by0 + r * ch : by0 + (r + 1) * ch, bx0 + c * cw : bx0 + (c + 1) * cw] = True
    return out


@pytest.mark.parametrize("size", [128, 256])
@pytest.mark.parametrize("value", [0, 7, 10, 42, 199, 600, 1234])
def test_number_matches_spec_layout(size: int, value: int) -> None:
    box = SCORE_BOX[size]
    mask = number_mask(value, box, digit_w=DIGIT_W[size], max_digits=4, width=size)
    win = number_window(box, DIGIT_W[size], 4, width=size)
    got = np.zeros((size, size), bool)
    got[win.y0 : win.y1] = pixel_mask(mask)
    assert np.array_equal(got, brute_number((size, size), value, box, DIGIT_W[size]))


@pytest.mark.parametrize(("size", "rows", "first_x"), [(256, (3, 27), 121), (128, (2, 11), 59)])
def test_score_glyph_rows_and_first_digit_column(
    size: int, rows: tuple[int, int], first_x: int
) -> None:
    """docs/games/conventions.md §The frame: score glyphs on rows 3..27 / 2..11, a one-digit score
    starts at x = 121 / 59."""
    layout = FrameLayout(size, name="CARTPOLE", background=(0, 0, 0), name_colour=(1, 1, 1),
                         score_colour=(255, 255, 255), area_side=96)  # fmt: skip
    frame = np.asarray(layout.render({}, score=8))  # 8 lights every row and both edge columns
    lit = np.argwhere(frame[: size // 4].sum(-1) == 3 * 255)
    assert (lit[:, 0].min(), lit[:, 0].max()) == rows
    assert lit[:, 1].min() == first_x


@pytest.mark.parametrize(
    ("name", "extent256", "extent128"), [("CARTPOLE", (37, 217), (20, 106)), ("COUNTRECALL", (3,
    252), (4, 123)), ("BATTLESHIP", (14, 240), (9, 117)),
     ("NAVIGATOR", (26, 229), (15, 112)), ("TETRIS", (60, 194), (31, 95))],
)  # fmt: skip
def test_name_extents_match_spec_table(
    name: str, extent256: tuple[int, int], extent128: tuple[int, int]
) -> None:
    for size, (first, last) in ((256, extent256), (128, extent128)):
        img = new_canvas(size, size, (0, 0, 0))
        box = name_box(size)
        text(img, name, box, (255, 255, 255), **LETTER[size])
        # the extents table gives the span of the glyph boxes: 5 cells from the first letter's
        # left edge to the last letter's right edge
        lw, gap = LETTER[size]["letter_w"], LETTER[size]["gap"]
        n = len(name)
        left = (size - (n * lw + (n - 1) * gap)) // 2
        assert (left, left + (n - 1) * (lw + gap) + 5 * (lw // 5) - 1) == (first, last)
        cols = np.nonzero(img.any(axis=(0, 2)))[0]
        assert cols.min() >= first and cols.max() <= last
        rows = np.nonzero(img.any(axis=(1, 2)))[0]
        assert (rows.min(), rows.max()) == ((233, 252) if size == 256 else (116, 125))


def test_glyph_mask_scales_cells() -> None:
    g = glyph_mask("1", 3, 5)
    assert g.shape == (25, 15)
    assert np.array_equal(g[::5, ::3], DIGITS[1])


def test_every_capital_letter_and_digit_renders() -> None:
    """The font spells any name: A-Z and 0-9 each draw a distinct, non-empty 5x5 glyph, and
    `text` draws every cell of each, as a game's title is drawn (F, J, Q, X, Y and Z were
    missing once: a plugin named with them lost those letters)."""
    chars = string.ascii_uppercase + string.digits
    glyphs = {ch: glyph_mask(ch, 1, 1) for ch in chars}
    assert all(g.shape == (5, 5) and g.any() for g in glyphs.values())
    for group in (string.ascii_uppercase, string.digits):  # S and 5 share a glyph, as specified
        assert len({glyphs[ch].tobytes() for ch in group}) == len(group)
    assert set(LETTERS) == set(string.ascii_uppercase)
    for size in (128, 256):
        spec = LETTER[size]
        x0, y0, x1, y1 = box = name_box(size)
        cell_w, cell_h = spec["letter_w"] // 5, (y1 - y0 - 2 * spec["margin"]) // 5
        for word in ("ABCDEFGHIJ", "KLMNOPQRST", "UVWXYZ0123", "456789"):
            img = text(new_canvas(size, size, (0, 0, 0)), word, box, (255, 255, 255), **spec)
            lit = sum(int(glyph_mask(ch, cell_w, cell_h).sum()) for ch in word)
            assert int(img.any(-1).sum()) == lit, (size, word)  # every cell drawn, none clipped


def test_fill_rect_is_half_open_and_clipped() -> None:
    img = new_canvas(10, 10, (0, 0, 0))
    fill_rect(img, -3, 2, 4, 5, (9, 8, 7))
    want = np.zeros((10, 10), bool)
    want[2:5, 0:4] = True
    assert np.array_equal(img.any(-1), want)
    assert tuple(img[3, 1]) == (9, 8, 7)


def test_grid_lines_follow_spec_pattern() -> None:
    img = new_canvas(2 + 3 * 7, 2 + 3 * 7, (0, 0, 0))
    grid(img, 5, 2, (255, 255, 255))
    ys, xs = np.mgrid[: img.shape[0], : img.shape[1]]
    assert np.array_equal(img[..., 0] == 255, (xs % 7 < 2) | (ys % 7 < 2))


@pytest.mark.parametrize("direction", ["up", "down", "left", "right"])
def test_triangle_is_inclusive_and_points_the_right_way(direction: str) -> None:
    m = triangle_mask((12, 12), (2, 2, 8, 8), direction)
    apex = {"up": (2, 5), "down": (8, 5), "left": (5, 2), "right": (5, 8)}[direction]
    assert m[apex]  # the apex pixel itself (edges inclusive)
    base = {"up": m[8, 2:9], "down": m[2, 2:9], "left": m[2:9, 8], "right": m[2:9, 2]}[direction]
    assert base.all()  # the whole base line, both corners included
    assert m.sum() == (m[2:9, 2:9]).sum()  # nothing outside the inclusive box


def test_pack_and_byte_rows_roundtrip() -> None:
    rng = np.random.default_rng(0)
    img = rng.integers(0, 256, (7, 9, 3), dtype=np.uint8)
    assert np.array_equal(unpack_np(pack_image(img)), img)
    rows = to_rows(img)
    assert rows.shape == (7, 27) and np.array_equal(rows[:, 3 * 4 + 1], img[:, 4, 1])
    assert np.array_equal(np.asarray(to_image(jnp.asarray(rows))), img)
    assert pack((1, 2, 3)) == 1 | 2 << 8 | 3 << 16


def test_window_bytes_know_their_pixel() -> None:
    win = Window(3, 2, 10, 9, 12)
    assert win.shape == (7, 36)
    assert np.array_equal(np.asarray(win.xs)[0], np.repeat(np.arange(12), 3))
    assert np.array_equal(np.asarray(win.channel)[0], np.tile([0, 1, 2], 12))
    assert np.array_equal(np.asarray(win.ys)[:, 0], np.arange(2, 9))
    assert not win.full and Window(0, 0, 12, 4, 12).full


def test_compose_places_windows_and_rejects_overlap() -> None:
    rng = np.random.default_rng(1)
    bg = rng.integers(0, 256, (20, 30, 3)).astype(np.uint8)
    # a narrow window, a full-width band, and a window sharing rows with the first
    a, b, c = Window(3, 2, 10, 9, 30), Window(0, 12, 30, 15, 30), Window(20, 4, 25, 6, 30)
    pixels = {w: jnp.full(w.shape, v, jnp.uint8) for w, v in ((a, 7), (b, 9), (c, 11))}
    got = np.asarray(to_image(compose(to_rows(bg), pixels)))
    want = bg.copy()
    want[2:9, 3:10] = 7
    want[12:15, :] = 9
    want[4:6, 20:25] = 11
    assert np.array_equal(got, want)
    with pytest.raises(ValueError, match="overlap"):
        compose(
            to_rows(bg), {a: pixels[a], Window(8, 8, 12, 12, 30): jnp.zeros((4, 90), jnp.uint8)}
        )
    with pytest.raises(ValueError, match="spans"):
        compose(to_rows(bg), {Window(0, 0, 10, 2): jnp.zeros((2, 30), jnp.uint8)})
    # more row bands than XLA fuses into one kernel: a warning, and still the right frame
    rows = {Window(0, y, 30, y + 1, 30): jnp.full((1, 90), y, jnp.uint8) for y in range(1, 19, 3)}
    assert len({0, 20, *(w.y0 for w in rows), *(w.y1 for w in rows)}) - 1 > MAX_BANDS
    with pytest.warns(UserWarning, match="row bands"):
        got = np.asarray(to_image(compose(to_rows(bg), rows)))
    assert np.array_equal(got[1::3][:6, :, 0], np.repeat(np.arange(1, 19, 3)[:, None], 30, 1))


@pytest.mark.parametrize("size", [128, 256])
def test_number_window_from_top_adds_blank_rows_only(size: int) -> None:
    box = SCORE_BOX[size]
    plain = number_window(box, DIGIT_W[size], 3, width=size)
    tall = number_window(box, DIGIT_W[size], 3, width=size, top=0)
    assert (tall.y0, tall.y1, tall.x0, tall.x1) == (0, plain.y1, plain.x0, plain.x1)
    for value in (0, 8, 47, 600):
        kw = dict(digit_w=DIGIT_W[size], max_digits=3, width=size)
        a = np.asarray(number_mask(value, box, **kw))
        b = np.asarray(number_mask(value, box, top=0, **kw))
        assert not b[: plain.y0].any() and np.array_equal(b[plain.y0 :], a)
    with pytest.raises(ValueError, match="below the glyphs"):
        number_window(box, DIGIT_W[size], 3, width=size, top=plain.y0 + 1)


@pytest.mark.parametrize(("x", "y"), [(5, 4), (-3, 2), (25, -2), (0, 0), (40, 3)])
def test_bitmap_mask_places_and_clips_exactly(x: int, y: int) -> None:
    rng = np.random.default_rng(2)
    bitmap = rng.random((6, 37)) < 0.5  # wider than one 32-bit word
    win = Window(0, 1, 60, 12)
    got = pixel_mask(bitmap_mask(win, bitmap, jnp.int32(x), jnp.int32(y)))
    full = np.zeros((20, 60), bool)
    for r in range(6):
        for c in range(37):
            if bitmap[r, c] and 0 <= y + r < 20 and 0 <= x + c < 60:
                full[y + r, x + c] = True
    assert np.array_equal(got, full[win.y0 : win.y1])


def test_bitmap_mask_under_vmap_matches_single() -> None:
    bitmap = np.eye(5, dtype=bool)
    win = Window(0, 0, 16, 16)
    xs, ys = jnp.asarray([0, 3, 11]), jnp.asarray([1, 7, 12])
    batched = jax.vmap(lambda x, y: bitmap_mask(win, bitmap, x, y))(xs, ys)
    for i in range(3):
        assert np.array_equal(batched[i], bitmap_mask(win, bitmap, xs[i], ys[i]))


def test_add_colour_wraps_each_channel_without_carry() -> None:
    base = to_rows(np.asarray([[[250, 10, 128], [0, 255, 255]]], np.uint8))
    for times in range(4):
        got = np.asarray(to_image(add_colour(jnp.asarray(base), times, (140, 69, 18))))
        want = (
            np.asarray([[[250, 10, 128], [0, 255, 255]]]) + times * np.asarray([140, 69, 18])
        ) % 256
        assert np.array_equal(got, want.astype(np.uint8))


def test_board_draws_cells_and_grid_lines() -> None:
    tiles = np.asarray([[10, 10, 10], [200, 0, 0], [0, 200, 0]], np.uint8)
    board = Board(3, 4, 5, 2, tiles, (255, 255, 255), x=1, y=2, width=40)
    kinds = np.asarray([[0, 1, 2, 0], [2, 2, 1, 0], [1, 0, 0, 2]])
    got = np.asarray(to_image(board.pixels(jnp.asarray(kinds))))[:, 1 : 1 + 30]
    want = new_canvas(2 + 3 * 7, 2 + 4 * 7, (255, 255, 255))
    for j in range(3):
        for i in range(4):
            x0, y0, x1, y1 = board.cell_box(i, j)
            fill_rect(want, x0 - 1, y0 - 2, x1 - 1, y1 - 2, tiles[kinds[j, i]])
    assert np.array_equal(got, want)
    assert board.window == Window(1, 2, 1 + 30, 2 + 23, 40)


def test_sprite_stamps_every_colour_and_keeps_transparent_pixels() -> None:
    from arcade_core.render import Sprite

    img = np.zeros((3, 4, 3), np.uint8)
    img[0, 1] = (255, 0, 0)
    img[2, 3] = (0, 0, 255)
    img[1, :] = (9, 9, 9)
    sprite = Sprite(img, transparent=(0, 0, 0))
    win = Window(0, 0, 10, 8)
    bg = jnp.asarray(to_rows(np.broadcast_to(np.uint8([1, 2, 3]), (8, 10, 3))))
    got = np.asarray(to_image(sprite.paint(bg, win, jnp.int32(8), jnp.int32(2))))
    want = np.broadcast_to(np.asarray([1, 2, 3], np.uint8), (8, 10, 3)).copy()
    for (r, c), colour in np.ndenumerate(pack_image(img)):
        if colour and 0 <= 8 + c < 10:
            want[2 + r, 8 + c] = unpack_np(np.asarray([colour], np.uint32))[0]
    assert np.array_equal(got, want)


@pytest.mark.parametrize("seed", range(6))
def test_triangle_spans_equal_the_triangle_predicate(seed: int) -> None:
    """Per-row spans + span_mask draw exactly `in_triangle`, any orientation, degenerate too."""
    from arcade_core.render.geometry import in_triangle, triangle_spans

    rng = np.random.default_rng(seed)
    win = Window(0, 0, 40, 30)
    for _ in range(20):
        pts = [tuple(int(v) for v in rng.integers(-5, 45, 2)) for _ in range(3)]
        if seed == 0:
            pts[2] = pts[1]  # degenerate: a segment
        spans = triangle_spans(win.ys, *[(jnp.int32(x), jnp.int32(y)) for x, y in pts])
        got = pixel_mask(span_mask(win, *spans))
        ys, xs = np.mgrid[0:30, 0:40]
        assert np.array_equal(got, in_triangle(xs, ys, *pts)), pts


def test_disc_span_and_isqrt_are_exact() -> None:
    from arcade_core.render.geometry import disc_span, in_disc, isqrt

    n = jnp.arange(-3, 5000, dtype=jnp.int32)
    r = np.asarray(isqrt(n))
    nn = np.arange(-3, 5000)
    assert np.all(np.where(nn < 0, r == -1, (r * r <= nn) & ((r + 1) ** 2 > nn)))
    win = Window(0, 0, 50, 50)
    for cx, cy, rad in ((20, 20, 7), (0, 3, 5), (49, 49, 12), (25, 60, 4)):
        got = pixel_mask(span_mask(win, disc_span(win.ys, cx, cy, rad * rad)))
        ys, xs = np.mgrid[0:50, 0:50]
        assert np.array_equal(got, in_disc(xs, ys, cx, cy, rad))


def test_span_mask_clips_and_takes_float_bounds() -> None:
    win = Window(0, 0, 10, 3)
    lo = jnp.asarray([[-4.0], [2.5], [jnp.inf]])
    hi = jnp.asarray([[1.0], [4.0], [3.0]])
    got = pixel_mask(span_mask(win, (lo, hi)))
    want = np.zeros((3, 10), bool)
    want[0, 0:2] = True  # clipped at the left edge
    want[1, 3:5] = True  # ceil(2.5) .. 4
    assert np.array_equal(got, want)
    far = pixel_mask(span_mask(win, (jnp.int32(300), jnp.int32(400))))
    assert not far.any()  # beyond the canvas: nothing, not a clipped last column


@pytest.mark.parametrize("width", [37, 256])
def test_span_table_redraws_every_shape_exactly(width: int) -> None:
    """Random masks of up to three runs per row (empty rows, runs at both edges, a full row
    of a 256-px canvas) come back exactly from their table, at a traced index."""
    rng = np.random.default_rng(width)
    masks = rng.random((9, 6, width)) < 0.08
    masks = masks | np.roll(masks, 1, -1)  # some runs longer than one pixel
    masks[0] = False
    masks[1, 0] = True  # a full row
    masks[2, :, 0] = masks[2, :, -1] = True
    # keep at most three runs per row
    for i, y in np.ndindex(masks.shape[:2]):
        starts = np.flatnonzero(np.diff(np.pad(masks[i, y], 1).astype(int)) == 1)
        if starts.size > 3:
            masks[i, y, starts[3] :] = False
    table = SpanTable(masks)
    assert table.runs <= 3 and len(table) == 9
    win = Window(0, 0, width, 6)
    draw = jax.jit(lambda i: span_mask(win, *table.spans(i)))
    for i in range(9):
        assert np.array_equal(pixel_mask(draw(jnp.int32(i))), masks[i]), i
    assert np.array_equal(pixel_mask(draw(jnp.int32(99))), masks[-1])  # index clipped


@pytest.mark.parametrize("width", [37, 256])
def test_strips_add_the_same_bytes_as_a_span_mask(width: int) -> None:
    """Per-row runs, int and float (clipped at both edges, empty, off the canvas, a full row),
    drawn by `Strips` onto random bytes equal `add_colour` of their `span_mask`."""
    rng = np.random.default_rng(width)
    h, colour = 64, (200, 7, 130)
    lo = rng.integers(-20, width + 20, h)
    hi = lo + rng.integers(-3, width // 2, h)
    lo[:4], hi[:4] = (0, 5, width - 1, -9), (width - 1, 4, width + 9, -1)  # full, empty, edges
    win, under = (
        Window(0, 0, width, h),
        jnp.asarray(rng.integers(0, 256, (h, 3 * width)), jnp.uint8),
    )
    strips = Strips(colour, width, width)
    draw = jax.jit(lambda lo, hi: under + strips.rows(strips.start(lo, hi)))
    want = add_colour(
        under, span_mask(win, (jnp.asarray(lo)[:, None], jnp.asarray(hi)[:, None])), colour
    )
    assert np.array_equal(draw(jnp.asarray(lo), jnp.asarray(hi)), want)
    # float bounds: ceil(lo) .. floor(hi), starts exact in float32
    flo, fhi = lo + rng.uniform(-0.99, 0.0, h), hi + rng.uniform(0.0, 0.99, h)
    start = strips.start(jnp.asarray(flo, jnp.float32), jnp.asarray(fhi, jnp.float32))
    assert start.dtype == jnp.float32
    assert np.array_equal(np.asarray(start), np.asarray(strips.start(lo, hi)))
    # a run longer than max_len is cut to it; fixed strips draw max_len columns or none
    short = Strips(colour, width, 3)
    cut = pixel_mask(short.rows(short.start(jnp.int32(2), jnp.int32(20)))[None])
    assert np.flatnonzero(cut[0]).tolist() == [2, 3, 4]
    fixed = Strips(colour, width, 5, fixed=True)
    assert fixed.table.shape[0] == 2
    bar = pixel_mask(fixed.rows(fixed.start(jnp.asarray([1, 9]), jnp.asarray([5, 8])))[:, None])
    assert np.flatnonzero(bar[0, 0]).tolist() == [1, 2, 3, 4, 5] and not bar[1].any()
    with pytest.raises(ValueError, match="max_len"):
        Strips(colour, width, width + 1)


def test_colour_delta_paints_over_its_background() -> None:
    under, colour = (51, 51, 51), (245, 74, 140)
    delta = np.asarray(colour_delta(colour, under), np.uint8)
    assert np.array_equal(np.asarray(under, np.uint8) + delta, np.asarray(colour, np.uint8))


@pytest.mark.parametrize("width", [37, 256])
def test_strip_table_redraws_every_shape_exactly(width: int) -> None:
    """Random masks of up to three runs per row come back exactly from their `StripTable`, in
    its colour on zeros, at a traced index (clipped to the table)."""
    rng = np.random.default_rng(width + 1)
    masks = rng.random((9, 6, width)) < 0.08
    masks = masks | np.roll(masks, 1, -1)
    masks[0] = False
    masks[1, 0] = True  # a full row
    masks[2, :, 0] = masks[2, :, -1] = True
    table = StripTable(masks, (9, 99, 255))
    assert len(table) == 9 and table.strips.max_len == width
    draw = jax.jit(table.rows)
    for i in range(9):
        got = np.asarray(draw(jnp.int32(i))).reshape(6, width, 3)
        assert np.array_equal(got, masks[i][..., None] * np.asarray([9, 99, 255])), i
    assert np.array_equal(np.asarray(draw(jnp.int32(99))), np.asarray(draw(jnp.int32(8))))


def test_static_line_covers_pixels_within_half_width() -> None:
    from arcade_core.render import line

    img = new_canvas(9, 9, (0, 0, 0))
    line(img, (1, 4), (7, 4), 1.0, (255, 255, 255))
    lit = img[..., 0] == 255
    assert lit[4, 1:8].all() and lit.sum() == 7  # a 1-px horizontal line, ends inclusive


def test_every_frame_fits_in_one_fused_kernel() -> None:
    """No registered game composes more row bands than XLA's CPU backend fuses (`compose`
    warns past `MAX_BANDS`): tracing each env's reset and step must not warn."""
    import warnings

    import arcade_core

    for env_id in arcade_core.list_envs():
        for size in (128, 256):
            env, params = arcade_core.make(env_id, obs_size=size)
            with warnings.catch_warnings():
                warnings.filterwarnings("error", message=".*row bands")
                jax.eval_shape(lambda k, e=env, p=params: e.reset(k, p), jax.random.key(0))
