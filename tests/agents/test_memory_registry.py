"""The memory-model registry and `arcade models`: lookup by case-insensitive name, errors that
list the known names, plugin problems isolated, a throwaway plugin's model listed and usable
in the Q-network (registered at run time, and installed as a real distribution)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import flax.linen as nn
import jax
import jax.numpy as jnp
import numpy as np
import pytest

from arcade_agents.memory import (
    MemoryModel,
    UnknownMemoryModelError,
    get_memory_model,
    list_memory_models,
    memory_registry,
)
from arcade_agents.memory.zoo import BUILTIN_MODELS
from arcade_agents.networks import RecurrentQNetwork
from arcade_core.cli import main as arcade_main
from arcade_core.hookspecs import hookimpl
from arcade_core.plugins import register_plugin, unregister_plugin

REPO = Path(__file__).resolve().parents[2]


class Accumulator(MemoryModel):
    """A throwaway model a user could write: a running sum of a projection, via `lax.scan`
    through the public helpers, and the base class's default `step`."""

    @nn.nowrap
    def initialize_carry(self, input_shape: tuple[int, ...]) -> Any:
        return jnp.zeros(tuple(input_shape[:-1]) + (self.features,))

    @nn.compact
    def __call__(self, carry: Any, inputs: tuple[jax.Array, jax.Array]) -> Any:
        from arcade_agents.memory import scan_with_resets

        x, start = inputs
        z = nn.Dense(self.features)(x)
        cell = lambda h, z_t: (h + z_t, h + z_t)  # noqa: E731
        return scan_with_resets(cell, carry, z, start, jnp.zeros((self.features,)))


class _Plugin:
    def __init__(self, models: Any) -> None:
        self.models = models

    @hookimpl
    def arcade_memory_models(self) -> Any:
        return self.models


@pytest.fixture
def plugin() -> Iterator[Any]:
    """Register throwaway plugins for one test; unregister them afterwards."""
    names: list[str] = []

    def add(models: Any, name: str = "throwaway", package: str = "throwaway-memory") -> None:
        register_plugin(_Plugin(models), name, package)
        names.append(name)

    yield add
    for name in names:
        unregister_plugin(name)


def test_builtins_register_through_the_agents_entry_point() -> None:
    entries = {e.name: e for e in list_memory_models()}
    assert len(entries) >= 12
    for name, cls in BUILTIN_MODELS.items():
        assert entries[name].cls is cls
        assert entries[name].plugin == "agents"  # the entry point, like anyone else's
        assert entries[name].package == "pomdp-arcade"


def test_lookup_ignores_case() -> None:
    for name, cls in BUILTIN_MODELS.items():
        assert get_memory_model(name.lower()) is cls
        assert get_memory_model(name.upper()) is cls
    assert get_memory_model(BUILTIN_MODELS["LRU"]) is BUILTIN_MODELS["LRU"]


def test_unknown_name_lists_the_known_ones() -> None:
    with pytest.raises(UnknownMemoryModelError) as err:
        get_memory_model("transformer-xl")
    for name in BUILTIN_MODELS:
        assert name in str(err.value)
    with pytest.raises(ValueError, match="Did you mean MinGRU"):
        get_memory_model("mingru2")


def test_bad_registrations_are_reported_not_raised(plugin: Any) -> None:
    plugin({"NotAModel": int, "": Accumulator}, name="bad", package="bad-memory")
    plugin(["not", "a", "dict"], name="worse", package="worse-memory")
    reg = memory_registry()
    reasons = " | ".join(str(p) for p in reg.problems)
    assert "'NotAModel' is not a MemoryModel subclass" in reasons
    assert "name '' is not a non-empty string" in reasons
    assert "worse (worse-memory): arcade_memory_models returned list" in reasons
    assert get_memory_model("gru") is BUILTIN_MODELS["GRU"]  # the rest still works


def test_a_name_claimed_twice_is_an_error_naming_both(plugin: Any) -> None:
    plugin({"gru": Accumulator}, name="clash", package="clash-memory")
    with pytest.raises(ValueError, match="'agents' .*'clash'"):
        get_memory_model("GRU")
    assert any("registered by both" in p.reason for p in memory_registry().problems)
    assert get_memory_model("lru") is BUILTIN_MODELS["LRU"]


def test_arcade_models_table(capsys: pytest.CaptureFixture[str]) -> None:
    assert arcade_main(["models"]) == 0
    out = capsys.readouterr().out
    rows = {line.split()[0]: line.split() for line in out.splitlines()[2:] if line.strip()}
    assert rows["LRU"][1:3] == ["pomdp-arcade", "yes"]
    assert rows["LSTM"][1:3] == ["pomdp-arcade", "no"]
    assert rows["MLP"][2] == "n/a"
    assert f"{len(list_memory_models())} memory models" in out


