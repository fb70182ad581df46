"""Rule helpers shared by the card games."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np


def share_reward(score: jax.Array, correct: jax.Array, n: int) -> jax.Array:
    """1/N for a correct answer, as the float32 increment `fl((score+1)/N) - fl(score/N)`.

    The difference of two float32 values within a factor of 2 is exact, so rewards summed in
    float32 in order telescope to exactly `fl(score/N)`: a perfect game returns exactly 1.0
    (26 plain copies of fl(1/26) add up to 1.0000004). `score` is the pre-step score."""
    s = jnp.asarray(score, jnp.float32)
    step = (s + 1.0) / jnp.float32(n) - s / jnp.float32(n)
    return jnp.where(correct, step, jnp.float32(0.0))


def shuffled_decks(key: jax.Array, decks: int, n: int, types: int) -> jax.Array:
    """`decks` independent, uniformly random orders of the deck `[k mod types for k < n]`
    (int32[decks, n]).

    Card i gets `rank_i mod types`, where rank_i is i's rank among n random 32-bit keys
    (ties broken by index, so the ranks are always a permutation): a uniform permutation
    composed with the deck. The n² compares vectorize under `vmap`, where a sort — what
    `jax.random.permutation` does — runs ~3x slower for n <= 78; it matters because the
    core draws a fresh episode's state at every step (the auto-reset). All keys come from
    one `random.bits` call: each call site adds a threefry to compile (~1 s on CPU)."""
    u = jax.random.bits(key, (decks * n,), jnp.uint32).reshape(decks, n)  # 1-D: faster to compile
    return jax.vmap(ranks)(u) % types


def ranks(u: jax.Array) -> jax.Array:
    """int32[n]: the rank of each of the keys `u` (uint[n]), ties broken by index."""
    n = u.shape[0]
    before = np.tri(n, k=-1, dtype=bool)  # j < i: an equal key of a lower index ranks first
    ui, uj = u[:, None], u[None, :]
    less = jnp.where(before, uj <= ui, uj < ui)
    return jnp.sum(less.astype(jnp.int32), axis=1)
