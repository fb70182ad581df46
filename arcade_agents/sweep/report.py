"""`arcade report DIR --out REPORT_DIR`: a sweep's results table as a Markdown report.

    arcade report sweeps/bench --out sweeps/bench/report
    arcade report sweeps/bench --compare mine/results.csv --metric train_return

`REPORT_DIR/report.md` holds, from `DIR/results.csv` (see `results.py`):

* a header: rows, trials (ok and failed), envs, memory models, algorithms, seeds, frames, the
  versions and commits seen, and warnings (one trial with several commits or config hashes,
  several trials averaged into one cell);
* the POMDP return, observability gap and memory bias of each memory model aggregated over
  envs (each seed averaged over the envs, then the 95% CI over seeds, as the POPGym Arcade
  paper plots them) and the same per env; the MDP and POMDP returns per env and model
  (mean ± 95% CI over seeds);
* a grid of learning curves (the training return of each trial's `metrics.csv` against frames,
  mean over seeds, one line per model and view);
* the failed trials with their errors.

Figures (`aggregate.png`, `returns.png`, `gap_bias_envs.png`, `curves.png`) need matplotlib;
without it the report is written without them and says so. The numbers are also written as
CSV (`returns.csv`, `gap_bias.csv`, `aggregate.csv`). Gap, bias and their aggregates come
from `arcade_agents.introspect.tables` (the same arithmetic as `arcade introspect gap`).

The memory-less baseline (`none` or `MLP`, any case) is shown as "MLP". `--compare` tables
(another sweep, e.g. of one's own model) are merged beside the baselines; a memory model of
such a table that also appears in an earlier table for some same env, view and algorithm is
renamed `MODEL (LABEL)` in every row of that table, LABEL being the file's stem (or, for a
sweep's own `results.csv`, its folder's name), so both stay in the report.

Building the parser imports neither JAX, NumPy nor matplotlib.
"""

from __future__ import annotations

import argparse
import csv
import dataclasses
import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from .results import RESULTS_NAME, read_results

BASELINE = "MLP"
METRICS = ("return", "train_return")
VIEWS = (("mdp", "MDP"), ("pomdp", "POMDP"))
FIGURES = ("aggregate.png", "returns.png", "gap_bias_envs.png", "curves.png")

Row = dict[str, Any]


class ReportError(ValueError):
    """A problem with the input the user can fix: one line."""


# ------------------------------------------------------------------------------- reading


def display_memory(memory: str) -> str:
    """The name a memory model is shown by: the memory-less baseline (`none`, `MLP`, any
    case) is "MLP", every other name is kept."""
    from arcade_agents.introspect.tables import BASELINES

    return BASELINE if str(memory).strip().lower() in BASELINES else str(memory)


def load_table(path: str | Path) -> tuple[Path, list[Row]]:
    """The results table at `path` (a sweep directory or a `results.csv`) and its typed rows;
    a one-line `ReportError` if it is missing, not a results table, or empty."""
    p = Path(path)
    if not p.exists():
        raise ReportError(f"no sweep directory or results table at {str(p)!r}")
    file = p / RESULTS_NAME if p.is_dir() else p
    try:
        rows = read_results(file)
    except (ValueError, csv.Error, UnicodeDecodeError) as exc:
        msg = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        raise ReportError(msg if file.name in msg else f"{file}: {msg}") from None
    except OSError as exc:
        raise ReportError(f"cannot read {file}: {exc.strerror or exc}") from None
    if not rows:
        raise ReportError(f"{file} has no rows: no trial has finished yet")
    return file, rows


def _label(file: Path, taken: set[str]) -> str:
    stem = file.parent.resolve().name if file.name == RESULTS_NAME else file.stem
    label, k = stem or "compare", 2
    while label in taken:
        label, k = f"{stem} {k}", k + 1
    return label


def _ok(row: Row) -> bool:
    return str(row.get("status") or "ok").strip().lower() == "ok"


def _trial(row: Row) -> str:
    """A trial's name: its `trial` cell, or its configuration when a table has none."""
    if row.get("trial"):
        return str(row["trial"])
    view = "pomdp" if row["partial"] else "mdp"
    return f"{row['env']}-{view}-{row['memory']}-{row['algo']}-{row.get('base_seed', '')}"


