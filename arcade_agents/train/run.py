"""The training runner: chunks of an algorithm's pure, jitted `update` (a `lax.scan` over
updates on accelerators, a loop of calls on CPU), with logging, Orbax checkpoints and exact
resume between chunks.

    result = train(config, "runs/demo")                  # a fresh run
    result = train(None, "runs/demo", resume=True)       # continue it after a crash or kill

A run directory holds `config.toml`, `metrics.csv`, `tb/` (TensorBoard), `checkpoints/` and,
at the end, `curve.png`. Checkpoints hold the whole train state (parameters, optimizer, env
states, RNG keys, the algorithm's update counter) as plain arrays (Orbax `StandardSave`) plus a
JSON note of the update reached and the digests of what was saved; nothing is pickled. Loading
verifies them and falls back to the newest intact checkpoint (`checkpoint.py`). Chunks always start at multiples of the
chunk length counted from update 0, so a resumed run replays exactly the computations of an
uninterrupted one and ends with the same parameters.
"""

from __future__ import annotations

import dataclasses
import math
import sys
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from . import config_io
from . import distributed as dist
from .checkpoint import (  # noqa: F401  (re-exported: run.RunError, run.Checkpointer, ...)
    CKPT_DIR,
    Checkpointer,
    RunError,
    _is_key,
    abstract_of,
    from_saveable,
    to_saveable,
    warn_stderr,
)
from .logging import RunLogger, plot_curve

LOG_POINTS = 100  # aim for about this many logged chunks per run
CHECKPOINTS = 10  # and about this many interval checkpoints


@dataclasses.dataclass
class RunResult:
    """What `train` returns: the final state and how the run went."""

    run_dir: Path
    config: Any
    trainer: Any
    state: Any
    updates: int
    frames: int  # per seed
    wall_s: float  # this session, compilation included
    compile_s: float
    fps: float  # frames/s over all seeds, compilation excluded

    def params(self, seed: int = 0) -> Any:
        return self.trainer.params_of(self.state, seed)


def get_algorithm(name: str) -> Any:
    """The registered algorithm `name` (via the `arcade_algorithms` hook)."""
    from .api import get_algorithm as lookup

    return lookup(name)


# ------------------------------------------------------------------ schedule


