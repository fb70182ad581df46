"""The `arcade` command, run as a user runs it: in a subprocess."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

TESTS = str(Path(__file__).parent)


def arcade(*args: str, check: bool = True) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": TESTS}
    return subprocess.run([sys.executable, "-m", "arcade_core.tools.cli", *args], capture_output=True, text=True,
                          env=env, check=check)  # fmt: skip


def test_list_shows_table_of_envs() -> None:
    out = arcade("list").stdout
    header = out.splitlines()[0].split()
    assert header == ["id", "game", "difficulty", "package", "max", "steps", "return"]
    row = next(line.split() for line in out.splitlines() if line.startswith("CartPoleHard "))
    assert row == ["CartPoleHard", "CartPole", "Hard", "pomdp-arcade", "600", "[0,", "1]"]
    assert "NoisyCartPoleEasy" in out


def test_list_json_is_machine_readable() -> None:
    data = json.loads(arcade("list", "--json").stdout)
    env = next(e for e in data["envs"] if e["id"] == "NoisyCartPoleHard")
    assert (
        env["game"] == "NoisyCartPole"
        and env["max_steps"] == 200
        and env["return_range"] == [0.0, 1.0]
    )
    assert env["entry"] == "arcade_games.cartpole.game:NoisyCartPole"


def test_list_imports_no_jax() -> None:
    code = (
        "import sys, io, contextlib\n"
        "from arcade_core.tools.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()): main(['list'])\n"
        "heavy = sorted(m for m in sys.modules if m.split('.')[0] in ('jax', 'jaxlib', 'numpy', 'flax'))\n"
        "assert not heavy, heavy\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_unknown_id_is_one_line_error_with_suggestion() -> None:
    for cmd in (["info", "CartPoleEsay"], ["check", "CartPoleEsay"], ["bench", "CartPoleEsay"]):
        p = arcade(*cmd, check=False)
        assert p.returncode == 2, cmd
        assert p.stderr.strip().count("\n") == 0, p.stderr
        assert (
            "unknown env id 'CartPoleEsay'" in p.stderr and "Did you mean: CartPoleEasy" in p.stderr
        )


def test_info_describes_the_env() -> None:
    out = arcade("info", "CartPoleMedium").stdout
    assert "max_steps    400" in out and "Discrete(n=5" in out and "# CartPole" in out


def test_bench_reports_fps_compile_and_floor() -> None:
    out = arcade(
        "bench",
        "CartPoleEasy",
        "--num-envs",
        "4",
        "--steps",
        "8",
        "--repeats",
        "1",
        "--floor",
        "--json",
    ).stdout
    data = json.loads(out)
    (row,) = data["results"]
    assert row["env"] == "CartPoleEasy" and row["num_envs"] == 4 and row["num_steps"] == 8
    assert row["fps"] > 0 and row["compile_s"] > 0
    # the floor is timed alongside each env; its own row is its best run over the bench
    assert row["floor_fps"] > 0 and data["floor"]["fps"] == pytest.approx(row["floor_fps"])
    table = arcade(
        "bench", "CartPoleEasy", "--num-envs", "2", "--steps", "4", "--repeats", "1", "--floor"
    ).stdout
    assert "% floor" in table and "floor (write a frame)" in table


@pytest.fixture
def bare_and_plain_dot():
    """Two fake games in this process: `Bare` (tuned renderer only) and `Dot` (both)."""
    import fakegame

    from arcade_core.plugins import register_plugin, unregister_plugin

    dot = fakegame.game_spec(plain_renderer="fakegame:plain_draw")
    register_plugin(fakegame.Plugin(fakegame.game_spec("Bare"), dot), "fake")
    yield
    unregister_plugin("fake")


def test_bench_measures_the_plain_renderer_on_request(
    bare_and_plain_dot, capsys: pytest.CaptureFixture[str]
) -> None:
    from arcade_core.tools.cli import main

    argv = ["bench", "DotEasy", "--num-envs", "2", "--steps", "4", "--repeats", "1"]
    assert main([*argv, "--renderer", "plain", "--json"]) == 0
    (row,) = json.loads(capsys.readouterr().out)["results"]
    assert row["renderer"] == "plain" and row["fps"] > 0
    assert main([*argv, "--renderer", "plain"]) == 0
    assert "renderer" in capsys.readouterr().out.splitlines()[0]  # a column of its own
    assert main([*argv, "--renderer", "fast"]) == 2
    assert "invalid choice: 'fast'" in capsys.readouterr().err


def test_bench_of_a_plain_renderer_a_game_lacks_is_one_line_before_anything_compiles(
    bare_and_plain_dot, capsys: pytest.CaptureFixture[str]
) -> None:
    from arcade_core.tools.cli import main

    assert main(["bench", "DotEasy", "BareEasy", "--renderer", "plain"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "--renderer plain: no plain renderer for BareEasy; games with one: " in err
    assert "Dot" in err.split("games with one: ")[1]


def test_check_passes_a_good_env_and_fails_a_broken_one(tmp_path: Path) -> None:
    """`arcade check` runs the suite and exits non-zero on failure (fake games keep it quick)."""
    plugin = tmp_path / "fake_plugin.py"
    plugin.write_text(
        "import fakegame\n"
        "from arcade_core.plugins import register_plugin\n"
        "register_plugin(fakegame.Plugin(fakegame.game_spec(), fakegame.game_spec('Broken', 'fakegame:Broken')), 'fake')\n"
        "from arcade_core.tools.cli import main\nimport sys\nsys.exit(main(sys.argv[1:]))\n"
    )
    env = {**os.environ, "PYTHONPATH": TESTS}
    ok = subprocess.run(
        [sys.executable, str(plugin), "check", "DotEasy"], capture_output=True, text=True, env=env
    )
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "PASS DotEasy" in ok.stdout
    bad = subprocess.run(
        [sys.executable, str(plugin), "check", "DotEasy", "BrokenEasy"],
        capture_output=True,
        text=True,
        env=env,
    )
    assert bad.returncode == 1
    assert "FAIL returns@128" in bad.stdout and "FAIL pomdp_hides@128" in bad.stdout
    assert "1 of 2 env(s) failed" in bad.stdout
    # several ids: a counter with an ETA, and each id's time, on stderr
    assert "[1/2] checking DotEasy" in bad.stderr and "[2/2] checking BrokenEasy" in bad.stderr
    assert "ETA" in bad.stderr and "checked BrokenEasy in" in bad.stderr
