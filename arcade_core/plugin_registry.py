"""One registry mechanism for whatever plugins provide by name: env ids (`arcade_core.registry`),
memory models and training algorithms (the agents').

A `PluginRegistry` subclass names its hook and turns each plugin's result into entries; the
base calls the hook through pluggy (so `tryfirst` and hook wrappers work), records each
malformed entry or raising plugin as a `PluginProblem` without hiding the others, settles a
name claimed twice (the first-party claim, shipped with this distribution, is kept and the
newcomer refused by name; two third-party claims are refused together, naming both), answers
an unknown name with the closest ones, and is built lazily: on first use, and again after the
plugins change. Imports no JAX.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Iterator
from types import ModuleType
from typing import Any, ClassVar, Generic, TypeVar

from .plugins import PluginInfo, PluginProblem, get_plugin_manager, isolated, on_reset

E = TypeVar("E")


def suggest(word: str, choices: Iterable[str], n: int = 3) -> list[str]:
    """The choices closest to `word` (case-insensitive, difflib's ratio >= 0.6), best first,
    spelled as registered."""
    spelled: dict[str, str] = {}
    for choice in choices:
        spelled.setdefault(choice.casefold(), choice)
    close = difflib.get_close_matches(str(word).casefold(), list(spelled), n=n, cutoff=0.6)
    return [spelled[c] for c in close]


def did_you_mean(word: str, choices: Iterable[str], *, n: int = 1, quote: bool = False) -> str:
    """' Did you mean X?' (or ' Did you mean: X, Y?' when `n` > 1) for the choices closest to
    `word`; '' when none is close. `quote` shows them as Python reprs."""
    close = [repr(c) if quote else c for c in suggest(word, choices, n)]
    if not close:
        return ""
    return f" Did you mean {close[0]}?" if n == 1 else f" Did you mean: {', '.join(close)}?"


class PluginRegistry(Generic[E]):
    """Entries of one kind, by name, from every plugin's implementation of `hook`.

    Subclasses set the class attributes and implement `entries_of` (validation); entries carry
    their name (`name_field`), `plugin` and `package`. They may override `unknown_message`. `entries` holds what loaded cleanly,
    `conflicts` the names claimed twice (with every claim), `problems` everything isolated.
    """

    hook: ClassVar[str]
    name_field: ClassVar[str] = "name"  # the entry's attribute that holds its name
    kind: ClassVar[str]  # as messages name one entry: "env id", "memory model", ...
    plural: ClassVar[str]  # as messages name them all: "env ids", "models", ...
    hookspecs: ClassVar[ModuleType | None] = None  # declared before the first call
    casefold: ClassVar[bool] = False  # names match in any case
    # a name two third-party plugins claim: refuse both claims (False) or keep the first and
    # refuse the newcomer; a first-party claim is always kept and any other refused
    keep_first: ClassVar[bool] = False
    unknown_error: ClassVar[type[ValueError]] = ValueError
    conflict_error: ClassVar[type[ValueError]] = ValueError

    def __init__(self, problems: Iterable[PluginProblem] = ()) -> None:
        self.entries: dict[str, E] = {}
        self.conflicts: dict[str, list[E]] = {}
        self.problems: list[PluginProblem] = list(problems)

    # ------------------------------------------------------------------ what subclasses say
    def entries_of(self, info: PluginInfo, result: Any) -> Iterable[E]:
        """The entries one plugin's hook result stands for; report what is malformed with
        `self.problem(info, reason)` and leave it out."""
        raise NotImplementedError

    def items_of(self, info: PluginInfo, result: Any) -> list[tuple[Any, Any]]:
        """The `(name, value)` pairs of a hook that returns a dict; a problem if it does not."""
        if not isinstance(result, dict):
            self.problem(info, f"{self.hook} returned {type(result).__name__}, not dict")
            return []
        return list(result.items())

    def name_of(self, entry: E) -> str:
        return getattr(entry, self.name_field)

    @staticmethod
    def owner_of(entry: E) -> tuple[str, str]:
        """`(plugin, package)` that registered `entry`."""
        return entry.plugin, entry.package  # type: ignore[attr-defined]

    def unknown_message(self, name: Any) -> str:
        """The message for a name nobody registered: the closest name and every known one."""
        known = ", ".join(sorted(self.names(), key=str.casefold))
        hint = did_you_mean(str(name), self.names())
        return f"unknown {self.kind} {name!r}.{hint} Known {self.plural}: {known}."

    # ------------------------------------------------------------------ building
    @classmethod
    def build(cls) -> PluginRegistry[E]:
        """A fresh registry from the plugins now registered (failed imports show as problems)."""
        plugins = get_plugin_manager()
        if cls.hookspecs is not None:
            plugins.add_hookspecs(cls.hookspecs)
        reg = cls(plugins.problems)
        for info, result in plugins.call(cls.hook, problems=reg.problems):
            try:  # a result so odd that reading it raises is its plugin's problem
                entries = list(reg.entries_of(info, result))
            except BaseException as exc:
                if not isolated(exc):
                    raise
                plugins.hook_failed(info.name, cls.hook, exc, reg.problems)
                continue
            for entry in entries:
                reg.add(entry)
        reg._report_conflicts()
        return reg

    def problem(self, info: PluginInfo, reason: str) -> None:
        self.problems.append(PluginProblem(info.name, info.package, reason))

    def key(self, name: Any) -> Any:
        return name.casefold() if self.casefold and isinstance(name, str) else name

    def add(self, entry: E) -> None:
        """Add `entry`. A name already taken: a first-party claim is kept and any other
        refused (reported against the plugin refused); between third-party claims the name
        becomes a conflict (or, with `keep_first`, the newcomer is refused)."""
        key = self.key(self.name_of(entry))
        mine = self.first_party(entry)
        if key in self.conflicts:
            if not mine:
                self.conflicts[key].append(entry)
                return
            for other in self.conflicts.pop(key):
                self.refuse(other, entry)
            self.entries[key] = entry
        elif key not in self.entries:
            self.entries[key] = entry
        else:
            held = self.entries[key]
            if self.first_party(held) or (self.keep_first and not mine):
                self.refuse(entry, held)
            elif mine:
                self.entries[key] = entry
                self.refuse(held, entry)
            else:
                self.conflicts[key] = [self.entries.pop(key), entry]

    @classmethod
    def first_party(cls, entry: E) -> bool:
        """Whether `entry` comes from a plugin shipped with this distribution."""
        return get_plugin_manager().info(cls.owner_of(entry)[0]).first_party

    def refuse(self, entry: E, keeper: E) -> None:
        """Report `entry`'s claim of a name `keeper` keeps, against `entry`'s plugin."""
        plugin, package = self.owner_of(entry)
        why = "a built-in" if self.first_party(keeper) else "registered first"
        reason = "{} {!r} refused: taken by {} ({}), {}".format(
            self.kind, self.name_of(entry), *self.owner_of(keeper), why
        )
        self.problems.append(PluginProblem(plugin, package, reason, "REFUSED"))

    def _claimed(self, name: str, claims: list[E]) -> str:
        who = " and ".join("{} ({})".format(*self.owner_of(c)) for c in claims)
        return f"{self.kind} {name!r} registered by both {who}"

    def _report_conflicts(self) -> None:
        for claims in self.conflicts.values():
            plugin, package = self.owner_of(claims[-1])
            reason = self._claimed(self.name_of(claims[-1]), claims)
            self.problems.append(PluginProblem(plugin, package, reason))

    # ------------------------------------------------------------------ lookup
    def names(self) -> list[str]:
        """Every registered name, as registered, in plugin then declaration order."""
        return [self.name_of(e) for e in self.entries.values()]

    def __iter__(self) -> Iterator[E]:
        return iter(self.entries.values())

    def __len__(self) -> int:
        return len(self.entries)

    def __contains__(self, name: object) -> bool:
        return self.key(name) in self.entries

    def get(self, name: Any, default: E | None = None) -> E | None:
        """The entry registered as `name`, or `default`."""
        return self.entries.get(self.key(name), default)

    def lookup(self, name: Any) -> E:
        """The entry registered as `name`; a `conflict_error` naming both plugins if two claim
        it, an `unknown_error` with the closest names if none does."""
        key = self.key(name)
        if key in self.entries:
            return self.entries[key]
        if key in self.conflicts:
            who = " and ".join(
                "plugin {!r} ({})".format(*self.owner_of(c)) for c in self.conflicts[key]
            )
            raise self.conflict_error(
                f"{self.kind} {name!r} is registered by both {who}; uninstall one"
            )
        raise self.unknown_error(self.unknown_message(name))

    # ------------------------------------------------------------------ the process-wide one
    @classmethod
    def current(cls) -> PluginRegistry[E]:
        """The process-wide registry of this kind: built on first use, rebuilt after the
        plugins change (`register_plugin`, `reset_plugins`)."""
        reg = _CURRENT.get(cls)
        if reg is None:
            reg = _CURRENT[cls] = cls.build()
        return reg


_CURRENT: dict[type, Any] = {}
on_reset(_CURRENT.clear)
