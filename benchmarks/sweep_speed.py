"""The sweep's own cost, measured: a trial under `arcade sweep` beside the same run started by
`arcade train`, sweep throughput with 1 and 2 local Ray workers, and the cost of skipping
finished trials.

    python benchmarks/sweep_speed.py side-by-side      # sweep trial vs arcade train, at once
    python benchmarks/sweep_speed.py workers            # trials/hour with 1 then 2 workers
    python benchmarks/sweep_speed.py all --out runs/sweep-speed

Run it on an otherwise idle machine: `side-by-side` starts the two runs together (one per
core), so each one has a core of its own and the comparison shares whatever noise there is.
The train run starts when the trial has logged its first update; each run's frames/s is
counted over the window in which both were past their first update and neither had ended
(compilation excluded), from their `metrics.csv` as this script polls them.
`workers` runs the same grid (a subset of the smoke preset, `--env`) twice, into fresh
directories, with `--max-concurrent 1` and then 2, and times each whole command (Ray start and
every trial's compile included, as a user waits for it); then re-runs the finished 2-worker
sweep and reports what skipping its trials cost.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import time
from pathlib import Path

ARCADE = str(Path(sys.executable).with_name("arcade"))


def last_frames(path: Path) -> int | None:
    """Frames of the last complete row of a `metrics.csv`, or None before its first row."""
    try:
        lines = path.read_text().splitlines()
    except FileNotFoundError:
        return None
    rows = [ln for ln in lines[1:] if ln.count(",") == lines[0].count(",")]
    return int(rows[-1].split(",")[1]) if rows else None


def follow(paths: list[Path], procs: list[subprocess.Popen]) -> list[list[tuple[float, int]]]:
    """Poll each run's latest frame count until every process exits: `(time, frames)` pairs."""
    seen: list[list[tuple[float, int]]] = [[] for _ in paths]
    while any(p.poll() is None for p in procs):
        now = time.monotonic()
        for s, path in zip(seen, paths, strict=True):
            f = last_frames(path)
            if f is not None and (not s or s[-1][1] != f):
                s.append((now, f))
        time.sleep(0.25)
    return seen


def frames_at(samples: list[tuple[float, int]], t: float) -> int:
    return max(f for tt, f in samples if tt <= t)


def side_by_side(out: Path, env: str, frames: int, memory: str) -> None:
    """One trial under the sweep and one `arcade train` run of the same config, together: the
    train run starts once the trial has logged its first update, and each run's frames/s is
    taken over the window in which both were past their first update and neither had ended."""
    settings = ["num_envs=32", "num_steps=32", "lr=0.001", "features=64", "eps_decay=0.1"]
    sweep_dir, train_dir = out / "sweep", out / "train"
    for d in (sweep_dir, train_dir):
        shutil.rmtree(d, ignore_errors=True)
    common = ["--env", env, "--memory", memory, "--no-partial", "--total-frames", str(frames)]
    sweep_cmd = [ARCADE, "sweep", *common, "--set", *settings, "--out", str(sweep_dir),
                 "--max-concurrent", "1", "--eval-episodes", "8"]  # fmt: skip
    train_cmd = [ARCADE, "train", *common, "--out", str(train_dir), "--no-progress", "--set",
                 *settings]  # fmt: skip
    trial_metrics = sweep_dir / "trials" / f"pqn_{memory}_{env}_mdp" / "metrics.csv"
    procs = [subprocess.Popen(sweep_cmd, stdout=open(out / "sweep.log", "w"),  # noqa: SIM115
                              stderr=subprocess.STDOUT)]  # fmt: skip
    while last_frames(trial_metrics) is None:
        if procs[0].poll() is not None:
            raise SystemExit(f"the sweep ended before its trial logged: see {out}/sweep.log")
        time.sleep(0.25)
    procs.append(subprocess.Popen(train_cmd, stdout=open(out / "train.log", "w"),  # noqa: SIM115
                                  stderr=subprocess.STDOUT))  # fmt: skip
    seen = follow([trial_metrics, train_dir / "metrics.csv"], procs)
    for p in procs:
        if p.wait() != 0:
            raise SystemExit(f"{p.args[:2]} failed: see {out}/*.log")
    t0 = max(s[1][0] for s in seen)  # both past their first logged update
    t1 = min(s[-1][0] for s in seen)  # neither finished
    if t1 - t0 < 20:
        raise SystemExit(f"the runs overlapped only {t1 - t0:.0f} s; raise --frames")
    fps = [(frames_at(s, t1) - frames_at(s, t0)) / (t1 - t0) for s in seen]
    print(
        f"side by side, {env} PQN {memory}, 32 envs x 32 steps, both running for {t1 - t0:.0f} s:"
    )
    print(f"  arcade train  {fps[1]:8.0f} frames/s")
    print(f"  arcade sweep  {fps[0]:8.0f} frames/s  ({fps[0] / fps[1]:.3f} of train)")


def timed(cmd: list[str], log: Path) -> float:
    t0 = time.monotonic()
    with open(log, "w") as f:
        rc = subprocess.call(cmd, stdout=f, stderr=subprocess.STDOUT)
    if rc != 0:
        raise SystemExit(f"{' '.join(cmd)} failed: see {log}")
    return time.monotonic() - t0


def workers(out: Path, envs: list[str]) -> None:
    """Trials/hour of one smoke sub-grid with 1 and with 2 workers, then the skip cost."""
    grid = ["--preset", "smoke", "--env", *envs]
    rate = {}
    for k in (1, 2):
        d = out / f"workers-{k}"
        shutil.rmtree(d, ignore_errors=True)
        wall = timed([ARCADE, "sweep", *grid, "--out", str(d), "--max-concurrent", str(k)],
                     out / f"workers-{k}.log")  # fmt: skip
        n = sum(1 for _ in (d / "trials").iterdir())  # the trials the sweep ran
        rate[k] = n / wall * 3600
        print(f"  {k} worker(s): {n} trials in {wall:6.1f} s = {rate[k]:6.1f} trials/hour")
    print(f"  2 workers / 1 worker: {rate[2] / rate[1]:.2f}x")
    wall = timed([ARCADE, "sweep", *grid, "--out", str(out / "workers-2")], out / "skip.log")
    print(f"  re-run of the finished sweep: {wall:.2f} s for {n} trials "
          f"({wall / n:.3f} s each, Python and the grid's resolution included)")  # fmt: skip


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("what", choices=["side-by-side", "workers", "all"])
    p.add_argument("--out", type=Path, default=Path("runs/sweep-speed"))
    p.add_argument("--env", default="CartPoleEasy", help="side-by-side: the env id")
    p.add_argument("--memory", default="none", help="side-by-side: the memory model")
    p.add_argument("--frames", type=int, default=200_000, help="side-by-side: frames per run")
    p.add_argument("--smoke-envs", nargs="+", default=["CartPoleEasy", "CountRecallEasy"],
                   help="workers: the smoke preset's ids to run")  # fmt: skip
    a = p.parse_args()
    a.out.mkdir(parents=True, exist_ok=True)
    if a.what in ("side-by-side", "all"):
        side_by_side(a.out, a.env, a.frames, a.memory)
    if a.what in ("workers", "all"):
        print(f"smoke preset on {', '.join(a.smoke_envs)} (both views, none and GRU):")
        workers(a.out, a.smoke_envs)


if __name__ == "__main__":
    main()
