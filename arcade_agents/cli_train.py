"""`arcade train` and `arcade eval`, added to the `arcade` command by the agents plugin.

    arcade train --algo pqn --env CartPoleEasy --total-frames 200000 --out runs/cp
    arcade train --algo ppo --memory gru --env CountRecallEasy --partial --set ent_coef=0.02
    arcade train --config my_run.toml --seeds 4          # flags override the file
    arcade train --resume runs/cp                        # continue an interrupted run
    arcade train --resume runs/cp --total-frames 400000  # extend a run to a larger budget
    arcade train --distributed --coordinator 10.0.0.1:1234 --num-processes 2 --process-id 0 ...
    arcade eval runs/cp --episodes 64 --record cp.gif

Building the parser imports no JAX (the configs are plain dataclasses), so `arcade list`
stays fast; every flag is checked, with did-you-mean hints, before anything compiles.
"""

from __future__ import annotations

import argparse
import dataclasses
import re
import sys
import time
from pathlib import Path
from typing import Any

# TrainConfig field -> flag, where the flag is not simply the field name with dashes
FLAG_NAMES = {"env_id": "--env"}
FLAG_HELP = {
    "algo": "training algorithm: pqn, ppo, dqn or a plugin's (default pqn)",
    "env_id": "env id, e.g. CartPoleEasy (see `arcade list`)",
    "partial": "train on the POMDP variant (--no-partial: the MDP)",
    "memory": "memory model from `arcade models`, or 'none' (default)",
    "devices": "devices to shard the env batch over: N or 'all'",
    "total_frames": "env steps per seed over the whole run",
    "num_envs": "envs per seed",
    "num_steps": "rollout length per update",
    "seeds": "independent seeds, trained at once (vmapped)",
}


def _base_fields() -> list[tuple[str, Any, Any]]:
    """(name, type, default) of every shared TrainConfig field."""
    from .train.api import TrainConfig
    from .train.config_io import field_types

    types_ = field_types(TrainConfig)
    return [(f.name, types_[f.name], f.default) for f in dataclasses.fields(TrainConfig)]


def _field_types() -> dict[str, Any]:
    """The argparse type of each shared field's flag that has bounds (checked at parse time;
    `TrainConfig.validate` checks the same of a --config file and --set)."""
    from arcade_core.argtypes import bounded_float, positive_int, seed_int

    from .train.api import MAX_FIELD

    types_: dict[str, Any] = {name: positive_int(hi) for name, hi in MAX_FIELD.items()}
    types_.update(
        seed=seed_int, lr=bounded_float(0.0, 1.0, lo_open=True), gamma=bounded_float(0.0, 1.0)
    )
    return types_


def _flag(name: str) -> str:
    return FLAG_NAMES.get(name, "--" + name.replace("_", "-"))


