"""DQN (Mnih et al. 2015) with Double-DQN targets (van Hasselt et al. 2016), a periodically
copied target network and a replay buffer of sequences, so it trains with memory too.

**Replay buffer: pure JAX, not flashbax.** The buffer is a ring of whole rollouts laid out
`[slots, num_envs, ...]`: one `dynamic_update_slice` adds a rollout, and sampling draws slots
per env column, so under multi-device sharding each device stores and samples only its own
envs' sequences — no cross-device gather of frames. It is a plain pytree inside the
`TrainState`, so Orbax checkpoints it with everything else and a resumed run replays exactly
what the uninterrupted run would; it adds no dependency. flashbax's trajectory buffer would
serve a single device as well, but it adds a package and its own state layout for ~40 lines.

**Sequences.** Each stored item is one env's rollout: `num_steps + 1` frames (the last is the
bootstrap frame), previous actions and start flags, actions, rewards, dones, and the memory
carry at the sequence's start as it was when collected ("stored state", R2D2). Training
replays the sequence from that carry with its start flags: no padding, episodes cut anywhere.
The stored carry goes stale as the network changes; the start flags inside a sequence reset
it exactly, and short sequences bound the staleness (no burn-in).

**Targets.** `y_t = r_t + γ (1 - done_t) Q_target(o_{t+1}, argmax_a Q_online(o_{t+1}, a))`;
`lam > 0` makes it a λ-return along the stored sequence over the same Double-DQN values.

**Initial values.** Returns here lie in [0, 1] (a CartPole step pays 1/200), while a Q head
with Flax's default init starts with values spread about ±0.7 across states and actions.
With that init DQN stalled near a training return of 0.5-0.6 on CartPoleEasy in every
configuration tried; the same run with the head's output weights at 1% of their init scale
(`q_init_scale=0.01`, the default) passed 0.9 at about 250k frames and ended at a greedy
return of 0.996. Our reading: targets bootstrapped through the target network inherit the
init's values, and a step's small action gaps stay buried under them; starting near 0 leaves
only the rewards' scale to learn.
"""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp
import optax
from flax import struct

from ..networks import init_network, q_network
from .api import DQNConfig, Metrics, Params, TrainConfig, coerce_config
from .optim import make_optimizer, unroll_sgd
from .rollout import Runner, episode_metrics, epsilon_greedy, linear_epsilon, rollout
from .targets import lambda_returns
from .trainer import TrainState, ValueTrainer


@struct.dataclass
class Sequences:
    """Stored sequences, leaves `[..., num_envs, ...]` (time after the env axis)."""

    memory: Any  # the carry before obs[0]
    obs: jax.Array  # [..., T + 1, S, S, 3]
    prev_action: jax.Array  # [..., T + 1]
    start: jax.Array  # [..., T + 1]
    action: jax.Array  # [..., T]
    reward: jax.Array  # [..., T]
    done: jax.Array  # [..., T]


@struct.dataclass
class ReplayBuffer:
    """A ring of `slots` rollouts: `data` leaves `[slots, num_envs, ...]`."""

    data: Sequences
    pos: jax.Array  # next slot to write
    size: jax.Array  # slots filled

    @classmethod
    def empty(cls, example: Sequences, slots: int) -> ReplayBuffer:
        data = jax.tree.map(lambda a: jnp.zeros((slots,) + a.shape, a.dtype), example)
        return cls(data, jnp.int32(0), jnp.int32(0))

    def add(self, rollout: Sequences) -> ReplayBuffer:
        """The ring with `rollout` written over its oldest slot. A batch of rings (leaves
        `[seeds, slots, ...]`, `pos [seeds]`, rollout leaves `[seeds, ...]`) is added in one
        `dynamic_update_slice` at seed 0's slot: every ring of a run advances one slot per
        update from the same start, so they share it (a vmapped add would scatter)."""
        lead = self.pos.ndim
        slots = jax.tree.leaves(self.data)[0].shape[lead]
        slot = self.pos.reshape(-1)[0] if lead else self.pos
        data = jax.tree.map(
            lambda buf, x: jax.lax.dynamic_update_index_in_dim(buf, x, slot, lead),
            self.data,
            rollout,
        )
        return ReplayBuffer(data, (self.pos + 1) % slots, jnp.minimum(self.size + 1, slots))

    def sample(self, key: jax.Array, per_env: int) -> Sequences:
        """`per_env` filled slots drawn uniformly for each env column: `[per_env * E, ...]`."""
        num_envs = self.data.action.shape[1]
        idx = jax.random.randint(key, (per_env, num_envs), 0, jnp.maximum(self.size, 1))

        env = jnp.arange(num_envs)[None, :]

        def take(a: jax.Array) -> jax.Array:
            picked = a[idx, env]  # [per_env, E, ...]: whole sequences gathered as slices
            return picked.reshape((per_env * num_envs,) + a.shape[2:])

        return jax.tree.map(take, self.data)


