"""Pong's rules, pixels and POMDP, and the conformance kit. Run from this folder once the
plugin is installed: `pip install -e . && pytest`."""

from __future__ import annotations

import arcade_core
import jax
import jax.numpy as jnp
import numpy as np
import pytest
from arcade_core.specs import rules_text
from arcade_core.testing import conformance

from arcade_pong import constants as C
from arcade_pong.game import Pong, PongState

# the conformance kit: one test per check of `arcade check`. One difficulty keeps this file
# quick on two cores (the levels share every code path); `arcade check PongMedium PongHard`
# runs the same checks on the others.
test_conformance = conformance("PongEasy")


def state(ball=(20, 20), vel=(1, 0), player=19, ai=19, points=(0, 0), time=5) -> PongState:
    i = jnp.int32
    return PongState(jnp.asarray(ball, i), jnp.asarray(vel, i), i(player), i(ai),
                     jnp.asarray(points, i), jnp.bool_(False), i(time))  # fmt: skip


@pytest.fixture(scope="module")
def easy() -> tuple[Pong, object, object]:
    env, params = arcade_core.make("PongEasy")
    return env, params, jax.jit(env.transition_checked)


def test_plugin_registers_three_difficulties_through_its_entry_point() -> None:
    ids = [i for i in arcade_core.list_envs() if i.startswith("Pong")]
    assert ids == ["PongEasy", "PongMedium", "PongHard"]
    sp = arcade_core.spec("PongHard")
    assert (sp.package, sp.plugin, sp.return_range) == ("arcade-pong", "pong", (-1.0, 1.0))
    env, params = arcade_core.make("PongHard")
    assert (env.paddle, env.flicker, params.max_steps_in_episode) == (6, 6, sp.max_steps)


@pytest.mark.parametrize("env_id", ["PongEasy", "PongMedium", "PongHard"])
def test_the_spec_names_a_rules_page_that_ships_with_the_package(env_id: str) -> None:
    sp = arcade_core.spec(env_id)
    assert sp.rules == "arcade_pong:pong.md"
    text = rules_text(sp)  # what `arcade info` prints
    assert text.startswith("# Pong\n") and f"`{env_id}`" in text
    for section in ("What you see", "Actions", "Rules", "Rewards", "The POMDP", "Random play"):
        assert f"\n## {section}\n" in text, section


def test_up_and_down_move_the_paddle_and_stop_at_the_walls(easy) -> None:
    env, params, step = easy
    for action, start, want in [(0, 19, 17), (1, 19, 21), (0, 1, 0), (1, 37, 38), (4, 19, 19), (2, 19, 19)]:  # fmt: skip
        new, *_ = step(jax.random.key(0), state(player=start), action, params)
        assert int(new.player) == want, (action, start)


def test_ball_reflects_off_the_top_wall_and_flashes(easy) -> None:
    env, params, step = easy
    new, reward, done = step(jax.random.key(0), state(ball=(20, 1), vel=(1, -3)), 4, params)
    assert new.ball.tolist() == [21, 2] and new.vel.tolist() == [1, 3] and bool(new.flash)
    assert float(reward) == 0 and not bool(done)


def test_paddle_returns_the_ball_steeper_off_its_edge(easy) -> None:
    env, params, step = easy
    # ball centre level with the paddle's centre: straight back
    new, reward, _ = step(jax.random.key(0), state(ball=(3, 23), vel=(-1, 0), player=19), 4, params)
    assert new.ball.tolist() == [4, 23] and new.vel.tolist() == [1, 0] and bool(new.flash)
    assert float(reward) == 0
    # off the paddle's top edge: up at max_vy
    new, *_ = step(jax.random.key(0), state(ball=(3, 18), vel=(-1, 0), player=19), 4, params)
    assert new.vel.tolist() == [1, -env.max_vy]
    # off its bottom edge: down
    new, *_ = step(jax.random.key(0), state(ball=(3, 28), vel=(-1, 0), player=19), 4, params)
    assert new.vel.tolist() == [1, env.max_vy]


def test_a_miss_is_a_point_for_the_ai_and_the_ball_is_served_again(easy) -> None:
    env, params, step = easy
    new, reward, done = step(
        jax.random.key(3), state(ball=(3, 40), vel=(-1, 0), player=5), 4, params
    )
    assert new.points.tolist() == [0, 1] and float(reward) == pytest.approx(-1 / 3)
    assert int(new.ball[0]) == (C.LEFT + C.RIGHT) // 2 and abs(int(new.vel[0])) == env.ball_speed
    assert bool(new.flash) and not bool(done)


def test_beating_the_ai_pays_and_the_third_point_ends_the_game(easy) -> None:
    env, params, step = easy
    s = state(ball=(C.RIGHT, 2), vel=(1, 0), ai=30, points=(2, 1))
    new, reward, done = step(jax.random.key(0), s, 4, params)
    assert new.points.tolist() == [3, 1] and float(reward) == pytest.approx(1 / 3) and bool(done)


