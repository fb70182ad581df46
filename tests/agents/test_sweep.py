"""`arcade sweep`: grids from files, presets and flags; one-line errors before anything runs;
a dry run that imports no JAX; and on a local Ray (two CPUs): failed trials recorded while the
others finish, finished trials skipped in well under a second, a changed config refused, a
worker killed mid-trial retried and resumed exactly, and a driver killed mid-sweep that,
started again, ends with the results of an uninterrupted sweep. Trials train `fake_algo` (no
network to compile); one slow test runs a real PQN trial of the smoke preset."""

from __future__ import annotations

import contextlib
import csv
import math
import os
import signal
import subprocess
import sys
import textwrap
import time
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import fake_algo
import numpy as np
import pytest

from arcade_agents.sweep import grid, results, runner
from arcade_agents.train import run
from arcade_agents.train.api import Algorithm, PQNConfig
from arcade_agents.train.logging import read_metrics
from arcade_core.hookspecs import hookimpl
from arcade_core.tools.cli import main

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
VOLATILE = ("wall_s", "compile_s", "fps", "commit")  # timings (and HEAD, if it moves meanwhile)


# ---------------------------------------------------------------- a failing algorithm


@dataclass(frozen=True)
class BoomConfig(fake_algo.FakeConfig):
    algo: str = "boom"


def _boom_train(config: Any) -> Any:
    raise RuntimeError("boom: this trial fails on purpose\nsecond line")


class _BoomPlugin:
    @hookimpl
    def arcade_algorithms(self) -> dict[str, Any]:
        return {"boom": Algorithm("boom", BoomConfig, _boom_train, "fails in make_train")}


def _register() -> None:
    from arcade_core.plugins import get_plugin_manager, register_plugin

    fake_algo.register()
    if "boom-algo" not in {p.name for p in get_plugin_manager().plugins}:
        register_plugin(_BoomPlugin(), "boom-algo")


@pytest.fixture(autouse=True)
def algorithms() -> Iterator[None]:
    _register()
    yield


# ---------------------------------------------------------------- helpers


def _ps() -> list[tuple[int, int, int, str]]:
    """(pid, ppid, sid, command line) of every process, from /proc (no fork of a process
    that runs JAX's threads)."""
    procs = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            args = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:  # gone meanwhile
            continue
        fields = stat[stat.rindex(")") + 2 :].split()  # after "pid (comm) "
        if fields[0] == "Z":
            continue  # a zombie: already dead
        procs.append((int(entry.name), int(fields[1]), int(fields[3]), args.strip()))
    return procs


def _descendants(root: int) -> list[tuple[int, str]]:
    procs = _ps()
    children: dict[int, list[int]] = {}
    for pid, ppid, _, _ in procs:
        children.setdefault(ppid, []).append(pid)
    args = {pid: a for pid, _, _, a in procs}
    out, stack = [], list(children.get(root, []))
    while stack:
        pid = stack.pop()
        out.append((pid, args[pid]))
        stack.extend(children.get(pid, []))
    return out


def _ray_like(args: str) -> bool:
    return "ray" in args.lower()


def _wait_no_ray(find: Any, timeout: float = 30.0) -> list[Any]:
    """Poll until `find()` lists no live Ray process; return what is left after `timeout`."""
    deadline = time.monotonic() + timeout
    left = find()
    while left and time.monotonic() < deadline:
        time.sleep(0.5)
        left = find()
    return left


def _in_session(sid: int) -> list[tuple[int, str]]:
    return [(pid, a) for pid, _, s, a in _ps() if s == sid and _ray_like(a)]


def _kill_session(sid: int) -> None:
    """SIGKILL what a killed driver (started under setsid, so `sid` is its pid) left behind."""
    for pid, _ in _in_session(sid):
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    assert not _wait_no_ray(lambda: _in_session(sid), 10.0)


def _read_csv(path: Path) -> list[dict[str, str]]:
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def _stable(rows: list[dict[str, str]]) -> list[dict[str, str]]:
    return [{k: v for k, v in r.items() if k not in VOLATILE} for r in rows]


