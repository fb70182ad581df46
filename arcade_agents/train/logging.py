"""Training logs: `metrics.csv` always, TensorBoard event files when `tensorboardX` is
installed (it is in the agents extra), Weights & Biases only when asked for and installed.

The runner hands over one row per seed per logged chunk of updates; every sink gets the same
rows. On resume, rows past the restored update are dropped (CSV) or purged (TensorBoard), so
the logs of a resumed run read as if it had never stopped.
"""

from __future__ import annotations

import csv
import dataclasses
import importlib.util
import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Protocol

CSV_NAME = "metrics.csv"
TB_DIR = "tb"
# columns every row has, in this order; metrics follow in the order they first appear
KEY_COLUMNS = ("update", "frames", "seed", "wall_s", "fps")


class Sink(Protocol):
    """One place logs go: `write(rows)` for a chunk's rows, `close()` at the end."""

    def write(self, rows: Sequence[Mapping[str, float]]) -> None: ...

    def close(self) -> None: ...


def wandb_available() -> bool:
    return importlib.util.find_spec("wandb") is not None


def tensorboard_available() -> bool:
    return importlib.util.find_spec("tensorboardX") is not None


class CSVSink:
    """Long-format CSV: one row per (update, seed). The header is fixed by the first rows
    written (or read back from an existing file on resume)."""

    def __init__(self, path: Path, resume_update: int | None = None) -> None:
        self.path = path
        self.columns: list[str] | None = None
        if resume_update is not None and path.exists():
            self._truncate(resume_update)
        elif path.exists():
            path.unlink()

    def _truncate(self, update: int) -> None:
        """Keep the header and the whole rows up to `update`: a row past it, or torn by a kill
        mid-write (no newline at its end, fields missing, an update that is not a count),
        goes, and so does everything after it."""
        with self.path.open(newline="") as f:
            lines = f.read().splitlines(keepends=True)
        header = next(csv.reader(lines[:1]), []) if lines and lines[0].endswith("\n") else []
        kept = []
        for line in lines[1:] if header else []:
            fields = next(csv.reader([line]), [])
            if not line.endswith("\n") or len(fields) != len(header):
                break
            try:
                row_update = int(float(fields[header.index("update")]))
            except ValueError:
                break
            if row_update > update:
                break
            kept.append(line)
        tmp = self.path.with_suffix(".tmp")
        with tmp.open("w", newline="") as f:
            f.write("".join(lines[:1] + kept) if header else "")
        tmp.replace(self.path)
        self.columns = header or None

    def write(self, rows: Sequence[Mapping[str, float]]) -> None:
        if not rows:
            return
        new = self.columns is None
        if new:
            extra = [k for r in rows for k in r if k not in KEY_COLUMNS]
            self.columns = [*KEY_COLUMNS, *dict.fromkeys(extra)]
        with self.path.open("a", newline="") as f:
            writer = csv.DictWriter(f, self.columns, extrasaction="ignore")
            if new:
                writer.writeheader()
            writer.writerows([{k: _fmt(v) for k, v in r.items()} for r in rows])

    def close(self) -> None:
        pass


def _fmt(v: Any) -> Any:
    if isinstance(v, float):
        return "" if math.isnan(v) else f"{v:.6g}"
    return v


def _seed_means(rows: Sequence[Mapping[str, float]]) -> dict[str, float]:
    """Mean over seeds of every metric column (NaNs, e.g. no finished episode, skipped)."""
    out: dict[str, float] = {}
    for k in rows[0]:
        if k in ("update", "frames", "seed"):
            continue
        vals = [float(r[k]) for r in rows if k in r and not math.isnan(float(r[k]))]
        if vals:
            out[k] = sum(vals) / len(vals)
    return out


class TensorBoardSink:
    """Seed means under `train/<metric>` and per-seed returns under `return/seed<i>`, with
    the frame count as the step (comparable across batch shapes)."""

    def __init__(self, logdir: Path, resume_frames: int | None = None) -> None:
        from tensorboardX import SummaryWriter

        self.writer = SummaryWriter(str(logdir), purge_step=resume_frames)

    def write(self, rows: Sequence[Mapping[str, float]]) -> None:
        if not rows:
            return
        step = int(rows[0]["frames"])
        for k, v in _seed_means(rows).items():
            self.writer.add_scalar(f"train/{k}", v, step)
        if len(rows) > 1:
            for r in rows:
                if "return" in r and not math.isnan(float(r["return"])):
                    self.writer.add_scalar(f"return/seed{int(r['seed'])}", r["return"], step)
        self.writer.flush()

    def close(self) -> None:
        self.writer.close()


