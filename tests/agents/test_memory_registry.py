"""The memory-model registry and `arcade models`: lookup by case-insensitive name, errors that
list the known names, plugin problems isolated, a throwaway plugin's model listed and usable
in the Q-network (registered at run time, and installed as a real distribution); every memax
model by name with its source, names with '-' and ':' through the CLI, TOML configs and run
directories, and a memax model from a throwaway distribution trained and reloaded."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from importlib.metadata import version
from pathlib import Path
from typing import Any

import flax.linen as nn
import jax
import jax.numpy as jnp
import numpy as np
import pytest

from arcade_agents.cli_train import default_run_dir
from arcade_agents.memory import (
    MemoryModel,
    UnknownMemoryModelError,
    get_memory_model,
    list_memory_models,
    memory_registry,
)
from arcade_agents.memory.memax_adapter import MEMAX_MODELS, MemaxAdapter
from arcade_agents.memory.zoo import BUILTIN_MODELS, NATIVE_MODELS
from arcade_agents.networks import RecurrentQNetwork
from arcade_agents.train import config_io
from arcade_agents.train.api import get_algorithm
from arcade_core.hookspecs import hookimpl
from arcade_core.plugins import register_plugin, unregister_plugin
from arcade_core.tools.cli import main as arcade_main

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


def test_a_builtin_name_claimed_again_keeps_the_builtin_and_refuses_the_newcomer(
    plugin: Any,
) -> None:
    plugin({"gru": Accumulator}, name="clash", package="clash-memory")
    assert get_memory_model("GRU") is BUILTIN_MODELS["GRU"]
    (refused,) = [p for p in memory_registry().problems if p.status == "REFUSED"]
    assert (refused.plugin, refused.package) == ("clash", "clash-memory")
    assert "'gru' refused: taken by agents (pomdp-arcade), a built-in" in refused.reason
    assert get_memory_model("lru") is BUILTIN_MODELS["LRU"]


def test_a_name_two_third_parties_claim_is_an_error_naming_both(plugin: Any) -> None:
    plugin({"Accumulator": Accumulator}, name="first", package="first-memory")
    plugin({"accumulator": Accumulator}, name="second", package="second-memory")
    with pytest.raises(ValueError, match="'first' .*'second'"):
        get_memory_model("Accumulator")
    assert any("registered by both" in p.reason for p in memory_registry().problems)


def test_arcade_models_table(capsys: pytest.CaptureFixture[str]) -> None:
    assert arcade_main(["models"]) == 0
    out = capsys.readouterr().out
    rows = {line.split()[0]: line.split() for line in out.splitlines()[2:] if line.strip()}
    assert rows["LRU"][1:3] == ["pomdp-arcade", "yes"]
    assert rows["LSTM"][1:3] == ["pomdp-arcade", "no"]
    assert rows["MLP"][2] == "n/a"
    assert f"{len(list_memory_models())} memory models" in out
    # the last column says where a model comes from: ours, or memax's through the adapter
    lines = {line.split()[0]: line for line in out.splitlines()[2:] if line.strip()}
    memax = f"memax {version('memax')} (equinox)"
    assert lines["LSTM"].endswith("  arcade")
    assert lines["GRU"].endswith("  arcade (memax.linen cell)")
    for name in ("memax:GRU", "memax:LRU", "Attention-RoPE", "NMax", "memax:MLP"):
        assert rows[name][1] == "pomdp-arcade" and lines[name].endswith(memax), name
    assert rows["memax:GRU"][2] == "no" and rows["Attention-RoPE"][2] == "yes"


def test_every_memax_name_is_a_model_and_ours_keep_the_shared_names() -> None:
    entries = {e.name: e for e in list_memory_models()}
    ours = {name.casefold() for name in NATIVE_MODELS}
    for name in MEMAX_MODELS:
        listed = f"memax:{name}" if name.casefold() in ours else name
        assert issubclass(entries[listed].cls, MemaxAdapter), listed
        assert entries[listed].cls.memax_name == name
        assert entries[listed].as_dict()["source"].startswith("memax ")
    assert not issubclass(entries["GRU"].cls, MemaxAdapter)  # ours keeps "GRU"
    assert len(MEMAX_MODELS) == 22 and len(BUILTIN_MODELS) == len(NATIVE_MODELS) + 22


@pytest.mark.parametrize("name", ["memax:GRU", "Attention-RoPE"])
def test_names_with_dash_and_colon_in_the_cli_toml_and_run_directories(
    name: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`--memory memax:GRU` and `--memory Attention-RoPE` resolve (any case), survive the TOML
    round trip of a run's config, and name a run directory that can be made (no compiling
    here; the throwaway distribution below trains and reloads such a run)."""
    assert arcade_main(["train", "--memory", name.lower(), "--print-config"]) == 0
    toml = tmp_path / "run.toml"
    toml.write_text(capsys.readouterr().out)
    config = config_io.load_config(toml, get_algorithm)
    assert config.memory == name.lower()
    assert get_memory_model(config.memory) is BUILTIN_MODELS[name]
    assert arcade_main(["train", "--config", str(toml), "--print-config"]) == 0
    assert f'memory = "{name.lower()}"' in capsys.readouterr().out
    run_dir = tmp_path / default_run_dir(config)
    run_dir.mkdir(parents=True)
    assert f"_{name.lower().replace(':', '-')}_" in run_dir.name  # no ':' in a path
    config_io.save_config(config, run_dir / config_io.CONFIG_NAME)
    assert config_io.load_config(run_dir, get_algorithm) == config


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
        "from arcade_core.tools.cli import build_parser\n"
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
from arcade_core.tools.cli import main
from arcade_agents import RecurrentQNetwork
assert main(["models", "--json"]) == 0
net = RecurrentQNetwork(memory="throwawayleaky", features=8, hidden=4)
carry = net.initialize_carry((2,))
inputs = (np.zeros((2, 3, 128, 128, 3), np.uint8), np.zeros((2, 3), int), np.zeros((2, 3), bool))
params = jax.eval_shape(net.init, jax.random.key(0), carry, inputs)
_, q = jax.eval_shape(net.apply, params, carry, inputs)
print("Q", json.dumps(list(q.shape)))
"""


THROWAWAY_MEMAX_PACKAGE = '''
from memax.equinox.models.residual import ResidualModel
from memax.equinox.semigroups.lrnn import LinearRecurrent
from arcade_core.hookspecs import hookimpl
from arcade_agents.memory.memax_adapter import memax_model


def linear_stack(features, key):
    """Two linear RNN layers in memax's residual stack: a model memax has no name for."""
    layer = lambda recurrent_size, key: LinearRecurrent(recurrent_size, key=key)
    return ResidualModel(layer, features, features, features, num_layers=2, key=key)


