"""Every memory model in the registry meets the interface: reset semantics, the sequence form
equals the one-step form, the parallel scan equals the sequential scan of the same math,
batch x time shapes, and finite gradients reaching every parameter.

Each model is compiled once (one jitted function computes everything the tests check) to
keep the suite fast on two CPU cores.
"""

from __future__ import annotations

import functools
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from arcade_agents.memory import get_memory_model, list_memory_models
from arcade_agents.memory.memax_adapter import MEMAX_MODELS
from arcade_agents.memory.zoo import BUILTIN_MODELS, NATIVE_MODELS

B, T, F, H = 2, 8, 5, 8  # batch, time, input width, features
R = 3  # the step at which batch element 0 starts a new episode
ATOL = RTOL = 2e-4

# every registered model: the built-ins and any installed plugin's, each held to the contract
NAMES = [entry.name for entry in list_memory_models()]
MEMORYLESS = {"mlp", "memax:mlp"}
# parameters a model builds but never uses, by the start of their path: memax 0.1.1's NMax
# builds a gate `g` that its readout no longer calls (the line is commented out there)
UNUSED_PARAMS = {"nmax": "['params']['memax']['g']"}


def _close(a: Any, b: Any) -> bool:
    la, lb = jax.tree.leaves(a), jax.tree.leaves(b)
    if jax.tree.structure(a) != jax.tree.structure(b):
        return False
    return all(
        x.shape == y.shape and np.allclose(np.asarray(x), np.asarray(y), atol=ATOL, rtol=RTOL)
        for x, y in zip(la, lb, strict=True)
    )


# Tiny graphs: LLVM's optimisation passes cost more than they save, so compile without them,
# and with XLA's older fusion emitters, which compile these graphs 3-4x faster on CPU.
FAST_COMPILE = {"xla_backend_optimization_level": 0, "xla_cpu_use_fusion_emitters": False}


def compiled(fn: Any, *args: Any) -> Any:
    """`jax.jit(fn)(*args)`, compiled with `FAST_COMPILE`."""
    return jax.jit(fn).lower(*args).compile(FAST_COMPILE)(*args)


@functools.cache
def run(name: str) -> dict[str, Any]:
    """Everything the tests check for one model, from one compiled function.

    The same-shape runs (the main sequence, the same without its start flag, a fresh sequence
    from the reset point, and the sequence with its future changed) share one call, stacked
    along the batch, whose gradient is taken in the same pass; the parameters are initialised
    inside the same function. Data come from numpy, so no eager JAX op is compiled.
    """
    cls = get_memory_model(name)
    model = cls(features=H)
    rng = np.random.default_rng(0)
    normal = lambda *shape: rng.standard_normal(shape, dtype=np.float32)  # noqa: E731
    x, warm, weights = normal(B, T, F), normal(B, 4, F), normal(B, T, H)
    no_start = np.zeros((B, T), bool)
    start = no_start.copy()
    start[0, R] = True  # element 0 resets at R, element 1 never does
    # the fresh run starts at x[:, R], padded with noise to length T
    x_fresh = np.concatenate([x[:, R:], normal(B, R, F)], axis=1)
    x_future = np.concatenate([x[:, :R], -x[:, R:]], axis=1)  # same past, other future
    c0 = model.initialize_carry((B, F))
    stack = lambda *trees: jax.tree.map(lambda *a: jnp.concatenate(a), *trees)  # noqa: E731

    def compute(key: jax.Array) -> dict[str, Any]:
        params = model.init(key, c0, (x[:, :1], start[:, :1]))
        apply = functools.partial(model.apply, params)
        c_warm, _ = apply(c0, (warm, np.zeros((B, 4), bool)))  # a carry that holds something
        carries = stack(c_warm, c_warm, c0, c_warm)
        xs = jnp.concatenate([x, x, x_fresh, x_future])
        starts = jnp.concatenate([start, no_start, no_start, start])

        def loss(p: Any) -> tuple[jax.Array, Any]:
            c, y = model.apply(p, carries, (xs, starts))
            return jnp.sum(y[:B] * weights), (c, y)

        grads, (c_all, y_all) = jax.grad(loss, has_aux=True)(params)
        out: dict[str, Any] = {"params": params, "c0": c0, "c_warm": c_warm, "grads": grads}
        out["c_end"] = jax.tree.map(lambda a: a[:B], c_all)
        out["y"], out["y_no_reset"], out["y_fresh"], out["y_future"] = jnp.split(y_all, 4)

        def one(c: Any, xs: Any) -> tuple[Any, Any]:
            return apply(c, xs, method="step")

        out["c_step"], y_step = jax.lax.scan(one, c_warm, (x.swapaxes(0, 1), start.T))
        out["y_step"] = y_step.swapaxes(0, 1)
        c_unb = jax.tree.map(lambda a: a[0], c_warm)
        out["c_unbatched"], out["y_unbatched"] = apply(c_unb, (x[0], start[0]))
        c_2d = jax.tree.map(lambda a: a[None], c_warm)
        out["c_2d"], out["y_2d"] = apply(c_2d, (x[None], start[None]))
        if cls.scan_kind == "associative":
            seq = cls(features=H, sequential=True)
            out["c_seq"], out["y_seq"] = seq.apply(params, c_warm, (x, start))
        return out

    return {"name": name, "cls": cls, **compiled(compute, jax.random.key(0))}


