"""`arcade report`: a synthetic sweep (results.csv and tiny metrics.csv files written here,
nothing trained) read back as the report's numbers (means and CIs over seeds; gap and bias
exactly `introspect.tables.gap_and_bias`'s, aggregated over envs per seed), `--compare`
renaming, failed trials listed, figures written, the command end to end and its one-line
errors on bad input."""

from __future__ import annotations

import csv
import math
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from arcade_agents.introspect import tables
from arcade_agents.sweep import report
from arcade_agents.sweep.results import write_results
from arcade_agents.train.evaluate import ci95
from arcade_core.tools.cli import main

ENVS = ("CartPoleEasy", "CountRecallEasy", "NavigatorEasy")
SEEDS = 3


def true_return(env: str, memory: str, partial: bool, seed: int, shift: float = 0.0) -> float:
    """A made-up return: the MLP loses more on the POMDP than the GRU; envs and seeds vary."""
    i = ENVS.index(env) if env in ENVS else len(env)
    mem = {"none": 0.0, "GRU": 0.05, "LRU": -0.05}.get(memory, 0.1)
    cost = (0.4 if memory == "none" else 0.1) if partial else 0.0
    return round(0.3 + 0.2 * (i % 3) + mem - cost + 0.03 * seed * (1 + i % 2) + shift, 6)


def sweep_rows(
    memories: tuple[str, ...] = ("none", "GRU", "LRU"),
    envs: tuple[str, ...] = ENVS,
    shift: float = 0.0,
    commit: str = "abc1234def5678",
) -> list[dict[str, Any]]:
    rows = []
    for env in envs:
        for partial in (False, True):
            for memory in memories:
                trial = f"{env}-{'pomdp' if partial else 'mdp'}-{memory}-pqn"
                for seed in range(SEEDS):
                    ret = true_return(env, memory, partial, seed, shift)
                    rows.append(
                        {
                            "trial": trial, "run_dir": f"runs/{trial}", "env": env,
                            "partial": partial, "view": "pomdp" if partial else "mdp",
                            "memory": memory, "algo": "pqn", "seed": seed, "base_seed": 0,
                            "frames": 4096, "return": ret, "return_ci95": 0.01,
                            "eval_episodes": 8, "train_return": ret - 0.1, "wall_s": 1.0,
                            "compile_s": 0.5, "fps": 1000.0, "status": "ok", "error": "",
                            "version": "0.1.0", "commit": commit, "config_hash": "c0ffee",
                        }
                    )  # fmt: skip
    return rows


def write_sweep(
    root: Path, rows: list[dict[str, Any]], curves: bool = True, skip: tuple[str, ...] = ()
) -> Path:
    """`root/results.csv` and, per trial, `root/<run_dir>/metrics.csv` (4 chunks a seed)."""
    write_results(root / "results.csv", rows)
    if curves:
        for run_dir in dict.fromkeys(r["run_dir"] for r in rows if r["status"] == "ok"):
            if run_dir in skip:
                continue
            d = root / run_dir
            d.mkdir(parents=True, exist_ok=True)
            with open(d / "metrics.csv", "w", newline="") as f:
                w = csv.writer(f)
                w.writerow(["update", "frames", "seed", "wall_s", "fps", "return", "episodes"])
                for k in range(1, 5):
                    for s in range(SEEDS):
                        ret = "" if (k == 1 and s == 0) else f"{0.1 * k + 0.01 * s:.6g}"
                        w.writerow([k, 1024 * k, s, k, 1000, ret, 4])
    return root


@pytest.fixture(scope="module")
def sweep_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("sweep")
    rows = sweep_rows()
    failed = dict(rows[0], trial="broken", run_dir="runs/broken", memory="FFM", status="failed",
                  error="XlaRuntimeError: out of memory | while compiling", **{"return": math.nan})  # fmt: skip
    return write_sweep(
        root, [*rows, failed, dict(failed, seed=1)], skip=("runs/NavigatorEasy-mdp-GRU-pqn",)
    )


