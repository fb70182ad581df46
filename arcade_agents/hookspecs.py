"""The hooks the agents call, declared by the agents (the engine does not know them): each
registry adds them to the plugin manager before its first call (`add_hookspecs`).

A memory model or algorithm plugin implements them with the engine's marker:

    from arcade_core.hookspecs import hookimpl

    @hookimpl
    def arcade_memory_models():
        from .model import MyModel
        return {"MyModel": MyModel}
"""

from __future__ import annotations

from typing import Any

from arcade_core.hookspecs import hookspec


@hookspec
def arcade_memory_models() -> dict[str, Any]:
    """Return `{name: MemoryModel subclass}` for the agents' memory-model zoo."""


@hookspec
def arcade_algorithms() -> dict[str, Any]:
    """Return `{name: Algorithm}` training algorithms (a bare `make_train` is accepted too)."""
