"""Registry and plugin manager: discovery, did-you-mean, isolation of broken plugins,
refusal of duplicate ids, validation of malformed specs."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import fakegame
import jax
import numpy as np
import pytest

import arcade_core
from arcade_core.plugins import register_plugin, reset_plugins, unregister_plugin
from arcade_core.registry import (
    NoPlainRendererError,
    PluginConflictError,
    PluginLoadError,
    registry,
)
from arcade_core.specs import EnvSpec

BUILTIN = [f"{g}{d}" for g in ("CartPole", "NoisyCartPole") for d in ("Easy", "Medium", "Hard")]


@pytest.fixture
def plugin():
    """Register plugin objects for one test, unregistering them afterwards."""
    names: list[str] = []

    def add(obj: object, name: str, package: str = "test-pkg") -> None:
        register_plugin(obj, name, package)
        names.append(name)

    yield add
    for name in names:
        unregister_plugin(name)


def test_builtin_envs_are_registered_through_entry_points() -> None:
    ids = arcade_core.list_envs()
    assert set(BUILTIN) <= set(ids)
    sp = arcade_core.spec("CartPoleHard")
    assert (sp.game, sp.difficulty, sp.max_steps, sp.return_range) == (
        "CartPole",
        "Hard",
        600,
        (0.0, 1.0),
    )
    assert sp.package == "pomdp-arcade" and sp.plugin == "cartpole"


def test_make_returns_env_and_params_with_spec() -> None:
    env, params = arcade_core.make("NoisyCartPoleMedium", partial_obs=True, obs_size=256)
    assert env.spec.id == "NoisyCartPoleMedium" and env.partial_obs and env.obs_size == 256
    assert env.noise_sigma == 0.2 and params.max_steps_in_episode == 200


@pytest.mark.parametrize(("typo", "suggestion"), [("CartpoleEasy", "CartPoleEasy"), ("CartPoleEsay", "CartPoleEasy"),
                                                  ("noisycartpolehard", "NoisyCartPoleHard")])  # fmt: skip
def test_unknown_id_suggests_closest(typo: str, suggestion: str) -> None:
    with pytest.raises(ValueError, match=f"unknown env id '{typo}'.*Did you mean: .*{suggestion}"):
        arcade_core.make(typo)


@pytest.mark.parametrize("size", [64, 127, 512, "128", True])
def test_bad_obs_size_is_a_value_error(size: object) -> None:
    with pytest.raises(ValueError, match="obs_size must be one of"):
        arcade_core.make("CartPoleEasy", obs_size=size)


def test_renderer_picks_the_plain_or_tuned_draw_and_both_give_one_frame(plugin) -> None:
    """`renderer="plain"` swaps in the game's plain renderer for every frame (reset, step,
    render); the default is the tuned one. The frames are the same (the conformance kit
    checks it on many states; here a reset and a step)."""
    plugin(fakegame.Plugin(fakegame.game_spec(plain_renderer="fakegame:plain_draw")), "fake")
    tuned, params = arcade_core.make("DotEasy", partial_obs=True)
    plain, _ = arcade_core.make("DotEasy", partial_obs=True, renderer="plain")
    assert (tuned.renderer_name, plain.renderer_name) == ("tuned", "plain")
    assert arcade_core.make("DotEasy", renderer="tuned")[0].renderer_name == "tuned"
    assert arcade_core.spec("DotEasy").plain_renderer == "fakegame:plain_draw"
    key, frames = jax.random.key(0), []
    for env in (tuned, plain):
        obs, state = env.reset(key, params)
        frames.append([obs, env.step(key, state, 3, params)[0]])
    for a, b in zip(*frames, strict=True):
        assert np.array_equal(np.asarray(a), np.asarray(b))


@pytest.mark.parametrize("bad", ["fast", "Plain", "", None, 1])
def test_a_bad_renderer_is_a_one_line_error_naming_the_valid_ones_before_anything_loads(
    plugin, bad: object
) -> None:
    plugin(fakegame.Plugin(fakegame.game_spec("Ghost", "no_such_game_module:Ghost")), "ghost")
    with pytest.raises(ValueError, match="renderer must be one of 'tuned', 'plain'; got ") as err:
        arcade_core.make("GhostEasy", renderer=bad)  # the game module is never imported
    assert "\n" not in str(err.value)


def test_asking_for_a_plain_renderer_a_game_lacks_is_a_clear_error(plugin) -> None:
    plugin(fakegame.Plugin(fakegame.game_spec("Bare"),
                           fakegame.game_spec(plain_renderer="fakegame:plain_draw")), "fake")  # fmt: skip
    with pytest.raises(
        NoPlainRendererError, match="'BareEasy' has no plain renderer.*games with one: .*Dot"
    ):
        arcade_core.make("BareEasy", renderer="plain")
    assert arcade_core.make("BareEasy")[0].renderer_name == "tuned"


def test_a_plugin_offers_a_plain_renderer_by_its_spec(plugin) -> None:
    """Any plugin's game spec may name one; a module that fails to import names the plugin."""
    plugin(fakegame.Plugin(fakegame.game_spec(plain_renderer="fakegame:plain_draw"),
                           fakegame.game_spec("Lost", plain_renderer="no_such_module:draw")),
           "fake", "pkg-f")  # fmt: skip
    env, params = arcade_core.make("DotEasy", renderer="plain", obs_size=256)
    assert env.renderer_name == "plain" and env.obs_size == 256
    with pytest.raises(PluginLoadError, match="'LostEasy' of plugin 'fake' \\(pkg-f\\).*no_such"):
        arcade_core.make("LostEasy", renderer="plain")
    assert arcade_core.make("LostEasy")[0].renderer_name == "tuned"  # the tuned one still builds


