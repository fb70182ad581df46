"""BattleShip (docs/games/battleship.md): ship placement, fire/repeat rules with the suite's fixes,
an oracle that sinks every ship, the random policy's return, and pixels at 128 and 256 px, MDP and
POMDP (the board drawn independently here from the spec's formulas)."""

from __future__ import annotations

from pathlib import Path

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from arcade_core.testing import game_envs, random_returns
from arcade_games.battleship.game import BattleShipState, place_ships

LEVELS = {"Easy": 8, "Medium": 10, "Hard": 12}
# spec numbers (docs/games/battleship.md §Drawing), written out so the tests do not read the
# renderer's tables
SUB = {256: {8: 186, 10: 192, 12: 182}, 128: {8: 90, 10: 92, 12: 98}}
CELL = {256: {8: 21, 10: 17, 12: 13}, 128: {8: 9, 10: 7, 12: 6}}
BACKGROUND, AREA, GRID = (255, 255, 255), (191, 191, 191), (102, 102, 102)
CURSOR, X_RED, BLACK = (217, 166, 33), (255, 0, 0), (0, 0, 0)
SCORE, NAME = (255, 128, 0), (74, 214, 247)
# POPGym Arcade's random-policy returns, 2000 episodes (docs/games/battleship.md §Random play)
RANDOM_MEAN = {"Easy": -0.109, "Medium": -0.124, "Hard": -0.143}
REFERENCE = Path(__file__).parent / "testdata" / "reference_frames.npz"


@pytest.fixture(scope="module")
def envs():
    """(level, partial, size) -> (env, params, jitted step), built lazily and shared."""
    return game_envs("BattleShip")


def make_state(ships, guesses, cx, cy, time=1) -> BattleShipState:
    ships, guesses = np.asarray(ships, bool), np.asarray(guesses, bool)
    i32 = jnp.int32
    return BattleShipState(
        ships=jnp.asarray(ships),
        guesses=jnp.asarray(guesses),
        cx=i32(cx),
        cy=i32(cy),
        hits=i32((ships & guesses).sum()),
        repeats=i32(0),
        time=i32(time),
    )


def fixed_ships(n: int) -> np.ndarray:
    """Ships of lengths 2, 3, 3, 4 at fixed places ([row, col])."""
    b = np.zeros((n, n), bool)
    b[0, 0:2] = True  # 2, horizontal
    b[2:5, 1] = True  # 3, vertical
    b[6, 3:6] = True  # 3, horizontal
    b[1:5, 7] = True  # 4, vertical
    return b


# ---------------------------------------------------------------------------- placement


def reference_placement(words: np.ndarray, n: int) -> np.ndarray:
    """The spec's placement rule in plain NumPy: for each ship, list the free (orientation,
    row, col) triples in order and take number `word mod count`."""
    board = np.zeros((n, n), bool)
    for word, length in zip(words, (2, 3, 3, 4), strict=True):
        free = []
        for vertical in (0, 1):
            for r in range(n):
                for c in range(n):
                    cells = [(r + k, c) if vertical else (r, c + k) for k in range(length)]
                    if all(y < n and x < n and not board[y, x] for y, x in cells):
                        free.append(cells)
        for y, x in free[int(word) % len(free)]:
            board[y, x] = True
    return board


@pytest.mark.parametrize("n", [8, 12])
def test_placement_takes_the_word_mod_count_th_free_triple(n):
    words = np.random.default_rng(n).integers(0, 2**32, size=(64, 4), dtype=np.uint32)
    boards = np.asarray(jax.jit(jax.vmap(lambda w: place_ships(w, n)))(jnp.asarray(words)))
    for w, b in zip(words, boards, strict=True):
        np.testing.assert_array_equal(b, reference_placement(w, n))


