"""The memory-model registry: every `MemoryModel` subclass that a plugin returns from the
`arcade_memory_models` hook (the built-ins included), looked up by case-insensitive name."""

from __future__ import annotations

import inspect
from dataclasses import dataclass
from typing import Any

from arcade_core.plugin_registry import PluginRegistry
from arcade_core.plugins import PluginInfo

from .. import hookspecs
from .base import MemoryModel


class UnknownMemoryModelError(ValueError):
    """No memory model has this name; the message lists the known ones."""


@dataclass(frozen=True)
class ModelEntry:
    """One registered model: its name as registered, class and where it came from."""

    name: str
    cls: type[MemoryModel]
    package: str
    plugin: str

    @property
    def scan_kind(self) -> str:
        return self.cls.scan_kind

    @property
    def source(self) -> str:
        """Where the model comes from: its class's `source`, else the registering package
        (`arcade` for our own)."""
        if self.cls.source:
            return self.cls.source
        return "arcade" if self.package == "pomdp-arcade" else self.package

    @property
    def parallel_scan(self) -> bool:
        return self.cls.scan_kind == "associative"

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "package": self.package,
            "plugin": self.plugin,
            "source": self.source,
            "class": f"{self.cls.__module__}.{self.cls.__qualname__}",
            "scan": self.scan_kind,
            "parallel_scan": self.parallel_scan,
        }


class MemoryRegistry(PluginRegistry[ModelEntry]):
    """Models keyed by lower-cased name (`models`), names claimed twice, and every isolated
    problem."""

    hook = "arcade_memory_models"
    kind = "memory model"
    plural = "models"
    hookspecs = hookspecs
    casefold = True
    unknown_error = UnknownMemoryModelError

    @property
    def models(self) -> dict[str, ModelEntry]:
        return self.entries

    def entries_of(self, info: PluginInfo, result: Any) -> list[ModelEntry]:
        out = []
        for name, model in self.items_of(info, result):
            if not isinstance(name, str) or not name:
                self.problem(info, f"memory model name {name!r} is not a non-empty string")
            elif not (inspect.isclass(model) and issubclass(model, MemoryModel)):
                self.problem(info, f"memory model {name!r} is not a MemoryModel subclass")
            else:
                out.append(ModelEntry(name, model, info.package, info.name))
        return out


def memory_registry() -> MemoryRegistry:
    """The process-wide registry, rebuilt after plugins change (`register_plugin` etc.)."""
    return MemoryRegistry.current()  # type: ignore[return-value]


def list_memory_models() -> list[ModelEntry]:
    """Every registered model, in plugin then declaration order."""
    return list(memory_registry().models.values())


def get_memory_model(name: str | type[MemoryModel]) -> type[MemoryModel]:
    """The class registered as `name` (case-insensitive); a class is passed through."""
    if inspect.isclass(name) and issubclass(name, MemoryModel):
        return name
    return memory_registry().lookup(name).cls


def make_memory_model(name: str | type[MemoryModel], features: int, **kwargs: Any) -> MemoryModel:
    """An unbound model of the named kind with `features` outputs."""
    return get_memory_model(name)(features=features, **kwargs)
