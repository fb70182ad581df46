"""The gradient side of an update: the optimizer, whole-sequence minibatches and the epochs
of SGD over them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import jax
import jax.numpy as jnp
import optax

from .api import Metrics, Params


def make_optimizer(
    lr: float, max_grad_norm: float, total_steps: int, decay: bool
) -> optax.GradientTransformation:
    """Adam after global-norm clipping; with `decay`, the rate falls linearly to 0 over all
    `total_steps` optimizer steps of the run (counted per step, not per update)."""
    rate = optax.linear_schedule(lr, 0.0, max(total_steps, 1)) if decay else lr
    return optax.chain(optax.clip_by_global_norm(max_grad_norm), optax.adam(rate, eps=1e-5))


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
