"""Breakout: rules (docs/games/breakout.md) from scripted states, the ball-tracking paddle that
clears the board (docs/games/breakout.md §Random play), the random-policy return
(docs/games/breakout.md §Random play), and frames pixel-exact against the plain renderer
(`plain.py`, the spec as code) at both sizes, with what the POMDP hides."""

from __future__ import annotations

import math

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import arcade_core
from arcade_core.testing import batch_render, compare_renderers, random_returns, stack
from arcade_games.breakout import constants as C
from arcade_games.breakout.game import BreakoutState

ROW_VALUE = {1: 0.025, 2: 0.0216667, 3: 0.0183333, 4: 0.015, 5: 0.0116667, 6: 0.0083333}


def make_state(
    ball=(4, 10),
    direction=0,
    last=None,
    paddle=3,
    bricks=None,
    strike=False,
    score=0,
    time=1,
) -> BreakoutState:
    if bricks is None:
        bricks = np.zeros((20, 10), bool)
        bricks[1:7] = True
    last = ball if last is None else last
    i = jnp.int32
    return BreakoutState(
        bricks=jnp.asarray(bricks, bool),
        ball_x=i(ball[0]),
        ball_y=i(ball[1]),
        direction=i(direction),
        last_x=i(last[0]),
        last_y=i(last[1]),
        paddle=i(paddle),
        strike=jnp.bool_(strike),
        score=i(score),
        time=i(time),
    )


@pytest.fixture(scope="module")
def hard():
    """BreakoutHard (paddle 4): a jitted `step`."""
    env, params = arcade_core.make("BreakoutHard")
    return jax.jit(lambda s, a: env.step(jax.random.key(0), s, a, params)), params


# ------------------------------------------------------------------ rules


def test_reset_fills_rows_1_to_6_and_starts_in_a_bottom_corner_moving_up() -> None:
    env, params = arcade_core.make("BreakoutEasy")
    states = jax.vmap(env.init, in_axes=(0, None))(jax.random.split(jax.random.key(0), 64), params)
    bricks = np.asarray(states.bricks)
    assert np.all(bricks[:, 1:7]) and not np.any(bricks[:, [0, *range(7, 20)]])
    x, d = np.asarray(states.ball_x), np.asarray(states.direction)
    assert set(zip(x.tolist(), d.tolist(), strict=True)) == {(0, 0), (9, 1)}  # both starts occur
    assert np.all(np.asarray(states.ball_y) == 13) and np.all(np.asarray(states.last_x) == x)
    assert np.all(np.asarray(states.paddle) == 4)  # [FIX] min(5, 10 - 6), on the board


@pytest.mark.parametrize(("env_id", "start"), [("BreakoutEasy", 4), ("BreakoutMedium", 5)])
def test_paddle_moves_one_cell_and_stops_at_the_edges(env_id: str, start: int) -> None:
    env, params = arcade_core.make(env_id)
    w = env.paddle_width
    step = jax.jit(lambda s, a: env.transition_checked(jax.random.key(0), s, a, params)[0])
    state = env.init(jax.random.key(1), params)
    assert int(state.paddle) == start
    assert int(step(state, 3).paddle) == min(start + 1, 10 - w)  # Easy: right stays at 4
    for a in (0, 1, 4):
        assert int(step(state, a).paddle) == start
    for _ in range(7):
        state = step(state, 2)
    assert int(state.paddle) == 0


def test_ball_bounces_off_the_side_wall(hard) -> None:
    step, _ = hard
    _, s, r, done, _ = step(make_state(ball=(0, 10), direction=0), 4)
    assert (int(s.ball_x), int(s.ball_y), int(s.direction)) == (0, 9, 1)
    assert (int(s.last_x), int(s.last_y)) == (0, 10) and float(r) == 0 and not bool(done)


def test_ball_bounces_off_the_ceiling_without_touching_bricks(hard) -> None:
    step, _ = hard
    _, s, r, _, _ = step(make_state(ball=(4, 0), direction=1), 4)
    assert (int(s.ball_x), int(s.ball_y), int(s.direction)) == (5, 0, 2)
    assert float(r) == 0 and int(np.asarray(s.bricks).sum()) == 60


