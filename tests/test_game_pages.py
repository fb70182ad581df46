"""Every built-in game has a rules page, shipped with its package: `arcade info ID` prints it and
docs/games/<game>.md is generated from it, so the two never disagree."""

from __future__ import annotations

import importlib.util
import re
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from arcade_core.registry import registry
from arcade_core.specs import EnvSpec, rules_text, spec_problems
from arcade_core.tools.cli import main

ROOT = Path(__file__).resolve().parent.parent
SECTIONS = (
    "## What you see",
    "## Actions",
    "## Rules",
    "## Rewards",
    "## End of an episode",
    "## Difficulties",
    "## The POMDP",
    "## Drawing",
    "## Random play",
    "## Differences from POPGym Arcade",
)
BUILT_IN = [sp for sp in registry().specs.values() if sp.entry.startswith("arcade_games.")]
GAMES = {sp.game: sp for sp in BUILT_IN}


def _pages_script():
    spec = importlib.util.spec_from_file_location("game_pages", ROOT / "scripts/game_pages.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_there_are_ten_built_in_games_in_thirty_ids() -> None:
    assert len(GAMES) == 10 and len(BUILT_IN) == 30


@pytest.mark.parametrize("game", sorted(GAMES))
def test_every_built_in_game_has_a_complete_rules_page(game: str) -> None:
    sp = GAMES[game]
    text = rules_text(sp)
    assert text.startswith(f"# {game}\n"), text[:40]
    for section in SECTIONS:
        assert f"\n{section}\n" in text, (game, section)
    for level in ("Easy", "Medium", "Hard"):
        assert f"`{game}{level}`" in text
    assert "{" not in text.split("## Random play")[1].split("##")[0], "a number is missing"


@pytest.mark.parametrize(
    "page", sorted((ROOT / "docs" / "games").glob("*.md")), ids=lambda p: p.name
)
def test_docs_pages_link_only_inside_the_repository(page: Path) -> None:
    for target in re.findall(r"\]\(([^)\s]+)\)", page.read_text(encoding="utf-8")):
        path = (page.parent / target.split("#")[0]).resolve()
        assert path.is_relative_to(ROOT) and path.exists(), target


@pytest.mark.parametrize("env_id", [sp.id for sp in BUILT_IN])
def test_info_prints_the_rules_page(env_id: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["info", env_id]) == 0
    out = capsys.readouterr().out
    assert rules_text(registry().lookup(env_id)).strip() in out


def test_docs_pages_are_generated_from_the_rules_pages() -> None:
    """docs/games/<game>.md holds the package's page word for word (run
    scripts/game_pages.py after editing a page)."""
    assert _pages_script().main(["--check"]) == 0
    for game, sp in GAMES.items():
        page = (ROOT / "docs" / "games" / f"{game.lower()}.md").read_text(encoding="utf-8")
        body = rules_text(sp).strip().partition("\n")[2]
        assert body.strip() in page


def test_a_rules_field_must_name_a_package_file() -> None:
    sp = GAMES["Tetris"]
    assert spec_problems(sp) == []
    assert spec_problems(replace(sp, rules="")) == []
    assert any("rules" in p for p in spec_problems(replace(sp, rules="tetris.md")))


def test_a_plugin_page_is_read_the_same_way(tmp_path: Path, monkeypatch) -> None:
    """Nothing about the field is special to the built-ins: any importable package's file."""
    pkg = tmp_path / "somegame"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    (pkg / "rules.md").write_text("# SomeGame\n\nMove and win.\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    sp = EnvSpec(
        id="SomeGameEasy",
        game="SomeGame",
        difficulty="Easy",
        entry="somegame.game:SomeGame",
        max_steps=10,
        return_range=(0.0, 1.0),
        rules="somegame:rules.md",
    )
    assert spec_problems(sp) == []
    assert rules_text(sp) == "# SomeGame\n\nMove and win.\n"
    with pytest.raises(OSError):
        rules_text(replace(sp, rules="somegame:missing.md"))
    sys.modules.pop("somegame", None)
