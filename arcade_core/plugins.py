"""Plugin discovery: the `arcade` entry-point group, loaded one by one so a broken plugin is
reported by name and never hides the others (pluggy's own `load_setuptools_entrypoints` stops
at the first failure).

Environment switches, as pytest and datasette offer:

* `ARCADE_DISABLE_PLUGIN_AUTOLOAD=1` — load no entry point except those named in
  `ARCADE_PLUGINS`;
* `ARCADE_PLUGINS=a,b` — load only the entry points named `a` and `b`.
"""

from __future__ import annotations

import functools
import inspect
import os
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from importlib import metadata
from types import ModuleType
from typing import Any

import pluggy

from . import hookspecs
from .errors import UserError

ENTRY_POINT_GROUP = "arcade"


@dataclass
class PluginInfo:
    """One plugin as discovered: its entry-point name, distribution and load status."""

    name: str
    package: str
    version: str = ""
    module: str = ""
    error: str = ""  # one line; empty when the plugin loaded

    @property
    def ok(self) -> bool:
        return not self.error


@dataclass
class PluginProblem:
    """Something a plugin got wrong that was isolated: a failed import, a raising hook, a
    malformed or clashing spec."""

    plugin: str
    package: str
    reason: str

    def __str__(self) -> str:
        return f"{self.plugin} ({self.package}): {self.reason}"


def _one_line(exc: BaseException) -> str:
    msg = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {msg[0] if msg else ''}".rstrip(": ")


