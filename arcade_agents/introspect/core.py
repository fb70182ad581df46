"""The arithmetic of memory introspection, on any network: saliency (the gradient of one step's
chosen-action value with respect to every frame seen so far), recall density (where in time
that gradient mass falls) and contamination (how long a perturbed frame keeps moving the
values of later steps).

Everything here takes a generic `apply(params, obs, prev_actions, starts) -> values [T, A]`
over one episode (`obs` float32 `[T, S, S, C]` in 0..255, `prev_actions` int32 `[T]`,
`starts` bool `[T]`), so it works for every memory model, and for tiny hand-built models in
tests; `agent.network_apply` builds one from a trained network. The values are Q-values for
PQN/DQN and policy logits for PPO.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable, Sequence
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

Params = Any
ApplyFn = Callable[[Params, jax.Array, jax.Array, jax.Array], jax.Array]

PERTURBATIONS = ("noise", "swap", "reverse", "shuffle")


def prev_actions_of(actions: jax.Array, starts: jax.Array) -> jax.Array:
    """The previous action the agent saw at each step: `actions` shifted right by one, 0 at a
    start (as the trainers feed it)."""
    actions = jnp.asarray(actions, jnp.int32)
    prev = jnp.concatenate([jnp.zeros_like(actions[..., :1]), actions[..., :-1]], axis=-1)
    return jnp.where(jnp.asarray(starts), 0, prev)


def default_starts(length: int) -> jax.Array:
    """One episode from its first frame: only `starts[0]` is set."""
    return jnp.arange(length) == 0


# ------------------------------------------------------------------------------- saliency


@functools.partial(jax.jit, static_argnames="apply")
def _value_grad(
    apply: ApplyFn,
    params: Params,
    obs: jax.Array,
    actions: jax.Array,
    starts: jax.Array,
    t: jax.Array,
) -> tuple[jax.Array, jax.Array]:
    """`(d values[t, actions[t]] / d obs, values [T, A])`; steps after `t` get a zero
    gradient from any causal network."""
    prev = prev_actions_of(actions, starts)

    def chosen(x: jax.Array) -> tuple[jax.Array, jax.Array]:
        values = apply(params, x, prev, starts)
        return values[t, actions[t]], values

    grads, values = jax.grad(chosen, has_aux=True)(obs.astype(jnp.float32))
    return grads, values


@dataclasses.dataclass
class Saliency:
    """The saliency of step `t` of one episode: `grads` float32 `[t + 1, S, S, C]` (of the
    chosen action's value at `t` with respect to each frame 0..t), the `values` `[t + 1, A]`
    along the episode, and the chosen `action`."""

    grads: np.ndarray
    values: np.ndarray
    action: int

    @property
    def t(self) -> int:
        return len(self.grads) - 1

    @property
    def heat(self) -> np.ndarray:
        """Per-pixel saliency `[t + 1, S, S]`: |gradient| summed over channels."""
        return np.abs(self.grads).sum(axis=-1)

    @property
    def mass(self) -> np.ndarray:
        """Gradient mass per step `[t + 1]`: the sum of |gradient| over a frame's pixels."""
        return np.abs(self.grads).reshape(len(self.grads), -1).sum(axis=-1)

    @property
    def density(self) -> np.ndarray:
        """The recall density `[t + 1]`: each step's share of the mass (sums to 1)."""
        return density(self.mass)


def saliency(
    apply: ApplyFn,
    params: Params,
    obs: Any,
    actions: Any,
    t: int | None = None,
    starts: Any = None,
) -> Saliency:
    """The gradient of the chosen action's value at step `t` (default: the last) with respect
    to every observation 0..t of one episode (`obs` `[T, S, S, C]`, `actions` `[T]`), the
    actions before `t` teacher-forced. For PPO agents the value is the action's policy logit."""
    obs = jnp.asarray(obs)
    length = obs.shape[0]
    t = length - 1 if t is None else int(t)
    if not 0 <= t < length:
        raise ValueError(f"step t={t} lies outside the episode's {length} steps")
    starts = default_starts(length) if starts is None else jnp.asarray(starts, bool)
    sl = slice(0, t + 1)
    acts = jnp.asarray(actions, jnp.int32)[sl]
    grads, values = _value_grad(apply, params, obs[sl], acts, starts[sl], jnp.int32(t))
    return Saliency(np.asarray(grads), np.asarray(values), int(acts[t]))


@functools.partial(jax.jit, static_argnames="apply")
def gradient_mass(
    apply: ApplyFn,
    params: Params,
    obs: jax.Array,
    actions: jax.Array,
    starts: jax.Array,
    t: jax.Array,
) -> jax.Array:
    """Gradient mass `[E, T]` of a batch of episodes (`obs` `[E, T, S, S, C]`, `actions` and
    `starts` `[E, T]`), each of the chosen value at its own step `t [E]` (0 after `t`).

    Episodes go one at a time (`lax.map`), so only one episode's gradient is ever held."""

    def one(args: tuple[jax.Array, ...]) -> jax.Array:
        o, a, s, ti = args
        grads, _ = _value_grad(apply, params, o, a, s, ti)
        return jnp.abs(grads).reshape(grads.shape[0], -1).sum(axis=-1)

    return jax.lax.map(one, (obs, actions, starts, t))


def density(mass: Any, axis: int = -1) -> np.ndarray:
    """Normalise gradient mass into shares that sum to 1 (all zero if there is no mass)."""
    mass = np.asarray(mass, np.float64)
    total = mass.sum(axis=axis, keepdims=True)
    return np.divide(mass, total, out=np.zeros_like(mass), where=total > 0)


def binned(dens: Any, t: int, bins: int = 3) -> np.ndarray:
    """The share of a density over steps 0..t that falls in each of `bins` equal stretches
    of the elapsed episode (`bins=3`: the first, middle and last third). Step `k` goes to bin
    `floor(bins * k / (t + 1))`; a stretch shorter than a step may be empty."""
    dens = np.asarray(dens, np.float64)[: t + 1]
    which = (bins * np.arange(t + 1)) // (t + 1)
    return np.bincount(which, weights=dens, minlength=bins)


def thirds(dens: Any, t: int | None = None) -> np.ndarray:
    """Recall density summed over the first, middle and last third of steps 0..t."""
    dens = np.asarray(dens)
    return binned(dens, len(dens) - 1 if t is None else t, 3)


# ------------------------------------------------------------------------------- contamination


def perturb(
    obs: Any,
    kind: str,
    frames: tuple[int, int],
    *,
    key: jax.Array | None = None,
    sigma: float = 0.5,
) -> np.ndarray:
    """A copy of `obs` (`[T, ...]`, float32) with the frames `[i, j)` perturbed:

    * `noise`: Gaussian noise of std `sigma` (in units of the 0..255 range), clipped;
    * `swap`: the first and last frame of the range exchanged;
    * `reverse`: the range in reverse order;
    * `shuffle`: the range in a random order (a derangement is not enforced).
    """
    obs = np.array(obs, np.float32)
    i, j = int(frames[0]), int(frames[1])
    if not 0 <= i < j <= len(obs):
        raise ValueError(f"frames [{i}, {j}) do not lie within the episode's {len(obs)} steps")
    if kind not in PERTURBATIONS:
        raise ValueError(f"unknown perturbation {kind!r}; choose from {', '.join(PERTURBATIONS)}")
    key = jax.random.key(0) if key is None else key
    if kind == "noise":
        noise = np.asarray(jax.random.normal(key, obs[i:j].shape), np.float32)
        obs[i:j] = np.clip(obs[i:j] + sigma * 255.0 * noise, 0.0, 255.0)
    elif kind == "swap":
        obs[[i, j - 1]] = obs[[j - 1, i]]
    elif kind == "reverse":
        obs[i:j] = obs[i:j][::-1]
    else:
        obs[i:j] = obs[i:j][np.asarray(jax.random.permutation(key, j - i))]
    return obs


@functools.partial(jax.jit, static_argnames="apply")
def _values_of_variants(
    apply: ApplyFn, params: Params, variants: jax.Array, prev: jax.Array, starts: jax.Array
) -> jax.Array:
    return jax.vmap(lambda o: apply(params, o, prev, starts))(variants)


@dataclasses.dataclass
class Contamination:
    """Values of the clean episode `[T, A]` and of each perturbed copy `[K, T, A]` (same
    actions, teacher-forced), and `distance [K, T]`: max over actions of |Δ value|."""

    clean: np.ndarray
    perturbed: np.ndarray
    labels: list[str]

    @property
    def distance(self) -> np.ndarray:
        return np.abs(self.perturbed - self.clean[None]).max(axis=-1)


def contamination(
    apply: ApplyFn,
    params: Params,
    obs: Any,
    actions: Any,
    perturbed: Sequence[Any],
    labels: Sequence[str] | None = None,
    starts: Any = None,
) -> Contamination:
    """The values along one episode, clean and with each perturbed copy of its frames
    (`perturbed`: `K` arrays like `obs`), all in one vmapped call. The action sequence is the
    clean episode's, so any difference comes from what the network remembers."""
    obs = jnp.asarray(obs, jnp.float32)
    starts = default_starts(obs.shape[0]) if starts is None else jnp.asarray(starts, bool)
    prev = prev_actions_of(jnp.asarray(actions), starts)
    variants = jnp.stack([obs, *[jnp.asarray(p, jnp.float32) for p in perturbed]])
    values = np.asarray(_values_of_variants(apply, params, variants, prev, starts))
    labels = list(labels) if labels is not None else [f"variant {k}" for k in range(len(values))]
    return Contamination(values[0], values[1:], labels[: len(values) - 1])


def persistence(distance: Any, last_perturbed: int, tol: float = 1e-4) -> int:
    """How many steps after the last perturbed frame the values still differ by more than
    `tol` (the last such step's offset; 0: the effect ends with the perturbed frames)."""
    distance = np.asarray(distance)
    later = np.nonzero(distance[last_perturbed + 1 :] > tol)[0]
    return int(later[-1]) + 1 if len(later) else 0
