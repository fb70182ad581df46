"""Tetris: rules (docs/games/tetris.md) from scripted states — moves, falls, locks, line clears,
top-out, the 10-line win and its capped reward — the clean 7-bag, the random policy
(docs/games/tetris.md §Random play), and frames pixel-exact against the plain renderer
(`plain.py`, the spec as code), with what the POMDP hides."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import arcade_core
from arcade_core.testing import batch_render, compare_renderers, random_returns, stack
from arcade_games.tetris import constants as C
from arcade_games.tetris.game import TetrisState, clear_rows, full_rows, new_bag

I, O, T, S, Z, J, L = range(7)


def cells(piece: int, rotation: int) -> list[tuple[int, int]]:
    """(row, col) cells of a piece in its box, straight from the spec's table."""
    flat = C.PIECES[piece][rotation]
    return list(zip(flat[::2], flat[1::2], strict=True))


def make_state(
    board=None,
    piece=T,
    rotation=0,
    x=3,
    y=0,
    preview=(O, S, Z),
    queue=(0, 1, 2, 3, 4, 5, 6),
    queue_index=4,
    seed=12345,
    bags=1,
    lines=0,
    just_locked=False,
    fresh=5,
    top_out=False,
    time=10,
) -> TetrisState:
    board = np.zeros((20, 10), np.int32) if board is None else np.asarray(board, np.int32)
    i = jnp.int32
    return TetrisState(
        board=jnp.asarray(board),
        piece=i(piece),
        rotation=i(rotation),
        x=i(x),
        y=i(y),
        preview=jnp.asarray(preview, jnp.int32),
        queue=jnp.asarray(queue, jnp.int32),
        queue_index=i(queue_index),
        seed=jnp.uint32(seed),
        bags=i(bags),
        lines=i(lines),
        just_locked=jnp.bool_(just_locked),
        fresh=i(fresh),
        top_out=jnp.bool_(top_out),
        time=i(time),
    )


@pytest.fixture(scope="module")
def easy():
    env, params = arcade_core.make("TetrisEasy")
    return jax.jit(lambda s, a: env.step(jax.random.key(0), s, a, params))


@pytest.fixture(scope="module")
def hard():
    env, params = arcade_core.make("TetrisHard")
    return jax.jit(lambda s, a: env.step(jax.random.key(0), s, a, params))


def occupied(state: TetrisState) -> set[tuple[int, int]]:
    """Board cells (row, col) of the current piece."""
    px, py = int(state.x), int(state.y)
    return {(py + r, px + c) for r, c in cells(int(state.piece), int(state.rotation))}


# ------------------------------------------------------------------ rules


def test_reset_deals_a_bag_and_shows_the_next_pieces() -> None:
    for env_id, p in (("TetrisEasy", 3), ("TetrisMedium", 2), ("TetrisHard", 1)):
        env, params = arcade_core.make(env_id)
        s = env.init(jax.random.key(5), params)
        q = np.asarray(s.queue)
        assert sorted(q.tolist()) == list(range(7))
        assert int(s.piece) == q[0] and np.asarray(s.preview).tolist() == q[1 : 1 + p].tolist()
        assert (int(s.x), int(s.y), int(s.rotation), int(s.fresh)) == (3, 0, 0, 0)
        assert not np.asarray(s.board).any() and int(s.lines) == 0


@pytest.mark.parametrize("env_id", ["TetrisEasy", "TetrisMedium", "TetrisHard"])
def test_pieces_come_in_clean_bags_and_the_preview_shows_what_follows(env_id: str) -> None:
    """[FIX] (docs/games/tetris.md §Differences from POPGym Arcade): every run of 7 pieces is a
    permutation, from the first."""
    env, params = arcade_core.make(env_id)
    spawn = jax.jit(env.spawn)
    s = env.init(jax.random.key(2), params)
    seq, previews = [int(s.piece)], [np.asarray(s.preview).tolist()]
    for _ in range(40):
        s = spawn(s)
        seq.append(int(s.piece))
        previews.append(np.asarray(s.preview).tolist())
    for b in range(0, 35, 7):
        assert sorted(seq[b : b + 7]) == list(range(7)), seq
    p = env.preview
    for i in range(len(seq) - p):
        assert previews[i] == seq[i + 1 : i + 1 + p]


