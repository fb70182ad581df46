"""The suite's two spaces: `Discrete(5)` actions and `Box(0, 255, (S, S, 3), uint8)` frames.

API-compatible with gymnax's spaces (`sample(key)`, `contains(x)`, `n`, `shape`, `dtype`), so
code written against gymnax works unchanged; the gymnax adapter converts them to the real ones.
"""

from __future__ import annotations

from dataclasses import dataclass

import jax
import jax.numpy as jnp
import numpy as np

from .rng import hash_bits

ACTION_NAMES = ("up", "down", "left", "right", "fire")
NUM_ACTIONS = len(ACTION_NAMES)
OBS_SIZES = (128, 256)


@dataclass(frozen=True)
class Discrete:
    """Integers 0..n-1."""

    n: int
    dtype: jnp.dtype = jnp.int32

    @property
    def shape(self) -> tuple[int, ...]:
        return ()

    def sample(self, key: jax.Array) -> jax.Array:
        """A uniform integer in 0..n-1, hashed from the key's data (`rng.hash_bits`).

        Random agents and benchmarks sample an action per env per step; `jax.random.randint`
        is two rolled threefry loops on CPU, about a fifth of a CartPole step at 128 px. The
        top 24 bits are scaled to 0..n-1 (bias below n / 2**24); an n over 256 would overflow
        that product, so it keeps `jax.random.randint`.
        """
        if self.n > 256:
            return jax.random.randint(key, (), 0, self.n, dtype=self.dtype)
        bits = hash_bits(key, 1, stream=_SAMPLE_STREAM)[0] >> 8
        return ((bits * jnp.uint32(self.n)) >> 24).astype(self.dtype)

    def contains(self, x: jax.Array) -> jax.Array:
        x = jnp.asarray(x)
        return jnp.logical_and(x >= 0, x < self.n)


_SAMPLE_STREAM = 0x5A3D  # apart from `split_key`'s stream and the games' small ones


@dataclass(frozen=True)
class Box:
    """An array of `shape` with values in [low, high]."""

    low: float
    high: float
    shape: tuple[int, ...]
    dtype: jnp.dtype = jnp.uint8

    def sample(self, key: jax.Array) -> jax.Array:
        if jnp.issubdtype(self.dtype, jnp.integer):
            return jax.random.randint(
                key, self.shape, int(self.low), int(self.high) + 1, dtype=jnp.int32
            ).astype(self.dtype)
        return jax.random.uniform(key, self.shape, self.dtype, self.low, self.high)

    def contains(self, x: jax.Array) -> jax.Array:
        x = jnp.asarray(x)
        ok_shape = x.shape == self.shape and x.dtype == np.dtype(self.dtype)
        return jnp.logical_and(ok_shape, jnp.all((x >= self.low) & (x <= self.high)))


def action_space() -> Discrete:
    """The one action space of the suite: up, down, left, right, fire = 0..4."""
    return Discrete(NUM_ACTIONS)


def observation_space(obs_size: int) -> Box:
    """The one observation space of the suite: an S x S RGB uint8 frame."""
    return Box(0, 255, (obs_size, obs_size, 3), jnp.uint8)


def check_obs_size(obs_size: object) -> int:
    """Return `obs_size` if it is 128 or 256, else raise a `ValueError` that says so."""
    if isinstance(obs_size, bool) or obs_size not in OBS_SIZES:
        raise ValueError(f"obs_size must be one of {OBS_SIZES}, got {obs_size!r}")
    return int(obs_size)  # type: ignore[arg-type]
