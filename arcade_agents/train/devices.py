"""Multi-device training with JAX's own sharding: a 1-D `Mesh` over the devices, the env batch
(and everything shaped by it: env states, frames, memory carries, DQN's replay columns)
split along its env axis with `NamedSharding`, parameters and optimizer state replicated.

The update is written once, as single-device code; `jit` partitions it (GSPMD): each device
steps and encodes its own envs, and the gradient of the batch-mean loss — a sum over envs —
becomes a per-device partial sum followed by an all-reduce, i.e. gradients averaged across
devices (the `pmean` of a `shard_map` program, inserted by the compiler). Because the maths is
unchanged, an N-device run equals the 1-device run up to float reduction order; the rollout
splits one key per env, so randomness does not depend on the layout either.

Multi-host (`arcade train --distributed`, see `distributed.py`): every process calls
`distributed.initialize(...)` before building the trainer, with `devices=jax.device_count()`;
`jax.devices()` then lists every host's devices, so the mesh spans all hosts, each host steps
the envs on its own devices and the gradient all-reduce crosses hosts.
"""

from __future__ import annotations

from typing import Any

import jax
import numpy as np
from jax.sharding import Mesh, NamedSharding, PartitionSpec

AXIS = "envs"


def make_mesh(num_devices: int) -> Mesh:
    """A 1-D mesh over the first `num_devices` devices; a one-line error if there are fewer."""
    available = jax.devices()
    if num_devices > len(available):
        raise ValueError(
            f"devices={num_devices} but only {len(available)} {available[0].platform} "
            "device(s) are visible (on CPU, set XLA_FLAGS=--xla_force_host_platform_device_count=N)"
        )
    return Mesh(np.asarray(available[:num_devices]), (AXIS,))


def sharding(mesh: Mesh, ndim: int, axis: int | None) -> NamedSharding:
    """Split dimension `axis` of an `ndim`-array over the mesh; `None`: replicate."""
    spec = [None] * ndim
    if axis is not None and ndim > axis:
        spec[axis] = AXIS
    return NamedSharding(mesh, PartitionSpec(*spec))


def shard(tree: Any, axes: Any, mesh: Mesh) -> Any:
    """Lay out `tree` on `mesh`: each leaf split along its entry in `axes` (an int or None,
    same structure). Inside `jit` a sharding constraint, outside a `device_put`."""

    def place(a: Any, axis: int | None) -> Any:
        s = sharding(mesh, np.ndim(a), axis)
        if isinstance(a, jax.core.Tracer):
            return jax.lax.with_sharding_constraint(a, s)
        return jax.device_put(a, s)

    def place_leaf(axis: int | None, a: Any) -> Any:
        return a if a is None else place(a, axis)

    return jax.tree.map(place_leaf, axes, tree, is_leaf=lambda x: x is None)