def _sweep_file(tmp_path: Path, text: str, name: str = "grid.toml") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text))
    return path


FAKE = ["--algo", "fake", "--env", "CartPoleEasy", "--eval-episodes", "2"]


def _spec(*args: str) -> tuple[grid.SweepSpec, list[grid.Trial]]:
    """The grid and trials `arcade sweep ARGS` would run (fake algorithm, CartPoleEasy)."""
    flags = grid.spec_from_flags(
        algo=["fake"], env=["CartPoleEasy"], overrides=[a for a in args if "=" in a]
    )
    spec = grid.resolve_spec(flags=flags)
    return spec, grid.expand(spec)


# ---------------------------------------------------------------- the grid


def test_a_sweep_file_expands_to_the_product_with_per_env_fields(tmp_path: Path) -> None:
    path = _sweep_file(
        tmp_path,
        """
        algo = "pqn"
        env = ["CartPoleEasy", "CartPoleHard", "CountRecallEasy"]
        partial = "both"
        memory = ["none", "GRU"]
        lr = [1e-4, 3e-4]
        total_frames = 2e6
        num_envs = 8

        [by_env.CartPole]
        total_frames = 1_000_000
        [by_env.CartPoleHard]
        total_frames = 3_000_000
        num_envs = 4
        [by_memory.GRU]
        features = 64
        """,
    )
    trials = grid.expand(grid.resolve_spec(config_file=path))
    assert len(trials) == 3 * 2 * 2 * 2
    assert trials[0].name == "pqn_none_CartPoleEasy_mdp_lr-0.0001"
    assert [t.name for t in trials[:4]] == [
        "pqn_none_CartPoleEasy_mdp_lr-0.0001",
        "pqn_none_CartPoleEasy_mdp_lr-0.0003",
        "pqn_GRU_CartPoleEasy_mdp_lr-0.0001",
        "pqn_GRU_CartPoleEasy_mdp_lr-0.0003",
    ]
    by_name = {t.name: t.config for t in trials}
    assert isinstance(by_name["pqn_GRU_CartPoleHard_pomdp_lr-0.0003"], PQNConfig)
    frames = {t.config.env_id: t.config.total_frames for t in trials}
    assert frames == {
        "CartPoleEasy": 1_000_000,
        "CartPoleHard": 3_000_000,
        "CountRecallEasy": 2_000_000,
    }
    assert {t.config.num_envs for t in trials if t.config.env_id == "CartPoleHard"} == {4}
    assert {t.config.num_envs for t in trials if t.config.env_id != "CartPoleHard"} == {8}
    assert {t.config.features for t in trials if t.config.memory == "GRU"} == {64}
    assert {t.config.features for t in trials if t.config.memory == "none"} == {256}
    assert len({t.config_hash for t in trials}) == len(trials)

    # the written sweep.toml reads back to the same trials; YAML says the same
    again = _sweep_file(
        tmp_path, grid.to_toml(grid.resolve_spec(config_file=path), trials), "s.toml"
    )
    assert [(t.name, t.config_hash) for t in grid.expand(grid.resolve_spec(config_file=again))] == [
        (t.name, t.config_hash) for t in trials
    ]
    yml = _sweep_file(
        tmp_path,
        """
        algo: pqn
        env: [CartPoleEasy, CartPoleHard, CountRecallEasy]
        partial: both
        memory: [none, GRU]
        lr: [1.0e-4, 3.0e-4]
        total_frames: 2e6
        num_envs: 8
        by_env:
          CartPole: {total_frames: 1000000}
          CartPoleHard: {total_frames: 3000000, num_envs: 4}
        by_memory:
          GRU: {features: 64}
        """,
        "grid.yaml",
    )
    assert [t.config_hash for t in grid.expand(grid.resolve_spec(config_file=yml))] == [
        t.config_hash for t in trials
    ]


