"""Pixel-exact tests of the render primitives against brute-force versions of GAMES.md §2."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from arcade_core.render import (
    DIGITS,
    Board,
    FrameLayout,
    Window,
    add_colour,
    bitmap_mask,
    compose,
    fill_rect,
    glyph_mask,
    grid,
    new_canvas,
    number_mask,
    number_window,
    pack,
    pack_image,
    text,
    triangle_mask,
    unpack,
    unpack_np,
)
from arcade_core.render.frame import DIGIT_W, LETTER, SCORE_BOX, name_box


def brute_number(
    shape: tuple[int, int], value: int, box: tuple[int, int, int, int], dw: int
) -> np.ndarray:
    """§2.4 'number in a box', written pixel by pixel from the spec."""
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


def place(shape: tuple[int, int], win: Window, mask: np.ndarray) -> np.ndarray:
    full = np.zeros(shape, bool)
    full[win.y0 : win.y1, win.x0 : win.x1] = mask
    return full


@pytest.mark.parametrize("size", [128, 256])
@pytest.mark.parametrize("value", [0, 7, 10, 42, 199, 600, 1234])
def test_number_matches_spec_layout(size: int, value: int) -> None:
    box = SCORE_BOX[size]
    mask = np.asarray(number_mask(value, box, digit_w=DIGIT_W[size], max_digits=4))
    got = place((size, size), number_window(box, DIGIT_W[size], 4), mask)
    assert np.array_equal(got, brute_number((size, size), value, box, DIGIT_W[size]))


@pytest.mark.parametrize(("size", "rows", "first_x"), [(256, (3, 27), 121), (128, (2, 11), 59)])
def test_score_glyph_rows_and_first_digit_column(
    size: int, rows: tuple[int, int], first_x: int
) -> None:
    """GAMES.md §5.8: score glyphs on rows 3..27 / 2..11, a one-digit score starts at x = 121 / 59."""
    layout = FrameLayout(size, name="CARTPOLE", background=(0, 0, 0), name_colour=(1, 1, 1),
                         score_colour=(255, 255, 255), area_side=96)  # fmt: skip
    frame = np.asarray(layout.render({}, score=8))  # 8 lights every row and both edge columns
    lit = np.argwhere(frame[: size // 4].sum(-1) == 3 * 255)
    assert (lit[:, 0].min(), lit[:, 0].max()) == rows
    assert lit[:, 1].min() == first_x


@pytest.mark.parametrize(
    ("name", "extent256", "extent128"),
    [("CARTPOLE", (37, 217), (20, 106)), ("COUNTRECALL", (3, 252), (4, 123)), ("BATTLESHIP", (14, 240), (9, 117)),
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


def test_pack_unpack_roundtrip() -> None:
    rng = np.random.default_rng(0)
    img = rng.integers(0, 256, (7, 9, 3), dtype=np.uint8)
    packed = pack_image(img)
    assert np.array_equal(unpack_np(packed), img)
    assert np.array_equal(np.asarray(unpack(jnp.asarray(packed))), img)
    assert pack((1, 2, 3)) == 1 | 2 << 8 | 3 << 16


def test_compose_places_windows_and_rejects_overlap() -> None:
    rng = np.random.default_rng(1)
    bg = rng.integers(0, 2**24, (20, 30)).astype(np.uint32)
    a, b = Window(3, 2, 10, 9), Window(12, 5, 30, 11)
    pa = jnp.full(a.shape, 7, jnp.uint32)
    pb = jnp.full(b.shape, 9, jnp.uint32)
    got = np.asarray(compose(bg, {a: pa, b: pb}))
    want = bg.copy()
    want[2:9, 3:10] = 7
    want[5:11, 12:30] = 9
    assert np.array_equal(got, want)
    with pytest.raises(ValueError, match="overlap"):
        compose(bg, {a: pa, Window(8, 8, 12, 12): jnp.zeros((4, 4), jnp.uint32)})


@pytest.mark.parametrize(("x", "y"), [(5, 4), (-3, 2), (25, -2), (0, 0), (40, 3)])
def test_bitmap_mask_places_and_clips_exactly(x: int, y: int) -> None:
    rng = np.random.default_rng(2)
    bitmap = rng.random((6, 37)) < 0.5  # wider than one 32-bit word
    win = Window(2, 1, 50, 12)
    got = np.asarray(bitmap_mask(win, bitmap, jnp.int32(x), jnp.int32(y)))
    full = np.zeros((20, 90), bool)
    for r in range(6):
        for c in range(37):
            if bitmap[r, c] and 0 <= y + r < 20 and 0 <= x + c + 10 < 90:
                full[y + r, x + c + 10] = True
    want = full[win.y0 : win.y1, win.x0 + 10 : win.x1 + 10]
    assert np.array_equal(got, want)


def test_bitmap_mask_under_vmap_matches_single() -> None:
    bitmap = np.eye(5, dtype=bool)
    win = Window(0, 0, 16, 16)
    xs, ys = jnp.asarray([0, 3, 11]), jnp.asarray([1, 7, 12])
    batched = jax.vmap(lambda x, y: bitmap_mask(win, bitmap, x, y))(xs, ys)
    for i in range(3):
        assert np.array_equal(batched[i], bitmap_mask(win, bitmap, xs[i], ys[i]))


def test_add_colour_wraps_each_channel_without_carry() -> None:
    base = np.asarray([[pack((250, 10, 128)), pack((0, 255, 255))]], np.uint32)
    for times in range(4):
        got = unpack_np(np.asarray(add_colour(jnp.asarray(base), times, (140, 69, 18))))
        want = (
            np.asarray([[[250, 10, 128], [0, 255, 255]]]) + times * np.asarray([140, 69, 18])
        ) % 256
        assert np.array_equal(got, want.astype(np.uint8))


def test_board_draws_cells_and_grid_lines() -> None:
    tiles = np.asarray([[10, 10, 10], [200, 0, 0], [0, 200, 0]], np.uint8)
    board = Board(3, 4, 5, 2, tiles, (255, 255, 255), x=1, y=2)
    kinds = np.asarray([[0, 1, 2, 0], [2, 2, 1, 0], [1, 0, 0, 2]])
    got = unpack_np(np.asarray(board.pixels(jnp.asarray(kinds))))
    want = new_canvas(2 + 3 * 7, 2 + 4 * 7, (255, 255, 255))
    for j in range(3):
        for i in range(4):
            x0, y0, x1, y1 = board.cell_box(i, j)
            fill_rect(want, x0 - 1, y0 - 2, x1 - 1, y1 - 2, tiles[kinds[j, i]])
    assert np.array_equal(got, want)
    assert board.window == Window(1, 2, 1 + 30, 2 + 23)


def test_sprite_stamps_every_colour_and_keeps_transparent_pixels() -> None:
    from arcade_core.render import Sprite

    img = np.zeros((3, 4, 3), np.uint8)
    img[0, 1] = (255, 0, 0)
    img[2, 3] = (0, 0, 255)
    img[1, :] = (9, 9, 9)
    sprite = Sprite(img, transparent=(0, 0, 0))
    win = Window(0, 0, 10, 8)
    bg = jnp.full(win.shape, pack((1, 2, 3)), jnp.uint32)
    got = unpack_np(np.asarray(sprite.paint(bg, win, jnp.int32(8), jnp.int32(2))))
    want = np.broadcast_to(np.asarray([1, 2, 3], np.uint8), (8, 10, 3)).copy()
    for (r, c), colour in np.ndenumerate(pack_image(img)):
        if colour and 0 <= 8 + c < 10:
            want[2 + r, 8 + c] = unpack_np(np.asarray([colour], np.uint32))[0]
    assert np.array_equal(got, want)


def test_static_line_covers_pixels_within_half_width() -> None:
    from arcade_core.render import line

    img = new_canvas(9, 9, (0, 0, 0))
    line(img, (1, 4), (7, 4), 1.0, (255, 255, 255))
    lit = img[..., 0] == 255
    assert lit[4, 1:8].all() and lit.sum() == 7  # a 1-px horizontal line, ends inclusive
