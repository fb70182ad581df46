"""Gymnasium, natively: the `arcade/<id>-v0` registrations, the single env under Gymnasium's
own checker, the vector env's seeds, spec, autoreset modes and episode statistics, and a
CleanRL-style loop through Gymnasium's wrappers."""

from __future__ import annotations

import subprocess
import sys

import gymnasium as gym
import numpy as np
import pytest
from gymnasium.utils.env_checker import check_env
from gymnasium.vector import AutoresetMode

import arcade_core
import arcade_core.gym as arcade_gym  # registers arcade/*

ID = "arcade/CartPoleEasy-v0"


def test_every_env_id_is_registered_under_the_arcade_namespace() -> None:
    ids = arcade_core.list_envs()
    assert len(ids) >= 30
    for env_id in ids:
        spec = gym.spec(arcade_gym.gym_id(env_id))
        assert spec.namespace == "arcade" and spec.version == 0
        assert spec.kwargs == {"env": env_id} and spec.vector_entry_point is not None
    assert arcade_gym.register_envs() == []  # idempotent


def test_make_passes_pomdp_and_obs_size_to_the_env() -> None:
    env = gym.make(ID, partial_obs=True, obs_size=256)
    inner = env.unwrapped.arcade_env
    assert inner.partial_obs and inner.obs_size == 256
    assert env.observation_space.shape == (256, 256, 3) and env.spec.id == ID
    with pytest.raises(ValueError, match="Did you mean 'obs_size'"):
        gym.make(ID, obs_sise=256)