def test_flags_override_the_file_and_its_per_env_fields(tmp_path: Path) -> None:
    path = _sweep_file(
        tmp_path,
        """
        env = ["CartPoleEasy", "TetrisEasy"]
        memory = "GRU"
        total_frames = 2e6
        [by_env.CartPoleEasy]
        total_frames = 1e6
        """,
    )
    flags = grid.spec_from_flags(view="both", total_frames=["5e5"], overrides=["lam=0.9"])
    trials = grid.expand(grid.resolve_spec(config_file=path, flags=flags))
    assert [t.name for t in trials] == [
        "pqn_GRU_CartPoleEasy_mdp",
        "pqn_GRU_CartPoleEasy_pomdp",
        "pqn_GRU_TetrisEasy_mdp",
        "pqn_GRU_TetrisEasy_pomdp",
    ]
    assert {t.config.total_frames for t in trials} == {500_000}  # the flag beats by_env too
    assert {t.config.lam for t in trials} == {0.9}


def test_paper_preset_is_300_trials_with_the_papers_budgets_and_settings() -> None:
    trials = grid.expand(grid.resolve_spec("paper"))
    assert len(trials) == 300
    envs = list(dict.fromkeys(t.config.env_id for t in trials))
    assert len(envs) == 30 and not [e for e in envs if e.startswith("Pong")]  # built-ins only
    games = {e.removesuffix("Easy").removesuffix("Medium").removesuffix("Hard") for e in envs}
    assert len(games) == 10
    assert {t.config.memory for t in trials} == {"MLP", "LRU", "MinGRU", "GRU", "FART"}
    assert sorted({t.view for t in trials}) == ["mdp", "pomdp"]
    for t in trials:
        c = t.config
        short = c.env_id.startswith(("CartPole", "NoisyCartPole", "AutoEncode"))
        assert c.total_frames == (10_000_000 if short else 20_000_000), t.name
        assert (c.algo, c.seeds, c.num_envs, c.num_steps, c.lr) == ("pqn", 5, 16, 128, 5e-5)
        assert (c.num_epochs, c.num_minibatches, c.gamma, c.lam) == (4, 16, 0.99, 0.95)
        assert (c.eps_start, c.eps_finish, c.eps_decay) == (1.0, 0.05, 0.1)
    assert sum(t.frames == 10_000_000 for t in trials) == 9 * 2 * 5
    assert "pqn_GRU_CartPoleEasy_pomdp" in {t.name for t in trials}


def test_smoke_preset_and_a_preset_narrowed_by_flags() -> None:
    trials = grid.expand(grid.resolve_spec("smoke"))
    assert len(trials) == 10 * 2 * 2
    assert {t.config.env_id for t in trials} == {
        f"{g}Easy"
        for g in ("AutoEncode", "BattleShip", "Breakout", "CartPole", "NoisyCartPole",
                  "CountRecall", "MineSweeper", "Navigator", "Skittles", "Tetris")
    }  # fmt: skip
    assert {t.config.memory for t in trials} == {"none", "GRU"}
    assert {(t.config.algo, t.config.seeds) for t in trials} == {("pqn", 1)}
    assert max(t.frames for t in trials) <= 4096
    flags = grid.spec_from_flags(env=["CartPoleEasy"], overrides=["seeds=2"])
    narrowed = grid.expand(grid.resolve_spec("smoke", flags=flags))
    assert [t.name for t in narrowed] == [
        "pqn_none_CartPoleEasy_mdp",
        "pqn_GRU_CartPoleEasy_mdp",
        "pqn_none_CartPoleEasy_pomdp",
        "pqn_GRU_CartPoleEasy_pomdp",
    ]
    assert {t.config.seeds for t in narrowed} == {2}


def test_written_grid_prints_whole_floats_as_integers() -> None:
    """`total_frames = 1e5` in a sweep file is a float to TOML; `--print` writes it back as
    the integer it stands for, and small floats as they are."""
    spec = grid.spec_from_mapping({"total_frames": 1e5, "lr": [3e-4, 1.0]}, "test")
    text = grid.to_toml(spec)
    assert "total_frames = 100_000\n" in text
    assert "lr = [0.0003, 1.0]\n" in text


