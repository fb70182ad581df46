"""The engine's hook specifications of the `arcade` pluggy project: the env hook. Hooks are
declared by the package that calls them (`ArcadePlugins.add_hookspecs`): the command-line tools
declare theirs in `arcade_core.tools.hookspecs`, the agents theirs in `arcade_agents.hookspecs`.

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
