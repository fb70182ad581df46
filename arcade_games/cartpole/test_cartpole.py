"""CartPole and NoisyCartPole: rules (docs/games/cartpole.md, docs/games/noisycartpole.md, with the
suite's fixes), frames pixel-exact against the plain renderer (`plain.py`, the spec as code), and
the POMDP's hiding."""

from __future__ import annotations

import math

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import arcade_core
from arcade_core import testing
from arcade_games.cartpole import constants as C
from arcade_games.cartpole.game import CartPoleState


def make_state(
    x=0.0, x_dot=0.0, theta=0.0, theta_dot=0.0, seed=0, score=0, time=0
) -> CartPoleState:
    f = jnp.float32
    return CartPoleState(
        f(x), f(x_dot), f(theta), f(theta_dot), jnp.uint32(seed), jnp.int32(score), jnp.int32(time)
    )


STATES = [
    make_state(),
    make_state(x=1.3, x_dot=2.5, theta=0.15, theta_dot=-1.7, score=7, time=3),
    make_state(x=-2.0, x_dot=-0.04, theta=-0.2, theta_dot=3.9, score=42, time=1),
    make_state(
        x=3.0, x_dot=12.0, theta=0.5, theta_dot=0.0, score=199, time=9
    ),  # clipped x and theta
    make_state(x=-9.0, x_dot=-30.0, theta=-0.3, theta_dot=-25.0, score=600, time=2),
    make_state(x=0.4, x_dot=0.3, theta=0.05, theta_dot=0.2, seed=9, score=13, time=5),
]


def random_states(
    rng: np.random.Generator, n: int, max_log_speed: float, max_time: int = 3
) -> list[CartPoleState]:
    """`n` states with the cart anywhere (clipped past +-2.4), the pole at any drawable angle
    (clipped past 12 degrees), both speeds of either sign up to e^max_log_speed - 1."""
    speed = rng.choice([-1.0, 1.0], (n, 2)) * np.expm1(rng.uniform(0, max_log_speed, (n, 2)))
    return [
        make_state(x=rng.uniform(-2.6, 2.6), x_dot=speed[i, 0], theta=rng.uniform(-0.25, 0.25),
                   theta_dot=speed[i, 1], seed=int(rng.integers(0, 2**32)),
                   score=int(rng.integers(0, 600)), time=int(rng.integers(0, max_time)))
        for i in range(n)
    ]  # fmt: skip


def renderers(env_id: str, S: int):
    """jit(states, partial -> (tuned frames, plain frames)) for `env_id` at `S` px."""
    tuned, params = arcade_core.make(env_id, obs_size=S)
    plain, _ = arcade_core.make(env_id, obs_size=S, renderer="plain")
    both = jax.vmap(
        lambda st, p: (tuned.render(st, params, p), plain.render(st, params, p)), in_axes=(0, None)
    )
    return jax.jit(both, static_argnums=1)


@pytest.fixture(scope="module", params=[128, 256])
def envs(request):
    return request.param, renderers("CartPoleHard", request.param)


def assert_same(tuned: np.ndarray, plain: np.ndarray, states: list) -> None:
    for k, (a, b) in enumerate(zip(np.asarray(tuned), np.asarray(plain), strict=True)):
        diff = np.argwhere(np.any(a != b, axis=-1))
        assert diff.size == 0, f"state {states[k]}: {len(diff)} pixels differ, first {diff[:5]}"


@pytest.mark.parametrize("partial", [False, True])
def test_frames_equal_the_plain_renderer_on_edge_states(envs, partial: bool) -> None:
    """The tuned renderer against the plain one (the spec as code), pixel for pixel: a
    vertical pole at rest, clipped x and theta, arrows long enough to be cut."""
    S, draw = envs
    assert_same(*draw(testing.stack(STATES), partial), STATES)


def test_random_frames_equal_the_plain_renderer(envs) -> None:
    """Many random states (both arrow directions, short arrows to ones cut at the largest
    size the tuned renderer's bands hold, the pole at any drawable angle) in both views: the
    tuned renderer's per-row intervals and strip tables give the plain shapes' pixels."""
    S, draw = envs
    states = random_states(np.random.default_rng(S), 96, 9.5)
    for partial in (False, True):
        assert_same(*draw(testing.stack(states), partial), states)


