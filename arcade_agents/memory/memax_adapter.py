"""Any memax equinox memory model as one of our `MemoryModel`s, its arrays held as Flax params.

    from arcade_agents.memory import memax_model

    @hookimpl
    def arcade_memory_models():                      # in your package's `arcade` plugin
        return {"MyDeltaNet": memax_model("DeltaNet")}                    # a memax 0.1.1 name
        # or any memax module, e.g. one memax adds later, or a residual stack:
        # return {"TTT": memax_model(lambda features, key: TTTLinear(features, features, key=key))}

**Cell, not residual stack.** The adapter runs a memax *cell* (one GRAS layer: `LRU`, `GRU`,
`Attention`, ...) after a Flax `Dense` projecting the inputs to `features`, because that is
what our interface is: one recurrent layer of width `features` between an agent's encoder and
its head, which already bring the MLP, LayerNorm and output maps that memax's
`ResidualModel` would add (`map_in`, a `Linear + LayerNorm + leaky_relu` after every layer,
`map_out`). With cells, `memax:GRU` and our `GRU` are the same architecture (projection, then
the cell), so the two compare model against model, not stack against cell, and a model costs
what its recurrence costs. The cells are built exactly as memax 0.1.1's
`get_residual_memory_models` configures them (FART's key width `√features`, attention's
window of 20, ...), by taking layer 0 of a one-layer stack, so every memax name means what
it means in memax. The adapter itself runs anything with memax's `Module` interface
(`module(h, (x [T, F], start [T])) -> (h [T, ...], y [T, F])` and `initialize_carry()`),
stacks included: pass a factory.

**Parameters.** The equinox model is split by `eqx.partition` into its float arrays and the
rest (structure, sizes, functions). The arrays are one Flax param, `memax`, a nested dict
named by the model's attribute paths (`memax/algebra/algebra/W_z/weight`), initialised by the
equinox constructor with the Flax `params` rng, so Optax, Orbax checkpoints, sharding and
introspection see plain named arrays; `eqx.combine` rebuilds the model at call time from an
abstract copy (`eqx.filter_eval_shape`, cached per class and width) that holds the rest.

**Carry and resets.** The carry is memax's own recurrent state (with `Resettable`'s flag),
broadcast over the batch dims; a start flag resets it before its step inside memax's scan,
which is our convention. The sequence form vmaps the model over the flattened batch and
keeps the last state; `step` is a length-one sequence. Semigroup models run memax's
associative scan; with `sequential=True` the same algebra runs through memax's
`set_action_scan` (one step at a time).

**Limits.** Every array of the model becomes a trainable parameter, so all must be floats (all
of memax 0.1.1's are; integer ones are refused by name); the model must take and return
`features`-wide vectors (checked, abstractly, when first used).
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar

import flax.linen as nn
import jax
import jax.numpy as jnp
import numpy as np

from .base import Carry, MemoryModel, ScanKind, broadcast_carry

MemaxFactory = Callable[[int, jax.Array], Any]
"""`(features, key) -> memax Module` taking and returning `features`-wide inputs."""

# memax 0.1.1's equinox models, by the names `get_residual_memory_models` knows, and how each
# runs: semigroups through the associative scan, set actions through `lax.scan`; memax's MLP
# is a semigroup over an empty state, i.e. no recurrence.
MEMAX_MODELS: dict[str, ScanKind] = {
    "MLP": "none",
    "NMax": "associative",
    "FART": "associative",
    "FWP": "associative",
    "DeltaNet": "associative",
    "DeltaProduct": "associative",
    "GDN": "associative",
    "FFM": "associative",
    "S6": "associative",
    "PSpherical": "associative",
    "LRU": "associative",
    "LinearRNN": "associative",
    "Stack": "associative",
    "Attention": "associative",
    "Attention-RoPE": "associative",
    "Attention-ALiBi": "associative",
    "GRU": "sequential",
    "Elman": "sequential",
    "ElmanReLU": "sequential",
    "Spherical": "sequential",
    "MGU": "sequential",
    "LSTM": "sequential",
}

# what the memory-model kit must know of some memax models: memax's MLP has no memory, and
# memax 0.1.1's NMax builds a gate `g` that its readout no longer calls (the line is
# commented out there)
MEMAX_MEMORYLESS = {"MLP"}
MEMAX_UNUSED_PARAMS = {"NMax": ("['params']['memax']['g']",)}


def memax_source() -> str:
    """Where adapter models come from, for `arcade models`: memax's version and backend."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return f"memax {version('memax')} (equinox)"
    except PackageNotFoundError:  # pragma: no cover - memax is a dependency of the extra
        return "memax (equinox)"