@pytest.fixture(scope="module", params=NAMES)  # module scope: tests run model by model
def res(request: pytest.FixtureRequest) -> dict[str, Any]:
    return run(request.param)


def test_registry_holds_our_models_and_all_of_memax() -> None:
    names = {name.casefold() for name in NAMES}
    assert len(names) >= len(NATIVE_MODELS) + len(MEMAX_MODELS)  # 14 + 22, 10 as memax:NAME
    assert {name.casefold() for name in BUILTIN_MODELS} <= names
    for name in MEMAX_MODELS:  # ours keeps a shared name; memax's is memax:NAME then
        shared = name.casefold() in {n.casefold() for n in NATIVE_MODELS}
        assert (f"memax:{name}" if shared else name).casefold() in names


def test_shapes_over_batch_and_time(res: dict[str, Any]) -> None:
    assert res["y"].shape == (B, T, H)
    assert res["y_step"].shape == (B, T, H)
    # the carry keeps the structure, shapes and dtypes of initialize_carry: it can be fed back
    for got in (res["c_warm"], res["c_end"], res["c_step"]):
        assert jax.tree.structure(got) == jax.tree.structure(res["c0"])
        for a, b in zip(jax.tree.leaves(got), jax.tree.leaves(res["c0"]), strict=True):
            assert (a.shape, a.dtype) == (b.shape, b.dtype)
            assert a.shape[:1] == (B,)


def test_any_number_of_batch_dims(res: dict[str, Any]) -> None:
    assert _close(res["y_unbatched"], res["y"][0])
    assert _close(res["c_unbatched"], jax.tree.map(lambda a: a[0], res["c_end"]))
    assert _close(res["y_2d"], res["y"][None])
    assert _close(res["c_2d"], jax.tree.map(lambda a: a[None], res["c_end"]))


def test_outputs_after_a_start_equal_a_fresh_sequence(res: dict[str, Any]) -> None:
    y = res["y"]
    assert _close(y[0, R:], res["y_fresh"][0, : T - R])
    assert _close(y[:, :R], res["y_future"][:, :R])  # causal: the future changes nothing before
    assert _close(y[1], res["y_no_reset"][1])  # a start in one episode leaves the other alone


def test_memory_carries_information_across_steps(res: dict[str, Any]) -> None:
    """Without the start flag the warm carry must change the outputs after R (so the reset
    test above can fail); the MLPs, which have no memory, must not care. (Frame stacking's
    window at R still holds the inputs before R, which the start flag drops.)"""
    differs = not _close(res["y"][0, R:], res["y_no_reset"][0, R:])
    assert differs == (res["name"].casefold() not in MEMORYLESS)


def test_sequence_form_equals_one_step_form(res: dict[str, Any]) -> None:
    assert _close(res["y"], res["y_step"])
    assert _close(res["c_end"], res["c_step"])


def test_parallel_scan_equals_sequential_scan(res: dict[str, Any]) -> None:
    if res["cls"].scan_kind != "associative":
        pytest.skip("not an associative model")
    assert _close(res["y"], res["y_seq"])
    assert _close(res["c_end"], res["c_seq"])


def test_gradients_are_finite_and_reach_every_parameter(res: dict[str, Any]) -> None:
    flat = jax.tree_util.tree_flatten_with_path(res["grads"])[0]
    assert flat, "model has no parameters"
    unused = UNUSED_PARAMS.get(res["name"].casefold())
    for path, g in flat:
        name = jax.tree_util.keystr(path)
        assert np.all(np.isfinite(np.asarray(g))), name
        if unused and name.startswith(unused):
            assert float(jnp.abs(g).max()) == 0, f"{name} is used now: drop it from UNUSED_PARAMS"
            continue
        assert float(jnp.abs(g).max()) > 0, f"no gradient reaches {name}"


def test_fart_normaliser_sums_the_keys() -> None:
    """Regression: memax 0.1.1's FART semigroup keeps only the newest key, so attention is
    normalised by `q·k_t` instead of `q·Σk`. Our wrapper's algebra accumulates both parts."""
    from memax.linen.scans import semigroup_scan

    from arcade_agents.memory.memax_models import FART

    algebra = FART(features=8).make_algebra()
    rng = np.random.default_rng(0)
    kv, k = rng.random((6, 4, 4), np.float32), rng.random((6, 4), np.float32)
    start = np.zeros(6, bool)

    def scan(h0: Any) -> Any:
        return algebra.apply({}, (h0, ((kv, k), start)), method=lambda m, a: semigroup_scan(m, *a))

    (kv_sum, k_sum), _ = compiled(scan, algebra.initialize_carry())
    np.testing.assert_allclose(k_sum, np.cumsum(k, axis=0), rtol=1e-5)
    np.testing.assert_allclose(kv_sum, np.cumsum(kv, axis=0), rtol=1e-5)
