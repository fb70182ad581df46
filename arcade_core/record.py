"""`arcade record`: roll episodes out under `jit` (vmapped over episodes) and write one GIF or
MP4 per episode with imageio; `--side-by-side` puts the MDP frame beside the POMDP frame of the
same state, so a viewer sees what the agent does not.

    arcade record CartPoleEasy MineSweeperHard --episodes 4 --side-by-side --out videos/

Each episode's video runs from the reset frame to the frame of its last state (the pre-reset
frame, `info["final_observation"]`), so an episode of length L has L + 1 frames; `--max-steps`
caps L. `--policy RUN_DIR` plays a trained agent (a run directory of `arcade train`) instead
of random actions: its env, view and size come from the run, and the agents package is
imported only then.

    arcade record --policy runs/quickstart --episodes 2 --out videos/
"""

from __future__ import annotations

import argparse
import functools
import os
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np


VIZ_HINT = "pip install 'pomdp-arcade[viz]'"
FORMATS = ("gif", "mp4")
DIVIDER_PX = 2  # grey columns between the MDP and the POMDP frame (keeps the width even)
DIVIDER_RGB = (128, 128, 128)
BATCH_BYTES = 512 * 2**20  # frames held at once by one vmapped rollout


class RecordError(Exception):
    """A problem the user can fix (missing extra, bad argument): one line, no traceback."""


@dataclass
class Episode:
    """One recorded episode: `frames` uint8[L+1, H, W, 3] from reset to last state, the
    per-step `rewards` float32[L], and whether it ended (`done`) within the step cap."""

    env_id: str
    index: int
    frames: np.ndarray
    rewards: np.ndarray
    done: bool

    @property
    def length(self) -> int:
        return len(self.rewards)

    @property
    def ret(self) -> float:
        return float(self.rewards.sum())


def require_imageio() -> Any:
    """`imageio.v3`, or a `RecordError` naming the extra to install."""
    try:
        import imageio.v3 as iio
    except ImportError:
        raise RecordError(f"writing videos needs imageio: {VIZ_HINT}") from None
    return iio


def make_env(env_id: str, partial: bool, obs_size: int) -> tuple[Any, Any]:
    """`make` with the pre-reset frame in `info` (so a video shows how an episode ended); a
    third-party env whose constructor lacks `final_observation` is made without it."""
    from .registry import make

    try:
        return make(env_id, partial_obs=partial, obs_size=obs_size, final_observation=True)
    except TypeError:
        return make(env_id, partial_obs=partial, obs_size=obs_size)


def last_frame(obs: Any, done: Any, info: dict[str, Any]) -> Any:
    """The frame of the state a step reached: the pre-reset frame when `done` (if the env
    provides it), else `obs`."""
    import jax.numpy as jnp

    final = info.get("final_observation")
    return obs if final is None else jnp.where(done, final, obs)


def side_by_side(mdp: Any, pomdp: Any) -> Any:
    """MDP frame | grey divider | POMDP frame, along the width (works on numpy and jax)."""
    import numpy as np

    if isinstance(mdp, np.ndarray):
        xp: Any = np
    else:
        import jax.numpy as xp
    div = xp.broadcast_to(
        xp.asarray(DIVIDER_RGB, xp.uint8), (*mdp.shape[:-2], DIVIDER_PX, mdp.shape[-1])
    )
    return xp.concatenate([mdp, div, pomdp], axis=-2)


