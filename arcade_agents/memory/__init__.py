"""Memory models: the `MemoryModel` interface, the built-in zoo and the registry that finds
every model a plugin registers through `arcade_memory_models`.

    from arcade_agents.memory import make_memory_model
    model = make_memory_model("lru", features=256)
    carry = model.initialize_carry((batch, input_dim))
    carry, y = model.apply(params, carry, (x, start))   # x [batch, T, F], start [batch, T]

Any memax equinox model is one line away: `memax_model("GDN")` or `memax_model(factory)`
(see `memax_adapter`), returned from your plugin's `arcade_memory_models` hook.
"""

from .base import (
    Carry,
    LinearRecurrentModel,
    MemoryModel,
    ScanModel,
    broadcast_carry,
    linear_recurrence,
    reset_carry,
    scan_with_resets,
)
from .memax_adapter import MemaxAdapter, memax_model
from .registry import (
    ModelEntry,
    UnknownMemoryModelError,
    get_memory_model,
    list_memory_models,
    make_memory_model,
    memory_registry,
)

__all__ = [
    "Carry",
    "LinearRecurrentModel",
    "MemaxAdapter",
    "MemoryModel",
    "ModelEntry",
    "ScanModel",
    "UnknownMemoryModelError",
    "broadcast_carry",
    "get_memory_model",
    "linear_recurrence",
    "list_memory_models",
    "make_memory_model",
    "memax_model",
    "memory_registry",
    "reset_carry",
    "scan_with_resets",
]
