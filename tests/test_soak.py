"""`arcade soak`: a brief soak of every registered id passes, the soak's counters catch a game
that breaks the rules (returns out of range, NaN rewards, invalid actions that act), the
command prints one line per id and exits non-zero on a failure, and bad input is one line.

The per-id soak is brief (8 envs x 16 steps) and compiled without XLA's backend optimizations
(`quick`): compilation is most of its cost."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from arcade_core.registry import registry
from arcade_core.soak import INVALID_ACTIONS, soak_env
from arcade_core.tools.cli import main

IDS = list(registry().specs)
STEPS, ENVS = 128, 8


@pytest.mark.parametrize("env_id", IDS)
def test_a_brief_soak_of_every_id_passes(env_id: str) -> None:
    report = soak_env(env_id, STEPS, num_envs=ENVS, quick=True)
    assert report.ok, report.summary()
    assert report.counts["steps"] == STEPS and report.counts["invalid"] > 0
    assert report.summary().startswith(f"OK   {env_id} ")


@pytest.fixture
def fake_games() -> Iterator[None]:
    import fakegame

    from arcade_core.plugins import register_plugin, unregister_plugin

    specs = [fakegame.game_spec()] + [
        fakegame.game_spec(name, f"fakegame:{name}") for name in ("Broken", "Sloppy")
    ]
    register_plugin(fakegame.Plugin(*specs), "fake")
    yield
    unregister_plugin("fake")


def test_the_counters_catch_each_broken_rule(fake_games: None) -> None:
    good = soak_env("DotEasy", 400, num_envs=8, quick=True)
    assert good.ok and good.counts["episodes"] > 0, good.summary()
    assert good.len_hi <= 20 and 0.0 <= good.ret_lo <= good.ret_hi <= 1.0
    sloppy = soak_env("SloppyEasy", 400, num_envs=8, quick=True)
    assert set(sloppy.failures()) == {"returns", "finite", "invalid_actions"}, sloppy.summary()
    broken = soak_env("BrokenEasy", 400, num_envs=8, quick=True)
    assert set(broken.failures()) == {"returns"}, broken.summary()
    assert "outside the range (NaN included), the others span [0, 2]" in broken.summary()


def test_the_command_prints_one_line_per_id_and_fails_on_a_broken_one(
    fake_games: None, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["soak", "DotEasy", "BrokenEasy", "--steps", "400", "--num-envs", "8", "--quick"]
    assert main(argv) == 1
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines[0].startswith("OK   DotEasy ") and "MDP+POMDP: 400 steps" in lines[0]
    assert lines[1].startswith("FAIL BrokenEasy ") and "returns:" in lines[1]
    assert lines[-1] == "FAILED (BrokenEasy): 1 of 2 env(s) failed the soak"
    assert main(["soak", "DotEasy", "--steps", "64", "--num-envs", "8", "--quick"]) == 0
    assert capsys.readouterr().out.strip().splitlines()[-1] == "OK: 0 of 1 env(s) failed the soak"


@pytest.mark.parametrize(
    ("argv", "words"),
    [
        (["CartPoleEazy"], "Did you mean"),
        (["CartPoleEasy", "--steps", "0"], "--steps: must be an integer in [1,"),
        (["CartPoleEasy", "--num-envs", "-4"], "--num-envs: must be an integer in [1,"),
        (["CartPoleEasy", "--obs-size", "64"], "--obs-size: invalid choice: 64"),
    ],
)
def test_bad_input_is_one_line_before_anything_compiles(
    argv: list[str], words: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["soak", *argv]) == 2
    captured = capsys.readouterr()
    (line,) = captured.err.strip().splitlines()
    assert line.startswith("arcade: error: ") and words in line
    assert captured.out == ""


def test_the_invalid_actions_include_the_int32_extremes() -> None:
    assert {-1, 5, 7, 1000, -(2**31), 2**31 - 1} == set(INVALID_ACTIONS)