def test_module_prefix_registers_without_an_import() -> None:
    code = (
        "import sys, gymnasium as gym; "
        f"e = gym.make('arcade_core.gym:{ID}', partial_obs=True); "
        "print(e.unwrapped.arcade_env.partial_obs, 'arcade_core' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["True", "True"]


@pytest.mark.parametrize("partial_obs", [False, True])
def test_single_env_passes_gymnasiums_checker(partial_obs: bool) -> None:
    env = gym.make(ID, partial_obs=partial_obs, render_mode="rgb_array")
    check_env(env.unwrapped)
    obs, _ = env.reset(seed=3)
    assert obs.dtype == np.uint8 and np.array_equal(env.render(), obs)


@pytest.mark.slow
@pytest.mark.parametrize("env_id", arcade_core.list_envs())
def test_every_id_passes_gymnasiums_checker(env_id: str) -> None:
    check_env(gym.make(arcade_gym.gym_id(env_id)).unwrapped)


def test_single_env_does_not_reset_itself_and_refuses_bad_arguments() -> None:
    env = arcade_core.to_gymnasium("CartPoleEasy")
    env.reset(seed=0)
    for _ in range(400):  # push right until the pole falls
        obs, reward, terminated, truncated, info = env.step(3)
        if terminated:
            break
    assert terminated and not truncated and isinstance(reward, float)
    assert int(env._state.time) > 0  # the terminal state, not a fresh episode
    with pytest.raises(ValueError, match="render_mode"):
        arcade_core.to_gymnasium("CartPoleEasy", render_mode="human")


def test_vector_env_seeds_like_sync_vector_env_and_matches_single_envs() -> None:
    venv = gym.make_vec(ID, num_envs=3)
    assert isinstance(venv, arcade_gym.ArcadeVectorEnv)
    assert venv.spec is not None and venv.spec.id == ID and venv.spec.kwargs["num_envs"] == 3
    by_list, _ = venv.reset(seed=[7, 8, 9])
    by_int, _ = venv.reset(seed=7)  # env i gets seed 7 + i, as SyncVectorEnv does
    assert np.array_equal(by_list, by_int)
    single = arcade_core.to_gymnasium("CartPoleEasy")
    obs, _ = single.reset(seed=8)
    assert np.array_equal(obs, by_int[1])
    rng = np.random.default_rng(0)
    for _ in range(6):
        actions = rng.integers(0, 5, 3)
        vobs, vrew, vterm, vtrunc, _ = venv.step(actions)
        obs, rew, term, trunc, _ = single.step(actions[1])
        assert np.array_equal(obs, vobs[1]) and rew == pytest.approx(float(vrew[1]))
        assert (term, trunc) == (bool(vterm[1]), bool(vtrunc[1]))
    with pytest.raises(ValueError, match="2 seeds for 3 envs"):
        venv.reset(seed=[1, 2])


def test_direct_vector_env_has_a_spec_and_takes_an_env_or_an_id() -> None:
    env, _ = arcade_core.make("CartPoleEasy", partial_obs=True)
    for source, kwargs in ((env, {}), ("CartPoleEasy", {"partial_obs": True})):
        venv = arcade_core.to_gymnasium_vector(source, 2, **kwargs)
        assert venv.spec.id == ID and venv.arcade_env.partial_obs
        assert venv.metadata["autoreset_mode"] is AutoresetMode.NEXT_STEP
    with pytest.raises(ValueError, match="already built"):
        arcade_core.to_gymnasium_vector(env, 2, partial_obs=True)
    with pytest.raises(ValueError, match="num_envs"):
        arcade_core.to_gymnasium_vector("CartPoleEasy", 0)


def _short(venv_kwargs: dict, steps: int = 5) -> object:
    """A CartPole vector env whose episodes time out after `steps` steps."""
    _, params = arcade_core.make("CartPoleEasy")
    return arcade_core.to_gymnasium_vector(
        "CartPoleEasy", 3, params=params.replace(max_steps_in_episode=steps), **venv_kwargs
    )


def test_next_step_autoreset_returns_the_last_frame_then_resets() -> None:
    venv = _short({"seed": 0})
    venv.reset()
    for _ in range(5):
        obs, reward, terminated, truncated, info = venv.step(np.zeros(3, int))
    assert truncated.all() and info == {}
    assert (venv._state.time == 5).all()  # the last frame is the ended episode's
    obs, reward, terminated, truncated, info = venv.step(np.full(3, 3))
    assert (reward == 0).all() and not (terminated | truncated).any()
    assert (venv._state.time == 0).all()  # the reset step


def test_same_step_autoreset_puts_the_last_frame_in_info() -> None:
    venv = _short({"seed": 0, "autoreset_mode": "same_step"})
    assert venv.metadata["autoreset_mode"] is AutoresetMode.SAME_STEP
    venv.reset()
    for _ in range(5):
        obs, reward, terminated, truncated, info = venv.step(np.zeros(3, int))
    assert truncated.all() and info["_final_obs"].all() and (venv._state.time == 0).all()
    assert info["final_obs"].shape == (3, 128, 128, 3) and not np.array_equal(
        info["final_obs"], obs
    )


def test_reset_mask_resets_only_the_envs_asked() -> None:
    venv = _short({"seed": 0}, steps=50)
    venv.reset()
    for _ in range(3):
        venv.step(np.zeros(3, int))
    venv.reset(options={"reset_mask": np.array([True, False, True])})
    assert list(np.asarray(venv._state.time)) == [0, 3, 0]


def test_cleanrl_style_loop_with_gymnasiums_wrappers() -> None:
    """A random policy over `make_vec`, as CleanRL's scripts drive Gymnasium: episode
    statistics from `RecordEpisodeStatistics`, channels-first frames from
    `TransformObservation`; every episode's statistics match the env's own step count."""
    _, params = arcade_core.make("CartPoleEasy")
    envs = gym.make_vec(ID, num_envs=4, params=params.replace(max_steps_in_episode=6))
    envs = gym.wrappers.vector.RecordEpisodeStatistics(envs)
    space = gym.spaces.Box(0, 255, (3, 128, 128), np.uint8)
    envs = gym.wrappers.vector.TransformObservation(
        envs, lambda o: o.transpose(0, 3, 1, 2), single_observation_space=space
    )
    assert envs.single_observation_space.shape == (3, 128, 128)
    envs.action_space.seed(0)
    obs, _ = envs.reset(seed=1)
    assert obs.shape == (4, 3, 128, 128) and obs.dtype == np.uint8
    returns = np.zeros(4)
    episodes = []
    for _ in range(20):
        obs, reward, terminated, truncated, infos = envs.step(envs.action_space.sample())
        assert obs.shape == (4, 3, 128, 128)
        returns += reward
        if "episode" in infos:
            done = infos["_episode"]
            assert np.array_equal(done, terminated | truncated)
            lengths = np.asarray(envs.unwrapped._state.time)  # the ended episodes' steps
            assert np.array_equal(infos["episode"]["l"][done], lengths[done])
            np.testing.assert_allclose(infos["episode"]["r"][done], returns[done], rtol=1e-5)
            episodes += list(infos["episode"]["l"][done])
            returns[done] = 0
    assert len(episodes) >= 8 and max(episodes) == 6  # second episodes counted right too