@functools.lru_cache(maxsize=16)
def _rollout_fn(
    env_id: str, partial: bool, both: bool, obs_size: int, steps: int
) -> Callable[[Any], dict[str, Any]]:
    """A jitted `keys[B] -> {"first", "frames", "rewards", "dones"}` rolling B random-policy
    episodes for `steps` steps (cached: tests and the gallery reuse the compiled function)."""
    import jax

    from .spaces import NUM_ACTIONS

    if both:  # the same state, stepped by both variants with the same key and action
        envs = [make_env(env_id, False, obs_size)[0], make_env(env_id, True, obs_size)[0]]
    else:
        envs = [make_env(env_id, partial, obs_size)[0]]
    params = envs[0].default_params

    def frame(frames: list[Any]) -> Any:
        return side_by_side(*frames) if both else frames[0]

    def one(key: jax.Array) -> dict[str, Any]:
        key, k_reset = jax.random.split(key)
        _, state = envs[0].reset(k_reset, params)
        first = frame([e.render(state, params) for e in envs])

        def body(carry: tuple[Any, Any], _: None) -> tuple[tuple[Any, Any], dict[str, Any]]:
            state, key = carry
            key, k_act, k_step = jax.random.split(key, 3)
            action = jax.random.randint(k_act, (), 0, NUM_ACTIONS)
            outs = [e.step(k_step, state, action, params) for e in envs]
            _, new_state, reward, done, _ = outs[0]
            shown = frame([last_frame(o[0], o[3], o[4]) for o in outs])
            return (new_state, key), {"frames": shown, "rewards": reward, "dones": done}

        _, out = jax.lax.scan(body, (state, key), None, length=steps)
        return {"first": first, **out}

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
) -> list[Episode]:
    """Play `episodes` random-policy episodes of `env_id` under jit, vmapped in batches that
    fit in ~512 MB, each cut at its first `done` (or at `max_steps`, default the time limit).
    `both` records MDP | POMDP side by side, else the variant `partial` selects."""
    import jax
    import numpy as np

    from .registry import spec

    sp = spec(env_id)
    steps = int(max_steps or sp.max_steps)
    if steps < 1 or episodes < 1:
        raise RecordError("--episodes and --max-steps must be at least 1")
    width = obs_size * (2 if both else 1) + (DIVIDER_PX if both else 0)
    per_episode = (steps + 1) * obs_size * width * 3
    batch = max(1, min(episodes, BATCH_BYTES // per_episode))
    fn = _rollout_fn(env_id, partial, both, obs_size, steps)
    keys = jax.random.split(jax.random.key(seed), episodes)
    result: list[Episode] = []
    for start in range(0, episodes, batch):
        chunk = keys[start : start + batch]
        if len(chunk) < batch:  # keep one compiled shape: pad, then drop the padding
            chunk = jax.numpy.concatenate([chunk, keys[: batch - len(chunk)]])
        out = jax.device_get(fn(chunk))
        for b in range(min(batch, episodes - start)):
            dones = out["dones"][b]
            ended = bool(dones.any())
            length = int(np.argmax(dones)) + 1 if ended else steps
            frames = np.concatenate([out["first"][b][None], out["frames"][b][:length]])
            rewards = np.asarray(out["rewards"][b][:length], np.float32)
            result.append(Episode(env_id, start + b, frames, rewards, ended))
    return result


def upscale(frames: np.ndarray, scale: int) -> np.ndarray:
    """Nearest-neighbour upscaling by an integer factor (pixel art stays crisp)."""
    if scale == 1:
        return frames
    return frames.repeat(scale, axis=-3).repeat(scale, axis=-2)


def write_video(path: str | os.PathLike[str], frames: np.ndarray, fps: float) -> Path:
    """Write uint8[T, H, W, 3] frames as a looping GIF or an H.264 MP4, by the file suffix."""
    import numpy as np

    iio = require_imageio()
    path = Path(path)
    fmt = path.suffix.lower().lstrip(".")
    if fmt not in FORMATS:
        raise RecordError(f"cannot write {path.name!r}: use a .gif or .mp4 file name")
    frames = np.ascontiguousarray(frames, np.uint8)
    path.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "gif":
        iio.imwrite(path, frames, extension=".gif", duration=1000.0 / fps, loop=0)
    else:
        try:
            with warnings.catch_warnings():  # ffmpeg runs as a subprocess: fork, then exec
                warnings.filterwarnings("ignore", "os.fork", RuntimeWarning)
                iio.imwrite(
                    path, frames, extension=".mp4", fps=fps, codec="libx264", macro_block_size=1
                )
        except (ImportError, RuntimeError) as exc:
            first = (str(exc).strip().splitlines() or [""])[0]
            raise RecordError(f"cannot write MP4 ({first}): {VIZ_HINT} installs ffmpeg") from None
    return path


def video_name(env_id: str, index: int, partial: bool, both: bool, fmt: str) -> str:
    view = "side" if both else ("pomdp" if partial else "mdp")
    return f"{env_id}_{view}_ep{index}.{fmt}"


def policy_episodes(args: argparse.Namespace) -> tuple[str, bool, list[Episode]]:
    """`(env_id, partial, episodes)` played by the trained agent of the run directory
    `args.policy`, on the env and view it was trained on."""
    try:
        from arcade_agents.train import evaluate, run
    except ImportError as exc:
        raise RecordError(
            f"--policy needs the agents extra ({exc}): pip install 'pomdp-arcade[agents]'"
        ) from None
    try:
        loaded = run.restore(args.policy)
    except (ValueError, run.RunError) as exc:
        raise RecordError(f"--policy {args.policy}: {exc}") from None
    config = loaded.config
    for env_id in args.env_ids:
        if env_id != config.env_id:
            raise RecordError(
                f"--policy {args.policy} was trained on {config.env_id}, not {env_id}"
            )
    if args.partial and not config.partial:
        raise RecordError(
            f"--policy {args.policy} sees the MDP view; use --side-by-side to show the POMDP too"
        )
    if args.obs_size != config.obs_size:
        print(f"(using the run's obs size, {config.obs_size})")
    episodes = evaluate.record_episodes(
        loaded, args.episodes, seed=args.seed, max_steps=args.max_steps, both=args.side_by_side
    )
    return config.env_id, bool(config.partial), episodes


def cmd_record(args: argparse.Namespace) -> int:
    """Validate everything cheap first (ids, policy, extra), then roll out and write."""
    from .cli import CLIError
    from .registry import spec

    if not args.env_ids and args.policy == "random":
        raise CLIError("give at least one env id (or --policy RUN_DIR)")
    try:
        for env_id in args.env_ids:
            spec(env_id)
    except ValueError as exc:  # unknown id, with a did-you-mean
        raise CLIError(str(exc)) from None
    try:
        if args.policy != "random" and not Path(args.policy, "config.toml").is_file():
            raise RecordError(
                f"--policy {args.policy}: not a training run directory (no config.toml); "
                "use 'random' or a directory written by `arcade train`"
            )
        if args.episodes < 1 or (args.max_steps is not None and args.max_steps < 1):
            raise RecordError("--episodes and --max-steps must be at least 1")
        if args.fps <= 0 or args.scale < 1:
            raise RecordError("--fps must be positive and --scale at least 1")
        require_imageio()
        if args.policy != "random":
            env_id, partial, episodes = policy_episodes(args)
            for ep in episodes:
                name = video_name(env_id, ep.index, partial, args.side_by_side, args.format)
                path = write_video(Path(args.out) / name, upscale(ep.frames, args.scale), args.fps)
                end = "done" if ep.done else "cut"
                print(
                    f"{path}  {len(ep.frames)} frames, {ep.length} steps ({end}), return {ep.ret:+.3f}"
                )
            return 0
        for env_id in args.env_ids:
            episodes = rollout(
                env_id,
                args.episodes,
                partial=args.partial,
                both=args.side_by_side,
                obs_size=args.obs_size,
                seed=args.seed,
                max_steps=args.max_steps,
            )
            for ep in episodes:
                name = video_name(env_id, ep.index, args.partial, args.side_by_side, args.format)
                path = write_video(Path(args.out) / name, upscale(ep.frames, args.scale), args.fps)
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
    p.add_argument("--episodes", type=int, default=4, help="episodes (files) per env")
    p.add_argument("--partial", action="store_true", help="record the POMDP variant")
    p.add_argument("--side-by-side", action="store_true", help="MDP beside POMDP of the same state")
    p.add_argument("--out", default="videos", metavar="DIR", help="output folder")
    p.add_argument("--format", choices=FORMATS, default="gif")
    p.add_argument("--obs-size", type=int, default=128, choices=[128, 256])
    p.add_argument("--scale", type=int, default=1, help="integer upscaling of the video")
    p.add_argument("--fps", type=float, default=20.0)
    p.add_argument("--max-steps", type=int, default=None, help="cap on steps per episode")
    p.add_argument("--seed", type=int, default=0)
    p.set_defaults(func=cmd_record)
    return p
