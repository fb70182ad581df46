"""Packaging: the core install is lean (jax, numpy and pluggy alone; `make` plus a step import
no optional package; a feature whose extra is missing names the install), the LICENSE, and
`arcade --version`."""

from __future__ import annotations

import json
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

import arcade_core
from arcade_core.errors import MissingExtraError, UserError

PYPROJECT = Path(__file__).parent.parent / "pyproject.toml"
OPTIONAL = (
    "flax", "optax", "matplotlib", "pandas", "seaborn", "gymnax", "gymnasium", "six", "rich",
    "pygame", "imageio", "ray", "equinox", "memax", "orbax", "tensorboardX",
)  # fmt: skip


def _project() -> dict:
    return tomllib.loads(PYPROJECT.read_text())["project"]


def test_core_dependencies_are_jax_numpy_pluggy() -> None:
    names = [
        d.split(">")[0].split("<")[0].split("=")[0].strip() for d in _project()["dependencies"]
    ]
    assert names == ["jax", "numpy", "pluggy"]


def test_dev_extra_pulls_every_other_extra() -> None:
    extras = _project()["optional-dependencies"]
    assert {"gymnax", "gymnasium", "agents", "human", "viz", "sweep"} <= set(extras)
    dev = extras["dev"][0]
    for extra in ("gymnax", "gymnasium", "agents", "human", "viz", "sweep"):
        assert extra in dev


def test_make_and_a_step_import_no_optional_package() -> None:
    code = (
        "import json, sys, jax, arcade_core\n"
        "env, params = arcade_core.make('CartPoleEasy', partial_obs=True)\n"
        "obs, state = env.reset(jax.random.key(0), params)\n"
        "out = jax.jit(env.step)(jax.random.key(1), state, 3, params)\n"
        "jax.block_until_ready(out)\n"
        f"print(json.dumps(sorted(m for m in {list(OPTIONAL)!r} if m in sys.modules)))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout.strip().splitlines()[-1]) == []


@pytest.mark.parametrize(
    ("module", "extra", "call"),
    [
        ("gymnax", "gymnax", lambda: arcade_core.to_gymnax("CartPoleEasy")),
        ("gymnasium", "gymnasium", lambda: arcade_core.to_gymnasium_vector("CartPoleEasy", 2)),
        ("gymnasium", "gymnasium", lambda: arcade_core.to_gymnasium("CartPoleEasy")),
    ],
)
def test_an_adapter_without_its_extra_names_the_install(monkeypatch, module, extra, call) -> None:
    monkeypatch.setitem(sys.modules, module, None)  # as if not installed
    for name in ("arcade_core.gym", "arcade_core.gymnax_env"):
        monkeypatch.delitem(sys.modules, name, raising=False)
    with pytest.raises(MissingExtraError) as info:
        call()
    message = str(info.value)
    assert f"pip install 'pomdp-arcade[{extra}]'" in message and "\n" not in message
    assert isinstance(info.value, ImportError) and isinstance(info.value, UserError)


def test_license_is_the_mit_license_pyproject_declares() -> None:
    text = (PYPROJECT.parent / "LICENSE").read_text()
    assert _project()["license"] == {"text": "MIT"}
    assert text.startswith("MIT License") and "POMDP Arcade contributors" in text


def test_arcade_version_prints_the_package_version(capsys) -> None:
    from arcade_core.tools.cli import main

    with pytest.raises(SystemExit) as exit_info:
        main(["--version"])
    assert exit_info.value.code == 0
    assert capsys.readouterr().out.strip() == f"arcade (pomdp-arcade) {_project()['version']}"
    assert arcade_core.__version__ == _project()["version"]


def test_a_command_missing_its_extra_is_one_line(monkeypatch, capsys) -> None:
    from arcade_core.tools import cli

    def needs_flax(args):
        raise ModuleNotFoundError("No module named 'flax'", name="flax")

    monkeypatch.setattr(cli, "cmd_list", needs_flax)
    assert cli.main(["list"]) == 2
    err = capsys.readouterr().err.strip()
    assert err == "arcade: error: arcade list needs flax: pip install 'pomdp-arcade[agents]'"
