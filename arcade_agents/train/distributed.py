"""One training run over several hosts: JAX's multi-controller model, one Python process per
host, every process running the same program on its own devices.

Launching. Start the same command once per host, before anything else touches JAX:

    # machine 0 (its address is the coordinator's), then machine 1, ... with its own id
    arcade train --distributed --coordinator 10.0.0.1:1234 --num-processes 2 --process-id 0 \\
        --env CartPoleEasy --num-envs 256 --out /mnt/nfs/runs/cp
    arcade train --distributed --coordinator 10.0.0.1:1234 --num-processes 2 --process-id 1 \\
        --env CartPoleEasy --num-envs 256 --out /mnt/nfs/runs/cp

    # SLURM (or Open MPI): one task per node, no addresses; JAX reads them from the job
    srun --nodes 2 --ntasks-per-node 1 arcade train --distributed --out /mnt/nfs/runs/cp ...

Process 0 hosts the coordinator (any free port, the same on every host). The run directory
must be one folder every host sees (a shared file system): each process writes its own shards
of every checkpoint there, and `--resume` reads them back the same way. Only process 0 writes
`config.toml`, the logs and the curve, and prints progress.

What changes under `--distributed`: the device mesh spans every host's devices (`devices`
defaults to, and must equal, `jax.device_count()`), so the env batch (`num_envs`, divisible by
the device count) is split across hosts and the gradient all-reduce crosses them. The maths is
the single-host program's: a run on 2 hosts x 1 device ends where one host with 2 devices
ends. On CPU, cross-process collectives use gloo over TCP (JAX's default in this version).

In Python: `initialize(...)` first, then `run.train(config, run_dir)` with
`config.devices == jax.device_count()`, the same call in every process.
"""

from __future__ import annotations

from typing import Any

FLAGS = ("--coordinator", "--num-processes", "--process-id")


class DistributedError(ValueError):
    """Inconsistent launch settings (a one-line message for the command line)."""


def check_args(coordinator: str | None, num_processes: int | None, process_id: int | None) -> None:
    """All three of coordinator, process count and id, or none of them (the cluster's
    environment supplies them); a port, at least one process, an id in range. Touches no
    device, so the CLI can call it before anything starts."""
    given = (coordinator, num_processes, process_id)
    if any(v is not None for v in given) and any(v is None for v in given):
        have = [f for f, v in zip(FLAGS, given, strict=True) if v is not None]
        missing = [f for f, v in zip(FLAGS, given, strict=True) if v is None]
        verb = "needs" if len(have) == 1 else "need"
        raise DistributedError(
            f"{' and '.join(have)} {verb} {' and '.join(missing)} too: give all three, or "
            "none to take them from the cluster's environment (e.g. SLURM)"
        )
    if coordinator is not None:
        host, _, port = coordinator.rpartition(":")
        if not host or not port.isdigit() or not 0 < int(port) < 65536:
            raise DistributedError(f"--coordinator must be HOST:PORT; got {coordinator!r}")
    if num_processes is not None and num_processes < 1:
        raise DistributedError(f"--num-processes must be at least 1; got {num_processes}")
    if process_id is not None and num_processes is not None and not 0 <= process_id < num_processes:
        raise DistributedError(
            f"--process-id must lie in [0, {num_processes - 1}] for --num-processes "
            f"{num_processes}; got {process_id}"
        )


def initialize(
    coordinator: str | None = None, num_processes: int | None = None, process_id: int | None = None
) -> None:
    """Join this process to the run (`jax.distributed.initialize`): with the coordinator's
    `HOST:PORT`, the process count and this process's id, or with none of them, as JAX finds
    them in the cluster's environment (SLURM, Open MPI, Cloud TPU). Call it in every process
    before anything else uses JAX devices; a second call does nothing."""
    check_args(coordinator, num_processes, process_id)
    import jax

    if jax.distributed.is_initialized():
        return
    if jax.config.jax_cpu_collectives_implementation is None:
        # CPU processes need a cross-process collectives library for the all-reduce; gloo is
        # JAX's default in this version, set here only if someone switched it off
        jax.config.update("jax_cpu_collectives_implementation", "gloo")
    if coordinator is None:
        jax.distributed.initialize()
    else:
        jax.distributed.initialize(
            coordinator_address=coordinator, num_processes=num_processes, process_id=process_id
        )


# ------------------------------------------------------------------ helpers for the runner


def is_multi_process() -> bool:
    """Whether this run spans more than one process."""
    import jax

    return jax.process_count() > 1


def is_lead() -> bool:
    """Whether this is process 0, the one that writes logs and prints."""
    import jax

    return jax.process_index() == 0


def check_devices(devices: int) -> None:
    """A multi-process run must span every device: each process steps the envs on its own
    devices, and a mesh leaving a host out would leave that host with nothing to run."""
    import jax

    if jax.process_count() > 1 and devices != jax.device_count():
        raise DistributedError(
            f"devices={devices}, but a run over {jax.process_count()} processes spans all "
            f"{jax.device_count()} devices: set devices={jax.device_count()} (or leave "
            "--devices out)"
        )


def gather(tree: Any) -> Any:
    """`tree` as host numpy arrays with every element, also where the arrays are split over
    other processes' devices (then an all-gather, which every process must call)."""
    import jax

    if jax.process_count() == 1:
        return jax.device_get(tree)
    from jax.experimental import multihost_utils

    return multihost_utils.process_allgather(tree, tiled=True)


def any_process(flag: bool) -> bool:
    """True in every process if `flag` is True in any (every process must call), so that
    all of them stop at the same chunk when one is interrupted."""
    import jax
    import numpy as np

    if jax.process_count() == 1:
        return flag
    from jax.experimental import multihost_utils

    flags = multihost_utils.process_allgather(np.asarray(flag, np.int32))
    return bool(np.any(flags))


def broadcast_int(values: list[int]) -> list[int]:
    """Process 0's `values` (small int32s) in every process; every process must call."""
    import jax
    import numpy as np

    if jax.process_count() == 1:
        return list(values)
    from jax.experimental import multihost_utils

    out = multihost_utils.broadcast_one_to_all(np.asarray(values, np.int32))
    return [int(v) for v in np.asarray(out)]
