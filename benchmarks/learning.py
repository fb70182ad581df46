"""Learning results: how far trained runs got, how many frames and minutes it took.

    arcade train ... --out runs/a; arcade train ... --out runs/b      # the runs themselves
    python benchmarks/learning.py runs/a runs/b --threshold 0.9      # print a table
    python benchmarks/learning.py runs/a runs/b --plot curves.png --write

For each run directory (as `arcade train` leaves it): the env, algorithm and memory from its
`config.toml`; from its `metrics.csv` the first update at which the training return (the
mean over episodes that ended in the last `--window` logged updates, weighted by episode
count) reaches `--threshold`, with the frames and wall-clock minutes (compilation included) it
had taken; and a fresh greedy evaluation of the final checkpoint (`--episodes` episodes, mean
and 95% confidence interval, as `arcade eval` reports it). `--write` replaces the `## Learning`
section of BENCHMARKS.md; `--plot` draws the training curves on one figure.
"""

from __future__ import annotations

import argparse
import csv
import dataclasses
import datetime
import os
import platform
import sys
import tomllib
from pathlib import Path
from typing import Any

import numpy as np
from bench_report import replace_section

SECTION = "## Learning"


def read_metrics(run_dir: Path) -> dict[str, np.ndarray]:
    """`metrics.csv` of a run as float columns, one row per logged update (seed 0)."""
    with open(run_dir / "metrics.csv", newline="") as f:
        rows = [r for r in csv.DictReader(f) if r.get("seed", "0") == "0"]
    if not rows:
        raise SystemExit(f"{run_dir}/metrics.csv has no rows")
    return {k: np.array([float(r[k] or "nan") for r in rows]) for k in rows[0]}


def smoothed_return(m: dict[str, np.ndarray], window: int) -> np.ndarray:
    """Training return over the last `window` logged updates, weighted by episodes ended."""
    ret, eps = np.nan_to_num(m["return"]), m["episodes"]
    num = np.convolve(ret * eps, np.ones(window))[: len(ret)]
    den = np.convolve(eps, np.ones(window))[: len(ret)]
    return np.where(den > 0, num / np.maximum(den, 1), np.nan)


def summarize(run_dir: Path, threshold: float, window: int, episodes: int) -> dict[str, Any]:
    config = tomllib.loads((run_dir / "config.toml").read_text())
    m = read_metrics(run_dir)
    curve = smoothed_return(m, window)
    hit = np.flatnonzero(curve >= threshold)
    row: dict[str, Any] = {
        "run": run_dir.name,
        "env": config["env_id"] + (" POMDP" if config.get("partial") else " MDP"),
        "algo": config["algo"].upper(),
        "memory": "MLP" if config.get("memory", "none").lower() == "none" else config["memory"],
        "encoder": config.get("encoder", "nature"),
        "frames": int(m["frames"][-1]),
        "minutes": float(m["wall_s"][-1]) / 60,
        "final_train": float(curve[-1]),
        "hit_frames": int(m["frames"][hit[0]]) if len(hit) else None,
        "hit_minutes": float(m["wall_s"][hit[0]]) / 60 if len(hit) else None,
        "curve": (m["frames"], curve),
        "command": command_of(config),
        "predates": predates(config),
    }
    if episodes:
        from arcade_agents.train.evaluate import evaluate
        from arcade_agents.train.run import restore

        result = evaluate(restore(run_dir), episodes)
        row["eval"], row["ci"] = result.mean, result.ci95
    return row


