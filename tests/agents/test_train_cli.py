"""`arcade train` / `arcade eval` / `arcade record --policy`: configs from flags, files and
overrides (flags win; booleans turn off), one-line errors before anything compiles, and what a
run leaves behind (config, CSV, TensorBoard events, checkpoints, curve). The runner is driven by
`fake_algo`, a pure-JAX stand-in; one slow test trains real PQN through the CLI."""

from __future__ import annotations

import dataclasses
import tomllib
from collections.abc import Iterator
from pathlib import Path

import fake_algo
import numpy as np
import pytest

from arcade_agents.train import config_io, run
from arcade_agents.train.api import DQNConfig, PPOConfig, PQNConfig, get_algorithm
from arcade_agents.train.logging import read_metrics
from arcade_core.tools.cli import main


@pytest.fixture(scope="module")
def fake_module() -> Iterator[None]:
    fake_algo.register()
    yield
    fake_algo.unregister()


@pytest.fixture(autouse=True)
def fake(fake_module: None) -> None:
    fake_algo.register()  # again: a test elsewhere in this worker may have reset the plugins


@pytest.fixture
def no_training(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail if a command gets as far as building a trainer (i.e. could compile)."""

    def boom(*a: object, **k: object) -> None:
        raise AssertionError("reached the runner")

    monkeypatch.setattr(run, "train", boom)
    monkeypatch.setattr(run, "make_trainer", boom)


def one_line_error(capsys: pytest.CaptureFixture[str], argv: list[str], *needles: str) -> str:
    assert main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("arcade: error:") and "\n" not in err, err
    for needle in needles:
        assert needle in err, err
    return err


# ---------------------------------------------------------------- bad values, before compiling


@pytest.mark.parametrize(
    ("args", "needles"),
    [
        (["--algo", "pqm"], ["unknown algorithm", "Did you mean pqn"]),
        (["--memory", "gruu"], ["unknown memory model", "Did you mean GRU"]),
        (["--env", "CartPoleEsy"], ["unknown env id", "CartPoleEasy"]),
        (["--num-envs", "-4"], ["--num-envs: must be an integer in [1,"]),
        (["--total-frames", "0"], ["--total-frames: must be an integer in [1,"]),
        (["--total-frames", "1e30"], ["--total-frames: must be an integer in [1,"]),
        (["--set", "total_frames=1e30"], ["total_frames must be at most"]),
        (["--total-frames", "1e12", "--num-envs", "1"], ["updates", "at most 100,000,000"]),
        (["--obs-size", "100"], ["--obs-size: invalid choice: 100"]),
        (["--lr", "-1"], ["lr"]),
        (["--set", "lamm=0.5"], ["unknown config key 'lamm'", "Did you mean 'lam'"]),
        (["--set", "lam"], ["KEY=VALUE"]),
        (["--set", "num_epochs=1.5"], ["num_epochs: expected int"]),
        (["--devices", "many"], ["--devices"]),
        (["--num-envs", "6", "--set", "num_minibatches=4"], ["multiple of num_minibatches"]),
        (["--config", "nope.toml"], ["does not exist"]),
        (["--resume", "somewhere", "--lr", "0.1"], ["--resume", "--lr"]),
        (["--log-every", "0"], ["--log-every"]),
    ],
)
def test_bad_values_are_one_line_errors_before_compiling(
    no_training: None, capsys: pytest.CaptureFixture[str], args: list[str], needles: list[str]
) -> None:
    one_line_error(capsys, ["train", *args], *needles)


def test_bad_config_file_keys_are_one_line(
    no_training: None, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    (tmp_path / "c.toml").write_text('algo = "ppo"\nclip_epss = 0.1\n')
    one_line_error(capsys, ["train", "--config", str(tmp_path / "c.toml")], "'clip_eps'")
    (tmp_path / "c.yaml").write_text("algo: pqn\nnum_envs: [1, 2]\n")
    one_line_error(capsys, ["train", "--config", str(tmp_path / "c.yaml")], "num_envs")
    (tmp_path / "c.ini").write_text("x=1\n")
    one_line_error(capsys, ["train", "--config", str(tmp_path / "c.ini")], ".toml")


# ---------------------------------------------------------------- configs


def resolved(capsys: pytest.CaptureFixture[str], *argv: str) -> dict[str, object]:
    assert main(["train", *argv, "--print-config"]) == 0
    return tomllib.loads(capsys.readouterr().out)


def test_flags_override_the_file_and_booleans_turn_off(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    f = tmp_path / "run.toml"
    f.write_text('algo = "pqn"\npartial = true\nnum-envs = 8\nlam = 0.5\nlr_decay = true\n')
    cfg = resolved(capsys, "--config", str(f))
    assert (cfg["partial"], cfg["num_envs"], cfg["lam"], cfg["lr_decay"]) == (True, 8, 0.5, True)
    cfg = resolved(
        capsys, "--config", str(f), "--no-partial", "--num-envs", "4", "--set", "lam=0.9", "lr_decay=false"
    )  # fmt: skip
    assert (cfg["partial"], cfg["num_envs"], cfg["lam"], cfg["lr_decay"]) == (False, 4, 0.9, False)
    assert resolved(capsys, "--partial")["partial"] is True


def test_a_saved_config_missing_a_newer_field_says_so(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """A run's saved config.toml writes every field; one saved before a field existed gets
    today's default for it, and `arcade train --config` says so on stderr (stdout stays the
    config). A hand-written file, which names only what it changes, gets no such line."""

    def printed(path: Path) -> tuple[dict[str, object], str]:
        assert main(["train", "--config", str(path), "--print-config"]) == 0
        out = capsys.readouterr()
        return tomllib.loads(out.out), out.err

    saved = config_io.to_toml(DQNConfig())
    old = tmp_path / "config.toml"
    old.write_text("\n".join(x for x in saved.splitlines() if not x.startswith("q_init_scale")))
    cfg, err = printed(old)
    assert cfg["q_init_scale"] == DQNConfig().q_init_scale
    assert "config.toml was saved before q_init_scale existed" in err
    old.write_text(saved)
    assert printed(old)[1] == ""
    hand = tmp_path / "mine.toml"
    hand.write_text('algo = "dqn"\nlr = 0.001\n')
    assert printed(hand)[1] == ""


def test_yaml_config_with_the_algorithms_own_fields(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    f = tmp_path / "run.yaml"
    f.write_text("algo: ppo\nenv: CountRecallEasy\ntotal_frames: 2e5\nclip_eps: 0.1\n")
    cfg = resolved(capsys, "--config", str(f), "--memory", "lru")
    assert cfg["algo"] == "ppo" and cfg["env_id"] == "CountRecallEasy"
    assert cfg["total_frames"] == 200_000 and cfg["clip_eps"] == 0.1 and cfg["memory"] == "lru"


@pytest.mark.parametrize("cls", [PQNConfig, PPOConfig, DQNConfig])
def test_saved_config_reloads_equal(cls: type, tmp_path: Path) -> None:
    cfg = cls(env_id="CountRecallEasy", partial=True, memory="gru", seeds=3, lr=1e-3)
    path = config_io.save_config(cfg, tmp_path / "config.toml")
    assert config_io.load_config(path, get_algorithm) == cfg


def test_every_shared_config_field_has_a_flag(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["train", "--help"])
    out = capsys.readouterr().out
    for f in dataclasses.fields(PQNConfig.__mro__[1]):  # TrainConfig
        flag = "--env" if f.name == "env_id" else "--" + f.name.replace("_", "-")
        assert flag in out, flag


# ---------------------------------------------------------------- a run through the CLI


@pytest.fixture(scope="module")
def run_dir(fake_module: None, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("cli") / "run"
    argv = ["train", "--algo", "fake", "--seeds", "2", "--total-frames", "160", "--out", str(out)]
    assert main([*argv, "--log-every", "2", "--no-progress"]) == 0
    return out


def test_run_dir_holds_config_logs_events_checkpoints_and_curve(run_dir: Path) -> None:
    names = {p.name for p in run_dir.iterdir()}
    assert {"config.toml", "metrics.csv", "tb", "checkpoints", "curve.png"} <= names
    assert any(p.name.startswith("events.out.tfevents") for p in (run_dir / "tb").iterdir())
    assert (run_dir / "curve.png").stat().st_size > 5_000
    rows = read_metrics(run_dir)
    assert len(rows) == 10 * 2 and {r["seed"] for r in rows} == {0, 1}
    assert rows[-1]["frames"] == 160 and all(r["episodes"] == 4 for r in rows)
    assert tomllib.loads((run_dir / "config.toml").read_text())["seeds"] == 2


def test_progress_prints_frames_fps_and_recent_return(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    assert main(["train", "--algo", "fake", "--out", str(tmp_path / "r"), "--log-every", "5"]) == 0
    out = capsys.readouterr().out
    assert "frames 160/160" in out and "frames/s" in out and "recent return" in out


def test_eval_reports_a_confidence_interval_and_records_a_gif(
    run_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    gif = run_dir / "agent.gif"
    argv = ["eval", str(run_dir), "--episodes", "6", "--max-steps", "24", "--record", str(gif)]
    assert main(argv) == 0
    out, err = capsys.readouterr()
    assert "mean return" in out and "95% CI" in out and "6 episodes" in out
    # the compile, then a step counter with an ETA (plain lines off a terminal)
    assert "compiling evaluation rollout (6 episodes x 24 steps)" in err
    assert "compiled evaluation rollout in" in err and "24/24 steps" in err and "ETA" in err
    assert gif.stat().st_size > 1_000


def test_eval_refuses_a_video_too_big_for_memory_before_compiling(
    run_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    gif = run_dir / "huge.gif"
    argv = ["eval", str(run_dir), "--record", str(gif), "--max-steps", "100000", "--scale", "16"]
    assert main(argv) == 2
    err = capsys.readouterr().err
    (line,) = [ln for ln in err.splitlines() if ln.startswith("arcade: ")]
    assert "GiB of frames" in line and "--scale" in line
    assert "compiling" not in err and not gif.exists()


def test_record_policy_plays_the_trained_agent(
    run_dir: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    # one episode, 24 steps, greedy: the rollout `eval --record` compiled above is reused
    argv = ["record", "--policy", str(run_dir), "--episodes", "1", "--max-steps", "24"]
    assert main([*argv, "--seed", "3", "--out", str(tmp_path)]) == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["CartPoleEasy_mdp_ep0.gif"]
    one_line_error(capsys, ["record", "TetrisEasy", "--policy", str(run_dir)], "CartPoleEasy")


def test_eval_of_a_directory_that_is_no_run_is_one_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    one_line_error(capsys, ["eval", str(tmp_path)], "not a training run directory")


@pytest.mark.slow
def test_pqn_trains_through_the_cli(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "pqn"
    argv = ["train", "--algo", "pqn", "--num-envs", "4", "--num-steps", "8", "--features", "16"]
    argv += ["--total-frames", "256", "--set", "num_minibatches=2", "--out", str(out)]
    assert main([*argv, "--no-progress"]) == 0
    assert (out / "curve.png").exists()
    assert main(["eval", str(out), "--episodes", "4", "--max-steps", "16"]) == 0
    assert "mean return" in capsys.readouterr().out


# ---------------------------------------------------------------- extending a run


def test_resume_with_total_frames_extends_a_finished_run(
    fake_module: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A finished 12-update run, extended to 196 frames (rounded down to 192: 24 updates of 8
    frames, said once), continues from its last checkpoint: its config holds the new total,
    its log goes on from update 12, and updates 13..24 follow the schedules of a 24-update
    run. A budget below what it trained, or a bad one, is a one-line error before anything
    compiles."""
    import jax

    out = tmp_path / "run"
    argv = ["train", "--algo", "fake", "--total-frames", "96", "--out", str(out)]
    assert main([*argv, "--log-every", "2", "--no-progress"]) == 0
    first = run.restore(out)
    assert first.updates == 12
    capsys.readouterr()

    one_line_error(capsys, ["train", "--resume", str(out), "--total-frames", "80"],
                   "less than the 96 frames")  # fmt: skip
    one_line_error(capsys, ["train", "--resume", str(out), "--total-frames", "0"], "total")
    one_line_error(capsys, ["train", "--resume", str(out), "--total-frames", "96", "--lr", "0.1"],
                   "drop --lr")  # fmt: skip
    assert tomllib.loads((out / "config.toml").read_text())["total_frames"] == 96  # untouched

    argv = ["train", "--resume", str(out), "--total-frames", "196", "--log-every", "2"]
    assert main([*argv, "--no-progress"]) == 0
    text = capsys.readouterr().out
    assert text.count("total_frames 196 rounded down to 192") == 1, text
    assert "a multiple of num_envs x num_steps = 8" in text
    assert "extending" in text and "schedules now run over the new total" in text
    assert "compiled fake update" in text
    assert tomllib.loads((out / "config.toml").read_text())["total_frames"] == 196
    done = run.restore(out)
    assert done.updates == 24 and done.frames == 192
    assert [r["update"] for r in read_metrics(out)] == list(range(2, 25, 2))

    # the same 12 updates by hand, under the 24-update schedule
    trainer = run.make_trainer(done.config)
    state = first.state
    for _ in range(12):
        state, _ = jax.jit(trainer.update)(state)
    np.testing.assert_allclose(done.state["params"]["w"], state["params"]["w"], rtol=1e-6)
