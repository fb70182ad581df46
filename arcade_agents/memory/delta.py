"""DeltaNet: linear attention whose fast-weight memory is written with the delta rule."""

from __future__ import annotations

from typing import Any

import flax.linen as nn
import jax
import jax.numpy as jnp

from .base import Carry, ScanModel


def _l2norm(x: jax.Array) -> jax.Array:
    return x * jax.lax.rsqrt(jnp.sum(x * x, axis=-1, keepdims=True) + 1e-6)


class DeltaNet(ScanModel):
    """DeltaNet (Schlag et al., 2021; Yang et al., 2024): per head a matrix memory `S` that
    is corrected toward each new pair, `S ← S + β (v − S k) kᵀ`, read as `o = S q`, with
    unit-norm keys and queries. Run with `lax.scan` (the chunked parallel form is a
    kernel-level optimisation left out here)."""

    num_heads: int = 4

    def setup(self) -> None:
        if self.features % self.num_heads:
            raise ValueError(f"features {self.features} not divisible by {self.num_heads} heads")
        self.qkv = nn.Dense(3 * self.features, use_bias=False)
        self.beta = nn.Dense(self.num_heads)
        self.out = nn.Dense(self.features)

    @nn.nowrap
    def initial_state(self, input_dim: int) -> Carry:
        d = self.features // self.num_heads
        return jnp.zeros((self.num_heads, d, d))

    def prepare(self, x: jax.Array) -> Any:
        n, d = self.num_heads, self.features // self.num_heads
        q, k, v = (a.reshape(a.shape[:-1] + (n, d)) for a in jnp.split(self.qkv(x), 3, -1))
        return _l2norm(q), _l2norm(k), v, jax.nn.sigmoid(self.beta(x))

    def cell(self, S: Carry, z: Any) -> tuple[Carry, jax.Array]:
        q, k, v, beta = z
        err = v - jnp.einsum("...vk,...k->...v", S, k)
        S = S + beta[..., None, None] * jnp.einsum("...v,...k->...vk", err, k)
        o = jnp.einsum("...vk,...k->...v", S, q)
        return S, o.reshape(o.shape[:-2] + (-1,))

    def readout(self, h: jax.Array, x: jax.Array) -> jax.Array:
        return self.out(h)