def test_bags_are_uniform_and_independent_permutations() -> None:
    """Every bag hashed from an episode's seed is a permutation; over 8000 seeds x 10 bags all
    5040 permutations occur, and the first pieces of consecutive bags are independent."""
    seeds = jax.random.bits(jax.random.key(0), (8000,), jnp.uint32)
    bags = jax.jit(jax.vmap(jax.vmap(new_bag, (None, 0)), (0, None)))(seeds, jnp.arange(10))
    bags = np.asarray(bags)
    assert (np.sort(bags, -1) == np.arange(7)).all()
    assert len({tuple(b) for b in bags.reshape(-1, 7)}) == 5040
    pairs = np.zeros((7, 7))
    np.add.at(pairs, (bags[:, 0, 0], bags[:, 1, 0]), 1)
    chi2 = ((pairs - pairs.mean()) ** 2 / pairs.mean()).sum()
    assert chi2 < 90  # 48 degrees of freedom: p < 1e-4 beyond 90


def test_pieces_have_four_cells_and_o_does_not_change_when_rotated() -> None:
    for t in range(7):
        for r in range(4):
            assert len(set(cells(t, r))) == 4
    assert all(cells(O, r) == cells(O, 0) for r in range(4))


@pytest.mark.parametrize("piece", range(7))
def test_up_rotates_clockwise_by_the_table_and_then_falls(easy, piece: int) -> None:
    _, s, r, done, _ = easy(make_state(piece=piece, x=3, y=5), 0)
    assert int(s.rotation) == 1 and (int(s.x), int(s.y)) == (3, 6)  # auto fall 1
    assert occupied(s) == {(6 + r_, 3 + c) for r_, c in cells(piece, 1)}
    assert float(r) == 0 and not bool(done)


def test_rotation_into_a_wall_is_refused_without_kicks(easy) -> None:
    # I vertical in box column 2 at x = -2 sits in board column 0; rotation 2 would need -2..1
    _, s, _, _, _ = easy(make_state(piece=I, rotation=1, x=-2, y=5), 0)
    assert (int(s.rotation), int(s.x), int(s.y)) == (1, -2, 6)


def test_left_and_right_shift_and_stop_at_walls_and_cells(easy) -> None:
    _, s, _, _, _ = easy(make_state(piece=O, x=3, y=5), 2)
    assert (int(s.x), int(s.y)) == (2, 6)
    _, s, _, _, _ = easy(make_state(piece=O, x=-1, y=5), 2)  # O's cells in columns 0-1
    assert int(s.x) == -1
    _, s, _, _, _ = easy(make_state(piece=O, x=7, y=5), 3)  # columns 8-9
    assert int(s.x) == 7
    board = np.zeros((20, 10))
    board[6, 6] = 2
    _, s, _, _, _ = easy(make_state(piece=O, x=3, y=5, board=board), 3)  # (6, 6) is taken
    assert (int(s.x), int(s.y)) == (3, 6)


def test_fall_per_step_and_soft_drop_by_difficulty(easy, hard) -> None:
    for step, auto, soft in ((easy, 1, 2), (hard, 2, 3)):
        for a in (2, 3, 4, 0):
            _, s, _, _, _ = step(make_state(piece=T, y=4), a)
            assert int(s.y) == 4 + auto
        _, s, _, _, _ = step(make_state(piece=T, y=4, fresh=1), 1)
        assert int(s.y) == 4 + soft and int(s.x) == 3  # no automatic fall on top
        _, s, _, _, _ = step(make_state(piece=T, y=4, fresh=0), 1)  # the spawn step: 1 row
        assert int(s.y) == 5 and int(s.fresh) == 1


