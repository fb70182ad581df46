"""Gymnasium: every env id registered as `arcade/<id>-v0`, a single env (`ArcadeEnv`, a
`gymnasium.Env`) and a vector env (`ArcadeVectorEnv`, one jitted, vmapped call per step).

Importing this module registers the ids (Gymnasium 1.x has no entry-point discovery), so:

    import gymnasium as gym
    import arcade_core.gym  # noqa: F401  (registers arcade/*)
    env = gym.make("arcade/CartPoleEasy-v0", partial_obs=True, obs_size=128)
    envs = gym.make_vec("arcade/CartPoleEasy-v0", num_envs=8)

or, with no import, `gym.make("arcade_core.gym:arcade/CartPoleEasy-v0")`. Needs the
`gymnasium` extra; nothing else in the core imports Gymnasium.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from .errors import require_extra
from .rng import split_key
from .wrappers import resolve_env

require_extra("gymnasium", "gymnasium", "the Gymnasium adapters")

import gymnasium  # noqa: E402  (after the check above)
from gymnasium.envs.registration import EnvSpec  # noqa: E402
from gymnasium.vector import AutoresetMode, VectorEnv  # noqa: E402
from gymnasium.vector.utils import batch_space  # noqa: E402

NAMESPACE = "arcade"
VERSION = 0
RENDER_MODES = ["rgb_array"]


def gym_id(env_id: str) -> str:
    """The Gymnasium id of an arcade env id: `CartPoleEasy` -> `arcade/CartPoleEasy-v0`."""
    return f"{NAMESPACE}/{env_id}-v{VERSION}"


def register_envs() -> list[str]:
    """Register every arcade env id not yet registered with Gymnasium (plugins included);
    returns the Gymnasium ids added. Runs on import; call it again after installing a plugin."""
    from .registry import list_envs

    added = []
    for env_id in list_envs():
        gid = gym_id(env_id)
        if gid in gymnasium.registry:
            continue
        gymnasium.register(
            id=gid,
            entry_point="arcade_core.gym:ArcadeEnv",
            vector_entry_point="arcade_core.gym:ArcadeVectorEnv",
            kwargs={"env": env_id},
        )
        added.append(gid)
    return added


def _spec(env: Any, kwargs: dict[str, Any]) -> EnvSpec:
    """The Gymnasium `EnvSpec` of an adapter built directly (make/make_vec set their own)."""
    arcade_id = getattr(getattr(env, "spec", None), "id", None) or type(env).__name__
    return EnvSpec(
        id=gym_id(arcade_id),
        entry_point="arcade_core.gym:ArcadeEnv",
        vector_entry_point="arcade_core.gym:ArcadeVectorEnv",
        kwargs={"env": arcade_id, **kwargs},
    )


def _check_render_mode(render_mode: str | None) -> str | None:
    if render_mode is not None and render_mode not in RENDER_MODES:
        raise ValueError(f"render_mode must be None or one of {RENDER_MODES}, got {render_mode!r}")
    return render_mode


def _autoreset_mode(value: AutoresetMode | str) -> AutoresetMode:
    """`NEXT_STEP` or `SAME_STEP`, from the enum, its value (`"SameStep"`) or its name."""
    for mode in (AutoresetMode.NEXT_STEP, AutoresetMode.SAME_STEP):
        if value is mode or str(value).replace("_", "").lower() in (
            mode.value.lower(),
            mode.name.replace("_", "").lower(),
        ):
            return mode
    raise ValueError(f"autoreset_mode must be NEXT_STEP or SAME_STEP, got {value!r}")


def _spaces(obs_size: int) -> tuple[Any, Any]:
    obs = gymnasium.spaces.Box(0, 255, (obs_size, obs_size, 3), np.uint8)
    return obs, gymnasium.spaces.Discrete(5)


def _transition(env: Any) -> Any:
    """`(key, state, action, params) -> (obs, state, reward, terminated, truncated)`: one step
    without auto-reset, keyed exactly as `Environment.step` keys its transition."""

    def step(key: jax.Array, state: Any, action: jax.Array, params: Any) -> tuple[Any, ...]:
        key_step, _ = split_key(key)
        new, reward, terminated = env.transition_checked(key_step, state, action, params)
        truncated = new.time >= params.max_steps_in_episode
        new = jax.lax.optimization_barrier(new)
        return env.draw(new, params, env.view), new, reward, terminated, truncated

    return step


def _split(key: jax.Array) -> tuple[jax.Array, jax.Array]:
    """`(next key, key for this step)`: each env's key stream, the same in both adapters."""
    both = jax.random.split(key)
    return both[0], both[1]