class ArcadePlugins:
    """The pluggy manager plus what discovery found.

    Hooks are called through pluggy's own hook callers (`pm.hook.NAME(...)`), so `tryfirst`,
    `trylast` and hook wrappers work as pluggy documents. Each plain implementation is guarded
    when its plugin registers: one that raises is recorded as a `PluginProblem` of its plugin
    and counts as returning nothing, so one broken plugin never hides the others.
    """

    def __init__(self) -> None:
        self.pm = pluggy.PluginManager(hookspecs.PROJECT)
        self.pm.add_hookspecs(hookspecs)
        self.plugins: list[PluginInfo] = []
        self.problems: list[PluginProblem] = []
        self._info: dict[str, PluginInfo] = {}
        self._specs: set[str] = {hookspecs.__name__}
        # one (problems, [(plugin name, result)]) per `call` in progress, innermost last
        self._calls: list[tuple[list[PluginProblem], list[tuple[str, Any]]]] = []

    def add_hookspecs(self, module: ModuleType) -> None:
        """Declare the hooks of `module` (once; later calls do nothing). The package that
        calls a hook declares it, before its first call. A registered plugin whose
        implementation takes an argument the spec lacks is reported and unregistered."""
        if module.__name__ in self._specs:
            return
        self._specs.add(module.__name__)
        for name in dir(module):
            if self.pm.parse_hookspec_opts(module, name) is None:
                continue
            caller = getattr(self.pm.hook, name, None)
            allowed = set(inspect.signature(getattr(module, name)).parameters)
            for impl in caller.get_hookimpls() if caller is not None else []:
                extra = sorted(set(impl.argnames) - allowed)
                if extra and self.pm.is_registered(impl.plugin):
                    info = self.info(impl.plugin_name)
                    info.error = f"hook {name} takes {', '.join(extra)}, which its spec lacks"
                    self.problems.append(PluginProblem(info.name, info.package, info.error))
                    self.pm.unregister(impl.plugin)
        self.pm.add_hookspecs(module)

    def register(
        self, plugin: object, name: str, package: str = "<local>", version: str = ""
    ) -> PluginInfo:
        """Register a plugin object/module directly (tests, notebooks, apps embedding arcade)."""
        if name in self._info:
            raise ValueError(f"a plugin named {name!r} is already registered")
        info = PluginInfo(
            name, package, version, getattr(plugin, "__name__", type(plugin).__name__)
        )
        self._register(plugin, name)
        self._add(info)
        return info

    def _register(self, plugin: object, name: str) -> None:
        self.pm.register(plugin, name=name)
        for caller in self.pm.get_hookcallers(plugin) or []:
            for impl in caller.get_hookimpls():
                if impl.plugin is plugin and not (impl.hookwrapper or impl.wrapper):
                    impl.function = self._guarded(caller.name, name, impl.function)

    def _guarded(self, hook: str, plugin: str, function: Callable[..., Any]) -> Callable[..., Any]:
        """`function` (an implementation of `hook` by `plugin`) recording what it returns for
        `call`, and recording an exception as a problem of `plugin` instead of raising it."""

        @functools.wraps(function)
        def guarded(*args: Any) -> Any:
            problems, results = self._calls[-1] if self._calls else (self.problems, [])
            try:
                result = function(*args)
            except UserError:  # meant for the user (e.g. a policy that cannot load)
                raise
            except Exception as exc:
                info = self.info(plugin)
                reason = f"hook {hook} raised {_one_line(exc)}"
                problems.append(PluginProblem(info.name, info.package, reason))
                return None
            if result is not None:
                results.append((plugin, result))
            return result

        return guarded

    def unregister(self, name: str) -> None:
        self.pm.unregister(name=name)
        info = self._info.pop(name, None)
        if info is not None:
            self.plugins.remove(info)

    def _add(self, info: PluginInfo) -> None:
        self._info[info.name] = info
        self.plugins.append(info)

    def load_entry_points(self) -> None:
        """Import every entry point of the group, one by one, recording failures."""
        allow = {p.strip() for p in os.environ.get("ARCADE_PLUGINS", "").split(",") if p.strip()}
        autoload = os.environ.get("ARCADE_DISABLE_PLUGIN_AUTOLOAD", "") in ("", "0", "false")
        seen: set[str] = set()
        for ep in metadata.entry_points(group=ENTRY_POINT_GROUP):
            if ep.name in seen:  # the same distribution visible twice on sys.path
                continue
            seen.add(ep.name)
            if (allow and ep.name not in allow) or (not autoload and ep.name not in allow):
                continue
            dist = getattr(ep, "dist", None)
            package = dist.metadata["Name"] if dist is not None else "?"
            version = dist.version if dist is not None else ""
            info = PluginInfo(ep.name, package, version, ep.value)
            try:
                self._register(ep.load(), ep.name)
            except Exception as exc:  # any failure: report it by name, keep going
                info.error = _one_line(exc)
                self.problems.append(
                    PluginProblem(ep.name, package, f"failed to load: {info.error}")
                )
                info.traceback = traceback.format_exc()  # type: ignore[attr-defined]
            self._add(info)

    def info(self, name: str) -> PluginInfo:
        return self._info.get(name) or PluginInfo(name, "<unknown>")

    def call(
        self, hook: str, problems: list[PluginProblem] | None = None, **kwargs: Any
    ) -> Iterator[tuple[PluginInfo, Any]]:
        """Call `hook` through its pluggy hook caller and yield `(plugin, result)` for each
        result, in registration order (pluggy calls the last registered first); an
        implementation that raises is recorded in `problems` (default: the manager's) and
        skipped. A result a hook wrapper put in is attributed to no plugin (`<wrapper>`)."""
        caller = getattr(self.pm.hook, hook, None)
        if caller is None:  # no spec and no implementation
            return iter(())
        log: list[tuple[str, Any]] = []
        self._calls.append((self.problems if problems is None else problems, log))
        try:
            results = caller(**kwargs)
        finally:
            self._calls.pop()
        if caller.spec is not None and caller.spec.opts.get("firstresult"):
            results = [] if results is None else [results]
        out = []
        for result in results:
            i = next((i for i, (_, r) in enumerate(log) if r is result), None)
            owner = log.pop(i)[0] if i is not None else "<wrapper>"
            out.append((self.info(owner), result))
        return reversed(out)


_MANAGER: ArcadePlugins | None = None
_listeners: list[Callable[[], None]] = []


def get_plugin_manager() -> ArcadePlugins:
    """The process-wide plugin manager, discovering entry points on first use."""
    global _MANAGER
    if _MANAGER is None:
        _MANAGER = ArcadePlugins()
        _MANAGER.load_entry_points()
    return _MANAGER


def on_reset(listener: Callable[[], None]) -> None:
    """Call `listener` whenever `reset_plugins` runs (the registry drops its cache)."""
    _listeners.append(listener)


def reset_plugins() -> None:
    """Forget discovered plugins (after installing one at run time, or between tests)."""
    global _MANAGER
    _MANAGER = None
    for listener in _listeners:
        listener()


def register_plugin(plugin: object, name: str, package: str = "<local>") -> PluginInfo:
    """Register `plugin` with the process-wide manager and refresh the registry."""
    info = get_plugin_manager().register(plugin, name, package)
    for listener in _listeners:
        listener()
    return info


def unregister_plugin(name: str) -> None:
    get_plugin_manager().unregister(name)
    for listener in _listeners:
        listener()
