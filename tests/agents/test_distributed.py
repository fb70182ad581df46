"""`arcade train --distributed`: two local processes with one CPU device each train one run
(stopped after 2 of 3 updates, then resumed with `--resume`) and end with the parameters of
the one-process run over two devices; only process 0 writes logs and prints. The multi-host
flags are checked before anything starts.

The processes find each other through a coordinator on 127.0.0.1 and all-reduce gradients
over gloo (TCP); each runs in a subprocess, since a process joins a distributed run only
before JAX starts, and every wait has a timeout, after which all of them are killed."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from arcade_agents.train import distributed as dist
from arcade_agents.train import run
from arcade_agents.train.logging import read_metrics
from arcade_core.tools.cli import main

DEADLINE_S = 420  # the whole two-process check: ~1 min on two idle cores, 2-3 min on busy ones

# Each distributed process: `arcade train --distributed ...` with no --out (so every process
# must name the same default run directory, from process 0's clock), stopped after `stop`
# updates as an interruption would stop it, then `arcade train --resume DIR --distributed ...`.
WORKER = textwrap.dedent(
    """
    import functools, json, os, sys, traceback
    from pathlib import Path
    from arcade_agents.train import run
    from arcade_core.tools.cli import main

    spec = json.loads(sys.argv[1])
    os.chdir(spec["cwd"])
    try:
        train = run.train
        run.train = functools.partial(train, stop_after=spec["stop"])
        rc = main(["train", *spec["train"], *spec["dist"], "--no-progress"])
        run.train = train
        if rc == 0:
            (out,) = Path("runs").iterdir()  # one run directory, whatever each clock said
            rc = main(["train", "--resume", str(out), *spec["dist"], "--no-progress"])
    except BaseException:
        traceback.print_exc()
        rc = 1
    sys.stdout.flush()
    sys.stderr.flush()
    if rc:
        os._exit(rc)  # at once: a normal exit would wait for the other process to finish
    """
)

# The reference: the same run in one process over two devices; then, once the distributed run
# is done (its directory arrives on stdin), both runs' final parameters saved side by side.
REFERENCE = textwrap.dedent(
    """
    import json, sys
    import jax, numpy as np
    from arcade_agents.train import run
    from arcade_core.tools.cli import main

    spec = json.loads(sys.argv[1])
    assert jax.device_count() == 2, jax.devices()
    rc = main(["train", *spec["train"], "--devices", "2", "--out", spec["ref"], "--no-progress"])
    dist_dir = sys.stdin.readline().strip()
    if rc or not dist_dir:
        sys.exit(rc or 3)
    out = {}
    for name, run_dir in (("ref", spec["ref"]), ("dist", dist_dir)):
        loaded = run.restore(run_dir)
        out[f"{name}_updates"] = np.asarray(loaded.updates)
        for i, leaf in enumerate(jax.tree.leaves(loaded.params())):
            out[f"{name}_{i}"] = np.asarray(leaf)
    np.savez(spec["npz"], **out)
    """
)

UPDATES = 3


def train_flags(memory: str) -> list[str]:
    """A tiny PQN run: 4 envs (2 per device) x 4 steps x 3 updates at 128 px."""
    flags = ["--algo", "pqn", "--env", "CartPoleEasy", "--obs-size", "128", "--memory", memory]
    flags += ["--num-envs", "4", "--num-steps", "4", "--features", "8"]
    flags += ["--total-frames", str(4 * 4 * UPDATES), "--log-every", "1"]
    return [*flags, "--set", "num_minibatches=2", "num_epochs=1"]


# Parameters may differ only by float reduction order. With two devices the cross-device sum
# of gradient partials has two terms, and a + b == b + a exactly, so the two layouts agree to
# the last bit (they do: max difference 0.0). The tolerance leaves room for XLA choosing a
# different reduction split or fusion in a one-process and a two-process compile (a few ulps
# of float32 on O(1) values, through 3 Adam steps) and is still ~1000x below what one update
# moves a parameter (lr 2.5e-4).
RTOL, ATOL = 1e-6, 1e-7


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def env_with(devices: int) -> dict[str, str]:
    env = {**os.environ, "JAX_PLATFORMS": "cpu"}
    env["XLA_FLAGS"] = f"--xla_force_host_platform_device_count={devices}"
    return env


@contextmanager
def killing(procs: list[subprocess.Popen[bytes]]) -> Iterator[list[subprocess.Popen[bytes]]]:
    """Kill every process still running when the block ends (a failure or a timeout), so a
    process stuck in a collective waiting for a dead peer never outlives the test."""
    try:
        yield procs
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
        for p in procs:
            with suppress(subprocess.TimeoutExpired):
                p.wait(timeout=10)


def wait_all(procs: dict[str, tuple[subprocess.Popen[bytes], Path]], deadline: float) -> None:
    """Wait for every process to exit 0; fail at the first that does not, or at the deadline
    (the `killing` block then ends the rest, e.g. a peer stuck in a collective)."""
    pending = dict(procs)
    while pending:
        for what, (p, log) in list(pending.items()):
            rc = p.poll()
            if rc is not None:
                assert rc == 0, f"{what} exited with {rc}:\n{log.read_text()[-3000:]}"
                del pending[what]
        if pending and time.monotonic() > deadline:
            what, (_, log) = next(iter(pending.items()))
            pytest.fail(f"{what} still running at the deadline:\n{log.read_text()[-3000:]}")
        time.sleep(0.1)


def start(args: list[str], devices: int, log: Path, **kw: Any) -> subprocess.Popen[bytes]:
    with log.open("wb") as f:  # the child keeps its own copy of the handle
        return subprocess.Popen(
            [sys.executable, "-c", *args],
            env=env_with(devices),
            stdout=f,
            stderr=subprocess.STDOUT,
            **kw,
        )


@pytest.mark.parametrize("memory", ["none", pytest.param("GRU", marks=pytest.mark.slow)])
def test_two_processes_equal_one_process_on_two_devices(tmp_path: Path, memory: str) -> None:
    deadline = time.monotonic() + DEADLINE_S
    ref_dir, npz, cwd = tmp_path / "ref", tmp_path / "params.npz", tmp_path / "cwd"
    cwd.mkdir()
    train = train_flags(memory)
    coordinator = f"127.0.0.1:{free_port()}"
    logs = [tmp_path / f"process{i}.log" for i in range(2)]
    ref_log = tmp_path / "reference.log"
    procs: list[subprocess.Popen[bytes]] = []
    with killing(procs):
        for i, log in enumerate(logs):
            flags = ["--distributed", "--coordinator", coordinator]
            flags += ["--num-processes", "2", "--process-id", str(i)]
            worker = {"train": train, "dist": flags, "cwd": str(cwd), "stop": 2}
            procs.append(start([WORKER, json.dumps(worker)], 1, log))
        spec = {"train": train, "ref": str(ref_dir), "npz": str(npz)}
        ref = start([REFERENCE, json.dumps(spec)], 2, ref_log, stdin=subprocess.PIPE)
        procs.append(ref)
        wait_all({f"process {i}": (procs[i], logs[i]) for i in range(2)}, deadline)
        (dist_dir,) = (cwd / "runs").iterdir()
        assert ref.stdin is not None
        ref.stdin.write(f"{dist_dir}\n".encode())
        ref.stdin.close()
        wait_all({"the one-process reference": (ref, ref_log)}, deadline)

    saved = np.load(npz)
    assert int(saved["ref_updates"]) == int(saved["dist_updates"]) == UPDATES
    leaves = [k.removeprefix("ref_") for k in saved.files if k.startswith("ref_")]
    leaves = [k for k in leaves if k.isdigit()]
    assert leaves and all(f"dist_{i}" in saved.files for i in leaves)
    for i in leaves:
        np.testing.assert_allclose(saved[f"dist_{i}"], saved[f"ref_{i}"], rtol=RTOL, atol=ATOL)

    # process 0 alone logged: one header, one row per update, the reference's losses
    rows, ref_rows = read_metrics(dist_dir), read_metrics(ref_dir)
    assert [r["update"] for r in rows] == [r["update"] for r in ref_rows] == [1, 2, 3]
    for a, b in zip(rows, ref_rows, strict=True):
        assert a["episodes"] == b["episodes"]
        np.testing.assert_allclose(a["loss"], b["loss"], rtol=1e-5, atol=1e-7)
    assert (dist_dir / "config.toml").is_file() and (dist_dir / "curve.png").is_file()
    out0, out1 = (log.read_text() for log in logs)
    assert "resuming" in out0 and "3/3 updates" in out0, out0
    quiet = ("run ", "compiling", "resuming", "learning curve", "3/3 updates")
    assert not any(ln.startswith(quiet) for ln in out1.splitlines()), out1


# ---------------------------------------------------------------- flags, before anything starts


@pytest.fixture
def nothing_starts(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail if a command gets as far as joining a distributed run or building a trainer."""

    def boom(*a: object, **k: object) -> None:
        raise AssertionError("got past the flag checks")

    import jax

    monkeypatch.setattr(jax.distributed, "initialize", boom)
    monkeypatch.setattr(run, "train", boom)
    monkeypatch.setattr(run, "make_trainer", boom)


