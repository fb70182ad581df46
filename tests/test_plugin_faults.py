"""Plugin faults, injected through fake entry points in-process: a plugin that exits at import,
a generator hook that fails part-way, a hook that raises (`SystemExit` too), a hook wrapper
that raises, and third-party claims of a built-in env id or memory model. Each is reported
against the plugin at fault, in `arcade list`, `arcade models` and `arcade plugins`, and every
other env and model keeps working. Also: disabling autoload keeps the built-ins, and an
allowlist naming an unknown plugin is a one-line warning."""

from __future__ import annotations

import importlib
import logging
import sys
import textwrap
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

import arcade_core
from arcade_core import plugins as plugins_module
from arcade_core.plugins import get_plugin_manager, reset_plugins
from arcade_core.registry import registry
from arcade_core.tools.cli import main as arcade_main

BUILTIN_IDS = [f"{g}{d}" for g in ("CartPole", "NoisyCartPole") for d in ("Easy", "Medium", "Hard")]


@dataclass
class FakeEntryPoint:
    """An `arcade` entry point of an installed distribution, as `importlib.metadata` gives."""

    name: str
    value: str
    package: str

    @property
    def dist(self) -> Any:
        return SimpleNamespace(metadata={"Name": self.package}, version="0.1")

    def load(self) -> Any:
        module, _, attr = self.value.partition(":")
        obj: Any = importlib.import_module(module)
        for part in filter(None, attr.split(".")):
            obj = getattr(obj, part)
        return obj


@pytest.fixture
def site(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Callable[..., None]]:
    """`install(module, source, first=False, entry="")`: a third-party plugin module (in
    distribution `arcade-<module>`, entry point `entry`, default the module) seen beside the
    real entry points (before them with `first`)."""
    real = list(plugins_module.metadata.entry_points(group=plugins_module.ENTRY_POINT_GROUP))
    fakes: list[tuple[bool, FakeEntryPoint]] = []
    monkeypatch.syspath_prepend(str(tmp_path))

    def entry_points(group: str) -> list[Any]:
        assert group == plugins_module.ENTRY_POINT_GROUP
        return [ep for f, ep in fakes if f] + real + [ep for f, ep in fakes if not f]

    def install(module: str, source: str, first: bool = False, entry: str = "") -> None:
        (tmp_path / f"{module}.py").write_text(textwrap.dedent(source))
        fakes.append((first, FakeEntryPoint(module, entry or module, f"arcade-{module}")))
        monkeypatch.delitem(sys.modules, module, raising=False)
        reset_plugins()

    monkeypatch.setattr(plugins_module, "metadata", SimpleNamespace(entry_points=entry_points))
    yield install
    for _, ep in fakes:
        sys.modules.pop(ep.name, None)
    reset_plugins()


