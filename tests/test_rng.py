"""`arcade_core.rng`: the hashed random numbers games use instead of threefry in the step."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np

from arcade_core.rng import hash_bits, hash_normal, hash_uniform, split_key


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


def test_split_key_gives_two_new_keys_of_the_same_kind() -> None:
    key = jax.random.key(3)
    a, b = split_key(key)
    assert jax.random.key_impl(a) == jax.random.key_impl(key) and a.shape == key.shape
    data = [np.asarray(jax.random.key_data(k)) for k in (key, a, b)]
    assert not np.array_equal(data[0], data[1]) and not np.array_equal(data[1], data[2])
    again = split_key(jax.random.key(3))
    assert np.array_equal(np.asarray(jax.random.key_data(again[0])), data[1])  # deterministic
    raw = split_key(jax.random.PRNGKey(3))  # raw uint32 key data in, raw data out
    assert raw[0].dtype == jnp.uint32 and raw[0].shape == (2,)
    # vmapped over many keys: the children's words are uniform bits, all distinct, and the two
    # children's streams are unrelated
    keys = jax.random.split(jax.random.key(4), 4000)
    kids = jax.vmap(split_key)(keys)
    words = np.stack([np.asarray(jax.random.key_data(k)) for k in kids])  # [2, 4000, 2]
    ones = ((words.ravel()[:, None] >> np.arange(32, dtype=np.uint32)) & 1).mean(axis=0)
    assert np.all(np.abs(ones - 0.5) < 0.02), ones
    assert len(np.unique(words.reshape(-1, 2), axis=0)) == 8000
    u = [np.asarray(jax.vmap(jax.random.uniform)(k)) for k in kids]
    assert abs(np.corrcoef(u[0], u[1])[0, 1]) < 0.05
