"""What acts in an env, as a pure function: the interface between whoever owns an agent (the
agents plugin, a third party) and whatever plays it (`arcade record --policy`).

A policy acts on one episode at a time; whoever plays it vmaps over episodes. Imports no JAX
until a policy acts.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, eq=False)
class Policy:
    """`act(carry, obs, start, key) -> (action, carry)` on one episode: `obs` uint8[S, S, 3]
    of the view `partial` of `env_id` at `obs_size`, `start` True on an episode's first frame,
    `action` an int32 scalar in 0..4; `initial_carry()` is the carry before the first frame
    (None for a policy without memory). `env_id` None: any env."""

    act: Callable[[Any, Any, Any, Any], tuple[Any, Any]]
    initial_carry: Callable[[], Any] = lambda: None
    env_id: str | None = None
    partial: bool | None = None  # the view it was made for; None: either
    obs_size: int | None = None  # the frame size it was made for; None: either
    name: str = "policy"


def _random_act(carry: Any, obs: Any, start: Any, key: Any) -> tuple[Any, Any]:
    import jax

    from .spaces import NUM_ACTIONS

    return jax.random.randint(key, (), 0, NUM_ACTIONS), carry


RANDOM = Policy(_random_act, name="random")
"""Uniform over the five actions, whatever the frame."""