def test_corner_flips_both_ways(hard) -> None:
    step, _ = hard
    _, s, _, _, _ = step(make_state(ball=(9, 0), direction=1), 4)
    assert (int(s.ball_x), int(s.ball_y), int(s.direction)) == (9, 0, 3)


@pytest.mark.parametrize("row", [1, 3, 6])
def test_brick_hit_pays_its_row_value_and_bounces_back(hard, row: int) -> None:
    step, _ = hard
    bricks = np.zeros((20, 10), bool)
    bricks[row, :] = True
    bricks[2 if row == 1 else 1, 0] = True  # a brick elsewhere: the hit does not end the game
    _, s, r, done, _ = step(make_state(ball=(3, row + 1), direction=1, bricks=bricks), 4)
    assert float(r) == pytest.approx(ROW_VALUE[row], abs=1e-6) and not bool(done)
    assert not bool(s.bricks[row, 4]) and int(np.asarray(s.bricks).sum()) == 10
    # the ball keeps its new column, returns to its previous row and now moves down
    assert (int(s.ball_x), int(s.ball_y), int(s.direction)) == (4, row + 1, 2)
    assert bool(s.strike) and int(s.score) == 1


def test_hit_right_after_a_hit_removes_the_brick_without_reward_or_bounce(hard) -> None:
    """[KEEP] docs/games/breakout.md §Differences from POPGym Arcade: the reference removes the
    brick but neither pays nor bounces; the next step without a hit re-arms the reward."""
    step, _ = hard
    bricks = np.zeros((20, 10), bool)
    bricks[1:7] = True
    bricks[5, 5] = False
    _, s, r, _, _ = step(make_state(ball=(3, 7), direction=1, strike=True, bricks=bricks), 4)
    assert float(r) == 0 and int(s.score) == 0 and not bool(s.bricks[6, 4])
    assert (int(s.ball_x), int(s.ball_y), int(s.direction)) == (4, 6, 1) and bool(s.strike)
    _, s, r, _, _ = step(s, 4)  # into the empty cell (5, 5): no hit
    assert float(r) == 0 and not bool(s.strike) and (int(s.ball_x), int(s.ball_y)) == (5, 5)
    _, s, r, _, _ = step(s, 4)  # brick (6, 4) is paid and bounces
    assert float(r) == pytest.approx(ROW_VALUE[4], abs=1e-6) and int(s.score) == 1
    assert (int(s.ball_x), int(s.ball_y), int(s.direction)) == (6, 5, 2)


def test_ball_over_the_paddle_bounces_up(hard) -> None:
    step, _ = hard
    _, s, r, done, _ = step(make_state(ball=(5, 18), direction=2, paddle=4), 4)
    assert (int(s.ball_x), int(s.ball_y), int(s.direction)) == (6, 18, 1)
    assert float(r) == 0 and not bool(done)


def test_ball_reaching_the_paddle_corner_reverses(hard) -> None:
    """Old column 3 is off the paddle (cells 4..7), the new column 4 is on it: back the way
    it came."""
    step, _ = hard
    _, s, _, done, _ = step(make_state(ball=(3, 18), direction=2, paddle=4), 4)
    assert (int(s.ball_x), int(s.ball_y), int(s.direction)) == (4, 18, 0) and not bool(done)


def test_paddle_moves_before_the_ball(hard) -> None:
    step, _ = hard
    _, s, _, done, _ = step(make_state(ball=(8, 18), direction=2, paddle=5), 3)
    assert int(s.paddle) == 6 and int(s.direction) == 1 and not bool(done)


def test_missed_ball_ends_the_episode_and_costs_the_remaining_bricks(hard) -> None:
    step, _ = hard
    bricks = np.zeros((20, 10), bool)
    bricks[1, :6] = True
    _, s, r, done, info = step(make_state(ball=(0, 18), direction=3, paddle=6, bricks=bricks), 4)
    assert bool(done) and bool(info["terminated"]) and float(info["discount"]) == 0.0
    assert float(r) == pytest.approx(-6 / 60, abs=1e-6)
    assert int(s.time) == 0  # auto-reset


