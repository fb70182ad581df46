"""The memory-model kit: the interface every memory model meets, as a one-line pytest check
and as `arcade check-model NAME`.

    # tests/test_my_model.py
    from arcade_agents.testing import memory_model_conformance
    test_conformance = memory_model_conformance("MyModel")       # one test per check

What it checks, on a tiny batch (B=2 sequences of T=8 steps, F=5 inputs, 8 features):

* `shapes` — `y` is `[B, T, features]`; the carry keeps the structure, shapes and dtypes of
  `initialize_carry` after a sequence and after `step`s, so it can be fed back.
* `batch_dims` — no batch dim and two batch dims give the same outputs and carry.
* `reset` — after a start flag the outputs equal those of a fresh sequence (reset
  equivalence), and a start in one episode leaves the other alone.
* `causal` — changing the future changes no earlier output.
* `memory` — without the start flag, a carry that holds something changes later outputs
  (so `reset` can fail); a model declaring `memoryless = True` must not care.
* `step` — the sequence form equals `step` applied one step at a time.
* `split` — a sequence split in two gives the same outputs and carry as run whole.
* `parallel_scan` — associative models: the parallel scan equals `sequential=True`.
* `gradients` — finite gradients reach every parameter (but those a model lists in
  `unused_params`).

Everything a model's checks read comes from one compiled function, compiled with XLA's
cheapest settings and cached per model, so a zoo of models checks in minutes on two cores.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from .memory.base import MemoryModel
from .memory.registry import get_memory_model

CHECKS = (
    "shapes",
    "batch_dims",
    "reset",
    "causal",
    "memory",
    "step",
    "split",
    "parallel_scan",
    "gradients",
)
B, T, F = 2, 8, 5  # batch, time, input width
FEATURES = 8  # model width unless asked otherwise
R = 3  # the step at which batch element 0 starts a new episode
SPLIT = 5  # where the `split` check cuts the sequence
ATOL = RTOL = 2e-4

# Tiny graphs: LLVM's optimisation passes cost more than they save, so compile without them,
# and with XLA's older fusion emitters, which compile these graphs 3-4x faster on CPU.
FAST_COMPILE = {"xla_backend_optimization_level": 0, "xla_cpu_use_fusion_emitters": False}


class CheckSkipped(Exception):
    """A check that does not apply to this model (e.g. `parallel_scan` on a sequential one)."""


@dataclass
class CheckResult:
    name: str
    status: str  # "pass", "fail" or "skip"
    detail: str = ""
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return self.status != "fail"


@dataclass
class ModelReport:
    """The outcome of every check on one memory model."""

    model: str
    results: list[CheckResult] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(r.ok for r in self.results)

    def summary(self) -> str:
        lines = [f"{'PASS' if self.ok else 'FAIL'} {self.model}"]
        lines += [f"  FAIL {r.name}: {r.detail}" for r in self.results if not r.ok]
        return "\n".join(lines)


class MemoryModelConformanceError(AssertionError):
    """Raised by `check_memory_model` when a check fails."""


def compiled(fn: Callable[..., Any], *args: Any) -> Any:
    """`jax.jit(fn)(*args)`, compiled with `FAST_COMPILE` (cheap to compile, slow to run: for
    the tiny graphs of tests)."""
    return jax.jit(fn).lower(*args).compile(FAST_COMPILE)(*args)


def close(a: Any, b: Any, atol: float = ATOL, rtol: float = RTOL) -> bool:
    """Two pytrees of the same structure and shapes, equal to `atol`/`rtol`."""
    if jax.tree.structure(a) != jax.tree.structure(b):
        return False
    return all(
        x.shape == y.shape and np.allclose(np.asarray(x), np.asarray(y), atol=atol, rtol=rtol)
        for x, y in zip(jax.tree.leaves(a), jax.tree.leaves(b), strict=True)
    )


def _label(model: str | type[MemoryModel]) -> str:
    return model if isinstance(model, str) else model.__name__


def model_results(
    model: str | type[MemoryModel], features: int = FEATURES, **model_kwargs: Any
) -> dict[str, Any]:
    """Everything the checks read for one model (a registered name or a class), computed by
    one compiled function and cached; `model_kwargs` go to the model's constructor."""
    return _results(get_memory_model(model), features, tuple(sorted(model_kwargs.items())))


