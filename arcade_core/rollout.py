"""One rollout for everything that plays an env: `rollout(env, params, policy, steps, key)`
resets, runs `steps` steps of a `Policy` in one `lax.scan`, and keeps what `observe` picks
from each step. Recording, evaluation, the conformance kit and `arcade bench` all play
through it, so they share one key schedule and one auto-reset loop.

    from arcade_core.rollout import rollout, vmap_policy
    from arcade_core.policy import RANDOM
    out = jax.jit(lambda k: rollout(env, params, vmap_policy(RANDOM, 64), 100, k, num_envs=64))(key)
    out.steps["reward"]  # float32[100, 64]

Keys: `key, k_reset = split(key)` resets (one key per env, split from `k_reset`); each step
splits `key, k_act, k_step = split(key, 3)`: the policy gets `k_act`, the env (each env its
own key split from `k_step`) gets `k_step`. A single unbatched rollout, vmapped over episodes by
its caller, sees the same schedule per episode.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

import jax
import jax.numpy as jnp

from .policy import Policy


class Step(NamedTuple):
    """One step of a rollout as `observe` sees it; leaves lead with `[num_envs]` when the
    rollout is batched. Without frames, `obs` and `next_obs` are None."""

    obs: Any  # the frame the policy acted on
    state: Any  # the state it acted in
    action: jax.Array
    next_obs: Any  # the frame `step` returned: a fresh episode's where `done`
    next_state: Any  # the state `step` returned: a fresh episode's where `done`
    reward: jax.Array
    done: jax.Array
    info: dict[str, jax.Array]


class Rollout(NamedTuple):
    """What `rollout` returns: the reset it started from, where it stopped, the accumulator
    `observe` folded and its per-step outputs, time first (`[steps, ...]`)."""

    first_obs: Any
    first_state: Any
    obs: Any  # the frame the next action would answer
    state: Any
    carry: Any  # the policy's carry after the last step
    acc: Any
    steps: Any


Observe = Callable[[Any, Step], tuple[Any, Any]]


def keep_reward_done(acc: Any, step: Step) -> tuple[Any, dict[str, jax.Array]]:
    """The default `observe`: per-step rewards and dones, nothing folded."""
    return acc, {"reward": step.reward, "done": step.done}


def rollout(
    env: Any,
    params: Any,
    policy: Policy,
    steps: int,
    key: jax.Array,
    *,
    num_envs: int | None = None,
    frames: bool = True,
    observe: Observe = keep_reward_done,
    init: Any = None,
) -> Rollout:
    """Reset `env`, then play `steps` steps of `policy` (auto-resetting at episode ends) in one
    `lax.scan`; traceable, so callers `jit` (and `vmap`) it.

    `num_envs=None` plays one unbatched env (the policy acts on one frame); `num_envs=N`
    vmaps N envs, and the policy acts on the batch (`obs [N, S, S, 3]`, `start [N]`, one key;
    `vmap_policy` makes a per-episode policy act so). `frames=False` steps the dynamics alone
    (`env.init` / `env.advance`, no drawing; the policy sees `obs=None`). `observe(acc, step)
    -> (acc, y)` folds each `Step` into `acc` (starting at `init`) and keeps `y` per step:
    keep frames only where they are wanted, since every kept leaf is stacked over time."""
    if num_envs is None:
        env_keys: Callable[[jax.Array], jax.Array] = lambda k: k  # noqa: E731
        batched: Callable[..., Any] = lambda f, axes: f  # noqa: E731
        start = jnp.ones((), bool)
    else:
        env_keys = lambda k: jax.random.split(k, num_envs)  # noqa: E731
        batched = lambda f, axes: jax.vmap(f, in_axes=axes)  # noqa: E731
        start = jnp.ones((num_envs,), bool)
    if frames:
        reset, step = env.reset, env.step
    else:
        reset, step = _dynamics(env)
    reset = batched(reset, (0, None))
    step = batched(step, (0, 0, 0, None))

    key, k_reset = jax.random.split(key)
    obs, state = reset(env_keys(k_reset), params)

    def body(c: tuple[Any, ...], _: None) -> tuple[tuple[Any, ...], Any]:
        obs, state, carry, start, key, acc = c
        key, k_act, k_step = jax.random.split(key, 3)
        action, carry = policy.act(carry, obs, start, k_act)
        next_obs, next_state, reward, done, info = step(env_keys(k_step), state, action, params)
        acc, y = observe(acc, Step(obs, state, action, next_obs, next_state, reward, done, info))
        return (next_obs, next_state, carry, done, key, acc), y

    c0 = (obs, state, policy.initial_carry(), start, key, init)
    (last_obs, last_state, carry, _, _, acc), ys = jax.lax.scan(body, c0, None, length=steps)
    return Rollout(obs, state, last_obs, last_state, carry, acc, ys)


def _dynamics(env: Any) -> tuple[Callable[..., Any], Callable[..., Any]]:
    """`reset` and `step` of `env` without drawing: `env.init` and `env.advance`, shaped as
    `(obs=None, state)` and `(obs=None, state, reward, done, info)`."""

    def reset(key: jax.Array, params: Any) -> tuple[None, Any]:
        return None, env.init(key, params)

    def step(key: jax.Array, state: Any, action: jax.Array, params: Any) -> tuple[Any, ...]:
        selected, _, reward, terminated, truncated = env.advance(key, state, action, params)
        info = {
            "terminated": terminated,
            "truncated": truncated,
            "discount": jnp.where(terminated, 0.0, 1.0).astype(jnp.float32),
        }
        return None, selected, reward, terminated | truncated, info

    return reset, step


def vmap_policy(policy: Policy, num_envs: int) -> Policy:
    """`policy`, which acts on one episode, acting on a batch of `num_envs`: each env gets its
    own key, split from the one the batch gets."""

    def act(carry: Any, obs: Any, start: Any, key: jax.Array) -> tuple[Any, Any]:
        keys = jax.random.split(key, num_envs)
        return jax.vmap(policy.act)(carry, obs, start, keys)

    def initial_carry() -> Any:
        one = policy.initial_carry()
        return jax.tree.map(lambda x: jnp.broadcast_to(x, (num_envs, *jnp.shape(x))), one)

    return Policy(
        act, initial_carry, policy.env_id, policy.partial, policy.obs_size, name=policy.name
    )


def scripted(actions: jax.Array) -> Policy:
    """A policy that plays `actions` (`[steps, ...]`, one row per step) whatever it sees: for
    tests that need the same moves on every run."""

    def act(t: jax.Array, obs: Any, start: Any, key: jax.Array) -> tuple[jax.Array, jax.Array]:
        return actions[t], t + 1

    return Policy(act, lambda: jnp.int32(0), name="scripted")
