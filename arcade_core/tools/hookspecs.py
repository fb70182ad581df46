"""The hooks the command-line tools call, added to the plugin manager by the tools when they
run (`get_plugin_manager().add_hookspecs(...)`): the engine does not know them.

Same rules as the engine's hooks: named `arcade_*`, called by keyword, implementations take
no defaults, hooks only ever gain parameters.
"""

from __future__ import annotations

from typing import Any

from ..hookspecs import hookspec


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


@hookspec(firstresult=True)
def arcade_record_policy(source: str) -> Any:
    """Return the `arcade_core.policy.Policy` that `source` names for `arcade record --policy
    SOURCE` (e.g. a run directory of `arcade train`), or None if this plugin does not know
    `source`. Raise `arcade_core.errors.RecordError` for a source it knows but cannot load."""


@hookspec
def arcade_plugin_templates() -> dict[str, Any]:
    """Return `{kind: arcade_core.specs.PluginTemplate}`: skeletons that `arcade new-plugin
    --kind KIND` writes (the core's own kind is `game`)."""


@hookspec
def arcade_registries() -> list[Any]:
    """Return the `arcade_core.plugin_registry.PluginRegistry` classes this plugin keeps (e.g.
    its memory models), so that `arcade plugins` reports every plugin's problems in them."""
