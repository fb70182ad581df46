"""`arcade new-plugin NAME [--kind KIND] [--dir DIR]`: write a ready-to-edit plugin
distribution — pyproject with the `arcade` entry point, a working game that passes the
conformance kit, a test file and a README — the way datasette's and cookiecutter's templates
start people off.

The core's template (kind `game`) is package data under `arcade_core/tools/templates/game/`;
plugins add kinds through the `arcade_plugin_templates` hook (the agents add `memory`, a
memory model that passes their contract tests). Every file is rendered by replacing `{{key}}`
placeholders (in contents and in paths) and dropping a `.tmpl` suffix. Imports no JAX.
"""

from __future__ import annotations

import argparse
import re
import sys
from dataclasses import asdict, dataclass
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

from ..argtypes import PathError, check_writable_dir, writable_dir
from ..specs import PluginTemplate
from . import hookspecs

_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_\- ]*$")
_PLACEHOLDER = re.compile(r"\{\{(\w+)\}\}")


class NewPluginError(ValueError):
    """A name or target directory `new-plugin` cannot use; the message says why."""


@dataclass(frozen=True)
class Names:
    """Every spelling of a plugin's name that the templates use."""

    name: str  # CamelCase: the game's name (ids NameEasy ...) or the model's class and name
    slug: str  # kebab-case: my-game
    dist: str  # the distribution: arcade-my-game, arcade-memory-my-model
    package: str  # the import package: arcade_my_game
    entry: str  # the entry-point name in the `arcade` group
    module: str  # snake_case: my_game (test file names)
    title: str  # the name as the frame's font can spell it (capitals, digits, spaces)
    core_version: str  # the pomdp-arcade version the skeleton asks for at least


def _words(raw: str) -> list[str]:
    """'my-snake', 'my_snake', 'MySnake', 'my snake' -> ['my', 'snake'] (case kept)."""
    parts = [p for p in re.split(r"[-_ ]+", raw) if p]
    words: list[str] = []
    for p in parts:
        words += re.findall(r"[A-Z]+(?![a-z])[0-9]*|[A-Z]?[a-z]+[0-9]*|[0-9]+", p) or [p]
    return words


def names_for(raw: str, kind: str = "game") -> Names:
    """The names of a plugin called `raw`; `NewPluginError` if `raw` cannot name one."""
    template = template_for(kind)
    if not isinstance(raw, str) or not _NAME.match(raw.strip()):
        raise NewPluginError(
            f"plugin name {raw!r} must start with a letter and use letters, digits, '-' or '_'"
        )
    words = _words(raw.strip())
    name = "".join(w[:1].upper() + w[1:] for w in words)
    slug = "-".join(w.lower() for w in words)
    module = slug.replace("-", "_")
    prefix = template.dist_prefix
    dist = slug if slug.startswith(prefix) else prefix + slug
    from .. import __version__
    from ..render.font import LETTERS  # NumPy only

    spelled = "".join(ch for ch in " ".join(words).upper() if ch in LETTERS or ch in " 0123456789")
    title = " ".join(spelled.split())[:10].strip() or "GAME"
    core = ".".join(__version__.split(".")[:2])
    return Names(
        name=name,
        slug=slug,
        dist=dist,
        package=dist.replace("-", "_"),
        entry=dist.removeprefix("arcade-"),
        module=module,
        title=title,
        core_version=core,
    )


def render(text: str, names: Names) -> str:
    """Replace every `{{key}}` by the field of `names`; an unknown key is an error."""
    values = asdict(names)

    def sub(m: re.Match[str]) -> str:
        if m.group(1) not in values:
            raise KeyError(f"unknown template placeholder {m.group(0)}")
        return values[m.group(1)]

    return _PLACEHOLDER.sub(sub, text)


def _files(root: Traversable, prefix: str = "") -> list[tuple[str, Traversable]]:
    """(relative path, file) of every template file under `root`, sorted."""
    out: list[tuple[str, Traversable]] = []
    for item in sorted(root.iterdir(), key=lambda t: t.name):
        if item.name == "__pycache__":
            continue
        rel = f"{prefix}{item.name}"
        if item.is_dir():
            out += _files(item, rel + "/")
        else:
            out.append((rel, item))
    return out


