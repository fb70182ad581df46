"""`arcade record`: roll episodes out under `jit` (vmapped over episodes) and write one GIF or
MP4 per episode with imageio; `--side-by-side` puts the MDP frame beside the POMDP frame of the
same state, so a viewer sees what the agent does not, with "MDP" and "POMDP" written in a band
above the halves; `--scale K` upscales by K, nearest-neighbour.

    arcade record CartPoleEasy MineSweeperHard --episodes 4 --side-by-side --out videos/

Each episode's video runs from the reset frame to the frame of its last state (the pre-reset
frame, `info["final_observation"]`), so an episode of length L has L + 1 frames; `--max-steps`
caps L. Episodes are played by a `Policy` (`arcade_core.policy`): uniformly random actions by
default, or `--policy SOURCE`, a policy that a plugin loads through the `arcade_record_policy`
hook (the agents load a run directory of `arcade train`: its env, view and size come from the
run).

    arcade record --policy runs/quickstart --episodes 2 --out videos/
"""

from __future__ import annotations

import argparse
import functools
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..argtypes import (
    MAX_FPS,
    MAX_RECORD_EPISODES,
    MAX_SCALE,
    MAX_STEPS,
    frames_problem,
    positive_float,
    positive_int,
    seed_int,
    writable_dir,
)
from ..errors import CLIError, RecordError
from ..media import (
    DIVIDER_PX,
    DIVIDER_RGB,
    FORMATS,
    VIZ_HINT,
    BothViews,
    Episode,
    cut_episode,
    frame_shape,
    label_views,
    make_env,
    require_imageio,
    upscale,
    video_frame,
    write_video,
)
from ..policy import RANDOM, Policy

__all__ = [  # the media names are re-exported for scripts that record
    "DIVIDER_PX",
    "DIVIDER_RGB",
    "FORMATS",
    "VIZ_HINT",
    "Episode",
    "RecordError",
    "add_parser",
    "require_imageio",
    "rollout",
    "upscale",
    "video_name",
    "write_video",
]

BATCH_BYTES = 512 * 2**20  # frames held at once by one vmapped rollout


@functools.lru_cache(maxsize=16)
def _rollout_fn(
    env_id: str, partial: bool, both: bool, obs_size: int, steps: int, policy: Policy = RANDOM
) -> Callable[[Any], dict[str, Any]]:
    """A jitted `keys[B] -> {"first", "frames", "rewards", "dones"}` rolling B episodes of
    `policy` for `steps` steps (cached: tests and the gallery reuse the compiled function)."""
    import jax

    from ..rollout import rollout as play

    if both:  # the same state, stepped by both variants with the same key and action
        env = BothViews(
            make_env(env_id, False, obs_size)[0], make_env(env_id, True, obs_size)[0], partial
        )
    else:
        env = make_env(env_id, partial, obs_size)[0]
    params = env.default_params

    def keep(acc: None, s: Any) -> tuple[None, dict[str, Any]]:
        frame = video_frame(s.next_obs, s.done, s.info)
        return acc, {"frames": frame, "rewards": s.reward, "dones": s.done}

    def one(key: jax.Array) -> dict[str, Any]:
        out = play(env, params, policy, steps, key, observe=keep)
        return {"first": env.render(out.first_state, params), **out.steps}

    return jax.jit(jax.vmap(one))


