"""The train state and the `Trainer` machinery the algorithms subclass: `BaseTrainer` maps
one seed's `init_one` / `update_one` over seeds and keeps the env batch sharded over devices;
`ValueTrainer` adds acting with a Q-network (PQN, DQN)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import flax.linen as nn
import jax
import jax.numpy as jnp
import numpy as np
from flax import struct

from . import devices as dev
from .api import Metrics, Params, TrainConfig
from .optim import sgd_epochs
from .rollout import AgentCarry, Runner, epsilon_greedy, make_env, reset_runner


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


def raw_key(key: jax.Array) -> jax.Array:
    """Raw uint32 key data from a typed (`jax.random.key`) or raw (`PRNGKey`) key."""
    if jnp.issubdtype(key.dtype, jax.dtypes.prng_key):
        return jax.random.key_data(key)
    return key


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
