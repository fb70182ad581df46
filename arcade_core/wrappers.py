"""Wrappers and adapters: `LogWrapper` (episode statistics in `info`), `to_gymnax` (a real
gymnax 1.x `Environment`, so gymnax wrappers and training code run on our envs) and
`to_gymnasium_vector` (a Gymnasium `VectorEnv` over the jitted, vmapped env, for torch / SB3 /
CleanRL users). gymnax and gymnasium are imported only when an adapter is built."""

from __future__ import annotations

from functools import partial
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from .struct import dataclass


class Wrapper:
    """Base wrapper: forwards every attribute it does not define to the wrapped env."""

    def __init__(self, env: Any) -> None:
        self._env = env

    def __getattr__(self, name: str) -> Any:
        return getattr(self._env, name)

    @property
    def unwrapped(self) -> Any:
        return getattr(self._env, "unwrapped", self._env)


@dataclass
class LogEnvState:
    env_state: Any
    episode_returns: jax.Array
    episode_lengths: jax.Array
    returned_episode_returns: jax.Array
    returned_episode_lengths: jax.Array
    timestep: jax.Array


class LogWrapper(Wrapper):
    """Keeps running episode return and length; `info` gains `returned_episode_returns`,
    `returned_episode_lengths` (of the last finished episode), `returned_episode` (= done) and
    the global `timestep` (GAMES.md §1.7)."""

    def reset(self, key: jax.Array, params: Any = None) -> tuple[jax.Array, LogEnvState]:
        obs, env_state = self._env.reset(key, params)
        zf, zi = jnp.float32(0), jnp.int32(0)
        return obs, LogEnvState(env_state, zf, zi, zf, zi, zi)

    def step(
        self, key: jax.Array, state: LogEnvState, action: jax.Array, params: Any = None
    ) -> tuple[jax.Array, LogEnvState, jax.Array, jax.Array, dict[str, Any]]:
        obs, env_state, reward, done, info = self._env.step(key, state.env_state, action, params)
        ret = state.episode_returns + reward
        length = state.episode_lengths + 1
        state = LogEnvState(
            env_state=env_state,
            episode_returns=jnp.where(done, 0.0, ret),
            episode_lengths=jnp.where(done, 0, length),
            returned_episode_returns=jnp.where(done, ret, state.returned_episode_returns),
            returned_episode_lengths=jnp.where(done, length, state.returned_episode_lengths),
            timestep=state.timestep + 1,
        )
        info = {
            **info,
            "returned_episode_returns": state.returned_episode_returns,
            "returned_episode_lengths": state.returned_episode_lengths,
            "returned_episode": done,
            "timestep": state.timestep,
        }
        return obs, state, reward, done, info


# ------------------------------------------------------------------------------- gymnax


def to_gymnax(env: Any) -> Any:
    """A `gymnax.environments.environment.Environment` running `env`.

    `step` follows gymnax 1.x: `(obs, state, reward, terminated, truncated, info)` with
    auto-reset, and `info["final_observation"]` (the frame of the pre-reset state, as gymnax
    wrappers expect; it costs a second render per step). `step_env`/`reset_env` are the
    non-resetting pieces, so gymnax's own machinery also works.
    """
    from gymnax.environments import environment, spaces

    class GymnaxArcade(environment.Environment):  # type: ignore[misc]
        def __init__(self, inner: Any) -> None:
            self.arcade_env = inner

        @property
        def default_params(self) -> Any:
            return self.arcade_env.default_params

        @partial(jax.jit, static_argnames=("self",))
        def step(
            self, key: jax.Array, state: Any, action: Any, params: Any = None
        ) -> tuple[Any, ...]:
            params = self.default_params if params is None else params
            inner = self.arcade_env
            selected, next_state, reward, terminated, truncated = inner.advance(
                key, state, action, params
            )
            obs = inner.draw(selected, params, inner.view)
            info = {
                "discount": jnp.where(terminated, 0.0, 1.0).astype(jnp.float32),
                "terminated": terminated,
                "truncated": truncated,
                "final_observation": inner.draw(next_state, params, inner.view),
            }
            return obs, selected, reward, terminated, truncated, info

        @partial(jax.jit, static_argnames=("self",))
        def reset(self, key: jax.Array, params: Any = None) -> tuple[Any, Any]:
            return self.arcade_env.reset(key, params)

        def step_env(self, key: jax.Array, state: Any, action: Any, params: Any) -> tuple[Any, ...]:
            inner = self.arcade_env
            new, reward, terminated = inner.transition_checked(key, state, action, params)
            info = {"discount": jnp.where(terminated, 0.0, 1.0).astype(jnp.float32)}
            return inner.draw(new, params, inner.view), new, reward, terminated, info

        def reset_env(self, key: jax.Array, params: Any) -> tuple[Any, Any]:
            return self.arcade_env.reset(key, params)

        def is_terminated(self, state: Any, params: Any) -> jax.Array:
            raise NotImplementedError("termination is decided by the transition; use step_env")

        @property
        def name(self) -> str:
            sp = getattr(self.arcade_env, "spec", None)
            return sp.id if sp is not None else type(self.arcade_env).__name__

        @property
        def num_actions(self) -> int:
            return 5

        def action_space(self, params: Any = None) -> Any:
            return spaces.Discrete(5)

        def observation_space(self, params: Any = None) -> Any:
            s = self.arcade_env.obs_size
            return spaces.Box(0, 255, (s, s, 3), jnp.uint8)

    return GymnaxArcade(env)


