"""The training runner: `train` opens a run directory (fresh, or resumed from its newest
intact checkpoint), runs chunks of the algorithm's pure, jitted `update` (`loop.py`) with
logging and progress (`progress.py`, `logging.py`) and Orbax checkpoints (`checkpoint.py`)
between them, and closes the run; `restore` loads a run for evaluation.

    result = train(config, "runs/demo")                  # a fresh run
    result = train(None, "runs/demo", resume=True)       # continue it after a crash or kill
    result = train(None, "runs/demo", resume=True, total_frames=2_000_000)  # extend it

A run directory holds `config.toml`, `metrics.csv`, `tb/` (TensorBoard), `checkpoints/` and,
at the end, `curve.png`. Checkpoints hold the whole train state (parameters, optimizer, env
states, RNG keys, the algorithm's update counter) as plain arrays (Orbax `StandardSave`) plus a
JSON note of the update reached and the digests of what was saved; nothing is pickled. Loading
verifies them and falls back to the newest intact checkpoint (`checkpoint.py`). Chunks always
start at multiples of the chunk length counted from update 0, so a resumed run replays exactly
the computations of an uninterrupted one and ends with the same parameters.

Extending a run (`resume=True, total_frames=N`) continues it from its newest checkpoint to
N frames and rewrites its `config.toml` with the new total. Every schedule is defined over
the run's total, so from the update reached on, ε and (with `lr_decay`) the learning rate
follow the schedules of a run of N frames: a finished run whose ε had reached `eps_finish`
and whose learning rate had decayed to 0 explores and learns again where the longer schedule
says so. The result is not the run an N-frame run from scratch would have been; it is
reproducible, and a later extension of the same run behaves the same way.
"""

from __future__ import annotations

import dataclasses
import math
import time
from collections.abc import Callable
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
    checkpoint_meta,
    from_saveable,
    resume_state,
    to_saveable,
    warn_stderr,
)
from .logging import RunLogger, plot_curve
from .loop import (  # noqa: F401  (re-exported: run.Updates, run.chunk_length, ...)
    CHECKPOINTS,
    LOG_POINTS,
    DeferredInterrupt,
    Updates,
    chunk_length,
    default_chunk,
    scan_updates,
)
from .progress import Progress, chunk_rows  # noqa: F401  (re-exported)


@dataclasses.dataclass
class RunResult:
    """What `train` returns: the final state and how the run went."""

    run_dir: Path
    config: Any
    trainer: Any
    state: Any
    updates: int
    frames: int  # per seed
    wall_s: float  # this call, compilation included
    compile_s: float
    fps: float  # frames/s over all seeds, compilation excluded

    def params(self, seed: int = 0) -> Any:
        return self.trainer.params_of(self.state, seed)


def get_algorithm(name: str) -> Any:
    """The registered algorithm `name` (via the `arcade_algorithms` hook)."""
    from .api import get_algorithm as lookup

    return lookup(name)


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
    total_frames: int | None = None,
) -> RunResult:
    """Train `config` into `run_dir`, or with `resume=True` continue the run saved there
    (its `config.toml`; `config` may be None). `chunk`: updates per jitted call and per log
    row; `checkpoint_every`: updates between checkpoints (rounded up to whole chunks).
    `stop_after`: stop (with a checkpoint) once this many updates are done, as an
    interruption would; for tests and tools. `total_frames` with `resume`: extend the run to
    this budget (see the module's docstring for what happens to the schedules); fewer frames
    than the run has trained is a `RunError`.

    Across several processes (after `distributed.initialize`), every process makes the same
    call with the same run directory on a shared file system: all of them train and save
    checkpoints, process 0 alone writes the config and logs and prints."""
    run = _open(config, Path(run_dir), algorithm, resume, wandb, verbose, total_frames)
    num_updates = run.num_updates
    chunk = chunk_length(num_updates, chunk or default_chunk(num_updates))
    ckpt_every = checkpoint_every or max(chunk, math.ceil(num_updates / CHECKPOINTS))
    ckpt_every = math.ceil(ckpt_every / chunk) * chunk
    end = num_updates if stop_after is None else min(num_updates, stop_after)
    interrupted = _run_chunks(run, chunk, ckpt_every, end, progress)
    if interrupted:
        _save(run)
        run.close()
        again = f"arcade train --resume {run.run_dir}" + (
            " --distributed ...` in every process" if run.multi else "`"
        )
        run.say(f"\ninterrupted at update {run.done:,}: continue with `{again}")
        raise KeyboardInterrupt
    return _finish(run, curve)


