"""What every algorithm shares, written once: the train state, networks without memory, the
rollout, λ-returns (and GAE through them), the ε schedule, minibatching, the optimizer and the
seeds-vmapped, device-sharded `BaseTrainer` the algorithms subclass.

Sequence conventions (those of the memory models): a rollout is `[num_envs, T, ...]`; at step
`t` the agent sees `obs[t]`, `prev_action[t]` (its action at `t - 1`, ignored where `start[t]`)
and `start[t]` (`obs[t]` is the first frame of an episode), so episodes of any length are
packed into one sequence with no padding; the memory carry saved at the rollout's start lets
training replay the sequence exactly as acting saw it.

Time-outs are treated as terminal (no bootstrap across `done`): the frame after a truncation
is the next episode's, and the pre-reset frame would cost a second render on every step.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import flax.linen as nn
import jax
import jax.numpy as jnp
import numpy as np
import optax
from flax import struct

import arcade_core
from arcade_core.wrappers import LogWrapper

from ..networks import (
    ActorHead,
    CriticHead,
    PixelEncoder,
    QHead,
    RecurrentActorCritic,
    RecurrentQNetwork,
)
from . import devices as dev
from .api import TrainConfig

Params = Any
Metrics = dict[str, jax.Array]


# ------------------------------------------------------------------------------- state


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
class TrainState:
    """Everything a run needs to continue; under `BaseTrainer` every leaf leads with `seeds`.

    A plain pytree of arrays (keys are raw uint32 key data), so Orbax saves and restores it.
    """

    params: Params
    opt_state: Any
    runner: Runner
    key: jax.Array  # raw uint32 key data
    update: jax.Array  # int32: updates done so far
    extra: Any = None  # algorithm-specific (DQN: target params and replay buffer)


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


def raw_key(key: jax.Array) -> jax.Array:
    """Raw uint32 key data from a typed (`jax.random.key`) or raw (`PRNGKey`) key."""
    if jnp.issubdtype(key.dtype, jax.dtypes.prng_key):
        return jax.random.key_data(key)
    return key


# ------------------------------------------------------------------------------- networks


class FeedForward(nn.Module):
    """A memoryless network on the recurrent networks' interface: an empty carry, and `step`
    is the call itself, so the same sequence code trains both."""

    num_actions: int = 5
    features: int = 256
    hidden: int = 256
    encoder: str = "patch"

    @nn.nowrap
    def initialize_carry(self, batch_shape: tuple[int, ...] = ()) -> jax.Array:
        return jnp.zeros(tuple(batch_shape) + (0,))

    def step(self, carry: jax.Array, inputs: tuple[jax.Array, ...]) -> tuple[Any, Any]:
        return self(carry, inputs)


class FeedForwardQNetwork(FeedForward):
    """Encoder -> Q head, no memory."""

    @nn.compact
    def __call__(self, carry: jax.Array, inputs: tuple[jax.Array, ...]) -> tuple[Any, Any]:
        x = PixelEncoder(self.features, self.encoder)(inputs[0])
        return carry, QHead(self.num_actions, self.hidden)(x)


class FeedForwardActorCritic(FeedForward):
    """Encoder -> (actor, critic) heads sharing the encoder, no memory; `(carry, (logits,
    value))` like `RecurrentActorCritic`."""

    @nn.compact
    def __call__(self, carry: jax.Array, inputs: tuple[jax.Array, ...]) -> tuple[Any, Any]:
        x = PixelEncoder(self.features, self.encoder)(inputs[0])
        return carry, (ActorHead(self.num_actions, self.hidden)(x), CriticHead(self.hidden)(x))


def has_memory(config: TrainConfig) -> bool:
    return config.memory.casefold() != "none"


def q_network(config: TrainConfig, num_actions: int) -> nn.Module:
    """The Q-network of `config`: recurrent with the named memory model, or feed-forward."""
    if has_memory(config):
        return RecurrentQNetwork(
            num_actions, config.memory, None, config.features, config.features, config.encoder
        )
    return FeedForwardQNetwork(num_actions, config.features, config.features, config.encoder)


def actor_critic(config: TrainConfig, num_actions: int) -> nn.Module:
    """The actor-critic of `config` (one shared trunk, two heads)."""
    if has_memory(config):
        return RecurrentActorCritic(
            num_actions, config.memory, None, config.features, config.features, config.encoder
        )
    return FeedForwardActorCritic(num_actions, config.features, config.features, config.encoder)


def init_network(net: nn.Module, key: jax.Array, obs_size: int) -> Params:
    """Params of `net` from a one-step, one-env sequence."""
    obs = jnp.zeros((1, 1, obs_size, obs_size, 3), jnp.uint8)
    carry = net.initialize_carry((1,))
    return net.init(key, carry, (obs, jnp.zeros((1, 1), jnp.int32), jnp.ones((1, 1), bool)))


# ------------------------------------------------------------------------------- rollout

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
    the env batch is sharded across devices."""
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


# ------------------------------------------------------------------------------- returns


