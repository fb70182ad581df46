"""Networks every algorithm shares: a pixel encoder for 128/256 px uint8 frames, Q and
actor/critic heads, recurrent agents = encoder -> memory (features + one-hot previous
action) -> head, with any memory model of the zoo chosen by name, and their feed-forward twins
for `memory="none"`; `q_network` / `actor_critic` build the one a config asks for.

Shapes follow the memory interface: sequences are `[*batch, T, ...]` with `start [*batch, T]`
(`start[t]` resets memory before step t); `step` drops the time axis for acting.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import flax.linen as nn
import jax
import jax.numpy as jnp

from arcade_core.spaces import OBS_SIZES

from .memory.base import Carry, MemoryModel
from .memory.registry import get_memory_model

# ENCODERS: the config validates encoder names without importing Flax
from .train.api import ENCODERS, NO_MEMORY, Params, TrainConfig


def space_to_depth(x: jax.Array, p: int) -> jax.Array:
    """`[b, h, w, c]` -> `[b, h/p, w/p, p*p*c]`: each non-overlapping p x p patch as one vector."""
    b, h, w, c = x.shape
    x = x.reshape((b, h // p, p, w // p, p, c)).swapaxes(2, 3)
    return x.reshape((b, h // p, w // p, p * p * c))


class PixelEncoder(nn.Module):
    """uint8 `[*batch, S, S, 3]` frames (S = 128 or 256) -> `[*batch, features]`.

    Frames stay uint8 up to here and are scaled to [0, 1] inside, so rollouts store and move
    a quarter of the bytes. Two stacks:

    * `"patch"` (default): three non-overlapping strided convolutions (patch 4 — 8 at 256 px
      — then 2, 2; 16-32-32 channels) written as space-to-depth + `Dense`, to an 8x8x32 map.
      A conv whose kernel equals its stride is exactly this matmul, and XLA:CPU runs its
      backward pass ~15x faster than the overlapping stack's (1,830 vs 120 frames/s
      forward+backward at 128 px, batch 512, 2 cores): what makes CPU training practical.
    * `"nature"`: the Nature-DQN-like stack (8x8/4, 4x4/2, 3x3/2 to an 8x8x64 map; a 256 px
      frame first passes a stride-2 conv), for accelerators.
    """

    features: int = 256
    kind: str = "patch"

    @nn.compact
    def __call__(self, obs: jax.Array) -> jax.Array:
        size = obs.shape[-3] if obs.ndim >= 3 else 0
        if size not in OBS_SIZES or obs.shape[-2:] != (size, 3):
            raise ValueError(
                f"PixelEncoder takes [..., S, S, 3] frames with S in {OBS_SIZES}; got {obs.shape}"
            )
        if self.kind not in ENCODERS:
            raise ValueError(f"encoder must be one of {ENCODERS}; got {self.kind!r}")
        batch = obs.shape[:-3]
        x = obs.reshape((-1, size, size, 3)).astype(jnp.float32) / 255.0
        if self.kind == "patch":
            for channels, patch in zip((16, 32, 32), (4 * size // 128, 2, 2), strict=True):
                x = nn.relu(nn.Dense(channels)(space_to_depth(x, patch)))
        else:
            if size == 256:
                x = nn.relu(nn.Conv(16, (4, 4), strides=2, name="downsample")(x))
            x = nn.relu(nn.Conv(32, (8, 8), strides=4)(x))
            x = nn.relu(nn.Conv(64, (4, 4), strides=2)(x))
            x = nn.relu(nn.Conv(64, (3, 3), strides=2)(x))
        x = nn.Dense(self.features)(x.reshape((x.shape[0], -1)))
        x = nn.relu(nn.LayerNorm()(x))
        return x.reshape(batch + (self.features,))


class QHead(nn.Module):
    """Features -> one Q-value per action, through a LayerNorm'd hidden layer (as PQN).

    `init_scale` scales the output layer's initial weights (LeCun normal times it; 1 is
    Flax's default). A small scale starts every Q-value near 0: a learner that bootstraps
    from a slowly copied target network wipes out its initial values only at γ per copy, and
    with returns in [0, 1] the default init's values (spread ~0.7) drown the action gaps."""

    num_actions: int = 5
    hidden: int = 256
    init_scale: float = 1.0

    @nn.compact
    def __call__(self, x: jax.Array) -> jax.Array:
        x = nn.relu(nn.LayerNorm()(nn.Dense(self.hidden)(x)))
        init = nn.initializers.variance_scaling(self.init_scale**2, "fan_in", "truncated_normal")
        return nn.Dense(self.num_actions, kernel_init=init)(x)


