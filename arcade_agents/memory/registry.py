"""The memory-model registry: every `MemoryModel` subclass that a plugin returns from the
`arcade_memory_models` hook (the built-ins included), looked up by case-insensitive name."""

from __future__ import annotations

import difflib
import inspect
from dataclasses import dataclass, field
from typing import Any

from arcade_core.plugins import PluginProblem, get_plugin_manager, on_reset

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


@dataclass
class MemoryRegistry:
    """Models keyed by lower-cased name, names claimed twice, and every isolated problem."""

    models: dict[str, ModelEntry] = field(default_factory=dict)
    conflicts: dict[str, list[ModelEntry]] = field(default_factory=dict)
    problems: list[PluginProblem] = field(default_factory=list)

    @classmethod
    def build(cls) -> MemoryRegistry:
        from .. import hookspecs

        plugins = get_plugin_manager()
        plugins.add_hookspecs(hookspecs)
        reg = cls(problems=list(plugins.problems))  # failed imports show here too
        for info, result in plugins.call("arcade_memory_models", problems=reg.problems):
            if not isinstance(result, dict):
                reg._problem(
                    info, f"arcade_memory_models returned {type(result).__name__}, not dict"
                )
                continue
            for name, model in result.items():
                if not isinstance(name, str) or not name:
                    reg._problem(info, f"memory model name {name!r} is not a non-empty string")
                elif not (inspect.isclass(model) and issubclass(model, MemoryModel)):
                    reg._problem(info, f"memory model {name!r} is not a MemoryModel subclass")
                else:
                    reg._add(ModelEntry(name, model, info.package, info.name))
        for claims in reg.conflicts.values():
            who = " and ".join(f"{c.plugin} ({c.package})" for c in claims)
            reg.problems.append(
                PluginProblem(
                    claims[-1].plugin,
                    claims[-1].package,
                    f"memory model {claims[-1].name!r} registered by both {who}",
                )
            )
        return reg

    def _problem(self, info: Any, reason: str) -> None:
        self.problems.append(PluginProblem(info.name, info.package, reason))

    def _add(self, entry: ModelEntry) -> None:
        key = entry.name.casefold()
        if key in self.conflicts:
            self.conflicts[key].append(entry)
        elif key in self.models:
            self.conflicts[key] = [self.models.pop(key), entry]
        else:
            self.models[key] = entry

    def get(self, name: str) -> ModelEntry | None:
        """The entry for `name` (any case), or None."""
        return self.models.get(name.casefold())

    def names(self) -> list[str]:
        return [e.name for e in self.models.values()]

    def lookup(self, name: str) -> ModelEntry:
        """The entry for `name` (any case); a `ValueError` listing the known names if none."""
        key = name.casefold() if isinstance(name, str) else name
        if key in self.models:
            return self.models[key]
        if key in self.conflicts:
            who = " and ".join(f"plugin {c.plugin!r} ({c.package})" for c in self.conflicts[key])
            raise ValueError(f"memory model {name!r} is registered by both {who}; uninstall one")
        known = ", ".join(sorted(self.names(), key=str.casefold))
        close = difflib.get_close_matches(str(name).casefold(), list(self.models), n=1)
        hint = f" Did you mean {self.models[close[0]].name}?" if close else ""
        raise UnknownMemoryModelError(
            f"unknown memory model {name!r}.{hint} Known models: {known}."
        )


_REGISTRY: MemoryRegistry | None = None


def memory_registry() -> MemoryRegistry:
    """The process-wide registry, rebuilt after plugins change (`register_plugin` etc.)."""
    global _REGISTRY
    if _REGISTRY is None:
        _REGISTRY = MemoryRegistry.build()
    return _REGISTRY


def _drop_cache() -> None:
    global _REGISTRY
    _REGISTRY = None


on_reset(_drop_cache)


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
