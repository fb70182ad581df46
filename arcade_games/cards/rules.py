"""Rule helpers shared by the card games."""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from arcade_core.rng import hash_bits


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


def shuffle_step(key: jax.Array, decks: jax.Array, t: jax.Array) -> jax.Array:
    """One Fisher-Yates swap of each deck (int[D, N]) at position `t`: position t takes a
    uniformly random one of positions t..N-1 (a no-op once t >= N - 1). Applied at t = 0,
    1, ..., N - 2, it leaves each deck in a uniformly random order, the decks independent.

    A game whose episode lasts at least N - 1 steps shuffles its next episode's decks this
    way, one swap per step, instead of ranking all N keys at every step (`auto_reset`).
    Decks of up to 256 cards."""
    d, n = decks.shape
    if n > 256:
        raise ValueError(f"shuffle_step shuffles decks of up to 256 cards, not {n}")
    # t <= j < n: 24 hashed bits scaled to the n - t choices (bias < n / 2^24; no threefry
    # call site in the step, see `arcade_core.rng`)
    left = jnp.maximum(n - t, 1).astype(jnp.uint32)
    u = hash_bits(key, d) >> 8
    j = (jnp.minimum(t, n - 1) + ((u * left) >> 24).astype(jnp.int32))[:, None]
    pos = jnp.arange(n)
    active = t < n - 1
    at_t, at_j = (pos == t) & active, (pos == j) & active
    dt = jnp.sum(jnp.where(at_t, decks, 0), axis=1, keepdims=True)
    dj = jnp.sum(jnp.where(at_j, decks, 0), axis=1, keepdims=True)
    return jnp.where(at_t, dj, jnp.where(at_j, dt, decks))


class NextDecks:
    """Mixin (listed before `Environment`) for a card game whose episodes last at least N - 1
    steps: its state's `next_decks` (int[D, N]) are shuffled one `shuffle_step` swap per step,
    on every step (an invalid action's no-op included, so the shuffle completes whatever the
    actions), and the next episode starts from them — uniform, as `shuffled_decks` in `init`,
    without ranking D x N keys at every step of every env (the core's `auto_reset`).

    The game provides `_episode(decks)`: a fresh episode dealing `decks`, whose `next_decks`
    are the unshuffled decks. Its rules draw nothing from the step key; the swap does."""

    next_episode_fields = ("next_decks",)

    def _episode(self, decks: jax.Array) -> Any:
        raise NotImplementedError

    def auto_reset(self, key: jax.Array, state: Any, params: Any) -> Any:
        return self._episode(state.next_decks)

    def transition_checked(
        self, key: jax.Array, state: Any, action: jax.Array, params: Any
    ) -> tuple[Any, jax.Array, jax.Array]:
        new, reward, terminated = super().transition_checked(key, state, action, params)  # type: ignore[misc]
        decks = shuffle_step(key, state.next_decks, state.time)
        return new.replace(next_decks=decks), reward, terminated