@hookimpl
def arcade_memory_models():
    return {"Throwaway:Linear-Stack": memax_model(linear_stack)}
'''

THROWAWAY_MEMAX_SCRIPT = """
import json
import jax, numpy as np
from arcade_core.tools.cli import main
from arcade_agents.cli_train import default_run_dir
from arcade_agents.train import run
from arcade_agents.train.api import PQNConfig
assert main(["models", "--json"]) == 0
config = PQNConfig(memory="throwaway:linear-stack", num_envs=2, num_steps=4, total_frames=16,
                   features=16, num_epochs=1, num_minibatches=1)
out = default_run_dir(config)
trained = run.train(config, out, chunk=1, progress=False, verbose=False, curve=False)
loaded = run.restore(out)
a, b = trained.params(), loaded.params()
same = jax.tree.structure(a) == jax.tree.structure(b) and all(
    np.array_equal(x, y) for x, y in zip(jax.tree.leaves(a), jax.tree.leaves(b), strict=True))
memory = b["params"]["trunk"]["memory_model"]
print("RESULT " + json.dumps({
    "dir": str(out), "updates": loaded.updates, "same": same, "memory": loaded.config.memory,
    "params": sorted(memory), "stack": sorted(memory["memax"]),
    "finite": all(bool(np.isfinite(x).all()) for x in jax.tree.leaves(b)),
}))
"""


def _install_throwaway(tmp_path: Path, module: str, dist: str, source: str) -> None:
    """A distribution with an `arcade` entry point, on sys.path at `tmp_path`."""
    pkg = tmp_path / module
    pkg.mkdir()
    (pkg / "__init__.py").write_text(textwrap.dedent(source))
    info = tmp_path / f"{module}-0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {dist}\nVersion: 0.1\n")
    (info / "entry_points.txt").write_text(f"[arcade]\nthrowaway = {module}\n")


def test_a_memax_model_from_a_throwaway_distribution_is_listed_trains_and_reloads(
    tmp_path: Path,
) -> None:
    """A third party registers a memax model (here a residual stack memax has no name for)
    in one line through the adapter: `arcade models` lists it with its package and memax as
    its source, PQN trains 2 updates with it into a run directory named after it (':' and
    '-' included), and `run.restore` gives back the trained parameters exactly."""
    _install_throwaway(tmp_path, "throwaway_memax", "throwaway-memax", THROWAWAY_MEMAX_PACKAGE)
    out = subprocess.run(
        [sys.executable, "-c", THROWAWAY_MEMAX_SCRIPT],
        capture_output=True,
        text=True,
        env=_subprocess_env([str(tmp_path), str(REPO)]),
        cwd=tmp_path,
    )
    assert out.returncode == 0, out.stderr
    listing, _, result = out.stdout.rpartition("RESULT ")
    models = {m["name"]: m for m in json.loads(listing)["models"]}
    entry = models["Throwaway:Linear-Stack"]
    assert (entry["package"], entry["plugin"]) == ("throwaway-memax", "throwaway")
    assert entry["source"].startswith("memax ") and entry["parallel_scan"] is True
    res = json.loads(result)
    assert res["updates"] == 2 and res["same"] and res["finite"]
    assert res["memory"] == "throwaway:linear-stack"
    assert (tmp_path / res["dir"]).is_dir() and "_throwaway-linear-stack_" in res["dir"]
    assert res["params"] == ["memax", "proj"]  # the equinox arrays are one Flax param
    assert res["stack"] == ["ff", "layers", "map_in", "map_out"]  # named as in memax


def test_model_from_an_installed_throwaway_distribution(tmp_path: Path) -> None:
    """A real distribution on sys.path with an `arcade` entry point: its model is listed by
    `arcade models` with its package name, and the Q-network builds it by name."""
    _install_throwaway(tmp_path, "throwaway_mem", "throwaway-mem", THROWAWAY_PACKAGE)
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


def test_one_registry_class_serves_envs_memory_models_and_algorithms() -> None:
    from arcade_agents.train.api import algorithm_registry
    from arcade_core.plugin_registry import PluginRegistry
    from arcade_core.registry import registry

    for reg in (registry(), memory_registry(), algorithm_registry()):
        assert isinstance(reg, PluginRegistry) and len(reg) > 0
    assert "gru" in memory_registry() and memory_registry().get("GRU").name == "GRU"
    assert algorithm_registry().lookup("PQN").name == "pqn"