@pytest.fixture(scope="module")
def built(sweep_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """The command run once end to end, with a --compare table: (out dir, report.md text)."""
    other = tmp_path_factory.mktemp("compare") / "mine"
    write_sweep(other, sweep_rows(("MLP", "GRU", "MyNet"), envs=ENVS[:2], shift=0.05))
    out = sweep_dir / "out"
    argv = ["report", str(sweep_dir), "--out", str(out), "--compare", str(other / "results.csv")]
    assert main(argv) == 0
    return out, (out / "report.md").read_text()


def stat_rows(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The rows `tables` reads, built independently of the report."""
    return [
        {k: r[k] for k in ("env", "memory", "algo", "seed", "partial", "return")}
        for r in rows
        if r["status"] == "ok"
    ]


# ------------------------------------------------------------------------------- numbers


def test_returns_are_mean_and_ci_over_seeds(sweep_dir: Path) -> None:
    nums = report.numbers(report.load(sweep_dir))
    by = {(s.measure, s.env, s.memory): s for s in nums.returns}
    assert len(nums.returns) == len(ENVS) * 2 * 3  # env x view x model; the failed FFM absent
    for env in ENVS:
        for memory, shown in (("none", "MLP"), ("GRU", "GRU")):
            for partial, view in ((False, "mdp"), (True, "pomdp")):
                want = np.array([true_return(env, memory, partial, s) for s in range(SEEDS)])
                s = by[(view, env, shown)]
                assert s.mean == pytest.approx(want.mean())
                assert s.ci95 == pytest.approx(ci95(want))
                assert sorted(s.seeds) == ["0", "1", "2"]


def test_gap_and_bias_are_tables_gap_and_bias(sweep_dir: Path) -> None:
    sweep = report.load(sweep_dir)
    nums = report.numbers(sweep)
    rows = stat_rows(sweep_rows())
    want = tables.gap_and_bias(rows)
    got = {(s.measure, s.env, s.memory): s for s in nums.gap_bias}
    assert len(got) == len(want) == len(ENVS) * 3 + len(ENVS) * 2
    for w in want:
        g = got[(w.measure, w.env, "MLP" if w.memory == "none" else w.memory)]
        np.testing.assert_allclose(g.values, w.values)
        assert (g.mean, g.n) == (pytest.approx(w.mean), w.n)
        assert g.ci95 == pytest.approx(w.ci95)
        assert g.baseline == ("MLP" if w.measure == "bias" else "")


def test_aggregate_averages_each_seed_over_envs_then_ci_over_seeds(sweep_dir: Path) -> None:
    nums = report.numbers(report.load(sweep_dir))
    agg = {(s.measure, s.memory): s for s in nums.aggregate}
    per_env = [s for s in tables.gap_and_bias(stat_rows(sweep_rows())) if s.measure == "gap"]
    gru = np.mean([s.values for s in per_env if s.memory == "GRU"], axis=0)  # [seeds]
    s = agg[("gap", "GRU")]
    np.testing.assert_allclose(s.values, gru)
    assert s.ci95 == pytest.approx(ci95(gru)) and s.envs == ENVS and s.env == "all"
    assert agg[("gap", "MLP")].mean == pytest.approx(0.4) and agg[("bias", "GRU")].mean > 0
    assert ("bias", "MLP") not in agg
    pomdp = np.mean([[true_return(e, "LRU", True, k) for k in range(SEEDS)] for e in ENVS], 0)
    np.testing.assert_allclose(agg[("pomdp", "LRU")].values, pomdp)


def test_config_seeds_prefix_the_seed_only_when_a_cell_needs_them(tmp_path: Path) -> None:
    rows = sweep_rows(("none",), envs=ENVS[:1])
    again = [dict(r, base_seed=7, trial=r["trial"] + "-7") for r in rows]
    sweep = report.load(write_sweep(tmp_path, rows + again, curves=False))
    assert {r["seed_label"] for r in sweep.rows} == {f"{b}-{s}" for b in (0, 7) for s in range(3)}
    (gap,) = report.numbers(sweep).gap_bias
    assert gap.n == 6 and sweep.config_seeds  # two trials of three seeds, not averaged into three
    assert report.load(write_sweep(tmp_path, rows, curves=False)).rows[0]["seed_label"] == "0"


# ------------------------------------------------------------------------------- compare


def test_compare_renames_clashing_models_with_the_files_label(tmp_path: Path) -> None:
    base = write_sweep(tmp_path / "base", sweep_rows(("none", "GRU")), curves=False)
    mine = tmp_path / "mine.csv"
    write_results(mine, sweep_rows(("MLP", "GRU", "MyNet"), envs=ENVS[:1], shift=0.05))
    theirs = write_sweep(tmp_path / "theirs", sweep_rows(("GRU",), envs=ENVS[2:]), curves=False)
    sweep = report.load(base, [mine, theirs])
    models = {(r["source"], r["memory"]): r["model"] for r in sweep.rows}
    assert models == {
        ("", "none"): "MLP", ("", "GRU"): "GRU",
        ("mine", "MLP"): "MLP (mine)", ("mine", "GRU"): "GRU (mine)", ("mine", "MyNet"): "MyNet",
        ("theirs", "GRU"): "GRU (theirs)",  # a sweep's results.csv: labelled by its folder
    }  # fmt: skip
    assert report.order(sweep)[2] == ["MLP", "GRU", "MLP (mine)", "GRU (mine)", "MyNet",
                                      "GRU (theirs)"]  # fmt: skip
    nums = report.numbers(sweep)
    bias = {(s.env, s.memory): s for s in nums.gap_bias if s.measure == "bias"}
    # a compared model's bias is against the baselines' MLP, rows of both kept
    mlp = [true_return(ENVS[0], "none", False, k) for k in range(SEEDS)]
    mine_gru = [true_return(ENVS[0], "GRU", False, k, 0.05) for k in range(SEEDS)]
    np.testing.assert_allclose(bias[(ENVS[0], "GRU (mine)")].values, np.subtract(mine_gru, mlp))
    assert bias[(ENVS[0], "GRU")].mean == pytest.approx(0.05)
    assert (ENVS[1], "MyNet") not in bias  # mine has no rows there


def test_report_lists_compare_files_and_renames(built: tuple[Path, str]) -> None:
    _, md = built
    assert "GRU (mine)" in md and "MyNet" in md and "| MLP (mine)" in md
    assert "Renamed here: GRU of mine -> GRU (mine), MLP of mine -> MLP (mine)." in md
    assert "(mine, 36 rows)" in md


# ------------------------------------------------------------------------------- the report


def test_report_sections_and_numbers(built: tuple[Path, str]) -> None:
    _, md = built
    for section in ("## Memory models over all envs", "## Returns per env", "### MDP",
                    "### POMDP", "## Observability gap and memory bias per env",
                    "## Learning curves", "## Failed trials", "## How to read this report"):  # fmt: skip
        assert section in md
    assert "92 rows from 31 trials (30 ok, 1 failed)" in md
    assert "3 envs, 7 memory models (MLP, GRU, LRU, FFM, MLP (mine), GRU (mine), MyNet)" in md
    assert "1 algorithm (pqn), 3 seed(s) per trial and 4,096 frames per seed" in md
    assert "Version(s): 0.1.0; commit(s): abc1234def56." in md
    want = np.array([true_return("CountRecallEasy", "GRU", True, s) for s in range(SEEDS)])
    line = next(x for x in md.splitlines() if x.startswith("| CountRecallEasy") and "**" in x)
    assert f"{want.mean():.3f} ± {ci95(want):.3f}" in md
    assert line.count("|") == 9  # env + 7 models (FFM only failed: its cells are empty)
    assert "Warnings" not in md


def test_failed_trials_are_listed_once_with_their_error(built: tuple[Path, str]) -> None:
    _, md = built
    assert "1 trial failed:" in md
    (line,) = [x for x in md.splitlines() if x.startswith("| broken")]
    assert "FFM" in line and "XlaRuntimeError: out of memory \\| while compiling" in line


def test_figures_and_csvs_are_written(built: tuple[Path, str]) -> None:
    out, md = built
    for name in report.FIGURES:
        assert (out / name).stat().st_size > 1000, name
        assert f"]({name})" in md
    for name in ("returns.csv", "gap_bias.csv", "aggregate.csv"):
        with open(out / name) as f:
            assert len(list(csv.DictReader(f))) > 0
    assert "No `metrics.csv` for 1 run directory, left out: `runs/NavigatorEasy-mdp-GRU-pqn`" in md


def test_learning_curves_average_seeds_and_skip_missing_runs(sweep_dir: Path) -> None:
    curves, missing = report.learning_curves(report.load(sweep_dir))
    assert missing == ["runs/NavigatorEasy-mdp-GRU-pqn"]
    assert ("NavigatorEasy", "pqn", "GRU", False) not in curves
    frames, ret = curves[("CartPoleEasy", "pqn", "MLP", True)]
    assert frames == [1024, 2048, 3072, 4096]
    assert ret[0] == pytest.approx((0.11 + 0.12) / 2)  # seed 0 has no finished episode there
    assert ret[3] == pytest.approx(0.41)


def test_warnings_for_mixed_commits_and_config_hashes(tmp_path: Path) -> None:
    rows = sweep_rows(("none",), envs=ENVS[:1])
    rows[1] = dict(rows[1], commit="fff0000", config_hash="beef")
    sweep = report.load(write_sweep(tmp_path, rows, curves=False))
    _, warnings = report.header(sweep)
    trial = rows[1]["trial"]
    assert f"trial `{trial}` has rows of 2 commits: abc1234def5678, fff0000" in warnings
    assert f"trial `{trial}` has rows of 2 config hashes: beef, c0ffee" in warnings
    assert any("mixes 2 commits" in w for w in warnings)


def test_train_return_metric_and_no_matplotlib(
    sweep_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # `import matplotlib` fails
    rep = report.write_report(sweep_dir, tmp_path, metric="train_return")
    md = rep.markdown.read_text()
    assert "Figures were not drawn: matplotlib is not installed" in md
    assert not list(tmp_path.glob("*.png")) and rep.figures == {}
    assert "Returns are the `train_return` column" in md
    mdp = {(s.env, s.memory): s for s in rep.numbers.returns if s.measure == "mdp"}
    want = [true_return(ENVS[0], "GRU", False, k) - 0.1 for k in range(SEEDS)]
    assert mdp[(ENVS[0], "GRU")].mean == pytest.approx(np.mean(want))


# ------------------------------------------------------------------------------- errors


def one_line_error(capsys: pytest.CaptureFixture[str], argv: list[str], needle: str) -> None:
    assert main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("arcade: error:") and "\n" not in err and needle in err, err


def test_bad_input_is_a_one_line_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = ["--out", str(tmp_path / "o")]
    one_line_error(capsys, ["report", str(tmp_path / "nope"), *out], "no sweep directory")
    one_line_error(capsys, ["report", str(tmp_path), *out], "no results table")
    (tmp_path / "x.csv").write_text("env,memory,seed,return\nE,GRU,0,1\n")
    one_line_error(capsys, ["report", str(tmp_path / "x.csv"), *out], "not a results table")
    write_results(tmp_path / "results.csv", [])
    one_line_error(capsys, ["report", str(tmp_path), *out], "has no rows")
    good = write_sweep(tmp_path / "good", sweep_rows(("none",), envs=ENVS[:1]), curves=False)
    one_line_error(capsys, ["report", str(good), "--compare", str(tmp_path / "x.csv"), *out],
                   "not a results table")  # fmt: skip
    (tmp_path / "bin.csv").write_bytes(b"\xff\xfe\x00garbage")
    one_line_error(capsys, ["report", str(tmp_path / "bin.csv"), *out], "bin.csv")
    assert not (tmp_path / "o").exists()


def test_errors_come_before_plotting_and_the_parser_imports_nothing_heavy(tmp_path: Path) -> None:
    code = (
        "import sys; from arcade_core.tools.cli import build_parser, main; build_parser(); "
        "heavy = [m for m in ('jax', 'numpy', 'matplotlib') if m in sys.modules]; "
        f"rc = main(['report', {str(tmp_path / 'nope')!r}]); "
        "print(heavy, rc, 'matplotlib' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[] 2 False", out.stdout + out.stderr
    assert out.stderr.strip().startswith("arcade: error: no sweep directory")
