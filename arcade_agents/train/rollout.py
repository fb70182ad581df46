"""Acting while training: what the agent carries between steps, the runner that holds the
envs between updates, one rollout of every env, and ε-greedy exploration.

Sequence conventions (those of the memory models): a rollout is `[num_envs, T, ...]`; at step
`t` the agent sees `obs[t]`, `prev_action[t]` (its action at `t - 1`, ignored where `start[t]`)
and `start[t]` (`obs[t]` is the first frame of an episode), so episodes of any length are
packed into one sequence with no padding; the memory carry saved at the rollout's start lets
training replay the sequence exactly as acting saw it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import jax
import jax.numpy as jnp
from flax import struct

import arcade_core
from arcade_core.wrappers import LogWrapper

from .api import Metrics, Params, TrainConfig


@struct.dataclass
class AgentCarry:
    """What an acting agent threads from step to step: its memory and its last action."""

    memory: Any  # the memory model's carry, leaves `[batch, ...]`
    prev_action: jax.Array  # int32 `[batch]`


@struct.dataclass
class Runner:
    """The acting side of training: the envs and what the agent carries between rollouts."""

    env_state: Any  # LogWrapper state, leaves `[num_envs, ...]`
    obs: jax.Array  # uint8 `[num_envs, S, S, 3]`, the frame the next action answers
    start: jax.Array  # bool `[num_envs]`: `obs` is an episode's first frame
    carry: AgentCarry


@struct.dataclass
class Transition:
    """One rollout, `[num_envs, T, ...]` after `rollout` (time second)."""

    obs: jax.Array
    prev_action: jax.Array
    start: jax.Array
    action: jax.Array
    reward: jax.Array
    done: jax.Array  # terminated or truncated: the next frame is another episode's
    returned: jax.Array  # the finished episode's return where `done`
    extras: Any  # per-step policy outputs (Q-values, log-probs, values)


# policy(params, memory, obs, prev_action, start, key) -> (memory, action, extras)
Policy = Callable[[Params, Any, jax.Array, jax.Array, jax.Array, jax.Array], tuple[Any, Any, Any]]


def make_env(config: TrainConfig) -> tuple[LogWrapper, Any]:
    env, params = arcade_core.make(
        config.env_id, partial_obs=config.partial, obs_size=config.obs_size
    )
    return LogWrapper(env), params


def reset_runner(env: Any, env_params: Any, carry: AgentCarry, key: jax.Array) -> Runner:
    """`num_envs` fresh episodes (one per carry row)."""
    num_envs = carry.prev_action.shape[0]
    obs, env_state = jax.vmap(env.reset, in_axes=(0, None))(
        jax.random.split(key, num_envs), env_params
    )
    return Runner(env_state, obs, jnp.ones((num_envs,), bool), carry)


def rollout(
    env: Any,
    env_params: Any,
    policy: Policy,
    params: Params,
    runner: Runner,
    key: jax.Array,
    num_steps: int,
) -> tuple[Runner, Transition]:
    """`num_steps` steps of every env; the transitions come back `[num_envs, T, ...]`.

    Per-env keys are split from one key per step, so the randomness does not depend on how
    the env batch is sharded across devices.

    Training keeps this loop rather than `arcade_core.rollout.rollout`: it continues from the
    runner of the last update (no reset between rollouts), steps a `LogWrapper` for episode
    returns, and stores what the update replays (previous actions, policy extras)."""
    num_envs = runner.start.shape[0]

    def one_step(runner: Runner, key: jax.Array) -> tuple[Runner, Transition]:
        k_act, k_env = jax.random.split(key)
        c = runner.carry
        memory, action, extras = policy(
            params, c.memory, runner.obs, c.prev_action, runner.start, k_act
        )
        obs, env_state, reward, done, info = jax.vmap(env.step, in_axes=(0, 0, 0, None))(
            jax.random.split(k_env, num_envs), runner.env_state, action, env_params
        )
        tr = Transition(
            obs=runner.obs,
            prev_action=c.prev_action,
            start=runner.start,
            action=action,
            reward=reward,
            done=done,
            returned=info["returned_episode_returns"],
            extras=extras,
        )
        return Runner(env_state, obs, done, AgentCarry(memory, action)), tr

    runner, trs = jax.lax.scan(one_step, runner, jax.random.split(key, num_steps))
    return runner, jax.tree.map(lambda a: jnp.swapaxes(a, 0, 1), trs)


def episode_metrics(tr: Transition) -> Metrics:
    """The summed return and the count of the episodes that ended in this rollout."""
    done = tr.done.astype(jnp.float32)
    return {"return_sum": jnp.sum(tr.returned * done), "episodes": jnp.sum(done)}


def linear_epsilon(
    update: jax.Array, num_updates: int, start: float, finish: float, decay: float
) -> jax.Array:
    """ε falling linearly from `start` to `finish` over the first `decay` of the run."""
    span = max(decay * num_updates, 1e-8)
    frac = jnp.clip(update.astype(jnp.float32) / span, 0.0, 1.0)
    return start + (finish - start) * frac


def epsilon_greedy(key: jax.Array, q: jax.Array, epsilon: float | jax.Array) -> jax.Array:
    """Per row of `q [b, A]`: a uniform action with probability ε, else the greedy one."""
    k_explore, k_action = jax.random.split(key)
    b, num_actions = q.shape
    random = jax.random.randint(k_action, (b,), 0, num_actions)
    explore = jax.random.uniform(k_explore, (b,)) < epsilon
    return jnp.where(explore, random, jnp.argmax(q, axis=-1)).astype(jnp.int32)