def test_multi_row_fall_tests_only_the_destination(hard) -> None:
    """[KEEP] docs/games/tetris.md §Differences from POPGym Arcade: I (row 1 of its box) at y = 5
    fills row 6; a cell in row 7 blocks one row down but not two, so the piece passes through it."""
    board = np.zeros((20, 10))
    board[7, 4] = 3
    _, s, _, _, _ = hard(make_state(piece=I, x=3, y=5, board=board), 4)
    assert int(s.y) == 7 and occupied(s) == {(8, c) for c in range(3, 7)}


def test_blocked_destination_falls_one_row(hard) -> None:
    board = np.zeros((20, 10))
    board[8, 4] = 3
    _, s, _, _, _ = hard(make_state(piece=I, x=3, y=5, board=board), 4)
    assert int(s.y) == 6 and bool(s.just_locked)  # row 8 is taken: one row, then it locks
    _, s, _, _, _ = hard(make_state(piece=I, x=3, y=5, board=board, fresh=3), 1)
    assert int(s.y) == 8  # a soft drop of 3 lands in row 9, through the cell in row 8 [KEEP]


def test_piece_that_cannot_fall_locks_and_the_line_clears_on_the_next_step(easy) -> None:
    board = np.zeros((20, 10), np.int32)
    board[19] = [1, 2, 3, 0, 0, 0, 0, 4, 5, 6]
    board[18, 0] = 7  # a marker above the line
    s0 = make_state(board=board, piece=I, x=3, y=17, preview=(S, Z, J), queue_index=4)
    _, s, r, done, _ = easy(s0, 4)  # falls into row 19 and locks there
    assert int(s.y) == 18 and bool(s.just_locked) and float(r) == 0 and not bool(done)
    assert np.asarray(s.board)[19].tolist() == [1, 2, 3, 1, 1, 1, 1, 4, 5, 6]
    assert int(s.piece) == I  # still the same piece, drawn where it locked
    _, s, r, done, _ = easy(s, 4)
    assert float(r) == pytest.approx(0.1) and int(s.lines) == 1 and int(s.score) == 1
    b = np.asarray(s.board)
    assert b[19].tolist() == [7] + [0] * 9 and not b[:19].any()  # the marker fell one row
    assert int(s.piece) == S and np.asarray(s.preview).tolist() == [Z, J, 4]
    assert (int(s.x), int(s.y), int(s.rotation), int(s.fresh)) == (3, 1, 0, 1)
    assert not bool(s.just_locked) and not bool(done)


def test_clear_rows_keeps_order_and_drops_rows_above() -> None:
    rng = np.random.default_rng(0)
    for _ in range(20):
        board = rng.integers(0, 8, (20, 10)) * (rng.random((20, 10)) < 0.7)
        full = rng.random(20) < 0.25
        board[full] = rng.integers(1, 8, (int(full.sum()), 10))
        full = np.all(board > 0, axis=1)  # random rows may be full too
        want = np.concatenate([np.zeros((full.sum(), 10), int), board[~full]])
        np.testing.assert_array_equal(np.asarray(full_rows(jnp.asarray(board))), full)
        got = clear_rows(jnp.asarray(board, jnp.int32), jnp.asarray(full))
        np.testing.assert_array_equal(np.asarray(got), want)


def _four_line_board() -> np.ndarray:
    board = np.zeros((20, 10), np.int32)
    board[16:20, :9] = 4
    return board


def test_four_lines_past_ten_pay_only_up_to_the_tenth(easy) -> None:
    """[FIX] docs/games/tetris.md §Differences from POPGym Arcade (docs/games/tetris.md §Rewards):
    at 9 lines a 4-line clear pays 0.1, so returns stay <= 1."""
    s = make_state(board=_four_line_board(), piece=I, rotation=1, x=7, y=15, lines=9)
    _, s, r, done, _ = easy(s, 4)
    assert bool(s.just_locked) and float(r) == 0 and not bool(done)
    assert full_rows(s.board).sum() == 4
    _, s, r, done, info = easy(s, 4)
    assert float(r) == pytest.approx(0.1) and bool(done) and bool(info["terminated"])
    assert int(s.time) == 0  # auto-reset after the win