def lambda_returns(
    rewards: jax.Array, discounts: jax.Array, next_values: jax.Array, lam: float | jax.Array
) -> jax.Array:
    """λ-returns along the last axis: `G_t = r_t + d_t ((1 - λ) v_{t+1} + λ G_{t+1})`, with
    `G_T := v_T` (`next_values[..., -1]`). `next_values[t]` is the value of the state after
    step `t`: `max_a Q` gives Peng's Q(λ) (PQN), `V` gives TD(λ) and, minus `V`, GAE.
    `d_t = γ (1 - done_t)` cuts the return at episode ends."""
    xs = jax.tree.map(lambda a: jnp.moveaxis(a, -1, 0), (rewards, discounts, next_values))

    def body(g_next: jax.Array, x: tuple[jax.Array, ...]) -> tuple[jax.Array, jax.Array]:
        r, d, v = x
        g = r + d * ((1.0 - lam) * v + lam * g_next)
        return g, g

    _, g = jax.lax.scan(body, xs[2][-1], xs, reverse=True)
    return jnp.moveaxis(g, 0, -1)


def gae(
    rewards: jax.Array,
    discounts: jax.Array,
    values: jax.Array,
    next_values: jax.Array,
    lam: float | jax.Array,
) -> tuple[jax.Array, jax.Array]:
    """Generalized advantage estimates and their value targets `(advantages, returns)`: the
    TD(λ) return minus `V`, which equals the usual backward sum of discounted TD errors."""
    returns = lambda_returns(rewards, discounts, next_values, lam)
    return returns - values, returns


def next_values(values: jax.Array, last: jax.Array) -> jax.Array:
    """`[..., T]` values of the states after each step: `values[1:]` then `last`."""
    return jnp.concatenate([values[..., 1:], last[..., None]], axis=-1)


def discounts(tr: Transition, gamma: float) -> jax.Array:
    return gamma * (1.0 - tr.done.astype(jnp.float32))


# ------------------------------------------------------------------------------- schedules


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


def make_optimizer(
    lr: float, max_grad_norm: float, total_steps: int, decay: bool
) -> optax.GradientTransformation:
    """Adam after global-norm clipping; with `decay`, the rate falls linearly to 0 over all
    `total_steps` optimizer steps of the run (counted per step, not per update)."""
    rate = optax.linear_schedule(lr, 0.0, max(total_steps, 1)) if decay else lr
    return optax.chain(optax.clip_by_global_norm(max_grad_norm), optax.adam(rate, eps=1e-5))


# ------------------------------------------------------------------------------- minibatches


