"""`arcade bench`: frames/s of a jitted `lax.scan` of vmapped steps with random actions — the
same measurement as `shared/bench/throughput.py` — with compile time reported apart, and the
frame-write floor (a scan that merely writes a fresh frame per step) measured in the same run."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import jax
import jax.numpy as jnp

from .registry import make


def _time(fn: Callable[[jax.Array], Any], repeats: int, seed: int = 0) -> dict[str, float]:
    t0 = time.perf_counter()
    compiled = jax.jit(fn).lower(jax.random.key(seed)).compile()
    compile_s = time.perf_counter() - t0
    jax.block_until_ready(compiled(jax.random.key(seed + 1)))  # warm-up
    times = []
    for r in range(repeats):
        t = time.perf_counter()
        jax.block_until_ready(compiled(jax.random.key(seed + 2 + r)))
        times.append(time.perf_counter() - t)
    return {"compile_s": compile_s, "best_s": min(times)}


def rollout_fn(env: Any, params: Any, num_envs: int, steps: int) -> Callable[[jax.Array], Any]:
    """reset + scan over `steps` of vmapped random-action steps; returns the last frames."""
    v_reset = jax.vmap(env.reset, in_axes=(0, None))
    v_step = jax.vmap(env.step, in_axes=(0, 0, 0, None))
    v_sample = jax.vmap(env.action_space(params).sample)

    def rollout(key: jax.Array) -> Any:
        k_reset, k_scan = jax.random.split(key)
        obs, state = v_reset(jax.random.split(k_reset, num_envs), params)

        def body(carry: Any, k: jax.Array) -> Any:
            obs, state, ret = carry
            k_act, k_step = jax.random.split(k)
            action = v_sample(jax.random.split(k_act, num_envs))
            obs, state, rew, done, _ = v_step(
                jax.random.split(k_step, num_envs), state, action, params
            )
            return (obs, state, ret + rew.sum()), None

        (obs, _, ret), _ = jax.lax.scan(
            body, (obs, state, jnp.float32(0)), jax.random.split(k_scan, steps)
        )
        return obs, ret

    return rollout


def bench_env(
    env_id: str, num_envs: int, steps: int, obs_size: int, partial: bool, repeats: int = 3
) -> dict[str, Any]:
    env, params = make(env_id, partial_obs=partial, obs_size=obs_size)
    t = _time(rollout_fn(env, params, num_envs, steps), repeats)
    return dict(env=env_id, partial=partial, obs_size=obs_size, num_envs=num_envs, num_steps=steps,
                fps=num_envs * steps / t["best_s"], **t)  # fmt: skip


def bench_floor(num_envs: int, steps: int, obs_size: int, repeats: int = 3) -> dict[str, Any]:
    """The cost of merely producing a fresh uint8 frame per env per step (the harness's floor)."""

    def rollout(key: jax.Array) -> Any:
        base = jax.random.randint(key, (num_envs,), 0, 255, dtype=jnp.int32)

        def body(carry: Any, _: Any) -> Any:
            frame, i = carry
            value = ((base + i) % 256).astype(jnp.uint8)[:, None, None, None]
            return (jnp.broadcast_to(value, (num_envs, obs_size, obs_size, 3)), i + 1), None

        init = (jnp.zeros((num_envs, obs_size, obs_size, 3), jnp.uint8), 0)
        (frame, i), _ = jax.lax.scan(body, init, None, steps)
        return frame, i

    t = _time(rollout, repeats)
    return dict(env="floor", obs_size=obs_size, num_envs=num_envs, num_steps=steps,
                fps=num_envs * steps / t["best_s"], **t)  # fmt: skip


def format_rows(rows: list[dict[str, Any]], floor: dict[str, Any] | None) -> str:
    head = f"{'env':24} {'variant':7} {'size':>4} {'envs':>5} {'frames/s':>12} {'compile s':>9}"
    head += f" {'% floor':>8}" if floor else ""
    lines = [head, "-" * len(head)]
    for r in rows:
        line = (
            f"{r['env']:24} {'POMDP' if r['partial'] else 'MDP':7} {r['obs_size']:>4} {r['num_envs']:>5} "
            f"{r['fps']:>12,.0f} {r['compile_s']:>9.2f}"
        )
        if floor:
            line += f" {100 * r['fps'] / floor['fps']:>7.1f}%"
        lines.append(line)
    if floor:
        lines.append(
            f"{'floor (write a frame)':24} {'':7} {floor['obs_size']:>4} {floor['num_envs']:>5} "
            f"{floor['fps']:>12,.0f} {floor['compile_s']:>9.2f}"
        )
    return "\n".join(lines)