def test_dry_run_and_print_import_neither_jax_nor_ray(tmp_path: Path) -> None:
    code = (
        "import sys\n"
        "from arcade_core.tools.cli import main\n"
        "rc = main(sys.argv[1:])\n"
        "heavy = [m for m in ('jax', 'flax', 'ray') if m in sys.modules]\n"
        "print('HEAVY', heavy, rc)\n"
    )
    args = ["sweep", "--preset", "paper", "--dry-run"]
    out = subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, cwd=ROOT, timeout=120
    )
    assert out.returncode == 0, out.stderr
    lines = out.stdout.strip().splitlines()
    assert lines[-1] == "HEAVY [] 0"
    assert lines[0].split() == ["trial", "env", "view", "memory", "algo", "seeds", "frames"]
    assert len(lines) == 1 + 300 + 2
    assert lines[1].split() == [
        "pqn_MLP_AutoEncodeEasy_mdp", "AutoEncodeEasy", "mdp", "MLP", "pqn", "5", "10,000,000"
    ]  # fmt: skip
    assert lines[-2] == (
        "300 trial(s): 5,100,000,000 frames per seed, 25,500,000,000 frames with all seeds"
    )
    args = ["sweep", "--preset", "smoke", "--env", "CartPoleEasy", "--print"]
    out = subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, cwd=ROOT, timeout=120
    )
    assert out.returncode == 0, out.stderr
    text, _, last = out.stdout.rpartition("HEAVY")
    assert last.strip() == "[] 0"
    printed = tomllib.loads(text)
    assert printed["env_id"] == "CartPoleEasy" and printed["memory"] == ["none", "GRU"]
    path = _sweep_file(tmp_path, text, "printed.toml")
    assert len(grid.expand(grid.resolve_spec(config_file=path))) == 4


