"""MineSweeper (docs/games/minesweeper.md): mine placement, reveal/repeat/mine rules with the
suite's fixes, an oracle that clears the board, the random policy's return, and pixels at 128 and
256 px, MDP and POMDP (against the plain renderer, `plain.py`, the spec as code)."""

from __future__ import annotations

from pathlib import Path

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from arcade_core.render import DIGITS
from arcade_core.testing import compare_renderers, game_envs, random_returns, stack
from arcade_games.minesweeper.game import MineSweeperState

LEVELS = {"Easy": 4, "Medium": 6, "Hard": 8}
MINES = {4: 2, 6: 6, 8: 10}
# spec numbers (docs/games/minesweeper.md §Drawing), written out so the tests do not read the
# renderer's tables
SUB = {256: {4: 186, 6: 182, 8: 186}, 128: {4: 94, 6: 92, 8: 90}}
CELL = {256: {4: 44, 6: 28, 8: 21}, 128: {4: 21, 6: 13, 8: 9}}
BACKGROUND, AREA, GRID = (229, 234, 242), (0, 0, 0), (102, 102, 102)
CURSOR, WHITE = (255, 127, 0), (255, 255, 255)
SCORE, NAME = (153, 0, 204), (0, 51, 102)
# POPGym Arcade's random-policy returns, 2000 episodes (docs/games/minesweeper.md §Random play)
RANDOM_MEAN = {"Easy": -0.019, "Medium": -0.010, "Hard": -0.008}
REFERENCE = Path(__file__).parent / "testdata" / "reference_frames.npz"


@pytest.fixture(scope="module")
def envs():
    """(level, partial, size) -> (env, params, jitted step), built lazily and shared."""
    return game_envs("MineSweeper")


def counts_of(mines: np.ndarray) -> np.ndarray:
    """Mines in the 3x3 block around each cell, by brute force."""
    n = mines.shape[0]
    out = np.zeros((n, n), np.int32)
    for r in range(n):
        for c in range(n):
            out[r, c] = mines[max(r - 1, 0) : r + 2, max(c - 1, 0) : c + 2].sum()
    return out


def make_state(mines, revealed, cx, cy, time=1) -> MineSweeperState:
    mines, revealed = np.asarray(mines, bool), np.asarray(revealed, bool)
    i32 = jnp.int32
    return MineSweeperState(
        mines=jnp.asarray(mines),
        revealed=jnp.asarray(revealed),
        neighbours=jnp.asarray(counts_of(mines)),
        cx=i32(cx),
        cy=i32(cy),
        repeats=i32(0),
        score=i32((revealed & ~mines).sum()),
        time=i32(time),
    )


def fixed_mines(n: int) -> np.ndarray:
    """m mines at fixed cells ([row, col]), clustered so that counts 0..4+ all occur."""
    cells = [(1, 1), (1, 2), (3, 0), (5, 5), (5, 6), (6, 5), (0, 7), (7, 0), (7, 7), (3, 4)]
    b = np.zeros((n, n), bool)
    placed = 0
    for r, c in cells:
        if r < n and c < n and placed < MINES[n]:
            b[r, c] = True
            placed += 1
    if placed < MINES[n]:  # small boards: fill the rest from the top right
        for r, c in ((0, n - 1), (2, n - 1)):
            if placed < MINES[n] and not b[r, c]:
                b[r, c] = True
                placed += 1
    assert b.sum() == MINES[n]
    return b


def run(env, params, step, state, actions):
    """Step `actions` from `state`: per-step (reward, terminated, truncated, done), states."""
    out, states = [], []
    k = jax.random.key(0)
    for a in actions:
        k, sk = jax.random.split(k)
        _, state, r, d, info = step(sk, state, jnp.int32(a), params)
        out.append((float(r), bool(info["terminated"]), bool(info["truncated"]), bool(d)))
        states.append(state)
    return out, states


# ---------------------------------------------------------------------------- reset


@pytest.mark.parametrize("level", ["Easy", "Hard"])
def test_reset_places_m_uniform_mines_and_counts_neighbours(envs, level):
    env, params, _ = envs(level)
    n, m, batch = LEVELS[level], MINES[LEVELS[level]], 4096
    states = jax.jit(jax.vmap(env.init, in_axes=(0, None)))(
        jax.random.split(jax.random.key(0), batch), params
    )
    mines = np.asarray(states.mines)
    assert (mines.sum((1, 2)) == m).all()
    assert not np.asarray(states.revealed).any() and (np.asarray(states.time) == 0).all()
    for b, counts in zip(mines[:50], np.asarray(states.neighbours)[:50], strict=True):
        np.testing.assert_array_equal(counts, counts_of(b))
    # every cell a mine with probability m/N² (binomial, 5 sigma)
    p = m / n**2
    freq = mines.mean(0)
    assert np.abs(freq - p).max() < 5 * np.sqrt(p * (1 - p) / batch)
    # docs/games/minesweeper.md §Differences from POPGym Arcade [FIX]: the cursor reaches every
    # cell, the last row and column included
    cells = np.asarray(states.cy) * n + np.asarray(states.cx)
    assert np.bincount(cells, minlength=n * n).min() > 0.5 * batch / n**2


