"""Classic nonlinear RNNs, run with `lax.scan`: Elman, LSTM, MGU and IndRNN. Input
projections for all steps are computed at once in `prepare`; the cell does only the
recurrent part."""

from __future__ import annotations

import flax.linen as nn
import jax
import jax.numpy as jnp

from .base import Carry, ScanModel

_recurrent_init = nn.initializers.orthogonal()


class Elman(ScanModel):
    """The simple RNN: `h_t = tanh(W x_t + U h_{t-1} + b)` (Elman, 1990)."""

    def setup(self) -> None:
        self.W = nn.Dense(self.features)
        self.U = self.param("U", _recurrent_init, (self.features, self.features))

    def prepare(self, x: jax.Array) -> jax.Array:
        return self.W(x)

    def cell(self, h: Carry, z: jax.Array) -> tuple[Carry, jax.Array]:
        h = jnp.tanh(z + h @ self.U)
        return h, h


class LSTM(ScanModel):
    """Long short-term memory (Hochreiter & Schmidhuber, 1997), forget-gate bias 1; the carry
    is `(c, h)`."""

    def setup(self) -> None:
        H = self.features
        bias = lambda key, shape, dtype=jnp.float32: jnp.zeros(shape, dtype).at[H : 2 * H].set(1)  # noqa: E731
        self.W = nn.Dense(4 * H, bias_init=bias)
        self.U = self.param("U", nn.initializers.lecun_normal(), (H, 4 * H))

    @nn.nowrap
    def initial_state(self, input_dim: int) -> Carry:
        return jnp.zeros((self.features,)), jnp.zeros((self.features,))

    def prepare(self, x: jax.Array) -> jax.Array:
        return self.W(x)

    def cell(self, carry: Carry, z: jax.Array) -> tuple[Carry, jax.Array]:
        c, h = carry
        i, f, g, o = jnp.split(z + h @ self.U, 4, axis=-1)
        c = jax.nn.sigmoid(f) * c + jax.nn.sigmoid(i) * jnp.tanh(g)
        h = jax.nn.sigmoid(o) * jnp.tanh(c)
        return (c, h), h


class MGU(ScanModel):
    """The minimal gated unit (Zhou et al., 2016): a GRU with one gate doing the work of
    both, `f = σ(W_f x + U_f h)`, `h = (1 - f) h + f tanh(W_h x + U_h (f h))`."""

    def setup(self) -> None:
        H = self.features
        self.W = nn.Dense(2 * H)
        self.U_f = self.param("U_f", _recurrent_init, (H, H))
        self.U_h = self.param("U_h", _recurrent_init, (H, H))

    def prepare(self, x: jax.Array) -> jax.Array:
        return self.W(x)

    def cell(self, h: Carry, z: jax.Array) -> tuple[Carry, jax.Array]:
        z_f, z_h = jnp.split(z, 2, axis=-1)
        f = jax.nn.sigmoid(z_f + h @ self.U_f)
        h = (1 - f) * h + f * jnp.tanh(z_h + (f * h) @ self.U_h)
        return h, h


class IndRNN(ScanModel):
    """The independently recurrent network (Li et al., 2018): each unit sees only its own
    past, `h_t = relu(W x_t + u ⊙ h_{t-1} + b)`, with `|u| ≤ 1` kept by a clip so the state
    cannot blow up."""

    def setup(self) -> None:
        self.W = nn.Dense(self.features)
        self.u = self.param("u", nn.initializers.uniform(1.0), (self.features,))

    def prepare(self, x: jax.Array) -> jax.Array:
        return self.W(x)

    def cell(self, h: Carry, z: jax.Array) -> tuple[Carry, jax.Array]:
        h = jax.nn.relu(z + jnp.clip(self.u, -1.0, 1.0) * h)
        return h, h