def shuffle_envs(key: jax.Array, tree: Any, num_minibatches: int) -> Any:
    """Shuffle whole env sequences (axis 0) and split them into `[num_minibatches, E / M,
    ...]`: sequences stay whole, so memory sees every episode from its start flag."""
    leaves = jax.tree.leaves(tree)
    num_envs = leaves[0].shape[0]
    perm = jax.random.permutation(key, num_envs)
    return jax.tree.map(
        lambda a: a[perm].reshape((num_minibatches, num_envs // num_minibatches) + a.shape[1:]),
        tree,
    )


def unroll_sgd() -> bool:
    """Unroll the gradient-step loops on CPU: XLA:CPU runs a convolution's backward pass
    inside a `while` loop some 20x slower than the same ops unrolled (measured: 4 encoder
    gradient steps 15 s in `lax.scan`, 0.7 s unrolled); on GPU the rolled loop compiles faster
    and runs as fast."""
    return jax.default_backend() == "cpu"


def sgd_epochs(
    key: jax.Array,
    params: Params,
    opt_state: Any,
    data: Any,
    loss_fn: Callable[[Params, Any], tuple[jax.Array, Metrics]],
    optimizer: optax.GradientTransformation,
    num_epochs: int,
    num_minibatches: int,
) -> tuple[Params, Any, Metrics]:
    """`num_epochs` passes of minibatch gradient steps over `data` (env-major); the metrics
    (the loss and `loss_fn`'s aux, plus the gradient norm) are averaged over all steps."""

    def minibatch(carry: tuple[Params, Any], mb: Any) -> tuple[tuple[Params, Any], Metrics]:
        params, opt_state = carry
        (loss, aux), grads = jax.value_and_grad(loss_fn, has_aux=True)(params, mb)
        updates, opt_state = optimizer.update(grads, opt_state, params)
        params = optax.apply_updates(params, updates)
        return (params, opt_state), {"loss": loss, "grad_norm": optax.tree.norm(grads), **aux}

    unroll = unroll_sgd()

    def epoch(carry: tuple[Params, Any], key: jax.Array) -> tuple[tuple[Params, Any], Metrics]:
        mbs = shuffle_envs(key, data, num_minibatches)
        return jax.lax.scan(minibatch, carry, mbs, unroll=unroll)

    (params, opt_state), metrics = jax.lax.scan(
        epoch, (params, opt_state), jax.random.split(key, num_epochs), unroll=unroll
    )
    return params, opt_state, jax.tree.map(jnp.mean, metrics)


# ------------------------------------------------------------------------------- trainer


class BaseTrainer:
    """The `Trainer` machinery: subclasses write `init_one(key)` and `update_one(state)` for
    one seed; this class vmaps them over `seeds` and keeps the env batch sharded over
    `config.devices` (see `devices.py`)."""

    config: TrainConfig

    def __init__(self, config: TrainConfig) -> None:
        config.validate()
        self.config = config
        self.env, self.env_params = make_env(config)
        self.num_actions = int(self.env.num_actions)
        self.num_updates = config.num_updates
        self.frames_per_update = config.frames_per_update
        self.mesh = dev.make_mesh(config.devices) if config.devices > 1 else None

    # subclasses ---------------------------------------------------------------
    def init_one(self, key: jax.Array) -> TrainState:
        raise NotImplementedError

    def update_one(self, state: TrainState) -> tuple[TrainState, Metrics]:
        raise NotImplementedError

    def env_axes(self, state: TrainState) -> Any:
        """Per leaf of a (seeds-batched) state: the axis that runs over envs, or None."""
        axes = jax.tree.map(lambda _: None, state)
        return axes.replace(runner=jax.tree.map(lambda _: 1, state.runner))

    # the Trainer protocol -----------------------------------------------------
    def init(self, key: jax.Array) -> TrainState:
        keys = jax.random.split(raw_key(key), self.config.seeds)
        return self.place(self.over_seeds(self.init_one)(keys))

    def update(self, state: TrainState) -> tuple[TrainState, Metrics]:
        state, metrics = self.over_seeds(self.update_one)(self.place(state))
        return self.place(state), metrics

    def over_seeds(self, fn: Callable[..., Any]) -> Callable[..., Any]:
        """`fn` mapped over the leading seeds axis: `vmap`, or for one seed a squeeze, since
        a vmapped conv with per-seed kernels becomes a grouped conv, slow on CPU."""
        if self.config.seeds > 1:
            return jax.vmap(fn)

        def one(*args: Any) -> Any:
            out = fn(*jax.tree.map(lambda a: a[0], args))
            return jax.tree.map(lambda a: a[None], out)

        return one

    def params_of(self, state: TrainState, seed: int = 0) -> Params:
        return jax.tree.map(lambda a: a[seed], state.params)

    def initial_carry(self, batch: int) -> AgentCarry:
        return AgentCarry(self.network.initialize_carry((batch,)), jnp.zeros((batch,), jnp.int32))

    def place(self, state: TrainState) -> TrainState:
        """`state` laid out on this trainer's devices: env axes sharded, the rest replicated
        (a no-op on one device). Use it on a state restored from a checkpoint."""
        if self.mesh is None:
            return state
        return dev.shard(state, self.env_axes(state), self.mesh)

    # helpers for subclasses ---------------------------------------------------
    network: nn.Module
    optimizer: Any  # an optax transformation; `learn` steps it

    def fresh_runner(self, key: jax.Array) -> Runner:
        return reset_runner(
            self.env, self.env_params, self.initial_carry(self.config.num_envs), key
        )

    def frames(self, update: jax.Array) -> jax.Array:
        return update.astype(jnp.float32) * self.frames_per_update

    def learn(
        self,
        state: TrainState,
        runner: Runner,
        data: Any,
        loss_fn: Callable[[Params, Any], tuple[jax.Array, Metrics]],
        k_train: jax.Array,
        k_next: jax.Array,
    ) -> tuple[TrainState, Metrics]:
        """The end of every on-policy update: `num_epochs` x `num_minibatches` SGD passes of
        `loss_fn` over `data` (shuffled with `k_train`), then the state advanced one update
        with the new params, optimizer state, `runner` and key `k_next`. Metrics: the SGD
        ones and `frames`."""
        c = self.config
        params, opt_state, metrics = sgd_epochs(
            k_train,
            state.params,
            state.opt_state,
            data,
            loss_fn,
            self.optimizer,
            c.num_epochs,
            c.num_minibatches,
        )
        update = state.update + 1
        state = state.replace(
            params=params, opt_state=opt_state, runner=runner, key=k_next, update=update
        )
        return state, {**metrics, "frames": self.frames(update)}


def count_params(params: Params) -> int:
    return int(sum(np.prod(a.shape) for a in jax.tree.leaves(params)))


class ValueTrainer(BaseTrainer):
    """What the Q-learners (PQN, DQN) share: one acting step of the Q-network, and acting
    greedily or epsilon-greedily with `config.eps_eval`."""

    def q_step(self, params: Params, memory: Any, obs, prev_action, start) -> tuple[Any, Any]:
        return self.network.apply(params, memory, (obs, prev_action, start), method="step")

    def act(
        self,
        params: Params,
        carry: AgentCarry,
        obs: jax.Array,
        start: jax.Array,
        key: jax.Array,
        greedy: bool = True,
    ) -> tuple[jax.Array, AgentCarry]:
        memory, q = self.q_step(params, carry.memory, obs, carry.prev_action, start)
        if greedy:
            action = jnp.argmax(q, axis=-1).astype(jnp.int32)
        else:
            action = epsilon_greedy(key, q, self.config.eps_eval)
        return action, AgentCarry(memory, action)
