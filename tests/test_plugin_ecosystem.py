"""The plugin ecosystem: broken plugins of every kind are isolated and reported by name (what
`test_registry.py` does not already cover: malformed games with missing or wrong fields, a
game module that fails in `make`, and every failure at once through installed entry points),
and `arcade new-plugin` writes skeletons that register and build.

Installing a skeleton with pip and running its own tests is `make test`'s job
(`plugins/check_new_plugin.py`); here a skeleton is put on `sys.path` and registered in-process.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import fakegame
import pytest

import arcade_core
from arcade_core.plugins import register_plugin, unregister_plugin
from arcade_core.registry import PluginConflictError, PluginLoadError, registry
from arcade_core.specs import Difficulty, GameSpec, rules_text
from arcade_core.tools.newplugin import NewPluginError, names_for, new_plugin

TESTS = Path(__file__).parent


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


def _game(name: str, **changes: object) -> GameSpec:
    spec = fakegame.game_spec(name)
    return GameSpec(**{**spec.__dict__, **changes})


class _MissingFields:
    """Games with fields missing, empty or of the wrong type, beside one good game."""

    @arcade_core.hookimpl
    def arcade_games(self):
        easy = Difficulty(max_steps=20, kwargs={"max_steps": 20})
        return [
            _game("Fine"),
            _game("NoLevels", difficulties={}),
            _game("NoneLevels", difficulties=None),
            _game("ListLevels", difficulties=[easy]),
            _game("IntLevel", difficulties={"Easy": 20}),
            _game("ListKwargs", difficulties={"Easy": Difficulty(20, kwargs=[1, 2])}),
            _game("NoSteps", difficulties={"Easy": Difficulty(max_steps=None)}),  # type: ignore[arg-type]
            _game(None),  # type: ignore[arg-type]
            _game("NoRange", return_range=None),
            _game("NoEntry", entry=None),
            {"name": "Dict", "entry": "fakegame:Dot"},
        ]


class _CannotConstruct:
    """A hook that fails building its spec: `GameSpec` without its required fields."""

    @arcade_core.hookimpl
    def arcade_games(self):
        return [GameSpec(name="Half", entry="fakegame:Dot")]  # type: ignore[call-arg]


def test_games_with_missing_or_wrong_fields_are_reported_and_the_rest_loads(plugin) -> None:
    plugin(_MissingFields(), "missing", "pkg-missing")
    plugin(_CannotConstruct(), "half", "pkg-half")
    reg = registry()
    reasons = [str(p) for p in reg.problems]
    text = "\n".join(reasons)

    def reported(game: str, why: str) -> bool:
        return any(
            r.startswith("missing (pkg-missing)") and game in r and why in r for r in reasons
        )

    assert reported("'NoLevels'", "non-empty mapping")
    assert reported("'NoneLevels'", "non-empty mapping")
    assert reported("'ListLevels'", "non-empty mapping")
    assert reported("'IntLevel'", "must be a Difficulty, got int")
    assert reported("'ListKwargs'", "kwargs must be a mapping")
    assert reported("'NoStepsEasy'", "max_steps must be a positive int")
    assert reported("None", "bad game name None")
    assert reported("'NoRange'", "return_range must be (lo, hi)")
    assert reported("'NoEntryEasy'", "entry must be 'module:attr'")
    assert reported("", "expected an EnvSpec or GameSpec, got dict")
    assert "half (pkg-half): hook arcade_games raised TypeError" in text and "missing" in text
    assert "FineEasy" in reg.specs and "CartPoleEasy" in reg.specs
    bad = {"NoLevels", "NoneLevels", "ListLevels", "IntLevel", "ListKwargs", "NoSteps", "None",
           "NoRange", "NoEntry", "Dict", "Half"}  # fmt: skip
    assert not {sp.game for sp in reg.specs.values()} & bad
    env, params = arcade_core.make("FineEasy")
    assert params.max_steps_in_episode == 20


def test_a_game_module_that_fails_to_import_names_its_plugin_in_make(plugin) -> None:
    plugin(fakegame.Plugin(_game("Ghost", entry="no_such_game_module:Ghost")), "ghost", "pkg-g")
    assert "GhostEasy" in arcade_core.list_envs()  # metadata loads; the game module does not
    with pytest.raises(
        PluginLoadError, match="'GhostEasy' of plugin 'ghost' \\(pkg-g\\).*ModuleNotFound"
    ):
        arcade_core.make("GhostEasy")
    arcade_core.make("CartPoleEasy")  # every other env still builds


# ------------------------------------------------------------------ installed distributions


def _distribution(root: Path, dist: str, module: str, source: str, entry: str = "") -> None:
    """An installed distribution on `root`: `module.py` and a *.dist-info whose `arcade` entry
    point is `module = entry` (default: the module)."""
    (root / f"{module}.py").write_text(textwrap.dedent(source))
    info = root / f"{dist.replace('-', '_')}-0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {dist}\nVersion: 0.1\n")
    (info / "entry_points.txt").write_text(f"[arcade]\n{module} = {entry or module}\n")


_GOOD = """
    from arcade_core.hookspecs import hookimpl
    import fakegame

    @hookimpl
    def arcade_games():
        return [fakegame.game_spec("Dot"), fakegame.game_spec("Walk")]
