"""CartPole and NoisyCartPole: rules (docs/games/cartpole.md, docs/games/noisycartpole.md, with the
suite's fixes), frames pixel-exact against a brute-force renderer written from the spec, and the
POMDP's hiding."""

from __future__ import annotations

import math

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import arcade_core
from arcade_core import testing
from arcade_core.render import new_canvas
from arcade_games.cartpole import constants as C
from arcade_games.cartpole.game import CartPoleState

# ------------------------------------------------------------------ a renderer from the spec


def _in_tri(xs, ys, a, b, c):
    def edge(p, q):
        return (q[0] - p[0]) * (ys - p[1]) - (q[1] - p[1]) * (xs - p[0])

    e = [edge(a, b), edge(b, c), edge(c, a)]
    return ((e[0] >= 0) & (e[1] >= 0) & (e[2] >= 0)) | ((e[0] <= 0) & (e[1] <= 0) & (e[2] <= 0))


def _arrows(sub: np.ndarray, S: int, xd: float, td: float) -> None:
    L = C.LAYOUT[S]
    ys, xs = np.mgrid[: sub.shape[0], : sub.shape[1]]

    def lv(v, a):
        return int(a + 2 * math.log(1 + abs(v)))

    x0, y0, x1, y1 = L["vel_box"]
    t, hd, ym = lv(xd, 2), lv(xd, L["head0"]), (y0 + y1) // 2
    if xd > 0:
        shaft = (xs >= x0) & (xs < x1 - hd) & (ys >= ym - t // 2) & (ys < ym + t // 2)
        bx0, by0, bx1, by1 = x1 - hd, ym - hd // 2, x1, ym + hd // 2
        head = _in_tri(xs, ys, (bx1, (by0 + by1) // 2), (bx0, by0), (bx0, by1))
    else:
        shaft = (xs >= x0 + hd) & (xs < x1) & (ys >= ym - t // 2) & (ys < ym + t // 2)
        bx0, by0, bx1, by1 = x0, ym - hd // 2, x0 + hd, ym + hd // 2
        head = _in_tri(xs, ys, (bx0, (by0 + by1) // 2), (bx1, by0), (bx1, by1))
    sub[shaft | head] = C.ARROW
    x0, y0, x1, y1 = L["ang_box"]
    t, hd = lv(td, 2), lv(td, L["head0"])
    cx, cy, R = (x0 + x1) // 2, (y0 + y1) // 2, (x1 - x0) // 2
    d = np.sqrt((xs - cx) ** 2 + (ys - cy) ** 2)
    shaft = (R - t < d) & (d <= R) & (xs >= cx) & (ys <= cy)
    if td > 0:
        bx0, by0, bx1, by1 = x1 - t // 2 - hd // 2, cy, x1 - t // 2 + hd // 2, cy + hd
        head = _in_tri(xs, ys, ((bx0 + bx1) // 2, by1), (bx0, by0), (bx1, by0))
    else:
        bx0, by0, bx1, by1 = cx - hd, y0 + t // 2 - hd // 2, cx, y0 + t // 2 + hd // 2
        head = _in_tri(xs, ys, (bx0, (by0 + by1) // 2), (bx1, by0), (bx1, by1))
    sub[shaft | head] = C.ARROW


def spec_frame(
    state: CartPoleState, S: int, show_body: bool = True, noise=(0.0, 0.0, 0.0, 0.0)
) -> np.ndarray:
    """docs/games/cartpole.md §Drawing, one full-image mask per primitive, as the spec describes it,
    with `noise` added to x, x_dot, theta and theta_dot (docs/games/noisycartpole.md)."""
    L = C.LAYOUT[S]
    s, W, H, top, r = L["area"], L["cart_w"], L["cart_h"], L["cart_top"], L["pole_r"]
    n = np.asarray(noise, np.float64)
    x = float(np.clip(float(state.x) + n[0], -2.4, 2.4))
    th = float(np.clip(float(state.theta) + n[2], -0.2094, 0.2094))
    sub = new_canvas(s, s, C.BACKGROUND).astype(np.int64)
    ys, xs = np.mgrid[:s, :s]
    if show_body:
        xl = int(x * (s - W) / 4.8 + (s - W) / 2)
        sub[top : top + H, xl : xl + W] = C.CART
        px, py = xl + W / 2, top + H / 2
        qx, qy = px + W * math.sin(th), py - W * math.cos(th)
        dx, dy = qx - px, qy - py
        t = np.clip(((xs - px) * dx + (ys - py) * dy) / (dx * dx + dy * dy), 0, 1)
        capsule = (xs - px - t * dx) ** 2 + (ys - py - t * dy) ** 2 <= r * r
        for m in (
            capsule,
            (xs - px) ** 2 + (ys - py) ** 2 <= r * r,
            (xs - qx) ** 2 + (ys - qy) ** 2 <= r * r,
        ):
            sub[m] += C.POLE
    sub = (sub % 256).astype(np.uint8)
    _arrows(sub, S, float(state.x_dot) + n[1], float(state.theta_dot) + n[3])
    return testing.spec_frame(sub, S, name="CARTPOLE", background=C.BACKGROUND, name_colour=C.NAME,
                              score=int(state.score), score_colour=C.SCORE)  # fmt: skip


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


@pytest.fixture(scope="module", params=[128, 256])
def envs(request):
    mdp, params = arcade_core.make("CartPoleHard", obs_size=request.param)
    pomdp, _ = arcade_core.make("CartPoleHard", obs_size=request.param, partial_obs=True)
    draw = jax.jit(
        jax.vmap(lambda st, p: mdp.render(st, params, p), in_axes=(0, None)), static_argnums=1
    )
    return request.param, params, draw


def _pole_boundary(state: CartPoleState, S: int, noise=(0.0, 0.0, 0.0, 0.0)) -> np.ndarray:
    """Pixels within 1e-3 px of a pole circle or capsule edge (float rounding may go either way)."""
    L = C.LAYOUT[S]
    s, W, r = L["area"], L["cart_w"], L["pole_r"]
    x = float(np.clip(float(state.x) + float(noise[0]), -2.4, 2.4))
    th = float(np.clip(float(state.theta) + float(noise[2]), -0.2094, 0.2094))
    xl = int(x * (s - W) / 4.8 + (s - W) / 2)
    px, py = xl + W / 2, L["cart_top"] + L["cart_h"] / 2
    qx, qy = px + W * math.sin(th), py - W * math.cos(th)
    ys, xs = np.mgrid[:S, :S] - (S - s) // 2
    near = np.zeros((S, S), bool)
    for cx, cy in ((px, py), (qx, qy)):
        near |= np.abs(np.sqrt((xs - cx) ** 2 + (ys - cy) ** 2) - r) < 1e-3
    dx, dy = qx - px, qy - py
    t = np.clip(((xs - px) * dx + (ys - py) * dy) / (dx * dx + dy * dy), 0, 1)
    near |= np.abs(np.sqrt((xs - px - t * dx) ** 2 + (ys - py - t * dy) ** 2) - r) < 1e-3
    return near


def test_frames_match_the_spec_renderer_pixel_for_pixel(envs) -> None:
    S, params, draw = envs
    frames = np.asarray(draw(testing.stack(STATES), False))
    for state, frame in zip(STATES, frames, strict=True):
        want = spec_frame(state, S)
        diff = np.any(frame != want, axis=-1)
        assert not np.any(diff & ~_pole_boundary(state, S)), f"{np.argwhere(diff)[:10]}"
        assert diff.sum() <= 2  # float rounding on an exact-boundary pixel, at most


def test_random_frames_match_the_spec_renderer(envs) -> None:
    """Many random states (both arrow directions, short to long arrows up to |v| ~ 80, the
    pole at any drawable angle): the per-row intervals join shapes only where the spec's
    masks meet."""
    S, params, draw = envs
    rng = np.random.default_rng(0)
    n = 48
    speed = rng.choice([-1.0, 1.0], (n, 2)) * np.expm1(rng.uniform(0, 4.4, (n, 2)))
    states = [
        make_state(x=rng.uniform(-2.6, 2.6), x_dot=speed[i, 0], theta=rng.uniform(-0.25, 0.25),
                   theta_dot=speed[i, 1], score=int(rng.integers(0, 600)), time=1)
        for i in range(n)
    ]  # fmt: skip
    frames = np.asarray(draw(testing.stack(states), False))
    for state, frame in zip(states, frames, strict=True):
        diff = np.any(frame != spec_frame(state, S), axis=-1)
        assert not np.any(diff & ~_pole_boundary(state, S)), f"{np.argwhere(diff)[:10]}"
        assert diff.sum() <= 2


@pytest.mark.parametrize("S", [128, 256])
def test_noisy_frames_match_the_spec_renderer_with_their_noise(S: int) -> None:
    """NoisyCartPole draws each state with the noise `env.noise(state)` gives it (hashed from
    the episode's seed and the frame's time), added before clipping: arrows may flip."""
    env, params = arcade_core.make("NoisyCartPoleHard", obs_size=S)
    rng = np.random.default_rng(S)
    states = [
        make_state(x=rng.uniform(-2.6, 2.6), x_dot=rng.normal(0, 0.3), theta=rng.uniform(-0.25,
        0.25),
                   theta_dot=rng.normal(0, 0.3), seed=int(rng.integers(0, 2**32)),
                   score=int(rng.integers(0, 200)), time=int(rng.integers(0, 200)))
        for _ in range(12)
    ]  # fmt: skip
    batch = testing.stack(states)
    frames = np.asarray(jax.jit(jax.vmap(lambda st: env.render(st, params)))(batch))
    noises = np.asarray(jax.vmap(env.noise)(batch))
    assert np.abs(noises).max() > 0.1  # the noise is there, and it is what the frames show
    for state, noise, frame in zip(states, noises, frames, strict=True):
        diff = np.any(frame != spec_frame(state, S, noise=noise), axis=-1)
        assert not np.any(diff & ~_pole_boundary(state, S, noise)), f"{np.argwhere(diff)[:10]}"
        assert diff.sum() <= 2


def test_pomdp_hides_exactly_cart_and_pole_after_first_frame(envs) -> None:
    S, params, draw = envs
    mdp, pomdp = (
        np.asarray(draw(testing.stack(STATES), False)),
        np.asarray(draw(testing.stack(STATES), True)),
    )
    for state, full, partial in zip(STATES, mdp, pomdp, strict=True):
        if int(state.time) == 0:
            assert np.array_equal(full, partial)  # t = 0 reveal
        else:
            assert np.array_equal(partial, spec_frame(state, S, show_body=False))
            assert not np.array_equal(full, partial)


def test_layout_numbers(envs) -> None:
    S, params, draw = envs
    frame = np.asarray(draw(testing.stack([make_state(score=8, time=1)]), False))[0]
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
