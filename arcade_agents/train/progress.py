"""What a run shows while it trains: a progress bar (plain lines off a terminal) and the
per-seed rows of each chunk that the logs and the bar read."""

from __future__ import annotations

import math
import sys
from collections.abc import Mapping
from typing import Any

from arcade_core.argtypes import duration


class Progress:
    """A rich progress bar on a terminal (frames, frames/s, recent return); elsewhere (pipes,
    CI logs, `make run`) a plain line about every 5% of the run."""

    def __init__(self, total: int, done: int, enabled: bool = True) -> None:
        self.total, self.enabled = total, enabled
        self.bar: Any = None
        self.next_print = done
        if enabled and sys.stdout.isatty():
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                TextColumn,
                TimeElapsedColumn,
                TimeRemainingColumn,
            )
            from rich.progress import (
                Progress as RichProgress,
            )

            self.bar = RichProgress(
                TextColumn("[bold]train"),
                BarColumn(),
                MofNCompleteColumn(),
                TextColumn("frames"),
                TextColumn("{task.fields[fps]} fps"),
                TextColumn("return {task.fields[ret]}"),
                TimeElapsedColumn(),
                TimeRemainingColumn(),
            )
            self.task = self.bar.add_task("train", total=total, completed=done, fps="-", ret="-")
            self.bar.start()

    def update(self, frames: int, fps: float, ret: float) -> None:
        if not self.enabled:
            return
        ret_s = "-" if math.isnan(ret) else f"{ret:.3f}"
        if self.bar is not None:
            self.bar.update(self.task, completed=frames, fps=f"{fps:,.0f}", ret=ret_s)
        elif frames >= self.next_print or frames >= self.total:
            pct = 100.0 * frames / max(1, self.total)
            print(
                f"[{pct:5.1f}%] frames {frames:,}/{self.total:,}  {fps:,.0f} frames/s  "
                f"recent return {ret_s}",
                flush=True,
            )
            self.next_print = frames + max(1, self.total // 20)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.stop()


def chunk_rows(
    metrics: Mapping[str, Any],
    first_update: int,
    frames_per_update: int,
    extra: Mapping[str, float],
) -> list[dict[str, float]]:
    """Per-seed rows of one chunk: `return` = finished-episode return over the chunk (NaN if
    none finished), `episodes` summed, every other metric averaged over the chunk."""
    import numpy as np

    m = {k: np.asarray(v, dtype=np.float64) for k, v in metrics.items()}
    n = next(iter(m.values())).shape[0]
    seeds = next(iter(m.values())).shape[1] if next(iter(m.values())).ndim > 1 else 1
    update = first_update + n
    rows = []
    for s in range(seeds):
        row: dict[str, float] = {"update": update, "frames": update * frames_per_update, "seed": s}
        row.update(extra)
        col = {k: (v[:, s] if v.ndim > 1 else v) for k, v in m.items()}
        if "return_sum" in col and "episodes" in col:
            eps = float(col["episodes"].sum())
            row["return"] = float(col["return_sum"].sum()) / eps if eps > 0 else math.nan
            row["episodes"] = eps
        for k, v in col.items():
            if k not in ("return_sum", "episodes") and k not in row:
                row[k] = float(v.mean())
        rows.append(row)
    return rows


class Counter:
    """`done/total UNIT` with elapsed time and an ETA, on stderr: a rich bar on a terminal,
    else a plain line about every 10% (and at the end). `update` may come from a JAX host
    callback; the first one also reports how long the compile took (`compiling=True`)."""

    def __init__(self, label: str, total: int, unit: str, *, compiling: bool = False) -> None:
        import time

        self.label, self.total, self.unit = label, max(1, int(total)), unit
        self.t0 = time.perf_counter()
        self.t_first: float | None = None if compiling else self.t0
        self.done_at_first = 0
        self.next_print = 0
        self.bar: Any = None
        self.count = 0  # what `advance` counts
        self.last_print = -math.inf  # plain lines: at most one a second, but the last
        if sys.stderr.isatty():
            from rich.console import Console
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                TextColumn,
                TimeElapsedColumn,
                TimeRemainingColumn,
            )
            from rich.progress import Progress as RichProgress

            self.bar = RichProgress(
                TextColumn(f"[bold]{label}"),
                BarColumn(),
                MofNCompleteColumn(),
                TextColumn(unit),
                TextColumn("{task.fields[extra]}"),
                TimeElapsedColumn(),
                TimeRemainingColumn(),
                console=Console(stderr=True),
                transient=True,
            )
            self.task = self.bar.add_task(label, total=self.total, extra="")
            self.bar.start()

    def update(self, done: int, extra: str = "") -> None:
        import time

        now = time.perf_counter()
        if self.t_first is None:  # the first update: the compile is over
            self.t_first, self.done_at_first = now, int(done)
            self._say(f"compiled {self.label} in {now - self.t0:.1f} s")
        done = int(done)
        if self.bar is not None:
            self.bar.update(self.task, completed=done, extra=extra)
        elif done >= self.total or (done >= self.next_print and now - self.last_print >= 1.0):
            rate = (done - self.done_at_first) / max(now - self.t_first, 1e-9)
            left = (self.total - done) / rate if rate > 0 else math.nan
            eta = "?" if math.isnan(left) else duration(left)
            tail = f"  {extra}" if extra else ""
            self._say(
                f"{self.label}: {done:,}/{self.total:,} {self.unit}{tail}  "
                f"elapsed {duration(now - self.t0)}, ETA {eta}"
            )
            self.next_print = done + max(1, self.total // 10)
            self.last_print = now

    def advance(self, extra: str = "") -> None:
        """One more done."""
        self.count += 1
        self.update(self.count, extra)

    def _say(self, line: str) -> None:
        if self.bar is not None:
            self.bar.console.print(line)
        else:
            print(line, file=sys.stderr, flush=True)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.stop()
            self.bar = None