def memax_cell(name: str) -> MemaxFactory:
    """A factory for memax 0.1.1's cell `name` (see `MEMAX_MODELS`), configured as memax's
    `get_residual_memory_models` configures it: layer 0 of a one-layer residual stack."""
    if name not in MEMAX_MODELS:
        known = ", ".join(MEMAX_MODELS)
        raise ValueError(f"memax has no model {name!r} (memax 0.1.1 has: {known})")

    def make(features: int, key: jax.Array) -> Any:
        get_residual_memory_model = _import_memax().get_residual_memory_model
        stack = get_residual_memory_model(name, features, features, features, num_layers=1, key=key)
        return stack.layers[0]

    make.__qualname__ = make.__name__ = f"memax_cell_{_ident(name)}"
    return make


def _import_memax() -> Any:
    """`memax.equinox.train_utils`, which imports every memax 0.1.1 equinox model, imported
    with JAX evaluating eagerly: memax builds arrays at import (`lru.glorot_init`'s default
    `jnp.array(1.0)`), and a first import inside a trace would leave a tracer there, leaked
    into every later compiled function as a stray constant."""
    with jax.ensure_compile_time_eval():
        import memax.equinox.train_utils as train_utils
    return train_utils


@dataclass(frozen=True)
class _Template:
    """What one memax model class at one width looks like, without its parameter values."""

    treedef: Any  # of the model's float arrays (the rest are None)
    paths: tuple[tuple[str, ...], ...]  # each array's attribute path: its name in the params
    static: Any  # the model less its arrays (eqx.partition's second half)
    carry: Any  # memax's initial recurrent state, unbatched numpy arrays
    scan_kind: ScanKind


def _ident(name: str) -> str:
    return re.sub(r"\W", "_", name)


def _key_name(k: Any) -> str:
    for attr in ("name", "key", "idx"):
        if hasattr(k, attr):
            return str(getattr(k, attr))
    return str(k)


def _is_abstract_array(x: Any) -> bool:
    return isinstance(x, jax.ShapeDtypeStruct)


def _scan_kind(static: Any) -> ScanKind:
    from memax.equinox.scans import semigroup_scan, set_action_scan

    leaves = jax.tree.leaves(static)
    if any(leaf is set_action_scan for leaf in leaves):
        return "sequential"
    if any(leaf is semigroup_scan for leaf in leaves):
        return "associative"
    return "sequential"  # a scan of its own: assume nothing about it


@functools.cache
def _template(cls: type[MemaxAdapter], features: int) -> _Template:
    """The model traced abstractly (no parameter is computed), its initial carry and its
    output width checked; cached per class and width."""
    import equinox as eqx

    _import_memax()  # before any trace (see there)
    factory = cls.memax_factory
    abstract = eqx.filter_eval_shape(factory, features, jax.random.key(0))
    arrays, static = eqx.partition(abstract, _is_abstract_array)
    flat, treedef = jax.tree_util.tree_flatten_with_path(arrays)
    odd = [jax.tree_util.keystr(p) for p, a in flat if not jnp.issubdtype(a.dtype, jnp.inexact)]
    if odd:
        raise TypeError(
            f"memax model {cls.memax_name!r} holds non-float arrays ({', '.join(odd)}); the "
            "adapter makes every array a trainable parameter"
        )
    paths = tuple(tuple(_key_name(k) for k in path) for path, _ in flat)
    if len(set(paths)) != len(paths):  # pragma: no cover - attribute paths are unique
        raise ValueError(f"memax model {cls.memax_name!r}: parameter names collide")

    with jax.ensure_compile_time_eval():
        carry = _initial_carry(abstract, factory, features)

    def run(arrays: Any, carry: Any) -> Any:
        model = eqx.combine(arrays, static)
        return model(carry, (jnp.zeros((1, features)), jnp.zeros((1,), bool)))

    _, y = jax.eval_shape(run, arrays, carry)
    if y.shape != (1, features):
        raise ValueError(
            f"memax model {cls.memax_name!r} built for width {features} returns "
            f"{y.shape[1:]}-shaped outputs; the adapter needs ({features},)"
        )
    return _Template(treedef, paths, static, carry, _scan_kind(static))


def _initial_carry(abstract: Any, factory: MemaxFactory, features: int) -> Any:
    """memax's initial state as numpy arrays. Most models build it from sizes alone, so it is
    asked of the abstract model first; one that reads its parameters (Spherical's learned
    initial state) is built concretely from a fixed key."""
    try:
        carry = abstract.initialize_carry(None)
        concrete = all(isinstance(a, jax.Array | np.ndarray) for a in jax.tree.leaves(carry))
    except Exception:  # the state needs parameter values
        concrete = False
    if not concrete:
        carry = jax.jit(lambda k: factory(features, k).initialize_carry(None))(jax.random.key(0))
    return jax.tree.map(np.asarray, carry)