def chunk_length(num_updates: int, target: int) -> int:
    """Updates per jitted call: a divisor of `num_updates` near `target` when one exists (one
    compiled shape for the whole run), else `target` (the last chunk compiles apart)."""
    target = max(1, min(target, num_updates))
    for d in range(target, max(1, target // 2) - 1, -1):
        if num_updates % d == 0:
            return d
    return target


def default_chunk(num_updates: int) -> int:
    return max(1, math.ceil(num_updates / LOG_POINTS))


# ------------------------------------------------------------------ progress


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


# ------------------------------------------------------------------ metrics


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


# ------------------------------------------------------------------ the loop


def scan_updates() -> bool:
    """Whether chunks run as one `lax.scan` over updates (accelerators: no dispatch between
    updates) or as a Python loop over one jitted update (CPU). XLA:CPU runs a convolution's
    backward pass inside a `while` loop many times slower than outside one (see
    `common.unroll_sgd`); a loop of calls costs only microseconds of dispatch per update."""
    import jax

    return jax.default_backend() != "cpu"


class Updates:
    """Runs `n` updates from a state: `(state, n) -> (state, metrics [n, seeds])`, consuming
    the state passed in (donated to the compiled update). Rolled:
    one compiled `lax.scan` per chunk length; else one compiled update, called `n` times.
    Either way every update is the same computation, so chunking never changes the result."""

    def __init__(self, trainer: Any, rolled: bool) -> None:
        self.trainer, self.rolled = trainer, rolled
        self.compiled: dict[int, Any] = {}

    def compile(self, state: Any, n: int) -> bool:
        """Compile for chunks of `n` (if not yet); True if this call compiled something."""
        import jax

        key = n if self.rolled else 1
        if key in self.compiled:
            return False
        if self.rolled:
            update = self.trainer.update
            fn = lambda s: jax.lax.scan(lambda c, _: update(c), s, None, length=n)  # noqa: E731
        else:
            fn = self.trainer.update
        # the state is donated: the update writes the new state over the old one's buffers
        # (DQN's replay ring is updated in place instead of copied every update); callers
        # must use only the returned state, as `train` does (its checkpoints are synchronous)
        self.compiled[key] = jax.jit(fn, donate_argnums=0).lower(state).compile()
        return True

    def __call__(self, state: Any, n: int) -> tuple[Any, Any]:
        import jax
        import jax.numpy as jnp

        if self.rolled:
            return self.compiled[n](state)
        step, metrics = self.compiled[1], []
        for _ in range(n):
            state, m = step(state)
            metrics.append(m)
        return state, jax.tree.map(lambda *xs: jnp.stack(xs), *metrics)


class DeferredInterrupt:
    """Within `with`: the first Ctrl-C only sets `requested` (the runner stops at the next
    chunk boundary and checkpoints there, so state and update counter stay consistent); a
    second one interrupts at once. Outside the main thread it does nothing."""

    def __init__(self) -> None:
        self.requested = False
        self._old: Any = None

    def _handler(self, signum: int, frame: Any) -> None:
        if self.requested:
            raise KeyboardInterrupt
        self.requested = True
        print("\nstopping after this chunk (Ctrl-C again to abort now) ...", flush=True)

    def __enter__(self) -> DeferredInterrupt:
        import signal
        import threading

        if threading.current_thread() is threading.main_thread():
            self._old = signal.signal(signal.SIGINT, self._handler)
        return self

    def __exit__(self, *exc: object) -> None:
        import signal

        if self._old is not None:
            signal.signal(signal.SIGINT, self._old)
            self._old = None


def make_trainer(config: Any, algorithm: Any = None) -> Any:
    algorithm = algorithm or get_algorithm(config.algo)
    return algorithm.make_train(config)


def train(
    config: Any,
    run_dir: str | Path,
    *,
    algorithm: Any = None,
    resume: bool = False,
    chunk: int | None = None,
    checkpoint_every: int | None = None,
    progress: bool = True,
    wandb: bool = False,
    curve: bool = True,
    stop_after: int | None = None,
    verbose: bool = True,
) -> RunResult:
    """Train `config` into `run_dir`, or with `resume=True` continue the run saved there
    (its `config.toml`; `config` may be None). `chunk`: updates per jitted call and per log
    row; `checkpoint_every`: updates between checkpoints (rounded up to whole chunks).
    `stop_after`: stop (with a checkpoint) once this many updates are done, as an
    interruption would; for tests and tools.

    Across several processes (after `distributed.initialize`), every process makes the same
    call with the same run directory on a shared file system: all of them train and save
    checkpoints, process 0 alone writes the config and logs and prints."""
    import jax

    run_dir = Path(run_dir)
    lookup = (lambda name: algorithm) if algorithm is not None else get_algorithm
    cfg_path = run_dir / config_io.CONFIG_NAME
    if resume:
        if not cfg_path.is_file():
            raise RunError(f"cannot resume {str(run_dir)!r}: no {config_io.CONFIG_NAME} there")
        config = config_io.load_config(cfg_path, lookup)
    elif config is None:
        raise RunError("train() needs a config (or resume=True)")
    multi, lead = dist.is_multi_process(), dist.is_lead()
    say = print if verbose and lead else (lambda *a, **k: None)
    if multi:
        try:
            dist.check_devices(int(config.devices))
        except dist.DistributedError as exc:
            raise RunError(str(exc)) from None

    trainer = make_trainer(config, lookup(config.algo))
    num_updates = int(trainer.num_updates)
    per_update = int(trainer.frames_per_update)
    seeds = int(getattr(config, "seeds", 1))
    chunk = chunk or default_chunk(num_updates)
    chunk = chunk_length(num_updates, chunk)
    ckpt_every = checkpoint_every or max(chunk, math.ceil(num_updates / CHECKPOINTS))
    ckpt_every = math.ceil(ckpt_every / chunk) * chunk

    run_dir.mkdir(parents=True, exist_ok=True)
    t_start = time.perf_counter()
    state = jax.jit(trainer.init)(jax.random.key(int(config.seed)))
    checkpointer = Checkpointer(run_dir)
    done = 0
    if resume:
        if checkpointer.latest() is not None:
            done, state = _resume(checkpointer, state, lead, multi)
            say(
                f"resuming {run_dir} at update {done:,}/{num_updates:,} ({done * per_update:,} frames)"
            )
        else:
            say(f"no checkpoint in {run_dir}: starting from update 0")
    else:
        if checkpointer.latest() is not None:
            raise RunError(
                f"{str(run_dir)!r} already holds checkpoints: pass --resume to continue it, "
                "or choose another --out"
            )
        if lead:
            config_io.save_config(config, cfg_path)
    logger: RunLogger | _NoLogs = _NoLogs()
    if lead:
        logger = RunLogger(
            run_dir,
            config,
            resume_update=done if resume else None,
            resume_frames=done * per_update if resume else None,
            wandb=wandb,
        )

    updates = Updates(trainer, scan_updates())
    compile_s = 0.0
    train_s = 0.0
    frames_this_session = 0
    recent = math.nan
    bar = Progress(num_updates * per_update, done * per_update, enabled=progress and lead)
    end = num_updates if stop_after is None else min(num_updates, stop_after)
    last_saved = done
    interrupt = DeferredInterrupt()
    # several processes stop together, at a chunk boundary, if any of them was interrupted
    stop = (lambda: dist.any_process(interrupt.requested)) if multi else None
    agreed: bool | None = None
    try:
        with interrupt:
            while done < end and not (stop() if stop else interrupt.requested):
                n = min(chunk, num_updates - done)
                t0 = time.perf_counter()
                if not updates.compiled:
                    say(f"compiling {config.algo} ...", flush=True)
                if updates.compile(state, n):
                    compile_s += time.perf_counter() - t0
                t0 = time.perf_counter()
                state, metrics = updates(state, n)
                metrics = dist.gather(metrics) if multi else jax.device_get(metrics)
                train_s += time.perf_counter() - t0
                frames_this_session += n * per_update * seeds
                fps = frames_this_session / max(train_s, 1e-9)
                extra = {"wall_s": time.perf_counter() - t_start, "fps": fps}
                rows = chunk_rows(metrics, done, per_update, extra)
                done += n
                logger.write(rows)
                rets = [r["return"] for r in rows if not math.isnan(r.get("return", math.nan))]
                if rets:
                    recent = sum(rets) / len(rets)
                bar.update(done * per_update, fps, recent)
                if done % ckpt_every == 0 or done == num_updates:
                    checkpointer.save(done, state, _meta(done, per_update))
                    last_saved = done
            if stop:
                agreed = stop()
    finally:
        bar.close()
    if interrupt.requested if agreed is None else agreed:
        if done > last_saved:
            checkpointer.save(done, state, _meta(done, per_update))
        logger.close()
        checkpointer.close()
        again = f"arcade train --resume {run_dir}" + (
            " --distributed ...` in every process" if multi else "`"
        )
        say(f"\ninterrupted at update {done:,}: continue with `{again}")
        raise KeyboardInterrupt
    if done > last_saved:
        checkpointer.save(done, state, _meta(done, per_update))
    logger.close()
    checkpointer.close()
    wall = time.perf_counter() - t_start
    fps = frames_this_session / max(train_s, 1e-9)
    if done == num_updates and curve and lead:
        try:
            path = plot_curve(run_dir, title=_title(config))
            say(f"learning curve: {path}")
        except ImportError:
            say("no learning curve: matplotlib missing (pip install 'pomdp-arcade[viz]')")
    say(
        f"{done:,}/{num_updates:,} updates, {done * per_update:,} frames per seed x {seeds}; "
        f"{fps:,.0f} frames/s, compile {compile_s:.1f} s, wall {wall:.1f} s; run dir {run_dir}"
    )
    return RunResult(run_dir, config, trainer, state, done, done * per_update, wall, compile_s, fps)


class _NoLogs:
    """The logger of every process but the first: the first one writes the run's logs."""

    def write(self, rows: Any) -> None:
        pass

    def close(self) -> None:
        pass


def _meta(update: int, per_update: int) -> dict[str, int]:
    return {"update": update, "frames": update * per_update}


def _resume(checkpointer: Checkpointer, like: Any, lead: bool, multi: bool) -> tuple[int, Any]:
    """The newest intact checkpoint's update and state. Damaged ones newer than it (each one
    warning line) are moved aside, not deleted, so the run can write those updates again."""
    loaded = checkpointer.load(like, warn=None)
    moved = checkpointer.set_aside([s for s, _ in loaded.skipped]) if lead else []
    if multi:
        dist.any_process(False)  # every process waits for the move, then sees it
        checkpointer.manager.reload()
    if lead:
        for line in loaded.warnings(checkpointer.directory, moved):
            warn_stderr(line)
    return loaded.update, loaded.state


def _title(config: Any) -> str:
    view = "POMDP" if getattr(config, "partial", False) else "MDP"
    memory = getattr(config, "memory", "none")
    return f"{config.algo.upper()} ({memory}) on {config.env_id} {view}, {config.obs_size} px"


def _zeros(s: Any) -> Any:
    """A concrete stand-in for an abstract leaf (typed keys as keys of the default impl)."""
    import jax
    import jax.numpy as jnp

    if _is_key(s):
        return jax.random.wrap_key_data(jnp.zeros((*s.shape, 2), jnp.uint32))
    return jnp.zeros(s.shape, s.dtype)


def restore(run_dir: str | Path, *, algorithm: Any = None, update: int | None = None) -> RunResult:
    """A finished or interrupted run, loaded: its config (from TOML), a fresh trainer and the
    state of its newest intact (or exactly the given) checkpoint, verified; each damaged
    checkpoint skipped is one warning line on stderr. `arcade eval` and `introspect` load
    runs through here."""
    import jax

    run_dir = Path(run_dir)
    lookup = (lambda name: algorithm) if algorithm is not None else get_algorithm
    config = config_io.load_config(run_dir, lookup)
    trainer = make_trainer(config, lookup(config.algo))
    like = jax.tree.map(_zeros, jax.eval_shape(trainer.init, jax.random.key(int(config.seed))))
    checkpointer = Checkpointer(run_dir, read_only=True)  # loads only: moves nothing
    try:
        loaded = checkpointer.load(like, update)
    finally:
        checkpointer.close()
    state, done = loaded.state, loaded.update
    per = int(trainer.frames_per_update)
    return RunResult(run_dir, config, trainer, state, done, done * per, 0.0, 0.0, 0.0)
