"""Wrappers: `LogWrapper` (episode statistics in `info`), and the adapters' shared argument
handling (`resolve_env`). The adapters live in `gymnax_env` (gymnax) and `gym` (Gymnasium),
which alone import those optional packages; `to_gymnax` / `to_gymnasium_vector` here forward
to them."""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp

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
    the global `timestep` (docs/games/conventions.md §Steps and info)."""

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


# ----------------------------------------------------------------------------- adapters


def resolve_env(env: Any, **make_kwargs: Any) -> tuple[Any, Any]:
    """`(env, default_params)` from an env or an env id: what every adapter takes.

    An id is built with `make(env, **make_kwargs)`; an env is used as it is, so `make`'s
    arguments are refused with it (they would be silently ignored)."""
    if isinstance(env, str):
        from .registry import make

        return make(env, **make_kwargs)
    if not (hasattr(env, "reset") and hasattr(env, "step") and hasattr(env, "default_params")):
        raise TypeError(
            f"expected an env id or an env from arcade_core.make, got {type(env).__name__}"
        )
    if make_kwargs:
        raise ValueError(
            f"{', '.join(make_kwargs)} given with an env that is already built: pass an env id "
            "to build it with them, or pass them to arcade_core.make"
        )
    return env, env.default_params


def to_gymnax(env: Any, **kwargs: Any) -> Any:
    """A gymnax 1.x `Environment` running `env` (an env or an id): see
    `arcade_core.gymnax_env.to_gymnax`. Needs the `gymnax` extra."""
    from .gymnax_env import to_gymnax as adapter

    return adapter(env, **kwargs)


def to_gymnasium(env: Any, **kwargs: Any) -> Any:
    """A `gymnasium.Env` running `env` (an env or an id): see `arcade_core.gym.ArcadeEnv`.
    Needs the `gymnasium` extra."""
    from .gym import to_gymnasium as adapter

    return adapter(env, **kwargs)


def to_gymnasium_vector(env: Any, num_envs: int, **kwargs: Any) -> Any:
    """A Gymnasium `VectorEnv` of `num_envs` copies of `env` (an env or an id): see
    `arcade_core.gym.to_gymnasium_vector`. Needs the `gymnasium` extra."""
    from .gym import to_gymnasium_vector as adapter

    return adapter(env, num_envs, **kwargs)