@pytest.fixture
def no_running(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail if a command gets as far as running trials."""

    def boom(*a: object, **k: object) -> None:
        raise AssertionError("reached the runner")

    monkeypatch.setattr(runner, "run_sweep", boom)


@pytest.mark.parametrize(
    ("args", "file", "needles"),
    [
        (["--env", "CartPoleEsy", "--dry-run"], None, ["unknown env id", "CartPoleEasy"]),
        (["--algo", "pqm", "--dry-run"], None, ["unknown algorithm", "pqn"]),
        (["--set", "lamm=0.5", "--dry-run"], None, ["trial pqn_none_CartPoleEasy_mdp", "'lamm'"]),
        (["--set", "lam", "--dry-run"], None, ["KEY=VALUE"]),
        (["--set", "num_envs=4,6", "--set", "num_minibatches=4", "--dry-run"], None,
         ["trial pqn_none_CartPoleEasy_mdp_num_envs-6", "multiple of num_minibatches"]),
        (["--memory", "gruu", "--out", "X"], None, ["trial pqn_gruu_CartPoleEasy_mdp", "GRU"]),
        (["--seeds", "0", "--dry-run"], None, ["--seeds"]),
        (["--max-concurrent", "0", "--out", "X"], None, ["--max-concurrent"]),
        (["--config", "nope.toml", "--dry-run"], None, ["does not exist"]),
        (["--dry-run"], 'env = ["CartPoleEasy", "CartPoleHard"]\n[by_env.CartPoleHard]\nnum_envs = 6\n',
         ["trial pqn_none_CartPoleHard_mdp", "multiple of num_minibatches"]),
        (["--dry-run"], "[by_env.CartPol]\ntotal_frames = 5\n", ["by_env.CartPol", "CartPole"]),
        (["--dry-run"], "[train]\nlr = 0.1\n", ["unknown section [train]"]),
        (["--dry-run"], "[by_env.CartPole]\nmemory = 'GRU'\n", ["grid axis"]),
        (["--dry-run"], "lr = []\n", ["empty list"]),
        (["--dry-run"], "lr = [0.1, 0.1]\n", ["twice"]),
        ([], None, ["--out DIR is required"]),
    ],
)  # fmt: skip
def test_bad_input_is_one_line_before_anything_runs(
    no_running: None,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    args: list[str],
    file: str | None,
    needles: list[str],
) -> None:
    if file is not None:
        args = [*args, "--config", str(_sweep_file(tmp_path, file))]
    assert main(["sweep", *args]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("arcade: error:") and "\n" not in err, err
    for needle in needles:
        assert needle in err, err


def test_without_ray_the_command_says_what_to_install(
    no_running: None, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name == "ray" else real(name, *a)
    )
    assert main(["sweep", "--out", "x"]) == 2
    err = capsys.readouterr().err.strip()
    assert err == (
        "arcade: error: arcade sweep runs its trials on Ray: pip install 'pomdp-arcade[sweep]'"
    )
    assert main(["sweep", "--dry-run"]) == 0  # a dry run needs no Ray


def test_a_second_driver_on_the_same_directory_is_refused(tmp_path: Path) -> None:
    spec, trials = _spec()
    out = tmp_path / "sweep"
    out.mkdir()
    with runner._Lock(out), pytest.raises(grid.SweepError, match="in use by another sweep"):
        runner.run_sweep(spec, trials, out)
    assert not (out / results.TRIALS_DIR).exists()


DRIVER = """\
import sys
sys.path.insert(0, {here!r})
import fake_algo
fake_algo.register()
from arcade_core.tools.cli import main
sys.exit(main(sys.argv[1:]))
"""


# ---------------------------------------------------------------- on a local Ray


@pytest.fixture(scope="class")
def local_ray() -> Iterator[None]:
    """One local Ray (2 CPUs) for the class; afterwards, no Ray process of ours is left."""
    import logging

    import ray

    os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
    logging.getLogger("ray._private.authentication.authentication_token_setup").setLevel(
        logging.ERROR
    )
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, logging_level=logging.ERROR)
    try:
        yield
    finally:
        ray.shutdown()
        left = _wait_no_ray(lambda: [p for p in _descendants(os.getpid()) if _ray_like(p[1])])
        assert not left, f"Ray processes left behind: {left}"


# the tests run JAX in the process that also starts Ray's processes and the drivers
FORK_WARNING = "ignore:os.fork:RuntimeWarning"


@pytest.mark.usefixtures("local_ray")
@pytest.mark.filterwarnings(FORK_WARNING)
class TestOnLocalRay:
    def test_failures_are_recorded_the_rest_finish_and_a_rerun_skips_them(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        out = tmp_path / "sweep"
        args = ["sweep", "--algo", "fake", "boom", "--env", "CartPoleEasy", "--set",
                "noise=0.05,nan", "--eval-episodes", "2", "--out", str(out)]  # fmt: skip
        assert main(args) == 1  # some trial failed
        log = capsys.readouterr().out
        rows = {r["trial"]: r for r in _read_csv(out / results.RESULTS_NAME)}
        assert list(rows) == [
            "fake_none_CartPoleEasy_mdp_noise-0.05",
            "fake_none_CartPoleEasy_mdp_noise-nan",
            "boom_none_CartPoleEasy_mdp_noise-0.05",
            "boom_none_CartPoleEasy_mdp_noise-nan",
        ]
        ok = rows["fake_none_CartPoleEasy_mdp_noise-0.05"]
        assert ok["status"] == "ok" and ok["error"] == "" and ok["frames"] == "160"
        assert math.isfinite(float(ok["return"]))
        assert ok["eval_episodes"] == "2" and ok["version"] and len(ok["config_hash"]) == 12
        assert ok["run_dir"] == "trials/fake_none_CartPoleEasy_mdp_noise-0.05"
        nan = rows["fake_none_CartPoleEasy_mdp_noise-nan"]
        assert nan["status"] == "failed" and "non-finite" in nan["error"] and nan["return"] == ""
        for name in (
            "boom_none_CartPoleEasy_mdp_noise-0.05",
            "boom_none_CartPoleEasy_mdp_noise-nan",
        ):
            assert rows[name]["status"] == "failed"
            assert rows[name]["error"] == "RuntimeError: boom: this trial fails on purpose"
        for k in range(1, 5):
            assert f"[{k}/4] " in log
        assert "FAILED  boom_none_CartPoleEasy_mdp_noise-0.05" in log and "elapsed" in log
        assert "4 trial(s): 1 ok, 3 failed, 0 skipped" in log

        # the trial is an ordinary run directory: `arcade eval` works on it
        trial = out / ok["run_dir"]
        for name in ("config.toml", "metrics.csv", "checkpoints", "result.json", "train.log"):
            assert (trial / name).exists(), name
        assert main(["eval", str(trial), "--episodes", "2"]) == 0
        assert "mean return" in capsys.readouterr().out
        sweep_toml = tomllib.loads((out / results.SWEEP_NAME).read_text())
        assert sweep_toml["algo"] == ["fake", "boom"] and len(sweep_toml["trial"]) == 4

        # the same command again: everything skipped, fast, nothing rewritten
        before = (out / results.RESULTS_NAME).read_text()
        t0 = time.perf_counter()
        assert main(args) == 0
        assert time.perf_counter() - t0 < 1.0
        log = capsys.readouterr().out
        assert log.count("skipped") >= 4 and "running" not in log
        assert (out / results.RESULTS_NAME).read_text() == before

        # the same trial names with another config: refused, nothing runs
        changed = [*args, "--set", "lr=0.1"]
        assert main(changed) == 2
        err = capsys.readouterr().err
        assert "trial fake_none_CartPoleEasy_mdp_noise-0.05" in err and "another config" in err

    def test_a_worker_killed_mid_trial_is_retried_and_resumes_exactly(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        marker = tmp_path / "killed"
        monkeypatch.setenv(runner.KILL_ENV, str(marker))
        spec, trials = _spec("delay_ms=40", "seeds=2")
        (trial,) = trials
        lines: list[str] = []
        summary = runner.run_sweep(
            spec, trials, tmp_path / "sweep", runner.Settings(eval_episodes=2), log=lines.append
        )
        assert marker.exists(), "the worker was never killed"
        assert (summary.ok, summary.failed) == (1, 0), lines
        trial_dir = tmp_path / "sweep" / results.TRIALS_DIR / trial.name
        assert "resuming" in (trial_dir / runner.LOG_NAME).read_text()

        reference = run.train(trial.config, tmp_path / "ref", progress=False, verbose=False)
        resumed = run.restore(trial_dir)
        assert resumed.updates == reference.updates
        for s in range(2):
            np.testing.assert_array_equal(resumed.params(s)["w"], reference.params(s)["w"])
        keys = ("update", "frames", "seed", "return", "loss", "episodes")
        got = [{k: r[k] for k in keys} for r in read_metrics(trial_dir)]
        want = [{k: r[k] for k in keys} for r in read_metrics(tmp_path / "ref")]
        assert got == want
        rows = _read_csv(tmp_path / "sweep" / results.RESULTS_NAME)
        assert [r["seed"] for r in rows] == ["0", "1"] and {r["status"] for r in rows} == {"ok"}

    def test_a_killed_driver_started_again_ends_with_an_uninterrupted_sweeps_results(
        self, tmp_path: Path
    ) -> None:
        """The reference sweep runs on the class's Ray; each driver starts its own (one CPU)."""
        overrides = ["noise=0.05,0.1", "delay_ms=60"]
        spec, trials = _spec(*overrides)
        assert len(trials) == 2
        reference = tmp_path / "reference"
        summary = runner.run_sweep(
            spec, trials, reference, runner.Settings(eval_episodes=2, max_concurrent=2), log=print
        )
        assert summary.ok == 2

        script = tmp_path / "driver.py"
        script.write_text(DRIVER.format(here=str(HERE)))
        out = tmp_path / "sweep"
        cmd = [sys.executable, str(script), "sweep", *FAKE, "--set", *overrides,
               "--max-concurrent", "1", "--out", str(out)]  # fmt: skip
        trials_dir = out / results.TRIALS_DIR

        def state() -> tuple[int, int]:
            done = started = 0
            for d in trials_dir.glob("*") if trials_dir.is_dir() else []:
                if (d / results.RESULT_NAME).exists():
                    done += 1
                elif (d / "checkpoints").is_dir() and any(
                    p.name.isdigit() for p in (d / "checkpoints").iterdir()
                ):
                    started += 1
            return done, started

        log = tmp_path / "driver.log"
        driver = subprocess.Popen(
            cmd,
            cwd=tmp_path,
            stdout=log.open("w"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            deadline = time.monotonic() + 120
            while time.monotonic() < deadline and driver.poll() is None:
                done, started = state()
                if done >= 1 and started >= 1:
                    break
                time.sleep(0.05)
            assert driver.poll() is None, log.read_text()
            driver.kill()  # SIGKILL: no cleanup of any kind
            driver.wait()
        finally:
            if driver.poll() is None:
                driver.kill()
                driver.wait()
            _kill_session(driver.pid)
        done, started = state()
        assert done == 1, (done, started)

        again = subprocess.Popen(
            cmd,
            cwd=tmp_path,
            stdout=log.open("w"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            assert again.wait(timeout=300) == 0, log.read_text()
        finally:
            if again.poll() is None:
                again.kill()
                again.wait()
            left = _wait_no_ray(lambda: _in_session(again.pid), 15.0)
            _kill_session(again.pid)
        assert not left, f"the driver left Ray processes behind: {left}"
        assert "skipped fake_none_CartPoleEasy_mdp_noise-0.05" in log.read_text()
        assert "2 trial(s): 1 ok, 0 failed, 1 skipped" in log.read_text()
        assert _stable(_read_csv(out / results.RESULTS_NAME)) == _stable(
            _read_csv(reference / results.RESULTS_NAME)
        )
        resumed = [
            d for d in trials_dir.iterdir() if "resuming" in (d / runner.LOG_NAME).read_text()
        ]
        assert resumed, "no trial resumed from a checkpoint"


# ---------------------------------------------------------------- real training


@pytest.mark.slow
@pytest.mark.filterwarnings(FORK_WARNING)
def test_smoke_preset_trains_a_real_pqn_trial_that_arcade_eval_reads(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "smoke"
    args = ["sweep", "--preset", "smoke", "--env", "CartPoleEasy", "--memory", "GRU",
            "--partial", "--eval-episodes", "4", "--max-concurrent", "1", "--out", str(out)]  # fmt: skip
    assert main(args) == 0
    (row,) = _read_csv(out / results.RESULTS_NAME)
    assert row["trial"] == "pqn_GRU_CartPoleEasy_pomdp" and row["status"] == "ok"
    assert row["frames"] == "2048" and row["memory"] == "GRU" and row["view"] == "pomdp"
    capsys.readouterr()
    assert main(["eval", str(out / row["run_dir"]), "--episodes", "4"]) == 0
    assert "mean return" in capsys.readouterr().out


def test_sigterm_stops_a_sweep_as_ctrl_c_does() -> None:
    """A sweep started with `nohup ... &` ignores SIGINT: `kill PID` must reach the same
    stop (KeyboardInterrupt: running trials checkpoint), not Ray's own exit on SIGTERM."""
    old = signal.getsignal(signal.SIGTERM)
    try:
        runner._stop_on_sigterm()
        with pytest.raises(KeyboardInterrupt):
            os.kill(os.getpid(), signal.SIGTERM)
            time.sleep(5)  # the handler runs at the next bytecode; never reached
    finally:
        signal.signal(signal.SIGTERM, old)
