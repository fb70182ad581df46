"""The memory-model contract on SlidingWindowAttention: registration through the entry
point, shapes, reset semantics, sequence form == step-by-step form, splitting a sequence
anywhere, the exact window, and gradients. One compiled function computes what most tests
check (two CPU cores are enough)."""

from __future__ import annotations

import functools
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from arcade_agents.memory import get_memory_model, list_memory_models, make_memory_model

from arcade_memory_swa.model import SlidingWindowAttention

B, T, F, H, W = 2, 12, 5, 8, 4  # batch, time, input width, features, window
R = 5  # the step at which batch element 0 starts a new episode


def close(a: Any, b: Any) -> bool:
    if jax.tree.structure(a) != jax.tree.structure(b):
        return False
    return all(
        x.shape == y.shape and np.allclose(np.asarray(x), np.asarray(y), atol=2e-5, rtol=2e-5)
        for x, y in zip(jax.tree.leaves(a), jax.tree.leaves(b), strict=True)
    )


@functools.cache
def run() -> dict[str, Any]:
    model = SlidingWindowAttention(features=H, window=W, num_heads=2, head_dim=4)
    kx, kw, kp, kl = jax.random.split(jax.random.key(0), 4)
    x = jax.random.normal(kx, (B, T, F))
    warm = jax.random.normal(kw, (B, 3, F))
    no_start = jnp.zeros((B, T), bool)
    start = no_start.at[0, R].set(True)
    c0 = model.initialize_carry((B, F))
    params = model.init(kp, c0, (x[:, :1], start[:, :1]))
    params = jax.tree.map(lambda p: p + 0.1, params)  # a non-zero lag bias, so it matters
    weights = jax.random.normal(kl, (B, T, H))

    @jax.jit
    def compute(params: Any) -> dict[str, Any]:
        apply = functools.partial(model.apply, params)
        out: dict[str, Any] = {"c0": c0}
        out["c_warm"], _ = apply(c0, (warm, jnp.zeros((B, 3), bool)))  # a carry with a past
        out["c_end"], out["y"] = apply(out["c_warm"], (x, start))
        _, out["y_no_reset"] = apply(out["c_warm"], (x, no_start))
        _, out["y_fresh"] = apply(c0, (x[:, R:], no_start[:, R:]))
        _, out["y_future"] = apply(out["c_warm"], (x.at[:, R:].multiply(-1), start))
        c_half, y1 = apply(out["c_warm"], (x[:, :7], start[:, :7]))  # split at 7 (> W - 1)
        c_half, y2 = apply(c_half, (x[:, 7:9], start[:, 7:9]))  # and at 9 (< W - 1 apart)
        out["c_split"], y3 = apply(c_half, (x[:, 9:], start[:, 9:]))
        out["y_split"] = jnp.concatenate([y1, y2, y3], axis=1)

        def one(c: Any, xs: Any) -> tuple[Any, Any]:
            return apply(c, xs, method="step")

        out["c_step"], y_step = jax.lax.scan(one, out["c_warm"], (x.swapaxes(0, 1), start.T))
        out["y_step"] = y_step.swapaxes(0, 1)
        c_unb = jax.tree.map(lambda a: a[0], out["c_warm"])
        out["y_unbatched"] = apply(c_unb, (x[0], start[0]))[1]
        out["y_2d"] = apply(jax.tree.map(lambda a: a[None], out["c_warm"]), (x[None], start[None]))[
            1
        ]

        def loss(p: Any) -> jax.Array:
            return jnp.sum(model.apply(p, out["c_warm"], (x, start))[1] * weights)

        out["grads"] = jax.grad(loss)(params)
        return out

    return {"model": model, "params": params, "x": x, **compute(params)}


def test_registered_through_the_entry_point() -> None:
    assert get_memory_model("slidingwindowattention") is SlidingWindowAttention
    entry = next(e for e in list_memory_models() if e.cls is SlidingWindowAttention)
    assert (entry.package, entry.plugin) == ("arcade-memory-swa", "memory-swa")
    assert make_memory_model("SlidingWindowAttention", features=16).features == 16


def test_shapes_and_carry_structure() -> None:
    r = run()
    assert r["y"].shape == r["y_step"].shape == (B, T, H)
    for got in (r["c_warm"], r["c_end"], r["c_step"], r["c_split"]):
        assert jax.tree.structure(got) == jax.tree.structure(r["c0"])
        for a, b in zip(jax.tree.leaves(got), jax.tree.leaves(r["c0"]), strict=True):
            assert (a.shape, a.dtype) == (b.shape, b.dtype)


def test_any_number_of_batch_dims() -> None:
    r = run()
    assert close(r["y_unbatched"], r["y"][0]) and close(r["y_2d"], r["y"][None])


def test_outputs_after_a_start_equal_a_fresh_sequence() -> None:
    r = run()
    assert close(r["y"][0, R:], r["y_fresh"][0])
    assert close(r["y"][1], r["y_no_reset"][1])  # the other episode is untouched
    assert not close(r["y"][0, R:], r["y_no_reset"][0, R:])  # so the reset did something


def test_causal() -> None:
    r = run()
    assert close(r["y"][:, :R], r["y_future"][:, :R])


def test_sequence_form_equals_one_step_form() -> None:
    r = run()
    assert close(r["y"], r["y_step"]) and close(r["c_end"], r["c_step"])


def test_a_sequence_split_anywhere_gives_the_same_outputs_and_carry() -> None:
    r = run()
    assert close(r["y"], r["y_split"]) and close(r["c_end"], r["c_split"])


def test_remembers_exactly_the_last_window_steps() -> None:
    """Changing x[s] changes y[t] iff t - W < s <= t (no start in between)."""
    r = run()
    model, params, x = r["model"], r["params"], r["x"][1:]
    c0 = model.initialize_carry((1, F))
    apply = jax.jit(lambda x: model.apply(params, c0, (x, jnp.zeros((1, T), bool)))[1])
    y = np.asarray(apply(x))
    s = 3
    y2 = np.asarray(apply(x.at[:, s].add(1.0)))
    changed = np.any(np.abs(y2 - y) > 1e-6, axis=-1)[0]
    assert changed.tolist() == [s <= t < s + W for t in range(T)]


def test_gradients_are_finite_and_reach_every_parameter() -> None:
    flat = jax.tree_util.tree_flatten_with_path(run()["grads"])[0]
    names = {jax.tree_util.keystr(p) for p, _ in flat}
    assert any("lag_bias" in n for n in names)
    for path, g in flat:
        assert np.all(np.isfinite(np.asarray(g))), jax.tree_util.keystr(path)
        assert float(jnp.abs(g).max()) > 0, f"no gradient reaches {jax.tree_util.keystr(path)}"


def test_window_must_be_positive() -> None:
    with pytest.raises(ValueError, match="window must be >= 1"):
        SlidingWindowAttention(features=4, window=0).initialize_carry((1, 3))