def add_parsers(sub: Any) -> None:
    """Register `train` and `eval` on the `arcade` sub-parsers."""
    p = sub.add_parser(
        "train",
        help="train an agent (PQN, PPO, DQN; with or without memory)",
        description="Train an agent; the run directory gets config.toml, metrics.csv, "
        "TensorBoard events (tb/), checkpoints/ and curve.png.",
        epilog="Algorithm-specific fields (e.g. PQN's lam, eps_decay) are set with "
        "--set KEY=VALUE or in the --config file; --print-config shows them all.",
    )
    from arcade_core.argtypes import (
        MAX_EPISODES,
        MAX_FPS,
        MAX_SCALE,
        MAX_STEPS,
        bounded_int,
        positive_float,
        positive_int,
        seed_int,
        writable_dir,
        writable_file,
    )

    from .train.api import MAX_FIELD, MAX_UPDATES, OBS_SIZES

    bounded = _field_types()
    g = p.add_argument_group("config (flags override --config FILE)")
    for name, typ, default in _base_fields():
        kw: dict[str, Any] = {"dest": f"cfg_{name}", "default": None}
        help_ = FLAG_HELP.get(name, "")
        if typ is bool:
            kw["action"] = argparse.BooleanOptionalAction
        elif name == "devices":
            kw["metavar"] = "N|all"
        else:
            kw["type"] = bounded.get(name, typ if typ in (int, float) else str)
            kw["metavar"] = "ID" if name == "env_id" else name.upper()
            if name == "obs_size":
                kw["choices"] = OBS_SIZES
        if default is not dataclasses.MISSING:
            help_ = f"{help_} [default: {default}]".strip()
        g.add_argument(_flag(name), help=help_, **{k: v for k, v in kw.items() if v is not None})
    g.add_argument(
        "--set",
        dest="overrides",
        action="extend",
        nargs="+",
        default=[],
        metavar="KEY=VALUE",
        help="any config field, e.g. --set lam=0.9 num_epochs=4",
    )
    g.add_argument("--config", metavar="FILE", help="a TOML or YAML file of config fields")
    p.add_argument(
        "--out", type=writable_dir, metavar="DIR",
        help="run directory [default: runs/<algo>_<env>_...]",
    )  # fmt: skip
    p.add_argument(
        "--resume", type=writable_dir, metavar="DIR",
        help="continue the run saved in DIR from its last checkpoint; with --total-frames N, "
        "extend it (finished or not) to N frames: its config is rewritten with the new total "
        "and the epsilon and learning-rate schedules run over N from then on (a finished run "
        "whose lr had decayed to 0 learns again), so the result differs from an N-frame run "
        "trained from scratch",
    )  # fmt: skip
    p.add_argument("--wandb", action="store_true", help="also log to Weights & Biases")
    p.add_argument(
        "--log-every", type=positive_int(MAX_UPDATES), metavar="N",
        help="updates per jitted call and log row",
    )  # fmt: skip
    p.add_argument(
        "--checkpoint-every", type=positive_int(MAX_UPDATES), metavar="N",
        help="updates between checkpoints",
    )  # fmt: skip
    p.add_argument(
        "--progress",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="show a progress bar (plain lines when not on a terminal)",
    )
    p.add_argument(
        "--print-config", action="store_true", help="print the resolved config (TOML) and exit"
    )
    g = p.add_argument_group(
        "several hosts (one process per host, the same command, its own --process-id)"
    )
    g.add_argument(
        "--distributed",
        action="store_true",
        help="one run over every host's devices; --devices defaults to all of them",
    )
    g.add_argument("--coordinator", metavar="HOST:PORT", help="process 0's address and a free port")
    hosts = MAX_FIELD["devices"]
    g.add_argument(
        "--num-processes", type=positive_int(hosts), metavar="N", help="processes in the run"
    )
    g.add_argument(
        "--process-id", type=bounded_int(0, hosts - 1), metavar="I",
        help="this process: 0 .. N-1",
    )  # fmt: skip
    p.set_defaults(func=cmd_train)

    p = sub.add_parser(
        "eval",
        help="evaluate a trained run: mean return with a 95%% CI, optional GIF",
        description="Evaluate a run's latest checkpoint on fresh episodes of its env.",
    )
    p.add_argument("run_dir", metavar="DIR")
    p.add_argument("--episodes", type=positive_int(MAX_EPISODES), default=32)
    p.add_argument(
        "--record", type=writable_file(".gif", ".mp4"), metavar="OUT.gif",
        help="write a video (GIF/MP4) of one episode",
    )  # fmt: skip
    p.add_argument(
        "--side-by-side",
        action="store_true",
        help="with --record: the MDP frame beside the POMDP frame of each state (the agent "
        "acts on its own view), each half labelled in a band above it",
    )
    p.add_argument(
        "--agent", type=bounded_int(0, MAX_FIELD["seeds"] - 1), default=0, metavar="K",
        help="which of the run's seeds",
    )  # fmt: skip
    p.add_argument(
        "--greedy",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="greedy actions (--no-greedy: the algorithm's exploration)",
    )
    p.add_argument(
        "--max-steps", type=positive_int(MAX_STEPS), default=None,
        help="cap on steps per episode",
    )  # fmt: skip
    p.add_argument("--seed", type=seed_int, default=1, help="seed of the evaluation episodes")
    p.add_argument("--fps", type=positive_float(MAX_FPS), default=20.0)
    p.add_argument(
        "--scale", type=positive_int(MAX_SCALE), default=2,
        help="integer upscaling of the video, nearest-neighbour (default 2)",
    )  # fmt: skip
    p.set_defaults(func=cmd_eval)


def _flags(args: argparse.Namespace) -> dict[str, Any]:
    """The config fields the user set on the command line (unset flags left out)."""
    out = {}
    for name, _, _ in _base_fields():
        value = getattr(args, f"cfg_{name}", None)
        if value is not None:
            out[name] = value
    if "devices" in out:
        out["devices"] = _devices(out["devices"])
    return out


