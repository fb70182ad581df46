"""`arcade_core.rng`: the hashed random numbers games use instead of threefry in the step."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np

from arcade_core.rng import hash_bits, hash_normal, hash_uniform


def test_hash_bits_are_uniform_and_depend_on_key_counter_and_stream() -> None:
    keys = jax.random.split(jax.random.key(0), 4000)
    bits = np.asarray(jax.vmap(lambda k: hash_bits(k, 4))(keys))  # [4000, 4]
    assert bits.dtype == np.uint32
    # each of the 32 bits is set half the time (sd ~0.004 over 16000 words)
    ones = ((bits.ravel()[:, None] >> np.arange(32, dtype=np.uint32)) & 1).mean(axis=0)
    assert np.all(np.abs(ones - 0.5) < 0.02), ones
    assert len(np.unique(bits)) > 0.999 * bits.size  # counters and keys give new words
    other = np.asarray(jax.vmap(lambda k: hash_bits(k, 4, stream=1))(keys))
    assert np.mean(other == bits) < 1e-3


def test_hash_normal_is_standard_normal_and_finite() -> None:
    keys = jax.random.split(jax.random.key(1), 20000)
    z = np.asarray(jax.jit(jax.vmap(lambda k: hash_normal(k, 4)))(keys)).ravel()
    assert np.all(np.isfinite(z))
    assert abs(z.mean()) < 0.02 and abs(z.std() - 1.0) < 0.02
    # tails: P(|z| > 2) = 0.0455, P(|z| > 3) = 0.0027
    assert abs(np.mean(np.abs(z) > 2) - 0.0455) < 0.005
    assert abs(np.mean(np.abs(z) > 3) - 0.0027) < 0.0012
    assert np.corrcoef(z[:-1], z[1:])[0, 1] < 0.02  # successive counters are independent
    # the extreme inputs stay finite
    extremes = jax.lax.erf_inv(jnp.asarray([-1 + 2.0**-23, 1 - 2.0**-23], jnp.float32))
    assert np.all(np.isfinite(np.asarray(extremes)))


def test_hash_uniform_covers_its_interval_evenly() -> None:
    keys = jax.random.split(jax.random.key(2), 20000)
    u = np.asarray(jax.vmap(lambda k: hash_uniform(k, 4, 0, -0.05, 0.05))(keys)).ravel()
    assert u.min() >= -0.05 and u.max() < 0.05
    hist = np.histogram(u, bins=10, range=(-0.05, 0.05))[0] / u.size
    assert np.all(np.abs(hist - 0.1) < 0.01), hist