def test_reset_places_twelve_ship_cells_and_a_uniform_cursor(envs):
    env, params, _ = envs("Easy")
    states = jax.jit(jax.vmap(env.init, in_axes=(0, None)))(
        jax.random.split(jax.random.key(0), 4096), params
    )
    assert (np.asarray(states.ships).sum((1, 2)) == 12).all()
    assert not np.asarray(states.guesses).any() and (np.asarray(states.time) == 0).all()
    # docs/games/battleship.md §Differences from POPGym Arcade [FIX]: the cursor reaches the last
    # row and column too, each cell ~1/64
    counts = np.zeros((8, 8))
    np.add.at(counts, (np.asarray(states.cy), np.asarray(states.cx)), 1)
    assert counts.min() > 0.5 * 4096 / 64 and counts[7].sum() > 0 and counts[:, 7].sum() > 0
    # ships cover every cell now and then, corners least (fewer placements reach them)
    freq = np.asarray(states.ships).mean(0)
    assert freq.min() > 0.05 and freq[0, 0] < freq[3, 3]


# ---------------------------------------------------------------------------- rules


def run(env, params, step, state, actions, key=0):
    """Step `actions` from `state`; returns per-step (reward, terminated, truncated) and states."""
    out, states = [], []
    k = jax.random.key(key)
    for a in actions:
        k, sk = jax.random.split(k)
        _, state, r, d, info = step(sk, state, jnp.int32(a), params)
        out.append((float(r), bool(info["terminated"]), bool(info["truncated"]), bool(d)))
        states.append(state)
    return out, states


def test_moves_are_clamped_and_cost_a_step(envs):
    env, params, step = envs("Easy")
    s = make_state(fixed_ships(8), np.zeros((8, 8)), cx=0, cy=0, time=0)
    out, states = run(env, params, step, s, [0, 2, 1, 3, 3, 1])
    assert [(int(t.cx), int(t.cy)) for t in states] == [
        (0, 0),
        (0, 0),
        (0, 1),
        (1, 1),
        (2, 1),
        (2, 2),
    ]
    assert all(r == 0.0 and not d for r, _, _, d in out)
    s = make_state(fixed_ships(8), np.zeros((8, 8)), cx=7, cy=7, time=0)
    _, states = run(env, params, step, s, [1, 3])
    assert (int(states[-1].cx), int(states[-1].cy)) == (7, 7)
    assert int(states[-1].time) == 2


def test_hit_miss_and_repeat_rewards(envs):
    env, params, step = envs("Easy")
    s = make_state(fixed_ships(8), np.zeros((8, 8)), cx=0, cy=0, time=0)
    # fire (hit), fire again (repeat), down, fire (miss at [1, 0]), right, fire (miss)
    out, states = run(env, params, step, s, [4, 4, 1, 4, 3, 4])
    rewards = [r for r, *_ in out]
    np.testing.assert_allclose(rewards, [1 / 12, -2 / 64, 0, 0, 0, 0], rtol=1e-6)
    last = states[-1]
    assert int(last.hits) == 1 and int(last.repeats) == 1
    assert np.asarray(last.guesses).sum() == 3
    assert not any(d for *_, d in out)


def oracle_actions(state: BattleShipState, n: int) -> int:
    """Move to the first ship cell not fired at yet (row-major), then fire."""
    todo = np.argwhere(np.asarray(state.ships) & ~np.asarray(state.guesses))
    ty, tx = todo[0]
    cx, cy = int(state.cx), int(state.cy)
    if cx != tx:
        return 3 if tx > cx else 2
    if cy != ty:
        return 1 if ty > cy else 0
    return 4


@pytest.mark.parametrize("level", ["Easy", "Hard"])
def test_oracle_sinks_every_ship_for_a_return_of_one(envs, level):
    env, params, step = envs(level)
    n = LEVELS[level]
    _, state = env.reset(jax.random.key(7), params)
    total, k, steps = 0.0, jax.random.key(1), 0
    for _ in range(2 * n * n):
        steps += 1
        k, sk = jax.random.split(k)
        _, new, r, d, info = step(sk, state, jnp.int32(oracle_actions(state, n)), params)
        total += float(r)
        if bool(d):
            break
        state = new
    assert bool(info["terminated"]) and not bool(info["truncated"])
    assert float(info["discount"]) == 0.0
    assert total == pytest.approx(1.0, abs=1e-5)
    assert int(new.time) == 0  # auto-reset
    assert steps < 2 * n * n