def _devices(value: str) -> int:
    from arcade_core.errors import CLIError

    if str(value).strip().lower() == "all":
        import jax  # device discovery only; nothing compiles

        return jax.device_count()
    try:
        n = int(value)
        if n < 1:
            raise ValueError
    except ValueError:
        raise CLIError(f"--devices must be a positive integer or 'all'; got {value!r}") from None
    return n


def default_run_dir(config: Any, now: time.struct_time | None = None) -> Path:
    view = "pomdp" if config.partial else "mdp"
    memory = re.sub(r"[^a-z0-9.+_-]", "-", config.memory.lower())  # memax:GRU -> memax-gru
    stamp = time.strftime("%Y%m%d-%H%M%S", now or time.localtime())
    return Path("runs") / f"{config.algo}_{memory}_{config.env_id}_{view}_{stamp}"


DIST_FLAGS = ("coordinator", "num_processes", "process_id")


def _start_distributed(args: argparse.Namespace) -> None:
    """Check the multi-host flags (one-line errors, nothing started) and, under
    `--distributed`, join the run before anything touches a device."""
    from arcade_core.errors import CLIError

    from .train import distributed as dist

    given = ["--" + f.replace("_", "-") for f in DIST_FLAGS if getattr(args, f) is not None]
    if given and not args.distributed:
        verb = "needs" if len(given) == 1 else "need"
        raise CLIError(f"{' and '.join(given)} {verb} --distributed")
    if not args.distributed:
        return
    values = [getattr(args, f) for f in DIST_FLAGS]
    try:
        dist.check_args(*values)
    except dist.DistributedError as exc:
        raise CLIError(str(exc)) from None
    if args.print_config:
        return
    try:
        dist.initialize(*values)
    except (ValueError, RuntimeError) as exc:
        if args.coordinator is None and "coordinator_address" in str(exc):
            raise CLIError(
                "--distributed found no cluster environment (SLURM, Open MPI): give "
                "--coordinator, --num-processes and --process-id"
            ) from None
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        raise CLIError(f"--distributed: {first}") from None


def _shared_now() -> time.struct_time:
    """The time on process 0, in every process: one default run directory for all."""
    from .train import distributed as dist

    fields = dist.broadcast_int(list(time.localtime()[:6]))
    return time.struct_time((*fields, 0, 1, -1))


def cmd_train(args: argparse.Namespace) -> int:
    """Resolve and check the config (no compile), then hand over to the runner."""
    from arcade_core.argtypes import PathError, check_writable_dir
    from arcade_core.errors import CLIError

    from .train import config_io, run
    from .train.api import get_algorithm
    from .train.logging import wandb_available

    if args.wandb and not wandb_available():
        raise CLIError("--wandb needs wandb: pip install wandb")
    for name in ("log_every", "checkpoint_every"):
        value = getattr(args, name)
        if value is not None and value < 1:
            raise CLIError(f"--{name.replace('_', '-')} must be at least 1; got {value}")
    _start_distributed(args)
    lead = True
    if args.distributed and not args.print_config:
        from .train import distributed as dist

        lead = dist.is_lead()
    extend_to: int | None = None  # --resume DIR --total-frames N
    try:
        if args.resume:
            extend_to = _flags(args).pop("total_frames", None)
            given = [_flag(k) for k in _flags(args) if k != "total_frames"]
            given += ["--set"] * bool(args.overrides) + ["--config"] * bool(args.config)
            given += ["--out"] * bool(args.out)
            if given:
                raise CLIError(
                    f"--resume takes its config from {args.resume}/config.toml; "
                    f"drop {', '.join(dict.fromkeys(given))}"
                )
            if args.print_config:
                print(Path(args.resume, config_io.CONFIG_NAME).read_text(), end="")
                return 0
            config, run_dir = None, Path(args.resume)
            if extend_to is not None:  # checked against the run before anything compiles
                saved = config_io.load_config(run_dir, get_algorithm)
                if why := run.extension_problem(saved, extend_to, run_dir):
                    raise CLIError(why)
                if note := saved.replace(total_frames=extend_to).rounding_note():
                    print(note)
        else:
            flags = _flags(args)
            if args.distributed and not args.print_config and "devices" not in flags:
                import jax

                flags["devices"] = jax.device_count()  # every host's devices
            config = config_io.resolve(
                get_algorithm, flags=flags, overrides=args.overrides, config_file=args.config
            )
            if args.config and (note := config_io.predates_note(args.config, config)):
                print(note, file=sys.stderr)
            if args.print_config:
                print(config_io.to_toml(config), end="")
                return 0
            if args.out:
                run_dir = Path(args.out)
            elif args.distributed:
                run_dir = default_run_dir(config, _shared_now())
            else:
                run_dir = default_run_dir(config)
            try:  # before anything trains (--out was checked as it was parsed)
                check_writable_dir(run_dir)
            except PathError as exc:
                raise CLIError(str(exc)) from None
            if lead:
                print(f"run {run_dir}: {_describe(config)}")
                if note := config.rounding_note():
                    print(note)
        run.train(
            config,
            run_dir,
            resume=bool(args.resume),
            chunk=args.log_every,
            checkpoint_every=args.checkpoint_every,
            progress=args.progress,
            wandb=args.wandb,
            total_frames=extend_to,
        )
    except (ValueError, run.RunError, OSError) as exc:  # ConfigError, unknown names, ...
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        raise CLIError(first) from None
    return 0


