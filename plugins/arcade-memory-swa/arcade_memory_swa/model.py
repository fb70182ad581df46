"""Sliding-window attention: multi-head softmax attention over the last `window` inputs (the
current one included), with a learned bias per head and lag.

The memory is exact and bounded: step t sees steps t - window + 1 .. t of its episode and
nothing older. The carry holds the previous `window - 1` keys and values and which of them
belong to the current episode, so a sequence can be split anywhere and a start flag cuts the
memory off. The sequence form stacks `window` shifted slices of the keys and values (T x
window work, no T x T matrix), the one-step form attends over the carry plus the new input.
"""

from __future__ import annotations

import math
from typing import Any, ClassVar

import flax.linen as nn
import jax
import jax.numpy as jnp
from arcade_agents.memory import Carry, MemoryModel
from arcade_agents.memory.base import ScanKind

NEG = -1e30  # the score of a masked slot (the current input is never masked)


class SlidingWindowAttention(MemoryModel):
    """Softmax attention over the last `window` steps; `num_heads` heads of `head_dim`."""

    window: int = 8
    num_heads: int = 4
    head_dim: int = 16

    scan_kind: ClassVar[ScanKind] = "none"  # no recurrence to scan: a fixed window

    @nn.nowrap
    def _check(self) -> None:
        if self.window < 1:
            raise ValueError(f"window must be >= 1, got {self.window}")

    def setup(self) -> None:
        self._check()
        width = self.num_heads * self.head_dim
        self.qkv = nn.Dense(3 * width)
        self.out = nn.Dense(self.features)
        self.lag_bias = self.param("lag_bias", nn.initializers.zeros, (self.num_heads, self.window))

    @nn.nowrap
    def initialize_carry(self, input_shape: tuple[int, ...]) -> Carry:
        self._check()
        batch, width = tuple(input_shape[:-1]), self.num_heads * self.head_dim
        past = (self.window - 1,)
        return {
            "k": jnp.zeros(batch + past + (width,)),
            "v": jnp.zeros(batch + past + (width,)),
            "valid": jnp.zeros(batch + past, bool),
        }

    def _attend(self, q: jax.Array, k: jax.Array, v: jax.Array, valid: jax.Array) -> jax.Array:
        """q [..., D], k/v [..., W, D] (oldest first), valid [..., W] -> [..., features]."""
        h, d = self.num_heads, self.head_dim
        q = q.reshape(q.shape[:-1] + (h, d))
        k = k.reshape(k.shape[:-1] + (h, d))
        v = v.reshape(v.shape[:-1] + (h, d))
        scores = jnp.einsum("...hd,...whd->...hw", q, k) / math.sqrt(d)
        scores = scores + self.lag_bias[:, ::-1]  # slot w holds lag window - 1 - w
        scores = jnp.where(valid[..., None, :], scores, NEG)
        att = jnp.einsum("...hw,...whd->...hd", jax.nn.softmax(scores, axis=-1), v)
        return self.out(att.reshape(att.shape[:-2] + (h * d,)))

    def __call__(self, carry: Carry, inputs: tuple[jax.Array, jax.Array]) -> tuple[Carry, Any]:
        x, start = inputs
        W, T = self.window, x.shape[-2]
        q, k, v = jnp.split(self.qkv(x), 3, axis=-1)  # [*b, T, D]
        ek = jnp.concatenate([carry["k"].astype(k.dtype), k], axis=-2)  # [*b, W-1+T, D]
        ev = jnp.concatenate([carry["v"].astype(v.dtype), v], axis=-2)
        cv = jnp.concatenate([carry["valid"], jnp.ones(start.shape, bool)], axis=-1)
        t = jnp.arange(T)
        # the latest start at or before t (-W: none in this call, the carry counts)
        last = jax.lax.cummax(jnp.where(start, t, -W), axis=start.ndim - 1)  # [*b, T]
        # window slot w of step t holds extended position t + w, i.e. step t - (W - 1 - w)
        kw = jnp.stack([ek[..., w : w + T, :] for w in range(W)], axis=-2)  # [*b, T, W, D]
        vw = jnp.stack([ev[..., w : w + T, :] for w in range(W)], axis=-2)
        lag = W - 1 - jnp.arange(W)
        valid = jnp.stack([cv[..., w : w + T] for w in range(W)], axis=-1)  # [*b, T, W]
        valid = valid & (t[:, None] - lag[None, :] >= last[..., None])
        y = self._attend(q, kw, vw, valid)
        # the new carry: the last W - 1 extended positions, cut off before the latest start
        pos = jnp.arange(T, T + W - 1) - (W - 1)
        new_valid = cv[..., T:] & (pos >= last[..., -1:])
        return {"k": ek[..., T:, :], "v": ev[..., T:, :], "valid": new_valid}, y

    def step(self, carry: Carry, inputs: tuple[jax.Array, jax.Array]) -> tuple[Carry, Any]:
        x, start = inputs
        q, k, v = jnp.split(self.qkv(x), 3, axis=-1)  # [*b, D]
        kept = carry["valid"] & ~start[..., None]  # a start forgets the window
        wk = jnp.concatenate([carry["k"].astype(k.dtype), k[..., None, :]], axis=-2)
        wv = jnp.concatenate([carry["v"].astype(v.dtype), v[..., None, :]], axis=-2)
        valid = jnp.concatenate([kept, jnp.ones(start.shape + (1,), bool)], axis=-1)
        y = self._attend(q, wk, wv, valid)
        return {"k": wk[..., 1:, :], "v": wv[..., 1:, :], "valid": valid[..., 1:]}, y