@pytest.mark.parametrize(
    ("flags", "needles"),
    [
        (["--distributed", "--process-id", "1"], ["--process-id needs", "--num-processes"]),
        (
            ["--distributed", "--coordinator", "h:1", "--num-processes", "2"],
            ["--process-id too"],
        ),
        (["--process-id", "0", "--num-processes", "2"], ["need --distributed"]),
        (["--coordinator", "h:1"], ["--coordinator needs --distributed"]),
        (
            [
                "--distributed",
                "--coordinator",
                "nohost",
                "--num-processes",
                "2",
                "--process-id",
                "0",
            ],
            ["HOST:PORT"],
        ),
        (
            ["--distributed", "--coordinator", "h:1", "--num-processes", "2", "--process-id", "2"],
            ["--process-id must lie in [0, 1]"],
        ),
        (
            ["--distributed", "--coordinator", "h:1", "--num-processes", "0", "--process-id", "0"],
            ["--num-processes", "must be an integer in [1,"],  # checked as the flag is parsed
        ),
    ],
)
def test_bad_multi_host_flags_are_one_line_errors_before_anything_starts(
    nothing_starts: None, capsys: pytest.CaptureFixture[str], flags: list[str], needles: list[str]
) -> None:
    assert main(["train", *flags]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("arcade: error:") and "\n" not in err, err
    for needle in needles:
        assert needle in err, err


def test_a_multi_process_run_must_span_every_device(monkeypatch: pytest.MonkeyPatch) -> None:
    import jax

    monkeypatch.setattr(jax, "process_count", lambda: 2)
    monkeypatch.setattr(jax, "device_count", lambda: 4)
    dist.check_devices(4)
    with pytest.raises(dist.DistributedError, match="spans all 4 devices: set devices=4"):
        dist.check_devices(2)