# ---------------------------------------------------------------------------- rules


def test_reveal_repeat_and_mine_rewards(envs):
    env, params, step = envs("Easy")
    mines = fixed_mines(4)  # mines at [1, 1], [1, 2]
    s = make_state(mines, np.zeros((4, 4)), cx=0, cy=0, time=0)
    # reveal [0,0] (safe), reveal again (repeat), right, down (onto the mine at [1,1]), reveal
    out, states = run(env, params, step, s, [4, 4, 3, 1, 4])
    np.testing.assert_allclose([r for r, *_ in out], [1 / 14, -2 / 16, 0, 0, 0], rtol=1e-6)
    assert [d for *_, d in out] == [False] * 4 + [True]
    assert out[-1][1] and not out[-1][2]  # the mine terminates
    assert int(states[3].score) == 1 and int(states[3].repeats) == 1


def snake_oracle(mines: np.ndarray) -> list[int]:
    """From the top-left corner, sweep rows in boustrophedon order revealing every safe cell."""
    n = mines.shape[0]
    acts = []
    for r in range(n):
        cols = range(n) if r % 2 == 0 else range(n - 1, -1, -1)
        for i, c in enumerate(cols):
            if i > 0:
                acts.append(3 if r % 2 == 0 else 2)
            if not mines[r, c]:
                acts.append(4)
        acts.append(1)
    return acts


@pytest.mark.parametrize("level", ["Easy", "Medium", "Hard"])
def test_oracle_clears_the_board_for_a_return_of_one(envs, level):
    env, params, step = envs(level)
    n = LEVELS[level]
    mines = fixed_mines(n)
    acts = snake_oracle(mines)
    last_reveal = max(i for i, a in enumerate(acts) if a == 4)
    out, states = run(
        env,
        params,
        step,
        make_state(mines, np.zeros((n, n)), 0, 0, time=0),
        acts[: last_reveal + 1],
    )
    assert [d for *_, d in out] == [False] * last_reveal + [True]
    assert out[-1][1] and not out[-1][2]
    assert sum(r for r, *_ in out) == pytest.approx(1.0, abs=1e-5)
    assert last_reveal + 1 <= 2 * n * n
    assert int(states[-2].score) == n * n - MINES[n] - 1