@dataclasses.dataclass
class Sweep:
    """The rows of the baselines' table and of any `--compare` tables, merged. Each row gains
    `model` (its shown memory name), `source` (the table's label; "" for the baselines) and
    `base` (the folder its `run_dir` is relative to)."""

    rows: list[Row]
    files: list[tuple[str, Path, int]]  # (label, results file, rows)
    renamed: dict[tuple[str, str], str]  # (label, model) -> its new name
    metric: str = "return"
    config_seeds: bool = False  # seeds labelled "{base_seed}-{seed}" (else by index alone)

    @property
    def ok(self) -> list[Row]:
        return [r for r in self.rows if _ok(r)]

    @property
    def failed(self) -> list[Row]:
        return [r for r in self.rows if not _ok(r)]

    def stat_rows(self) -> list[Row]:
        """The rows `introspect.tables` reads (env, memory, algo, seed, partial, return) of
        every ok row with a finite `metric`, memory being the shown model name."""
        return [
            {
                "env": r["env"],
                "memory": r["model"],
                "algo": r["algo"],
                "seed": r["seed_label"],
                "partial": r["partial"],
                "return": r[self.metric],
            }
            for r in self.ok
            if _finite(r.get(self.metric))
        ]


def _finite(x: Any) -> bool:
    return isinstance(x, int | float) and math.isfinite(x)


def merge(tables: Sequence[tuple[Path, list[Row]]], metric: str = "return") -> Sweep:
    """Merge results tables, the first being the baselines (see the module docstring for the
    renaming rule). Seeds are labelled by their index within the trial, prefixed with the
    config's seed when some cell holds trials of several config seeds."""
    if metric not in METRICS:
        raise ReportError(f"--metric must be one of {', '.join(METRICS)}; got {metric!r}")
    rows: list[Row] = []
    files: list[tuple[str, Path, int]] = []
    renamed: dict[tuple[str, str], str] = {}
    seen: set[tuple[str, bool, str, str]] = set()
    labels: set[str] = {""}
    for i, (file, table) in enumerate(tables):
        label = "" if i == 0 else _label(file, labels)
        labels.add(label)
        names = {r["memory"]: display_memory(r["memory"]) for r in table}
        clash = {
            names[r["memory"]]
            for r in table
            if (r["env"], r["partial"], names[r["memory"]], r["algo"]) in seen
        }
        for model in sorted(clash):
            renamed[(label, model)] = f"{model} ({label})"
        base = file.parent
        for r in table:
            model = names[r["memory"]]
            rows.append({**r, "model": renamed.get((label, model), model), "source": label,
                         "base": base})  # fmt: skip
        seen.update((r["env"], r["partial"], r["model"], r["algo"]) for r in rows)
        files.append((label, file, len(table)))
    base_seeds: dict[tuple[Any, ...], set[Any]] = defaultdict(set)
    for r in rows:
        base_seeds[(r["env"], r["partial"], r["model"], r["algo"])].add(r.get("base_seed"))
    prefixed = any(len(s) > 1 for s in base_seeds.values())
    for r in rows:
        seed = r.get("seed")
        r["seed_label"] = f"{r.get('base_seed')}-{seed}" if prefixed else str(seed)
    return Sweep(rows, files, renamed, metric, prefixed)


def load(
    sweep_dir: str | Path, compare: Sequence[str | Path] = (), metric: str = "return"
) -> Sweep:
    """The baselines' table at `sweep_dir` merged with the `compare` tables."""
    return merge([load_table(p) for p in [sweep_dir, *compare]], metric)


# ------------------------------------------------------------------------------- numbers


@dataclasses.dataclass
class Numbers:
    """What the report shows, each a list of `introspect.tables.Stat`: `returns` per env and
    view (measures `mdp`, `pomdp`), `gap_bias` per env (`tables.gap_and_bias`), and
    `aggregate` of both over envs (`tables.aggregate`)."""

    returns: list[Any]
    gap_bias: list[Any]
    aggregate: list[Any]


def numbers(sweep: Sweep) -> Numbers:
    """Per-env returns, gap and bias, and their aggregates over envs, of a sweep."""
    from arcade_agents.introspect import tables

    rows = sweep.stat_rows()
    returns = tables.returns_by_view(rows)
    gap_bias = tables.gap_and_bias(rows)
    return Numbers(returns, gap_bias, tables.aggregate(returns + gap_bias))


