"""`arcade sweep`: a grid of training runs on Ray, added to `arcade` by the agents plugin.

    arcade sweep --preset smoke --out sweeps/smoke               # minutes on a laptop CPU
    arcade sweep --preset paper --dry-run                        # 300 trials, nothing runs
    arcade sweep --config grid.toml --out sweeps/mine --max-concurrent 4
    arcade sweep --env CartPoleEasy CountRecallEasy --both-views --memory none GRU \
        --seeds 3 --total-frames 1e6 --set lr=1e-4,3e-4 --out sweeps/lr
    arcade sweep --preset paper --out sweeps/paper --address auto --gpus-per-trial 0.25

Running the same command again skips finished trials and resumes the rest from their
checkpoints; the exit status is 1 when some trial failed. Building the parser, `--print` and
`--dry-run` import neither JAX nor Ray.
"""

from __future__ import annotations

import argparse
import textwrap
from typing import Any

DESCRIPTION = (
    "Train every trial of a grid (envs x views x memory models x algorithms x any config "
    "field given several values) as Ray tasks. Each trial is an ordinary run directory "
    "DIR/trials/<name>/ (config.toml, metrics.csv, checkpoints/; `arcade eval` works on it), "
    "evaluated greedily at its end into result.json; DIR/results.csv gathers every trial's "
    "rows and DIR/sweep.toml records the grid. Re-running the same command skips finished "
    "trials and resumes the others from their last checkpoint. Exit status 1: some trial "
    "failed (see results.csv and the trial's train.log)."
)
EPILOG = """\
A sweep file (TOML or YAML) uses `arcade train`'s config fields, a list wherever a field
varies, plus [by_env.GAME_OR_ID], [by_algo.NAME], [by_memory.NAME] tables of fields for
some trials (e.g. [by_env.CartPole] total_frames = 10_000_000). Layers: --preset < --config
< flags. Presets:
"""


MAX_TRIALS = 65_536  # trials at once, and the CPUs or GPUs of one


