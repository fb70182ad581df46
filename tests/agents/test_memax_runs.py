"""A run whose memory model comes from memax through the adapter is a run like any other:
stopped part-way, `arcade train --resume` reloads its checkpoint (adapter parameters and carry)
and finishes it, `arcade eval` reloads it and plays it, and `arcade introspect saliency` takes
gradients through the adapted model. One tiny PQN run, compiled once per command; that a
resumed run equals the uninterrupted one is checked on PQN itself in test_checkpoint.py, and
the adapter's Orbax round trip in test_memax_adapter.py."""

from __future__ import annotations

import json
from pathlib import Path

import jax
import numpy as np
import pytest

from arcade_agents.train import run
from arcade_agents.train.api import PQNConfig
from arcade_core.tools.cli import main

MODEL = "LinearRNN"  # a memax name we have no native model for: the adapter is what runs


def config() -> PQNConfig:
    return PQNConfig(
        env_id="CountRecallEasy",
        partial=True,
        memory=MODEL,
        num_envs=4,
        num_steps=8,
        total_frames=6 * 32,
        features=16,
        num_minibatches=2,
    )


@pytest.fixture(scope="module")
def stopped_then_resumed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    """A run stopped after 2 of 6 updates (its parameters then), resumed through the command
    line."""
    parts = tmp_path_factory.mktemp("memax-run") / "run"
    run.train(config(), parts, chunk=2, stop_after=2, progress=False, curve=False, verbose=False)
    stopped = run.restore(parts)
    assert stopped.updates == 2
    assert main(["train", "--resume", str(parts), "--no-progress"]) == 0
    return parts, stopped.params()


def test_an_adapter_models_run_resumes_from_its_checkpoint_and_trains_on(
    stopped_then_resumed: tuple[Path, dict],
) -> None:
    parts, at_stop = stopped_then_resumed
    done = run.restore(parts)
    assert done.config.memory == MODEL and done.updates == 6
    before, after = jax.tree.leaves(at_stop), jax.tree.leaves(done.params())
    assert len(before) == len(after) > 0
    assert all(np.isfinite(np.asarray(a)).all() for a in after)
    moved = [
        not np.array_equal(np.asarray(a), np.asarray(b)) for a, b in zip(before, after, strict=True)
    ]
    assert any(moved)  # the resumed updates trained it further


def test_eval_and_saliency_reload_an_adapter_models_checkpoint(
    stopped_then_resumed: tuple[Path, dict], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    parts, _ = stopped_then_resumed
    assert main(["eval", str(parts), "--episodes", "4"]) == 0
    assert "return" in capsys.readouterr().out
    out = tmp_path / "saliency"
    assert main(["introspect", "saliency", str(parts), "--steps", "5", "--out", str(out)]) == 0
    summary = json.loads((out / "saliency.json").read_text())
    assert summary["t"] == 5 and summary["value"] == "Q"
    heat = np.load(out / "saliency.npz")["heat"]
    assert heat.shape[0] == 6 and np.isfinite(heat).all() and heat.sum() > 0
