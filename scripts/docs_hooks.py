"""mkdocs hooks of the documentation site (mkdocs.yml `hooks:`).

A game page added under `docs/games/` joins the nav's Games section by itself (after the pages
mkdocs.yml lists), so a new game never fails the strict build as a page left out of the nav;
a page the nav lists but `docs/` lacks still fails it.

The command-line reference is generated, never written by hand: the page
`docs/reference/cli.md` holds the marker below, and this hook replaces it with the `--help`
of every `arcade` command and sub-command, rendered from the very argparse parsers that
`arcade` builds (the agents' commands included), so the page cannot drift from the code.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

MARKER = "<!-- arcade-cli-reference -->"
WIDTH = "100"  # argparse wraps help to $COLUMNS: fixed, so the page is the same on any terminal


def _subcommands(parser: argparse.ArgumentParser) -> Iterator[tuple[str, str, Any]]:
    """(name, one-line help, parser) of each sub-command of `parser`, in the order added."""
    for action in parser._actions:  # argparse has no public walk over sub-parsers
        if isinstance(action, argparse._SubParsersAction):
            helps = {a.dest: a.help or "" for a in action._choices_actions}
            seen: set[int] = set()
            for name, sub in action.choices.items():
                if id(sub) not in seen:  # an alias points at the same parser
                    seen.add(id(sub))
                    yield name, helps.get(name, ""), sub


def _sections(parser: argparse.ArgumentParser, level: int = 2) -> Iterator[str]:
    for _, help_, sub in _subcommands(parser):
        yield f"{'#' * level} `{sub.prog}`\n"
        if help_:
            yield f"{help_[:1].upper()}{help_[1:].rstrip('.')}.\n"
        yield f"```text\n{sub.format_help().rstrip()}\n```\n"
        yield from _sections(sub, level + 1)


def cli_reference() -> str:
    """The markdown of every command's help: `arcade --help`, then each command in turn."""
    saved = {
        k: os.environ.get(k) for k in ("COLUMNS", "NO_COLOR", "ARCADE_DISABLE_PLUGIN_AUTOLOAD")
    }
    # the built-ins' commands only: a third-party plugin installed here must not add to the page
    os.environ.update(COLUMNS=WIDTH, NO_COLOR="1", ARCADE_DISABLE_PLUGIN_AUTOLOAD="1")
    try:
        from arcade_core.plugins import reset_plugins
        from arcade_core.tools.cli import build_parser

        reset_plugins()
        parser = build_parser()
        top = f"```text\n{parser.format_help().rstrip()}\n```\n"
        return "\n".join([top, *_sections(parser)])
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
        from arcade_core.plugins import reset_plugins

        reset_plugins()  # the next use rediscovers every plugin, third parties' included


def _listed(items: Any) -> set[str]:
    """Every page path a nav (sub)tree names."""
    if isinstance(items, str):
        return {items}
    if isinstance(items, dict):
        return set().union(*(_listed(v) for v in items.values()))
    if isinstance(items, list):
        return set().union(*(_listed(v) for v in items)) if items else set()
    return set()


def on_config(config: Any, **_: Any) -> Any:
    nav = config.get("nav") or []
    games = next(
        (item["Games"] for item in nav if isinstance(item, dict) and "Games" in item), None
    )
    if games is not None:
        listed = _listed(nav)
        for page in sorted(Path(config["docs_dir"], "games").glob("*.md")):
            path = f"games/{page.name}"
            if path not in listed:
                games.append(path)  # titled by the page's first heading
    return config


def on_page_markdown(markdown: str, page: Any, **_: Any) -> str:
    if MARKER in markdown:
        return markdown.replace(MARKER, cli_reference())
    return markdown
