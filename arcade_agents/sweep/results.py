"""The sweep's results table: one row per trial and seed, the one source `arcade report` reads.

`DIR/results.csv` is rebuilt from the trials' own result files (`DIR/trials/<name>/result.json`,
each written atomically when its trial ends), so a sweep killed at any moment never leaves a
torn row: re-running it rewrites the table from whatever trials have finished.

Columns (`COLUMNS`):

* `trial`, `run_dir` (relative to the sweep directory): which trial, where its run lives;
* `env`, `partial` (true/false), `view` (`mdp`/`pomdp`), `memory`, `algo`, `seed` (the index of
  the seed within the trial's vmapped batch), `base_seed` (the config's `seed`);
* `frames` (trained per seed), `return` (greedy evaluation mean), `return_ci95`,
  `eval_episodes`, `train_return` (training return of the last logged chunk);
* `wall_s`, `compile_s`, `fps` (frames/s of the whole trial, all seeds);
* `status` (`ok` or `failed`), `error` (first line of the failure, empty when ok);
* `version` (pomdp-arcade), `commit` (git, empty outside a checkout), `config_hash`
  (sha256 of the resolved config's TOML, first 12 hex digits).
"""

from __future__ import annotations

import csv
import io
import json
import math
import os
import tempfile
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

RESULTS_NAME = "results.csv"
COLUMNS = (
    "trial",
    "run_dir",
    "env",
    "partial",
    "view",
    "memory",
    "algo",
    "seed",
    "base_seed",
    "frames",
    "return",
    "return_ci95",
    "eval_episodes",
    "train_return",
    "wall_s",
    "compile_s",
    "fps",
    "status",
    "error",
    "version",
    "commit",
    "config_hash",
)
INT_COLUMNS = ("seed", "base_seed", "frames", "eval_episodes")
FLOAT_COLUMNS = ("return", "return_ci95", "train_return", "wall_s", "compile_s", "fps")

Row = dict[str, Any]


def atomic_write_text(path: str | Path, text: str) -> Path:
    """Write `text` to `path` through a temporary file in the same folder and a rename, so a
    reader (or a kill) sees the old file or the new one, never half of one."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", newline="") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return "nan" if math.isnan(value) else repr(value)
    return str(value)


def to_csv(rows: Iterable[Mapping[str, Any]]) -> str:
    """The rows as CSV text with the header `COLUMNS` (missing cells empty)."""
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=COLUMNS, extrasaction="ignore", lineterminator="\n")
    w.writeheader()
    for row in rows:
        w.writerow({c: _cell(row.get(c)) for c in COLUMNS})
    return buf.getvalue()


def write_results(path: str | Path, rows: Iterable[Mapping[str, Any]]) -> Path:
    """Replace the results table at `path` atomically."""
    return atomic_write_text(path, to_csv(rows))


def _typed(row: Mapping[str, str]) -> Row:
    out: Row = dict(row)
    for c in INT_COLUMNS:
        if out.get(c) not in (None, ""):
            out[c] = int(float(out[c]))
    for c in FLOAT_COLUMNS:
        v = out.get(c)
        out[c] = float(v) if v not in (None, "") else math.nan
    if "partial" in out:
        out["partial"] = str(out["partial"]).strip().lower() in ("true", "1", "yes", "pomdp")
    return out


def read_results(path: str | Path) -> list[Row]:
    """The rows of a results table (a `results.csv`, or a sweep directory holding one), typed:
    ints and floats parsed, `partial` a bool; a one-line `ValueError` if it is not one."""
    path = Path(path)
    if path.is_dir():
        path = path / RESULTS_NAME
    if not path.is_file():
        raise ValueError(f"no results table at {str(path)!r}")
    with open(path, newline="") as f:
        reader = csv.DictReader(f)
        missing = [
            c
            for c in ("env", "partial", "memory", "algo", "seed", "return")
            if c not in (reader.fieldnames or [])
        ]
        if missing:
            raise ValueError(
                f"{path.name} is not a results table: no column(s) {', '.join(missing)}"
            )
        return [_typed(r) for r in reader]


# ------------------------------------------------------------------ a sweep directory

TRIALS_DIR = "trials"  # DIR/trials/<name>/: an ordinary run directory per trial
RESULT_NAME = "result.json"  # written atomically when a trial ends (ok or failed)
SWEEP_NAME = "sweep.toml"  # the resolved grid and the trials it expanded to


def _jsonable(value: Any) -> Any:
    """NaN and infinities as null: result files are plain JSON."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    return value


def write_trial_result(trial_dir: str | Path, result: Mapping[str, Any]) -> Path:
    """Write a trial's `result.json` (`trial`, `status`, `error`, `config_hash`, `rows`)."""
    text = json.dumps(_jsonable(dict(result)), indent=1, allow_nan=False) + "\n"
    return atomic_write_text(Path(trial_dir) / RESULT_NAME, text)


def read_trial_result(trial_dir: str | Path) -> dict[str, Any] | None:
    """A trial's `result.json`, or None if it has none (not finished)."""
    path = Path(trial_dir) / RESULT_NAME
    try:
        text = path.read_text()
    except FileNotFoundError:
        return None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValueError(f"{path}: not a result file ({exc})") from None
    if not isinstance(data, dict) or not isinstance(data.get("rows"), list):
        raise ValueError(f"{path}: not a result file (no rows)")
    return data


def collect_rows(sweep_dir: str | Path, order: Iterable[str] = ()) -> list[Row]:
    """The rows of every finished trial of a sweep directory: the trials named in `order`
    first, in that order, then any others (e.g. of an earlier grid) by name."""
    base = Path(sweep_dir) / TRIALS_DIR
    found = sorted(p.name for p in base.iterdir() if p.is_dir()) if base.is_dir() else []
    known = set(found)
    first = list(dict.fromkeys(n for n in order if n in known))
    rows: list[Row] = []
    for name in [*first, *(n for n in found if n not in set(first))]:
        result = read_trial_result(base / name)
        if result is not None:
            rows.extend(result["rows"])
    return rows


def rebuild_results(sweep_dir: str | Path, order: Iterable[str] = ()) -> Path:
    """Rewrite `DIR/results.csv` from the trials' result files (atomically)."""
    return write_results(Path(sweep_dir) / RESULTS_NAME, collect_rows(sweep_dir, order))
