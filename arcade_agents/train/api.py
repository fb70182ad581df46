"""The training interface every algorithm meets, and the registry that finds them.

This module imports no JAX: configs are plain frozen dataclasses, so a CLI can build its flags
from `dataclasses.fields(config_cls)` and `validate()` a config before anything compiles.

    from arcade_agents.train import config_for, get_algorithm, train
    config = config_for("pqn", env_id="CartPoleEasy", memory="gru", total_frames=200_000)
    trainer = get_algorithm(config.algo).make_train(config)   # validates, builds, no compile
    state = trainer.init(jax.random.key(config.seed))          # leaves lead with `seeds`
    state, metrics = jax.jit(trainer.update)(state)            # one update; metrics [seeds]

A `Trainer`'s `update` is pure and deterministic given the state, so a run resumed from a
checkpointed `TrainState` ends exactly where the uninterrupted run ends.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from arcade_core.argtypes import MAX_ENVS, MAX_SEED, MAX_STEPS, MAX_TOTAL_STEPS
from arcade_core.plugin_registry import PluginRegistry
from arcade_core.plugins import PluginInfo

from .. import hookspecs

if TYPE_CHECKING:  # pragma: no cover
    import jax

NO_MEMORY = "none"  # the one spelling of "no memory model" (any case): feed-forward networks
Params = Any  # a network's parameters (a pytree of arrays)
Metrics = dict[str, "jax.Array"]  # an update's scalars, by name

OBS_SIZES = (128, 256)  # arcade_core.spaces.OBS_SIZES, restated: that module imports JAX
ENCODERS = ("patch", "nature")  # arcade_agents.networks.PixelEncoder's kinds


# Upper bounds of the shared fields: far above any run, low enough that what they allow runs
# (a run of more updates than MAX_UPDATES would spend its time in the Python loop around them)
MAX_FIELD = {
    "num_envs": MAX_ENVS, "num_steps": MAX_STEPS, "total_frames": MAX_TOTAL_STEPS,
    "seeds": 1024, "features": 65_536, "devices": 65_536,
}  # fmt: skip
MAX_UPDATES = 10**8


def _positive(config: Any, *names: str) -> None:
    for name in names:
        value = getattr(config, name)
        hi = MAX_FIELD.get(name)
        if not isinstance(value, int) or isinstance(value, bool) or value < 1:
            raise ValueError(f"{name} must be a positive integer; got {value!r}")
        if hi is not None and value > hi:
            raise ValueError(f"{name} must be at most {hi:,}; got {value:,}")


def _in_range(config: Any, name: str, lo: float, hi: float, *, lo_open: bool = False) -> None:
    value = getattr(config, name)
    ok = isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)
    ok = ok and (lo < value if lo_open else lo <= value) and value <= hi
    if not ok:
        bracket = "(" if lo_open else "["
        raise ValueError(f"{name} must lie in {bracket}{lo}, {hi}]; got {value!r}")


def _divides(config: Any, small: str, big: str) -> None:
    if getattr(config, big) % getattr(config, small):
        raise ValueError(
            f"{big} ({getattr(config, big)}) must be a multiple of {small} ({getattr(config, small)})"
        )


@dataclass(frozen=True)
class TrainConfig:
    """The fields every algorithm shares; each algorithm subclasses it with its own.

    Frames are counted per seed: a run takes `total_frames // (num_envs * num_steps)` updates,
    each collecting `num_steps` steps from each of `num_envs` envs.
    """

    algo: str = "pqn"
    env_id: str = "CartPoleEasy"
    partial: bool = False  # the POMDP variant of the env
    obs_size: int = 128
    memory: str = NO_MEMORY  # a memory model of the zoo by name; "none": feed-forward, no memory
    num_envs: int = 16  # envs per seed, sharded across `devices`
    num_steps: int = 32  # rollout length per update (= the training sequence length)
    total_frames: int = 100_000  # env steps per seed over the whole run
    seeds: int = 1  # independent runs, vmapped
    seed: int = 0
    lr: float = 2.5e-4
    gamma: float = 0.99
    features: int = 256  # encoder output, memory and head width
    encoder: str = "patch"  # pixel encoder: "patch" (fast on CPU) or "nature" (see networks)
    devices: int = 1  # devices the env batch is sharded over

    @property
    def frames_per_update(self) -> int:
        return self.num_envs * self.num_steps

    @property
    def num_updates(self) -> int:
        return self.total_frames // self.frames_per_update

    def rounding_note(self) -> str:
        """One line saying that `total_frames` is rounded down to whole updates ('' if it is
        a multiple of `num_envs * num_steps` already)."""
        used = self.num_updates * self.frames_per_update
        if used == self.total_frames or used == 0:
            return ""
        return (
            f"total_frames {self.total_frames:,} rounded down to {used:,} (a multiple of "
            f"num_envs x num_steps = {self.frames_per_update:,})"
        )

    def replace(self, **changes: Any) -> TrainConfig:
        return dataclasses.replace(self, **changes)

    def validate(self) -> None:
        """Raise a one-line `ValueError` naming the first bad field (unknown algorithm, memory
        model or env id with the closest names; non-positive sizes) — before any compiling."""
        get_algorithm(self.algo)
        if not isinstance(self.memory, str) or not self.memory:
            raise ValueError(f"memory must be a model name or 'none'; got {self.memory!r}")
        if self.memory.casefold() != NO_MEMORY:
            from arcade_agents.memory.registry import get_memory_model

            get_memory_model(self.memory)
        from arcade_core.registry import spec

        spec(self.env_id)
        if self.encoder not in ENCODERS:
            raise ValueError(f"encoder must be one of {ENCODERS}; got {self.encoder!r}")
        if self.obs_size not in OBS_SIZES:
            raise ValueError(f"obs_size must be one of {OBS_SIZES}; got {self.obs_size!r}")
        _positive(self, "num_envs", "num_steps", "total_frames", "seeds", "features", "devices")
        if not isinstance(self.seed, int) or isinstance(self.seed, bool) or self.seed < 0:
            raise ValueError(f"seed must be a non-negative integer; got {self.seed!r}")
        if self.seed > MAX_SEED:
            raise ValueError(f"seed must be at most {MAX_SEED:,}; got {self.seed:,}")
        _in_range(self, "lr", 0.0, 1.0, lo_open=True)
        _in_range(self, "gamma", 0.0, 1.0)
        if self.num_updates < 1:
            raise ValueError(
                f"total_frames ({self.total_frames}) is less than one update "
                f"(num_envs * num_steps = {self.frames_per_update} frames)"
            )
        if self.num_updates > MAX_UPDATES:
            raise ValueError(
                f"total_frames ({self.total_frames:,}) makes {self.num_updates:,} updates of "
                f"num_envs * num_steps = {self.frames_per_update} frames; at most "
                f"{MAX_UPDATES:,} run: lower total_frames or raise num_envs or num_steps"
            )
        _divides(self, "devices", "num_envs")


@dataclass(frozen=True)
class PQNConfig(TrainConfig):
    """PQN: Q(λ) targets from the rollout itself, LayerNorm'd nets, no target network, no
    replay, ε-greedy with a linear decay (Gallici et al. 2024, "Simplifying Deep Temporal
    Difference Learning")."""

    algo: str = "pqn"
    lam: float = 0.65  # λ of the Q(λ) return
    num_epochs: int = 2  # passes over each rollout
    num_minibatches: int = 4  # minibatches of whole env sequences per epoch
    eps_start: float = 1.0
    eps_finish: float = 0.05
    eps_decay: float = 0.25  # fraction of the run over which ε falls linearly
    eps_eval: float = 0.0  # ε of `act(..., greedy=False)`
    max_grad_norm: float = 10.0
    lr_decay: bool = True  # linear decay to 0 over the whole run (every optimizer step)

    def validate(self) -> None:
        super().validate()
        _in_range(self, "lam", 0.0, 1.0)
        _positive(self, "num_epochs", "num_minibatches")
        _divides(self, "num_minibatches", "num_envs")
        for name in ("eps_start", "eps_finish", "eps_decay", "eps_eval"):
            _in_range(self, name, 0.0, 1.0)
        _in_range(self, "max_grad_norm", 0.0, math.inf, lo_open=True)


@dataclass(frozen=True)
class PPOConfig(TrainConfig):
    """PPO with GAE and the clipped objective; actor and critic share the encoder and memory
    (one trunk, two heads), so a recurrent agent carries one memory, not two."""

    algo: str = "ppo"
    gae_lambda: float = 0.95
    clip_eps: float = 0.2
    vf_coef: float = 0.5
    ent_coef: float = 0.01
    num_epochs: int = 4
    num_minibatches: int = 4
    max_grad_norm: float = 0.5
    normalize_advantages: bool = True
    lr_decay: bool = True

    def validate(self) -> None:
        super().validate()
        _in_range(self, "gae_lambda", 0.0, 1.0)
        _in_range(self, "clip_eps", 0.0, 1.0, lo_open=True)
        _in_range(self, "vf_coef", 0.0, math.inf)
        _in_range(self, "ent_coef", 0.0, math.inf)
        _positive(self, "num_epochs", "num_minibatches")
        _divides(self, "num_minibatches", "num_envs")
        _in_range(self, "max_grad_norm", 0.0, math.inf, lo_open=True)


@dataclass(frozen=True)
class DQNConfig(TrainConfig):
    """DQN over a replay buffer of `num_steps`-long sequences (with start flags and the memory
    carry at each sequence's start), a periodically copied target network and Double-DQN
    targets; `lam > 0` turns the 1-step target into a λ-return along the stored sequence."""

    algo: str = "dqn"
    buffer_rollouts: int = 32  # the ring holds the last `buffer_rollouts * num_envs` sequences
    batch_size: int = 32  # sequences per gradient step; a multiple of num_envs
    grad_steps: int = 4  # gradient steps per update (per rollout)
    learning_starts: int = 1_000  # frames per seed collected before the first gradient step
    target_update_every: int = 2  # updates between target-network copies
    lam: float = 0.65  # λ of the return along each replayed sequence (0: one-step targets)
    eps_start: float = 1.0
    eps_finish: float = 0.05
    eps_decay: float = 0.25
    eps_eval: float = 0.0
    max_grad_norm: float = 10.0
    huber: bool = True  # Huber loss (δ = 1) instead of squared error
    lr_decay: bool = True  # linear decay to 0 over the run's gradient steps
    # the Q head's initial output weights, times this (networks.QHead): Q-values start near 0,
    # so the target network's copies need not first wash out values of the init's size
    q_init_scale: float = 0.01

    def validate(self) -> None:
        super().validate()
        _positive(self, "buffer_rollouts", "batch_size", "grad_steps", "target_update_every")
        _divides(self, "num_envs", "batch_size")
        if not isinstance(self.learning_starts, int) or self.learning_starts < 0:
            raise ValueError(
                f"learning_starts must be a non-negative integer; got {self.learning_starts!r}"
            )
        _in_range(self, "lam", 0.0, 1.0)
        for name in ("eps_start", "eps_finish", "eps_decay", "eps_eval"):
            _in_range(self, name, 0.0, 1.0)
        _in_range(self, "max_grad_norm", 0.0, math.inf, lo_open=True)
        _in_range(self, "q_init_scale", 0.0, math.inf, lo_open=True)


# ------------------------------------------------------------------------------- protocol

TrainState = Any  # a pytree (see `trainer.TrainState`); every leaf leads with `seeds`
Carry = Any  # what `act` threads between steps: memory carry and previous action


@runtime_checkable
class Trainer(Protocol):
    """One algorithm bound to one config: pure functions of a `TrainState`."""

    config: TrainConfig
    num_updates: int
    frames_per_update: int  # num_envs * num_steps, per seed

    def init(self, key: jax.Array) -> TrainState:
        """A fresh state: params, optimizer state, envs, memory carry, rng and update count,
        every leaf with a leading `seeds` axis (placed on the config's devices)."""
        ...

    def update(self, state: TrainState) -> tuple[TrainState, dict[str, jax.Array]]:
        """One update (rollout + learning), pure and jittable. Metrics are `[seeds]` arrays:
        at least `loss`, `return_sum` and `episodes` (the summed return and the count of the
        episodes that ended during this update), `frames` (per seed, after this update)."""
        ...

    def act(
        self,
        params: Any,
        carry: Carry,
        obs: jax.Array,
        start: jax.Array,
        key: jax.Array,
        greedy: bool = True,
    ) -> tuple[jax.Array, Carry]:
        """Actions for a batch `obs [b, S, S, 3]` with one seed's params; `start [b]` flags
        the first frame of an episode. Returns `(action [b], carry)`."""
        ...

    def initial_carry(self, batch: int) -> Carry:
        """The carry of `batch` fresh episodes for `act`."""
        ...

    def params_of(self, state: TrainState, seed: int = 0) -> Any:
        """One seed's network params."""
        ...


# ------------------------------------------------------------------------------- registry


@dataclass(frozen=True)
class Algorithm:
    """A registered training algorithm: `make_train(config) -> Trainer`."""

    name: str
    config_cls: type[TrainConfig]
    make_train: Callable[[TrainConfig], Trainer]
    help: str = ""
    package: str = "<local>"
    plugin: str = "<local>"

    def config(self, **fields: Any) -> TrainConfig:
        """This algorithm's config with `fields` set (`algo` defaults to this name)."""
        return self.config_cls(**{"algo": self.name, **fields})


class UnknownAlgorithmError(ValueError):
    """No algorithm has this name; the message names the closest and lists the known ones."""


class AlgorithmRegistry(PluginRegistry[Algorithm]):
    """Algorithms keyed by lower-cased name, from every `arcade_algorithms` hook; a name
    claimed twice keeps its first claim."""

    hook = "arcade_algorithms"
    kind = "algorithm"
    plural = "algorithms"
    hookspecs = hookspecs
    casefold = True
    keep_first = True
    unknown_error = UnknownAlgorithmError

    @property
    def algorithms(self) -> dict[str, Algorithm]:
        return self.entries

    def entries_of(self, info: PluginInfo, result: Any) -> list[Algorithm]:
        out = []
        for name, algo in self.items_of(info, result):
            if isinstance(algo, Algorithm):
                out.append(dataclasses.replace(algo, package=info.package, plugin=info.name))
            elif callable(algo):  # a bare make_train, as the hookspec first described
                out.append(Algorithm(str(name), TrainConfig, algo, "", info.package, info.name))
            else:
                self.problem(info, f"algorithm {name!r} is neither an Algorithm nor callable")
        return out


def algorithm_registry() -> AlgorithmRegistry:
    """The process-wide registry, rebuilt after plugins change."""
    return AlgorithmRegistry.current()  # type: ignore[return-value]


def list_algorithms() -> list[Algorithm]:
    """Every registered algorithm, in plugin then declaration order."""
    return list(algorithm_registry().algorithms.values())


def get_algorithm(name: str) -> Algorithm:
    """The algorithm registered as `name` (case-insensitive); a one-line `ValueError` with the
    closest name otherwise."""
    return algorithm_registry().lookup(name)


def config_for(algo: str, **fields: Any) -> TrainConfig:
    """The config of algorithm `algo` with `fields` set (unknown field names: `TypeError`)."""
    return get_algorithm(algo).config(**fields)


def coerce_config(config: TrainConfig, cls: type[TrainConfig]) -> TrainConfig:
    """`config` as a `cls`: the shared fields carried over, the algorithm's own defaulted."""
    if isinstance(config, cls):
        return config
    names = {f.name for f in dataclasses.fields(cls)}
    common = {f.name: getattr(config, f.name) for f in dataclasses.fields(config)}
    return cls(**{k: v for k, v in common.items() if k in names})


def make_train(config: TrainConfig) -> Trainer:
    """The trainer of `config.algo` (validated first)."""
    return get_algorithm(config.algo).make_train(config)


def train(config: TrainConfig, key: jax.Array) -> tuple[TrainState, dict[str, jax.Array]]:
    """The whole run as one pure function: `init` then `lax.scan` of `update` over
    `num_updates`; metrics come back stacked `[num_updates, seeds]`. Jit it whole:
    `jax.jit(lambda k: train(config, k))(key)`."""
    import jax

    trainer = make_train(config)

    def body(state: TrainState, _: Any) -> tuple[TrainState, dict[str, jax.Array]]:
        return trainer.update(state)

    return jax.lax.scan(body, trainer.init(key), None, length=trainer.num_updates)
