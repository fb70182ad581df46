"""`arcade introspect`: saliency, recall density, contamination and the gap/bias of runs.

    arcade introspect saliency RUN_DIR --steps 32 --out sal/          # PNG grid, GIF, npz, json
    arcade introspect density RUN_A RUN_B --both-views --out dens/    # memory models, MDP/POMDP
    arcade introspect contamination RUN_DIR --frames 4:8 --out cont/  # noise/swap/reverse/shuffle
    arcade introspect gap RUN_DIR... --out gap/                       # or --table returns.csv

The values probed are Q-values for PQN and DQN, and the chosen action's policy logit for PPO.
Building the parser imports no JAX; each command loads it when it runs.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

MAX_PROBE_STEPS = 4_096  # a probe holds every frame up to its step, and their gradients
VALUES_HELP = "Values probed: Q-values (PQN, DQN) or the chosen action's policy logit (PPO)"


def add_parsers(sub: Any) -> None:
    """Register `introspect` and its subcommands on the `arcade` sub-parsers."""
    p = sub.add_parser(
        "introspect",
        help="what an agent remembers: saliency, recall density, contamination, gap/bias",
        description="Memory introspection of trained runs. " + VALUES_HELP + ".",
    )
    isub = p.add_subparsers(dest="introspect_command", metavar="ANALYSIS", required=True)
    from arcade_core.argtypes import (
        MAX_EPISODES,
        MAX_FPS,
        MAX_SCALE,
        MAX_STEPS,
        bounded_float,
        bounded_int,
        positive_float,
        positive_int,
        seed_int,
        writable_dir,
    )

    steps = positive_int(MAX_PROBE_STEPS)

    def common(q: argparse.ArgumentParser, one_run: bool = True) -> None:
        q.add_argument("--env", metavar="ID", help="play this env instead of the run's")
        q.add_argument(
            "--partial",
            action=argparse.BooleanOptionalAction,
            default=None,
            help="play the POMDP (--no-partial: the MDP) view [default: the run's]",
        )
        q.add_argument(
            "--agent", type=bounded_int(0, 1023), default=0, metavar="K", help="which of the seeds"
        )
        q.add_argument("--seed", type=seed_int, default=1, help="seed of the greedy episodes")
        q.add_argument("--latex", action="store_true", help="set figure text with LaTeX")
        if one_run:
            q.add_argument(
                "--out", type=writable_dir, metavar="DIR",
                help="output folder [default: RUN_DIR/introspect]",
            )  # fmt: skip

    q = isub.add_parser(
        "saliency",
        help="gradient of the chosen action's value at step T w.r.t. frames 0..T",
        description="For a greedy episode, the gradient of the chosen action's value at step "
        "T with respect to every observation 0..T: per-step heatmaps over the frames, a "
        "cumulative map and the recall density (saliency.png, saliency.gif, saliency.npz, "
        "saliency.json). " + VALUES_HELP + ".",
    )
    q.add_argument("run_dir", metavar="RUN_DIR")
    q.add_argument("--steps", type=steps, default=32, metavar="T", help="the probed step [32]")
    q.add_argument(
        "--tiles", type=positive_int(MAX_PROBE_STEPS), default=11,
        help="frames shown in the grid [11]",
    )  # fmt: skip
    q.add_argument("--fps", type=positive_float(MAX_FPS), default=6.0, help="GIF frame rate [6]")
    q.add_argument("--scale", type=positive_int(MAX_SCALE), default=2, help="GIF upscaling [2]")
    common(q)
    q.set_defaults(func=cmd_saliency)

    q = isub.add_parser(
        "density",
        help="recall density of several runs: where in time the gradient mass falls",
        description="Share of the saliency mass on each earlier step, over first/middle/last "
        "third of the elapsed episode, for each run (density.png, density.csv). "
        + VALUES_HELP
        + ".",
    )
    q.add_argument("run_dirs", nargs="+", metavar="RUN_DIR")
    q.add_argument("--steps", type=steps, default=64, metavar="T", help="the probed step [64]")
    q.add_argument(
        "--episodes", type=positive_int(MAX_EPISODES), default=4, help="episodes per run [4]"
    )
    q.add_argument(
        "--both-views", action="store_true", help="probe every run on the MDP and the POMDP view"
    )
    q.add_argument(
        "--out", type=writable_dir, metavar="DIR", default="introspect",
        help="output folder [introspect]",
    )  # fmt: skip
    common(q, one_run=False)
    q.set_defaults(func=cmd_density)

    q = isub.add_parser(
        "contamination",
        help="perturb past frames; how far into the future do the values move?",
        description="Replays one greedy episode (same actions) with frames I..J-1 perturbed "
        "by noise, swap (first and last exchanged), reverse or shuffle, and plots the largest "
        "change in the values at every step (contamination.png, contamination.csv). "
        + VALUES_HELP
        + ".",
    )
    q.add_argument("run_dir", metavar="RUN_DIR")
    q.add_argument("--frames", default="4:8", metavar="I:J", help="perturbed frames [4:8]")
    q.add_argument(
        "--kinds",
        default="noise,swap,reverse,shuffle",
        help="comma-separated perturbations [noise,swap,reverse,shuffle]",
    )
    q.add_argument(
        "--sigma", type=bounded_float(0.0, 255.0), default=0.5,
        help="noise std, in units of 0..255",
    )  # fmt: skip
    q.add_argument("--steps", type=steps, default=48, metavar="T", help="episode steps [48]")
    q.add_argument(
        "--tol",
        type=bounded_float(0.0),
        default=None,
        help="|Δvalue| counted as an effect [1%% of the clean values' mean |value|]",
    )
    common(q)
    q.set_defaults(func=cmd_contamination)

    q = isub.add_parser(
        "gap",
        help="observability gap (MDP − POMDP) and memory bias (memory − MLP on the MDP)",
        description="From runs (each agent evaluated on the view it was trained on) or a CSV "
        "of env,memory,algo,seed,partial,return: gap = MDP − POMDP return of the same agent "
        "configuration and seed (> 0: partial observability costs return); bias = MDP return "
        "of a memory model − MDP return of the MLP (none/MLP) of the same seed (> 0: memory "
        "helps even when nothing is hidden). Mean and 95%% CI over seeds (gap_bias.csv, "
        "gap_bias.png; returns.csv when evaluating runs).",
    )
    q.add_argument("run_dirs", nargs="*", metavar="RUN_DIR")
    q.add_argument("--table", metavar="CSV", help="a returns table instead of run dirs")
    q.add_argument(
        "--episodes", type=positive_int(MAX_EPISODES), default=32,
        help="evaluation episodes per agent [32]",
    )  # fmt: skip
    q.add_argument(
        "--max-steps", type=positive_int(MAX_STEPS), default=None,
        help="cap on steps per episode",
    )  # fmt: skip
    q.add_argument("--seed", type=seed_int, default=1, help="seed of the evaluation episodes")
    q.add_argument(
        "--out", type=writable_dir, metavar="DIR", default="introspect",
        help="output folder [introspect]",
    )  # fmt: skip
    q.add_argument("--latex", action="store_true", help="set figure text with LaTeX")
    q.set_defaults(func=cmd_gap)


def _errors() -> tuple[type[BaseException], ...]:
    from arcade_agents.train.run import RunError
    from arcade_core.errors import RecordError

    from .figures import FigureError

    return (ValueError, KeyError, OSError, RunError, RecordError, FigureError)


def _fail(exc: BaseException) -> Exception:
    from arcade_core.errors import CLIError

    first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
    return CLIError(first)


def _guard(fn: Any) -> Any:
    """Run a command body, turning a user-fixable error into a one-line `CLIError`."""

    def wrapped(args: argparse.Namespace) -> int:
        from arcade_core.errors import CLIError

        try:
            from . import figures

            figures.setup(args.latex)  # fails fast on a missing matplotlib or LaTeX
            return fn(args)
        except CLIError:
            raise
        except _errors() as exc:
            raise _fail(exc) from None

    wrapped.__doc__ = fn.__doc__
    return wrapped


def _check(args: argparse.Namespace) -> None:
    if args.steps < 1:
        raise ValueError("--steps must be at least 1")
    if getattr(args, "episodes", 1) < 1:
        raise ValueError("--episodes must be at least 1")


@contextlib.contextmanager
def _phase(what: str) -> Iterator[None]:
    """`what ...` on stderr before a jitted analysis, and how long it took after: the first
    analysis of an architecture spends most of that compiling."""
    print(f"{what} (compiling on first use) ...", file=sys.stderr, flush=True)
    t0 = time.perf_counter()
    yield
    took = time.perf_counter() - t0
    print(f"{what}: {took:.1f} s, compiles included", file=sys.stderr, flush=True)


def _load(run_dir: str, agent: int) -> Any:
    from arcade_agents.train.run import restore
    from arcade_core.errors import CLIError

    loaded = restore(run_dir)
    if not 0 <= agent < int(loaded.config.seeds):
        raise CLIError(f"--agent must lie in [0, {int(loaded.config.seeds) - 1}]")
    return loaded


def _title(run: Any, env: str, partial: bool) -> str:
    c = run.config
    return f"{c.algo.upper()} ({c.memory}) on {env} {'POMDP' if partial else 'MDP'}"


@_guard
def _saliency(args: argparse.Namespace) -> int:
    import numpy as np

    from arcade_core.media import write_video

    from . import agent as ag
    from . import figures

    _check(args)
    run = _load(args.run_dir, args.agent)
    with _phase("saliency: rollout and gradients"):
        sal, eps = ag.run_saliency(
            run, args.steps, env_id=args.env, partial=args.partial, seed=args.seed,
            agent=args.agent,
        )  # fmt: skip
    value = ag.value_kind(run)
    frames = eps.episode(0)["obs"]
    out = Path(args.out or Path(args.run_dir) / "introspect")
    out.mkdir(parents=True, exist_ok=True)
    title = f"{_title(run, eps.env_id, eps.partial)}, {run.frames:,} frames"
    png = figures.saliency_figure(sal, frames, out / "saliency.png", title=title, value=value,
                                  tiles=args.tiles)  # fmt: skip
    gif = write_video(out / "saliency.gif", figures.saliency_frames(sal, frames, args.scale),
                      args.fps)  # fmt: skip
    np.savez_compressed(
        out / "saliency.npz",
        heat=sal.heat.astype(np.float16),
        mass=sal.mass,
        density=sal.density,
        values=sal.values,
        actions=eps.episode(0)["actions"][: sal.t + 1],
        frames=frames[: sal.t + 1],
    )
    from .core import thirds

    summary = {
        "run": str(args.run_dir),
        "env": eps.env_id,
        "partial": eps.partial,
        "memory": run.config.memory,
        "algo": run.config.algo,
        "value": value,
        "t": sal.t,
        "action": sal.action,
        "thirds": thirds(sal.density).round(6).tolist(),
        "density": sal.density.round(6).tolist(),
    }
    (out / "saliency.json").write_text(json.dumps(summary, indent=1) + "\n")
    if sal.t < args.steps:
        print(f"the episode ended after {sal.t + 1} steps: probed its last step, t={sal.t}")
    th = ", ".join(f"{100 * x:.1f}%" for x in summary["thirds"])
    print(f"{value}(a={sal.action}) at t={sal.t}: gradient mass on first/middle/last third {th}")
    for path in (png, gif, out / "saliency.npz", out / "saliency.json"):
        print(path)
    return 0


@_guard
def _density(args: argparse.Namespace) -> int:
    from . import agent as ag
    from . import figures, tables

    _check(args)
    records = []
    for d in args.run_dirs:
        run = _load(d, args.agent)
        views = (False, True) if args.both_views else (args.partial,)
        for view in views:
            with _phase(f"recall density of {d} ({'POMDP' if view else 'MDP'})"):
                r = ag.run_recall_density(
                    run, args.episodes, args.steps, env_id=args.env, partial=view,
                    seed=args.seed, agent=args.agent,
                )  # fmt: skip
            records.append(r)
            th = ", ".join(f"{100 * x:.1f}%" for x in r["thirds"])
            print(f"{d} ({r['memory']}, {'POMDP' if r['partial'] else 'MDP'}): thirds {th}")
    out = Path(args.out)
    rows = [
        {
            "run": r["run"], "env": r["env"], "memory": r["memory"], "algo": r["algo"],
            "partial": r["partial"], "episodes": len(r["t"]), "t_mean": float(r["t"].mean()),
            **{f"third_{i + 1}": float(x) for i, x in enumerate(r["thirds"])},
            **{f"tenth_{i + 1}": float(x) for i, x in enumerate(r["profile"])},
        }
        for r in records
    ]  # fmt: skip
    csv = tables.write_csv(out / "density.csv", rows)
    envs = sorted({r["env"] for r in records})
    png = figures.density_figure(records, out / "density.png",
                                 title=f"recall density at step <= {args.steps}, {', '.join(envs)}")  # fmt: skip
    print(png)
    print(csv)
    return 0


def _frames(spec: str) -> tuple[int, int]:
    try:
        i, _, j = spec.partition(":")
        lo = int(i)
        hi = int(j) if j else lo + 1
    except ValueError:
        raise ValueError(f"--frames takes I:J (or I); got {spec!r}") from None
    if not 0 <= lo < hi:
        raise ValueError(f"--frames I:J needs 0 <= I < J; got {spec!r}")
    return lo, hi


@_guard
def _contamination(args: argparse.Namespace) -> int:
    from . import agent as ag
    from . import figures, tables
    from .core import PERTURBATIONS, persistence

    _check(args)
    frames = _frames(args.frames)
    kinds = [k.strip() for k in args.kinds.split(",") if k.strip()]
    bad = [k for k in kinds if k not in PERTURBATIONS]
    if bad or not kinds:
        raise ValueError(f"unknown perturbation(s) {bad}; choose from {', '.join(PERTURBATIONS)}")
    if args.steps + 1 < frames[1]:
        raise ValueError(f"--frames {args.frames} reach past --steps {args.steps}")
    run = _load(args.run_dir, args.agent)
    with _phase("contamination: rollouts and perturbations"):
        res, eps = ag.run_contamination(
            run, frames, args.steps, kinds=kinds, sigma=args.sigma, env_id=args.env,
            partial=args.partial, seed=args.seed, agent=args.agent,
        )  # fmt: skip
    value = ag.value_kind(run)
    out = Path(args.out or Path(args.run_dir) / "introspect")
    dist = res.distance
    rows = [
        {"kind": k, "step": t, "distance": float(dist[i, t])}
        for i, k in enumerate(res.labels)
        for t in range(dist.shape[1])
    ]
    csv = tables.write_csv(out / "contamination.csv", rows)
    png = figures.contamination_figure(
        res, frames, out / "contamination.png", value=value,
        title=f"{_title(run, eps.env_id, eps.partial)}: frames {frames[0]}..{frames[1] - 1} perturbed",
    )  # fmt: skip
    # values differ in scale between envs (CountRecall's rewards are 1/N): by default an effect
    # is a change of 1% of the clean values' typical size
    tol = args.tol if args.tol is not None else 0.01 * float(abs(res.clean).mean())
    for i, k in enumerate(res.labels):
        n = persistence(dist[i], frames[1] - 1, tol)
        end = " (to the end of the episode)" if frames[1] + n >= dist.shape[1] and n else ""
        print(f"{k}: |Δ{value}| > {tol:.3g} for {n} step(s) after the last perturbed frame{end}")
    print(png)
    print(csv)
    return 0


@_guard
def _gap(args: argparse.Namespace) -> int:
    from . import figures, tables

    if bool(args.table) == bool(args.run_dirs):
        raise ValueError("give run directories or --table CSV (one of the two)")
    if args.episodes < 1:
        raise ValueError("--episodes must be at least 1")
    out = Path(args.out)
    if args.table:
        rows = tables.read_table(args.table)
    else:
        rows = tables.returns_from_runs(args.run_dirs, args.episodes, args.seed, args.max_steps)
        print(tables.write_csv(out / "returns.csv", rows, tables.COLUMNS))
    stats = tables.gap_and_bias(rows)
    for s in stats:
        base = f" vs {s.baseline}" if s.baseline else ""
        print(
            f"{s.measure} {s.env} {s.algo} {s.memory}{base}: {s.mean:+.3f} ± {s.ci95:.3f} (n={s.n})"
        )
    if not stats:
        print("no pairs: the gap needs MDP and POMDP rows of one seed; the bias an MLP/none row")
    csv = tables.write_csv(
        out / "gap_bias.csv",
        [s.as_row() for s in stats],
        ["measure", "env", "algo", "memory", "baseline", "n", "mean", "ci95", "low", "high"],
    )
    png = figures.gap_figure(stats, out / "gap_bias.png")
    print(csv)
    print(png)
    return 0


def cmd_saliency(args: argparse.Namespace) -> int:
    """`arcade introspect saliency RUN_DIR`."""
    return _saliency(args)


def cmd_density(args: argparse.Namespace) -> int:
    """`arcade introspect density RUN_DIR...`."""
    return _density(args)


def cmd_contamination(args: argparse.Namespace) -> int:
    """`arcade introspect contamination RUN_DIR`."""
    return _contamination(args)


def cmd_gap(args: argparse.Namespace) -> int:
    """`arcade introspect gap RUN_DIR... | --table CSV`."""
    return _gap(args)
