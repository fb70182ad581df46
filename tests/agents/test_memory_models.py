"""Every memory model in the registry passes the memory-model kit (`arcade_agents.testing`:
shapes, batch dims, reset equivalence, causality, memory, sequence == step by step, split
sequences, parallel == sequential scan, gradients), and the kit itself catches a broken model.

Each model is compiled once (one jitted function computes everything its checks read) to keep
the suite fast on two CPU cores.
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pytest

from arcade_agents.memory import get_memory_model, list_memory_models
from arcade_agents.memory.memax_adapter import MEMAX_MODELS
from arcade_agents.memory.simple import MLP
from arcade_agents.memory.zoo import BUILTIN_MODELS, NATIVE_MODELS
from arcade_agents.testing import CHECKS, check_memory_model, compiled, memory_model_conformance
from arcade_core.tools.cli import main

# every registered model: the built-ins and any installed plugin's, each held to the contract
NAMES = [entry.name for entry in list_memory_models()]

for _name in NAMES:  # one test per check and model, model by model
    globals()["test_" + re.sub(r"\W", "_", _name)] = memory_model_conformance(_name)


def test_registry_holds_our_models_and_all_of_memax() -> None:
    names = {name.casefold() for name in NAMES}
    assert len(names) >= len(NATIVE_MODELS) + len(MEMAX_MODELS)  # 14 + 22, 10 as memax:NAME
    assert {name.casefold() for name in BUILTIN_MODELS} <= names
    for name in MEMAX_MODELS:  # ours keeps a shared name; memax's is memax:NAME then
        shared = name.casefold() in {n.casefold() for n in NATIVE_MODELS}
        assert (f"memax:{name}" if shared else name).casefold() in names


class Forgetful(MLP):
    """An MLP that claims to remember: the kit's `memory` check must name it."""

    memoryless = False


def test_the_kit_names_what_a_broken_model_gets_wrong() -> None:
    report = check_memory_model(Forgetful, raise_on_failure=False, checks=("memory", "step"))
    assert [(r.name, r.status) for r in report.results] == [("memory", "fail"), ("step", "pass")]
    assert "nothing is remembered" in report.summary()
    assert get_memory_model("mlp").memoryless  # the real one says so, and passes


def test_check_model_prints_one_line_per_check(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check-model", "mlp"]) == 0  # the kit's compiled results are shared
    lines = capsys.readouterr().out.splitlines()
    checks = [line.split() for line in lines if line.startswith("  ")]
    assert [c[1] for c in checks] == list(CHECKS)
    assert {c[1]: c[0] for c in checks}["parallel_scan"] == "SKIP"  # not an associative model
    assert all(c[0] == "PASS" for c in checks if c[1] != "parallel_scan")
    assert lines[-1] == "PASS MLP"


def test_check_model_unknown_name_is_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check-model", "gruu"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("arcade: error:") and "\n" not in err and "GRU" in err, err


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
