"""From a trained run to what `core` takes: a generic `apply` over the network's sequence
interface (so every memory model of the zoo, and any registered through the hook, works the
same way), and greedy episodes of the agent with the frames it saw and the actions it took.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from .core import (
    PERTURBATIONS,
    ApplyFn,
    Contamination,
    Params,
    Saliency,
    binned,
    contamination,
    density,
    gradient_mass,
    perturb,
    saliency,
)

_APPLY: dict[Any, ApplyFn] = {}


def network_apply(net: Any) -> ApplyFn:
    """The same function for equal networks (linen modules compare by their fields), so the
    jitted analyses compile once per architecture, not once per call."""
    try:
        if net not in _APPLY:
            _APPLY[net] = _network_apply(net)
        return _APPLY[net]
    except TypeError:  # an unhashable network
        return _network_apply(net)


def _network_apply(net: Any) -> ApplyFn:
    """`apply(params, obs [T,S,S,C], prev_actions [T], starts [T]) -> values [T, A]` for any
    network on the agents' interface (`initialize_carry(batch_shape)`, `apply(params, carry,
    (obs, prev_action, start)) -> (carry, out)`), run as a batch of one from a fresh carry.
    `out` is Q-values, or `(logits, value)` for an actor-critic: then the policy logits."""

    def apply(params: Params, obs: jax.Array, prev: jax.Array, starts: jax.Array) -> jax.Array:
        carry = net.initialize_carry((1,))
        _, out = net.apply(params, carry, (obs[None], prev[None], starts[None]))
        if isinstance(out, tuple):  # actor-critic: (logits, value)
            out = out[0]
        return out[0]

    return apply


def value_kind(run: Any) -> str:
    """What the introspected values of a run are, for labels: "Q" for a Q-network, "logit"
    for an actor-critic (its output is `(logits, value)`)."""
    net, size = run.trainer.network, run.config.obs_size
    inputs = (jnp.zeros((1, 1, size, size, 3), jnp.uint8), jnp.zeros((1, 1), jnp.int32),
              jnp.ones((1, 1), bool))  # fmt: skip
    params = run.trainer.params_of(run.state, 0)
    _, out = jax.eval_shape(lambda p: net.apply(p, net.initialize_carry((1,)), inputs), params)
    return "logit" if isinstance(out, tuple) else "Q"


@dataclasses.dataclass
class Episodes:
    """`E` greedy episodes of `T` steps: the frames the agent acted on (uint8 `[E, T, S, S,
    3]`), its `actions`, `starts` (only step 0) and `rewards` `[E, T]`; `lengths [E]` says
    where each episode ended (later steps belong to the next episode, and are not used)."""

    obs: np.ndarray
    actions: np.ndarray
    starts: np.ndarray
    rewards: np.ndarray
    lengths: np.ndarray
    env_id: str
    partial: bool

    def episode(self, e: int = 0) -> dict[str, np.ndarray]:
        """Episode `e` cut at its end: `obs`, `actions`, `starts`, `rewards`."""
        n = int(self.lengths[e])
        return {
            "obs": self.obs[e, :n],
            "actions": self.actions[e, :n],
            "starts": self.starts[e, :n],
            "rewards": self.rewards[e, :n],
        }


def greedy_episodes(
    run: Any,
    episodes: int = 1,
    steps: int = 64,
    *,
    env_id: str | None = None,
    partial: bool | None = None,
    seed: int = 1,
    agent: int = 0,
) -> Episodes:
    """`episodes` greedy episodes (at most `steps` steps) of agent `agent` of a restored run
    (`arcade_agents.train.run.restore`), on its env and view unless `env_id` / `partial` say
    otherwise (the env must have the same number of actions and frame size)."""
    from arcade_agents.train.evaluate import episode_lengths, rollout_fn
    from arcade_core import make

    config, trainer = run.config, run.trainer
    env_id = env_id or config.env_id
    partial = bool(config.partial) if partial is None else bool(partial)
    if env_id != config.env_id:
        env, _ = make(env_id, partial_obs=partial, obs_size=config.obs_size)
        if int(env.num_actions) != int(trainer.num_actions):
            raise ValueError(
                f"{env_id} has {env.num_actions} actions; the agent was trained with "
                f"{trainer.num_actions} (on {config.env_id})"
            )
    # the evaluator's greedy rollout (compiled once per config and shape), keeping the frames
    # the agent acted on and its actions; its arrays are [T, E]
    play = rollout_fn(
        trainer, int(episodes), int(steps), True, False, False,
        env_id=env_id, partial=partial, keep_obs=True,
    )  # fmt: skip
    out = jax.device_get(play(trainer.params_of(run.state, agent), jax.random.key(seed)))
    lengths = episode_lengths(np.asarray(out["done"]))
    starts = np.zeros((len(lengths), int(steps)), bool)
    starts[:, 0] = True
    return Episodes(
        obs=np.swapaxes(np.asarray(out["obs"]), 0, 1),
        actions=np.asarray(out["action"], np.int32).T,
        starts=starts,
        rewards=np.asarray(out["reward"], np.float32).T,
        lengths=lengths,
        env_id=env_id,
        partial=partial,
    )


# ------------------------------------------------------------------------------- per run


def _restore(run: Any) -> Any:
    """A restored run, or restore a run directory."""
    if isinstance(run, str | Path):
        from arcade_agents.train.run import restore

        return restore(run)
    return run


def run_saliency(
    run: Any,
    t: int = 32,
    *,
    env_id: str | None = None,
    partial: bool | None = None,
    seed: int = 1,
    agent: int = 0,
) -> tuple[Saliency, Episodes]:
    """Saliency of step `t` (or the episode's last, if it ends first) of one greedy episode of
    a run (a directory or `restore`'s result), and the episode."""
    run = _restore(run)
    eps = greedy_episodes(run, 1, t + 1, env_id=env_id, partial=partial, seed=seed, agent=agent)
    ep = eps.episode(0)
    apply = network_apply(run.trainer.network)
    params = run.trainer.params_of(run.state, agent)
    sal = saliency(apply, params, ep["obs"], ep["actions"], starts=ep["starts"])
    return sal, eps


def run_recall_density(
    run: Any,
    episodes: int = 4,
    t: int = 64,
    *,
    env_id: str | None = None,
    partial: bool | None = None,
    seed: int = 1,
    agent: int = 0,
    bins: int = 10,
) -> dict[str, Any]:
    """Recall density of a run at step `t` (or each episode's last) over `episodes` greedy
    episodes: `{memory, algo, env, partial, t [E], density [E, T], profile [bins], thirds
    [3]}`, the profile and thirds averaged over episodes."""
    run = _restore(run)
    eps = greedy_episodes(
        run, episodes, t + 1, env_id=env_id, partial=partial, seed=seed, agent=agent
    )
    ts = np.minimum(eps.lengths, t + 1) - 1
    apply = network_apply(run.trainer.network)
    params = run.trainer.params_of(run.state, agent)
    mass = np.asarray(
        gradient_mass(apply, params, eps.obs, eps.actions, eps.starts, jnp.asarray(ts, jnp.int32))
    )
    dens = density(mass)
    c = run.config
    return {
        "run": str(getattr(run, "run_dir", "")),
        "memory": c.memory,
        "algo": c.algo,
        "env": eps.env_id,
        "partial": eps.partial,
        "t": ts,
        "density": dens,
        "profile": np.mean([binned(d, int(k), bins) for d, k in zip(dens, ts, strict=True)], 0),
        "thirds": np.mean([binned(d, int(k), 3) for d, k in zip(dens, ts, strict=True)], 0),
    }


def run_contamination(
    run: Any,
    frames: tuple[int, int],
    t: int = 64,
    *,
    kinds: Sequence[str] = PERTURBATIONS,
    sigma: float = 0.5,
    env_id: str | None = None,
    partial: bool | None = None,
    seed: int = 1,
    agent: int = 0,
) -> tuple[Contamination, Episodes]:
    """Contamination along one greedy episode (at most `t + 1` steps) of a run, with the
    frames `[i, j)` perturbed in each of the `kinds` ways."""
    run = _restore(run)
    eps = greedy_episodes(run, 1, t + 1, env_id=env_id, partial=partial, seed=seed, agent=agent)
    ep = eps.episode(0)
    if frames[1] > len(ep["obs"]):
        raise ValueError(
            f"frames [{frames[0]}, {frames[1]}) reach past the episode's {len(ep['obs'])} steps"
        )
    key = jax.random.key(seed)
    variants = [
        perturb(ep["obs"], kind, frames, key=jax.random.fold_in(key, i), sigma=sigma)
        for i, kind in enumerate(kinds)
    ]
    apply = network_apply(run.trainer.network)
    params = run.trainer.params_of(run.state, agent)
    res = contamination(
        apply, params, ep["obs"], ep["actions"], variants, list(kinds), starts=ep["starts"]
    )
    return res, eps