# ------------------------------------------------------------------ opening a run


@dataclasses.dataclass
class _Run:
    """A run being trained: its directory, config, trainer and state, the update it reached,
    its checkpoints and logs, and this process's part (`lead` writes logs and prints)."""

    run_dir: Path
    config: Any
    trainer: Any
    state: Any
    done: int
    checkpointer: Checkpointer
    logger: Any  # RunLogger, or _NoLogs outside the lead process
    lead: bool
    multi: bool
    say: Callable[..., None]
    t_start: float
    last_saved: int = 0
    compile_s: float = 0.0
    train_s: float = 0.0
    frames_trained: int = 0  # by this call, over all seeds

    @property
    def num_updates(self) -> int:
        return int(self.trainer.num_updates)

    @property
    def per_update(self) -> int:
        return int(self.trainer.frames_per_update)

    @property
    def fps(self) -> float:
        return self.frames_trained / max(self.train_s, 1e-9)

    def close(self) -> None:
        self.logger.close()
        self.checkpointer.close()


def _open(
    config: Any,
    run_dir: Path,
    algorithm: Any,
    resume: bool,
    wandb: bool,
    verbose: bool,
    total_frames: int | None = None,
) -> _Run:
    """The config (given, or the run's own when resuming), the trainer, and the state to
    start from: a fresh one, or the newest intact checkpoint's; a fresh run saves its config
    and refuses a directory that already holds checkpoints."""
    import jax

    lookup = (lambda name: algorithm) if algorithm is not None else get_algorithm
    cfg_path = run_dir / config_io.CONFIG_NAME
    if resume:
        if not cfg_path.is_file():
            raise RunError(f"cannot resume {str(run_dir)!r}: no {config_io.CONFIG_NAME} there")
        config = config_io.load_config(cfg_path, lookup)
    elif config is None:
        raise RunError("train() needs a config (or resume=True)")
    elif total_frames is not None:
        raise RunError("total_frames= extends a run: it needs resume=True")
    multi, lead = dist.is_multi_process(), dist.is_lead()
    say = print if verbose and lead else (lambda *a, **k: None)
    if resume and total_frames is not None and total_frames != config.total_frames:
        config = _extend(config, total_frames, run_dir, lead, say)
    if multi:
        try:
            dist.check_devices(int(config.devices))
        except dist.DistributedError as exc:
            raise RunError(str(exc)) from None

    trainer = make_trainer(config, lookup(config.algo))
    per_update = int(trainer.frames_per_update)
    run_dir.mkdir(parents=True, exist_ok=True)
    t_start = time.perf_counter()
    state = jax.jit(trainer.init)(jax.random.key(int(config.seed)))
    checkpointer = Checkpointer(run_dir)
    done = 0
    if resume:
        if checkpointer.latest() is not None:
            done, state = resume_state(checkpointer, state, lead, multi)
            say(
                f"resuming {run_dir} at update {done:,}/{int(trainer.num_updates):,} ({done * per_update:,} frames)"
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
    return _Run(run_dir, config, trainer, state, done, checkpointer, logger, lead, multi, say,
                t_start, last_saved=done)  # fmt: skip


def extension_problem(config: Any, total_frames: int, run_dir: Path) -> str:
    """Why the run in `run_dir` (of `config`) cannot be extended to `total_frames` ('' if
    it can): a bad budget, or fewer frames than its newest checkpoint holds. Compiles
    nothing."""
    try:
        config.replace(total_frames=total_frames).validate()
    except ValueError as exc:
        return str(exc).splitlines()[0]
    peek = Checkpointer(run_dir, read_only=True)
    try:
        latest = peek.latest() or 0
    finally:
        peek.close()
    per_update = int(config.frames_per_update)
    trained = latest * per_update
    if total_frames < trained:
        return (
            f"--total-frames {total_frames:,} is less than the {trained:,} frames {run_dir} "
            "has trained already; give at least that many"
        )
    return ""


def _extend(config: Any, total_frames: int, run_dir: Path, lead: bool, say: Any) -> Any:
    """`config` with the new budget, checked against the run and saved as its config."""
    if why := extension_problem(config, total_frames, run_dir):
        raise RunError(why)
    new = config.replace(total_frames=total_frames)
    if lead:
        config_io.save_config(new, run_dir / config_io.CONFIG_NAME)
    say(
        f"extending {run_dir} from total_frames {config.total_frames:,} to {total_frames:,}: "
        "ε and learning-rate schedules now run over the new total"
    )
    return new


# ------------------------------------------------------------------ the loop


def _run_chunks(run: _Run, chunk: int, ckpt_every: int, end: int, progress: bool) -> bool:
    """Chunks of updates until `end`, each logged, shown and (every `ckpt_every` updates and
    at the last) checkpointed; True if Ctrl-C (in any process) stopped it early."""
    import jax

    num_updates, per_update = run.num_updates, run.per_update
    seeds = int(getattr(run.config, "seeds", 1))
    updates = Updates(run.trainer, scan_updates())
    recent = math.nan
    bar = Progress(num_updates * per_update, run.done * per_update, enabled=progress and run.lead)
    interrupt = DeferredInterrupt()
    # several processes stop together, at a chunk boundary, if any of them was interrupted
    stop = (lambda: dist.any_process(interrupt.requested)) if run.multi else None
    agreed: bool | None = None
    try:
        with interrupt:
            while run.done < end and not (stop() if stop else interrupt.requested):
                n = min(chunk, num_updates - run.done)
                t0 = time.perf_counter()
                what = f"{run.config.algo} update" + (f" ({n:,} updates per call)" if n > 1 else "")
                if not updates.ready(n):
                    run.say(f"compiling {what} ...", flush=True)
                if updates.compile(run.state, n):
                    took = time.perf_counter() - t0
                    run.compile_s += took
                    run.say(f"compiled {what} in {took:.1f} s", flush=True)
                t0 = time.perf_counter()
                run.state, metrics = updates(run.state, n)
                metrics = dist.gather(metrics) if run.multi else jax.device_get(metrics)
                run.train_s += time.perf_counter() - t0
                run.frames_trained += n * per_update * seeds
                extra = {"wall_s": time.perf_counter() - run.t_start, "fps": run.fps}
                rows = chunk_rows(metrics, run.done, per_update, extra)
                run.done += n
                run.logger.write(rows)
                rets = [r["return"] for r in rows if not math.isnan(r.get("return", math.nan))]
                if rets:
                    recent = sum(rets) / len(rets)
                bar.update(run.done * per_update, run.fps, recent)
                if run.done % ckpt_every == 0 or run.done == num_updates:
                    _save(run)
            if stop:
                agreed = stop()
    finally:
        bar.close()
    return interrupt.requested if agreed is None else agreed


def _save(run: _Run) -> None:
    """Checkpoint the state at the update reached, unless that update is saved already."""
    if run.done > run.last_saved:
        run.checkpointer.save(run.done, run.state, checkpoint_meta(run.done, run.per_update))
        run.last_saved = run.done


# ------------------------------------------------------------------ closing a run


def _finish(run: _Run, curve: bool) -> RunResult:
    """The last checkpoint, closed logs, the learning curve of a finished run and the summary
    line."""
    _save(run)
    run.close()
    wall = time.perf_counter() - run.t_start
    done, num_updates, per_update = run.done, run.num_updates, run.per_update
    seeds = int(getattr(run.config, "seeds", 1))
    if done == num_updates and curve and run.lead:
        try:
            path = plot_curve(run.run_dir, title=_title(run.config))
            run.say(f"learning curve: {path}")
        except ImportError:
            run.say("no learning curve: matplotlib missing (pip install 'pomdp-arcade[viz]')")
    run.say(
        f"{done:,}/{num_updates:,} updates, {done * per_update:,} frames per seed x {seeds}; "
        f"{run.fps:,.0f} frames/s, compile {run.compile_s:.1f} s, wall {wall:.1f} s; run dir {run.run_dir}"
    )
    return RunResult(run.run_dir, run.config, run.trainer, run.state, done, done * per_update,
                     wall, run.compile_s, run.fps)  # fmt: skip


class _NoLogs:
    """The logger of every process but the first: the first one writes the run's logs."""

    def write(self, rows: Any) -> None:
        pass

    def close(self) -> None:
        pass


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
