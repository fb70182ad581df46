"""Evaluate a trained run: episodes of its env played by its agent under `jit` (vmapped over
episodes), the mean return with a 95% confidence interval, and videos through the core's
media library (`arcade eval --record`); `policy` hands the agent to the core's recorder
(`arcade record --policy RUN_DIR`).
"""

from __future__ import annotations

import dataclasses
import math
import sys
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

# two-sided 95% quantiles of Student's t for 1..30 degrees of freedom (normal beyond)
_T95 = (12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179,
        2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064,
        2.060, 2.056, 2.052, 2.048, 2.045, 2.042)  # fmt: skip


@dataclasses.dataclass
class EvalResult:
    """Returns of `n` episodes; `ci95` is the half-width of the 95% t-interval of the mean;
    `cut` episodes hit the step cap before ending."""

    returns: np.ndarray
    lengths: np.ndarray
    cut: int

    @property
    def n(self) -> int:
        return len(self.returns)

    @property
    def mean(self) -> float:
        return float(self.returns.mean())

    @property
    def ci95(self) -> float:
        return ci95(self.returns)


def ci95(x: np.ndarray) -> float:
    """Half-width of the 95% confidence interval of the mean of `x` (t-distribution)."""
    n = len(x)
    if n < 2:
        return math.nan
    t = _T95[n - 2] if n - 1 <= len(_T95) else 1.96
    return float(t * np.std(x, ddof=1) / math.sqrt(n))


def _env(
    config: Any, frames: bool, both: bool, env_id: str | None = None, partial: bool | None = None
) -> Any:
    """The env to play (MDP and POMDP stepped together when `both`, acting as the view the
    agent sees): the run's env and view unless `env_id` / `partial` say otherwise."""
    from arcade_core import make
    from arcade_core.media import BothViews, make_env

    env_id = env_id or config.env_id
    partial = bool(config.partial) if partial is None else bool(partial)
    mk = make_env if frames else (lambda e, p, s: make(e, partial_obs=p, obs_size=s))
    if both:
        return BothViews(
            mk(env_id, False, config.obs_size)[0], mk(env_id, True, config.obs_size)[0], partial
        )
    return mk(env_id, partial, config.obs_size)[0]


_FNS: dict[tuple[Any, ...], Any] = {}


def rollout_fn(
    trainer: Any,
    episodes: int,
    steps: int,
    greedy: bool,
    frames: bool,
    both: bool,
    *,
    env_id: str | None = None,
    partial: bool | None = None,
    keep_obs: bool = False,
    progress: bool = False,
) -> Any:
    """`_rollout_fn`, cached by the (frozen, hashable) config and the shapes: a trainer's
    `act` is a pure function of its config, so runs of one config share the compiled
    rollout (an eval then a recording of the same run compile once)."""
    key = (trainer.config, episodes, steps, greedy, frames, both, env_id, partial, keep_obs,
           progress)  # fmt: skip
    if key not in _FNS:
        if len(_FNS) >= 8:
            _FNS.pop(next(iter(_FNS)))
        _FNS[key] = _rollout_fn(
            trainer, episodes, steps, greedy, frames, both, env_id, partial, keep_obs, progress
        )
    return _FNS[key]


# the counter a rollout compiled with `progress` reports each step to (set by `evaluate`)
_COUNTER: list[Any] = []


def _tick(ended: Any) -> None:
    """Host side of a progress-reporting rollout: one step done, `ended` episodes over."""
    if _COUNTER:
        _COUNTER[-1].advance(f"({int(ended):,} episodes ended)")


def _rollout_fn(
    trainer: Any,
    episodes: int,
    steps: int,
    greedy: bool,
    frames: bool,
    both: bool,
    env_id: str | None = None,
    partial: bool | None = None,
    keep_obs: bool = False,
    progress: bool = False,
) -> Any:
    """A jitted `(params, key) -> dict` of `[steps, episodes]` arrays (`reward`, `done`, both
    zero after an episode's end) playing `episodes` episodes for `steps` steps with the agent;
    with `frames`, also the frame of every state reached (pre-reset when done); with
    `keep_obs`, the observation the agent acted on (`obs`) and its `action` at every step;
    with `progress`, each step reports to the counter `evaluate` sets (the results are the
    same)."""
    from arcade_core.media import video_frame
    from arcade_core.policy import Policy
    from arcade_core.rollout import rollout

    config = trainer.config
    env = _env(config, frames, both, env_id, partial)
    env_params = env.default_params
    render = jax.vmap(env.render, in_axes=(0, None))

    def keep(alive: jax.Array, s: Any) -> tuple[jax.Array, dict[str, Any]]:
        """Rewards and dones of each episode's first run only (zero after its end)."""
        ys = {"reward": jnp.where(alive, s.reward, 0.0), "done": s.done & alive}
        if keep_obs:
            ys["obs"], ys["action"] = s.obs, s.action
        if frames:
            ys["frames"] = jax.vmap(video_frame)(s.next_obs, s.done, s.info)
        alive = alive & ~s.done
        if progress:
            jax.debug.callback(_tick, jnp.sum(~alive), ordered=True)
        return alive, ys

    def run(params: Any, key: jax.Array) -> dict[str, Any]:
        agent = Policy(
            lambda carry, obs, start, k: trainer.act(params, carry, obs, start, k, greedy),
            lambda: trainer.initial_carry(episodes),
        )
        alive = jnp.ones((episodes,), bool)
        out = rollout(
            env, env_params, agent, steps, key, num_envs=episodes, observe=keep, init=alive
        )
        first = {"first": render(out.first_state, env_params)} if frames else {}
        return {**first, **out.steps}

    return jax.jit(run)


