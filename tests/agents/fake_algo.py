"""A tiny pure-JAX stand-in algorithm for the runner's tests: it meets the `Trainer` protocol
(init / update / act / params_of) in microseconds, so checkpoint, resume and CLI tests run
without compiling a network. Registered as algorithm "fake" with `register()`.

`FakeConfig.delay_ms` sleeps in a host callback every update (no effect on the numbers), so a
test can kill a run part-way through.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import jax
import jax.numpy as jnp

from arcade_agents.train.api import Algorithm, TrainConfig
from arcade_core.hookspecs import hookimpl

PLUGIN_NAME = "fake-algo"


@dataclass(frozen=True)
class FakeConfig(TrainConfig):
    algo: str = "fake"
    num_envs: int = 2
    num_steps: int = 4
    total_frames: int = 160  # 20 updates
    noise: float = 0.05
    delay_ms: float = 0.0


class FakeTrainer:
    """Noisy gradient steps of `w` towards a target; typed RNG keys, an update counter, an
    empty (zero-size) carry and a None field in the state, like a real trainer."""

    def __init__(self, config: FakeConfig) -> None:
        self.config = config
        self.frames_per_update = config.num_envs * config.num_steps
        self.num_updates = config.total_frames // self.frames_per_update

    def init(self, key: jax.Array) -> dict[str, Any]:
        keys = jax.random.split(key, self.config.seeds)
        w = jax.vmap(lambda k: jax.random.normal(k, (8,)))(keys)
        n = jnp.zeros(self.config.seeds, jnp.int32)
        empty = jnp.zeros((self.config.seeds, 0))  # like a memory-less agent's carry
        return {"params": {"w": w}, "key": keys, "update": n, "carry": empty, "unused": None}

    def update(self, state: dict[str, Any]) -> tuple[dict[str, Any], dict[str, jax.Array]]:
        cfg = self.config
        if cfg.delay_ms > 0:
            jax.debug.callback(lambda: time.sleep(cfg.delay_ms / 1000))

        def one(w: jax.Array, key: jax.Array, n: jax.Array) -> Any:
            key, k = jax.random.split(key)
            target = jnp.arange(8.0) / 8
            lr = cfg.lr * (1 - n / self.num_updates)  # a schedule: depends on the counter
            w = w + lr * (target - w) + cfg.noise * jax.random.normal(k, w.shape)
            loss = jnp.sum((w - target) ** 2)
            metrics = {"loss": loss, "return_sum": 2.0 * (1.0 - loss), "episodes": jnp.float32(2)}
            return w, key, n + 1, metrics

        w, key, n, metrics = jax.vmap(one)(state["params"]["w"], state["key"], state["update"])
        state = {**state, "params": {"w": w}, "key": key, "update": n}
        return state, metrics

    def act(self, params: Any, carry: Any, obs: jax.Array, start: jax.Array, key: jax.Array,
            greedy: bool = True) -> tuple[jax.Array, Any]:  # fmt: skip
        action = jnp.argmax(params["w"][:5]).astype(jnp.int32)
        return jnp.full(obs.shape[:1], action), carry + 1

    def initial_carry(self, batch: int) -> jax.Array:
        return jnp.zeros((batch,), jnp.int32)

    def params_of(self, state: dict[str, Any], seed: int = 0) -> Any:
        return jax.tree.map(lambda x: x[seed], state["params"])


ALGORITHM = Algorithm("fake", FakeConfig, FakeTrainer, "a stand-in for tests")


class _Plugin:
    @hookimpl
    def arcade_algorithms(self) -> dict[str, Any]:
        return {"fake": ALGORITHM}


def register() -> None:
    """Add the "fake" algorithm to the plugin manager (idempotent)."""
    from arcade_core.plugins import get_plugin_manager, register_plugin

    if PLUGIN_NAME not in {p.name for p in get_plugin_manager().plugins}:
        register_plugin(_Plugin(), PLUGIN_NAME)


def unregister() -> None:
    """Remove it again (a no-op if another test already reset the plugins)."""
    from arcade_core.plugins import get_plugin_manager, unregister_plugin

    if PLUGIN_NAME in {p.name for p in get_plugin_manager().plugins}:
        unregister_plugin(PLUGIN_NAME)