def order(sweep: Sweep) -> tuple[list[str], list[str], list[str]]:
    """Envs and algorithms in the order the tables list them, and models with the baseline
    first (then in order of appearance)."""
    envs = list(dict.fromkeys(r["env"] for r in sweep.rows))
    algos = list(dict.fromkeys(r["algo"] for r in sweep.rows))
    models = list(dict.fromkeys(r["model"] for r in sweep.rows))
    models.sort(key=lambda m: m != BASELINE)
    return envs, algos, models


def learning_curves(
    sweep: Sweep,
) -> tuple[dict[tuple[str, str, str, bool], tuple[list[float], list[float]]], list[str]]:
    """Per (env, algo, model, partial): frames and the training return at each, averaged over
    seeds (and over trials, if several), from every ok trial's `metrics.csv`; and the run
    directories without one (left out)."""
    from arcade_agents.train.logging import CSV_NAME, read_metrics

    acc: dict[tuple[str, str, str, bool], dict[float, list[float]]] = defaultdict(
        lambda: defaultdict(list)
    )
    missing: list[str] = []
    done: set[Path] = set()
    for r in sweep.ok:
        if not r.get("run_dir"):
            continue
        run = Path(r["base"]) / str(r["run_dir"])
        if run in done:
            continue
        done.add(run)
        try:
            metrics = read_metrics(run / CSV_NAME)
        except (OSError, ValueError, csv.Error):
            missing.append(str(r["run_dir"]))
            continue
        by_frames = acc[(r["env"], r["algo"], r["model"], r["partial"])]
        for m in metrics:
            if _finite(m.get("frames")) and _finite(m.get("return")):
                by_frames[m["frames"]].append(m["return"])
    curves = {
        key: (sorted(v), [sum(v[f]) / len(v[f]) for f in sorted(v)]) for key, v in acc.items() if v
    }
    return curves, missing


# ------------------------------------------------------------------------------- Markdown


def _num(x: float, signed: bool = False) -> str:
    return "nan" if not math.isfinite(x) else (f"{x:+.3f}" if signed else f"{x:.3f}")


def cell(stat: Any, signed: bool = False, n: int | None = None, bold: bool = False) -> str:
    """`mean ± ci` of a Stat (just the mean for one seed), `(n=k)` when k differs from the
    usual `n`, bold when asked."""
    if stat is None:
        return "—"
    text = _num(stat.mean, signed)
    if math.isfinite(stat.ci95):
        text += f" ± {stat.ci95:.3f}"
    text = f"**{text}**" if bold else text
    if n is not None and stat.n != n:
        text += f" (n={stat.n})"
    return text


def md_table(header: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    """A Markdown table, its columns padded so the text reads as a table too."""
    rows = [[str(c).replace("|", "\\|").replace("\n", " ") for c in r] for r in rows]
    header = [str(h).replace("|", "\\|") for h in header]
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]

    def line(r: Sequence[str]) -> str:
        return "| " + " | ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) + " |"

    return "\n".join([line(header), line(["-" * w for w in widths]), *map(line, rows)])


def _usual_n(stats: Sequence[Any]) -> int | None:
    counts = Counter(s.n for s in stats)
    return counts.most_common(1)[0][0] if counts else None


def _plural(n: int, word: str) -> str:
    return f"{n:,} {word}{'' if n == 1 else 's'}"


def _listing(values: Iterable[Any], most: int = 8) -> str:
    values = [str(v) for v in values]
    if len(values) > most:
        return ", ".join(values[:most]) + f" and {len(values) - most} more"
    return ", ".join(values)


