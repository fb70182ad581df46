"""`benchmarks/memory.py`: a model that cannot run (out of memory) is a failed row, and the
models after it are still measured."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import jax
import pytest

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"


@pytest.fixture
def memory_bench():
    sys.path.insert(0, str(BENCHMARKS))
    try:
        import memory

        yield memory
    finally:
        sys.path.remove(str(BENCHMARKS))
        sys.modules.pop("memory", None)


def test_out_of_memory_is_a_row_and_the_run_goes_on(memory_bench, monkeypatch) -> None:
    real = memory_bench.fwd_bwd

    def fwd_bwd(cls, cfg, sequential):
        if cls.__name__ == "GRU":
            raise jax.errors.JaxRuntimeError(
                "RESOURCE_EXHAUSTED: Out of memory allocating 30445002264 bytes.\ndetails"
            )
        return real(cls, cfg, sequential)

    monkeypatch.setattr(memory_bench, "fwd_bwd", fwd_bwd)
    cfg = argparse.Namespace(speed_batch=2, speed_length=4, width=8, repeats=1)
    table = memory_bench.speed_table(["GRU", "MLP"], cfg).splitlines()
    assert table[2].startswith("| GRU | sequential | failed: RESOURCE_EXHAUSTED: Out of memory")
    assert "30.4 GB" in table[2]
    assert table[3].startswith("| MLP | none | ") and "failed" not in table[3]


def test_reach_is_zero_without_memory_and_positive_with_it(memory_bench) -> None:
    """The first input cannot reach the last output of a model without recurrence or with a
    window shorter than the sequence; through a GRU it does."""
    from arcade_agents.memory import get_memory_model

    cfg = argparse.Namespace(hidden=8, batch=4, length=8, symbols=4)
    assert memory_bench.reach(get_memory_model("MLP"), cfg, seed=0) == 0.0
    assert memory_bench.reach(get_memory_model("FrameStack"), cfg, seed=0) == 0.0
    assert memory_bench.reach(get_memory_model("GRU"), cfg, seed=0) > 0.0