def test_tenth_line_wins(easy) -> None:
    board = np.zeros((20, 10), np.int32)
    board[19, :9] = 2
    s = make_state(board=board, piece=I, rotation=1, x=7, y=15, lines=9)
    _, s, _, _, _ = easy(s, 4)
    _, _, r, done, info = easy(s, 4)
    assert float(r) == pytest.approx(0.1) and bool(done) and bool(info["terminated"])
    assert float(info["discount"]) == 0.0 and not bool(info["truncated"])


def _blocked_spawn_board() -> np.ndarray:
    board = np.zeros((20, 10), np.int32)
    board[1:20, 4] = 3  # a tower through the spawn area, no full row
    return board


def test_piece_that_cannot_spawn_ends_the_episode_with_minus_one(easy) -> None:
    s = make_state(board=_blocked_spawn_board(), just_locked=True, lines=3, preview=(T, O, I))
    _, s2, r, done, info = easy(s, 4)
    assert bool(done) and bool(info["terminated"]) and float(r) == pytest.approx(-1.0)
    assert int(s2.time) == 0


def test_top_out_on_the_last_step_is_a_time_out_not_a_loss(easy) -> None:
    s = make_state(board=_blocked_spawn_board(), just_locked=True, time=2999, preview=(T, O, I))
    _, _, r, done, info = easy(s, 4)
    assert bool(done) and bool(info["terminated"]) and bool(info["truncated"])
    assert float(r) == 0.0


def test_invalid_action_is_a_no_op(easy) -> None:
    s = make_state(piece=L, x=2, y=4, time=7)
    _, s2, r, done, _ = easy(s, 9)
    assert (int(s2.x), int(s2.y), int(s2.time)) == (2, 4, 8) and float(r) == 0 and not done


@pytest.mark.parametrize(
    ("env_id", "mean_len"),
    [("TetrisHard", 57), pytest.param("TetrisEasy", 100, marks=pytest.mark.slow),
     pytest.param("TetrisMedium", 100, marks=pytest.mark.slow)],
)  # fmt: skip
def test_random_policy_tops_out_quickly_with_return_minus_one(env_id: str, mean_len: int) -> None:
    """docs/games/tetris.md §Random play: random play returns -1.000 and tops out after ~100 / 100 /
    57 steps."""
    env, params = arcade_core.make(env_id)
    n, steps = 256, 2 * mean_len + 150
    ret, length, alive = random_returns(env, params, jax.random.key(4), n, steps)
    assert not alive.any()
    assert ret.mean() < -0.99 and ret.min() >= -1.0
    assert abs(length.mean() - mean_len) < 0.12 * mean_len, length.mean()


# ------------------------------------------------------------------ frames


def _random_board(seed: int, full: tuple[int, ...] = ()) -> np.ndarray:
    rng = np.random.default_rng(seed)
    board = rng.integers(1, 8, (20, 10)) * (rng.random((20, 10)) < 0.5)
    board[:9] = 0
    board[list(full)] = rng.integers(1, 8, (len(full), 10))
    return board


STATES = [
    make_state(piece=Z, x=3, y=0, preview=(I, O, T), time=0, lines=0),
    make_state(board=_random_board(1), piece=I, rotation=1, x=-2, y=3, preview=(J, L, S), lines=7),
    make_state(
        board=_random_board(2, (19, 15)),
        piece=L,
        rotation=2,
        x=4,
        y=7,
        preview=(Z, T, O),
        just_locked=True,
        lines=12,
    ),  # fmt: skip
    make_state(board=_random_board(3), piece=S, rotation=3, x=7, y=5, preview=(O, I, J), lines=3),
]