def test_registered_plugin_appears_and_makes(plugin) -> None:
    plugin(fakegame.Plugin(), "fake")
    assert "DotEasy" in arcade_core.list_envs()
    sp = arcade_core.spec("DotEasy")
    assert sp.package == "test-pkg" and sp.plugin == "fake" and sp.realtime is False
    env, params = arcade_core.make("DotEasy")
    assert type(env).__name__ == "Dot" and params.max_steps_in_episode == 20


def test_duplicate_id_is_refused_naming_both(plugin) -> None:
    plugin(fakegame.Plugin(), "fake-a", "pkg-a")
    plugin(fakegame.Plugin(), "fake-b", "pkg-b")
    reg = registry()
    assert "DotEasy" not in reg.specs and "DotEasy" in reg.conflicts
    with pytest.raises(PluginConflictError, match="fake-a.*pkg-a.*fake-b.*pkg-b"):
        arcade_core.make("DotEasy")
    assert any("registered by both" in p.reason for p in reg.problems)
    assert "CartPoleEasy" in reg.specs  # the others keep working


class _Raising:
    @arcade_core.hookimpl
    def arcade_games(self):
        raise RuntimeError("boom")


class _Malformed:
    @arcade_core.hookimpl
    def arcade_games(self):
        good = fakegame.game_spec("Good")
        bad_range = EnvSpec("BadRangeEasy", "BadRange", "Easy", "fakegame:Dot", 10, (0.0, 2.0))
        no_entry = EnvSpec("NoEntryEasy", "NoEntry", "Easy", "not an entry", 10, (0.0, 1.0))
        bad_steps = EnvSpec("BadStepsEasy", "BadSteps", "Easy", "fakegame:Dot", 0, (-1.0, 1.0))
        bad_plain = fakegame.game_spec("BadPlain", plain_renderer="plain.py")
        return [good, bad_range, no_entry, bad_steps, bad_plain, "junk"]


def test_raising_hook_and_malformed_specs_are_isolated(plugin) -> None:
    plugin(_Raising(), "raising", "pkg-raise")
    plugin(_Malformed(), "malformed", "pkg-bad")
    reg = registry()
    reasons = "\n".join(str(p) for p in reg.problems)
    assert "raising (pkg-raise): hook arcade_games raised RuntimeError: boom" in reasons
    assert "'BadRangeEasy'" in reasons and "return_range" in reasons
    assert "'NoEntryEasy'" in reasons and "module:attr" in reasons
    assert "'BadStepsEasy'" in reasons and "max_steps" in reasons
    assert "'BadPlainEasy'" in reasons and "plain_renderer must be '' or 'module:attr'" in reasons
    assert "expected an EnvSpec or GameSpec, got str" in reasons
    assert "GoodEasy" in reg.specs and set(BUILTIN) <= set(reg.specs)
    for bad in ("BadRangeEasy", "NoEntryEasy", "BadStepsEasy", "BadPlainEasy"):
        assert bad not in reg.specs


class _Wrapper:
    """Wraps every `arcade_games` call: drops the games named `Hidden`."""

    @arcade_core.hookimpl(hookwrapper=True)
    def arcade_games(self):
        outcome = yield
        for result in outcome.get_result():  # in place: each result keeps its plugin
            result[:] = [g for g in result if getattr(g, "name", "") != "Hidden"]