def arcade(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    assert arcade_main(list(argv)) == 0
    return capsys.readouterr().out


def plugin_status(capsys: pytest.CaptureFixture[str]) -> dict[str, str]:
    out = arcade(capsys, "plugins")
    return {line.split()[0]: line for line in out.splitlines()[2:] if line.strip()}


def assert_everything_else_works(capsys: pytest.CaptureFixture[str], *faulty: str) -> None:
    """Every built-in env id and memory model is there and the built-in plugins are ok; the
    faulty plugins are not."""
    from arcade_agents.memory import get_memory_model, list_memory_models
    from arcade_agents.memory.zoo import BUILTIN_MODELS

    reg = registry()
    assert set(BUILTIN_IDS) <= set(reg.specs)
    assert len({s.game for s in reg.specs.values() if s.package == "pomdp-arcade"}) == 10
    for name, cls in BUILTIN_MODELS.items():
        assert get_memory_model(name) is cls
    assert len(list_memory_models()) >= len(BUILTIN_MODELS)
    env, params = arcade_core.make("CartPoleEasy")
    assert env.spec.plugin == "cartpole"
    status = plugin_status(capsys)
    for info in get_plugin_manager().plugins:
        if info.first_party:
            assert status[info.name].endswith(" ok"), status[info.name]
    for name in faulty:
        assert not status[name].endswith(" ok"), status[name]


def test_a_plugin_that_exits_at_import_is_broken_and_nothing_else(site, capsys) -> None:
    site("exits_at_import", "import sys\nsys.exit(3)\n")
    out = arcade(capsys, "list")
    assert "BROKEN exits_at_import (arcade-exits_at_import): failed to load: SystemExit: 3" in out
    assert "CartPoleEasy" in out
    assert "BROKEN: SystemExit: 3" in plugin_status(capsys)["exits_at_import"]
    assert_everything_else_works(capsys, "exits_at_import")


_GENERATOR = """
    from arcade_core.hookspecs import hookimpl
    from arcade_core.specs import Difficulty, GameSpec

    @hookimpl
    def arcade_games():
        yield GameSpec("FaultyFine", "fakegame:Dot", {"Easy": Difficulty(20, {"max_steps": 20})},
                       (0.0, 1.0))
        raise RuntimeError("second game failed")
"""


def test_a_generator_hook_failing_part_way_is_broken_and_nothing_else(site, capsys) -> None:
    site("gen_fails", _GENERATOR)
    out = arcade(capsys, "list")
    reason = "BROKEN gen_fails (arcade-gen_fails): hook arcade_games raised RuntimeError"
    assert reason in out and "second game failed" in out
    assert "FaultyFineEasy" not in registry().specs  # none of a failed hook's games is kept
    assert "hook arcade_games raised" in plugin_status(capsys)["gen_fails"]
    assert_everything_else_works(capsys, "gen_fails")
    for env_id in BUILTIN_IDS:
        arcade_core.make(env_id)


_CLAIMS_CARTPOLE = """
    from arcade_core.hookspecs import hookimpl
    import fakegame

    @hookimpl
    def arcade_games():
        return [fakegame.game_spec("CartPole"), fakegame.game_spec("FaultyFine")]
"""


@pytest.mark.parametrize("first", [False, True], ids=["after", "before"])
def test_a_third_party_claim_of_a_builtin_env_id_is_refused(site, capsys, first: bool) -> None:
    site("claims_cartpole", _CLAIMS_CARTPOLE, first=first)
    reg = registry()
    assert reg.specs["CartPoleEasy"].plugin == "cartpole"  # the built-in stays
    assert reg.specs["FaultyFineEasy"].plugin == "claims_cartpole"  # its other game loads
    out = arcade(capsys, "list")
    assert (
        "REFUSED claims_cartpole (arcade-claims_cartpole): env id 'CartPoleEasy' refused: "
        "taken by cartpole (pomdp-arcade), a built-in" in out
    )
    assert "cartpole (pomdp-arcade):" not in out  # the built-in is not blamed
    status = plugin_status(capsys)
    assert "REFUSED: env id 'CartPoleEasy'" in status["claims_cartpole"]
    assert_everything_else_works(capsys, "claims_cartpole")
    env, _ = arcade_core.make("CartPoleEasy")
    assert type(env).__name__ == "CartPole"


_CLAIMS_GRU = """
    from arcade_core.hookspecs import hookimpl

    @hookimpl
    def arcade_memory_models():
        from arcade_agents.memory.zoo import BUILTIN_MODELS

        class Imposter(BUILTIN_MODELS["LRU"]):
            pass

        return {"gru": Imposter, "Imposter": Imposter}
"""


@pytest.mark.parametrize("first", [False, True], ids=["after", "before"])
def test_a_third_party_claim_of_a_builtin_memory_model_is_refused(site, capsys, first) -> None:
    from arcade_agents.memory import get_memory_model, memory_registry
    from arcade_agents.memory.zoo import BUILTIN_MODELS

    site("claims_gru", _CLAIMS_GRU, first=first)
    assert get_memory_model("gru") is BUILTIN_MODELS["GRU"]
    assert get_memory_model("imposter").__name__ == "Imposter"
    refused = [p for p in memory_registry().problems if p.status == "REFUSED"]
    assert [(p.plugin, p.package) for p in refused] == [("claims_gru", "arcade-claims_gru")]
    assert "memory model 'gru' refused: taken by agents (pomdp-arcade), a built-in" in (
        refused[0].reason
    )
    out = arcade(capsys, "models")
    assert "REFUSED claims_gru (arcade-claims_gru): memory model 'gru' refused" in out
    assert "REFUSED: memory model 'gru'" in plugin_status(capsys)["claims_gru"]
    assert_everything_else_works(capsys, "claims_gru")


_RAISES = """
    from arcade_core.hookspecs import hookimpl

    @hookimpl
    def arcade_games():
        raise ValueError("no games today")

    @hookimpl
    def arcade_memory_models():
        raise SystemExit(4)

    @hookimpl
    def arcade_key_maps():
        return {"Dot": {"x": 4}}
"""


def test_a_raising_hook_is_broken_in_arcade_plugins_and_nothing_else(site, capsys) -> None:
    site("raises", _RAISES)
    status = plugin_status(capsys)["raises"]
    assert "BROKEN: hook arcade_games raised ValueError: no games today" in status
    assert "BROKEN: hook arcade_memory_models raised SystemExit: 4" in status
    assert_everything_else_works(capsys, "raises")
    out = arcade(capsys, "models")
    assert "BROKEN raises (arcade-raises): hook arcade_memory_models raised SystemExit: 4" in out


_WRAPPERS = """
    from arcade_core.hookspecs import hookimpl

    @hookimpl(hookwrapper=True)
    def arcade_games():
        yield
        raise RuntimeError("old-style teardown")

    class New:
        @hookimpl(wrapper=True)
        def arcade_games(self):
            raise SystemExit("new-style setup")
            yield

    plugin = New()
"""


def test_raising_hook_wrappers_are_broken_and_the_call_goes_through(site, capsys) -> None:
    site("wrappers", _WRAPPERS)
    site("new_wrapper", "", entry="wrappers:plugin")
    reasons = {(p.plugin, p.reason) for p in registry().problems}
    assert ("wrappers", "hook arcade_games raised RuntimeError: old-style teardown") in reasons
    assert ("new_wrapper", "hook arcade_games raised SystemExit: new-style setup") in reasons
    assert_everything_else_works(capsys, "wrappers", "new_wrapper")


def test_disabling_autoload_keeps_the_builtins(site, capsys, monkeypatch) -> None:
    site("claims_cartpole", _CLAIMS_CARTPOLE)
    monkeypatch.setenv("ARCADE_DISABLE_PLUGIN_AUTOLOAD", "1")
    reset_plugins()
    names = {p.name for p in get_plugin_manager().plugins}
    assert "claims_cartpole" not in names and {"cartpole", "agents"} <= names
    assert set(BUILTIN_IDS) <= set(registry().specs) and "FaultyFineEasy" not in registry()
    monkeypatch.setenv("ARCADE_PLUGINS", "claims_cartpole")  # named: loaded anyway
    reset_plugins()
    assert "FaultyFineEasy" in registry() and "CartPoleEasy" in registry()


def test_an_allowlist_naming_an_unknown_plugin_is_a_one_line_warning(
    monkeypatch, caplog, capsys
) -> None:
    monkeypatch.setenv("ARCADE_PLUGINS", "nosuchplugin,cartpole")
    reset_plugins()
    try:
        with caplog.at_level(logging.WARNING, logger="arcade"):
            out = arcade(capsys, "list")
        (record,) = [r for r in caplog.records if r.name == "arcade"]
        message = record.getMessage()
        assert "\n" not in message and "ARCADE_PLUGINS names nosuchplugin" in message
        assert "installed:" in message and "cartpole" in message
        assert "CartPoleEasy" in out
    finally:
        monkeypatch.delenv("ARCADE_PLUGINS")
        reset_plugins()
