"""The one interface every memory model meets, and the scans the built-ins share.

Shapes: inputs `x` are `[*batch, T, F]` with start flags `[*batch, T]` (any number of batch
dims, none included); the carry is a pytree whose leaves lead with `batch`; outputs `y` are
`[*batch, T, features]`. `start[..., t]` resets the memory *before* step `t`, so episodes of
any length are packed into one sequence without padding. The one-step form `step` takes
`x: [*batch, F]`, `start: [*batch]`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar, Literal

import flax.linen as nn
import jax
import jax.numpy as jnp

Carry = Any  # a pytree of arrays, each leading with the batch dims
ScanKind = Literal["associative", "sequential", "none"]


def broadcast_carry(carry: Carry, batch_shape: tuple[int, ...]) -> Carry:
    """Repeat an unbatched carry over `batch_shape`."""
    return jax.tree.map(lambda a: jnp.broadcast_to(a, tuple(batch_shape) + a.shape), carry)


def reset_carry(carry: Carry, start: jax.Array, initial: Carry) -> Carry:
    """Replace the carry by `initial` (unbatched) wherever `start` ([*batch]) is set."""

    def pick(c: jax.Array, i: jax.Array) -> jax.Array:
        s = start.reshape(start.shape + (1,) * (c.ndim - start.ndim))
        return jnp.where(s, i.astype(c.dtype), c)

    return jax.tree.map(pick, carry, initial)


def scan_with_resets(
    cell: Callable[[Carry, Any], tuple[Carry, Any]],
    carry: Carry,
    xs: Any,
    start: jax.Array,
    initial: Carry,
) -> tuple[Carry, Any]:
    """`lax.scan` of `cell(carry, x_t) -> (carry, y_t)` over the time axis (the one after the
    batch dims of `start`), resetting the carry to `initial` before each flagged step."""
    nb = start.ndim - 1
    to_time = lambda a: jnp.moveaxis(a, nb, 0)  # noqa: E731
    from_time = lambda a: jnp.moveaxis(a, 0, nb)  # noqa: E731

    def body(c: Carry, inp: tuple[Any, jax.Array]) -> tuple[Carry, Any]:
        x_t, s_t = inp
        return cell(reset_carry(c, s_t, initial), x_t)

    carry, ys = jax.lax.scan(body, carry, (jax.tree.map(to_time, xs), to_time(start)))
    return carry, jax.tree.map(from_time, ys)


def _expand_start(start: jax.Array, like: jax.Array) -> jax.Array:
    return start.reshape(start.shape + (1,) * (like.ndim - start.ndim))


def linear_recurrence(
    a: jax.Array, b: jax.Array, h0: jax.Array, start: jax.Array, parallel: bool = True
) -> tuple[jax.Array, jax.Array]:
    """All states of `h_t = a_t * h_{t-1} + b_t` (elementwise), with `h_{t-1} := 0` where
    `start[t]` is set. Returns `(h_T, h)`.

    `a` broadcasts against `b` (`[*batch, T, *state]`); `h0` is `[*batch, *state]`. With
    `parallel`, the pairs `(a, b)` compose associatively — `(a1, b1) then (a2, b2)` is
    `(a1 a2, a2 b1 + b2)` — and run through `jax.lax.associative_scan` (O(log T) depth);
    otherwise through `lax.scan`, the same math one step at a time.
    """
    nb = start.ndim - 1
    a = jnp.broadcast_to(a, b.shape) * jnp.logical_not(_expand_start(start, b)).astype(b.dtype)
    if parallel:

        def combine(e1: tuple[jax.Array, jax.Array], e2: tuple[jax.Array, jax.Array]):
            a1, b1 = e1
            a2, b2 = e2
            return a1 * a2, a2 * b1 + b2

        prod_a, acc_b = jax.lax.associative_scan(combine, (a, b), axis=nb)
        h = prod_a * jnp.expand_dims(h0.astype(b.dtype), nb) + acc_b
        return jnp.take(h, -1, axis=nb), h

    def cell(h: jax.Array, ab: tuple[jax.Array, jax.Array]) -> tuple[jax.Array, jax.Array]:
        h = ab[0] * h + ab[1]
        return h, h

    no_reset = jnp.zeros_like(start)  # resets are already folded into `a`
    return scan_with_resets(cell, h0.astype(b.dtype), (a, b), no_reset, jnp.zeros((), b.dtype))


class MemoryModel(nn.Module):
    """Base class of every memory model: subclass it, and register the subclass through the
    `arcade_memory_models` hook of your package's `arcade` entry point.

    A subclass must be constructible as `Model(features=H)` (its other fields defaulted), and
    implement `initialize_carry` and `__call__`; `step` defaults to a length-one sequence.
    Set `scan_kind` to say how the sequence form runs: `"associative"` (parallel scan),
    `"sequential"` (`lax.scan`) or `"none"` (no recurrence), and optionally `source` to say
    where its math comes from. A memax equinox model needs no subclass: see `memax_model`.
    """

    features: int = 128  # width of the output y
    sequential: bool = False  # associative models: run the same math with lax.scan instead

    scan_kind: ClassVar[ScanKind] = "sequential"
    # where the model's math comes from, shown by `arcade models`; "" means the package that
    # registers it
    source: ClassVar[str] = ""
    # for the memory-model kit (`arcade_agents.testing`): a model with no memory at all (its
    # outputs never depend on the carry), and parameters it builds but never uses, by the
    # start of their path (e.g. "['params']['g']")
    memoryless: ClassVar[bool] = False
    unused_params: ClassVar[tuple[str, ...]] = ()

    @nn.nowrap
    def initialize_carry(self, input_shape: tuple[int, ...]) -> Carry:
        """The carry of a fresh sequence for inputs of shape `(*batch, F)`."""
        raise NotImplementedError

    def __call__(self, carry: Carry, inputs: tuple[jax.Array, jax.Array]) -> tuple[Carry, Any]:
        """Run over a sequence: `(carry, (x [*b,T,F], start [*b,T])) -> (carry, y [*b,T,H])`."""
        raise NotImplementedError

    def step(self, carry: Carry, inputs: tuple[jax.Array, jax.Array]) -> tuple[Carry, Any]:
        """One step, for acting: `(carry, (x [*b,F], start [*b])) -> (carry, y [*b,H])`."""
        x, start = inputs
        carry, y = self(carry, (jnp.expand_dims(x, -2), jnp.expand_dims(start, -1)))
        return carry, jnp.squeeze(y, -2)


class ScanModel(MemoryModel):
    """A model with a per-step cell run by `lax.scan`: `prepare` maps all inputs at once (the
    big matmuls, parallel over time), `cell` is the recurrence, `readout` maps its outputs.

    `cell` runs inside `lax.scan`, so it may read parameters created in `setup` but must not
    call submodules or create parameters.
    """

    scan_kind: ClassVar[ScanKind] = "sequential"

    @nn.nowrap
    def initial_state(self, input_dim: int) -> Carry:
        """The unbatched carry a start resets to."""
        return jnp.zeros((self.features,))

    @nn.nowrap
    def initialize_carry(self, input_shape: tuple[int, ...]) -> Carry:
        return broadcast_carry(self.initial_state(input_shape[-1]), tuple(input_shape[:-1]))

    def prepare(self, x: jax.Array) -> Any:
        return x

    def cell(self, carry: Carry, z: Any) -> tuple[Carry, Any]:
        raise NotImplementedError

    def readout(self, h: Any, x: jax.Array) -> jax.Array:
        return h

    def __call__(self, carry: Carry, inputs: tuple[jax.Array, jax.Array]) -> tuple[Carry, Any]:
        x, start = inputs
        initial = self.initial_state(x.shape[-1])
        carry, h = scan_with_resets(self.cell, carry, self.prepare(x), start, initial)
        return carry, self.readout(h, x)

    def step(self, carry: Carry, inputs: tuple[jax.Array, jax.Array]) -> tuple[Carry, Any]:
        x, start = inputs
        carry = reset_carry(carry, start, self.initial_state(x.shape[-1]))
        carry, h = self.cell(carry, self.prepare(x))
        return carry, self.readout(h, x)


class LinearRecurrentModel(MemoryModel):
    """A model whose state obeys `h_t = a_t * h_{t-1} + b_t` with `(a_t, b_t)` computed from
    the input alone, so the sequence form is an associative scan and `step` is the recurrence
    written out directly. `gates(x) -> (a, b)`; `readout(h, x) -> y`."""

    scan_kind: ClassVar[ScanKind] = "associative"

    @nn.nowrap
    def state_shape(self) -> tuple[int, ...]:
        return (self.features,)

    @nn.nowrap
    def state_dtype(self) -> Any:
        return jnp.float32

    @nn.nowrap
    def initialize_carry(self, input_shape: tuple[int, ...]) -> Carry:
        return jnp.zeros(tuple(input_shape[:-1]) + self.state_shape(), self.state_dtype())

    def gates(self, x: jax.Array) -> tuple[jax.Array, jax.Array]:
        raise NotImplementedError

    def readout(self, h: jax.Array, x: jax.Array) -> jax.Array:
        return h

    def __call__(self, carry: Carry, inputs: tuple[jax.Array, jax.Array]) -> tuple[Carry, Any]:
        x, start = inputs
        a, b = self.gates(x)
        carry, h = linear_recurrence(a, b, carry, start, parallel=not self.sequential)
        return carry, self.readout(h, x)

    def step(self, carry: Carry, inputs: tuple[jax.Array, jax.Array]) -> tuple[Carry, Any]:
        x, start = inputs
        a, b = self.gates(x)
        keep = jnp.logical_not(_expand_start(start, b)).astype(b.dtype)
        h = a * keep * carry.astype(b.dtype) + b
        return h, self.readout(h, x)
