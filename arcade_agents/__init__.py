"""Flax (linen) agents for POMDP Arcade: pixel networks and a zoo of memory models, itself a
plugin of the core (entry point `agents` in the `arcade` group).

Importing this package imports no JAX: the names below resolve on first access, so the
plugin's entry point stays cheap for `arcade list`.

    from arcade_agents import RecurrentQNetwork
    net = RecurrentQNetwork(num_actions=5, memory="lru")
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

# public name -> module that defines it (resolved on first access)
_EXPORTS = {
    "MemoryModel": "memory",
    "get_memory_model": "memory",
    "list_memory_models": "memory",
    "make_memory_model": "memory",
    "PixelEncoder": "networks",
    "QHead": "networks",
    "ActorHead": "networks",
    "CriticHead": "networks",
    "RecurrentQNetwork": "networks",
    "RecurrentActorCritic": "networks",
}

__all__ = [
    "ActorHead",
    "CriticHead",
    "MemoryModel",
    "PixelEncoder",
    "QHead",
    "RecurrentActorCritic",
    "RecurrentQNetwork",
    "get_memory_model",
    "list_memory_models",
    "make_memory_model",
]

if TYPE_CHECKING:  # pragma: no cover - for type checkers and IDEs only
    from .memory import MemoryModel, get_memory_model, list_memory_models, make_memory_model
    from .networks import (
        ActorHead,
        CriticHead,
        PixelEncoder,
        QHead,
        RecurrentActorCritic,
        RecurrentQNetwork,
    )


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(importlib.import_module(f".{_EXPORTS[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