def _seed_key(seed: int) -> jax.Array:
    return jax.random.key(int(seed) % 2**32)


class ArcadeEnv(gymnasium.Env):  # type: ignore[misc]
    """One arcade env as a `gymnasium.Env` (passes `gymnasium.utils.env_checker.check_env`).

    `env` is an env id (built with `make`'s keyword arguments) or an env from `make`. No
    auto-reset: after `terminated` or `truncated`, call `reset`. Observations are uint8
    `(S, S, 3)` NumPy arrays, actions 0..4; `reset(seed=s)` seeds the env as env `i` of an
    `ArcadeVectorEnv` reset with seed `s - i`, so the two give the same episodes.
    """

    metadata = {"render_modes": RENDER_MODES, "render_fps": 15}

    def __init__(
        self,
        env: Any = "CartPoleEasy",
        *,
        params: Any = None,
        render_mode: str | None = "rgb_array",
        **make_kwargs: Any,
    ) -> None:
        self.arcade_env, default = resolve_env(env, **make_kwargs)
        self.params = default if params is None else params
        self.render_mode = _check_render_mode(render_mode)
        self.observation_space, self.action_space = _spaces(self.arcade_env.obs_size)
        self.spec = _spec(self.arcade_env, make_kwargs)
        self._reset_fn = jax.jit(lambda key, params: self.arcade_env.reset(key, params))
        self._step_fn = jax.jit(_transition(self.arcade_env))
        self._key: jax.Array | None = None
        self._state: Any = None
        self._obs: np.ndarray | None = None

    def reset(
        self, *, seed: int | None = None, options: dict[str, Any] | None = None
    ) -> tuple[np.ndarray, dict[str, Any]]:
        super().reset(seed=seed)
        if seed is not None:
            self._key = _seed_key(seed)
        elif self._key is None:  # unseeded: from Gymnasium's entropy-seeded generator
            self._key = _seed_key(self.np_random.integers(2**32))
        self._key, sub = _split(self._key)
        obs, self._state = self._reset_fn(sub, self.params)
        self._obs = np.asarray(obs)
        return self._obs, {}

    def step(self, action: Any) -> tuple[np.ndarray, float, bool, bool, dict[str, Any]]:
        if self._state is None:
            raise RuntimeError("call reset() before step()")
        assert self._key is not None
        self._key, sub = _split(self._key)
        obs, self._state, reward, terminated, truncated = self._step_fn(
            sub, self._state, jnp.asarray(action, jnp.int32), self.params
        )
        self._obs = np.asarray(obs)
        return self._obs, float(reward), bool(terminated), bool(truncated), {}

    def render(self) -> np.ndarray | None:
        """The last observation (`rgb_array`), or None without a render mode."""
        return None if self.render_mode is None else self._obs