def header(sweep: Sweep) -> tuple[str, list[str]]:
    """The report's opening paragraph and its warnings."""
    envs, algos, models = order(sweep)
    trials: dict[tuple[str, str], list[Row]] = defaultdict(list)
    for r in sweep.rows:
        trials[(r["source"], _trial(r))].append(r)
    failed = {k for k, rs in trials.items() if not all(_ok(r) for r in rs)}
    seeds = Counter(len(rs) for k, rs in trials.items() if k not in failed) or Counter(
        len(rs) for rs in trials.values()
    )
    frames = sorted({int(r["frames"]) for r in sweep.ok if _finite(r.get("frames"))})
    versions = sorted({str(r["version"]) for r in sweep.rows if r.get("version")})
    commits = sorted({str(r["commit"]) for r in sweep.rows if r.get("commit")})
    no_value = sum(1 for r in sweep.ok if not _finite(r.get(sweep.metric)))
    sources = ", ".join(
        f"`{file}`" + (f" ({label}, {_plural(n, 'row')})" if label else f" ({_plural(n, 'row')})")
        for label, file, n in sweep.files
    )
    seed_text = " or ".join(str(k) for k in sorted(seeds))
    frame_text = (
        "no finished trial"
        if not frames
        else f"{frames[0]:,}"
        if len(frames) == 1
        else f"{frames[0]:,} to {frames[-1]:,}"
    )
    parts = [
        f"This report covers {_plural(len(sweep.rows), 'row')} from {_plural(len(trials), 'trial')} "
        f"({len(trials) - len(failed):,} ok, {len(failed):,} failed) read from {sources}: "
        f"{_plural(len(envs), 'env')}, {_plural(len(models), 'memory model')} "
        f"({', '.join(models)}), {_plural(len(algos), 'algorithm')} ({', '.join(algos)}), "
        f"{seed_text} seed(s) per trial and {frame_text} frames per seed.",
        f"Returns are the `{sweep.metric}` column"
        + (
            " (greedy evaluation return)."
            if sweep.metric == "return"
            else " (training return of the last logged chunk)."
        ),
        f"Version(s): {_listing(versions) or 'not recorded'}; "
        f"commit(s): {_listing(c[:12] for c in commits) or 'not recorded'}.",
    ]
    if no_value:
        parts.append(f"{_plural(no_value, 'ok row')} without a value of it are left out.")
    warnings = []
    if len(commits) > 1:
        warnings.append(
            f"the table mixes {len(commits)} commits: {_listing(c[:12] for c in commits)}"
        )
    for (label, trial), rs in trials.items():
        where = f"trial `{trial}`" + (f" ({label})" if label else "")
        for col, what in (("commit", "commits"), ("config_hash", "config hashes")):
            seen = sorted({str(r[col]) for r in rs if r.get(col)})
            if len(seen) > 1:
                warnings.append(f"{where} has rows of {len(seen)} {what}: {', '.join(seen)}")
    cells: dict[tuple[Any, ...], set[tuple[str, str]]] = defaultdict(set)
    for r in sweep.ok:
        key = (r["env"], r["partial"], r["model"], r["algo"], r["seed_label"])
        cells[key].add((r["source"], _trial(r)))
    shared = [k for k, v in cells.items() if len(v) > 1]
    if shared:
        e, p, m, a, s = shared[0]
        warnings.append(
            f"{_plural(len(shared), 'cell')} (env, view, model, algorithm, seed) hold rows of "
            f"several trials, averaged: e.g. {e} {'POMDP' if p else 'MDP'} {m} {a} seed {s}"
        )
    return " ".join(parts), warnings


def _group_label(env: str, algo: str, algos: Sequence[str]) -> str:
    return env if len(algos) == 1 else f"{env} ({algo})"


