"""Observability gap and memory bias, as pure arithmetic on a table of returns.

A table is a list of rows `{env, memory, algo, seed, partial, return}`: one agent (`seed`)
of one configuration, trained and evaluated on the MDP (`partial` false) or the POMDP view.

* **gap** = MDP return − POMDP return of the same agent configuration and seed. Positive:
  the agent does worse when the view hides part of the state (the cost of partial
  observability that its memory did not make up for); zero: memory closes the gap.
* **bias** = MDP return of a memory model − MDP return of the memory-less baseline (memory
  `none` or `MLP`), same env, algorithm and seed. Positive: the memory model helps even where
  nothing is hidden; negative: its inductive bias costs return on a fully observable task.

Each is summarised per (env, algo, memory) by its mean and the half-width of a 95% t-interval
over seeds (`arcade_agents.train.evaluate.ci95`). `returns_by_view` summarises the returns
themselves the same way, and `aggregate` summarises any of these over all envs as the POPGym
Arcade paper does: each seed's values averaged over the envs, then mean and CI over seeds.
"""

from __future__ import annotations

import csv
import dataclasses
import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

COLUMNS = ("env", "memory", "algo", "seed", "partial", "return")
BASELINES = ("none", "mlp")
_TRUE = {"true", "1", "yes", "pomdp", "partial"}
_FALSE = {"false", "0", "no", "mdp", "full", ""}

Row = dict[str, Any]


@dataclasses.dataclass
class Stat:
    """One measure (`gap`, `bias`, or the return on the `mdp` / `pomdp` view) of one (env,
    algo, memory): the per-seed values (differences for gap and bias), labelled by `seeds`,
    and their mean with a 95% confidence half-width (NaN for a single seed). An aggregate
    over envs has `env` "all" and lists the envs it averaged in `envs`."""

    measure: str
    env: str
    algo: str
    memory: str
    values: np.ndarray
    baseline: str = ""
    seeds: tuple[str, ...] = ()
    envs: tuple[str, ...] = ()

    @property
    def n(self) -> int:
        return len(self.values)

    @property
    def mean(self) -> float:
        return float(np.mean(self.values)) if self.n else math.nan

    @property
    def ci95(self) -> float:
        from arcade_agents.train.evaluate import ci95

        return ci95(np.asarray(self.values, np.float64))

    def as_row(self) -> Row:
        ci = self.ci95
        return {
            "measure": self.measure,
            "env": self.env,
            "algo": self.algo,
            "memory": self.memory,
            "baseline": self.baseline,
            "n": self.n,
            "mean": self.mean,
            "ci95": ci,
            "low": self.mean - ci,
            "high": self.mean + ci,
        }


def parse_bool(value: Any) -> bool:
    """`partial` as written in a CSV: true/false, 1/0, pomdp/mdp."""
    if isinstance(value, bool | np.bool_):
        return bool(value)
    s = str(value).strip().lower()
    if s in _TRUE:
        return True
    if s in _FALSE:
        return False
    raise ValueError(f"cannot read {value!r} as partial (true/false, 1/0, pomdp/mdp)")


def normalise(rows: Iterable[Row]) -> list[Row]:
    """Rows with the table's columns, typed (strings, a bool `partial`, a float `return`)."""
    out = []
    for i, row in enumerate(rows):
        missing = [c for c in COLUMNS if c not in row]
        if missing:
            raise ValueError(f"row {i} lacks column(s) {', '.join(missing)}; need {COLUMNS}")
        out.append(
            {
                "env": str(row["env"]),
                "memory": str(row["memory"]),
                "algo": str(row["algo"]),
                "seed": str(row["seed"]),
                "partial": parse_bool(row["partial"]),
                "return": float(row["return"]),
            }
        )
    return out


def _means(rows: Sequence[Row]) -> dict[tuple[str, str, str, str, bool], float]:
    """(env, algo, memory, seed, partial) -> mean return (duplicates averaged)."""
    acc: dict[tuple[str, str, str, str, bool], list[float]] = defaultdict(list)
    for r in normalise(rows):
        acc[(r["env"], r["algo"], r["memory"], r["seed"], r["partial"])].append(r["return"])
    return {k: float(np.mean(v)) for k, v in acc.items()}


def observability_gap(rows: Sequence[Row]) -> list[Stat]:
    """MDP − POMDP return per (env, algo, memory), paired by seed; seeds with only one view
    are left out."""
    means = _means(rows)
    diffs: dict[tuple[str, str, str], dict[str, float]] = defaultdict(dict)
    for (env, algo, memory, seed, partial), mdp in sorted(means.items()):
        if partial:
            continue
        pomdp = means.get((env, algo, memory, seed, True))
        if pomdp is not None:
            diffs[(env, algo, memory)][seed] = mdp - pomdp
    return [
        Stat("gap", e, a, m, np.asarray(list(v.values())), seeds=tuple(v))
        for (e, a, m), v in diffs.items()
    ]


