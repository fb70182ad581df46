"""The memax adapter's own promises (the interface itself is `test_memory_models.py`'s, for
every model): the equinox arrays are Flax params named by their attribute paths and equal to
the equinox constructor's; the carry and params of adapter models survive an Orbax round
trip; residual stacks and bare factories work, their scan kind read off the model; and a
model the adapter cannot hold is a clear error. Nothing here compiles a network."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
import pytest
from memax.equinox.models.residual import ResidualModel
from memax.equinox.scans import semigroup_scan, set_action_scan
from memax.equinox.semigroups.lrnn import LinearRecurrent
from memax.equinox.set_actions.gru import GRU

from arcade_agents.memory import get_memory_model
from arcade_agents.memory.memax_adapter import (
    MEMAX_MODELS,
    MemaxAdapter,
    _init_arrays,
    memax_cell,
    memax_model,
)
from arcade_agents.train.run import Checkpointer

H, F = 8, 5


def _inputs(batch: int = 2, T: int = 3) -> tuple[np.ndarray, np.ndarray]:
    return np.zeros((batch, T, F), np.float32), np.zeros((batch, T), bool)


def test_params_are_the_equinox_arrays_named_by_their_paths() -> None:
    cls = get_memory_model("memax:GRU")
    model = cls(features=H)
    params = jax.eval_shape(
        model.init, jax.random.key(0), model.initialize_carry((2, F)), _inputs()
    )
    arrays = params["params"]["memax"]
    assert set(params["params"]) == {"memax", "proj"}
    gates = arrays["algebra"]["algebra"]  # GRU -> Resettable -> GRUMagma, as in memax
    assert set(gates) == {"U_z", "U_r", "U_h", "W_z", "W_r", "W_h"}
    assert gates["W_z"]["weight"].shape == (H, H) and "bias" not in gates["U_z"]

    # the values are the equinox constructor's, from the key Flax hands over
    key = jax.random.key(3)
    ours = jax.tree.leaves(_init_arrays(cls, H, key))
    theirs = jax.tree.leaves(eqx.filter(memax_cell("GRU")(H, key), eqx.is_array))
    assert len(ours) == len(theirs) == 9
    assert sorted(a.shape for a in ours) == sorted(a.shape for a in theirs)
    assert sum(float(jnp.sum(a)) for a in ours) == pytest.approx(
        sum(float(jnp.sum(a)) for a in theirs)
    )
    other = jax.tree.leaves(_init_arrays(cls, H, jax.random.key(4)))
    assert not np.allclose(ours[0], other[0])  # the rng is used


def test_sequential_runs_the_same_algebra_through_memaxs_sequential_scan() -> None:
    cls = get_memory_model("memax:LRU")
    model = cls(features=H)
    carry = model.initialize_carry((2, F))
    params = jax.eval_shape(model.init, jax.random.key(0), carry, _inputs())
    assert cls(features=H).bind(params)._model().scan is semigroup_scan
    assert cls(features=H, sequential=True).bind(params)._model().scan is set_action_scan


def test_adapter_carries_and_params_survive_an_orbax_round_trip(tmp_path: Path) -> None:
    """Complex (LRU), integer (FFM's clock) and boolean (attention's window mask, every
    model's reset flag) carries, and the nested `memax` params, as a run checkpoints them."""
    rng = np.random.default_rng(0)
    state: dict[str, Any] = {}
    for name in ("memax:LRU", "memax:FFM", "Attention-RoPE"):
        model = get_memory_model(name)(features=H)
        carry = model.initialize_carry((2, F))
        carry = jax.tree.map(lambda a: a + np.ones_like(a) if a.dtype != bool else ~a, carry)
        shapes = jax.eval_shape(model.init, jax.random.key(0), carry, _inputs())
        params = jax.tree.map(lambda s: rng.standard_normal(s.shape).astype(s.dtype), shapes)
        state[name] = {"carry": carry, "params": params}
    ckpt = Checkpointer(tmp_path)
    ckpt.save(1, state, {"update": 1})
    like = jax.tree.map(jnp.zeros_like, state)
    back, meta = ckpt.restore(like)
    ckpt.close()
    assert meta == {"update": 1}
    assert jax.tree.structure(back) == jax.tree.structure(state)
    for a, b in zip(jax.tree.leaves(back), jax.tree.leaves(state), strict=True):
        assert a.dtype == b.dtype
        np.testing.assert_array_equal(np.asarray(a), np.asarray(b))


def _linear_stack(features: int, key: jax.Array) -> Any:
    layer = lambda recurrent_size, key: LinearRecurrent(recurrent_size, key=key)  # noqa: E731
    return ResidualModel(layer, features, features, features, num_layers=2, key=key)


def _gru_stack(features: int, key: jax.Array) -> Any:
    layer = lambda recurrent_size, key: GRU(recurrent_size, key=key)  # noqa: E731
    return ResidualModel(layer, features, features, features, num_layers=3, key=key)


def test_a_factory_any_stack_and_its_scan_kind_read_off_the_model() -> None:
    linear, gru = memax_model(_linear_stack), memax_model(_gru_stack, name="GRUStack")
    assert linear.scan_kind == "associative" and gru.scan_kind == "sequential"
    assert linear.__name__ == "Memax__linear_stack" and gru.memax_name == "GRUStack"
    model = gru(features=H)
    carry = model.initialize_carry((2, F))
    assert len(carry) == 3  # one (state, reset flag) per layer
    params = jax.eval_shape(model.init, jax.random.key(0), carry, _inputs())
    assert set(params["params"]["memax"]) == {"layers", "ff", "map_in", "map_out"}
    new_carry, y = jax.eval_shape(model.apply, params, carry, _inputs())
    assert y.shape == (2, 3, H) and jax.tree.structure(new_carry) == jax.tree.structure(carry)


def test_models_the_adapter_cannot_hold_are_clear_errors() -> None:
    with pytest.raises(ValueError, match="memax has no model 'Mamba'.*Attention-RoPE"):
        memax_model("Mamba")
    with pytest.raises(TypeError, match="a memax model name or a factory"):
        memax_model(42)  # type: ignore[arg-type]

    def wide(features: int, key: jax.Array) -> Any:  # (input, output, recurrent) widths
        layer = lambda recurrent_size, key: GRU(recurrent_size, key=key)  # noqa: E731
        return ResidualModel(layer, features, 2 * features, features, num_layers=1, key=key)

    with pytest.raises(ValueError, match="'wide' built for width 8 returns \\(16,\\)"):
        memax_model(wide)
    cls = memax_model(wide, scan_kind="sequential")  # nothing traced yet: the error comes later
    with pytest.raises(ValueError, match="needs \\(6,\\)"):
        cls(features=6).initialize_carry((2, F))

    class Counter(LinearRecurrent):
        steps: jax.Array

        def __init__(self, recurrent_size: int, key: jax.Array) -> None:
            super().__init__(recurrent_size, key=key)
            self.steps = jnp.zeros((), jnp.int32)

    with pytest.raises(TypeError, match="non-float arrays \\(.steps\\)"):
        memax_model(Counter)


def test_every_memax_name_builds_a_cell_of_the_asked_width() -> None:
    """Each cell, traced (not computed), maps `features`-wide inputs to `features`-wide
    outputs, and its declared scan kind is the one its memax scan function implies."""
    for name, kind in MEMAX_MODELS.items():
        cls = memax_model(name)
        inferred = memax_model(memax_cell(name)).scan_kind
        assert kind == inferred or (kind, inferred) == ("none", "associative"), name
        assert issubclass(cls, MemaxAdapter) and cls.scan_kind == kind