"""


@pytest.fixture(scope="module")
def broken_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A site with one good plugin and one plugin for each way of breaking."""
    root = tmp_path_factory.mktemp("site")
    _distribution(root, "arcade-good", "arcade_good", _GOOD)
    _distribution(root, "arcade-raises", "arcade_raises", "raise RuntimeError('no display')\n")
    _distribution(root, "arcade-noattr", "arcade_noattr", "X = 1\n", "arcade_noattr:plugin")
    _distribution(root, "arcade-hook", "arcade_hook", """
        from arcade_core.hookspecs import hookimpl

        @hookimpl
        def arcade_games():
            raise KeyError("levels")
    """)  # fmt: skip
    _distribution(root, "arcade-badrange", "arcade_badrange", """
        from arcade_core.hookspecs import hookimpl
        import fakegame
        from arcade_core.specs import GameSpec

        @hookimpl
        def arcade_games():
            spec = fakegame.game_spec("Wide")
            return [GameSpec(**{**spec.__dict__, "return_range": (0.0, 10.0)})]
    """)  # fmt: skip
    _distribution(root, "arcade-clash", "arcade_clash", """
        from arcade_core.hookspecs import hookimpl
        import fakegame

        @hookimpl
        def arcade_games():
            return [fakegame.game_spec("Dot")]
    """)  # fmt: skip
    return root


def _run(root: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(root), str(TESTS)])}
    env.pop("ARCADE_PLUGINS", None), env.pop("ARCADE_DISABLE_PLUGIN_AUTOLOAD", None)
    return subprocess.run([sys.executable, *args], capture_output=True, text=True, env=env,
                          check=True)  # fmt: skip


def test_every_broken_plugin_is_reported_by_name_and_the_others_list(broken_site: Path) -> None:
    listing = json.loads(_run(broken_site, "-m", "arcade_core.tools.cli", "list", "--json").stdout)
    problems = {(p["plugin"], p["package"]): p["reason"] for p in listing["problems"]}
    assert "RuntimeError: no display" in problems["arcade_raises", "arcade-raises"]
    assert "AttributeError" in problems["arcade_noattr", "arcade-noattr"]
    assert "hook arcade_games raised KeyError" in problems["arcade_hook", "arcade-hook"]
    assert "return_range" in problems["arcade_badrange", "arcade-badrange"]
    clash = [r for r in problems.values() if "'DotEasy'" in r]
    assert (
        clash
        and "arcade_good (arcade-good)" in clash[0]
        and "arcade_clash (arcade-clash)" in clash[0]
    )
    ids = {e["id"] for e in listing["envs"]}
    assert "WalkEasy" in ids and "CartPoleEasy" in ids
    assert not ids & {"DotEasy", "WideEasy"}
    table = _run(broken_site, "-m", "arcade_core.tools.cli", "plugins").stdout
    assert "BROKEN: RuntimeError: no display" in table and "arcade-good" in table


def test_make_works_for_the_other_envs_beside_broken_plugins(broken_site: Path) -> None:
    code = textwrap.dedent("""
        import jax, arcade_core
        from arcade_core.registry import PluginConflictError
        for env_id in ("WalkEasy", "CartPoleEasy"):
            env, params = arcade_core.make(env_id, partial_obs=True)
            obs, state = env.reset(jax.random.key(0), params)
            obs, *_ = env.step(jax.random.key(1), state, 3, params)
            assert obs.shape == (128, 128, 3)
        try:
            arcade_core.make("DotEasy")
        except PluginConflictError as exc:
            print("conflict:", exc)
    """)
    out = _run(broken_site, "-c", code).stdout
    assert "conflict: env id 'DotEasy' is registered by both plugin" in out
    assert "'arcade_good' (arcade-good)" in out and "'arcade_clash' (arcade-clash)" in out
    assert PluginConflictError.__mro__[1] is ValueError  # callers catching ValueError still do


# ------------------------------------------------------------------ arcade new-plugin


@pytest.mark.parametrize(("raw", "name", "dist", "package"), [
    ("Snake", "Snake", "arcade-snake", "arcade_snake"),
    ("my-snake", "MySnake", "arcade-my-snake", "arcade_my_snake"),
    ("MySnake", "MySnake", "arcade-my-snake", "arcade_my_snake"),
    ("tic_tac_toe2", "TicTacToe2", "arcade-tic-tac-toe2", "arcade_tic_tac_toe2"),
])  # fmt: skip
def test_names_of_a_new_plugin(raw: str, name: str, dist: str, package: str) -> None:
    n = names_for(raw)
    assert (n.name, n.dist, n.package) == (name, dist, package)
    assert n.entry == dist.removeprefix("arcade-")
    m = names_for(raw, "memory")
    assert m.dist == "arcade-memory-" + dist.removeprefix("arcade-") and m.name == name