def add_parsers(sub: Any) -> None:
    """Register `sweep` on the `arcade` sub-parsers (imports no JAX or Ray)."""
    from arcade_core.argtypes import (
        MAX_EPISODES,
        bounded_float,
        bounded_int,
        positive_float,
        positive_int,
        writable_dir,
    )

    from ..train.api import MAX_FIELD
    from .grid import PRESET_HELP

    p = sub.add_parser(
        "sweep",
        help="train a grid of runs (envs x views x memory models x algorithms) on Ray",
        description=textwrap.fill(DESCRIPTION, 88),
        epilog=EPILOG + "\n".join(f"  {k:6} {v}" for k, v in PRESET_HELP.items()),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    g = p.add_argument_group("the grid (flags override --config, which overrides --preset)")
    g.add_argument("--preset", choices=sorted(PRESET_HELP), help="a built-in grid")
    g.add_argument("--config", metavar="FILE", help="a TOML or YAML sweep file")
    g.add_argument("--env", nargs="+", metavar="ID", help="env ids (see `arcade list`)")
    view = g.add_mutually_exclusive_group()
    view.add_argument(
        "--partial", dest="view", action="store_const", const="pomdp", help="POMDP view only"
    )
    view.add_argument(
        "--no-partial", dest="view", action="store_const", const="mdp", help="MDP view only"
    )
    view.add_argument(
        "--both-views", dest="view", action="store_const", const="both", help="MDP and POMDP"
    )
    g.add_argument("--memory", nargs="+", metavar="MODEL", help="memory models, or none")
    g.add_argument("--algo", nargs="+", metavar="NAME", help="algorithms (pqn, ppo, dqn, ...)")
    g.add_argument(
        "--seeds", type=positive_int(MAX_FIELD["seeds"]), metavar="N",
        help="seeds per trial, trained at once",
    )  # fmt: skip
    g.add_argument("--total-frames", nargs="+", metavar="N", help="frames per seed (all trials)")
    g.add_argument(
        "--set",
        dest="overrides",
        action="extend",
        nargs="+",
        default=[],
        metavar="KEY=VALUE",
        help="any config field; KEY=V1,V2 varies it, e.g. --set lr=1e-4,3e-4 num_envs=32",
    )
    r = p.add_argument_group("running")
    r.add_argument(
        "--out", type=writable_dir, metavar="DIR", help="the sweep directory (required to run)"
    )
    r.add_argument(
        "--eval-episodes", type=positive_int(MAX_EPISODES), default=32, metavar="N",
        help="greedy episodes per seed [32]",
    )  # fmt: skip
    r.add_argument(
        "--max-concurrent", type=positive_int(MAX_TRIALS), metavar="N",
        help="trials at once [as resources allow]",
    )  # fmt: skip
    r.add_argument(
        "--cpus-per-trial", type=positive_float(MAX_TRIALS), default=1.0, metavar="X",
        help="Ray CPUs per trial [1]",
    )  # fmt: skip
    r.add_argument(
        "--gpus-per-trial",
        type=bounded_float(0.0, MAX_TRIALS),
        metavar="X",
        help="Ray GPUs per trial, fractions share a GPU [1 if there are GPUs, else 0]",
    )
    r.add_argument(
        "--address",
        metavar="auto|HOST:PORT",
        help="join this Ray cluster (DIR must be on a file system its nodes share) "
        "instead of starting a local one",
    )
    r.add_argument(
        "--max-retries",
        type=bounded_int(0, 1_000),
        default=3,
        metavar="N",
        help="re-runs of a trial whose worker died (it resumes from its checkpoint) [3]",
    )
    r.add_argument(
        "--retry-failed", action="store_true", help="run trials recorded as failed again"
    )
    r.add_argument(
        "--print", action="store_true", help="print the resolved grid as a sweep file and exit"
    )
    r.add_argument(
        "--dry-run",
        action="store_true",
        help="list the trials and their total frames and exit (nothing compiles)",
    )
    p.set_defaults(func=cmd_sweep)


def _settings(args: argparse.Namespace) -> Any:
    from arcade_core.errors import CLIError

    from .runner import Settings

    checks = [
        (args.eval_episodes >= 1, "--eval-episodes must be at least 1"),
        (args.max_concurrent is None or args.max_concurrent >= 1, "--max-concurrent must be at least 1"),
        (args.cpus_per_trial > 0, "--cpus-per-trial must be positive"),
        (args.gpus_per_trial is None or args.gpus_per_trial >= 0, "--gpus-per-trial must be 0 or more"),
        (args.max_retries >= 0, "--max-retries must be 0 or more"),
        (args.seeds is None or args.seeds >= 1, "--seeds must be at least 1"),
    ]  # fmt: skip
    for ok, message in checks:
        if not ok:
            raise CLIError(message)
    return Settings(
        eval_episodes=args.eval_episodes,
        max_concurrent=args.max_concurrent,
        cpus_per_trial=args.cpus_per_trial,
        gpus_per_trial=args.gpus_per_trial,
        address=args.address,
        max_retries=args.max_retries,
        retry_failed=args.retry_failed,
    )


def cmd_sweep(args: argparse.Namespace) -> int:
    """Resolve and validate the whole grid, then show it (`--print`, `--dry-run`) or run it."""
    from arcade_core.errors import CLIError

    from . import grid

    settings = _settings(args)
    try:
        flags = grid.spec_from_flags(
            env=args.env,
            view=args.view,
            memory=args.memory,
            algo=args.algo,
            seeds=args.seeds,
            total_frames=args.total_frames,
            overrides=args.overrides,
        )
        spec = grid.resolve_spec(args.preset, args.config, flags)
        if args.print or args.dry_run:
            trials = grid.expand(spec, check_memory=False)  # the zoo's names need JAX
            if args.print:
                print(grid.to_toml(spec), end="")
            if args.dry_run:
                print(grid.describe(trials))
            return 0
        if not args.out:
            raise CLIError("--out DIR is required to run a sweep (--dry-run lists its trials)")
        from . import runner

        runner.require_ray()
        trials = grid.expand(spec)
        summary_line = grid.describe(trials).splitlines()[-1]
        print(f"sweep {args.out}: {summary_line}", flush=True)
        summary = runner.run_sweep(
            spec, trials, args.out, settings, log=lambda s: print(s, flush=True)
        )
        print(runner.describe_outcome(summary))
    except (ValueError, OSError) as exc:  # SweepError, ConfigError, unreadable folders
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        raise CLIError(first) from None
    return 1 if summary.failed else 0