class _Early:
    calls: list[str] = []

    @arcade_core.hookimpl(tryfirst=True)
    def arcade_games(self):
        self.calls.append("early")
        return [fakegame.game_spec("Early")]


class _Late:
    @arcade_core.hookimpl
    def arcade_games(self):
        _Early.calls.append("late")
        return [fakegame.game_spec("Hidden"), fakegame.game_spec("Late")]


def test_hooks_go_through_pluggy_so_wrappers_and_tryfirst_work(plugin) -> None:
    # regression: implementations used to be called one by one, ignoring pluggy's options
    plugin(_Early(), "early")
    plugin(_Late(), "late")
    plugin(_Wrapper(), "wrapper")
    reg = registry()
    assert _Early.calls[-2:] == ["early", "late"]  # tryfirst runs first, though registered first
    assert "EarlyEasy" in reg.specs and "LateEasy" in reg.specs
    assert "HiddenEasy" not in reg.specs  # the wrapper's result is the one used
    assert reg.specs["LateEasy"].plugin == "late" and reg.specs["EarlyEasy"].plugin == "early"


def _fake_distribution(root: Path, name: str, module: str, source: str) -> None:
    """An installed distribution on `root`: a module plus *.dist-info with an entry point."""
    (root / f"{module}.py").write_text(textwrap.dedent(source))
    info = root / f"{name.replace('-', '_')}-0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: 0.1\n")
    (info / "entry_points.txt").write_text(f"[arcade]\n{module} = {module}\n")


def _arcade_list_json(pythonpath: Path, **env: str) -> dict:
    environ = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(pythonpath), str(Path(__file__).parent)]),
        **env,
    }
    out = subprocess.run([sys.executable, "-m", "arcade_core.tools.cli", "list", "--json"], capture_output=True,
                         text=True, env=environ, check=True)  # fmt: skip
    return json.loads(out.stdout)


def test_installed_plugin_and_broken_plugin_via_entry_points(tmp_path: Path) -> None:
    _fake_distribution(tmp_path, "arcade-dot", "arcade_dot", """
        from arcade_core.hookspecs import hookimpl
        import fakegame

        @hookimpl
        def arcade_games():
            return [fakegame.game_spec()]
    """)  # fmt: skip
    _fake_distribution(tmp_path, "arcade-broken", "arcade_broken", "import no_such_module_xyz\n")
    listing = _arcade_list_json(tmp_path)
    ids = {e["id"]: e for e in listing["envs"]}
    assert ids["DotEasy"]["package"] == "arcade-dot" and set(BUILTIN) <= set(ids)
    broken = [p for p in listing["problems"] if p["plugin"] == "arcade_broken"]
    assert broken and broken[0]["package"] == "arcade-broken"
    assert (
        "ModuleNotFoundError" in broken[0]["reason"] and "no_such_module_xyz" in broken[0]["reason"]
    )


def test_env_switches_disable_and_allowlist_plugins(tmp_path: Path) -> None:
    _fake_distribution(tmp_path, "arcade-dot", "arcade_dot", """
        from arcade_core.hookspecs import hookimpl
        import fakegame

        @hookimpl
        def arcade_games():
            return [fakegame.game_spec()]
    """)  # fmt: skip
    only_dot = _arcade_list_json(tmp_path, ARCADE_PLUGINS="arcade_dot")
    assert [e["id"] for e in only_dot["envs"]] == ["DotEasy"]
    builtins_only = _arcade_list_json(tmp_path, ARCADE_DISABLE_PLUGIN_AUTOLOAD="1")
    ids = [e["id"] for e in builtins_only["envs"]]  # third-party plugins off, built-ins on
    assert "DotEasy" not in ids and set(BUILTIN) <= set(ids)


def test_reset_plugins_rediscovers() -> None:
    before = arcade_core.list_envs()
    reset_plugins()
    assert arcade_core.list_envs() == before


def test_did_you_mean_is_case_insensitive_and_spelled_as_registered() -> None:
    from arcade_core.plugin_registry import did_you_mean, suggest

    assert suggest("gruu", ["GRU", "MinGRU", "LRU"], n=1) == ["GRU"]
    assert did_you_mean("lamm", ["lam", "lr"], quote=True) == " Did you mean 'lam'?"
    assert did_you_mean("cartpoleesy", ["CartPoleEasy", "TetrisEasy"], n=3).startswith(
        " Did you mean: CartPoleEasy"
    )
    assert did_you_mean("zzz", ["CartPoleEasy"]) == ""