def episode_lengths(done: np.ndarray) -> np.ndarray:
    """Per episode of a rollout (`done [T, B]`, set at most once per column, as `rollout_fn`
    returns it): its steps up to and including the one that ended it, or T if none did."""
    ended = done.any(axis=0)
    return np.where(ended, done.argmax(axis=0) + 1, done.shape[0])


def episode_steps(config: Any, max_steps: int | None) -> int:
    """Steps an evaluation episode may run: `max_steps`, else the env's time limit."""
    from arcade_core.registry import spec

    return int(max_steps or spec(config.env_id).max_steps)


def evaluate(
    run: Any,
    episodes: int = 32,
    *,
    seed: int = 1,
    agent: int = 0,
    greedy: bool = True,
    max_steps: int | None = None,
    progress: bool = False,
) -> EvalResult:
    """Play `episodes` fresh episodes with seed `agent`'s params of a restored `run`
    (`run.restore(dir)`), each to its end or the step cap. All episodes run at once, for
    the step cap's steps; `progress` shows the compile time, then a step counter with an
    ETA on stderr (the returns are the same either way)."""
    from .progress import Counter

    trainer = run.trainer
    steps = episode_steps(trainer.config, max_steps)
    fn = rollout_fn(trainer, episodes, steps, bool(greedy), False, False, progress=progress)
    params = trainer.params_of(run.state, agent)
    if progress:
        label = "evaluation rollout"
        print(f"compiling {label} ({episodes:,} episodes x {steps:,} steps) ...",
              file=sys.stderr, flush=True)  # fmt: skip
        counter = Counter(label, steps, "steps", compiling=True)
        _COUNTER.append(counter)
        try:
            out = jax.device_get(fn(params, jax.random.key(seed)))
            jax.effects_barrier()
        finally:
            _COUNTER.remove(counter)
            counter.close()
    else:
        out = jax.device_get(fn(params, jax.random.key(seed)))
    done = np.asarray(out["done"])  # [T, B]
    returns = np.asarray(out["reward"], np.float64).sum(axis=0)
    return EvalResult(returns, episode_lengths(done), int((~done.any(axis=0)).sum()))


def record_episodes(
    run: Any,
    episodes: int = 1,
    *,
    seed: int = 1,
    agent: int = 0,
    greedy: bool = True,
    max_steps: int | None = None,
    both: bool = False,
) -> list[Any]:
    """`episodes` played by the agent as `arcade_core.media.Episode`s (frames from reset to
    the last state); `both` shows the MDP frame beside the POMDP frame of each state."""
    from arcade_core.media import cut_episode

    trainer = run.trainer
    config = trainer.config
    steps = episode_steps(config, max_steps)
    fn = rollout_fn(trainer, episodes, steps, bool(greedy), True, bool(both))
    params = trainer.params_of(run.state, agent)
    out = jax.device_get(fn(params, jax.random.key(seed)))
    return [
        cut_episode(
            config.env_id,
            b,
            out["first"][b],
            out["frames"][:, b],
            out["reward"][:, b],
            out["done"][:, b],
        )  # fmt: skip
        for b in range(episodes)
    ]


def policy(run: Any, *, agent: int = 0, greedy: bool = True) -> Any:
    """Seed `agent`'s agent of a restored `run` as an `arcade_core.policy.Policy` acting on
    one episode at a time (the recorder vmaps it over episodes), on the run's env and view."""
    from arcade_core.policy import Policy

    trainer = run.trainer
    config = trainer.config
    params = trainer.params_of(run.state, agent)

    def act(carry: Any, obs: jax.Array, start: jax.Array, key: jax.Array) -> tuple[Any, Any]:
        action, carry = trainer.act(params, carry, obs[None], start[None], key, greedy)
        return action[0], carry

    return Policy(
        act, lambda: trainer.initial_carry(1), config.env_id, bool(config.partial),
        config.obs_size, name=f"{config.algo} agent {agent}",
    )  # fmt: skip