def markdown(
    sweep: Sweep,
    nums: Numbers,
    *,
    figures: dict[str, Path] | None,
    figure_note: str = "",
    missing_runs: Sequence[str] = (),
    title: str = "",
) -> str:
    """The whole `report.md`. `figures`: name -> written file (None: none were drawn, and
    `figure_note` says why)."""
    envs, algos, models = order(sweep)
    groups = [(e, a) for e in envs for a in algos]
    by_key = {(s.measure, s.env, s.algo, s.memory): s for s in nums.returns + nums.gap_bias}
    agg = {(s.measure, s.algo, s.memory): s for s in nums.aggregate}
    text, warnings = header(sweep)
    out = [f"# {title or 'Sweep report'}", "", text, ""]
    if warnings:
        out += ["**Warnings**", ""] + [f"* {w}" for w in warnings] + [""]
    if figures is None:
        out += [f"*Figures were not drawn: {figure_note}.*", ""]

    def figure(name: str, alt: str) -> list[str]:
        if figures and name in figures:
            return [f"![{alt}]({figures[name].name})", ""]
        return []

    # aggregate over envs
    out += ["## Memory models over all envs", ""]
    out += [
        "Each seed's score averaged over the envs, then the mean ± 95% CI over seeds (as the "
        "POPGym Arcade paper aggregates them). Gap = MDP − POMDP return of the same model "
        "(> 0: the hidden state costs return its memory did not recover); bias = MDP return "
        f"of the model − MDP return of the {BASELINE} (> 0: the model helps even with nothing "
        "hidden, < 0: its inductive bias costs return).",
        "",
    ]
    n_agg = _usual_n(nums.aggregate)
    rows = []
    for a in algos:
        for m in models:
            stats = [agg.get((k, a, m)) for k in ("mdp", "pomdp", "gap", "bias")]
            if not any(stats):
                continue
            envs_n = max((len(s.envs) for s in stats if s), default=0)
            first = [m] if len(algos) == 1 else [m, a]
            rows.append(
                first
                + [cell(stats[0], n=n_agg), cell(stats[1], n=n_agg)]
                + [cell(stats[2], True, n_agg), cell(stats[3], True, n_agg)]
                + [str(envs_n)]
            )
    head = ["model"] + ([] if len(algos) == 1 else ["algo"])
    head += ["MDP return", "POMDP return", "gap", f"bias vs {BASELINE}", "envs"]
    out += [md_table(head, rows) if rows else "No ok rows with a value.", ""]
    if n_agg:
        out += [f"Over {_plural(n_agg, 'seed')} unless marked (n=k).", ""]
    out += figure("aggregate.png", "returns, gap and bias per memory model over all envs")

    # returns per env
    out += [
        "## Returns per env",
        "",
        "Mean ± 95% CI over seeds; the best mean of a row in bold.",
        "",
    ]
    n_ret = _usual_n(nums.returns)
    for measure, view in VIEWS:
        rows = []
        for e, a in groups:
            stats = [by_key.get((measure, e, a, m)) for m in models]
            if not any(stats):
                continue
            best = max((s.mean for s in stats if s and math.isfinite(s.mean)), default=None)
            rows.append(
                [_group_label(e, a, algos)]
                + [cell(s, n=n_ret, bold=s is not None and s.mean == best) for s in stats]
            )
        out += [f"### {view}", ""]
        out += [md_table(["env", *models], rows) if rows else f"No {view} rows.", ""]
    if n_ret:
        out += [f"Over {_plural(n_ret, 'seed')} unless marked (n=k).", ""]
    out += figure("returns.png", "MDP and POMDP return per env and memory model")

    # gap and bias per env
    out += ["## Observability gap and memory bias per env", ""]
    n_gb = _usual_n(nums.gap_bias)
    for measure, name, cols in (
        ("gap", "Observability gap (MDP − POMDP)", models),
        (
            "bias",
            f"Memory bias (model − {BASELINE}, on the MDP)",
            [m for m in models if m != BASELINE],
        ),
    ):
        rows = []
        for e, a in groups:
            stats = [by_key.get((measure, e, a, m)) for m in cols]
            if any(stats):
                rows.append([_group_label(e, a, algos)] + [cell(s, True, n_gb) for s in stats])
        out += [f"### {name}", ""]
        if rows:
            out += [md_table(["env", *cols], rows), ""]
        else:
            why = "MDP and POMDP rows of one seed" if measure == "gap" else f"an {BASELINE} row"
            out += [f"No pairs: the {measure} needs {why}.", ""]
    if n_gb:
        out += [f"Over {_plural(n_gb, 'seed')} (pairs) unless marked (n=k).", ""]
    out += figure("gap_bias_envs.png", "gap and bias per env and memory model")

    # learning curves
    out += ["## Learning curves", ""]
    out += [
        "Training return (finished episodes of each logged chunk) against frames, mean over "
        "seeds; solid MDP, dashed POMDP.",
        "",
    ]
    out += figure("curves.png", "learning curves per env")
    if missing_runs:
        out += [
            f"No `metrics.csv` for {_plural(len(missing_runs), 'run directory')}, left out: "
            + _listing(f"`{d}`" for d in missing_runs),
            "",
        ]

    # failures
    failed: dict[tuple[str, str], Row] = {}
    for r in sweep.failed:
        failed.setdefault((r["source"], _trial(r)), r)
    out += ["## Failed trials", ""]
    if failed:
        out += [f"{_plural(len(failed), 'trial')} failed:", ""]
        rows = [
            [t + (f" ({label})" if label else ""), r["env"], "POMDP" if r["partial"] else "MDP",
             r["model"], r["algo"], str(r.get("error") or "(no error recorded)")]
            for (label, t), r in failed.items()
        ]  # fmt: skip
        out += [md_table(["trial", "env", "view", "model", "algo", "error"], rows), ""]
    else:
        out += ["None.", ""]

    # how to read
    out += ["## How to read this report", ""]
    out += [
        f"* The memory-less baseline (`none` or `MLP` in the table) is shown as {BASELINE}.",
        "* Gap and bias pair runs by env, algorithm, model and seed (the seed's index within "
        "its trial"
        + (
            ", with the config's seed, as some cells hold trials of several"
            if sweep.config_seeds
            else ""
        )
        + "); CIs are 95% Student-t intervals over seeds (none for one seed).",
        "* `--compare` tables are merged beside the baselines; a model of such a table that "
        "also appears in an earlier table for some same env, view and algorithm is renamed "
        "`MODEL (LABEL)`, LABEL being the file's stem (a sweep's `results.csv`: its folder's "
        "name). Its bias is against the baselines' MLP.",
    ]
    if sweep.renamed:
        out += [
            "* Renamed here: "
            + ", ".join(f"{m} of {label} -> {new}" for (label, m), new in sweep.renamed.items())
            + "."
        ]
    out += ["* CSV: `returns.csv`, `gap_bias.csv` (per env) and `aggregate.csv` (over envs)."]
    return "\n".join(out).rstrip() + "\n"


