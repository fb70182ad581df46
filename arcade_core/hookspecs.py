"""The hook specifications of the `arcade` pluggy project.

Rules (learned from pytest and datasette): every hook starts with `arcade_`, is called by
keyword, implementations take no defaults, and hooks only ever gain parameters. A plugin is a
module (or object) with `@hookimpl` functions, registered through the `arcade` entry-point
group in its distribution's metadata:

    [project.entry-points.arcade]
    mygame = "mygame.plugin"
"""

from __future__ import annotations

from typing import Any

import pluggy

PROJECT = "arcade"
hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)


@hookspec
def arcade_games() -> list[Any]:
    """Return the games this plugin provides: `GameSpec`s (one per game, with its
    difficulties) or single `EnvSpec`s. Must not import JAX or build anything: the game module
    named by each spec's `entry` is imported only when `make` is called."""


@hookspec
def arcade_memory_models() -> dict[str, Any]:
    """Return `{name: MemoryModel subclass}` for the agents' memory-model zoo."""


@hookspec
def arcade_algorithms() -> dict[str, Any]:
    """Return `{name: make_train}` training algorithms."""


@hookspec
def arcade_cli(subcommands: Any) -> None:
    """Add commands to the `arcade` CLI: `subcommands` is argparse's sub-parser action; give
    each parser a `func(args) -> int | None` default (`p.set_defaults(func=...)`)."""


@hookspec
def arcade_key_maps() -> dict[str, dict[str, int]]:
    """Return `{game name: {pygame key name: action}}` for `arcade play`, merged over the
    default map (arrows/WASD move, space/return fire). The reserved name `"idle"` sets the
    action a real-time game takes on a tick with no key held (default 4, fire). ESC, Backspace
    and P are the player's controls and cannot be remapped."""