def test_noisy_frames_equal_the_plain_renderer_with_their_noise(envs) -> None:
    """NoisyCartPole draws each state with the noise `env.noise(state)` gives it (hashed from
    the episode's seed and the frame's time), added before clipping: arrows may flip."""
    S, draw_clean = envs
    env, _ = arcade_core.make("NoisyCartPoleHard", obs_size=S)
    states = random_states(np.random.default_rng(S), 24, 1.0, max_time=200)
    batch = testing.stack(states)
    assert np.abs(np.asarray(jax.vmap(env.noise)(batch))).max() > 0.1  # the noise is there
    noisy, plain = renderers("NoisyCartPoleHard", S)(batch, False)
    assert_same(noisy, plain, states)
    # ... and it is what the frames show: without it, most of the same states look otherwise
    clean = np.asarray(draw_clean(batch, False)[0])
    assert np.mean(np.any(np.asarray(noisy) != clean, axis=(1, 2, 3))) > 0.5


def test_pomdp_hides_exactly_cart_and_pole_after_first_frame(envs) -> None:
    S, draw = envs
    mdp, pomdp = draw(testing.stack(STATES), False)[0], draw(testing.stack(STATES), True)[0]
    L, o = C.LAYOUT[S], (S - C.LAYOUT[S]["area"]) // 2
    # the rows cart and pole can reach: from the tallest pole's cap down to the cart's bottom
    body = np.zeros(S, bool)
    body[
        o + L["cart_top"] + L["cart_h"] // 2 - L["cart_w"] - L["pole_r"] - 1 : o
        + L["cart_top"]
        + L["cart_h"]
    ] = True
    for state, full, partial in zip(STATES, np.asarray(mdp), np.asarray(pomdp), strict=True):
        if int(state.time) == 0:
            assert np.array_equal(full, partial)  # t = 0 reveal
        else:
            assert np.array_equal(partial[~body], full[~body])  # arrows, score, name: shown
            assert np.all(partial[body] == C.BACKGROUND)  # cart and pole: gone
            assert not np.array_equal(full, partial)


def test_layout_numbers(envs) -> None:
    S, draw = envs
    frame = np.asarray(draw(testing.stack([make_state(score=8, time=1)]), False)[0])[0]
    L, o = C.LAYOUT[S], (S - C.LAYOUT[S]["area"]) // 2
    cart = np.argwhere(np.all(frame == C.CART, -1))
    assert (
        cart[:, 0].min() == L["cart_top"] + o
        and cart[:, 0].max() == L["cart_top"] + L["cart_h"] + o - 1
    )
    assert cart[:, 1].max() - cart[:, 1].min() + 1 == L["cart_w"]
    # pivot disc over the cart and tip disc over the background show the additive colours
    assert np.any(np.all(frame == (13, 212, 176), -1)) and np.any(
        np.all(frame == (75, 189, 87), -1)
    )
    score = np.argwhere(np.all(frame == C.SCORE, -1))
    assert score[:, 1].min() == (121 if S == 256 else 59)
    assert (score[:, 0].min(), score[:, 0].max()) == ((3, 27) if S == 256 else (2, 11))


# ------------------------------------------------------------------ rules


def euler(s: np.ndarray, action: int) -> np.ndarray:
    x, xd, th, thd = s
    f = -10.0 if action == 2 else 10.0 if action == 3 else 0.0
    tmp = (f + 0.05 * thd**2 * math.sin(th)) / 1.1
    tha = (9.8 * math.sin(th) - math.cos(th) * tmp) / (
        0.5 * (4 / 3 - 0.1 * math.cos(th) ** 2 / 1.1)
    )
    xa = tmp - 0.05 * tha * math.cos(th) / 1.1
    return np.asarray([x + 0.02 * xd, xd + 0.02 * xa, th + 0.02 * thd, thd + 0.02 * tha])


def test_physics_follow_the_spec_euler_step() -> None:
    env, params = arcade_core.make("CartPoleEasy")
    step = jax.jit(env.step)
    _, state = env.reset(jax.random.key(3), params)
    ref = np.asarray([state.x, state.x_dot, state.theta, state.theta_dot], np.float64)
    for t, a in enumerate([3, 3, 2, 0, 1, 4, 2, 2, 3, 0]):
        _, state, reward, done, _ = step(jax.random.key(t), state, a, params)
        ref = euler(ref, a)
        got = np.asarray([state.x, state.x_dot, state.theta, state.theta_dot])
        np.testing.assert_allclose(got, ref, rtol=1e-4, atol=1e-5)
        assert float(reward) == pytest.approx(1 / 200) and not bool(done)
        assert int(state.score) == int(state.time) == t + 1


