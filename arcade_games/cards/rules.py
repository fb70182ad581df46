"""Rule helpers shared by the card games."""

from __future__ import annotations

import jax
import jax.numpy as jnp


def share_reward(score: jax.Array, correct: jax.Array, n: int) -> jax.Array:
    """1/N for a correct answer, as the float32 increment `fl((score+1)/N) - fl(score/N)`.

    The difference of two float32 values within a factor of 2 is exact, so rewards summed in
    float32 in order telescope to exactly `fl(score/N)`: a perfect game returns exactly 1.0
    (26 plain copies of fl(1/26) add up to 1.0000004). `score` is the pre-step score."""
    s = jnp.asarray(score, jnp.float32)
    step = (s + 1.0) / jnp.float32(n) - s / jnp.float32(n)
    return jnp.where(correct, step, jnp.float32(0.0))