class ArcadeVectorEnv(VectorEnv):  # type: ignore[misc]
    """`num_envs` copies of an arcade env as a Gymnasium `VectorEnv`, stepped by one jitted,
    vmapped call.

    `autoreset_mode` is Gymnasium's: `NEXT_STEP` (the default, Gymnasium's own, which its
    `RecordEpisodeStatistics` counts correctly) returns an episode's last frame and resets on
    the next step (whose action is ignored, reward 0); `SAME_STEP` returns the new episode's
    first frame at once, with the last one in `info["final_obs"]` (marked by
    `info["_final_obs"]`). `reset(seed=s)` seeds env `i` with `s + i`, as Gymnasium's
    `SyncVectorEnv` does; `seed` may also be a list of one seed (or None) per env.
    """

    def __init__(
        self,
        env: Any = "CartPoleEasy",
        num_envs: int = 1,
        *,
        params: Any = None,
        seed: int | None = None,
        autoreset_mode: AutoresetMode | str = AutoresetMode.NEXT_STEP,
        render_mode: str | None = "rgb_array",
        **make_kwargs: Any,
    ) -> None:
        if isinstance(num_envs, bool) or not isinstance(num_envs, int) or num_envs < 1:
            raise ValueError(f"num_envs must be a positive int, got {num_envs!r}")
        mode = _autoreset_mode(autoreset_mode)
        self.arcade_env, default = resolve_env(env, **make_kwargs)
        self.params = default if params is None else params
        self.num_envs = num_envs
        self.autoreset_mode = mode
        self.metadata = {"autoreset_mode": mode, "render_modes": RENDER_MODES, "render_fps": 15}
        self.render_mode = _check_render_mode(render_mode)
        single_obs, single_action = _spaces(self.arcade_env.obs_size)
        self.single_observation_space, self.single_action_space = single_obs, single_action
        self.observation_space = batch_space(single_obs, num_envs)
        self.action_space = batch_space(single_action, num_envs)
        self.spec = _spec(
            self.arcade_env,
            {**make_kwargs, "num_envs": num_envs, "vectorization_mode": "vector_entry_point"},
        )
        self._reset_fn = jax.jit(self._batched_reset)
        self._step_fn = jax.jit(
            self._step_same if mode is AutoresetMode.SAME_STEP else self._step_next
        )
        self._default_seed = seed
        self._keys: jax.Array | None = None
        self._state: Any = None
        self._obs: np.ndarray | None = None
        self._needs_reset = np.zeros(num_envs, bool)

    # ------------------------------------------------------------------ jitted pieces
    def _batched_reset(
        self, keys: jax.Array, params: Any, mask: jax.Array, obs: Any, state: Any
    ) -> tuple[jax.Array, Any, Any]:
        """Reset the envs where `mask` (all on the first reset, when `state` is None)."""
        keys, sub = jax.vmap(_split)(keys)
        new_obs, new_state = jax.vmap(self.arcade_env.reset, in_axes=(0, None))(sub, params)
        if state is None:
            return keys, new_obs, new_state

        def pick(new: jax.Array, old: jax.Array) -> jax.Array:
            return jnp.where(mask.reshape(mask.shape + (1,) * (new.ndim - 1)), new, old)

        return keys, jax.tree.map(pick, new_obs, obs), jax.tree.map(pick, new_state, state)

    def _step_same(
        self, keys: jax.Array, state: Any, actions: jax.Array, params: Any, _: jax.Array
    ) -> tuple[Any, ...]:
        env = self.arcade_env

        def one(key: jax.Array, state: Any, action: jax.Array) -> tuple[Any, ...]:
            selected, ended, reward, terminated, truncated = env.advance(key, state, action, params)
            selected = jax.lax.optimization_barrier(selected)
            obs = env.draw(selected, params, env.view)
            return obs, selected, reward, terminated, truncated, env.draw(ended, params, env.view)

        keys, sub = jax.vmap(_split)(keys)
        return keys, *jax.vmap(one)(sub, state, actions)

    def _step_next(
        self, keys: jax.Array, state: Any, actions: jax.Array, params: Any, needs_reset: jax.Array
    ) -> tuple[Any, ...]:
        env = self.arcade_env

        def one(key: jax.Array, state: Any, action: jax.Array, reset: jax.Array) -> tuple[Any, ...]:
            key_step, key_reset = split_key(key)
            new, reward, terminated = env.transition_checked(key_step, state, action, params)
            truncated = new.time >= params.max_steps_in_episode
            fresh = env.auto_reset(key_reset, state, params)
            new = jax.tree.map(lambda f, n: jnp.where(reset, f, n), fresh, new)
            new = jax.lax.optimization_barrier(new)
            keep = jnp.logical_not(reset)
            return (
                env.draw(new, params, env.view),
                new,
                jnp.where(reset, 0.0, reward),
                jnp.logical_and(keep, terminated),
                jnp.logical_and(keep, truncated),
                None,
            )

        keys, sub = jax.vmap(_split)(keys)
        return keys, *jax.vmap(one)(sub, state, actions, needs_reset)

    # ------------------------------------------------------------------ Gymnasium API
    def _seed_keys(self, seed: int | Sequence[int | None] | None) -> jax.Array:
        if seed is None or isinstance(seed, (int, np.integer)):
            seeds: list[int | None] = (
                [None] * self.num_envs
                if seed is None
                else [int(seed) + i for i in range(self.num_envs)]
            )
        else:
            seeds = list(seed)
            if len(seeds) != self.num_envs:
                raise ValueError(f"got {len(seeds)} seeds for {self.num_envs} envs")
        rng = np.random.default_rng()
        return jnp.stack([_seed_key(rng.integers(2**32) if s is None else s) for s in seeds])

    def reset(
        self,
        *,
        seed: int | Sequence[int | None] | None = None,
        options: dict[str, Any] | None = None,
    ) -> tuple[np.ndarray, dict[str, Any]]:
        """Reset every env, or those of `options["reset_mask"]` (a bool array per env)."""
        mask = None if options is None else options.get("reset_mask")
        if seed is None and self._keys is None and self._default_seed is not None:
            seed = self._default_seed
        if seed is not None or self._keys is None:
            self._keys = self._seed_keys(seed)
        if mask is None or self._state is None:
            self._keys, obs, self._state = self._reset_fn(
                self._keys, self.params, jnp.ones(self.num_envs, bool), None, None
            )
            self._needs_reset[:] = False
        else:
            mask = np.asarray(mask, bool).reshape(self.num_envs)
            self._keys, obs, self._state = self._reset_fn(
                self._keys, self.params, jnp.asarray(mask), jnp.asarray(self._obs), self._state
            )
            self._needs_reset[mask] = False
        self._obs = np.asarray(obs)
        return self._obs, {}

    def step(self, actions: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, dict]:
        if self._state is None:
            raise RuntimeError("call reset() before step()")
        a = jnp.asarray(np.asarray(actions), jnp.int32).reshape(self.num_envs)
        self._keys, obs, self._state, reward, terminated, truncated, final = self._step_fn(
            self._keys, self._state, a, self.params, jnp.asarray(self._needs_reset)
        )
        self._obs = np.asarray(obs)
        terminated, truncated = np.asarray(terminated), np.asarray(truncated)
        done = terminated | truncated
        infos: dict[str, Any] = {}
        if self.autoreset_mode is AutoresetMode.NEXT_STEP:
            self._needs_reset = done
        elif done.any():
            infos = {
                "final_obs": np.asarray(final),
                "_final_obs": done,
                "final_info": {},
                "_final_info": done,
            }
        return self._obs, np.asarray(reward, np.float32), terminated, truncated, infos

    def render(self) -> np.ndarray | None:
        """The last observations, one frame per env (`rgb_array`), or None without a mode."""
        return None if self.render_mode is None else self._obs


def to_gymnasium(env: Any, *, params: Any = None, **kwargs: Any) -> ArcadeEnv:
    """A `gymnasium.Env` running `env` (an env id with `make`'s keyword arguments, or an env
    from `make`); see `ArcadeEnv`."""
    return ArcadeEnv(env, params=params, **kwargs)


def to_gymnasium_vector(
    env: Any, num_envs: int, *, params: Any = None, **kwargs: Any
) -> ArcadeVectorEnv:
    """A Gymnasium `VectorEnv` of `num_envs` copies of `env` (an env id with `make`'s keyword
    arguments, or an env from `make`); see `ArcadeVectorEnv` (`seed=`, `autoreset_mode=`)."""
    return ArcadeVectorEnv(env, num_envs, params=params, **kwargs)


register_envs()