@struct.dataclass
class Collected:
    """One update's rollout, between collecting it and learning from the ring it joined."""

    runner: Runner
    seqs: Sequences
    metrics: Metrics  # the rollout's episodes and its ε
    key: jax.Array  # the state's next key
    k_train: jax.Array  # the key of this update's batches


@struct.dataclass
class DQNExtra:
    target_params: Params
    buffer: ReplayBuffer


class DQN(ValueTrainer):
    config: DQNConfig

    def __init__(self, config: TrainConfig) -> None:
        super().__init__(coerce_config(config, DQNConfig))
        c = self.config
        self.network = q_network(c, self.num_actions, c.q_init_scale)
        steps = self.num_updates * c.grad_steps
        self.optimizer = make_optimizer(c.lr, c.max_grad_norm, steps, c.lr_decay)

    def epsilon(self, update: jax.Array) -> jax.Array:
        c = self.config
        return linear_epsilon(update, self.num_updates, c.eps_start, c.eps_finish, c.eps_decay)

    def init_one(self, key: jax.Array) -> TrainState:
        c = self.config
        key, k_net, k_env = jax.random.split(key, 3)
        params = init_network(self.network, k_net, c.obs_size)
        runner = self.fresh_runner(k_env)
        T, E = c.num_steps, c.num_envs
        example = Sequences(
            memory=runner.carry.memory,
            obs=jnp.zeros((E, T + 1) + runner.obs.shape[1:], runner.obs.dtype),
            prev_action=jnp.zeros((E, T + 1), jnp.int32),
            start=jnp.zeros((E, T + 1), bool),
            action=jnp.zeros((E, T), jnp.int32),
            reward=jnp.zeros((E, T), jnp.float32),
            done=jnp.zeros((E, T), bool),
        )
        return TrainState(
            params=params,
            opt_state=self.optimizer.init(params),
            runner=runner,
            key=key,
            update=jnp.int32(0),
            extra=DQNExtra(params, ReplayBuffer.empty(example, c.buffer_rollouts)),
        )

    def env_axes(self, state: TrainState) -> Any:
        """The replay buffer's env columns are sharded too (axis 2: seeds, slots, envs)."""
        axes = super().env_axes(state)
        buffer = state.extra.buffer
        buffer_axes = ReplayBuffer(jax.tree.map(lambda _: 2, buffer.data), None, None)
        return axes.replace(extra=axes.extra.replace(buffer=buffer_axes))

    def loss_fn(self, params: Params, target_params: Params, seqs: Sequences):
        c = self.config
        inputs = (seqs.obs, seqs.prev_action, seqs.start)
        _, q = self.network.apply(params, seqs.memory, inputs)  # [B, T + 1, A]
        _, q_target = self.network.apply(target_params, seqs.memory, inputs)
        best = jnp.argmax(jax.lax.stop_gradient(q[:, 1:]), axis=-1)
        next_value = jnp.take_along_axis(q_target[:, 1:], best[..., None], -1)[..., 0]
        disc = c.gamma * (1.0 - seqs.done.astype(jnp.float32))
        target = jax.lax.stop_gradient(lambda_returns(seqs.reward, disc, next_value, c.lam))
        q_taken = jnp.take_along_axis(q[:, :-1], seqs.action[..., None], -1)[..., 0]
        err = q_taken - target
        loss = jnp.mean(optax.huber_loss(err, delta=1.0) if c.huber else 0.5 * jnp.square(err))
        return loss, {"q_mean": jnp.mean(q_taken), "target_mean": jnp.mean(target)}

    def collect_one(self, state: TrainState) -> Collected:
        """One seed's rollout (ε-greedy) as the sequences the ring stores."""
        c = self.config
        key, k_roll, k_train = jax.random.split(state.key, 3)
        epsilon = self.epsilon(state.update)

        def policy(params, memory, obs, prev_action, start, key):
            memory, q = self.q_step(params, memory, obs, prev_action, start)
            return memory, epsilon_greedy(key, q, epsilon), None

        carry0 = state.runner.carry.memory
        runner, tr = rollout(
            self.env, self.env_params, policy, state.params, state.runner, k_roll, c.num_steps
        )
        append = lambda seq, last: jnp.concatenate([seq, last[:, None]], axis=1)  # noqa: E731
        seqs = Sequences(
            memory=carry0,
            obs=append(tr.obs, runner.obs),
            prev_action=append(tr.prev_action, runner.carry.prev_action),
            start=append(tr.start, runner.start),
            action=tr.action,
            reward=tr.reward,
            done=tr.done,
        )
        metrics = {**episode_metrics(tr), "epsilon": epsilon}
        return Collected(runner, seqs, metrics, key, k_train)

    def learn_one(self, state: TrainState, got: Collected) -> tuple[TrainState, Metrics]:
        """One seed's gradient steps on batches of its ring (which already holds `got`'s
        rollout), the target copy, and the state advanced one update."""
        c = self.config
        buffer = state.extra.buffer
        update = state.update + 1
        ready = self.frames(update) >= c.learning_starts
        target_params = state.extra.target_params

        def grad_step(carry: tuple[Params, Any], key: jax.Array) -> tuple[Any, Metrics]:
            params, opt_state = carry
            batch = buffer.sample(key, c.batch_size // c.num_envs)
            (loss, aux), grads = jax.value_and_grad(self.loss_fn, has_aux=True)(
                params, target_params, batch
            )
            updates, new_opt = self.optimizer.update(grads, opt_state, params)
            new = (optax.apply_updates(params, updates), new_opt)
            keep = lambda n, o: jnp.where(ready, n, o)  # noqa: E731  (no learning before ready)
            carry = jax.tree.map(keep, new, (params, opt_state))
            return carry, {"loss": loss, "grad_norm": optax.tree.norm(grads), **aux}

        (params, opt_state), metrics = jax.lax.scan(
            grad_step,
            (state.params, state.opt_state),
            jax.random.split(got.k_train, c.grad_steps),
            unroll=unroll_sgd(),
        )
        metrics = jax.tree.map(lambda m: jnp.where(ready, jnp.mean(m), 0.0), metrics)
        copy = update % c.target_update_every == 0
        target_params = jax.tree.map(
            lambda p, t: jnp.where(copy, p, t), params, state.extra.target_params
        )
        state = state.replace(
            params=params,
            opt_state=opt_state,
            runner=got.runner,
            key=got.key,
            update=update,
            extra=DQNExtra(target_params, buffer),
        )
        return state, {
            **metrics,
            **got.metrics,
            "learning": ready.astype(jnp.float32),
            "buffer_fill": buffer.size / c.buffer_rollouts,
            "frames": self.frames(update),
        }

    def update_one(self, state: TrainState) -> tuple[TrainState, Metrics]:
        """One seed's update: collect, add to the ring, learn (`update` runs these phases
        over all seeds with the add between them)."""
        got = self.collect_one(state)
        buffer = state.extra.buffer.add(got.seqs)
        return self.learn_one(state.replace(extra=state.extra.replace(buffer=buffer)), got)

    def update(self, state: TrainState) -> tuple[TrainState, Metrics]:
        """`update_one` over seeds, with the ring written on the seeds-leading arrays.

        For one seed `over_seeds` squeezes the seeds axis away; a ring updated on that view
        and sampled there compiled (XLA:CPU) to the `dynamic_update_slice` done twice, each on
        its own copies of the whole ring: 4 copies of 830 MB per update at 16 envs x 32 steps
        x 32 rollouts, 128 px, a third of the update. Written here and sampled after, the ring
        is copied once into the new state, and not at all (updated in place) when the caller
        donates the state (`jax.jit(update, donate_argnums=0)`)."""
        state = self.place(state)
        got = self.over_seeds(self.collect_one)(state)
        buffer = state.extra.buffer.add(got.seqs)
        state = state.replace(extra=state.extra.replace(buffer=buffer))
        state, metrics = self.over_seeds(self.learn_one)(state, got)
        return self.place(state), metrics


def make_train(config: TrainConfig) -> DQN:
    """A DQN trainer for `config` (validated; nothing compiled yet)."""
    return DQN(config)
