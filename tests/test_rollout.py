"""`arcade_core.rollout`: the one loop that plays an env. Its key schedule matches stepping by
hand, the dynamics alone step the same states as the full env, `observe` folds and keeps what
it is asked for, and a per-episode policy acts on a batch through `vmap_policy`."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from arcade_core.policy import RANDOM
from arcade_core.registry import make
from arcade_core.rollout import Step, rollout, scripted, vmap_policy

ENV = "CartPoleEasy"
T, N = 12, 3


@pytest.fixture(scope="module")
def env_params() -> tuple:
    return make(ENV)


def _same(a, b) -> bool:
    la, lb = jax.tree.leaves(a), jax.tree.leaves(b)
    return len(la) == len(lb) and all(np.array_equal(x, y) for x, y in zip(la, lb, strict=True))


def test_one_env_follows_the_documented_key_schedule(env_params) -> None:
    env, params = env_params
    key = jax.random.key(3)
    keep = lambda acc, s: (acc, (s.action, s.done))  # noqa: E731
    out = jax.jit(lambda k: rollout(env, params, RANDOM, T, k, observe=keep))(key)
    key, k_reset = jax.random.split(key)
    obs, state = env.reset(k_reset, params)
    assert np.array_equal(out.first_obs, obs)
    step = jax.jit(env.step)
    actions, dones = [], []
    for _ in range(T):
        key, k_act, k_step = jax.random.split(key, 3)
        action, _ = RANDOM.act(None, obs, None, k_act)
        obs, state, _, done, _ = step(k_step, state, action, params)
        actions.append(action)
        dones.append(done)
    assert np.array_equal(out.steps[0], np.stack(actions))
    assert np.array_equal(out.steps[1], np.stack(dones))
    assert all(
        np.allclose(a, b)
        for a, b in zip(jax.tree.leaves(out.state), jax.tree.leaves(state), strict=True)
    )


def test_dynamics_alone_step_the_states_the_full_env_steps(env_params) -> None:
    env, params = env_params
    actions = jax.random.randint(jax.random.key(0), (T, N), -1, 6)  # invalid ones too

    def keep(acc: None, s: Step) -> tuple[None, dict]:
        return acc, {"state": s.next_state, "reward": s.reward, "done": s.done}

    def run(frames: bool):
        return jax.jit(
            lambda k: rollout(
                env, params, scripted(actions), T, k, num_envs=N, frames=frames, observe=keep
            )  # fmt: skip
        )(jax.random.key(1))

    full, dynamics = run(True), run(False)
    assert dynamics.first_obs is None and dynamics.obs is None
    assert _same(full.steps, dynamics.steps) and _same(full.first_state, dynamics.first_state)


def test_observe_folds_an_accumulator_and_keeps_what_it_returns(env_params) -> None:
    env, params = env_params

    def count(acc: jax.Array, s: Step) -> tuple[jax.Array, jax.Array]:
        return acc + s.done.sum(), s.action

    out = jax.jit(
        lambda k: rollout(
            env, params, vmap_policy(RANDOM, N), T, k, num_envs=N, observe=count, init=jnp.int32(0)
        )  # fmt: skip
    )(jax.random.key(2))
    assert out.steps.shape == (T, N) and out.steps.dtype == jnp.int32
    assert np.all((out.steps >= 0) & (out.steps < 5))
    assert out.acc.shape == () and 0 <= int(out.acc) <= T * N


def test_scripted_plays_its_actions_in_order(env_params) -> None:
    env, params = env_params
    actions = jnp.arange(T * N).reshape(T, N) % 5
    out = jax.jit(
        lambda k: rollout(
            env,
            params,
            scripted(actions),
            T,
            k,
            num_envs=N,
            frames=False,
            observe=lambda a, s: (a, s.action),
        )  # fmt: skip
    )(jax.random.key(4))
    assert np.array_equal(out.steps, actions) and int(out.carry) == T