class ActorHead(nn.Module):
    """Features -> action logits; the last layer starts small so the first policy is near
    uniform."""

    num_actions: int = 5
    hidden: int = 256

    @nn.compact
    def __call__(self, x: jax.Array) -> jax.Array:
        x = nn.tanh(nn.Dense(self.hidden)(x))
        return nn.Dense(self.num_actions, kernel_init=nn.initializers.orthogonal(0.01))(x)


class CriticHead(nn.Module):
    """Features -> a scalar state value, `[*batch]`."""

    hidden: int = 256

    @nn.compact
    def __call__(self, x: jax.Array) -> jax.Array:
        x = nn.tanh(nn.Dense(self.hidden)(x))
        return jnp.squeeze(nn.Dense(1, kernel_init=nn.initializers.orthogonal(1.0))(x), -1)


class RecurrentTrunk(nn.Module):
    """Encoder -> memory. The memory sees `[features, one_hot(previous action)]`, the one-hot
    zeroed at a start so a fresh episode sees no previous action."""

    num_actions: int = 5
    memory: str | type[MemoryModel] = "GRU"
    memory_kwargs: Mapping[str, Any] | None = None
    features: int = 256  # encoder output
    hidden: int = 256  # memory output
    encoder: str = "patch"  # PixelEncoder kind

    @nn.nowrap
    def make_memory(self, **extra: Any) -> MemoryModel:
        cls = get_memory_model(self.memory)
        return cls(features=self.hidden, **dict(self.memory_kwargs or {}), **extra)

    def setup(self) -> None:
        self.pixels = PixelEncoder(self.features, self.encoder)
        self.memory_model = self.make_memory()

    @nn.nowrap
    def initialize_carry(self, batch_shape: tuple[int, ...] = ()) -> Carry:
        """The memory carry of fresh episodes, for `batch_shape` envs."""
        memory = self.make_memory(parent=None)
        return memory.initialize_carry(tuple(batch_shape) + (self.features + self.num_actions,))

    def _memory_input(self, obs: jax.Array, prev_action: jax.Array, start: jax.Array):
        fresh = jnp.logical_not(start)[..., None]
        one_hot = jax.nn.one_hot(prev_action, self.num_actions) * fresh
        return jnp.concatenate([self.pixels(obs), one_hot], axis=-1)

    def __call__(self, carry: Carry, inputs: tuple[jax.Array, jax.Array, jax.Array]):
        """`(carry, (obs [*b,T,S,S,3], prev_action [*b,T], start [*b,T]))` -> `(carry, y)`."""
        obs, prev_action, start = inputs
        return self.memory_model(carry, (self._memory_input(obs, prev_action, start), start))

    def step(self, carry: Carry, inputs: tuple[jax.Array, jax.Array, jax.Array]):
        """One step: `(obs [*b,S,S,3], prev_action [*b], start [*b])`."""
        obs, prev_action, start = inputs
        return self.memory_model.step(carry, (self._memory_input(obs, prev_action, start), start))


class _RecurrentAgent(nn.Module):
    """What the recurrent agents share: the trunk's fields, building it, and fresh carries."""

    num_actions: int = 5
    memory: str | type[MemoryModel] = "GRU"
    memory_kwargs: Mapping[str, Any] | None = None
    features: int = 256
    hidden: int = 256
    encoder: str = "patch"

    @nn.nowrap
    def _trunk(self, **extra: Any) -> RecurrentTrunk:
        return RecurrentTrunk(
            self.num_actions,
            self.memory,
            self.memory_kwargs,
            self.features,
            self.hidden,
            self.encoder,
            **extra,
        )

    @nn.nowrap
    def initialize_carry(self, batch_shape: tuple[int, ...] = ()) -> Carry:
        """The memory carry of fresh episodes, for `batch_shape` envs."""
        return self._trunk(parent=None).initialize_carry(batch_shape)


class RecurrentQNetwork(_RecurrentAgent):
    """Recurrent Q-network: encoder -> memory (any model of the zoo, by name) -> Q head.

    `__call__(carry, (obs, prev_action, start)) -> (carry, q [*b, T, num_actions])` over a
    sequence; `step` for acting; `initialize_carry(batch_shape)` for fresh episodes.
    """

    q_init_scale: float = 1.0

    def setup(self) -> None:
        self.trunk = self._trunk()
        self.head = QHead(self.num_actions, self.hidden, self.q_init_scale)

    def __call__(self, carry: Carry, inputs: tuple[jax.Array, jax.Array, jax.Array]):
        carry, y = self.trunk(carry, inputs)
        return carry, self.head(y)

    def step(self, carry: Carry, inputs: tuple[jax.Array, jax.Array, jax.Array]):
        carry, y = self.trunk.step(carry, inputs)
        return carry, self.head(y)