# ------------------------------------------------------------------------------- figures


def _grid(plt: Any, n: int, cols: int = 6, w: float = 2.6, h: float = 2.2) -> tuple[Any, list[Any]]:
    cols = max(1, min(cols, n))
    rows = -(-n // cols)
    fig, axes = plt.subplots(rows, cols, figsize=(w * cols, h * rows + 0.6), squeeze=False,
                             layout="constrained")  # fmt: skip
    flat = list(axes.ravel())
    for ax in flat[n:]:
        ax.axis("off")
    return fig, flat[:n]


def _colours(plt: Any, models: Sequence[str]) -> dict[str, Any]:
    return {m: plt.get_cmap("tab10")(i % 10) for i, m in enumerate(models)}


def returns_figure(sweep: Sweep, nums: Numbers, path: Path) -> Path:
    """Per env a small panel: per model, MDP (solid) and POMDP (hatched) mean return with the
    95% CI as whiskers."""
    from arcade_agents.introspect import figures as fg

    plt = fg.setup(False)
    envs, algos, models = order(sweep)
    by_key = {(s.measure, s.env, s.algo, s.memory): s for s in nums.returns}
    groups = [(e, a) for e in envs for a in algos if any(k[1:3] == (e, a) for k in by_key)]
    colours = _colours(plt, models)
    fig, axes = _grid(plt, max(len(groups), 1))
    for ax, (e, a) in zip(axes, groups, strict=False):
        for i, m in enumerate(models):
            for j, (measure, _) in enumerate(VIEWS):
                s = by_key.get((measure, e, a, m))
                if s is None:
                    continue
                ci = s.ci95 if math.isfinite(s.ci95) else 0.0
                ax.bar(i + (j - 0.5) * 0.4, s.mean, 0.4, yerr=ci, color=colours[m],
                       hatch="///" if j else None, edgecolor="white", capsize=2,
                       error_kw={"lw": 0.8})  # fmt: skip
        ax.set_xticks(range(len(models)), models, rotation=45, ha="right", fontsize=6)
        ax.tick_params(axis="y", labelsize=6)
        ax.set_title(_group_label(e, a, algos), fontsize=8)
    _views_legend(plt, fig)
    fig.suptitle("return per env: mean ± 95% CI over seeds", fontsize=10)
    return fg._save(plt, fig, path)


def _views_legend(plt: Any, fig: Any, lines: bool = False) -> None:
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    if lines:
        handles = [Line2D([], [], color="0.3", ls="-"), Line2D([], [], color="0.3", ls="--")]
    else:
        handles = [Patch(facecolor="0.5"), Patch(facecolor="0.5", hatch="///", edgecolor="white")]
    fig.legend(handles, ["MDP", "POMDP"], loc="outside lower center", ncols=2, fontsize=8)


def gap_bias_env_figure(sweep: Sweep, nums: Numbers, path: Path) -> Path:
    """Two heat maps, env by model: the mean gap and the mean bias, one diverging colour scale
    centred on zero each, the values written in the cells."""
    import numpy as np

    from arcade_agents.introspect import figures as fg

    plt = fg.setup(False)
    envs, algos, models = order(sweep)
    groups = [(e, a) for e in envs for a in algos]
    by_key = {(s.measure, s.env, s.algo, s.memory): s for s in nums.gap_bias}
    groups = [g for g in groups if any(k[1:3] == g for k in by_key)] or groups[:1]
    cols = {"gap": models, "bias": [m for m in models if m != BASELINE] or models}
    fig, axes = plt.subplots(
        1, 2, figsize=(2.5 + 0.75 * (len(cols["gap"]) + len(cols["bias"])), 1.6 + 0.28 * len(groups)),
        layout="constrained",
    )  # fmt: skip
    for ax, measure in zip(axes, ("gap", "bias"), strict=True):
        grid = np.full((len(groups), len(cols[measure])), np.nan)
        for i, (e, a) in enumerate(groups):
            for j, m in enumerate(cols[measure]):
                s = by_key.get((measure, e, a, m))
                grid[i, j] = s.mean if s is not None else np.nan
        top = float(np.nanmax(np.abs(grid))) if np.isfinite(grid).any() else 1.0
        top = top or 1.0
        im = ax.imshow(grid, cmap="coolwarm", vmin=-top, vmax=top, aspect="auto")
        for i in range(grid.shape[0]):
            for j in range(grid.shape[1]):
                if math.isfinite(grid[i, j]):
                    ax.text(j, i, f"{grid[i, j]:+.2f}", ha="center", va="center", fontsize=6)
        ax.set_xticks(range(len(cols[measure])), cols[measure], rotation=45, ha="right", fontsize=7)
        ax.set_yticks(
            range(len(groups)), [_group_label(e, a, algos) for e, a in groups], fontsize=7
        )
        ax.set_title(fg.AGGREGATE_LABELS[measure], fontsize=9)
        fig.colorbar(im, ax=ax, shrink=0.8)
    return fg._save(plt, fig, path)


def curves_figure(
    sweep: Sweep,
    curves: dict[tuple[str, str, str, bool], tuple[list[float], list[float]]],
    path: Path,
) -> Path:
    """Per env a panel of training return against frames: one colour per model, solid MDP,
    dashed POMDP."""
    from arcade_agents.introspect import figures as fg

    plt = fg.setup(False)
    envs, algos, models = order(sweep)
    groups = [(e, a) for e in envs for a in algos if any(k[:2] == (e, a) for k in curves)]
    colours = _colours(plt, models)
    fig, axes = _grid(plt, max(len(groups), 1))
    for ax, (e, a) in zip(axes, groups, strict=False):
        for m in models:
            for partial in (False, True):
                c = curves.get((e, a, m, partial))
                if c:
                    ax.plot(c[0], c[1], "--" if partial else "-", color=colours[m], lw=1.0,
                            label=m)  # fmt: skip
        ax.set_title(_group_label(e, a, algos), fontsize=8)
        ax.tick_params(labelsize=6)
        ax.xaxis.get_offset_text().set_fontsize(6)
    if not groups:
        axes[0].text(0.5, 0.5, "no learning curves", ha="center", transform=axes[0].transAxes)
    from matplotlib.lines import Line2D

    handles = [Line2D([], [], color=colours[m]) for m in models]
    handles += [Line2D([], [], color="0.3", ls="-"), Line2D([], [], color="0.3", ls="--")]
    fig.legend(handles, [*models, "MDP", "POMDP"], loc="outside lower center",
               ncols=min(len(handles), 8), fontsize=8)  # fmt: skip
    fig.suptitle("training return against frames (mean over seeds)", fontsize=10)
    return fg._save(plt, fig, path)


# ------------------------------------------------------------------------------- the report


@dataclasses.dataclass
class Report:
    """What `write_report` wrote."""

    markdown: Path
    figures: dict[str, Path]
    csvs: list[Path]
    figure_note: str
    sweep: Sweep
    numbers: Numbers


def write_report(
    sweep_dir: str | Path,
    out: str | Path,
    *,
    compare: Sequence[str | Path] = (),
    metric: str = "return",
    title: str = "",
) -> Report:
    """Read the tables (one-line `ReportError` on bad input, before any plotting library is
    imported), compute the numbers, draw the figures when matplotlib is there, and write
    `out/report.md` with the CSVs beside it."""
    sweep = load(sweep_dir, compare, metric)
    nums = numbers(sweep)
    curves, missing = learning_curves(sweep)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    csvs = _write_csvs(nums, out)
    figures: dict[str, Path] | None = {}
    note = ""
    from arcade_agents.introspect import figures as fg

    try:
        fg.setup(False)
    except fg.FigureError:
        figures, note = None, "matplotlib is not installed (pip install 'pomdp-arcade[viz]')"
    if figures is not None:
        if nums.aggregate:
            figures["aggregate.png"] = fg.aggregate_figure(
                nums.aggregate, out / "aggregate.png",
                title="memory models over all envs: mean ± 95% CI over seeds",
                memories=order(sweep)[2],
            )  # fmt: skip
        if nums.returns:
            figures["returns.png"] = returns_figure(sweep, nums, out / "returns.png")
        if nums.gap_bias:
            figures["gap_bias_envs.png"] = gap_bias_env_figure(
                sweep, nums, out / "gap_bias_envs.png"
            )
        if curves:
            figures["curves.png"] = curves_figure(sweep, curves, out / "curves.png")
    text = markdown(sweep, nums, figures=figures, figure_note=note, missing_runs=missing,
                    title=title)  # fmt: skip
    md = out / "report.md"
    md.write_text(text)
    return Report(md, figures or {}, csvs, note, sweep, nums)


def _write_csvs(nums: Numbers, out: Path) -> list[Path]:
    from arcade_agents.introspect import tables

    cols = ["measure", "env", "algo", "memory", "baseline", "n", "mean", "ci95", "low", "high"]
    agg_rows = [{**s.as_row(), "envs": len(s.envs)} for s in nums.aggregate]
    return [
        tables.write_csv(out / "returns.csv", [s.as_row() for s in nums.returns], cols),
        tables.write_csv(out / "gap_bias.csv", [s.as_row() for s in nums.gap_bias], cols),
        tables.write_csv(out / "aggregate.csv", agg_rows, [*cols, "envs"]),
    ]


# ------------------------------------------------------------------------------- the command


def add_parsers(sub: Any) -> None:
    """Register `arcade report` on the `arcade` sub-parsers (imports nothing heavy)."""
    p = sub.add_parser(
        "report",
        help="a sweep's results as a Markdown report: returns, gap, bias, curves, failures",
        description="Reads DIR/results.csv (written by a sweep) and writes REPORT_DIR/report.md "
        "with figures: MDP and POMDP return per env and memory model (mean ± 95%% CI over "
        "seeds), observability gap (MDP − POMDP) and memory bias (model − MLP on the MDP) per "
        "env and over all envs, learning curves from each trial's metrics.csv, and the failed "
        "trials. --compare merges other results tables beside these (a model also in an "
        "earlier table, for some same env, view and algorithm, is renamed 'MODEL (STEM)').",
    )
    p.add_argument("sweep_dir", metavar="DIR", help="a sweep directory (or its results.csv)")
    from arcade_core.argtypes import writable_dir

    p.add_argument(
        "--out", type=writable_dir, metavar="REPORT_DIR", help="output folder [DIR/report]"
    )
    p.add_argument(
        "--compare",
        nargs="+",
        default=[],
        metavar="RESULTS",
        help="other results tables (files or sweep directories) shown beside the baselines",
    )
    p.add_argument(
        "--metric",
        choices=METRICS,
        default="return",
        help="return: greedy evaluation return; train_return: training return of the last "
        "logged chunk [return]",
    )
    p.add_argument("--format", choices=("md",), default="md", help="report format [md]")
    p.add_argument("--title", default="", help="the report's title [Sweep report]")
    p.set_defaults(func=cmd_report)


def cmd_report(args: argparse.Namespace) -> int:
    """`arcade report DIR [--out REPORT_DIR] [--compare RESULTS...] [--metric M]`."""
    from arcade_core.errors import CLIError

    src = Path(args.sweep_dir)
    out = Path(args.out) if args.out else (src if src.is_dir() else src.parent) / "report"
    try:
        report = write_report(src, out, compare=args.compare, metric=args.metric,
                              title=args.title)  # fmt: skip
    except ReportError as exc:
        raise CLIError(str(exc)) from None
    except OSError as exc:
        raise CLIError(f"cannot write the report to {str(out)!r}: {exc.strerror or exc}") from None
    sweep = report.sweep
    n_failed = len({(r["source"], _trial(r)) for r in sweep.failed})
    print(f"{len(sweep.rows)} rows, {n_failed} failed trial(s)")
    if report.figure_note:
        print(f"no figures: {report.figure_note}")
    print(report.markdown)
    for path in report.figures.values():
        print(path)
    return 0
