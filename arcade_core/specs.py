"""Typed, validated metadata of games and envs. Imports nothing heavy: `arcade list` reads
these without loading JAX or any game module."""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

_ID = re.compile(r"^[A-Za-z][A-Za-z0-9_\-]*$")
_ENTRY = re.compile(r"^[A-Za-z_][\w.]*:[A-Za-z_][\w.]*$")
_RULES = re.compile(r"^[A-Za-z_][\w.]*:[\w.\-/]+$")

#: The renderers `make(id, renderer=...)` picks from: every game has its `draw` ("tuned"); a
#: game may also offer a "plain" one, written to be read: its spec's `plain_renderer` names a
#: function `draw(env, state, params, view) -> uint8[S, S, 3]` (the game's `draw` with the env
#: passed in), which must give the very frames `draw` gives; the conformance kit checks it.
RENDERERS = ("tuned", "plain")


@dataclass(frozen=True)
class Difficulty:
    """One difficulty of a game: its time limit and the constructor kwargs that set it."""

    max_steps: int
    kwargs: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class EnvSpec:
    """Everything known about an env id before its game module is imported.

    `entry` is `"module:attr"`, a callable `(partial_obs=, obs_size=, **kwargs) -> Environment`;
    `kwargs` are the difficulty's constructor arguments. `rules` says where the game's rules
    page is, `"package:file.md"`: a Markdown file shipped as package data, which `arcade info`
    prints (`rules_text`); empty when the game has none. `package` and `plugin` say which
    distribution and entry point registered it. `plain_renderer`, if the game offers one, is
    `"module:attr"` of its plain renderer (see `RENDERERS`).
    """

    id: str
    game: str
    difficulty: str
    entry: str
    max_steps: int
    return_range: tuple[float, float]
    kwargs: Mapping[str, Any] = field(default_factory=dict)
    description: str = ""
    realtime: bool = True  # real-time (ticks without input) or turn-based (waits for a key)
    rules: str = ""
    package: str = ""
    plugin: str = ""
    plain_renderer: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "game": self.game,
            "difficulty": self.difficulty,
            "max_steps": self.max_steps,
            "return_range": list(self.return_range),
            "realtime": self.realtime,
            "package": self.package,
            "plugin": self.plugin,
            "entry": self.entry,
            "plain_renderer": self.plain_renderer,
            "description": self.description,
            "rules": self.rules,
        }


@dataclass(frozen=True)
class GameSpec:
    """A game and its difficulties; expands to one `EnvSpec` per difficulty, id = name + key
    (e.g. `CartPole` + `Easy` -> `CartPoleEasy`). `rules` is the rules page every difficulty
    shares (see `EnvSpec`); `plain_renderer` is optional: see `RENDERERS`."""

    name: str
    entry: str
    difficulties: Mapping[str, Difficulty]
    return_range: tuple[float, float]
    description: str = ""
    realtime: bool = True
    rules: str = ""
    plain_renderer: str = ""

    def env_specs(self, package: str = "", plugin: str = "") -> list[EnvSpec]:
        return [
            EnvSpec(
                id=f"{self.name}{level}",
                game=self.name,
                difficulty=level,
                entry=self.entry,
                max_steps=d.max_steps,
                return_range=tuple(self.return_range),  # type: ignore[arg-type]
                kwargs=dict(d.kwargs),
                description=self.description,
                realtime=self.realtime,
                rules=self.rules,
                package=package,
                plugin=plugin,
                plain_renderer=self.plain_renderer,
            )
            for level, d in self.difficulties.items()
        ]