@functools.cache
def _results(cls: type[MemoryModel], features: int, kwargs: tuple[tuple[str, Any], ...]) -> Any:
    """The same-shape runs (the main sequence, the same without its start flag, a fresh
    sequence from the reset point, and the sequence with its future changed) share one call,
    stacked along the batch, whose gradient is taken in the same pass; the parameters are
    initialised inside the same function. Data come from numpy, so no eager JAX op compiles.
    """
    model = cls(features=features, **dict(kwargs))
    rng = np.random.default_rng(0)
    normal = lambda *shape: rng.standard_normal(shape, dtype=np.float32)  # noqa: E731
    x, warm, weights = normal(B, T, F), normal(B, 4, F), normal(B, T, features)
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
        out: dict[str, Any] = {"c0": c0, "c_warm": c_warm, "grads": grads}
        out["c_end"] = jax.tree.map(lambda a: a[:B], c_all)
        out["y"], out["y_no_reset"], out["y_fresh"], out["y_future"] = jnp.split(y_all, 4)

        def one(c: Any, xs: Any) -> tuple[Any, Any]:
            return apply(c, xs, method="step")

        out["c_step"], y_step = jax.lax.scan(one, c_warm, (x.swapaxes(0, 1), start.T))
        out["y_step"] = y_step.swapaxes(0, 1)
        c_half, y1 = apply(c_warm, (x[:, :SPLIT], start[:, :SPLIT]))
        out["c_split"], y2 = apply(c_half, (x[:, SPLIT:], start[:, SPLIT:]))
        out["y_split"] = jnp.concatenate([y1, y2], axis=1)
        c_unb = jax.tree.map(lambda a: a[0], c_warm)
        out["c_unbatched"], out["y_unbatched"] = apply(c_unb, (x[0], start[0]))
        c_2d = jax.tree.map(lambda a: a[None], c_warm)
        out["c_2d"], out["y_2d"] = apply(c_2d, (x[None], start[None]))
        if cls.scan_kind == "associative":
            seq = cls(features=features, sequential=True, **dict(kwargs))
            out["c_seq"], out["y_seq"] = seq.apply(params, c_warm, (x, start))
        return out

    return {"cls": cls, "features": features, **compiled(compute, jax.random.key(0))}


# ------------------------------------------------------------------------ the checks


def check_shapes(r: dict[str, Any]) -> None:
    want = (B, T, r["features"])
    assert r["y"].shape == want, f"y has shape {r['y'].shape}, not {want}"
    assert r["y_step"].shape == want, f"step-by-step y has shape {r['y_step'].shape}"
    for what in ("c_warm", "c_end", "c_step", "c_split"):
        got = r[what]
        assert jax.tree.structure(got) == jax.tree.structure(r["c0"]), (
            f"the carry's structure changes ({what}): it cannot be fed back"
        )
        for a, b in zip(jax.tree.leaves(got), jax.tree.leaves(r["c0"]), strict=True):
            assert (a.shape, a.dtype) == (b.shape, b.dtype), (
                f"a carry leaf changes from {b.shape} {b.dtype} to {a.shape} {a.dtype} ({what})"
            )
            assert a.shape[:1] == (B,), f"a carry leaf does not lead with the batch: {a.shape}"


def check_batch_dims(r: dict[str, Any]) -> None:
    first = lambda t: jax.tree.map(lambda a: a[0], t)  # noqa: E731
    add = lambda t: jax.tree.map(lambda a: a[None], t)  # noqa: E731
    assert close(r["y_unbatched"], r["y"][0]), "unbatched outputs differ from batched ones"
    assert close(r["c_unbatched"], first(r["c_end"])), "unbatched carry differs"
    assert close(r["y_2d"], r["y"][None]), "outputs with two batch dims differ"
    assert close(r["c_2d"], add(r["c_end"])), "carry with two batch dims differs"


def check_reset(r: dict[str, Any]) -> None:
    assert close(r["y"][0, R:], r["y_fresh"][0, : T - R]), (
        "outputs after a start differ from those of a fresh sequence"
    )
    assert close(r["y"][1], r["y_no_reset"][1]), "a start in one episode changes the other"


def check_causal(r: dict[str, Any]) -> None:
    assert close(r["y"][:, :R], r["y_future"][:, :R]), "changing the future changes the past"


def check_memory(r: dict[str, Any]) -> None:
    differs = not close(r["y"][0, R:], r["y_no_reset"][0, R:])
    if r["cls"].memoryless:
        assert not differs, "declares memoryless = True but its outputs depend on the carry"
    else:
        assert differs, "the carry changes no output: nothing is remembered across steps"