# ---------------------------------------------------------------------------- gymnasium


def to_gymnasium_vector(
    env_id: str,
    num_envs: int,
    *,
    partial_obs: bool = False,
    obs_size: int = 128,
    seed: int | None = None,
    **kwargs: Any,
) -> Any:
    """A `gymnasium.vector.VectorEnv` of `num_envs` copies of `env_id`, stepped by one jitted,
    vmapped call. Autoreset is Gymnasium's SAME_STEP mode: when an episode ends the returned
    observation is the new episode's first and `info["final_obs"]` holds the last frame (with
    `info["_final_obs"]` marking which envs ended). Observations are NumPy uint8 arrays."""
    import gymnasium
    from gymnasium.vector import AutoresetMode, VectorEnv
    from gymnasium.vector.utils import batch_space

    from .registry import make

    if not isinstance(num_envs, int) or num_envs < 1:
        raise ValueError(f"num_envs must be a positive int, got {num_envs!r}")
    env, params = make(
        env_id, partial_obs=partial_obs, obs_size=obs_size, final_observation=True, **kwargs
    )

    class ArcadeVectorEnv(VectorEnv):  # type: ignore[misc]
        metadata = {"autoreset_mode": AutoresetMode.SAME_STEP, "render_modes": ["rgb_array"]}

        def __init__(self) -> None:
            self.arcade_env, self.params = env, params
            self.num_envs = num_envs
            self.render_mode = "rgb_array"
            self.single_observation_space = gymnasium.spaces.Box(
                0, 255, (obs_size, obs_size, 3), np.uint8
            )
            self.single_action_space = gymnasium.spaces.Discrete(5)
            self.observation_space = batch_space(self.single_observation_space, num_envs)
            self.action_space = batch_space(self.single_action_space, num_envs)
            self._reset = jax.jit(jax.vmap(env.reset, in_axes=(0, None)))
            self._step = jax.jit(jax.vmap(env.step, in_axes=(0, 0, 0, None)))
            self._key = jax.random.key(0 if seed is None else seed)
            self._state: Any = None
            self._obs: np.ndarray | None = None

        def _keys(self) -> jax.Array:
            self._key, sub = jax.random.split(self._key)
            return jax.random.split(sub, num_envs)

        def reset(
            self, *, seed: int | None = None, options: dict | None = None
        ) -> tuple[np.ndarray, dict]:
            if seed is not None:
                self._key = jax.random.key(seed)
            obs, self._state = self._reset(self._keys(), self.params)
            self._obs = np.asarray(obs)
            return self._obs, {}

        def step(self, actions: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, dict]:
            if self._state is None:
                raise RuntimeError("call reset() before step()")
            a = jnp.asarray(np.asarray(actions), jnp.int32).reshape(num_envs)
            obs, self._state, reward, done, info = self._step(
                self._keys(), self._state, a, self.params
            )
            done = np.asarray(done)
            infos: dict[str, Any] = {}
            if done.any():
                infos = {"final_obs": np.asarray(info["final_observation"]), "_final_obs": done}
            self._obs = np.asarray(obs)
            return (
                self._obs,
                np.asarray(reward),
                np.asarray(info["terminated"]),
                np.asarray(info["truncated"]),
                infos,
            )

        def render(self) -> np.ndarray | None:
            return self._obs

    return ArcadeVectorEnv()