class WandbSink:
    """Seed means to a wandb run whose id is kept in the run directory (a resume continues it)."""

    def __init__(self, run_dir: Path, config: Any, resume: bool) -> None:
        import wandb

        id_file = run_dir / "wandb_id.txt"
        run_id = id_file.read_text().strip() if resume and id_file.exists() else None
        if run_id is None:
            run_id = wandb.util.generate_id()
            id_file.write_text(run_id + "\n")
        self.run = wandb.init(
            project="pomdp-arcade",
            id=run_id,
            resume="allow",
            dir=str(run_dir),
            name=run_dir.name,
            config=dataclasses.asdict(config) if dataclasses.is_dataclass(config) else None,
        )

    def write(self, rows: Sequence[Mapping[str, float]]) -> None:
        if rows:
            self.run.log(_seed_means(rows), step=int(rows[0]["frames"]))

    def close(self) -> None:
        self.run.finish()


class RunLogger:
    """Fans each chunk's rows out to every sink (CSV, TensorBoard, wandb)."""

    def __init__(
        self,
        run_dir: Path,
        config: Any,
        *,
        resume_update: int | None = None,
        resume_frames: int | None = None,
        tensorboard: bool = True,
        wandb: bool = False,
    ) -> None:
        self.sinks: list[Sink] = [CSVSink(run_dir / CSV_NAME, resume_update)]
        if tensorboard and tensorboard_available():
            self.sinks.append(TensorBoardSink(run_dir / TB_DIR, resume_frames))
        if wandb:
            self.sinks.append(WandbSink(run_dir, config, resume_update is not None))

    def write(self, rows: Sequence[Mapping[str, float]]) -> None:
        for sink in self.sinks:
            sink.write(rows)

    def close(self) -> None:
        for sink in self.sinks:
            sink.close()


def read_metrics(path: str | Path) -> list[dict[str, float]]:
    """The rows of a run's `metrics.csv` as floats (empty cells as NaN)."""
    path = Path(path)
    if path.is_dir():
        path = path / CSV_NAME
    with path.open(newline="") as f:
        return [
            {k: float(v) if v != "" else math.nan for k, v in r.items()} for r in csv.DictReader(f)
        ]


def plot_curve(
    run_dir: str | Path, out: str | Path | None = None, title: str | None = None
) -> Path:
    """`curve.png`: mean episode return over seeds against frames, shaded min..max over seeds
    (one seed: the line alone). Needs matplotlib (the viz extra)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    run_dir = Path(run_dir)
    rows = read_metrics(run_dir)
    out = Path(out) if out else run_dir / "curve.png"
    by_update: dict[float, list[dict[str, float]]] = {}
    for r in rows:
        by_update.setdefault(r["update"], []).append(r)
    updates = sorted(by_update)
    frames = np.array([by_update[u][0]["frames"] for u in updates])
    rets = np.array(
        [
            [r.get("return", math.nan) for r in sorted(by_update[u], key=lambda r: r["seed"])]
            for u in updates
        ]
    )
    fig, ax = plt.subplots(figsize=(6, 3.6), dpi=120)
    if rets.size:
        with np.errstate(all="ignore"):
            import warnings

            with warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)
                mean = np.nanmean(rets, axis=1)
                lo, hi = np.nanmin(rets, axis=1), np.nanmax(rets, axis=1)
        n = rets.shape[1]
        ax.plot(frames, mean, color="C0", label=f"mean over {n} seed{'s' * (n > 1)}")
        if n > 1:
            ax.fill_between(frames, lo, hi, color="C0", alpha=0.25, label="min..max over seeds")
        ax.legend(loc="lower right", fontsize=8)
    ax.set_xlabel("frames")
    ax.set_ylabel("episode return")
    ax.grid(alpha=0.3)
    ax.set_title(title or run_dir.name, fontsize=9)
    fig.tight_layout()
    fig.savefig(out)
    plt.close(fig)
    return out