@pytest.mark.parametrize("level", ["Easy", "Medium", "Hard"])
def test_revealing_one_cell_forever_ends_at_the_repeat_limit_with_return_above_minus_one(
    envs, level
):
    """Quirk 18 [FIX]: the reveal that brings `repeats` to N²/2 terminates, so return >= -1."""
    env, params, step = envs(level)
    n = LEVELS[level]
    s = make_state(fixed_mines(n), np.zeros((n, n)), cx=0, cy=0, time=0)  # [0, 0] is safe
    out, _ = run(env, params, step, s, [4] * (n * n // 2 + 1))
    rewards = [r for r, *_ in out]
    assert [d for *_, d in out] == [False] * (n * n // 2) + [True]
    assert out[-1][1] and not out[-1][2]
    assert rewards[0] == pytest.approx(1 / (n * n - MINES[n]))
    assert sum(rewards) == pytest.approx(rewards[0] - 1.0, abs=1e-5)


def test_episodes_last_at_most_two_n_squared_steps_even_ending_on_a_reveal(envs):
    """Quirk 19 [FIX]: moving only runs exactly 2N² steps, and a reveal on step 2N² truncates
    too (the reference lets it run one step more)."""
    env, params, step = envs("Easy")
    s = make_state(fixed_mines(4), np.zeros((4, 4)), cx=0, cy=0, time=0)
    out, _ = run(env, params, step, s, [0, 2] * 16)
    assert [d for *_, d in out] == [False] * 31 + [True] and out[-1][2] and not out[-1][1]
    out, _ = run(env, params, step, s, [0] * 31 + [4])
    assert [d for *_, d in out] == [False] * 31 + [True] and out[-1][2] and not out[-1][1]
    assert out[-1][0] == pytest.approx(1 / 14)


def test_moves_are_clamped(envs):
    env, params, step = envs("Easy")
    s = make_state(fixed_mines(4), np.zeros((4, 4)), cx=3, cy=3, time=0)
    _, states = run(env, params, step, s, [1, 3, 0, 2, 2, 2, 2])
    assert [(int(t.cx), int(t.cy)) for t in states] == [
        (3, 3),
        (3, 3),
        (3, 2),
        (2, 2),
        (1, 2),
        (0, 2),
        (0, 2),
    ]


def test_actions_outside_zero_to_four_are_no_ops(envs):
    env, params, step = envs("Easy")
    s = make_state(fixed_mines(4), np.zeros((4, 4)), cx=0, cy=0, time=0)
    for bad in (-1, 5, 99):
        _, new, r, d, _ = step(jax.random.key(0), s, jnp.int32(bad), params)
        assert float(r) == 0.0 and not bool(d) and int(new.time) == 1
        assert not np.asarray(new.revealed).any()


@pytest.mark.parametrize(
    "level",
    [
        "Easy",
        pytest.param("Medium", marks=pytest.mark.slow),
        pytest.param("Hard", marks=pytest.mark.slow),
    ],
)
def test_random_policy_mean_return_matches_the_spec(envs, level):
    """docs/games/minesweeper.md §Random play: random -0.019 / -0.010 / -0.008 (reference dynamics;
    the suite's fixes move it by far less than the sampling error)."""
    env, params, _ = envs(level)
    n_eps = 2000
    ret, _, alive = random_returns(env, params, jax.random.key(5), n_eps)
    assert not alive.any()
    assert ret.min() >= -1 - 1e-5 and ret.max() <= 1 + 1e-5
    se = ret.std() / np.sqrt(n_eps) * np.sqrt(2)  # ours and the spec's figure both sampled
    assert abs(ret.mean() - RANDOM_MEAN[level]) < 4 * se, (ret.mean(), se)


# ---------------------------------------------------------------------------- pixels


def cell_origin(size: int, n: int, col: int, row: int) -> tuple[int, int]:
    """Canvas (x, y) of a cell interior's top-left, from the spec's layout numbers."""
    o = (size - SUB[size][n]) // 2
    return o + 2 + col * (CELL[size][n] + 2), o + 2 + row * (CELL[size][n] + 2)


def revealed_pattern(n: int, mines: np.ndarray) -> np.ndarray:
    """Most safe cells revealed (so that every count shows), a few left hidden."""
    rev = ~mines
    rev[n - 1, 1] = rev[0, 0] = False
    return rev


@pytest.mark.parametrize("level", ["Easy", "Medium", "Hard"])
def test_frames_equal_the_plain_renderer_pixel_for_pixel(level):
    """The tuned renderer against the plain one (`plain.py`, the spec as code) in both views at
    both sizes (`compare_renderers`): every count shown, the cursor on a revealed cell, on a
    hidden one and in the far corner, numbers on the board's edges, every cell revealed."""
    n = LEVELS[level]
    mines = fixed_mines(n)
    revealed = revealed_pattern(n, mines)
    states = [make_state(mines, revealed, cx, cy)
              for cx, cy in ((2, 0), (0, 0), (n - 1, n - 2), (n - 1, n - 1))]  # fmt: skip
    states.append(make_state(mines, np.ones((n, n), bool), 0, n - 1))
    for size in (128, 256):
        assert compare_renderers(f"MineSweeper{level}", stack(states), size) == []


def test_mdp_digits_overflow_into_neighbours_at_128_hard(envs):
    """docs/games/minesweeper.md §Drawing [KEEP]: at 128 Hard the 15-px MDP glyph lights 1 px inside
    each horizontal neighbour (white over black, and over the cursor)."""
    mines = np.zeros((8, 8), bool)
    revealed = np.zeros((8, 8), bool)
    revealed[3, 3] = True  # count 0: a "0" whose side columns are fully lit
    mines[0, 0] = mines[7, 7] = True
    for cx in (4, 0):  # right neighbour under the cursor, or not
        frame = np.asarray(envs("Hard", False, 128)[0].render(make_state(mines, revealed, cx, 3)))
        x0, y0 = cell_origin(128, 8, 3, 3)
        xr, _ = cell_origin(128, 8, 4, 3)
        xl, _ = cell_origin(128, 8, 2, 3)
        for y in range(y0 + 1, y0 + 6):
            assert tuple(frame[y, xr]) == WHITE and tuple(frame[y, xl + 8]) == WHITE
        assert tuple(frame[y0 + 3, xr + 1]) == (CURSOR if cx == 4 else AREA)
        assert tuple(frame[y0 + 3, x0 + 9]) == GRID  # the grid is drawn over the glyph


@pytest.mark.parametrize("size", [128, 256])
def test_pomdp_hides_every_number_but_the_cursor_cells(envs, size):
    """docs/games/minesweeper.md §The POMDP: with the cursor on a hidden cell, the POMDP differs
    from the MDP exactly on the numbers of the revealed cells."""
    n = 6
    mines = fixed_mines(n)
    revealed = revealed_pattern(n, mines)
    state = make_state(mines, revealed, cx=0, cy=0)  # [0, 0] is hidden
    mdp = np.asarray(envs("Medium", False, size)[0].render(state))
    pomdp = np.asarray(envs("Medium", True, size)[0].render(state))
    counts = counts_of(mines)
    # the numbers' pixels: where the MDP frame changes when no cell is revealed (same score)
    unrevealed = state.replace(revealed=jnp.zeros((n, n), bool))
    blank = np.asarray(envs("Medium", False, size)[0].render(unrevealed))
    expect = (mdp != blank).any(-1)
    assert expect.sum() >= revealed.sum() * 3 * ((CELL[size][n] - 2) // 5)  # a "1" at least
    np.testing.assert_array_equal((mdp != pomdp).any(-1), expect)
    # on a revealed cell, the POMDP shows that cell's number alone, in its own layout: 2-px
    # font cells, (c - 2) // 5 px per font row, inside the cell
    state = make_state(mines, revealed, cx=2, cy=0)
    pomdp = np.asarray(envs("Medium", True, size)[0].render(state))
    lit = DIGITS[counts[0, 2]].sum() * 2 * ((CELL[size][n] - 2) // 5)
    assert (pomdp == WHITE).all(-1).sum() == lit


@pytest.mark.parametrize("size", [128, 256])
def test_score_and_name_pixels(envs, size):
    mines = fixed_mines(4)
    revealed = np.zeros((4, 4), bool)
    revealed[0, 0] = revealed[3, 3] = True  # score 2
    frame = np.asarray(envs("Easy", False, size)[0].render(make_state(mines, revealed, 2, 2)))
    x, (top, bottom) = (121, (3, 27)) if size == 256 else (59, (2, 11))
    dw = 15 if size == 256 else 10
    assert tuple(frame[top, x]) == SCORE and tuple(frame[top, x + dw - 1]) == SCORE  # "2": #####
    assert tuple(frame[bottom, x]) == SCORE and tuple(frame[bottom + 1, x]) == BACKGROUND
    assert tuple(frame[top, x - 1]) == BACKGROUND and tuple(frame[top - 1, x]) == BACKGROUND
    rows, cols = np.nonzero((frame == NAME).all(-1))
    first, last = (233, 252) if size == 256 else (116, 125)
    assert rows.min() == first and rows.max() <= last
    assert cols.min() == (3 if size == 256 else 4) and cols.max() <= (252 if size == 256 else 123)
    assert tuple(frame[0, 0]) == BACKGROUND


@pytest.mark.parametrize("size", [128, 256])
def test_pomdp_reset_frame_equals_the_mdp_reset_frame(envs, size):
    """t = 0 reveal: nothing is revealed at reset, so the frames agree."""
    for level in ("Easy", "Hard"):
        mdp_env, params, _ = envs(level, False, size)
        pomdp_env = envs(level, True, size)[0]
        for seed in range(3):
            a, _ = mdp_env.reset(jax.random.key(seed), params)
            b, _ = pomdp_env.reset(jax.random.key(seed), params)
            np.testing.assert_array_equal(np.asarray(a), np.asarray(b))


@pytest.mark.skipif(not REFERENCE.exists(), reason="no reference frames recorded")
def test_frames_match_the_reference_pixel_for_pixel(envs):
    """Frames recorded from the reference (popgym-arcade 0.0.7) on its own states, redrawn here
    from the same states: identical at both sizes, MDP and POMDP."""
    ref = np.load(REFERENCE)
    keys = sorted({k.rsplit("_", 1)[0] for k in ref.files})
    assert keys
    for key in keys:
        level, size, partial = key.split("_")
        env = envs(level, partial == "1", int(size))[0]
        state = make_state(
            ref[f"{key}_mines"],
            ref[f"{key}_revealed"],
            *ref[f"{key}_cursor"],
            time=int(ref[f"{key}_time"]),
        )
        np.testing.assert_array_equal(
            np.asarray(env.render(state)), ref[f"{key}_frame"], err_msg=key
        )