@pytest.mark.parametrize("raw", ["9lives", "", "snake!", "a.b"])
def test_a_name_that_cannot_name_a_plugin_is_refused(raw: str) -> None:
    with pytest.raises(NewPluginError, match="must start with a letter"):
        names_for(raw)


def _files(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


def test_game_skeleton_registers_builds_and_steps(tmp_path: Path, plugin, monkeypatch) -> None:
    root = new_plugin("Blip", "game", tmp_path)
    assert root == tmp_path / "arcade-blip"
    assert _files(root) == [
        "README.md", "arcade_blip/__init__.py", "arcade_blip/constants.py", "arcade_blip/draw.py",
        "arcade_blip/game.py", "arcade_blip/plain.py", "arcade_blip/plugin.py", "arcade_blip/rules.md",
        "pyproject.toml", "tests/test_blip.py",
    ]  # fmt: skip
    text = "\n".join(p.read_text() for p in root.rglob("*") if p.is_file())
    assert "{{" not in text and "}}" not in text.replace("}}}", "")
    assert '[project.entry-points.arcade]\nblip = "arcade_blip.plugin"' in text
    assert 'test_conformance = conformance(f"{GAME}Easy")' in text and 'GAME = "Blip"' in text
    monkeypatch.syspath_prepend(str(root))
    import arcade_blip.plugin

    plugin(arcade_blip.plugin, "blip", "arcade-blip")
    assert [i for i in arcade_core.list_envs() if i.startswith("Blip")] == [
        "BlipEasy", "BlipMedium", "BlipHard"
    ]  # fmt: skip
    # its rules page, package data the wheel ships, is what `arcade info` prints
    assert rules_text(arcade_core.spec("BlipEasy")).startswith("# Blip\n")
    assert '[tool.setuptools.package-data]\narcade_blip = ["*.md"]' in text
    import jax

    env, params = arcade_core.make("BlipHard", partial_obs=True, obs_size=256)
    obs, state = env.reset(jax.random.key(0), params)
    obs, state, reward, done, info = env.step(jax.random.key(1), state, 3, params)
    assert obs.shape == (256, 256, 3) and env.cols == 9 and int(state.paddle) == 5
    # the skeleton's plain renderer, registered in its spec, draws the same frame
    plain, _ = arcade_core.make("BlipHard", partial_obs=True, obs_size=256, renderer="plain")
    assert (plain.render(state, params, True) == env.render(state, params, True)).all()


def test_memory_skeleton_registers_and_runs(tmp_path: Path, plugin, monkeypatch) -> None:
    pytest.importorskip("flax")
    root = new_plugin("Blur", "memory", tmp_path)
    assert _files(root) == [
        "README.md", "arcade_memory_blur/__init__.py", "arcade_memory_blur/model.py",
        "arcade_memory_blur/plugin.py", "pyproject.toml", "tests/test_blur.py",
    ]  # fmt: skip
    assert 'memory-blur = "arcade_memory_blur.plugin"' in (root / "pyproject.toml").read_text()
    monkeypatch.syspath_prepend(str(root))
    import arcade_memory_blur.plugin
    import jax
    import jax.numpy as jnp

    from arcade_agents.memory import make_memory_model

    plugin(arcade_memory_blur.plugin, "memory-blur", "arcade-memory-blur")
    model = make_memory_model("blur", features=4)
    carry = model.initialize_carry((2, 3))
    x, start = jnp.ones((2, 5, 3)), jnp.zeros((2, 5), bool)
    params = model.init(jax.random.key(0), carry, (x, start))
    carry, y = model.apply(params, carry, (x, start))
    assert y.shape == (2, 5, 4) and carry.shape == (2, 4)


def test_new_plugin_refuses_a_taken_name_and_a_non_empty_folder(tmp_path: Path) -> None:
    with pytest.raises(NewPluginError, match="'CartPole' is already registered by pomdp-arcade"):
        new_plugin("cartpole", "game", tmp_path)
    (tmp_path / "arcade-blip").mkdir()
    (tmp_path / "arcade-blip" / "keep.txt").write_text("mine")
    with pytest.raises(NewPluginError, match="exists and is not empty"):
        new_plugin("Blip", "game", tmp_path)
    assert _files(tmp_path / "arcade-blip") == ["keep.txt"]


def test_arcade_new_plugin_command(tmp_path: Path) -> None:
    cmd = [sys.executable, "-m", "arcade_core.tools.cli", "new-plugin"]
    ok = subprocess.run([*cmd, "Blip", "--dir", str(tmp_path)], capture_output=True, text=True)
    assert ok.returncode == 0 and f"pip install -e {tmp_path / 'arcade-blip'}" in ok.stdout
    again = subprocess.run([*cmd, "Blip", "--dir", str(tmp_path)], capture_output=True, text=True)
    assert again.returncode == 2 and again.stderr.startswith("arcade: error:")
    assert "exists and is not empty" in again.stderr and again.stderr.count("\n") == 1
