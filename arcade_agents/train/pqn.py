"""PQN (Gallici et al. 2024): parallel envs instead of a replay buffer, LayerNorm'd networks
instead of a target network, Q(λ) targets computed from the rollout itself, ε-greedy with a
linear decay.

One update: roll out `num_steps` steps of every env ε-greedily (keeping each step's Q-values
and the memory carry at the rollout's start); take Peng's Q(λ) returns over the rollout,
bootstrapped from `max_a Q` of the frame after it; then `num_epochs` passes of minibatches of
whole env sequences, replayed from the saved carry with their start flags, regressing
`Q(o_t, a_t)` onto the (fixed) returns. With memory "none" the same code runs a feed-forward
network (its carry is empty).
"""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp

from ..networks import init_network, q_network
from .api import Metrics, Params, PQNConfig, TrainConfig, coerce_config
from .optim import make_optimizer
from .rollout import episode_metrics, epsilon_greedy, linear_epsilon, rollout
from .targets import discounts, lambda_returns, next_values
from .trainer import TrainState, ValueTrainer


class PQN(ValueTrainer):
    config: PQNConfig

    def __init__(self, config: TrainConfig) -> None:
        super().__init__(coerce_config(config, PQNConfig))
        c = self.config
        self.network = q_network(c, self.num_actions)
        steps = self.num_updates * c.num_epochs * c.num_minibatches
        self.optimizer = make_optimizer(c.lr, c.max_grad_norm, steps, c.lr_decay)

    def epsilon(self, update: jax.Array) -> jax.Array:
        c = self.config
        return linear_epsilon(update, self.num_updates, c.eps_start, c.eps_finish, c.eps_decay)

    def init_one(self, key: jax.Array) -> TrainState:
        key, k_net, k_env = jax.random.split(key, 3)
        params = init_network(self.network, k_net, self.config.obs_size)
        return TrainState(
            params=params,
            opt_state=self.optimizer.init(params),
            runner=self.fresh_runner(k_env),
            key=key,
            update=jnp.int32(0),
        )

    def update_one(self, state: TrainState) -> tuple[TrainState, Metrics]:
        c = self.config
        key, k_roll, k_train = jax.random.split(state.key, 3)
        epsilon = self.epsilon(state.update)

        # 1. act: num_steps epsilon-greedy steps of every env, keeping each step's Q-values
        def policy(params, memory, obs, prev_action, start, key):
            memory, q = self.q_step(params, memory, obs, prev_action, start)
            return memory, epsilon_greedy(key, q, epsilon), q

        carry0 = state.runner.carry.memory
        runner, tr = rollout(
            self.env, self.env_params, policy, state.params, state.runner, k_roll, c.num_steps
        )
        _, q_last = self.q_step(
            state.params, runner.carry.memory, runner.obs, runner.carry.prev_action, runner.start
        )
        # 2. targets: Peng's Q(lambda) over the rollout, bootstrapped from the frame after it
        best = jnp.max(tr.extras, axis=-1)  # [E, T]: max_a Q(o_t, a) as acting saw it
        targets = lambda_returns(
            tr.reward, discounts(tr, c.gamma), next_values(best, jnp.max(q_last, -1)), c.lam
        )
        data = (carry0, tr.obs, tr.prev_action, tr.start, tr.action, targets)

        # 3. learn: epochs of minibatches of whole sequences, replayed from the saved carry
        def loss_fn(params: Params, mb: Any) -> tuple[jax.Array, Metrics]:
            memory, obs, prev_action, start, action, target = mb
            _, q = self.network.apply(params, memory, (obs, prev_action, start))
            q_taken = jnp.take_along_axis(q, action[..., None], axis=-1)[..., 0]
            loss = 0.5 * jnp.mean(jnp.square(q_taken - jax.lax.stop_gradient(target)))
            return loss, {"q_mean": jnp.mean(q_taken)}

        state, metrics = self.learn(state, runner, data, loss_fn, k_train, key)
        return state, {
            **metrics,
            **episode_metrics(tr),
            "target_mean": jnp.mean(targets),
            "epsilon": epsilon,
        }


def make_train(config: TrainConfig) -> PQN:
    """A PQN trainer for `config` (validated; nothing compiled yet)."""
    return PQN(config)
