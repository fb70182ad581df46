"""SlidingWindowAttention: registration through the entry point, the memory-model kit (shapes,
batch dims, reset equivalence, causality, sequence == step by step, split sequences,
gradients), plus what is its own: a sequence split anywhere, and the exact window."""

from __future__ import annotations

import functools
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from arcade_agents.memory import get_memory_model, list_memory_models, make_memory_model
from arcade_agents.testing import close, memory_model_conformance

from arcade_memory_swa.model import SlidingWindowAttention

B, T, F, H, W = 2, 12, 5, 8, 4  # batch, time, input width, features, window
SMALL = {"window": W, "num_heads": 2, "head_dim": 4}

test_conformance = memory_model_conformance("SlidingWindowAttention", **SMALL)


def test_registered_through_the_entry_point() -> None:
    assert get_memory_model("slidingwindowattention") is SlidingWindowAttention
    entry = next(e for e in list_memory_models() if e.cls is SlidingWindowAttention)
    assert (entry.package, entry.plugin) == ("arcade-memory-swa", "memory-swa")
    assert make_memory_model("SlidingWindowAttention", features=16).features == 16


@functools.cache
def run() -> dict[str, Any]:
    """One sequence whole and split in three (at 7 > W - 1, then at 9, < W - 1 further on),
    and the outputs after changing one input, from one compiled function."""
    model = SlidingWindowAttention(features=H, **SMALL)
    kx, kp = jax.random.split(jax.random.key(0))
    x = jax.random.normal(kx, (B, T, F))
    start = jnp.zeros((B, T), bool)
    c0 = model.initialize_carry((B, F))
    params = model.init(kp, c0, (x[:, :1], start[:, :1]))
    params = jax.tree.map(lambda p: p + 0.1, params)  # a non-zero lag bias, so it matters

    @jax.jit
    def compute(params: Any) -> dict[str, Any]:
        apply = functools.partial(model.apply, params)
        out: dict[str, Any] = {}
        out["c_end"], out["y"] = apply(c0, (x, start))
        c, y1 = apply(c0, (x[:, :7], start[:, :7]))
        c, y2 = apply(c, (x[:, 7:9], start[:, 7:9]))
        out["c_split"], y3 = apply(c, (x[:, 9:], start[:, 9:]))
        out["y_split"] = jnp.concatenate([y1, y2, y3], axis=1)
        out["y_moved"] = apply(c0, (x.at[:, 3].add(1.0), start))[1]
        return out

    return compute(params)


def test_a_sequence_split_anywhere_gives_the_same_outputs_and_carry() -> None:
    r = run()
    assert close(r["y"], r["y_split"]) and close(r["c_end"], r["c_split"])


def test_remembers_exactly_the_last_window_steps() -> None:
    """Changing x[s] changes y[t] iff t - W < s <= t (no start in between)."""
    r, s = run(), 3
    changed = np.any(np.abs(np.asarray(r["y_moved"]) - np.asarray(r["y"])) > 1e-6, axis=-1)[0]
    assert changed.tolist() == [s <= t < s + W for t in range(T)]


def test_window_must_be_positive() -> None:
    with pytest.raises(ValueError, match="window must be >= 1"):
        SlidingWindowAttention(features=4, window=0).initialize_carry((1, 3))
