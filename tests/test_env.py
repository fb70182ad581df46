"""The env protocol end to end: the README's quick example as written, auto-reset and info
semantics, and the wrappers/adapters."""

from __future__ import annotations

import re
from pathlib import Path

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import arcade_core

README = Path(__file__).parent.parent / "README.md"


def test_quick_example_runs_as_written() -> None:
    code = re.search(r"## Quick example.*?```python\n(.*?)```", README.read_text(), re.S).group(1)
    assert 'popgym_arcade.make("CartPoleEasy", partial_obs=True)' in code
    scope: dict = {}
    exec(compile(code, "README quick example", "exec"), scope)
    assert (
        scope["observation"].shape == (4, 128, 128, 3) and scope["observation"].dtype == jnp.uint8
    )
    assert scope["markov_state"].shape == (4, 128, 128, 3)
    assert set(scope["info"]) == {"terminated", "truncated", "discount"}


@pytest.fixture(scope="module")
def cartpole():
    env, params = arcade_core.make("CartPoleEasy")
    return env, params, jax.jit(env.step), jax.jit(env.reset)


def test_step_renders_the_returned_state_and_resets_on_done(cartpole) -> None:
    env, params, step, reset = cartpole
    obs, state = reset(jax.random.key(0), params)
    for t in range(400):  # push right until the cart leaves the track
        obs, state, reward, done, info = step(jax.random.key(t), state, 3, params)
        assert np.array_equal(obs, env.render(state, params))
        if done:
            break
    assert bool(done) and bool(info["terminated"]) and not bool(info["truncated"])
    assert float(info["discount"]) == 0.0 and float(reward) == pytest.approx(1 / 200)
    assert int(state.time) == 0 and int(state.score) == 0  # already the next episode


def test_final_observation_is_opt_in() -> None:
    env, params = arcade_core.make("CartPoleEasy", final_observation=True)
    obs, state = env.reset(jax.random.key(0), params)
    _, nstate, *_, info = env.step(jax.random.key(1), state, 2, params)
    assert np.array_equal(info["final_observation"], env.render(nstate, params))
    plain, _ = arcade_core.make("CartPoleEasy")
    assert "final_observation" not in plain.step(jax.random.key(1), state, 2, params)[-1]


def test_log_wrapper_reports_finished_episodes(cartpole) -> None:
    env, params, _, _ = cartpole
    log = arcade_core.LogWrapper(env)
    step = jax.jit(log.step)
    obs, state = log.reset(jax.random.key(0), params)
    total, t = 0.0, 0
    while True:
        obs, state, reward, done, info = step(jax.random.key(t), state, 3, params)
        total, t = total + float(reward), t + 1
        if done:
            break
    assert bool(info["returned_episode"]) and int(info["timestep"]) == t
    assert int(info["returned_episode_lengths"]) == t
    assert float(info["returned_episode_returns"]) == pytest.approx(total)
    assert log.obs_size == 128  # attributes forward to the wrapped env


def test_to_gymnax_is_a_gymnax_environment_and_gymnax_wrappers_run(cartpole) -> None:
    from gymnax.environments.environment import Environment
    from gymnax.wrappers.purerl import FlattenObservationWrapper, LogWrapper

    env, params, _, _ = cartpole
    g = arcade_core.to_gymnax(env)
    assert isinstance(g, Environment) and g.num_actions == 5
    assert g.observation_space(params).shape == (128, 128, 3) and g.action_space(params).n == 5
    w = LogWrapper(FlattenObservationWrapper(g))
    obs, state = w.reset(jax.random.key(0), params)
    out = w.step(jax.random.key(1), state, 3, params)
    assert len(out) == 6 and out[0].shape == (128 * 128 * 3,)
    obs, state, reward, terminated, truncated, info = out
    assert float(reward) == pytest.approx(1 / 200) and not bool(terminated) and not bool(truncated)


def test_to_gymnax_takes_an_id_and_implements_every_base_method(cartpole) -> None:
    from gymnax.environments import spaces
    from gymnax.environments.environment import Environment

    env, params, _, _ = cartpole
    g = arcade_core.to_gymnax("CartPoleEasy", partial_obs=True)
    assert g.arcade_env.partial_obs and g.name == "CartPoleEasy"
    with pytest.raises(TypeError, match="env id or an env"):
        arcade_core.to_gymnax(42)
    with pytest.raises(ValueError, match="already built"):
        arcade_core.to_gymnax(env, obs_size=256)
    # every method the gymnax base leaves abstract is overridden here
    abstract = [
        "step_env", "reset_env", "get_obs", "is_terminated", "num_actions", "action_space",
        "observation_space", "state_space",
    ]  # fmt: skip
    for name in abstract:
        assert getattr(type(g), name) is not getattr(Environment, name), name
    obs, state = g.reset(jax.random.key(0), params)
    assert np.array_equal(g.get_obs(state, params), obs) and state.time == 0
    assert np.array_equal(g.observe(jax.random.key(1), state, 0, params), obs)
    assert not bool(g.is_terminal(state, params)) and float(g.discount(state, params)) == 1.0
    assert not bool(g.is_truncated(state, params))
    for t in range(400):  # push right with the non-resetting step until the pole falls
        obs, state, reward, terminated, info = g.step_env(jax.random.key(t), state, 3, params)
        if terminated:
            break
    assert bool(g.is_terminated(state, params)) and bool(g.is_terminal(state, params))
    assert float(g.discount(state, params)) == 0.0 == float(info["discount"])
    assert bool(g.is_truncated(state.replace(env_state=state.env_state.replace(time=200)), params))
    space = g.state_space(params)
    assert isinstance(space, spaces.Dict) and isinstance(space.spaces["env_state"], spaces.Dict)
    assert space.spaces["env_state"].spaces["time"].shape == ()
    assert g.action_space(params).n == 5 and g.observation_space(params).dtype == jnp.uint8


def test_unknown_make_keyword_is_a_value_error_naming_the_valid_ones() -> None:
    from arcade_core.registry import UnknownArgumentError

    with pytest.raises(
        ValueError, match=r"unknown keyword argument time_limt; valid: .*time_limit"
    ) as info:
        arcade_core.make("CartPoleEasy", time_limt=50)
    assert "Did you mean 'time_limit'?" in str(info.value) and "\n" not in str(info.value)
    with pytest.raises(
        UnknownArgumentError, match=r"params\.replace\(max_steps_in_episode="
    ) as info:
        arcade_core.make("CartPoleEasy", max_steps_in_episode=50)
    assert isinstance(info.value, TypeError)  # what callers caught before
    env, _ = arcade_core.make("CartPoleEasy", final_observation=True)  # a valid one still works
    assert env.final_observation


def test_gymnasium_vector_env_steps_and_autoresets_same_step() -> None:
    venv = arcade_core.to_gymnasium_vector("CartPoleEasy", 3, seed=0, autoreset_mode="SameStep")
    obs, info = venv.reset(seed=1)
    assert obs.shape == (3, 128, 128, 3) and obs.dtype == np.uint8
    assert venv.single_action_space.n == 5 and venv.observation_space.shape == (3, 128, 128, 3)
    ended = None
    for _ in range(300):
        obs, reward, terminated, truncated, info = venv.step(np.full(3, 3))
        if terminated.any():
            ended = info
            break
    assert ended is not None and ended["_final_obs"].any()
    assert ended["final_obs"].shape == (3, 128, 128, 3)
    with pytest.raises(ValueError, match="num_envs"):
        arcade_core.to_gymnasium_vector("CartPoleEasy", 0)
