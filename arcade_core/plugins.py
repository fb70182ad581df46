"""Plugin discovery: the `arcade` entry-point group, loaded one by one so a broken plugin is
reported by name and never hides the others (pluggy's own `load_setuptools_entrypoints` stops
at the first failure).

Anything a plugin raises at import or in a hook (`SystemExit` included; only
`KeyboardInterrupt` goes through) marks that plugin broken and leaves the others working.

Environment switches, as pytest and datasette offer:

* `ARCADE_DISABLE_PLUGIN_AUTOLOAD=1` — load no third-party entry point except those named in
  `ARCADE_PLUGINS` (the built-ins, shipped with this distribution, still load);
* `ARCADE_PLUGINS=a,b` — load only the entry points named `a` and `b`; a name no installed
  plugin has is a one-line warning.
"""

from __future__ import annotations

import functools
import inspect
import logging
import os
import traceback
from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass, field
from importlib import metadata
from types import ModuleType
from typing import Any

import pluggy

from . import hookspecs
from .errors import UserError

ENTRY_POINT_GROUP = "arcade"
DISTRIBUTION = "pomdp-arcade"  # the plugins this distribution ships are first-party

log = logging.getLogger("arcade")


@dataclass
class PluginInfo:
    """One plugin as discovered: its entry-point name, distribution and load status."""

    name: str
    package: str
    version: str = ""
    module: str = ""
    error: str = ""  # one line: why it failed to load; empty when it loaded
    first_party: bool = False  # shipped with this distribution: keeps a name claimed twice
    hook_errors: list[str] = field(default_factory=list)  # hooks of it that raised, one line each

    @property
    def loaded(self) -> bool:
        return not self.error

    @property
    def ok(self) -> bool:
        """Loaded, and none of its hooks has raised."""
        return not self.error and not self.hook_errors


@dataclass(frozen=True)
class PluginProblem:
    """Something a plugin got wrong that was isolated: a failed import, a raising hook, a
    malformed or clashing spec."""

    plugin: str
    package: str
    reason: str
    status: str = "BROKEN"  # or "REFUSED": a claim of a name another plugin keeps

    def __str__(self) -> str:
        return f"{self.plugin} ({self.package}): {self.reason}"

    def as_dict(self) -> dict[str, str]:
        return {
            "plugin": self.plugin,
            "package": self.package,
            "reason": self.reason,
            "status": self.status,
        }


def _one_line(exc: BaseException) -> str:
    try:
        msg = str(exc).strip().splitlines()
    except Exception:  # an exception whose message itself fails
        msg = []
    return f"{type(exc).__name__}: {msg[0] if msg else ''}".rstrip(": ")


def isolated(exc: BaseException) -> bool:
    """Whether `exc`, raised by a plugin's code, is the plugin's fault to record (anything
    but Ctrl-C and an error meant for the user)."""
    return not isinstance(exc, KeyboardInterrupt | UserError)