def test_ai_chases_the_ball_only_on_its_half(easy) -> None:
    env, params, step = easy
    near = step(jax.random.key(0), state(ball=(30, 40), vel=(1, 0), ai=19), 4, params)[0]
    far = step(jax.random.key(0), state(ball=(10, 40), vel=(1, 0), ai=10), 4, params)[0]
    away = step(jax.random.key(0), state(ball=(30, 40), vel=(-1, 0), ai=19), 4, params)[0]
    assert int(near.ai) == 19 + env.ai_speed  # toward the ball, at its speed
    assert int(far.ai) == 10 + env.ai_speed  # back toward the middle (top 19)
    assert int(away.ai) == 19  # already in the middle


# ------------------------------------------------------------------ pixels


def _box(frame: np.ndarray, colour: tuple[int, int, int], o: int) -> tuple[int, ...]:
    """Canvas box (x0, y0, x1, y1) of `colour` inside the game area (whose offset is `o`)."""
    area = frame[o:-o, o:-o]
    ys, xs = np.nonzero(np.all(area == colour, -1))
    return o + xs.min(), o + ys.min(), o + xs.max() + 1, o + ys.max() + 1


@pytest.mark.parametrize("size", [128, 256])
def test_paddles_and_ball_are_drawn_at_their_cells(size: int) -> None:
    env, params = arcade_core.make("PongMedium", obs_size=size)
    c, o = C.CELL[size], (size - C.COURT * C.CELL[size]) // 2
    frame = np.asarray(jax.jit(env.render)(state(ball=(7, 30), player=4, ai=40), params))
    assert frame.shape == (size, size, 3) and frame.dtype == np.uint8
    assert _box(frame, C.BALL_COLOUR, o) == (o + 7 * c, o + 30 * c, o + 9 * c, o + 32 * c)
    assert _box(frame, C.PLAYER, o) == (o + 1 * c, o + 4 * c, o + 3 * c, o + 12 * c)
    assert _box(frame, C.AI, o) == (o + 45 * c, o + 40 * c, o + 47 * c, o + 48 * c)


@pytest.mark.parametrize("env_id", ["PongEasy", "PongHard"])
def test_pomdp_shows_the_ball_every_kth_frame_or_on_a_flash(env_id: str) -> None:
    mdp, params = arcade_core.make(env_id)
    draw = jax.jit(mdp.render, static_argnums=2)
    k = mdp.flicker
    for t in range(2 * k + 1):
        for flash in (False, True):
            s = state(ball=(20, 10), time=t).replace(flash=jnp.bool_(flash))
            full, part = np.asarray(draw(s, params, False)), np.asarray(draw(s, params, True))
            diff = np.argwhere(np.any(full != part, -1))
            if t % k == 0 or flash:
                assert diff.size == 0, (t, flash)
            else:  # exactly the ball's pixels (cells 20-21 x 10-11) are hidden
                c, o = C.CELL[128], 16
                ball = np.argwhere(np.ones((C.BALL * c, C.BALL * c))) + (o + 10 * c, o + 20 * c)
                assert np.array_equal(diff, ball), (t, flash)
                assert np.all(full[tuple(ball.T)] == C.BALL_COLOUR)


# ------------------------------------------------------------------ play


def _returns(env_id: str, n: int = 64) -> tuple[np.ndarray, np.ndarray]:
    """First-episode returns of `n` angled-return players and `n` random players (one jit)."""
    env, params = arcade_core.make(env_id)
    skilled = jnp.arange(2 * n) < n

    def act(s: PongState, key: jax.Array, skilled: jax.Array) -> jax.Array:
        want = s.ball[1] - env.paddle + 2  # meet the ball with the paddle's lower edge
        aim = jnp.where(want < s.player, 0, jnp.where(want > s.player, 1, 4))
        return jnp.where(skilled, aim, jax.random.randint(key, (), 0, 5))

    @jax.jit
    def run(key: jax.Array) -> jax.Array:
        k0, k1 = jax.random.split(key)
        s = jax.vmap(env.init, in_axes=(0, None))(jax.random.split(k0, 2 * n), params)

        def body(c, k):
            s, ret, alive = c
            ka, ks = jax.random.split(k)
            a = jax.vmap(act)(s, jax.random.split(ka, 2 * n), skilled)
            s, _, r, term, trunc = jax.vmap(env.advance, in_axes=(0, 0, 0, None))(
                jax.random.split(ks, 2 * n), s, a, params
            )
            return (s, ret + jnp.where(alive, r, 0.0), alive & ~(term | trunc)), None

        init = (s, jnp.zeros(2 * n), jnp.ones(2 * n, bool))
        (_, ret, _), _ = jax.lax.scan(body, init, jax.random.split(k1, params.max_steps_in_episode))
        return ret

    ret = np.asarray(run(jax.random.key(0)))
    return ret[:n], ret[n:]


def test_angled_returns_beat_the_easy_ai_and_random_play_loses() -> None:
    skilled, random = _returns("PongEasy")
    assert skilled.mean() > 0.5 and random.mean() < -0.8, (skilled.mean(), random.mean())
    assert np.all(np.abs(np.concatenate([skilled, random])) <= 1 + 1e-6)