def test_breaking_the_last_brick_ends_the_episode(hard) -> None:
    step, _ = hard
    bricks = np.zeros((20, 10), bool)
    bricks[2, 5] = True
    _, _, r, done, info = step(make_state(ball=(4, 3), direction=1, bricks=bricks), 4)
    assert bool(done) and bool(info["terminated"]) and not bool(info["truncated"])
    assert float(r) == pytest.approx(ROW_VALUE[2], abs=1e-6)


def test_bricks_sum_to_one() -> None:
    assert sum(C.ROW_VALUE) * 10 == pytest.approx(1.0, abs=1e-12)
    assert [round(v, 7) for v in C.ROW_VALUE[1:7]] == list(ROW_VALUE.values())


def test_invalid_action_is_a_no_op(hard) -> None:
    step, _ = hard
    state = make_state(ball=(3, 10), direction=1, paddle=2, time=5)
    _, s, r, done, _ = step(state, 7)
    assert float(r) == 0 and not bool(done) and int(s.time) == 6
    assert int(s.ball_x) == 3 and int(s.paddle) == 2


def _tracking_returns(env_id: str, seeds: int = 4) -> tuple[np.ndarray, np.ndarray]:
    """Return and length of the first episode of a paddle that centres itself under the ball."""
    env, params = arcade_core.make(env_id)
    w = env.paddle_width

    @jax.jit
    def run(key):
        def episode(k):
            state = env.init(k, params)

            def body(c, k):
                state, ret, length, alive = c
                target = state.ball_x - w // 2
                a = jnp.where(state.paddle < target, 3, jnp.where(state.paddle > target, 2, 4))
                state, _, r, term, trunc = env.advance(k, state, a, params)
                ret, length = ret + jnp.where(alive, r, 0.0), length + alive
                return (state, ret, length, alive & ~(term | trunc)), None

            init = (state, jnp.float32(0), jnp.int32(0), jnp.bool_(True))
            (_, ret, length, _), _ = jax.lax.scan(body, init, jax.random.split(k, C.TIME_LIMIT))
            return ret, length

        return jax.vmap(episode)(jax.random.split(key, seeds))

    ret, length = run(jax.random.key(3))
    return np.asarray(ret), np.asarray(length)


@pytest.mark.parametrize(
    "env_id",
    ["BreakoutMedium", pytest.param("BreakoutEasy", marks=pytest.mark.slow),
     pytest.param("BreakoutHard", marks=pytest.mark.slow)],
)  # fmt: skip
def test_ball_tracking_paddle_clears_all_bricks_within_the_time_limit(env_id: str) -> None:
    """docs/games/breakout.md §Random play: return exactly the bricks' total, 1.0, in 1718 steps
    (measured on the reference for every seed and difficulty), well inside the 2000-step limit."""
    ret, length = _tracking_returns(env_id, seeds=8)
    np.testing.assert_allclose(ret, 1.0, atol=1e-5)
    assert np.all(length == 1718), length


@pytest.mark.parametrize(
    ("env_id", "expected"),
    [("BreakoutMedium", -0.945), pytest.param("BreakoutEasy", -0.932, marks=pytest.mark.slow),
     pytest.param("BreakoutHard", -0.953, marks=pytest.mark.slow)],
)  # fmt: skip
def test_random_policy_mean_return_matches_spec(env_id: str, expected: float) -> None:
    env, params = arcade_core.make(env_id)
    n, T = 512, 600  # random episodes last < 500 steps
    ret, _, alive = random_returns(env, params, jax.random.key(11), n, T)
    assert not alive.any()
    se = ret.std() * math.sqrt(1 / n + 1 / 500)  # ours and the spec's 500 episodes
    assert abs(ret.mean() - expected) < 4 * se + 0.001, (ret.mean(), se)


# ------------------------------------------------------------------ frames


def _some_bricks() -> np.ndarray:
    b = np.zeros((20, 10), bool)
    b[1:7] = np.random.default_rng(0).random((6, 10)) < 0.6
    return b


