"""Checkpoints: a round trip restores every leaf (typed RNG keys included) without unpickling,
and a run killed with SIGKILL after its first checkpoint, then resumed, ends with exactly the
parameters of the uninterrupted run. The runner is driven by `fake_algo` (a pure-JAX stand-in
that compiles in a second); the same checks on real PQN are marked slow."""

from __future__ import annotations

import os
import pickle
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import fake_algo
import jax
import numpy as np
import pytest

from arcade_agents.train import run
from arcade_agents.train.logging import read_metrics

HERE = Path(__file__).resolve().parent
PY = sys.executable


@pytest.fixture(scope="module")
def fake_module() -> Iterator[None]:
    fake_algo.register()
    yield
    fake_algo.unregister()


@pytest.fixture(autouse=True)
def fake(fake_module: None) -> None:
    fake_algo.register()  # again: a test elsewhere in this worker may have reset the plugins


def config(**kw: object) -> fake_algo.FakeConfig:
    return fake_algo.FakeConfig(**{"seeds": 2, "total_frames": 8 * 24, **kw})


def leaves_equal(a: object, b: object) -> None:
    la, lb = jax.tree.leaves(a), jax.tree.leaves(b)
    assert jax.tree.structure(a) == jax.tree.structure(b)
    for x, y in zip(la, lb, strict=True):
        if jax.dtypes.issubdtype(x.dtype, jax.dtypes.prng_key):
            assert jax.dtypes.issubdtype(y.dtype, jax.dtypes.prng_key)
            x, y = jax.random.key_data(x), jax.random.key_data(y)
        np.testing.assert_array_equal(np.asarray(x), np.asarray(y))


@pytest.fixture(scope="module")
def full_run(fake_module: None, tmp_path_factory: pytest.TempPathFactory) -> run.RunResult:
    out = tmp_path_factory.mktemp("full") / "run"
    return run.train(config(), out, chunk=2, checkpoint_every=4, progress=False, verbose=False)