def spec_problems(spec: Any) -> list[str]:
    """Why `spec` is not a well-formed EnvSpec (empty list when it is)."""
    if not isinstance(spec, EnvSpec):
        return [f"expected an EnvSpec or GameSpec, got {type(spec).__name__}"]
    problems = []
    if not isinstance(spec.id, str) or not _ID.match(spec.id):
        problems.append(f"bad id {spec.id!r}")
    if not isinstance(spec.entry, str) or not _ENTRY.match(spec.entry):
        problems.append(f"entry must be 'module:attr', got {spec.entry!r}")
    if (
        not isinstance(spec.max_steps, int)
        or isinstance(spec.max_steps, bool)
        or spec.max_steps < 1
    ):
        problems.append(f"max_steps must be a positive int, got {spec.max_steps!r}")
    if bad_range := _return_range_problem(spec.return_range):
        problems.append(bad_range)
    if not isinstance(spec.kwargs, Mapping):
        problems.append(f"kwargs must be a mapping, got {type(spec.kwargs).__name__}")
    if spec.rules != "" and (not isinstance(spec.rules, str) or not _RULES.match(spec.rules)):
        problems.append(f"rules must be 'package:file' or empty, got {spec.rules!r}")
    if bad_plain := _plain_renderer_problem(spec.plain_renderer):
        problems.append(bad_plain)
    return problems


def _plain_renderer_problem(entry: Any) -> str:
    """Why `entry` is not '' or a `"module:attr"` plain renderer ('' if it is)."""
    if entry == "" or (isinstance(entry, str) and _ENTRY.match(entry)):
        return ""
    return f"plain_renderer must be '' or 'module:attr', got {entry!r}"


def rules_text(spec: EnvSpec) -> str:
    """The text of `spec`'s rules page (its `rules`, a package data file), or '' if it names
    none. Imports the package that ships the page (a game's plugin module is imported anyway
    to list it), never the game module. `OSError` if the file is missing; `ImportError` if
    the package is."""
    if not spec.rules:
        return ""
    from importlib.resources import files

    package, _, path = spec.rules.partition(":")
    return files(package).joinpath(path).read_text(encoding="utf-8")


def _return_range_problem(rr: Any) -> str:
    """Why `rr` is not a return range `(lo, hi)` with -1 <= lo < hi <= 1 ('' if it is)."""
    try:
        lo, hi = (float(v) for v in rr)
        if not (math.isfinite(lo) and math.isfinite(hi) and -1.0 <= lo < hi <= 1.0):
            raise ValueError
    except (TypeError, ValueError):
        return f"return_range must be (lo, hi) with -1 <= lo < hi <= 1, got {rr!r}"
    return ""


def game_problems(game: Any) -> list[str]:
    """Why the `GameSpec` `game` cannot expand into env specs (empty list when it can): a bad
    name or return range, no difficulties, or a difficulty that is not a `Difficulty` with
    mapping kwargs. Each env spec it expands to is checked again by `spec_problems`."""
    problems = []
    if not isinstance(game.name, str) or not _ID.match(game.name):
        problems.append(f"bad game name {game.name!r}")
    if bad_range := _return_range_problem(game.return_range):
        problems.append(bad_range)
    diffs = game.difficulties
    if not isinstance(diffs, Mapping) or not diffs:
        problems.append(
            f"difficulties must be a non-empty mapping of name -> Difficulty, got {diffs!r}"
        )
        return problems
    for level, d in diffs.items():
        if not isinstance(level, str) or not _ID.match(f"X{level}"):
            problems.append(f"bad difficulty name {level!r}")
        if not isinstance(d, Difficulty):
            problems.append(f"difficulty {level!r} must be a Difficulty, got {type(d).__name__}")
        elif not isinstance(d.kwargs, Mapping):
            problems.append(f"difficulty {level!r} kwargs must be a mapping, got {d.kwargs!r}")
    return problems


@dataclass(frozen=True)
class PluginTemplate:
    """A plugin skeleton that `arcade new-plugin --kind KIND` writes: the files under the
    folder `path` of package `package` (package data; `{{key}}` placeholders in paths and
    contents are filled in, a `.tmpl` suffix is dropped). A plugin offers one through the
    `arcade_plugin_templates` hook; the core's own is `game`.

    `dist_prefix` starts the distribution's name (`arcade-memory-` -> `arcade-memory-blur`);
    `listing` is the `arcade` command that shows the installed plugin, as `shows` names it
    (`{name}` is the plugin's CamelCase name); `clashes(name)` says why `name` is taken ('' if
    it is free)."""

    kind: str
    package: str
    path: str
    dist_prefix: str = "arcade-"
    listing: str = "list"
    shows: str = "{name}"
    clashes: Callable[[str], str] | None = None
