"""Entry point: registers the model with the agents' memory-model registry. The model module
(Flax, JAX) is imported only when the hook is called, so `arcade list` stays instant."""

from __future__ import annotations

from typing import Any

from arcade_core.hookspecs import hookimpl


@hookimpl
def arcade_memory_models() -> dict[str, Any]:
    from .model import SlidingWindowAttention

    return {"SlidingWindowAttention": SlidingWindowAttention}
