"""Frozen dataclasses that are JAX pytrees (states and params), without depending on flax."""

from __future__ import annotations

import dataclasses
from typing import Any, TypeVar

import jax

T = TypeVar("T")


def dataclass(cls: type[T]) -> type[T]:
    """A frozen dataclass registered as a pytree; every field is a leaf (data) field.

    Adds `.replace(**changes)`, as flax.struct does, so game code reads like the spec.
    """
    cls = dataclasses.dataclass(frozen=True)(cls)
    names = [f.name for f in dataclasses.fields(cls)]
    jax.tree_util.register_dataclass(cls, data_fields=names, meta_fields=[])

    def replace(self: Any, **changes: Any) -> Any:
        return dataclasses.replace(self, **changes)

    cls.replace = replace  # type: ignore[attr-defined]
    return cls