@pytest.mark.parametrize("level", ["Easy", "Medium", "Hard"])
def test_firing_one_cell_forever_ends_at_the_repeat_limit_with_return_above_minus_one(envs, level):
    """Quirk 9 [FIX]: the fire that brings `repeats` to N²/2 terminates, so return >= -1."""
    env, params, step = envs(level)
    n = LEVELS[level]
    ships = fixed_ships(n)
    for cx, cy, first in ((0, 0, 1 / 12), (3, 3, 0.0)):  # a ship cell, a water cell
        s = make_state(ships, np.zeros((n, n)), cx=cx, cy=cy, time=0)
        out, _ = run(env, params, step, s, [4] * (n * n // 2 + 1))
        rewards = [r for r, *_ in out]
        assert [d for *_, d in out] == [False] * (n * n // 2) + [True]
        assert out[-1][1] and not out[-1][2]  # terminated, not truncated
        assert rewards[0] == pytest.approx(first)
        assert sum(rewards) == pytest.approx(first - 1.0, abs=1e-5)
        assert sum(rewards) >= -1.0 - 1e-5


def test_moving_only_runs_exactly_two_n_squared_steps(envs):
    env, params, step = envs("Easy")
    _, state = env.reset(jax.random.key(3), params)
    out, _ = run(env, params, step, state, [0, 1, 2, 3] * 32)
    assert [d for *_, d in out] == [False] * 127 + [True]
    assert out[-1][2] and not out[-1][1]  # truncated, not terminated
    assert params.max_steps_in_episode == 128


def test_actions_outside_zero_to_four_are_no_ops(envs):
    env, params, step = envs("Easy")
    s = make_state(fixed_ships(8), np.zeros((8, 8)), cx=0, cy=0, time=0)
    for bad in (-1, 5, 99):
        _, new, r, d, info = step(jax.random.key(0), s, jnp.int32(bad), params)
        assert float(r) == 0.0 and not bool(d)
        assert int(new.time) == 1
        assert not np.asarray(new.guesses).any() and (int(new.cx), int(new.cy)) == (0, 0)


@pytest.mark.parametrize(
    "level",
    [
        "Easy",
        pytest.param("Medium", marks=pytest.mark.slow),
        pytest.param("Hard", marks=pytest.mark.slow),
    ],
)
def test_random_policy_mean_return_matches_the_spec(envs, level):
    """docs/games/battleship.md §Random play: random -0.109 / -0.124 / -0.143 (reference dynamics;
    the suite's fixes move it by far less than the sampling error)."""
    env, params, _ = envs(level)
    n_eps = 2000
    ret, _, alive = random_returns(env, params, jax.random.key(11), n_eps)
    assert not alive.any()
    assert ret.min() >= -1 - 1e-5 and ret.max() <= 1 + 1e-5
    se = ret.std() / np.sqrt(n_eps) * np.sqrt(2)  # ours and the spec's figure both sampled
    assert abs(ret.mean() - RANDOM_MEAN[level]) < 4 * se, (ret.mean(), se)


# ---------------------------------------------------------------------------- pixels


def cell_origin(size: int, n: int, col: int, row: int) -> tuple[int, int]:
    """Canvas (x, y) of a cell interior's top-left, from the spec's layout numbers."""
    o = (size - SUB[size][n]) // 2
    return o + 2 + col * (CELL[size][n] + 2), o + 2 + row * (CELL[size][n] + 2)


def mark_mask(size: int, n: int, col: int, row: int, hit: bool) -> np.ndarray:
    """bool[S, S]: the pixels of cell (col, row)'s X (hit) or O (miss) per docs/games/battleship.md
    §Drawing that survive the grid lines drawn over them."""
    c = CELL[size][n]
    o = (size - SUB[size][n]) // 2
    k, t = (1, 2) if size == 256 else (0, 1)
    ys, xs = np.mgrid[0:size, 0:size]
    x0, y0 = cell_origin(size, n, col, row)
    if hit:
        box = (xs >= x0) & (xs <= x0 + c) & (ys >= y0) & (ys <= y0 + c)
        m = box & ((abs((ys - y0) - (xs - x0)) <= k) | (abs((ys - (y0 + c)) + (xs - x0)) <= k))
    else:
        d2 = (xs - (x0 + c // 2)) ** 2 + (ys - (y0 + c // 2)) ** 2
        m = ((c // 2 - t) ** 2 <= d2) & (d2 <= (c // 2) ** 2)
    on_grid = ((xs - o) % (c + 2) < 2) | ((ys - o) % (c + 2) < 2)
    return m & ~on_grid


def expected_area(size, n, ships, guesses, cx, cy, partial) -> np.ndarray:
    """The game area per docs/games/battleship.md §Drawing, drawn in the spec's order: cursor,
    marks, grid; an MDP X min-composited with what lies under it, the POMDP's only mark (the cursor
    cell's) pure."""
    s, c = SUB[size][n], CELL[size][n]
    o = (size - s) // 2
    img = np.empty((size, size, 3), np.uint8)
    img[:] = AREA
    x0, y0 = cell_origin(size, n, cx, cy)
    img[y0 : y0 + c, x0 : x0 + c] = CURSOR
    for row, col in np.argwhere(guesses):
        if partial and (col, row) != (cx, cy):
            continue
        m = mark_mask(size, n, col, row, bool(ships[row, col]))
        if not ships[row, col]:
            img[m] = BLACK
        else:
            img[m] = X_RED if partial else np.minimum(img[m], X_RED)
    ys, xs = np.mgrid[0:size, 0:size]
    img[((xs - o) % (c + 2) < 2) | ((ys - o) % (c + 2) < 2)] = GRID
    return img[o : o + s, o : o + s]


@pytest.mark.parametrize("size", [128, 256])
@pytest.mark.parametrize("level", ["Easy", "Medium", "Hard"])
def test_board_pixels_match_the_spec_in_both_views(envs, size, level):
    n = LEVELS[level]
    ships = fixed_ships(n)
    guesses = np.zeros((n, n), bool)
    guesses[0, 0] = guesses[0, 1] = guesses[3, 1] = True  # X X . / X
    guesses[5, 5] = guesses[0, 3] = True  # O, O
    s, o = SUB[size][n], (size - SUB[size][n]) // 2
    for cx, cy in ((1, 0), (5, 5), (4, 4)):  # cursor on an X, on an O, on water
        state = make_state(ships, guesses, cx, cy)
        for partial in (False, True):
            env, params, _ = envs(level, partial, size)
            frame = np.asarray(env.render(state))
            want = expected_area(size, n, ships, guesses, cx, cy, partial)
            np.testing.assert_array_equal(frame[o : o + s, o : o + s], want)


@pytest.mark.parametrize("size", [128, 256])
def test_x_colours_are_min_composited_in_the_mdp_only(envs, size):
    """Quirk 11 [KEEP]: an MDP X is (191,0,0) on a plain cell, (217,0,0) on the cursor; the
    POMDP's one visible X is (255,0,0)."""
    guesses = np.zeros((8, 8), bool)
    guesses[0, 0] = guesses[0, 1] = True
    state = make_state(fixed_ships(8), guesses, cx=1, cy=0)
    mdp = np.asarray(envs("Easy", False, size)[0].render(state))
    pomdp = np.asarray(envs("Easy", True, size)[0].render(state))
    (x0, y0), (x1, y1) = cell_origin(size, 8, 0, 0), cell_origin(size, 8, 1, 0)
    assert tuple(mdp[y0, x0]) == (191, 0, 0) and tuple(mdp[y1, x1]) == (217, 0, 0)
    assert tuple(pomdp[y1, x1]) == (255, 0, 0) and tuple(pomdp[y0, x0]) == AREA
    c = CELL[size][8]
    # stroke width: 3 px at 256 (k = 1), 1 px at 128
    assert (tuple(mdp[y0, x0 + 1]) == (191, 0, 0)) == (size == 256)
    assert tuple(mdp[y0 + c // 2, x0 + c // 2]) == (191, 0, 0)  # the centre is on both strokes


@pytest.mark.parametrize("size", [128, 256])
def test_score_and_name_pixels(envs, size):
    guesses = np.zeros((8, 8), bool)
    guesses[0, 0] = guesses[0, 1] = True  # two hits: score 2
    frame = np.asarray(
        envs("Easy", False, size)[0].render(make_state(fixed_ships(8), guesses, 4, 4))
    )
    x, (top, bottom) = (121, (3, 27)) if size == 256 else (59, (2, 11))
    dw = 15 if size == 256 else 10
    assert tuple(frame[top, x]) == SCORE and tuple(frame[top, x + dw - 1]) == SCORE  # "2": #####
    assert tuple(frame[bottom, x]) == SCORE and tuple(frame[bottom + 1, x]) == BACKGROUND
    assert tuple(frame[top, x - 1]) == BACKGROUND and tuple(frame[top - 1, x]) == BACKGROUND
    rows, cols = np.nonzero((frame == NAME).all(-1))
    first, last = (233, 252) if size == 256 else (116, 125)
    assert rows.min() == first and rows.max() <= last
    assert cols.min() == (14 if size == 256 else 9) and cols.max() <= (240 if size == 256 else 117)
    assert tuple(frame[0, 0]) == BACKGROUND


@pytest.mark.parametrize("size", [128, 256])
def test_pomdp_hides_exactly_the_marks_off_the_cursor(envs, size):
    """docs/games/battleship.md §The POMDP: the POMDP differs from the MDP on the marks of fired
    cells other than the cursor's, and on the cursor's own X (pure red instead of min-composited).
    """
    n = 8
    ships, guesses = fixed_ships(n), np.zeros((n, n), bool)
    guesses[0, 0] = guesses[2, 1] = guesses[6, 6] = guesses[7, 0] = True  # X, X, O, O
    for cx, cy in ((1, 2), (6, 6)):  # cursor on an X, on an O
        state = make_state(ships, guesses, cx, cy)
        mdp = np.asarray(envs("Easy", False, size)[0].render(state))
        pomdp = np.asarray(envs("Easy", True, size)[0].render(state))
        expect = np.zeros((size, size), bool)
        for row, col in np.argwhere(guesses):
            hit = bool(ships[row, col])
            if (col, row) != (cx, cy) or hit:
                expect |= mark_mask(size, n, col, row, hit)
        np.testing.assert_array_equal((mdp != pomdp).any(-1), expect)


@pytest.mark.parametrize("size", [128, 256])
def test_pomdp_reset_frame_equals_the_mdp_reset_frame(envs, size):
    """t = 0 reveal: nothing is fired at reset, so the frames agree."""
    for level in ("Easy", "Hard"):
        mdp_env, params, _ = envs(level, False, size)
        pomdp_env, _, _ = envs(level, True, size)
        for seed in range(3):
            a, s = mdp_env.reset(jax.random.key(seed), params)
            b, s2 = pomdp_env.reset(jax.random.key(seed), params)
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
        n = LEVELS[level]
        env = envs(level, partial == "1", int(size))[0]
        state = make_state(
            ref[f"{key}_ships"],
            ref[f"{key}_guesses"],
            *ref[f"{key}_cursor"],
            time=int(ref[f"{key}_time"]),
        )
        assert n == state.ships.shape[0]
        np.testing.assert_array_equal(
            np.asarray(env.render(state)), ref[f"{key}_frame"], err_msg=key
        )