def _init_arrays(cls: type[MemaxAdapter], features: int, rng: jax.Array) -> dict[str, Any]:
    """The `memax` param: the equinox constructor's arrays, from the Flax rng, by path."""
    import equinox as eqx

    tpl = _template(cls, features)
    arrays = eqx.partition(cls.memax_factory(features, rng), eqx.is_array)[0]
    leaves = jax.tree.leaves(arrays)
    out: dict[str, Any] = {}
    for path, leaf in zip(tpl.paths, leaves, strict=True):
        node = out
        for part in path[:-1]:
            node = node.setdefault(part, {})
        node[path[-1]] = leaf
    return out


class MemaxAdapter(MemoryModel):
    """A memax equinox model as a `MemoryModel`: make subclasses with `memax_model`.

    `features` is the width of the projection, the model and the output (`H`); the carry is
    memax's recurrent state over the batch dims.
    """

    memax_factory: ClassVar[MemaxFactory]
    memax_name: ClassVar[str] = "memax model"
    source: ClassVar[str] = "memax (equinox)"

    def setup(self) -> None:
        self.proj = nn.Dense(self.features)
        cls = type(self)
        self.arrays = self.param("memax", functools.partial(_init_arrays, cls, self.features))

    @nn.nowrap
    def initialize_carry(self, input_shape: tuple[int, ...]) -> Carry:
        return broadcast_carry(_template(type(self), self.features).carry, tuple(input_shape[:-1]))

    def _model(self) -> Any:
        """The equinox model, rebuilt from the Flax params (and, with `sequential`, its
        associative scan replaced by memax's one-step-at-a-time scan)."""
        import equinox as eqx

        tpl = _template(type(self), self.features)
        leaves = []
        for path in tpl.paths:
            node = self.arrays
            for part in path:
                node = node[part]
            leaves.append(node)
        static = tpl.static
        if self.sequential:
            from memax.equinox.scans import semigroup_scan, set_action_scan

            static = jax.tree.map(lambda l: set_action_scan if l is semigroup_scan else l, static)
        return eqx.combine(jax.tree.unflatten(tpl.treedef, leaves), static)

    def __call__(self, carry: Carry, inputs: tuple[jax.Array, jax.Array]) -> tuple[Carry, Any]:
        x, start = inputs
        batch, T = start.shape[:-1], start.shape[-1]
        nb, n = len(batch), math.prod(batch)
        model = self._model()
        z = self.proj(x).reshape((n, T, self.features))
        flat = jax.tree.map(lambda a: a.reshape((n,) + a.shape[nb:]), carry)
        states, y = jax.vmap(lambda h, z, s: model(h, (z, s)))(
            flat, z, start.reshape((n, T)).astype(bool)
        )
        last = jax.tree.map(lambda a: a[:, -1].reshape(batch + a.shape[2:]), states)
        return last, y.reshape(batch + (T, y.shape[-1]))


def memax_model(
    model: str | MemaxFactory,
    *,
    name: str | None = None,
    scan_kind: ScanKind | None = None,
) -> type[MemaxAdapter]:
    """A `MemoryModel` class running a memax equinox model, to return from the
    `arcade_memory_models` hook.

    `model`: a memax 0.1.1 name (`MEMAX_MODELS`: its cell, configured as memax configures
    it) or a factory `(features, key) -> memax Module` whose inputs and outputs are
    `features` wide (any cell, a `ResidualModel` stack, a model memax adds later).
    `name` names the class (default: the memax name, or the factory's). `scan_kind` is read
    off the model when not given (which traces it once, abstractly, at width 8). Import
    memax at the top of your module, not inside the factory (see `_import_memax`).
    """
    if isinstance(model, str):
        factory, label = memax_cell(model), model
        scan_kind = scan_kind or MEMAX_MODELS[model]
        known: dict[str, Any] = {
            "memoryless": model in MEMAX_MEMORYLESS,
            "unused_params": MEMAX_UNUSED_PARAMS.get(model, ()),
        }
    elif callable(model):
        factory, label = model, getattr(model, "__name__", "memax model")
        known = {}
    else:
        raise TypeError(f"memax_model needs a memax model name or a factory; got {model!r}")
    label = name or label
    ns: dict[str, Any] = {
        "memax_factory": staticmethod(factory),
        "memax_name": label,
        "source": memax_source(),
        "__module__": __name__,
        "__doc__": f"memax's {label} (equinox), run through the adapter: "
        "a Dense projection to `features`, then the model.",
        **known,
    }
    if scan_kind is not None:
        ns["scan_kind"] = scan_kind
    cls = type(f"Memax_{_ident(label)}", (MemaxAdapter,), ns)
    if scan_kind is None:  # read off the model, traced at a small width (nothing computed)
        cls.scan_kind = _template(cls, 8).scan_kind
    return cls
