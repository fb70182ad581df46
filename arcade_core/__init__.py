"""POMDP Arcade core: env protocol, renderer, observability, plugin registry.

Importing this package is cheap and imports no JAX: the public names below are resolved
lazily, so `arcade list` answers without loading any numerical library.

    import arcade_core
    env, params = arcade_core.make("CartPoleEasy", partial_obs=True)
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

# public name -> module that defines it (resolved on first access)
_EXPORTS = {
    "make": "registry",
    "list_envs": "registry",
    "spec": "registry",
    "EnvSpec": "specs",
    "GameSpec": "specs",
    "Difficulty": "specs",
    "Environment": "env",
    "View": "observability",
    "Discrete": "spaces",
    "Box": "spaces",
    "LogWrapper": "wrappers",
    "to_gymnax": "wrappers",
    "to_gymnasium": "wrappers",
    "to_gymnasium_vector": "wrappers",
    "check_env": "testing",
    "hookimpl": "hookspecs",
    "get_plugin_manager": "plugins",
}

__all__ = sorted(_EXPORTS)

if TYPE_CHECKING:  # pragma: no cover - for type checkers and IDEs only
    from .env import Environment
    from .hookspecs import hookimpl
    from .observability import View
    from .plugins import get_plugin_manager
    from .registry import list_envs, make, spec
    from .spaces import Box, Discrete
    from .specs import Difficulty, EnvSpec, GameSpec
    from .testing import check_env
    from .wrappers import LogWrapper, to_gymnasium, to_gymnasium_vector, to_gymnax


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'arcade_core' has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_EXPORTS))
