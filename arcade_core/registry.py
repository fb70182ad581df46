"""The env registry: `make`, `list_envs`, `spec`, built from the `arcade_games` hook of every
plugin (the built-in games included). Building it imports no game module and no JAX."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from .plugin_registry import PluginRegistry, suggest
from .plugins import PluginInfo
from .specs import RENDERERS, EnvSpec, GameSpec, game_problems, spec_problems


class PluginConflictError(ValueError):
    """Two plugins registered the same env id."""


class PluginLoadError(ImportError):
    """An env's game module (its spec's `entry`) failed to import; names the plugin."""


class UnknownArgumentError(ValueError, TypeError):
    """`make` got a keyword argument the env's constructor does not take. A `ValueError`
    (a bad value for `make`) that is also the `TypeError` Python would raise, so code that
    caught the latter keeps working."""


class Registry(PluginRegistry[EnvSpec]):
    """All env specs that loaded cleanly (`specs`), the ids claimed twice (`conflicts`), and
    every isolated problem."""

    hook = "arcade_games"
    name_field = "id"
    kind = "env id"
    plural = "env ids"
    conflict_error = PluginConflictError

    @property
    def specs(self) -> dict[str, EnvSpec]:
        return self.entries

    def entries_of(self, info: PluginInfo, result: Any) -> list[EnvSpec]:
        """The valid env specs of one plugin's games (GameSpecs expanded, EnvSpecs as they
        are), stamped with the plugin's name and package."""
        try:
            items = list(result)
        except TypeError:
            items = [result]
        out = []
        for item in items:
            specs, bad_game = self._expand(item)
            if bad_game:
                name = getattr(item, "name", "?")
                self.problem(info, f"malformed game {name!r}: {'; '.join(bad_game)}")
            for sp in specs:
                bad = spec_problems(sp)
                if bad:
                    name = getattr(sp, "id", None) or getattr(item, "name", "?")
                    self.problem(info, f"malformed spec {name!r}: {'; '.join(bad)}")
                    continue
                # stamped with the plugin that returned it, whatever the spec says of itself
                out.append(replace(sp, package=info.package, plugin=info.name))
        return out

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

    def unknown_message(self, name: Any) -> str:
        return f"unknown env id {name!r}.{did_you_mean(name, list(self.specs))}"


def did_you_mean(word: str, choices: list[str]) -> str:
    """' Did you mean: A, B?' for the closest choices (case-insensitive), or a hint."""
    if not isinstance(word, str):
        return f" Env ids are strings; {len(choices)} are registered (`arcade list`)."
    close = suggest(word, choices, n=3)
    if not close:
        close = [c for c in choices if c.lower().startswith(word.lower()[:4])][:3]
    if close:
        return f" Did you mean: {', '.join(close)}?"
    return f" {len(choices)} env ids are registered; see `arcade list`."


def registry() -> Registry:
    """The process-wide registry (built on first use, rebuilt after plugins change)."""
    return Registry.current()  # type: ignore[return-value]


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


class NoPlainRendererError(ValueError):
    """`make(id, renderer="plain")` for an env whose game offers no plain renderer."""


def make(
    env_id: str,
    partial_obs: bool = False,
    obs_size: int = 128,
    renderer: str = "tuned",
    **kwargs: Any,
) -> tuple[Any, Any]:
    """Build an env: `(env, default_params)`, as `popgym_arcade.make` does.

    `partial_obs=True` selects the POMDP variant; `obs_size` is 128 or 256 (anything else is a
    `ValueError`); `renderer` picks who draws the frames: `"tuned"` (every game's own, fast)
    or `"plain"` (the readable one some games offer, the same frames, slower); extra `kwargs`
    go to the game's constructor (e.g. `final_observation=True`); one it does not take is an
    `UnknownArgumentError` (a `ValueError`) naming those it does.
    """
    from .spaces import check_obs_size

    check_obs_size(obs_size)
    check_renderer(renderer)
    sp = spec(env_id)
    if renderer == "plain" and not sp.plain_renderer:
        raise NoPlainRendererError(
            f"env {env_id!r} has no plain renderer (plugin {sp.plugin!r} offers only its tuned "
            f"one); games with one: {', '.join(games_with_plain_renderer()) or 'none'}."
        )
    factory = _load(sp, sp.entry)
    plain_draw = _load(sp, sp.plain_renderer) if renderer == "plain" else None
    base_kwargs = {"partial_obs": partial_obs, "obs_size": obs_size, **sp.kwargs}
    if kwargs:
        check_make_kwargs(env_id, factory, kwargs, lambda: params_fields(factory(**base_kwargs)))
    env = factory(**{**base_kwargs, **kwargs})
    env.spec = sp
    if plain_draw is not None:
        env.use_plain_renderer(plain_draw)
    return env, env.default_params


def games_with_plain_renderer() -> list[str]:
    """The games whose spec offers a plain renderer, in registry order."""
    return list(dict.fromkeys(s.game for s in registry().specs.values() if s.plain_renderer))


def check_renderer(renderer: Any) -> str:
    """`renderer` if it names one of `RENDERERS`, else a one-line `ValueError` naming them."""
    if not isinstance(renderer, str) or renderer not in RENDERERS:
        valid = ", ".join(repr(r) for r in RENDERERS)
        raise ValueError(f"renderer must be one of {valid}; got {renderer!r}")
    return renderer


def _load(sp: EnvSpec, entry: str) -> Any:
    """`load_entry(entry)` for env spec `sp`; a failure is a `PluginLoadError` naming the
    plugin to blame, the cause chained."""
    try:
        return load_entry(entry)
    except (Exception, SystemExit) as exc:
        raise PluginLoadError(
            f"env {sp.id!r} of plugin {sp.plugin!r} ({sp.package}) cannot load {entry!r}: "
            f"{type(exc).__name__}: {exc}"
        ) from exc


def check_make_kwargs(
    env_id: str, factory: Any, kwargs: dict[str, Any], fields: Callable[[], list[str]]
) -> None:
    """Raise `UnknownArgumentError` if `factory` takes none of some `kwargs`, checked against its
    signature before anything is built (a factory taking `**kwargs` accepts all). A name that
    is a field of the env's params (`fields()`, called only then) gets a hint to set it there."""
    import inspect

    try:
        params = inspect.signature(factory).parameters.values()
    except (TypeError, ValueError):  # no introspectable signature: let the call decide
        return
    if any(p.kind is p.VAR_KEYWORD for p in params):
        return
    kinds = (inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.KEYWORD_ONLY)
    valid = [p.name for p in params if p.kind in kinds]
    unknown = [k for k in kwargs if k not in valid]
    if not unknown:
        return
    word = unknown[0]
    if close := suggest(word, valid, n=1):
        hint = f" Did you mean {close[0]!r}?"
    else:
        try:
            in_params = word in fields()
        except Exception:  # the hint is a nicety; the error stands without it
            in_params = False
        hint = (
            f" {word!r} is a field of the env's params: pass "
            f"params.replace({word}=...) to reset/step."
            if in_params
            else ""
        )
    plural = "s" if len(unknown) > 1 else ""
    raise UnknownArgumentError(
        f"make({env_id!r}) got unknown keyword argument{plural} {', '.join(unknown)}; "
        f"valid: {', '.join(valid)}.{hint}"
    )


def params_fields(env: Any) -> list[str]:
    """The field names of an env's default params (a dataclass), or none."""
    import dataclasses

    params = env.default_params
    return [f.name for f in dataclasses.fields(params)] if dataclasses.is_dataclass(params) else []