def check_step(r: dict[str, Any]) -> None:
    assert close(r["y"], r["y_step"]), "the sequence form's outputs differ from step()'s"
    assert close(r["c_end"], r["c_step"]), "the sequence form's carry differs from step()'s"


def check_split(r: dict[str, Any]) -> None:
    assert close(r["y"], r["y_split"]), "a sequence split in two gives other outputs"
    assert close(r["c_end"], r["c_split"]), "a sequence split in two gives another carry"


def check_parallel_scan(r: dict[str, Any]) -> None:
    if r["cls"].scan_kind != "associative":
        raise CheckSkipped(f"scan_kind is {r['cls'].scan_kind!r}, not associative")
    assert close(r["y"], r["y_seq"]), "the parallel scan's outputs differ from sequential=True"
    assert close(r["c_end"], r["c_seq"]), "the parallel scan's carry differs from sequential=True"


def check_gradients(r: dict[str, Any]) -> None:
    flat = jax.tree_util.tree_flatten_with_path(r["grads"])[0]
    assert flat, "the model has no parameters"
    unused = tuple(r["cls"].unused_params)
    for path, g in flat:
        name = jax.tree_util.keystr(path)
        assert np.all(np.isfinite(np.asarray(g))), f"non-finite gradient at {name}"
        if unused and name.startswith(unused):
            assert float(np.abs(np.asarray(g)).max()) == 0, (
                f"{name} is used now: drop it from unused_params"
            )
            continue
        assert float(np.abs(np.asarray(g)).max()) > 0, f"no gradient reaches {name}"


_CHECK_FNS: dict[str, Callable[[dict[str, Any]], None]] = {
    name: globals()[f"check_{name}"] for name in CHECKS
}


def run_model_check(
    model: str | type[MemoryModel], check: str, *, features: int = FEATURES, **model_kwargs: Any
) -> None:
    """Run one named check (raises `AssertionError` on failure, `CheckSkipped` where it does
    not apply). The compiled function is shared by every check of the same model."""
    if check not in _CHECK_FNS:
        raise ValueError(f"unknown check {check!r}; checks: {', '.join(CHECKS)}")
    _CHECK_FNS[check](model_results(model, features, **model_kwargs))


def check_memory_model(
    model: str | type[MemoryModel],
    *,
    features: int = FEATURES,
    checks: tuple[str, ...] = CHECKS,
    raise_on_failure: bool = True,
    on_result: Callable[[CheckResult], None] | None = None,
    **model_kwargs: Any,
) -> ModelReport:
    """Run the kit on one model; raise `MemoryModelConformanceError` listing every failure (or
    return the report with `raise_on_failure=False`). `on_result` sees each result as it
    comes (the first check's time includes the compile)."""
    cls = get_memory_model(model)  # unknown names fail here, with suggestions
    report = ModelReport(_label(model))
    for name in checks:
        t0 = time.perf_counter()
        try:
            run_model_check(cls, name, features=features, **model_kwargs)
            result = CheckResult(name, "pass")
        except CheckSkipped as exc:
            result = CheckResult(name, "skip", str(exc))
        except Exception as exc:  # a crashing check is a failed check, reported by name
            detail = str(exc) if isinstance(exc, AssertionError) else f"{type(exc).__name__}: {exc}"
            result = CheckResult(name, "fail", detail.splitlines()[0] if detail else "")
        result.seconds = time.perf_counter() - t0
        report.results.append(result)
        if on_result is not None:
            on_result(result)
    if raise_on_failure and not report.ok:
        raise MemoryModelConformanceError(report.summary())
    return report


def memory_model_conformance(
    model: str | type[MemoryModel], *, features: int = FEATURES, **model_kwargs: Any
) -> Callable[..., None]:
    """A pytest test function running every check on `model`, one test per check:

    from arcade_agents.testing import memory_model_conformance
    test_conformance = memory_model_conformance("MyModel")
    """
    import pytest

    label = _label(model)

    @pytest.mark.parametrize("check", CHECKS, ids=[f"{label}-{c}" for c in CHECKS])
    def test_memory_model_conformance(check: str) -> None:
        try:
            run_model_check(model, check, features=features, **model_kwargs)
        except CheckSkipped as exc:
            pytest.skip(str(exc))

    return test_memory_model_conformance