def test_checkpoint_round_trip_restores_every_leaf_without_pickle(
    full_run: run.RunResult, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_pickle(*a: object, **k: object) -> None:
        raise AssertionError("checkpoint loading must not unpickle")

    monkeypatch.setattr(pickle, "loads", no_pickle)
    monkeypatch.setattr(pickle, "load", no_pickle)
    monkeypatch.setattr(pickle, "Unpickler", no_pickle)
    loaded = run.restore(full_run.run_dir)
    assert loaded.updates == full_run.updates == 24
    assert loaded.config == full_run.config
    leaves_equal(loaded.state, full_run.state)
    keys = loaded.state["key"]
    assert jax.dtypes.issubdtype(keys.dtype, jax.dtypes.prng_key) and keys.shape == (2,)
    assert loaded.state["carry"].shape == (2, 0)  # zero-size leaves (Orbax cannot store them)


def test_interval_checkpoints_are_kept_and_older_ones_pruned(full_run: run.RunResult) -> None:
    steps = sorted(int(p.name) for p in (full_run.run_dir / "checkpoints").iterdir())
    assert steps == [16, 20, 24]  # every 4 updates, the last 3 kept
    state_16 = run.restore(full_run.run_dir, update=16).state
    assert int(state_16["update"][0]) == 16


def test_resume_after_a_stop_equals_the_uninterrupted_run(
    full_run: run.RunResult, tmp_path: Path
) -> None:
    out = tmp_path / "run"
    part = run.train(config(), out, chunk=2, checkpoint_every=4, stop_after=10, progress=False, verbose=False)  # fmt: skip
    assert part.updates == 10 and run.restore(out).updates == 10  # stopping checkpoints
    done = run.train(None, out, resume=True, chunk=2, progress=False, verbose=False)
    assert done.updates == 24
    leaves_equal(done.state, full_run.state)
    # the resumed run's log reads as one run: each update once per seed
    rows = read_metrics(out)
    assert [(r["update"], r["seed"]) for r in rows] == [
        (u, s) for u in range(2, 25, 2) for s in (0, 1)
    ]
    np.testing.assert_allclose(
        [r["loss"] for r in rows], [r["loss"] for r in read_metrics(full_run.run_dir)]
    )


def test_a_new_run_refuses_a_directory_holding_checkpoints(full_run: run.RunResult) -> None:
    with pytest.raises(run.RunError, match="--resume"):
        run.train(config(), full_run.run_dir, progress=False, verbose=False)


def _first_checkpoint(ckpt_dir: Path) -> bool:
    return ckpt_dir.is_dir() and any(p.name.isdigit() for p in ckpt_dir.iterdir())


def test_resume_after_sigkill_ends_with_the_uninterrupted_parameters(
    full_run: run.RunResult, tmp_path: Path
) -> None:
    out = tmp_path / "killed"
    code = (
        f"import sys; sys.path.insert(0, {str(HERE)!r}); import fake_algo; fake_algo.register(); "
        "from arcade_core.tools.cli import main; sys.exit(main(sys.argv[1:]))"
    )
    argv = [PY, "-c", code, "train", "--algo", "fake", "--seeds", "2", "--total-frames", "192"]
    argv += ["--set", "delay_ms=150", "--log-every", "2", "--checkpoint-every", "4"]
    argv += ["--out", str(out), "--no-progress"]
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 120
    while not _first_checkpoint(out / "checkpoints"):
        assert proc.poll() is None, proc.stdout.read().decode() if proc.stdout else ""
        assert time.monotonic() < deadline, "no checkpoint within 120 s"
        time.sleep(0.05)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert proc.returncode == -signal.SIGKILL
    killed_at = run.restore(out).updates
    assert 0 < killed_at < 24, killed_at
    # resumed through the CLI, in this process (its delay does not change the numbers)
    from arcade_core.tools.cli import main

    assert main(["train", "--resume", str(out), "--no-progress"]) == 0
    resumed = run.restore(out)
    assert resumed.updates == 24
    leaves_equal(resumed.state, full_run.state)


def test_ctrl_c_stops_at_a_chunk_boundary_with_a_checkpoint(tmp_path: Path) -> None:
    out = tmp_path / "interrupted"
    code = (
        f"import sys; sys.path.insert(0, {str(HERE)!r}); import fake_algo; fake_algo.register(); "
        "from arcade_core.tools.cli import main; sys.exit(main(sys.argv[1:]))"
    )
    argv = [PY, "-c", code, "train", "--algo", "fake", "--total-frames", "192", "--out", str(out)]
    argv += [
        "--set",
        "delay_ms=100",
        "--log-every",
        "1",
        "--checkpoint-every",
        "100",
        "--no-progress",
    ]
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 120
    while not (out / "metrics.csv").exists():  # the first chunk is done
        assert proc.poll() is None and time.monotonic() < deadline
        time.sleep(0.05)
    proc.send_signal(signal.SIGINT)
    text = proc.communicate(timeout=120)[0].decode()
    assert proc.returncode == 130, text
    assert "--resume" in text
    stopped = run.restore(out)
    assert 0 < stopped.updates < 24  # no interval checkpoint was due: this one is Ctrl-C's
    assert int(stopped.state["update"][0]) == stopped.updates  # state and counter agree


@pytest.mark.slow
def test_pqn_resume_after_a_stop_equals_the_uninterrupted_run(tmp_path: Path) -> None:
    from arcade_agents.train.api import PQNConfig

    cfg = PQNConfig(num_envs=4, num_steps=8, total_frames=32 * 8, features=16, num_minibatches=2)
    full = run.train(cfg, tmp_path / "full", chunk=2, progress=False, verbose=False)
    run.train(cfg, tmp_path / "part", chunk=2, stop_after=4, progress=False, verbose=False)
    done = run.train(None, tmp_path / "part", resume=True, chunk=2, progress=False, verbose=False)
    leaves_equal(done.params(), full.params())
    leaves_equal(done.state, full.state)