def _game_clashes(name: str) -> str:
    """Why a game called `name` clashes with a registered one ('' if it does not)."""
    from ..registry import registry

    reg = registry()
    for sp in [*reg.specs.values(), *(s for c in reg.conflicts.values() for s in c)]:
        if sp.game.casefold() == name.casefold():
            return f"a game named {sp.game!r} is already registered by {sp.package} ({sp.plugin})"
    return ""


GAME = PluginTemplate(
    "game", "arcade_core.tools", "templates/game", "arcade-", "list", "{name}Easy", _game_clashes
)


def templates() -> dict[str, PluginTemplate]:
    """Every kind `new-plugin` can write: the core's `game`, then the plugins' kinds (a kind
    offered twice keeps its first template)."""
    from ..plugins import get_plugin_manager

    plugins = get_plugin_manager()
    plugins.add_hookspecs(hookspecs)
    found = {GAME.kind: GAME}
    for _, offered in plugins.call("arcade_plugin_templates"):
        for kind, template in dict(offered).items():
            if isinstance(template, PluginTemplate) and kind == template.kind:
                found.setdefault(kind, template)
    return found


def template_for(kind: str) -> PluginTemplate:
    """The template of `kind`; `NewPluginError` naming the kinds there are if none."""
    found = templates()
    if kind not in found:
        raise NewPluginError(f"kind must be one of {', '.join(found)}, got {kind!r}")
    return found[kind]


def template_root(kind: str) -> Traversable:
    template = template_for(kind)
    return resources.files(template.package).joinpath(*template.path.split("/"))


def _clashes(names: Names, kind: str) -> str:
    """Why `names` clashes with something registered ('' if it does not)."""
    clashes = template_for(kind).clashes
    return clashes(names.name) if clashes is not None else ""


def new_plugin(
    raw: str, kind: str = "game", directory: str | Path = ".", *, check_registry: bool = True
) -> Path:
    """Write the skeleton of plugin `raw` to `directory/<distribution name>`; return that path.

    Refuses a name that an installed game or model already has (with `check_registry`) and a
    target folder that exists and is not empty.
    """
    names = names_for(raw, kind)
    if check_registry and (why := _clashes(names, kind)):
        raise NewPluginError(f"{why}; choose another name")
    target = Path(directory) / names.dist
    try:  # a read-only folder, or a path through a file: nothing written
        check_writable_dir(target)
    except PathError as exc:
        raise NewPluginError(str(exc)) from None
    if target.exists() and any(target.iterdir()):
        raise NewPluginError(f"{target} exists and is not empty")
    for rel, item in _files(template_root(kind)):
        path = target / render(rel.removesuffix(".tmpl"), names)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(render(item.read_text(encoding="utf-8"), names), encoding="utf-8")
    return target


def _next_steps(target: Path, names: Names, kind: str) -> str:
    template = template_for(kind)
    shows = template.shows.format(name=names.name)
    where = f"arcade {template.listing}"
    return (
        f"wrote {target}/ ({kind} plugin {names.dist}, entry point {names.entry} -> "
        f"{names.package}.plugin)\n\nnext:\n"
        f"  pip install -e {target}\n"
        f"  {where}                      # {shows} is there\n"
        f"  cd {target} && pytest -q     # its tests pass as written; now make it yours\n"
    )


def cmd_new_plugin(args: argparse.Namespace) -> int:
    try:
        target = new_plugin(args.name, args.kind, args.dir)
    except (NewPluginError, OSError) as exc:  # one line, exit 2, as the CLI reports it
        print(f"arcade: error: {exc}", file=sys.stderr)
        return 2
    print(_next_steps(target, names_for(args.name, args.kind), args.kind), end="")
    return 0


def add_parser(sub: Any) -> argparse.ArgumentParser:
    """Add `arcade new-plugin` to the CLI's sub-parsers."""
    p = sub.add_parser(
        "new-plugin",
        help="write a ready-to-edit game or memory-model plugin",
        description="Write a plugin distribution (pyproject with the entry point, a working "
        "game or memory model, tests, README) into DIR/arcade-NAME.",
    )
    p.add_argument("name", metavar="NAME", help="e.g. Snake, my-snake (CamelCase is the id stem)")
    p.add_argument("--kind", choices=list(templates()), default="game")
    p.add_argument(
        "--dir", type=writable_dir, default=".", metavar="DIR",
        help="where to create it (default: .)",
    )  # fmt: skip
    p.set_defaults(func=cmd_new_plugin)
    return p