def test_throwaway_plugin_appears_in_arcade_models_and_the_q_network(
    plugin: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    plugin({"Accumulator": Accumulator})
    assert arcade_main(["models", "--json"]) == 0
    models = {m["name"]: m for m in json.loads(capsys.readouterr().out)["models"]}
    assert models["Accumulator"]["package"] == "throwaway-memory"
    assert models["Accumulator"]["parallel_scan"] is False
    assert len(models) == len(list_memory_models())
    assert set(BUILTIN_MODELS) < set(models)

    net = RecurrentQNetwork(memory="accumulator", features=8, hidden=4)
    carry = net.initialize_carry((2,))
    obs = np.random.default_rng(0).integers(0, 256, (2, 3, 128, 128, 3), dtype=np.uint8)
    act, start = np.zeros((2, 3), np.int32), np.zeros((2, 3), bool)

    def run(carry: Any) -> Any:
        params = net.init(jax.random.key(0), carry, (obs, act, start))
        seq = net.apply(params, carry, (obs, act, start))
        first = net.apply(params, carry, (obs[:, 0], act[:, 0], start[:, 0]), method="step")
        return params, seq, first

    fast = {"xla_backend_optimization_level": 0}
    params, (carry, q), (_, q0) = jax.jit(run).lower(carry).compile(fast)(carry)
    assert params["params"]["trunk"]["memory_model"]["Dense_0"]["kernel"].shape == (8 + 5, 4)
    assert q.shape == (2, 3, 5) and carry.shape == (2, 4)
    assert np.all(np.isfinite(q)) and np.allclose(q[:, 0], q0, atol=1e-5)


def test_every_model_works_in_the_q_network_by_name() -> None:
    """Traced, not compiled (`eval_shape`): cheap, and it checks every shape on the way."""
    obs = np.zeros((2, 3, 128, 128, 3), np.uint8)
    act, start = np.zeros((2, 3), np.int32), np.zeros((2, 3), bool)
    for entry in list_memory_models():
        net = RecurrentQNetwork(memory=entry.name.upper(), features=8, hidden=8)
        carry = net.initialize_carry((2,))
        params = jax.eval_shape(net.init, jax.random.key(0), carry, (obs, act, start))
        new_carry, q = jax.eval_shape(net.apply, params, carry, (obs, act, start))
        assert q.shape == (2, 3, 5), entry.name
        assert jax.tree.structure(new_carry) == jax.tree.structure(carry), entry.name


def _subprocess_env(pythonpath: list[str]) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ARCADE_")}
    env["PYTHONPATH"] = os.pathsep.join([*pythonpath, env.get("PYTHONPATH", "")])
    env["JAX_PLATFORMS"] = "cpu"
    return env


def test_plugin_entry_point_and_arcade_cli_import_no_jax() -> None:
    code = (
        "import sys, arcade_agents, arcade_agents.plugin\n"
        "from arcade_core.cli import build_parser\n"
        "build_parser().parse_args(['models'])\n"
        "print(sorted(m for m in ('jax', 'flax', 'memax', 'optax') if m in sys.modules))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env=_subprocess_env([str(REPO)]),
        check=True,
    )
    assert out.stdout.strip() == "[]", out.stderr


THROWAWAY_PACKAGE = '''
import flax.linen as nn
import jax.numpy as jnp
from arcade_core.hookspecs import hookimpl
from arcade_agents.memory import MemoryModel, scan_with_resets


class Leaky(MemoryModel):
    """A leaky running average, written by a third party."""

    @nn.nowrap
    def initialize_carry(self, input_shape):
        return jnp.zeros(tuple(input_shape[:-1]) + (self.features,))

    @nn.compact
    def __call__(self, carry, inputs):
        x, start = inputs
        z = nn.Dense(self.features)(x)
        cell = lambda h, z_t: (0.9 * h + z_t,) * 2
        return scan_with_resets(cell, carry, z, start, jnp.zeros((self.features,)))


@hookimpl
def arcade_memory_models():
    return {"ThrowawayLeaky": Leaky}
'''

THROWAWAY_SCRIPT = """
import json, sys
import jax, numpy as np
from arcade_core.cli import main
from arcade_agents import RecurrentQNetwork
assert main(["models", "--json"]) == 0
net = RecurrentQNetwork(memory="throwawayleaky", features=8, hidden=4)
carry = net.initialize_carry((2,))
inputs = (np.zeros((2, 3, 128, 128, 3), np.uint8), np.zeros((2, 3), int), np.zeros((2, 3), bool))
params = jax.eval_shape(net.init, jax.random.key(0), carry, inputs)
_, q = jax.eval_shape(net.apply, params, carry, inputs)
print("Q", json.dumps(list(q.shape)))
"""


def test_model_from_an_installed_throwaway_distribution(tmp_path: Path) -> None:
    """A real distribution on sys.path with an `arcade` entry point: its model is listed by
    `arcade models` with its package name, and the Q-network builds it by name."""
    pkg = tmp_path / "throwaway_mem"
    pkg.mkdir()
    (pkg / "__init__.py").write_text(textwrap.dedent(THROWAWAY_PACKAGE))
    dist = tmp_path / "throwaway_mem-0.1.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: throwaway-mem\nVersion: 0.1\n")
    (dist / "entry_points.txt").write_text("[arcade]\nthrowaway = throwaway_mem\n")
    out = subprocess.run(
        [sys.executable, "-c", THROWAWAY_SCRIPT],
        capture_output=True,
        text=True,
        env=_subprocess_env([str(tmp_path), str(REPO)]),
        cwd=tmp_path,
    )
    assert out.returncode == 0, out.stderr
    listing, _, q_line = out.stdout.rpartition("Q ")
    models = {m["name"]: m for m in json.loads(listing)["models"]}
    assert models["ThrowawayLeaky"]["package"] == "throwaway-mem"
    assert models["ThrowawayLeaky"]["plugin"] == "throwaway"
    assert "LRU" in models
    assert json.loads(q_line) == [2, 3, 5]
