"""Counter-based random numbers for the hot path, without threefry.

On CPU, XLA lowers every `jax.random` call site to a rolled threefry loop: several kernels per
step at run time and ~0.3-1 s of compile time each. Where a game needs a few random numbers
per step that are never reused as keys (observation noise, a bag order), it can hash the key's
data with a counter instead: `mix32` has full avalanche, and the key itself comes from the
core's `jax.random.split`, so its words are already uniformly random.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp


def mix32(x: jax.Array) -> jax.Array:
    """A 32-bit integer hash with full avalanche ("lowbias32", C. Wellons)."""
    x = x ^ (x >> 16)
    x = x * jnp.uint32(0x7FEB352D)
    x = x ^ (x >> 15)
    x = x * jnp.uint32(0x846CA68B)
    return x ^ (x >> 16)


def hash_bits(key: jax.Array, n: int, stream: int = 0) -> jax.Array:
    """uint32[n]: words hashed from `key`'s data and the counters 0..n-1 of `stream`."""
    data = jax.random.key_data(key).ravel().astype(jnp.uint32)
    seed = jnp.uint32(0x9E3779B9 * (stream + 1) & 0xFFFFFFFF)
    for w in range(data.shape[0]):  # static: 2 words for threefry keys
        seed = mix32(seed ^ data[w])
    return mix32(seed ^ mix32(jnp.arange(n, dtype=jnp.uint32) + jnp.uint32(0x632BE5AB)))


def split_key(key: jax.Array) -> tuple[jax.Array, jax.Array]:
    """Two keys from one, hashed from its data (`hash_bits`) instead of `jax.random.split`.

    The core splits a key in every step (the transition's and the next episode's); on CPU a
    `jax.random.split` there is a rolled threefry loop, dozens of kernel launches a step. The
    two keys are of `key`'s kind: typed keys of the same impl, or raw uint32 key data.
    """
    data = jax.random.key_data(key)
    bits = hash_bits(key, 2 * data.size, stream=_SPLIT_STREAM).reshape(2, *data.shape)
    if jnp.issubdtype(key.dtype, jax.dtypes.prng_key):
        impl = jax.random.key_impl(key)
        return jax.random.wrap_key_data(bits[0], impl=impl), jax.random.wrap_key_data(
            bits[1], impl=impl
        )
    return bits[0].astype(data.dtype), bits[1].astype(data.dtype)


_SPLIT_STREAM = 0x5EED  # apart from the small stream numbers games pass to `hash_bits`


def _unit(bits: jax.Array) -> jax.Array:
    """23 random mantissa bits -> float32 in [1, 2)."""
    return jax.lax.bitcast_convert_type((bits >> 9) | jnp.uint32(0x3F800000), jnp.float32)


def hash_uniform(
    key: jax.Array, n: int, stream: int = 0, minval: float = 0.0, maxval: float = 1.0
) -> jax.Array:
    """float32[n] uniform in [minval, maxval) from `hash_bits` (23-bit resolution)."""
    u = _unit(hash_bits(key, n, stream)) - 1.0
    return jnp.float32(minval) + jnp.float32(maxval - minval) * u


def hash_normal(key: jax.Array, n: int, stream: int = 0) -> jax.Array:
    """float32[n] standard normal values from `hash_bits`, by the inverse error function (as
    `jax.random.normal` maps its uniform draws)."""
    v = (_unit(hash_bits(key, n, stream)) - 1.5) * 2.0 + 2.0**-23  # (-1, 1), no endpoint
    return jnp.sqrt(2.0).astype(jnp.float32) * jax.lax.erf_inv(v)
