"""Models whose state is linear in itself, `h_t = a_t * h_{t-1} + b_t` with `(a, b)` from the
input only: MinGRU, MinLSTM and FFM. Their sequence form is a parallel (associative) scan;
`sequential=True` runs the same math with `lax.scan`."""

from __future__ import annotations

import math
from typing import Any

import flax.linen as nn
import jax
import jax.numpy as jnp

from .base import LinearRecurrentModel


def _gate_bias(*values: float) -> nn.initializers.Initializer:
    """A bias that starts each of `len(values)` equal chunks at its value: gates that start
    mostly closed keep a memory at initialisation, so gradients reach far back."""

    def init(key: jax.Array, shape: tuple[int, ...], dtype: Any = jnp.float32) -> jax.Array:
        return jnp.repeat(jnp.asarray(values, dtype), shape[-1] // len(values))

    return init


def _g(x: jax.Array) -> jax.Array:
    """minGRU's positive activation: `x + 0.5` above zero, `sigmoid(x)` below."""
    return jnp.where(x >= 0, x + 0.5, jax.nn.sigmoid(x))


class MinGRU(LinearRecurrentModel):
    """minGRU (Feng et al., 2024, "Were RNNs all we needed?"): the GRU with gates that read
    only the input, `z = σ(W_z x)`, `h = (1 - z) h + z g(W_h x)`. The update gate's bias
    starts at -3 (z ≈ 0.05), so the state begins as a slow average rather than forgetting half
    of itself each step."""

    def setup(self) -> None:
        self.W = nn.Dense(2 * self.features, bias_init=_gate_bias(-3.0, 0.0))

    def gates(self, x: jax.Array) -> tuple[jax.Array, jax.Array]:
        k, v = jnp.split(self.W(x), 2, axis=-1)
        z = jax.nn.sigmoid(k)
        return 1 - z, z * _g(v)


class MinLSTM(LinearRecurrentModel):
    """minLSTM (Feng et al., 2024): forget and input gates from the input alone, normalised
    to sum to one, `h = f' h + i' g(W_h x)`; gate biases start at +3 / -3 (f' ≈ 0.95)."""

    def setup(self) -> None:
        self.W = nn.Dense(3 * self.features, bias_init=_gate_bias(3.0, -3.0, 0.0))

    def gates(self, x: jax.Array) -> tuple[jax.Array, jax.Array]:
        f, i, v = jnp.split(self.W(x), 3, axis=-1)
        f, i = jax.nn.sigmoid(f), jax.nn.sigmoid(i)
        total = f + i
        return f / total, i / total * _g(v)


class FFM(LinearRecurrentModel):
    """Fast and Forgetful Memory (Morad et al., 2023): `memory_size` gated input traces, each
    kept at `context_size` complex decay/frequency pairs, `S = γ ⊙ S + x̃`, with
    `γ = exp(-|α| + iω)`; the state is mixed back to `features` and gated against a skip."""

    memory_size: int = 32
    context_size: int = 4
    min_period: float = 1.0
    max_period: float = 1024.0

    def setup(self) -> None:
        m, c, H = self.memory_size, self.context_size, self.features
        self.pre = nn.Dense(2 * m + 2 * H)
        self.alpha = self.param(
            "alpha", lambda k, s: jnp.linspace(-math.e / self.min_period, -1e-4, s[0]), (m,)
        )
        self.omega = self.param(
            "omega",
            lambda k, s: 2 * jnp.pi / jnp.linspace(self.min_period, self.max_period, s[0]),
            (c,),
        )
        self.mix = nn.Dense(H)
        self.norm = nn.LayerNorm(use_scale=False, use_bias=False)

    @nn.nowrap
    def state_shape(self) -> tuple[int, ...]:
        return (self.memory_size, self.context_size)

    @nn.nowrap
    def state_dtype(self) -> Any:
        return jnp.complex64

    def _split(self, x: jax.Array) -> list[jax.Array]:
        m, H = self.memory_size, self.features
        return jnp.split(self.pre(x), [m, 2 * m, 2 * m + H], axis=-1)

    def gates(self, x: jax.Array) -> tuple[jax.Array, jax.Array]:
        gate_in, thing, _, _ = self._split(x)
        trace = (jax.nn.sigmoid(gate_in) * thing).astype(jnp.complex64)
        gamma = jnp.exp(-jnp.abs(self.alpha)[:, None] + 1j * self.omega[None, :])
        b = jnp.broadcast_to(trace[..., None], trace.shape + (self.context_size,))
        return gamma, b

    def readout(self, h: jax.Array, x: jax.Array) -> jax.Array:
        _, _, gate_out, skip = self._split(x)
        flat = h.reshape(h.shape[:-2] + (-1,))
        z = self.mix(jnp.concatenate([flat.real, flat.imag], axis=-1))
        g = jax.nn.sigmoid(gate_out)
        return self.norm(z) * g + skip * (1 - g)
