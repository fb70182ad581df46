"""The env registry: `make`, `list_envs`, `spec`, built from the `arcade_games` hook of every
plugin (the built-in games included). Building it imports no game module and no JAX."""

from __future__ import annotations

import difflib
import importlib
from dataclasses import dataclass, field, replace
from typing import Any

from .plugins import PluginProblem, get_plugin_manager, on_reset
from .specs import EnvSpec, GameSpec, game_problems, spec_problems


class PluginConflictError(ValueError):
    """Two plugins registered the same env id."""


class PluginLoadError(ImportError):
    """An env's game module (its spec's `entry`) failed to import; names the plugin."""


@dataclass
class Registry:
    """All env specs that loaded cleanly, the ids claimed twice, and every isolated problem."""

    specs: dict[str, EnvSpec] = field(default_factory=dict)
    conflicts: dict[str, list[EnvSpec]] = field(default_factory=dict)
    problems: list[PluginProblem] = field(default_factory=list)

    @classmethod
    def build(cls) -> Registry:
        plugins = get_plugin_manager()
        reg = cls(problems=list(plugins.problems))
        for info, result in plugins.call("arcade_games", problems=reg.problems):
            try:
                items = list(result)
            except TypeError:
                items = [result]
            for item in items:
                specs, bad_game = reg._expand(item)
                if bad_game:
                    name = getattr(item, "name", "?")
                    reason = f"malformed game {name!r}: {'; '.join(bad_game)}"
                    reg.problems.append(PluginProblem(info.name, info.package, reason))
                for sp in specs:
                    bad = spec_problems(sp)
                    if bad:
                        name = getattr(sp, "id", None) or getattr(item, "name", "?")
                        reg.problems.append(
                            PluginProblem(
                                info.name,
                                info.package,
                                f"malformed spec {name!r}: {'; '.join(bad)}",
                            )
                        )
                        continue
                    reg._add(
                        replace(
                            sp, package=sp.package or info.package, plugin=sp.plugin or info.name
                        )
                    )
        for env_id, claims in reg.conflicts.items():
            who = " and ".join(f"{c.plugin} ({c.package})" for c in claims)
            reg.problems.append(
                PluginProblem(
                    claims[-1].plugin,
                    claims[-1].package,
                    f"env id {env_id!r} registered by both {who}",
                )
            )
        return reg

    @staticmethod
    def _expand(item: Any) -> tuple[list[Any], list[str]]:
        """The env specs an item of `arcade_games` stands for, and why a game cannot expand."""
        if not isinstance(item, GameSpec):
            return [item], []
        bad = game_problems(item)
        if bad:
            return [], bad
        try:
            return item.env_specs(), []
        except Exception as exc:  # a subclass or odd field the checks above did not foresee
            return [], [f"{type(exc).__name__}: {exc}"]

    def _add(self, sp: EnvSpec) -> None:
        if sp.id in self.conflicts:
            self.conflicts[sp.id].append(sp)
        elif sp.id in self.specs:
            self.conflicts[sp.id] = [self.specs.pop(sp.id), sp]
        else:
            self.specs[sp.id] = sp

    def lookup(self, env_id: str) -> EnvSpec:
        """The spec of `env_id`, or a `ValueError` naming the closest ids."""
        if env_id in self.specs:
            return self.specs[env_id]
        if env_id in self.conflicts:
            who = " and ".join(f"plugin {c.plugin!r} ({c.package})" for c in self.conflicts[env_id])
            raise PluginConflictError(
                f"env id {env_id!r} is registered by both {who}; uninstall one"
            )
        raise ValueError(f"unknown env id {env_id!r}.{did_you_mean(env_id, list(self.specs))}")


def did_you_mean(word: str, choices: list[str]) -> str:
    """' Did you mean: A, B?' for the closest choices (case-insensitive), or a hint."""
    if not isinstance(word, str):
        return f" Env ids are strings; {len(choices)} are registered (`arcade list`)."
    lower = {c.lower(): c for c in choices}
    close = [
        lower[m] for m in difflib.get_close_matches(word.lower(), list(lower), n=3, cutoff=0.6)
    ]
    if not close:
        close = [c for c in choices if c.lower().startswith(word.lower()[:4])][:3]
    if close:
        return f" Did you mean: {', '.join(close)}?"
    return f" {len(choices)} env ids are registered; see `arcade list`."


_REGISTRY: Registry | None = None


def registry() -> Registry:
    """The process-wide registry (built on first use, rebuilt after plugins change)."""
    global _REGISTRY
    if _REGISTRY is None:
        _REGISTRY = Registry.build()
    return _REGISTRY


def _drop_cache() -> None:
    global _REGISTRY
    _REGISTRY = None


on_reset(_drop_cache)


def list_envs() -> list[str]:
    """Every registered env id, in plugin then declaration order."""
    return list(registry().specs)


def spec(env_id: str) -> EnvSpec:
    """The `EnvSpec` of `env_id` (`ValueError` with suggestions if unknown)."""
    return registry().lookup(env_id)


def load_entry(entry: str) -> Any:
    """Import `"module:attr"` and return the attribute."""
    module, _, attr = entry.partition(":")
    obj: Any = importlib.import_module(module)
    for part in attr.split("."):
        obj = getattr(obj, part)
    return obj


def make(
    env_id: str, partial_obs: bool = False, obs_size: int = 128, **kwargs: Any
) -> tuple[Any, Any]:
    """Build an env: `(env, default_params)`, as `popgym_arcade.make` does.

    `partial_obs=True` selects the POMDP variant; `obs_size` is 128 or 256 (anything else is a
    `ValueError`); extra `kwargs` go to the game's constructor (e.g. `final_observation=True`).
    """
    from .spaces import check_obs_size

    check_obs_size(obs_size)
    sp = spec(env_id)
    try:
        factory = load_entry(sp.entry)
    except Exception as exc:  # name the plugin to blame, keep the cause chained
        raise PluginLoadError(
            f"env {env_id!r} of plugin {sp.plugin!r} ({sp.package}) cannot load {sp.entry!r}: "
            f"{type(exc).__name__}: {exc}"
        ) from exc
    env = factory(partial_obs=partial_obs, obs_size=obs_size, **{**sp.kwargs, **kwargs})
    env.spec = sp
    return env, env.default_params