def _describe(config: Any) -> str:
    view = "POMDP" if config.partial else "MDP"
    return (
        f"{config.algo} (memory {config.memory}) on {config.env_id} {view} {config.obs_size}px, "
        f"{config.total_frames:,} frames x {config.seeds} seed(s), "
        f"{config.num_envs} envs x {config.num_steps} steps per update"
    )


def cmd_eval(args: argparse.Namespace) -> int:
    """`arcade eval DIR`: mean return and 95% CI over fresh episodes; `--record` a video."""
    from arcade_core.argtypes import frames_problem
    from arcade_core.errors import CLIError, RecordError
    from arcade_core.media import frame_shape, label_views, require_imageio, upscale, write_video

    from .train import config_io, evaluate, run

    if args.episodes < 1 or (args.max_steps is not None and args.max_steps < 1):
        raise CLIError("--episodes and --max-steps must be at least 1")
    if args.scale < 1 or args.fps <= 0:
        raise CLIError("--fps must be positive and --scale at least 1")
    if args.side_by_side and not args.record:
        raise CLIError("--side-by-side shapes the video: give --record OUT.gif too")
    try:
        if args.record:
            require_imageio()
            if Path(args.record).suffix.lower() not in (".gif", ".mp4"):
                raise RecordError(f"cannot write {args.record!r}: use a .gif or .mp4 file name")
        loaded = run.restore(args.run_dir)
        if not 0 <= args.agent < loaded.config.seeds:
            raise CLIError(f"--agent must lie in [0, {loaded.config.seeds - 1}]")
        if args.record:  # the video's frames, upscaled, must fit before anything compiles
            steps = evaluate.episode_steps(loaded.config, args.max_steps)
            height, width = frame_shape(loaded.config.obs_size, args.side_by_side)
            if why := frames_problem(steps + 1, height * args.scale, width * args.scale):
                raise CLIError(f"--record: {why}; lower --max-steps or --scale")
        res = evaluate.evaluate(
            loaded,
            args.episodes,
            seed=args.seed,
            agent=args.agent,
            greedy=args.greedy,
            max_steps=args.max_steps,
            progress=True,
        )
        print(
            f"{loaded.config.env_id}: mean return {res.mean:+.3f} ± {res.ci95:.3f} (95% CI, "
            f"{res.n} episodes, {'greedy' if args.greedy else 'exploring'}, "
            f"{res.cut} cut at the step cap) after {loaded.frames:,} frames"
        )
        if args.record:
            (ep,) = evaluate.record_episodes(
                loaded, 1, seed=args.seed, agent=args.agent, greedy=args.greedy,
                max_steps=args.max_steps, both=args.side_by_side,
            )  # fmt: skip
            frames = label_views(ep.frames) if args.side_by_side else ep.frames
            path = write_video(args.record, upscale(frames, args.scale), args.fps)
            print(f"{path}  {len(ep.frames)} frames, return {ep.ret:+.3f}")
    except (ValueError, run.RunError, RecordError, OSError) as exc:
        if isinstance(exc, config_io.ConfigError | run.RunError | RecordError):
            raise CLIError(str(exc)) from None
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        raise CLIError(first) from None
    return 0
