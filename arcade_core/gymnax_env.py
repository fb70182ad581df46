"""`to_gymnax`: an arcade env as a real gymnax 1.x `Environment`, so gymnax wrappers and
training code written for gymnax run on it. Needs the `gymnax` extra; importing this module
imports gymnax, which nothing else in the core does."""

from __future__ import annotations

import dataclasses
from functools import partial
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from .errors import require_extra
from .struct import dataclass
from .wrappers import resolve_env

require_extra("gymnax", "gymnax", "to_gymnax()")

from gymnax.environments import environment, spaces  # noqa: E402  (after the check above)


@dataclass
class GymnaxState:
    """The arcade state and whether the transition that produced it terminated: the game decides
    termination in its transition, and gymnax's `is_terminated` / `discount` ask the state.

    Reading a field the wrapper lacks reads the arcade state's (`state.time`, `state.score`)."""

    env_state: Any
    terminated: jax.Array

    def __getattr__(self, name: str) -> Any:
        if name in ("env_state", "terminated") or name.startswith("__"):
            raise AttributeError(name)
        return getattr(self.env_state, name)


def _space_of(leaf: Any) -> Any:
    """A gymnax `Box` covering every value of a state leaf's dtype and shape."""
    dtype = np.dtype(leaf.dtype)
    if dtype == np.bool_:
        low, high = 0, 1
    elif np.issubdtype(dtype, np.integer):
        low, high = np.iinfo(dtype).min, np.iinfo(dtype).max
    else:
        low, high = -np.inf, np.inf
    return spaces.Box(low, high, tuple(leaf.shape), leaf.dtype)


def _state_space(tree: Any) -> Any:
    """gymnax spaces mirroring a state pytree: a `Dict` per dataclass or mapping, a `Box` per
    array, a `Tuple` per sequence."""
    if dataclasses.is_dataclass(tree):
        return spaces.Dict(
            {f.name: _state_space(getattr(tree, f.name)) for f in dataclasses.fields(tree)}
        )
    if isinstance(tree, dict):
        return spaces.Dict({k: _state_space(v) for k, v in tree.items()})
    if isinstance(tree, (tuple, list)):
        return spaces.Tuple([_state_space(v) for v in tree])
    return _space_of(tree)


class GymnaxArcade(environment.Environment):  # type: ignore[misc]
    """A gymnax `Environment` running an arcade env; every method of the base is implemented.

    `step` follows gymnax 1.x: `(obs, state, reward, terminated, truncated, info)` with
    auto-reset and `info["final_observation"]` (the frame of the pre-reset state, as gymnax
    wrappers expect; it costs a second render per step). `step_env` / `reset_env` are the
    non-resetting pieces, so gymnax's own machinery also works. States are `GymnaxState`s.
    """

    def __init__(self, inner: Any, params: Any = None) -> None:
        self.arcade_env = inner
        self._params = params

    @property
    def default_params(self) -> Any:
        return self.arcade_env.default_params if self._params is None else self._params

    @partial(jax.jit, static_argnames=("self",))
    def step(self, key: jax.Array, state: Any, action: Any, params: Any = None) -> tuple[Any, ...]:
        params = self.default_params if params is None else params
        inner = self.arcade_env
        selected, next_state, reward, terminated, truncated = inner.advance(
            key, state.env_state, action, params
        )
        done = jnp.logical_or(terminated, truncated)
        obs = inner.draw(selected, params, inner.view)
        info = {
            "discount": jnp.where(terminated, 0.0, 1.0).astype(jnp.float32),
            "terminated": terminated,
            "truncated": truncated,
            "final_observation": inner.draw(next_state, params, inner.view),
        }
        # after a done step `selected` starts a new episode; otherwise nothing terminated
        return obs, GymnaxState(selected, jnp.zeros_like(done)), reward, terminated, truncated, info

    @partial(jax.jit, static_argnames=("self",))
    def reset(self, key: jax.Array, params: Any = None) -> tuple[Any, Any]:
        params = self.default_params if params is None else params
        return self.reset_env(key, params)

    def step_env(self, key: jax.Array, state: Any, action: Any, params: Any) -> tuple[Any, ...]:
        """One transition without auto-reset: `(obs, state, reward, terminated, info)`."""
        inner = self.arcade_env
        new, reward, terminated = inner.transition_checked(key, state.env_state, action, params)
        info = {"discount": jnp.where(terminated, 0.0, 1.0).astype(jnp.float32)}
        return (
            inner.draw(new, params, inner.view),
            GymnaxState(new, terminated),
            reward,
            terminated,
            info,
        )

    def reset_env(self, key: jax.Array, params: Any) -> tuple[Any, Any]:
        obs, state = self.arcade_env.reset(key, params)
        return obs, GymnaxState(state, jnp.asarray(False))

    def observe(self, key: jax.Array, state: Any, action: Any, params: Any) -> jax.Array:
        """The frame of `state` (the arcade envs' frames depend on the state alone)."""
        return self.get_obs(state, params, key)

    def get_obs(self, state: Any, params: Any = None, key: jax.Array | None = None) -> jax.Array:
        params = self.default_params if params is None else params
        return self.arcade_env.draw(state.env_state, params, self.arcade_env.view)

    def is_truncated(self, state: Any, params: Any) -> jax.Array:
        return state.env_state.time >= params.max_steps_in_episode

    def is_terminated(self, state: Any, params: Any) -> jax.Array:
        """Whether the transition that produced `state` ended the episode by the game's rules."""
        return jnp.asarray(state.terminated, jnp.bool_)

    def is_terminal(self, state: Any, params: Any) -> jax.Array:
        return self.is_terminated(state, params)

    def discount(self, state: Any, params: Any) -> jax.Array:
        """0 after a terminating transition, else 1 (a time-out keeps bootstrapping), as
        `info["discount"]`."""
        return jnp.where(self.is_terminated(state, params), 0.0, 1.0).astype(jnp.float32)

    @property
    def name(self) -> str:
        sp = getattr(self.arcade_env, "spec", None)
        return sp.id if sp is not None else type(self.arcade_env).__name__

    @property
    def num_actions(self) -> int:
        return int(self.arcade_env.num_actions)

    def action_space(self, params: Any = None) -> Any:
        return spaces.Discrete(self.num_actions)

    def observation_space(self, params: Any = None) -> Any:
        s = self.arcade_env.obs_size
        return spaces.Box(0, 255, (s, s, 3), jnp.uint8)

    def state_space(self, params: Any = None) -> Any:
        """A `Dict` of `Box`es shaped like the state (bounds: the dtypes' ranges)."""
        params = self.default_params if params is None else params
        shapes = jax.eval_shape(lambda k: self.reset_env(k, params)[1], jax.random.key(0))
        return _state_space(shapes)


def to_gymnax(env: Any, *, params: Any = None, **make_kwargs: Any) -> GymnaxArcade:
    """A gymnax `Environment` running `env`: an env from `arcade_core.make`, or an env id with
    `make`'s keyword arguments (`partial_obs`, `obs_size`, ...). `params` replaces the env's
    default params."""
    inner, _ = resolve_env(env, **make_kwargs)
    return GymnaxArcade(inner, params)
