"""`arcade_core.rng`: the hashed random numbers used instead of threefry in the step (games,
the core's key split, `Discrete.sample`)."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np

from arcade_core.rng import hash_bits, hash_normal, hash_uniform, split_key
from arcade_core.spaces import Discrete, action_space


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


def test_discrete_sample_is_uniform_deterministic_and_in_range() -> None:
    space = action_space()
    keys = jax.random.split(jax.random.key(5), 50000)
    a = np.asarray(jax.jit(jax.vmap(space.sample))(keys))
    assert a.dtype == np.int32 and a.min() == 0 and a.max() == space.n - 1
    # chi-square with 4 degrees of freedom: 99.9% quantile 18.5
    counts = np.bincount(a, minlength=space.n)
    chi2 = ((counts - a.size / space.n) ** 2 / (a.size / space.n)).sum()
    assert chi2 < 18.5, counts
    assert abs(np.corrcoef(a[:-1], a[1:])[0, 1]) < 0.02  # neighbouring keys are independent
    assert int(space.sample(jax.random.key(7))) == int(space.sample(jax.random.key(7)))
    raw = np.asarray(jax.vmap(space.sample)(jax.random.split(jax.random.PRNGKey(6), 1000)))
    assert set(np.unique(raw)) == set(range(space.n))  # raw uint32 keys work as well
    for n in (1, 2, 256, 1000):  # the largest hashed n, and one past it (jax.random.randint)
        got = np.asarray(jax.vmap(Discrete(n).sample)(keys[:4000]))
        assert got.min() >= 0 and got.max() < n and len(np.unique(got)) > min(n, 4000) // 2