def test_leaving_the_bounds_terminates_on_that_transition_and_is_paid() -> None:
    """[FIX] (docs/games/cartpole.md §Differences from POPGym Arcade): no dead step; the transition
    that leaves the bounds still pays 1/T."""
    env, params = arcade_core.make("CartPoleMedium")
    state = make_state(theta=0.2094, theta_dot=1.0, time=10, score=10)
    _, nstate, reward, done, info = jax.jit(env.step)(jax.random.key(0), state, 4, params)
    assert bool(done) and bool(info["terminated"]) and not bool(info["truncated"])
    assert float(reward) == pytest.approx(1 / 400) and float(info["discount"]) == 0.0
    assert int(nstate.time) == 0  # auto-reset


def _balance(state) -> jax.Array:
    """A stabilising controller: push toward where the pole and cart are heading."""
    u = state.theta + 0.3 * state.theta_dot + 0.01 * state.x + 0.05 * state.x_dot
    return jnp.where(u > 0, 3, 2)


@pytest.mark.parametrize("env_id", ["CartPoleEasy", "CartPoleHard"])
def test_stabilising_controller_runs_exactly_t_steps_with_return_one(env_id: str) -> None:
    env, params = arcade_core.make(env_id)
    T = params.max_steps_in_episode

    @jax.jit
    def run(key):
        state = env.init(key, params)

        def body(c, k):
            state, ret, done_at = c
            state, _, r, term, trunc = env.advance(k, state, _balance(state), params)
            t = c[2]
            done_at = jnp.where((t < 0) & (term | trunc), jnp.where(term, -2, 1), t)
            return (state, ret + jnp.where(t < 0, r, 0.0), jnp.where(t == -1, done_at, t)), (
                term,
                trunc,
            )

        (_, ret, _), (term, trunc) = jax.lax.scan(body, (state, 0.0, -1), jax.random.split(key, T))
        return ret, term, trunc

    ret, term, trunc = run(jax.random.key(0))
    assert float(ret) == pytest.approx(1.0, abs=1e-4)
    assert not np.any(term) and np.argmax(np.asarray(trunc)) == T - 1


@pytest.mark.parametrize(("env_id", "expected"), [("CartPoleEasy", 0.137), ("CartPoleMedium",
0.069),
                                                  ("CartPoleHard", 0.046), ("NoisyCartPoleHard", 0.137)])  # fmt: skip
def test_random_policy_mean_return_matches_spec(env_id: str, expected: float) -> None:
    mean, se = testing.random_policy_return(env_id, episodes=2000, seed=7)
    assert abs(mean - expected) < 4 * se + 0.002, (mean, se)


@pytest.mark.parametrize(("env_id", "sigma"), [("NoisyCartPoleEasy", 0.1), ("NoisyCartPoleMedium",
0.2),
                                               ("NoisyCartPoleHard", 0.3)])  # fmt: skip
def test_noise_touches_the_frame_not_the_physics(env_id: str, sigma: float) -> None:
    noisy, params = arcade_core.make(env_id)
    plain, _ = arcade_core.make("CartPoleEasy")
    keys = jax.random.split(jax.random.key(1), 300)
    s_noisy, s_plain = noisy.init(keys[0], params), plain.init(keys[0], params)
    noises = [np.asarray(noisy.noise(s_noisy))]
    for t in range(1, 40):
        s_noisy, *_ = noisy.transition_checked(keys[t], s_noisy, t % 5, params)
        s_plain, *_ = plain.transition_checked(keys[t], s_plain, t % 5, params)
        noises.append(np.asarray(noisy.noise(s_noisy)))
        assert np.all(np.asarray(plain.noise(s_plain)) == 0)
    np.testing.assert_array_equal(np.asarray(s_noisy.theta), np.asarray(s_plain.theta))
    samples = np.stack(noises)  # [frames, 4]: fresh noise every frame
    assert abs(samples.std() - sigma) < 0.25 * sigma
    assert len(np.unique(samples[:, 0])) == len(samples)
    # across episodes: the first frames of 2000 episodes are N(0, sigma^2), independently
    first = jax.vmap(lambda k: noisy.noise(noisy.init(k, params)))
    firsts = np.asarray(first(jax.random.split(jax.random.key(2), 2000)))
    assert abs(firsts.std() - sigma) < 0.05 * sigma and abs(firsts.mean()) < 0.1 * sigma
    assert abs(np.corrcoef(firsts[:, 0], firsts[:, 1])[0, 1]) < 0.1