def rollout(
    env_id: str,
    episodes: int = 1,
    *,
    partial: bool = False,
    both: bool = False,
    obs_size: int = 128,
    seed: int = 0,
    max_steps: int | None = None,
    policy: Policy = RANDOM,
) -> list[Episode]:
    """Play `episodes` episodes of `env_id` with `policy` (default: random actions) under jit,
    vmapped in batches that fit in ~512 MB, each cut at its first `done` (or at `max_steps`,
    default the time limit). `both` records MDP | POMDP side by side, else the variant
    `partial` selects; the policy sees the variant `partial` selects either way."""
    import jax

    from ..registry import spec

    sp = spec(env_id)
    steps = int(max_steps or sp.max_steps)
    if steps < 1 or episodes < 1:
        raise RecordError("--episodes and --max-steps must be at least 1")
    width = obs_size * (2 if both else 1) + (DIVIDER_PX if both else 0)
    per_episode = (steps + 1) * obs_size * width * 3
    batch = max(1, min(episodes, BATCH_BYTES // per_episode))
    fn = _rollout_fn(env_id, partial, both, obs_size, steps, policy)
    keys = jax.random.split(jax.random.key(seed), episodes)
    result: list[Episode] = []
    for start in range(0, episodes, batch):
        chunk = keys[start : start + batch]
        if len(chunk) < batch:  # keep one compiled shape: pad, then drop the padding
            chunk = jax.numpy.concatenate([chunk, keys[: batch - len(chunk)]])
        out = jax.device_get(fn(chunk))
        for b in range(min(batch, episodes - start)):
            first, frames = out["first"][b], out["frames"][b]
            rewards, dones = out["rewards"][b], out["dones"][b]
            result.append(cut_episode(env_id, start + b, first, frames, rewards, dones))
    return result


def video_name(env_id: str, index: int, partial: bool, both: bool, fmt: str) -> str:
    view = "side" if both else ("pomdp" if partial else "mdp")
    return f"{env_id}_{view}_ep{index}.{fmt}"


def load_policy(source: str) -> Policy:
    """The policy `--policy SOURCE` names: `random`, or what a plugin's `arcade_record_policy`
    hook loads (the agents load a run directory of `arcade train`)."""
    if source == "random":
        return RANDOM
    from ..plugins import get_plugin_manager
    from . import hookspecs

    plugins = get_plugin_manager()
    plugins.add_hookspecs(hookspecs)
    found = [p for _, p in plugins.call("arcade_record_policy", source=source)]
    if not found:
        raise RecordError(
            f"--policy {source}: not a training run directory (no config.toml) nor any other "
            "policy an installed plugin can load; use 'random' or a directory written by "
            "`arcade train`"
        )
    return found[0]


def _policy_view(args: argparse.Namespace, policy: Policy) -> tuple[list[str], bool, int]:
    """`(env ids, partial, obs size)` to record `policy` on: what it was made for, where it
    says; a conflicting choice on the command line is a `RecordError`."""
    env_ids = list(args.env_ids)
    if policy.env_id is not None:
        for env_id in env_ids:
            if env_id != policy.env_id:
                raise RecordError(
                    f"--policy {args.policy} was trained on {policy.env_id}, not {env_id}"
                )
        env_ids = [policy.env_id]
    partial = bool(args.partial)
    if policy.partial is not None:
        if args.partial and not policy.partial:
            raise RecordError(
                f"--policy {args.policy} sees the MDP view; use --side-by-side to show the "
                "POMDP too"
            )
        partial = policy.partial
    obs_size = args.obs_size
    if policy.obs_size is not None and policy.obs_size != obs_size:
        print(f"(using the run's obs size, {policy.obs_size})")
        obs_size = policy.obs_size
    return env_ids, partial, obs_size


def cmd_record(args: argparse.Namespace) -> int:
    """Validate everything cheap first (ids, options, extra), load the policy, then roll out
    and write."""
    from ..registry import spec

    if not args.env_ids and args.policy == "random":
        raise CLIError("give at least one env id (or --policy RUN_DIR)")
    try:
        for env_id in args.env_ids:
            steps = args.max_steps or spec(env_id).max_steps
            height, width = frame_shape(args.obs_size, args.side_by_side, labelled=False)
            if why := frames_problem(args.episodes * (steps + 1), height, width):
                raise CLIError(
                    f"{env_id}: {args.episodes} episode(s): {why}; lower --episodes or --max-steps"
                )
            # one episode at a time is labelled and upscaled for its video
            scaled = max(args.scale, 1)
            height, width = frame_shape(args.obs_size, args.side_by_side)
            if why := frames_problem(steps + 1, height * scaled, width * scaled):
                raise CLIError(f"{env_id}: one episode at --scale {scaled}: {why}")
    except ValueError as exc:  # unknown id, with a did-you-mean
        raise CLIError(str(exc)) from None
    try:
        if args.episodes < 1 or (args.max_steps is not None and args.max_steps < 1):
            raise RecordError("--episodes and --max-steps must be at least 1")
        if args.fps <= 0 or args.scale < 1:
            raise RecordError("--fps must be positive and --scale at least 1")
        require_imageio()
        policy = load_policy(args.policy)
        env_ids, partial, obs_size = _policy_view(args, policy)
        for env_id in env_ids:
            episodes = rollout(
                env_id,
                args.episodes,
                partial=partial,
                both=args.side_by_side,
                obs_size=obs_size,
                seed=args.seed,
                max_steps=args.max_steps,
                policy=policy,
            )
            for ep in episodes:
                name = video_name(env_id, ep.index, partial, args.side_by_side, args.format)
                frames = label_views(ep.frames) if args.side_by_side else ep.frames
                path = write_video(Path(args.out) / name, upscale(frames, args.scale), args.fps)
                end = "done" if ep.done else "cut"
                print(
                    f"{path}  {len(ep.frames)} frames, {ep.length} steps ({end}), return {ep.ret:+.3f}"
                )
    except RecordError as exc:
        raise CLIError(str(exc)) from None
    return 0


def add_parser(sub: Any) -> argparse.ArgumentParser:
    """Add `arcade record` to the CLI's sub-parsers."""
    p = sub.add_parser(
        "record",
        help="roll out episodes and write GIF/MP4 videos",
        description="Roll out episodes under jit (vmapped) and write one video per episode.",
    )
    p.add_argument("env_ids", nargs="*", metavar="ID")
    p.add_argument(
        "--policy",
        default="random",
        metavar="random|RUN_DIR",
        help="'random' (uniform over the 5 actions) or a run directory of `arcade train` "
        "(its env by default)",
    )
    p.add_argument(
        "--episodes", type=positive_int(MAX_RECORD_EPISODES), default=4,
        help="episodes (files) per env",
    )  # fmt: skip
    p.add_argument("--partial", action="store_true", help="record the POMDP variant")
    p.add_argument(
        "--side-by-side",
        action="store_true",
        help="MDP beside POMDP of the same state, each half labelled in a band above it",
    )
    p.add_argument(
        "--out", type=writable_dir, default="videos", metavar="DIR", help="output folder"
    )
    p.add_argument("--format", choices=FORMATS, default="gif")
    p.add_argument("--obs-size", type=int, default=128, choices=[128, 256])
    p.add_argument(
        "--scale", type=positive_int(MAX_SCALE), default=1,
        help="integer upscaling of the video, nearest-neighbour (default 1: the env's own "
        "pixels, e.g. 128 px high plus the 16 px label band with --side-by-side)",
    )  # fmt: skip
    p.add_argument("--fps", type=positive_float(MAX_FPS), default=20.0)
    p.add_argument(
        "--max-steps", type=positive_int(MAX_STEPS), default=None,
        help="cap on steps per episode",
    )  # fmt: skip
    p.add_argument("--seed", type=seed_int, default=0)
    p.set_defaults(func=cmd_record)
    return p