@pytest.fixture(scope="module", params=[128, 256])
def draw(request):
    return request.param, batch_render("TetrisEasy", request.param)


@pytest.mark.parametrize("S", [128, 256])
def test_frames_equal_the_plain_renderer_pixel_for_pixel(S: int) -> None:
    """The tuned renderer against the plain one (`plain.py`, the spec as code) in both views
    (`compare_renderers`), on edge states: a piece partly off the board, full rows barred."""
    assert compare_renderers("TetrisEasy", stack(STATES), S) == []


def test_pomdp_hides_exactly_the_locked_cells(draw) -> None:
    S, fn = draw
    k, o = C.LAYOUT[S]["cell"], (S - C.LAYOUT[S]["area"]) // 2
    mdp, pomdp = np.asarray(fn(stack(STATES), False)), np.asarray(fn(stack(STATES), True))
    for state, full, part in zip(STATES, mdp, pomdp, strict=True):
        board = np.asarray(state.board)
        shown = (board > 0) & ~np.all(board > 0, axis=1, keepdims=True)  # bars stay [KEEP]
        for r, c in occupied(state):
            shown[r, c] = False
        hidden = np.zeros((S, S), bool)
        for r, c in np.argwhere(shown):
            hidden[o + r * k : o + (r + 1) * k, o + (c + 5) * k : o + (c + 6) * k] = True
        diff = np.any(full != part, -1)
        np.testing.assert_array_equal(diff, hidden)
        assert np.all(part[hidden] == 0)


def test_layout_numbers(draw) -> None:
    """Walls, board and preview positions, full-row bars, score and name (docs/games/conventions.md
    §The frame, docs/games/tetris.md §Drawing)."""
    S, fn = draw
    frame = np.asarray(fn(stack([STATES[2]]), False))[0]
    o = 28 if S == 256 else 14
    assert tuple(frame[0, 0]) == C.BACKGROUND and tuple(frame[o, o]) == (0, 0, 0)
    k, s = (10, 200) if S == 256 else (5, 100)
    for x in (49, 150) if S == 256 else (24, 75):  # walls, full height
        assert np.all(frame[o : o + s, o + x] == 255)
    assert not frame[o : o + s, o + 5 * k - 3].any() and not frame[o : o + s, o + 15 * k + 2].any()
    bar = frame[
        o + 19 * k : o + 20 * k, o + (48 if S == 256 else 23) : o + (152 if S == 256 else 77)
    ]
    assert np.all(bar == 255)  # full row 19: a white bar over x in [5k-2, 15k+2)
    assert tuple(frame[o + 19 * k, o + 5 * k - 3]) == (0, 0, 0)
    # preview 0 is Z: box rows 1..2 -> cells (1,0),(1,1),(2,1),(2,2) at (16k + c*k//2, 3k+2+r*k//2)
    h = k // 2
    px, py = o + 16 * k, o + 3 * k + 2
    assert tuple(frame[py + h + h // 2, px + h // 2]) == C.PIECE_COLOUR[Z]
    assert tuple(frame[py + 2 * h + h // 2, px + 2 * h + h // 2]) == C.PIECE_COLOUR[Z]
    assert tuple(frame[py + 2 * h + h // 2, px + h // 2]) == (0, 0, 0)
    if S == 256:
        assert tuple(frame[py + h, px]) == C.WHITE  # preview cell border
    score = np.argwhere(np.all(frame == C.SCORE, -1))
    # "12" starts at x = 112 / 53; the glyph 1's first lit column is one cell further in
    assert score[:, 1].min() == (112 + 3 if S == 256 else 53 + 2)
    name = np.argwhere(np.all(frame == C.NAME, -1))
    assert (name[:, 0].min(), name[:, 0].max()) == ((233, 252) if S == 256 else (117, 126))
    assert (name[:, 1].min(), name[:, 1].max()) == ((60, 194) if S == 256 else (31, 95))