def command_of(config: dict[str, Any]) -> str:
    """The `arcade train` line that makes a run of `config` (fields left at their defaults
    omitted; the algorithm's own fields through `--set`)."""
    from arcade_agents.cli_train import _base_fields, _flag
    from arcade_agents.train.api import config_for

    defaults = dataclasses.asdict(config_for(config["algo"]))
    shared = {name for name, _, _ in _base_fields()}
    flags = [
        f"--algo {config['algo']}",
        f"--memory {config['memory']}",
        f"--env {config['env_id']}",
    ]
    sets = []
    for name, value in config.items():
        if name in ("algo", "memory", "env_id"):
            continue
        if name == "partial":
            flags.append("--partial" if value else "--no-partial")
        elif value == defaults.get(name):
            continue
        elif name in shared:  # shared fields have flags, the algorithm's own go to --set
            flags.append(f"{_flag(name)} {value}")
        else:
            sets.append(f"{name}={value}")
    if sets:
        flags.append("--set " + " ".join(sets))
    return "arcade train " + " ".join(flags)


def predates(config: dict[str, Any]) -> str:
    """' (...)' naming the config fields added since the run was saved: its command line
    takes today's defaults for them, which may not be what the run used ('' if none)."""
    from arcade_agents.train import config_io
    from arcade_agents.train.api import config_for

    fields = config_io.fields_missing(type(config_for(config["algo"])), config)
    return (
        f" (the run predates {', '.join(fields)}; the line takes today's default)" if fields else ""
    )


def table(rows: list[dict[str, Any]], threshold: float) -> str:
    lines = [
        f"| run | env | algo | memory | frames | minutes | train return (end) "
        f"| greedy eval (95% CI) | reached {threshold:g} at |",
        "|---|---|---|---|---:|---:|---:|---:|---|",
    ]
    for r in rows:
        ev = f"{r['eval']:.3f} ± {r['ci']:.3f}" if "eval" in r else "-"
        hit = (
            f"{r['hit_frames']:,} frames, {r['hit_minutes']:.1f} min"
            if r["hit_frames"] is not None
            else "not reached"
        )
        lines.append(
            f"| {r['run']} | {r['env']} | {r['algo']} | {r['memory']} | {r['frames']:,} "
            f"| {r['minutes']:.1f} | {r['final_train']:.3f} | {ev} | {hit} |"
        )
    return "\n".join(lines)


def plot(rows: list[dict[str, Any]], out: Path, threshold: float) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6, 3.5))
    labels = [f"{r['algo']} + {r['memory']} ({r['env']})" for r in rows]
    for r, label in zip(rows, labels, strict=True):
        frames, curve = r["curve"]
        if labels.count(label) > 1:  # runs of the same setting: say which run is which
            label += f" [{r['run']}]"
        ax.plot(frames / 1e6, curve, label=label)
    ax.axhline(threshold, color="grey", lw=0.8, ls="--")
    ax.set_xlabel("frames (millions)")
    ax.set_ylabel("training return")
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(out, dpi=120)
    print(f"wrote {out}")


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("runs", nargs="+", type=Path, help="run directories of `arcade train`")
    p.add_argument("--threshold", type=float, default=0.9)
    p.add_argument("--window", type=int, default=8, help="logged updates per smoothed point")
    p.add_argument("--episodes", type=int, default=64, help="greedy eval episodes (0: skip)")
    p.add_argument("--plot", type=Path, help="write the training curves to this PNG")
    p.add_argument("--write", action="store_true", help="replace `## Learning` in BENCHMARKS.md")
    args = p.parse_args()
    rows = [summarize(d, args.threshold, args.window, args.episodes) for d in args.runs]
    when = datetime.date.today().isoformat()
    text = (
        f"`python benchmarks/learning.py` ({when}), {platform.machine()}, "
        f"{os.cpu_count()} cores, no accelerator. Minutes are wall-clock from the start of "
        f"`arcade train` (compilation included); the training return is the mean over the "
        f"episodes that ended in the last {args.window} logged updates.\n\n"
        f"{table(rows, args.threshold)}\n\n"
        + "\n".join(f"* {r['run']}: `{r['command']}`{r['predates']}" for r in rows)
    )
    print(text)
    if args.plot:
        plot(rows, args.plot, args.threshold)
    if args.write:
        replace_section(SECTION, text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