class RecurrentActorCritic(_RecurrentAgent):
    """Recurrent actor-critic with a shared trunk: returns `(carry, (logits, value))`."""

    def setup(self) -> None:
        self.trunk = self._trunk()
        self.actor = ActorHead(self.num_actions, self.hidden)
        self.critic = CriticHead(self.hidden)

    def __call__(self, carry: Carry, inputs: tuple[jax.Array, jax.Array, jax.Array]):
        carry, y = self.trunk(carry, inputs)
        return carry, (self.actor(y), self.critic(y))

    def step(self, carry: Carry, inputs: tuple[jax.Array, jax.Array, jax.Array]):
        carry, y = self.trunk.step(carry, inputs)
        return carry, (self.actor(y), self.critic(y))


# ------------------------------------------------------------------------------- no memory


class FeedForward(nn.Module):
    """A memoryless network on the recurrent networks' interface: an empty carry, and `step`
    is the call itself, so the same sequence code trains both."""

    num_actions: int = 5
    features: int = 256
    hidden: int = 256
    encoder: str = "patch"

    @nn.nowrap
    def initialize_carry(self, batch_shape: tuple[int, ...] = ()) -> jax.Array:
        return jnp.zeros(tuple(batch_shape) + (0,))

    def step(self, carry: jax.Array, inputs: tuple[jax.Array, ...]) -> tuple[Any, Any]:
        return self(carry, inputs)


class FeedForwardQNetwork(FeedForward):
    """Encoder -> Q head, no memory."""

    q_init_scale: float = 1.0

    @nn.compact
    def __call__(self, carry: jax.Array, inputs: tuple[jax.Array, ...]) -> tuple[Any, Any]:
        x = PixelEncoder(self.features, self.encoder)(inputs[0])
        return carry, QHead(self.num_actions, self.hidden, self.q_init_scale)(x)


class FeedForwardActorCritic(FeedForward):
    """Encoder -> (actor, critic) heads sharing the encoder, no memory; `(carry, (logits,
    value))` like `RecurrentActorCritic`."""

    @nn.compact
    def __call__(self, carry: jax.Array, inputs: tuple[jax.Array, ...]) -> tuple[Any, Any]:
        x = PixelEncoder(self.features, self.encoder)(inputs[0])
        return carry, (ActorHead(self.num_actions, self.hidden)(x), CriticHead(self.hidden)(x))


def has_memory(config: TrainConfig) -> bool:
    """Whether `config` names a memory model: every name but `"none"` (`NO_MEMORY`, any
    case), which builds the feed-forward networks below. The zoo's `MLP` is a memory model:
    the control with an MLP in the memory's place (same inputs, previous action included, and
    heads), so a sweep compares models that differ only in their memory."""
    return config.memory.casefold() != NO_MEMORY


def q_network(config: TrainConfig, num_actions: int, init_scale: float = 1.0) -> nn.Module:
    """The Q-network of `config`: recurrent with the named memory model, or feed-forward;
    `init_scale` scales the Q head's initial output weights (`QHead`)."""
    c = config
    if has_memory(c):
        return RecurrentQNetwork(
            num_actions, c.memory, None, c.features, c.features, c.encoder, init_scale
        )
    return FeedForwardQNetwork(num_actions, c.features, c.features, c.encoder, init_scale)


def actor_critic(config: TrainConfig, num_actions: int) -> nn.Module:
    """The actor-critic of `config` (one shared trunk, two heads)."""
    if has_memory(config):
        return RecurrentActorCritic(
            num_actions, config.memory, None, config.features, config.features, config.encoder
        )
    return FeedForwardActorCritic(num_actions, config.features, config.features, config.encoder)


def init_network(net: nn.Module, key: jax.Array, obs_size: int) -> Params:
    """Params of `net` from a one-step, one-env sequence."""
    obs = jnp.zeros((1, 1, obs_size, obs_size, 3), jnp.uint8)
    carry = net.initialize_carry((1,))
    return net.init(key, carry, (obs, jnp.zeros((1, 1), jnp.int32), jnp.ones((1, 1), bool)))
