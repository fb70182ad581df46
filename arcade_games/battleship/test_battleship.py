"""BattleShip (docs/games/battleship.md): ship placement, fire/repeat rules with the suite's fixes,
an oracle that sinks every ship, the random policy's return, and pixels at 128 and 256 px, MDP and
POMDP (against the plain renderer, `plain.py`, the spec as code)."""

from __future__ import annotations

from pathlib import Path

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from arcade_core.testing import compare_renderers, game_envs, random_returns, stack
from arcade_games.battleship.game import BattleShipState, place_ships

LEVELS = {"Easy": 8, "Medium": 10, "Hard": 12}
# spec numbers (docs/games/battleship.md §Drawing), written out so the tests do not read the
# renderer's tables
SUB = {256: {8: 186, 10: 192, 12: 182}, 128: {8: 90, 10: 92, 12: 98}}
CELL = {256: {8: 21, 10: 17, 12: 13}, 128: {8: 9, 10: 7, 12: 6}}
BACKGROUND, AREA = (255, 255, 255), (191, 191, 191)
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


@pytest.mark.parametrize("level", ["Easy", "Medium", "Hard"])
def test_frames_equal_the_plain_renderer_pixel_for_pixel(level):
    """The tuned renderer against the plain one (`plain.py`, the spec as code) in both views at
    both sizes (`compare_renderers`): Xs and Os on the board's edges and corners, the cursor on
    an X, on an O, on water and in the far corner, every cell fired at."""
    n = LEVELS[level]
    ships = fixed_ships(n)
    ships[n - 1, n - 2 :] = True
    guesses = np.zeros((n, n), bool)
    guesses[0, 0] = guesses[0, 1] = guesses[3, 1] = True  # X X . / X
    guesses[5, 5] = guesses[0, 3] = guesses[n - 1, n - 1] = guesses[n - 1, 0] = True
    guesses[0, n - 1] = True  # O
    states = [make_state(ships, guesses, cx, cy)
              for cx, cy in ((1, 0), (5, 5), (4, 4), (n - 1, n - 1), (0, n - 1))]  # fmt: skip
    states.append(make_state(ships, np.ones((n, n), bool), n - 1, 0))
    for size in (128, 256):
        assert compare_renderers(f"BattleShip{level}", stack(states), size) == []


def mark_pixels(render, state: BattleShipState, col: int, row: int) -> np.ndarray:
    """bool[S, S]: the pixels of the mark on fired cell (col, row): where the MDP frame changes
    when that one cell is taken back unfired (marks never share a pixel)."""
    unfired = state.replace(guesses=state.guesses.at[row, col].set(False))
    return (np.asarray(render(state)) != np.asarray(render(unfired))).any(-1)


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
            if (col, row) != (cx, cy) or ships[row, col]:
                expect |= mark_pixels(envs("Easy", False, size)[0].render, state, col, row)
        assert expect.sum() > 4 * CELL[size][n]  # four marks of a cell's width at least
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
