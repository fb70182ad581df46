"""`arcade bench`: frames/s of a jitted `lax.scan` of vmapped steps with random actions, with
compile time reported apart, and the frame-write floor (a scan that merely writes a fresh
frame per step) measured in the same run.

With a floor, each env's timed runs alternate with runs of the floor, and its % of the floor
is the ratio of the two best times: a shared machine's speed drifts by up to 2x over minutes,
and a floor timed once per run would carry that drift into every env's ratio."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import jax
import jax.numpy as jnp

from ..policy import RANDOM
from ..rollout import Step, rollout, vmap_policy


def _make(env_id: str, **kwargs: Any) -> tuple[Any, Any]:
    from ..registry import make

    return make(env_id, **kwargs)


def _compile(fn: Callable[[jax.Array], Any], seed: int = 0) -> tuple[Any, float]:
    """The AOT-compiled `fn`, run once (warm-up), and its compile time in seconds."""
    t0 = time.perf_counter()
    compiled = jax.jit(fn).lower(jax.random.key(seed)).compile()
    compile_s = time.perf_counter() - t0
    jax.block_until_ready(compiled(jax.random.key(seed + 1)))
    return compiled, compile_s


def _run(compiled: Any, key: jax.Array) -> float:
    t = time.perf_counter()
    jax.block_until_ready(compiled(key))
    return time.perf_counter() - t


def time_fn(
    fn: Callable[[jax.Array], Any], repeats: int, seed: int = 0, floor: Any | None = None
) -> dict[str, float]:
    """Compile time and best run time of `fn`; with a compiled `floor`, each run is followed
    by a floor run and the floor's best time over them is returned too."""
    compiled, compile_s = _compile(fn, seed)
    times, floor_times = [], []
    for r in range(repeats):
        times.append(_run(compiled, jax.random.key(seed + 2 + r)))
        if floor is not None:
            floor_times.append(_run(floor, jax.random.key(seed + 2 + r)))
    out = {"compile_s": compile_s, "best_s": min(times)}
    if floor_times:
        out["floor_best_s"] = min(floor_times)
    return out


def rollout_fn(env: Any, params: Any, num_envs: int, steps: int) -> Callable[[jax.Array], Any]:
    """reset + scan over `steps` of vmapped random-action steps; returns the last frames and
    the summed reward (so that no step's work can be left out)."""
    policy = vmap_policy(RANDOM, num_envs)

    def add_reward(ret: jax.Array, s: Step) -> tuple[jax.Array, None]:
        return ret + s.reward.sum(), None

    def run(key: jax.Array) -> Any:
        r = rollout(
            env,
            params,
            policy,
            steps,
            key,
            num_envs=num_envs,
            observe=add_reward,
            init=jnp.float32(0),
        )
        return r.obs, r.acc

    return run


def bench_env(
    env_id: str,
    num_envs: int,
    steps: int,
    obs_size: int,
    partial: bool,
    repeats: int = 3,
    floor: Any | None = None,
    make: Callable[..., tuple[Any, Any]] | None = None,
    renderer: str = "tuned",
) -> dict[str, Any]:
    """One env's row; with `floor` (from `compile_floor`), timed alternately with it and
    reported with `floor_fps`, the floor's frames/s over the same stretch of time. `make`
    builds the env (default `arcade_core.make`; any `make(id, partial_obs=, obs_size=) ->
    (env, params)` of a gymnax-style env measures the same way); `renderer` picks the game's
    tuned or plain renderer (`arcade_core.make`'s argument, passed on only when "plain")."""
    extra = {"renderer": renderer} if renderer != "tuned" else {}
    env, params = (make or _make)(env_id, partial_obs=partial, obs_size=obs_size, **extra)
    t = time_fn(rollout_fn(env, params, num_envs, steps), repeats, floor=floor)
    row = dict(env=env_id, partial=partial, obs_size=obs_size, num_envs=num_envs, num_steps=steps,
               renderer=renderer, fps=num_envs * steps / t["best_s"], compile_s=t["compile_s"],
               best_s=t["best_s"])  # fmt: skip
    if "floor_best_s" in t:
        row.update(floor_best_s=t["floor_best_s"], floor_fps=num_envs * steps / t["floor_best_s"])
    return row


def floor_rollout(num_envs: int, steps: int, obs_size: int) -> Callable[[jax.Array], Any]:
    """A scan that merely writes a fresh uint8 frame per env per step (the harness's floor).
    Its own scan, not `rollout`: it plays no env and no policy, it is the cost the envs'
    frames/s are compared against."""

    def rollout(key: jax.Array) -> Any:
        base = jax.random.randint(key, (num_envs,), 0, 255, dtype=jnp.int32)

        def body(carry: Any, _: Any) -> Any:
            frame, i = carry
            value = ((base + i) % 256).astype(jnp.uint8)[:, None, None, None]
            return (jnp.broadcast_to(value, (num_envs, obs_size, obs_size, 3)), i + 1), None

        init = (jnp.zeros((num_envs, obs_size, obs_size, 3), jnp.uint8), 0)
        (frame, i), _ = jax.lax.scan(body, init, None, steps)
        return frame, i

    return rollout


def compile_floor(num_envs: int, steps: int, obs_size: int) -> tuple[Any, float]:
    """The compiled floor rollout (to pass to `bench_env`) and its compile time."""
    return _compile(floor_rollout(num_envs, steps, obs_size))


def floor_row(
    num_envs: int, steps: int, obs_size: int, best_s: float, compile_s: float
) -> dict[str, Any]:
    """The floor's own row: the cost of merely producing a fresh frame per env per step."""
    return dict(env="floor", obs_size=obs_size, num_envs=num_envs, num_steps=steps,
                fps=num_envs * steps / best_s, compile_s=compile_s, best_s=best_s)  # fmt: skip


def format_rows(rows: list[dict[str, Any]], floor: dict[str, Any] | None) -> str:
    """The table `arcade bench` prints; % of floor against each row's own `floor_fps` where
    it has one (the floor timed alongside it), else against `floor`."""
    plain = any(r.get("renderer", "tuned") != "tuned" for r in rows)  # then a renderer column
    head = f"{'env':24} {'variant':7} " + (f"{'renderer':8} " if plain else "")
    head += f"{'size':>4} {'envs':>5} {'frames/s':>12} {'compile s':>9}"
    head += f" {'% floor':>8}" if floor else ""
    lines = [head, "-" * len(head)]
    for r in rows:
        line = f"{r['env']:24} {'POMDP' if r['partial'] else 'MDP':7} "
        line += f"{r.get('renderer', 'tuned'):8} " if plain else ""
        line += f"{r['obs_size']:>4} {r['num_envs']:>5} {r['fps']:>12,.0f} {r['compile_s']:>9.2f}"
        if floor:
            line += f" {100 * r['fps'] / r.get('floor_fps', floor['fps']):>7.1f}%"
        lines.append(line)
    if floor:
        lines.append(
            f"{'floor (write a frame)':24} {'':7} "
            + (f"{'':8} " if plain else "")
            + f"{floor['obs_size']:>4} {floor['num_envs']:>5} "
            f"{floor['fps']:>12,.0f} {floor['compile_s']:>9.2f}"
        )
    return "\n".join(lines)
