"""PPO (Schulman et al. 2017) with GAE and the clipped surrogate objective.

The actor and the critic share one torso — encoder and, with memory, one memory model —
with two heads (`RecurrentActorCritic`, or its feed-forward twin for memory "none"): half the
compute of two torsos, and a recurrent agent carries one memory whose features both heads
read; the value loss is weighted by `vf_coef` so it does not swamp the policy gradient.

One update: roll out `num_steps` steps of every env by sampling the policy (keeping log-probs,
values and the memory carry at the rollout's start); GAE over the rollout, bootstrapped from
the value of the frame after it; then `num_epochs` passes of minibatches of whole env
sequences, replayed from the saved carry with their start flags.
"""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp

from ..networks import actor_critic, init_network
from .api import Metrics, Params, PPOConfig, TrainConfig, coerce_config
from .optim import make_optimizer
from .rollout import AgentCarry, episode_metrics, rollout
from .targets import discounts, gae, next_values
from .trainer import BaseTrainer, TrainState


class PPO(BaseTrainer):
    config: PPOConfig

    def __init__(self, config: TrainConfig) -> None:
        super().__init__(coerce_config(config, PPOConfig))
        c = self.config
        self.network = actor_critic(c, self.num_actions)
        steps = self.num_updates * c.num_epochs * c.num_minibatches
        self.optimizer = make_optimizer(c.lr, c.max_grad_norm, steps, c.lr_decay)

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

    def ac_step(self, params: Params, memory: Any, obs, prev_action, start) -> tuple[Any, Any]:
        return self.network.apply(params, memory, (obs, prev_action, start), method="step")

    def update_one(self, state: TrainState) -> tuple[TrainState, Metrics]:
        c = self.config
        key, k_roll, k_train = jax.random.split(state.key, 3)

        # 1. act: num_steps steps of every env sampled from the policy, keeping log-probs, values
        def policy(params, memory, obs, prev_action, start, key):
            memory, (logits, value) = self.ac_step(params, memory, obs, prev_action, start)
            action = jax.random.categorical(key, logits).astype(jnp.int32)
            logp = jnp.take_along_axis(jax.nn.log_softmax(logits), action[:, None], -1)[:, 0]
            return memory, action, (logp, value)

        carry0 = state.runner.carry.memory
        runner, tr = rollout(
            self.env, self.env_params, policy, state.params, state.runner, k_roll, c.num_steps
        )
        _, (_, last_value) = self.ac_step(
            state.params, runner.carry.memory, runner.obs, runner.carry.prev_action, runner.start
        )
        # 2. targets: GAE over the rollout, bootstrapped from the value of the frame after it
        old_logp, values = tr.extras
        advantages, returns = gae(
            tr.reward,
            discounts(tr, c.gamma),
            values,
            next_values(values, last_value),
            c.gae_lambda,
        )
        data = (carry0, tr.obs, tr.prev_action, tr.start, tr.action, old_logp, values)
        data = (*data, advantages, returns)

        # 3. learn: epochs of minibatches of whole sequences, the clipped surrogate objective
        def loss_fn(params: Params, mb: Any) -> tuple[jax.Array, Metrics]:
            memory, obs, prev_action, start, action, old_logp, old_value, adv, ret = mb
            _, (logits, value) = self.network.apply(params, memory, (obs, prev_action, start))
            log_probs = jax.nn.log_softmax(logits)
            logp = jnp.take_along_axis(log_probs, action[..., None], -1)[..., 0]
            if c.normalize_advantages:
                adv = (adv - adv.mean()) / (adv.std() + 1e-8)
            log_ratio = logp - old_logp
            ratio = jnp.exp(log_ratio)
            clipped = jnp.clip(ratio, 1.0 - c.clip_eps, 1.0 + c.clip_eps)
            policy_loss = -jnp.mean(jnp.minimum(ratio * adv, clipped * adv))
            value_clipped = old_value + jnp.clip(value - old_value, -c.clip_eps, c.clip_eps)
            value_loss = 0.5 * jnp.mean(
                jnp.maximum(jnp.square(value - ret), jnp.square(value_clipped - ret))
            )
            entropy = -jnp.mean(jnp.sum(jnp.exp(log_probs) * log_probs, axis=-1))
            loss = policy_loss + c.vf_coef * value_loss - c.ent_coef * entropy
            return loss, {
                "policy_loss": policy_loss,
                "value_loss": value_loss,
                "entropy": entropy,
                "approx_kl": jnp.mean((ratio - 1.0) - log_ratio),
                "clip_frac": jnp.mean((jnp.abs(ratio - 1.0) > c.clip_eps).astype(jnp.float32)),
            }

        state, metrics = self.learn(state, runner, data, loss_fn, k_train, key)
        return state, {
            **metrics,
            **episode_metrics(tr),
            "value_mean": jnp.mean(values),
        }

    def act(
        self,
        params: Params,
        carry: AgentCarry,
        obs: jax.Array,
        start: jax.Array,
        key: jax.Array,
        greedy: bool = True,
    ) -> tuple[jax.Array, AgentCarry]:
        memory, (logits, _) = self.ac_step(params, carry.memory, obs, carry.prev_action, start)
        sample = jax.random.categorical(key, logits) if not greedy else None
        action = (jnp.argmax(logits, axis=-1) if greedy else sample).astype(jnp.int32)
        return action, AgentCarry(memory, action)


def make_train(config: TrainConfig) -> PPO:
    """A PPO trainer for `config` (validated; nothing compiled yet)."""
    return PPO(config)