class ArcadePlugins:
    """The pluggy manager plus what discovery found.

    Hooks are called through pluggy's own hook callers (`pm.hook.NAME(...)`), so `tryfirst`,
    `trylast` and hook wrappers work as pluggy documents. Each implementation (wrappers too)
    is guarded when its plugin registers: one that raises, or returns a generator that raises
    part-way, is recorded as a `PluginProblem` of its plugin and counts as returning nothing,
    so one broken plugin never hides the others.
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
        self,
        plugin: object,
        name: str,
        package: str = "<local>",
        version: str = "",
        *,
        first_party: bool = False,
    ) -> PluginInfo:
        """Register a plugin object/module directly (tests, notebooks, apps embedding arcade);
        `first_party` plugins keep a name another plugin claims too."""
        if name in self._info:
            raise ValueError(f"a plugin named {name!r} is already registered")
        module = getattr(plugin, "__name__", type(plugin).__name__)
        info = PluginInfo(name, package, version, module, first_party=first_party)
        self._register(plugin, name)
        self._add(info)
        return info

    def _register(self, plugin: object, name: str) -> None:
        self.pm.register(plugin, name=name)
        for caller in self.pm.get_hookcallers(plugin) or []:
            for impl in caller.get_hookimpls():
                if impl.plugin is not plugin:
                    continue
                if impl.hookwrapper or impl.wrapper:
                    impl.function = self._guarded_wrapper(caller.name, name, impl.function)
                else:
                    impl.function = self._guarded(caller.name, name, impl.function)

    def _firstresult(self, hook: str) -> bool:
        caller = getattr(self.pm.hook, hook, None)
        spec = getattr(caller, "spec", None)
        return bool(spec is not None and spec.opts.get("firstresult"))

    def _guarded(self, hook: str, plugin: str, function: Callable[..., Any]) -> Callable[..., Any]:
        """`function` (an implementation of `hook` by `plugin`) recording what it returns for
        `call`, and recording an exception as a problem of `plugin` instead of raising it. A
        returned iterator (a generator, say) is read to its end here, so that it fails here."""

        @functools.wraps(function)
        def guarded(*args: Any) -> Any:
            problems, results = self._calls[-1] if self._calls else (self.problems, [])
            try:
                result = function(*args)
                if isinstance(result, Iterator) and not self._firstresult(hook):
                    result = list(result)
            except BaseException as exc:
                if not isolated(exc):
                    raise
                self.hook_failed(plugin, hook, exc, problems)
                return None
            if result is not None:
                results.append((plugin, result))
            return result

        return guarded

    def _guarded_wrapper(
        self, hook: str, plugin: str, function: Callable[..., Any]
    ) -> Callable[..., Any]:
        """A hook wrapper of `plugin` that, where it raises (before or after its `yield`),
        is recorded as a problem of `plugin` and lets the call through unchanged."""

        @functools.wraps(function)
        def guarded(*args: Any) -> Generator[Any, Any, Any]:
            problems = self._calls[-1][0] if self._calls else self.problems
            try:
                inner = function(*args)
                first = next(inner)
            except BaseException as exc:
                if not isolated(exc):
                    raise
                self.hook_failed(plugin, hook, exc, problems)
                return (yield None)  # pass the outcome through
            try:
                sent = yield first
            except BaseException as thrown:  # a new-style wrapper sees the call's exception
                try:
                    inner.throw(thrown)
                except StopIteration as stop:
                    return stop.value
                except BaseException as exc:
                    if exc is not thrown and isolated(exc):
                        self.hook_failed(plugin, hook, exc, problems)
                        raise thrown from None
                    raise
                inner.close()
                raise
            try:
                inner.send(sent)
            except StopIteration as stop:
                return stop.value
            except BaseException as exc:
                if not isolated(exc):
                    raise
                self.hook_failed(plugin, hook, exc, problems)
                return sent
            inner.close()
            self.hook_failed(plugin, hook, RuntimeError("wrapper yielded twice"), problems)
            return sent

        return guarded

    def hook_failed(
        self,
        plugin: str,
        hook: str,
        exc: BaseException,
        problems: list[PluginProblem] | None = None,
    ) -> None:
        """Record that `hook` of `plugin` raised `exc` (in `problems`, default the manager's);
        the plugin is then reported broken."""
        info = self.info(plugin)
        reason = f"hook {hook} raised {_one_line(exc)}"
        if reason not in info.hook_errors:
            info.hook_errors.append(reason)
        problem = PluginProblem(info.name, info.package, reason)
        target = self.problems if problems is None else problems
        if problem not in target:
            target.append(problem)

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
        try:
            entry_points = list(metadata.entry_points(group=ENTRY_POINT_GROUP))
        except Exception as exc:  # unreadable metadata of some distribution
            log.warning("arcade: warning: cannot list plugins: %s", _one_line(exc))
            entry_points = []
        for ep in entry_points:
            if ep.name in seen:  # the same distribution visible twice on sys.path
                continue
            seen.add(ep.name)
            dist = getattr(ep, "dist", None)
            package = (dist.metadata["Name"] if dist is not None else None) or "?"
            first_party = package == DISTRIBUTION
            if not autoload:  # third-party plugins only when named
                wanted = first_party or ep.name in allow
            else:
                wanted = not allow or ep.name in allow
            if not wanted:
                continue
            version = dist.version if dist is not None else ""
            info = PluginInfo(ep.name, package, version, ep.value, first_party=first_party)
            try:
                self._register(ep.load(), ep.name)
            except BaseException as exc:  # SystemExit too: report it by name, keep going
                if isinstance(exc, KeyboardInterrupt):
                    raise
                info.error = _one_line(exc)
                self.problems.append(
                    PluginProblem(ep.name, package, f"failed to load: {info.error}")
                )
                info.traceback = traceback.format_exc()  # type: ignore[attr-defined]
            self._add(info)
        unknown = sorted(allow - seen)
        if unknown:
            log.warning(
                "arcade: warning: ARCADE_PLUGINS names %s, which no installed plugin is "
                "(installed: %s)",
                ", ".join(unknown),
                ", ".join(sorted(seen)) or "none",
            )

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


def register_plugin(
    plugin: object, name: str, package: str = "<local>", *, first_party: bool = False
) -> PluginInfo:
    """Register `plugin` with the process-wide manager and refresh the registry."""
    info = get_plugin_manager().register(plugin, name, package, first_party=first_party)
    for listener in _listeners:
        listener()
    return info


def unregister_plugin(name: str) -> None:
    get_plugin_manager().unregister(name)
    for listener in _listeners:
        listener()