def memory_bias(rows: Sequence[Row], baselines: Sequence[str] = BASELINES) -> list[Stat]:
    """MDP return of each memory model − MDP return of the baseline, per (env, algo), paired
    by seed. The baseline is the first of `baselines` (case-insensitive) present for that
    (env, algo); the other names count as memory models."""
    means = {k: v for k, v in _means(rows).items() if not k[4]}
    groups: dict[tuple[str, str], dict[str, dict[str, float]]] = defaultdict(
        lambda: defaultdict(dict)
    )
    for (env, algo, memory, seed, _), ret in means.items():
        groups[(env, algo)][memory][seed] = ret
    out = []
    for (env, algo), by_memory in sorted(groups.items()):
        lower = {m.lower(): m for m in by_memory}
        base = next((lower[b.lower()] for b in baselines if b.lower() in lower), None)
        if base is None:
            continue
        for memory, by_seed in sorted(by_memory.items()):
            if memory == base:
                continue
            diffs = {
                s: ret - by_memory[base][s] for s, ret in by_seed.items() if s in by_memory[base]
            }
            if diffs:
                values = np.asarray(list(diffs.values()))
                out.append(Stat("bias", env, algo, memory, values, base, seeds=tuple(diffs)))
    return out


def gap_and_bias(rows: Sequence[Row]) -> list[Stat]:
    """Both measures of a table, gap first."""
    return observability_gap(rows) + memory_bias(rows)


def returns_by_view(rows: Sequence[Row]) -> list[Stat]:
    """The return itself per (env, algo, memory) on each view (measure `mdp` or `pomdp`),
    one value per seed, duplicates averaged as for the gap: the numbers the gap and bias are
    differences of."""
    acc: dict[tuple[str, str, str, str], dict[str, float]] = defaultdict(dict)
    for (env, algo, memory, seed, partial), ret in sorted(_means(rows).items()):
        acc[("pomdp" if partial else "mdp", env, algo, memory)][seed] = ret
    return [
        Stat(view, e, a, m, np.asarray(list(v.values())), seeds=tuple(v))
        for (view, e, a, m), v in acc.items()
    ]


def aggregate(stats: Sequence[Stat]) -> list[Stat]:
    """Each measure of each (algo, memory) over all envs, as the POPGym Arcade paper plots it:
    every seed's values averaged over the envs it has a value in, then the mean and 95% CI of
    those averages over seeds (so the interval is over seeds, not over envs). `env` is "all";
    `envs` lists the envs averaged. Stats need seed labels (those of this module have them)."""
    by_seed: dict[tuple[str, str, str, str], dict[str, list[float]]] = defaultdict(
        lambda: defaultdict(list)
    )
    envs: dict[tuple[str, str, str, str], dict[str, None]] = defaultdict(dict)
    for s in stats:
        if len(s.seeds) != s.n:
            raise ValueError(f"{s.measure} of {s.env} {s.memory} has no seed labels to aggregate")
        key = (s.measure, s.algo, s.memory, s.baseline)
        envs[key][s.env] = None
        for seed, v in zip(s.seeds, s.values, strict=True):
            by_seed[key][seed].append(float(v))
    return [
        Stat(
            measure,
            "all",
            algo,
            memory,
            np.asarray([float(np.mean(v)) for v in seeds.values()]),
            baseline,
            seeds=tuple(seeds),
            envs=tuple(envs[(measure, algo, memory, baseline)]),
        )
        for (measure, algo, memory, baseline), seeds in by_seed.items()
    ]


# ------------------------------------------------------------------------------- CSV


def read_table(path: str | Path) -> list[Row]:
    """A returns table from CSV, with the columns `COLUMNS` (extra columns ignored)."""
    with open(path, newline="") as f:
        reader = csv.DictReader(f)
        missing = [c for c in COLUMNS if c not in (reader.fieldnames or [])]
        if missing:
            raise ValueError(f"{path}: missing column(s) {', '.join(missing)}; need {COLUMNS}")
        return normalise(reader)


def write_csv(path: str | Path, rows: Sequence[Row], columns: Sequence[str] | None = None) -> Path:
    """Write dict rows as CSV (columns: `columns`, or the first row's keys)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    columns = list(columns or (rows[0].keys() if rows else COLUMNS))
    with open(path, "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=columns, extrasaction="ignore")
        w.writeheader()
        for r in rows:
            w.writerow({k: (f"{v:.6g}" if isinstance(v, float) else v) for k, v in r.items()})
    return path


def returns_from_runs(
    run_dirs: Sequence[str | Path], episodes: int = 32, seed: int = 1, max_steps: int | None = None
) -> list[Row]:
    """Evaluate every agent (every seed) of every run on the view it was trained on: one row
    each, its mean return over `episodes` greedy episodes. Seed labels are `{seed}-{k}` for
    agent `k` of a multi-seed run (so the MDP and POMDP runs of one `--seed --seeds` pair up)."""
    from arcade_agents.train import evaluate, run

    rows = []
    for d in run_dirs:
        loaded = run.restore(d)
        c = loaded.config
        for k in range(int(c.seeds)):
            res = evaluate.evaluate(loaded, episodes, seed=seed, agent=k, max_steps=max_steps)
            label = str(c.seed) if int(c.seeds) == 1 else f"{c.seed}-{k}"
            rows.append(
                {
                    "env": c.env_id,
                    "memory": c.memory,
                    "algo": c.algo,
                    "seed": label,
                    "partial": bool(c.partial),
                    "return": res.mean,
                }
            )
    return rows