STATES = [
    make_state(ball=(0, 13), direction=0, paddle=3, score=0, time=0),  # a reset state
    make_state(ball=(4, 7), direction=1, last=(3, 8), paddle=0, bricks=_some_bricks(), score=7),
    make_state(ball=(9, 18), direction=3, last=(8, 17), paddle=6, bricks=_some_bricks(), score=42),
    make_state(ball=(5, 4), direction=2, last=(4, 3), paddle=5, bricks=_some_bricks(), score=31),
    make_state(ball=(0, 0), direction=3, last=(0, 0), paddle=2, score=9),  # trail on the ball
]


@pytest.fixture(scope="module", params=[128, 256])
def draw(request):
    return request.param, batch_render("BreakoutHard", request.param)


@pytest.mark.parametrize("S", [128, 256])
def test_frames_equal_the_plain_renderer_pixel_for_pixel(S: int) -> None:
    """The tuned renderer against the plain one (`plain.py`, the spec as code) in both views
    (`compare_renderers`), on edge states: a trail under the ball, the paddle at either wall."""
    assert compare_renderers("BreakoutHard", stack(STATES), S) == []


def test_pomdp_hides_the_trail_always_and_the_ball_while_it_falls(draw) -> None:
    S, fn = draw
    L, o = C.LAYOUT[S], (S - C.LAYOUT[S]["area"]) // 2
    mdp, pomdp = np.asarray(fn(stack(STATES), False)), np.asarray(fn(stack(STATES), True))
    ys, xs = np.mgrid[:S, :S] - o
    for state, full, part in zip(STATES, mdp, pomdp, strict=True):

        def disc(x, y, r):
            cx, cy = (
                int(x) * L["cell_w"] + L["cell_w"] // 2,
                int(y) * L["cell_h"] + L["cell_h"] // 2,
            )
            return (xs - cx) ** 2 + (ys - cy) ** 2 <= r * r

        hidden = disc(state.last_x, state.last_y, L["trail_r"])
        if int(state.direction) >= 2:
            hidden |= disc(state.ball_x, state.ball_y, L["ball_r"])
        diff = np.any(full != part, -1)
        assert diff.any() and not np.any(diff & ~hidden)
        assert np.all(np.all(full[diff & ~disc(state.ball_x, state.ball_y, 99)] == C.TRAIL, -1))


def test_layout_numbers(draw) -> None:
    """Game area offset and colour, cell sizes, score digit and name positions
    (docs/games/conventions.md §The frame, docs/games/breakout.md §Drawing)."""
    S, fn = draw
    frame = np.asarray(fn(stack([STATES[0]]), False))[0]
    s, o = C.LAYOUT[S]["area"], (S - C.LAYOUT[S]["area"]) // 2
    assert o == (28 if S == 256 else 14)
    assert tuple(frame[o, o]) == (0, 0, 0) and tuple(frame[o - 1, o - 1]) == C.BACKGROUND
    cw, ch = (20, 10) if S == 256 else (10, 5)
    red = np.argwhere(np.all(frame == C.BRICK[1], -1))  # row-1 bricks, the paddle and the ball
    assert red[:, 0].min() == o + ch and red[:, 1].min() == o and red[:, 1].max() == o + s - 1
    paddle = np.argwhere(np.all(frame[o + 19 * ch : o + 20 * ch] == C.PADDLE, -1))
    assert paddle[:, 1].min() == o + 3 * cw and paddle[:, 1].max() == o + 7 * cw - 1
    score = np.argwhere(np.all(frame == C.SCORE, -1))
    assert score[:, 1].min() == (121 if S == 256 else 59)
    assert (score[:, 0].min(), score[:, 0].max()) == ((3, 27) if S == 256 else (2, 11))
    name = np.argwhere(np.all(frame == C.NAME, -1))
    assert (name[:, 0].min(), name[:, 0].max()) == ((233, 252) if S == 256 else (116, 125))
    assert (name[:, 1].min(), name[:, 1].max()) == ((37, 217) if S == 256 else (20, 106))
