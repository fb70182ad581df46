"""Baselines without a learned recurrence: an MLP (no memory) and frame stacking (a fixed
window of the last k inputs), on the `MemoryModel` interface so any agent can swap them in."""

from __future__ import annotations

from typing import Any, ClassVar

import flax.linen as nn
import jax
import jax.numpy as jnp

from .base import Carry, MemoryModel, ScanKind, reset_carry


class MLP(MemoryModel):
    """No recurrence: a two-layer MLP per step, in the memory's place (it still sees the
    previous action, as every memory model does). The control a sweep compares memory models
    with; `memory="none"` is the agent without any memory model. Its carry is an empty
    `[*batch, 0]` array."""

    scan_kind: ClassVar[ScanKind] = "none"
    memoryless: ClassVar[bool] = True

    def setup(self) -> None:
        self.hidden = nn.Dense(self.features)
        self.out = nn.Dense(self.features)

    @nn.nowrap
    def initialize_carry(self, input_shape: tuple[int, ...]) -> Carry:
        return jnp.zeros(tuple(input_shape[:-1]) + (0,))

    def _mlp(self, x: jax.Array) -> jax.Array:
        return self.out(nn.leaky_relu(self.hidden(x)))

    def __call__(self, carry: Carry, inputs: tuple[jax.Array, jax.Array]) -> tuple[Carry, Any]:
        return carry, self._mlp(inputs[0])

    def step(self, carry: Carry, inputs: tuple[jax.Array, jax.Array]) -> tuple[Carry, Any]:
        return carry, self._mlp(inputs[0])


class FrameStack(MemoryModel):
    """The last `k` inputs (current included), zero-padded after a start, through an MLP:
    the classic Atari memory. The carry holds the previous `k - 1` inputs."""

    k: int = 4
    scan_kind: ClassVar[ScanKind] = "none"

    def setup(self) -> None:
        self.hidden = nn.Dense(self.features)
        self.out = nn.Dense(self.features)

    @nn.nowrap
    def initialize_carry(self, input_shape: tuple[int, ...]) -> Carry:
        return jnp.zeros(tuple(input_shape[:-1]) + (self.k - 1, input_shape[-1]))

    def _mlp(self, window: jax.Array) -> jax.Array:
        flat = window.reshape(window.shape[:-2] + (-1,))
        return self.out(nn.leaky_relu(self.hidden(flat)))

    def __call__(self, carry: Carry, inputs: tuple[jax.Array, jax.Array]) -> tuple[Carry, Any]:
        x, start = inputs
        k, T = self.k, x.shape[-2]
        ext = jnp.concatenate([carry.astype(x.dtype), x], axis=-2)  # [*b, k-1+T, F]
        t = jnp.arange(T)
        last_start = jax.lax.cummax(jnp.where(start, t, -k), axis=start.ndim - 1)  # [*b, T]
        # lag j = 0 is the current input; a lagged input is kept only if no start came since
        lagged = [
            ext[..., k - 1 - j : k - 1 - j + T, :] * (t - j >= last_start)[..., None]
            for j in range(k)
        ]
        windows = jnp.stack(lagged[::-1], axis=-2)  # [*b, T, k, F], oldest first
        return windows[..., -1, 1:, :], self._mlp(windows)

    def step(self, carry: Carry, inputs: tuple[jax.Array, jax.Array]) -> tuple[Carry, Any]:
        x, start = inputs
        carry = reset_carry(carry, start, jnp.zeros(carry.shape[-2:], carry.dtype))
        window = jnp.concatenate([carry.astype(x.dtype), x[..., None, :]], axis=-2)
        return window[..., 1:, :], self._mlp(window)
