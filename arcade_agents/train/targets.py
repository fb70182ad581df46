"""What the losses regress onto: λ-returns (Peng's Q(λ) for the Q-learners, TD(λ) and GAE
for PPO), computed backwards over a rollout.

Time-outs are treated as terminal (no bootstrap across `done`): the frame after a truncation
is the next episode's, and the pre-reset frame would cost a second render on every step.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import jax
import jax.numpy as jnp

if TYPE_CHECKING:  # pragma: no cover
    from .rollout import Transition


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
