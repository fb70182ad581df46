"""Runs a sweep's trials as Ray tasks: one task per trial, each an ordinary run directory.

    summary = run_sweep(spec, trials, "sweeps/bench", Settings(max_concurrent=2))

Why Ray core tasks, not Ray Tune: the grid is fixed (no search algorithm, no early-stopping
scheduler: every trial of a benchmark runs its whole budget), and a trial already is a run
directory with its own Orbax checkpoints, metrics and exact resume (`run.train(..., resume=
True)`). Tune would add a second checkpoint format (its `Checkpoint` objects), a second
experiment state (`Tuner.restore` of its own folder) and result reporting through
`tune.report`, all duplicating what the run directory holds, and its trial names and folders
would not be ours. What a sweep needs from Ray, core tasks give directly: resource accounting
(`num_cpus` / `num_gpus` per task, fractional GPUs included), queueing of tasks until
resources free up, and `max_retries`, which re-runs a task whose worker process died (killed,
out of memory) on a fresh worker, where the trial resumes from its last checkpoint. The driver
only keeps `--max-concurrent` tasks submitted and collects them with `ray.wait`.

Nothing is lost:

* a trial ends by writing `DIR/trials/<name>/result.json` atomically (status `ok` or `failed`,
  one row per seed in `results.COLUMNS`); the driver then rebuilds `DIR/results.csv` from every
  result file;
* re-running the same sweep skips finished trials (a failed one too, unless `retry_failed`)
  and resumes the others from their last checkpoint; a trial folder made by a different config
  (another config hash) stops the sweep before anything runs, rather than mixing two configs;
* a trial that raises, or ends with a non-finite loss or parameters, is recorded as failed
  (the error's first line) and the other trials go on.

Test hook: with `ARCADE_SWEEP_TEST_KILL=PATH` in the driver's environment and no file at PATH,
the first trial to complete a checkpoint writes PATH and SIGKILLs its own worker process (Ray
then retries it), so tests can check that a killed worker resumes exactly.
"""

from __future__ import annotations

import contextlib
import logging
import math
import os
import signal
import subprocess
import sys
import threading
import time
import warnings
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import grid as grid_mod
from . import results
from .grid import SweepError, SweepSpec, Trial

LOG_NAME = "train.log"  # each trial's own output (the runner's lines, warnings)
LOCK_NAME = ".sweep.lock"
KILL_ENV = "ARCADE_SWEEP_TEST_KILL"
RAY_HINT = "pip install 'pomdp-arcade[sweep]'"


@dataclass
class Settings:
    """How a sweep runs (not what it trains)."""

    eval_episodes: int = 32  # greedy evaluation episodes per seed at the end of a trial
    eval_seed: int = 1
    max_concurrent: int | None = None  # trials submitted at once (None: as resources allow)
    cpus_per_trial: float = 1.0
    gpus_per_trial: float | None = None  # None: 1 where the cluster has GPUs, else 0
    address: str | None = None  # join this Ray cluster ("auto", "HOST:PORT") instead
    max_retries: int = 3  # re-runs of a trial whose worker process died
    retry_failed: bool = False  # run trials recorded as failed again


@dataclass
class TrialJob:
    """What a Ray task gets: plain data (the config as TOML text)."""

    name: str
    trial_dir: str
    config_toml: str
    config_hash: str
    eval_episodes: int
    eval_seed: int
    version: str
    commit: str
    sys_path: list[str]
    plugins: bytes | None = None  # cloudpickled runtime-registered plugins and setup
    kill_marker: str | None = None


@dataclass
class Summary:
    """How a sweep went: counts of trials and where the table is."""

    total: int
    ok: int = 0
    failed: int = 0
    skipped: int = 0
    elapsed_s: float = 0.0
    results_path: Path | None = None


# ------------------------------------------------------------------ small helpers


def first_line(exc: BaseException) -> str:
    """`Type: first line of the message`, for result files and progress lines."""
    lines = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {lines[0]}" if lines else type(exc).__name__


def package_version() -> str:
    from importlib import metadata

    try:
        return metadata.version("pomdp-arcade")
    except metadata.PackageNotFoundError:
        return ""


def git_commit() -> str:
    """The checkout's `git rev-parse HEAD`, or "" outside a git checkout."""
    try:
        out = subprocess.run(
            ["git", "rev-parse", "HEAD"],
            cwd=Path(__file__).resolve().parent,
            capture_output=True,
            text=True,
            timeout=10,
        )
    except (OSError, subprocess.SubprocessError):
        return ""
    return out.stdout.strip() if out.returncode == 0 else ""


def _clock(seconds: float) -> str:
    s = int(seconds)
    return f"{s // 3600}:{s % 3600 // 60:02d}:{s % 60:02d}"


def _config_from_toml(text: str) -> Any:
    import tomllib

    from ..train import config_io
    from ..train.api import get_algorithm

    values = tomllib.loads(text)
    return config_io.build_config(get_algorithm(str(values["algo"])).config_cls, values)


def _metrics(trial_dir: Path) -> list[dict[str, float]]:
    from ..train.logging import read_metrics

    try:
        return read_metrics(trial_dir)
    except (OSError, ValueError):
        return []


def _base_row(job: TrialJob, config: Any) -> dict[str, Any]:
    return {
        "trial": job.name,
        "run_dir": f"{results.TRIALS_DIR}/{job.name}",
        "env": config.env_id,
        "partial": bool(config.partial),
        "view": "pomdp" if config.partial else "mdp",
        "memory": config.memory,
        "algo": config.algo,
        "base_seed": int(config.seed),
        "eval_episodes": job.eval_episodes,
        "version": job.version,
        "commit": job.commit,
        "config_hash": job.config_hash,
    }


def failed_result(job: TrialJob, config: Any, error: str, wall_s: float = math.nan) -> dict:
    """The result of a trial that failed as a whole: one `failed` row per seed, with the
    frames its metrics reached."""
    metrics = _metrics(Path(job.trial_dir))
    rows = []
    for s in range(int(config.seeds)):
        mine = [r for r in metrics if int(r.get("seed", 0)) == s]
        rows.append(
            {
                **_base_row(job, config),
                "seed": s,
                "frames": int(max((r["frames"] for r in mine), default=0)),
                "train_return": _last_finite(mine, "return"),
                "wall_s": wall_s,
                "status": "failed",
                "error": error,
            }
        )
    return _result(job, rows)


def _result(job: TrialJob, rows: list[dict[str, Any]]) -> dict[str, Any]:
    bad = [r for r in rows if r["status"] != "ok"]
    return {
        "trial": job.name,
        "status": "failed" if bad else "ok",
        "error": bad[0]["error"] if bad else "",
        "config_hash": job.config_hash,
        "rows": rows,
    }


def _last_finite(rows: Sequence[dict[str, float]], key: str) -> float:
    for r in reversed(rows):
        v = r.get(key, math.nan)
        if not math.isnan(v):
            return float(v)
    return math.nan


# ------------------------------------------------------------------ one trial (a Ray task)


@contextlib.contextmanager
def _output_to(path: Path) -> Iterator[None]:
    with (
        open(path, "a", buffering=1) as f,
        contextlib.redirect_stdout(f),
        contextlib.redirect_stderr(f),
    ):
        yield


def _arm_kill(trial_dir: Path, marker: Path) -> None:
    """Test hook: SIGKILL this process once a checkpoint of the trial is complete (Orbax
    renames a finished checkpoint to its step number), once per marker file."""
    import signal

    if marker.exists():
        return

    def watch() -> None:
        ckpts = trial_dir / "checkpoints"
        while True:
            if ckpts.is_dir() and any(p.name.isdigit() for p in ckpts.iterdir()):
                marker.write_text(f"{os.getpid()}\n")
                os.kill(os.getpid(), signal.SIGKILL)
            time.sleep(0.02)

    threading.Thread(target=watch, daemon=True).start()


def run_trial(job: TrialJob) -> dict[str, Any]:
    """Train (or resume) one trial, evaluate every seed greedily and write `result.json`.
    Exceptions and non-finite losses or parameters become a `failed` result, not a raise."""
    from ..train import config_io, run

    t0 = time.perf_counter()
    trial_dir = Path(job.trial_dir)
    trial_dir.mkdir(parents=True, exist_ok=True)
    config = _config_from_toml(job.config_toml)
    try:
        with _output_to(trial_dir / LOG_NAME):
            resume = (trial_dir / config_io.CONFIG_NAME).is_file()
            if job.kill_marker:
                _arm_kill(trial_dir, Path(job.kill_marker))
            out = run.train(None if resume else config, trial_dir, resume=resume)
            rows = _evaluate(job, out, trial_dir, t0)
        result = _result(job, rows)
    except Exception as exc:  # a failed trial is recorded; the sweep goes on
        result = failed_result(job, config, first_line(exc), time.perf_counter() - t0)
    results.write_trial_result(trial_dir, result)
    return result


def _finite(tree: Any) -> bool:
    import jax
    import numpy as np

    return all(bool(np.isfinite(np.asarray(x)).all()) for x in jax.tree.leaves(tree))


def _evaluate(job: TrialJob, out: Any, trial_dir: Path, t0: float) -> list[dict[str, Any]]:
    """One row per seed: greedy evaluation of its parameters, or `failed` where its last loss
    or its parameters are not finite."""
    from ..train import evaluate

    config = out.config
    metrics = _metrics(trial_dir)
    fps = _last_finite(metrics, "fps")
    rows = []
    for s in range(int(config.seeds)):
        mine = [r for r in metrics if int(r.get("seed", 0)) == s]
        loss = mine[-1].get("loss", 0.0) if mine else 0.0  # an algorithm may log no loss
        row = {
            **_base_row(job, config),
            "seed": s,
            "frames": int(out.frames),
            "train_return": _last_finite(mine, "return"),
            "compile_s": float(out.compile_s),
            "fps": fps,
            "status": "ok",
            "error": "",
        }
        bad_loss = not math.isfinite(loss)
        if bad_loss or not _finite(out.params(s)):
            what = "loss" if bad_loss else "parameters"
            row.update(
                status="failed", error=f"non-finite {what} (seed {s}) at {out.frames:,} frames"
            )
        else:
            res = evaluate.evaluate(out, job.eval_episodes, seed=job.eval_seed, agent=s)
            row.update({"return": res.mean, "return_ci95": res.ci95})
        rows.append(row)
    wall = time.perf_counter() - t0
    for row in rows:
        row["wall_s"] = wall
    return rows


def _prepare_worker(job: TrialJob) -> None:
    """Make the driver's modules importable here and register the plugins it registered at
    run time (tests, notebooks), so a trial sees the same algorithms, envs and models."""
    for p in job.sys_path:
        if p and p not in sys.path and os.path.isdir(p):
            sys.path.append(p)
    if job.plugins is None:
        return
    from ray import cloudpickle

    from arcade_core.plugins import get_plugin_manager, register_plugin

    plugins, setup = cloudpickle.loads(job.plugins)
    have = {p.name for p in get_plugin_manager().plugins}
    for name, package, obj in plugins:
        if name not in have:
            register_plugin(obj, name, package)
    if setup is not None:
        setup()


def _trial_task(job: TrialJob) -> dict[str, Any]:
    """The body of a trial's Ray task."""
    _prepare_worker(job)
    return run_trial(job)


# ------------------------------------------------------------------ the driver


class _Lock:
    """An exclusive lock on the sweep directory for the driver's lifetime (released by the
    kernel if the driver dies), so two drivers never run the same trials at once."""

    def __init__(self, out: Path) -> None:
        self.path = out / LOCK_NAME
        self.f: Any = None

    def __enter__(self) -> _Lock:
        import fcntl

        self.f = open(self.path, "a+")
        try:
            fcntl.flock(self.f, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            self.f.seek(0)
            pid = self.f.read().strip() or "?"
            self.f.close()
            raise SweepError(
                f"{self.path.parent} is in use by another sweep (pid {pid}); wait for it or stop it"
            ) from None
        except OSError:  # a file system without locks: go on unlocked
            pass
        self.f.seek(0)
        self.f.truncate()
        self.f.write(f"{os.getpid()}\n")
        self.f.flush()
        return self

    def __exit__(self, *exc: object) -> None:
        self.f.close()


def check_existing(trials: Sequence[Trial], out: Path) -> dict[str, dict[str, Any] | None]:
    """Each trial's earlier result (or None), after checking that no trial folder holds a run
    of a different config: a changed sweep is refused rather than mixed."""
    from ..train import config_io
    from ..train.api import get_algorithm

    prior: dict[str, dict[str, Any] | None] = {}
    for t in trials:
        d = out / results.TRIALS_DIR / t.name
        hint = f"use another --out, or remove {d} to train it again"
        try:
            res = results.read_trial_result(d)
        except ValueError as exc:
            raise SweepError(f"trial {t.name}: {exc}") from None
        old = None
        if res is not None:
            old = res.get("config_hash")
        elif (d / config_io.CONFIG_NAME).is_file():
            try:
                old = grid_mod.config_hash(config_io.load_config(d, get_algorithm))
            except ValueError as exc:
                first = (str(exc).strip().splitlines() or [""])[0]
                raise SweepError(f"trial {t.name}: cannot read its config.toml: {first}") from None
        if old is not None and old != t.config_hash:
            raise SweepError(
                f"trial {t.name}: {d} holds a run of another config (hash {old}; this sweep's "
                f"is {t.config_hash}): {hint}"
            )
        prior[t.name] = res
    return prior


def require_ray() -> None:
    """A `SweepError` with the install hint when Ray is missing."""
    import importlib.util

    if importlib.util.find_spec("ray") is None:
        raise SweepError(f"arcade sweep runs its trials on Ray: {RAY_HINT}")


def _runtime_plugins(setup: Callable[[], None] | None) -> bytes | None:
    """Plugins registered in this process at run time (not entry points, which every worker
    finds itself) and `setup`, pickled for the workers; None if there are none."""
    from importlib import metadata

    from ray import cloudpickle

    from arcade_core.plugins import ENTRY_POINT_GROUP, get_plugin_manager

    eps = {ep.name for ep in metadata.entry_points(group=ENTRY_POINT_GROUP)}
    pm = get_plugin_manager()
    extra = [
        (info.name, info.package, pm.pm.get_plugin(info.name))
        for info in pm.plugins
        if info.name not in eps and info.loaded and pm.pm.get_plugin(info.name) is not None
    ]
    if not extra and setup is None:
        return None
    return cloudpickle.dumps((extra, setup))


def _start_ray(settings: Settings) -> bool:
    """Join `settings.address`, or start a quiet local Ray (no dashboard); False if Ray was
    already initialised in this process (it is then left running)."""
    import ray

    if ray.is_initialized():
        return False
    # Ray starts its processes by fork + exec; JAX (imported to check the memory models' names)
    # warns at any fork, though exec leaves none of its threads behind
    warnings.filterwarnings("ignore", message=r"os\.fork\(\) was called", category=RuntimeWarning)
    try:
        if settings.address:
            ray.init(address=settings.address, log_to_driver=False, logging_level=logging.WARNING)
        else:
            os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")  # no reporting home
            # Ray starts its workers at niceness 15 (to favour its own daemons): a trial would
            # then yield its core to any other process, e.g. an `arcade train` beside it
            os.environ.setdefault("RAY_worker_niceness", "0")
            # a local cluster gets Ray's default token authentication without its notice
            logging.getLogger("ray._private.authentication.authentication_token_setup").setLevel(
                logging.ERROR
            )
            num_cpus = None
            if settings.max_concurrent:
                num_cpus = math.ceil(settings.max_concurrent * settings.cpus_per_trial)
            ray.init(
                num_cpus=num_cpus,
                include_dashboard=False,
                log_to_driver=False,
                logging_level=logging.WARNING,
            )
    except Exception as exc:
        if not settings.address:
            raise SweepError(f"cannot start a local Ray: {first_line(exc)}") from None
        hint = ""
        if "RAY_AUTH_MODE" not in os.environ:
            hint = " (a cluster with token authentication needs RAY_AUTH_MODE=token here too)"
        raise SweepError(
            f"cannot join Ray at {settings.address}: {first_line(exc)}{hint}"
        ) from None
    _stop_on_sigterm()
    return True


def _stop_on_sigterm() -> None:
    """SIGTERM stops the sweep as Ctrl-C does (running trials checkpoint, then exit): a sweep
    started with `nohup ... &` ignores Ctrl-C's SIGINT, so `kill PID` is how it is stopped.
    Installed after `ray.init`, whose own SIGTERM handler would exit without that."""

    def interrupt(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, interrupt)


def _resources(
    settings: Settings, local: bool, log: Callable[[str], None]
) -> tuple[float, float, dict[str, str]]:
    """CPUs and GPUs per trial, and environment variables for the trials' workers. A trial
    no node can hold is an error on the local Ray (it would wait forever) and a warning on a
    cluster (whose autoscaler may add such a node)."""
    import ray

    cluster = ray.cluster_resources()
    gpus_total = float(cluster.get("GPU", 0))
    cpus = float(settings.cpus_per_trial)
    gpus = settings.gpus_per_trial
    gpus = float(gpus) if gpus is not None else (1.0 if gpus_total > 0 else 0.0)
    nodes = [n.get("Resources", {}) for n in ray.nodes() if n.get("Alive")]
    if not any(n.get("CPU", 0) >= cpus and n.get("GPU", 0) >= gpus for n in nodes):
        most = max(nodes, key=lambda n: (n.get("GPU", 0), n.get("CPU", 0)), default={})
        what = (
            f"no Ray node offers {cpus:g} CPUs and {gpus:g} GPUs per trial (the largest: "
            f"{most.get('CPU', 0):g} CPUs, {most.get('GPU', 0):g} GPUs); "
            "see --cpus-per-trial, --gpus-per-trial"
        )
        if local:
            raise SweepError(what)
        log(f"warning: {what}; the trials wait for the cluster to add such a node")
    env: dict[str, str] = {}
    if gpus == 0 and gpus_total > 0 and "JAX_PLATFORMS" not in os.environ:
        env["JAX_PLATFORMS"] = "cpu"  # a CPU trial must not take a GPU's memory
    if 0 < gpus < 1 and "XLA_PYTHON_CLIENT_MEM_FRACTION" not in os.environ:
        env["XLA_PYTHON_CLIENT_MEM_FRACTION"] = f"{0.9 * gpus:.3f}"  # share the GPU
    return cpus, gpus, env


def _outcome_line(k: int, n: int, name: str, res: dict[str, Any], t_start: float) -> str:
    rows = res.get("rows", [])
    if res.get("status") == "ok":
        rets = [r["return"] for r in rows if r.get("return") is not None]
        if len(rets) == 1:
            ci = rows[0].get("return_ci95")
            detail = f"return {rets[0]:+.3f}" + (f" ± {ci:.3f}" if ci is not None else "")
        elif rets:
            mean = sum(rets) / len(rets)
            detail = f"return {mean:+.3f} (mean of {len(rets)} seeds, {min(rets):+.3f}..{max(rets):+.3f})"
        else:
            detail = ""
        status = "ok"
    else:
        status, detail = "FAILED", str(res.get("error", ""))
    return f"[{k}/{n}] {status:7} {name}  {detail}  (elapsed {_clock(time.monotonic() - t_start)})"


def run_sweep(
    spec: SweepSpec,
    trials: Sequence[Trial],
    out_dir: str | Path,
    settings: Settings | None = None,
    *,
    setup: Callable[[], None] | None = None,
    log: Callable[[str], None] = print,
) -> Summary:
    """Run every unfinished trial of `trials` into `out_dir/trials/<name>/` on Ray and keep
    `out_dir/results.csv` current. `setup` runs in each worker before its trial (e.g. to
    register something the workers cannot import by themselves)."""
    settings = settings or Settings()
    t_start = time.monotonic()
    out = Path(out_dir).absolute()
    out.mkdir(parents=True, exist_ok=True)
    names = [t.name for t in trials]
    summary = Summary(total=len(trials))
    with _Lock(out):
        prior = check_existing(trials, out)
        results.atomic_write_text(out / results.SWEEP_NAME, grid_mod.to_toml(spec, trials))
        summary.results_path = results.rebuild_results(out, names)
        pending: list[Trial] = []
        k = 0
        for t in trials:
            res = prior[t.name]
            if res is None or (res.get("status") != "ok" and settings.retry_failed):
                pending.append(t)
                continue
            k += 1
            summary.skipped += 1
            was = "ok" if res.get("status") == "ok" else f"failed: {res.get('error', '')}"
            elapsed = _clock(time.monotonic() - t_start)
            log(
                f"[{k}/{len(trials)}] skipped {t.name}  (finished before, {was}; elapsed {elapsed})"
            )
        if not pending:
            summary.elapsed_s = time.monotonic() - t_start
            return summary
        for t in pending:  # a failed trial run again loses its old result
            (out / results.TRIALS_DIR / t.name / results.RESULT_NAME).unlink(missing_ok=True)
        summary.results_path = results.rebuild_results(out, names)
        require_ray()
        import ray

        started = _start_ray(settings)
        try:
            k = _run_pending(ray, pending, out, names, settings, setup, log, summary, k, t_start)
        finally:
            if started:
                ray.shutdown()
    summary.elapsed_s = time.monotonic() - t_start
    return summary


def _run_pending(
    ray: Any,
    pending: list[Trial],
    out: Path,
    names: list[str],
    settings: Settings,
    setup: Callable[[], None] | None,
    log: Callable[[str], None],
    summary: Summary,
    k: int,
    t_start: float,
) -> int:
    cpus, gpus, env = _resources(settings, not settings.address, log)
    from ..train import config_io

    version, commit = package_version(), git_commit()
    plugins = _runtime_plugins(setup)
    kill = os.environ.get(KILL_ENV) or None
    # max_calls=1: a fresh worker process per trial, so a trial's GPU memory and compiled
    # programs go when it ends and no trial inherits another's process state
    opts: dict[str, Any] = {
        "num_cpus": cpus,
        "num_gpus": gpus,
        "max_retries": settings.max_retries,
        "max_calls": 1,
    }
    if env:
        opts["runtime_env"] = {"env_vars": env}
    remote = ray.remote(**opts)(_trial_task)
    limit = settings.max_concurrent or len(pending)
    where = settings.address or "local"
    res_ = ray.cluster_resources()
    log(
        f"running {len(pending)} trial(s) on Ray ({where}: {res_.get('CPU', 0):g} CPUs, "
        f"{res_.get('GPU', 0):g} GPUs), {cpus:g} CPU / {gpus:g} GPU each"
        + (f", at most {settings.max_concurrent} at once" if settings.max_concurrent else "")
    )

    def job(t: Trial) -> TrialJob:
        return TrialJob(
            name=t.name,
            trial_dir=str(out / results.TRIALS_DIR / t.name),
            config_toml=config_io.to_toml(t.config),
            config_hash=t.config_hash,
            eval_episodes=settings.eval_episodes,
            eval_seed=settings.eval_seed,
            version=version,
            commit=commit,
            sys_path=list(sys.path),
            plugins=plugins,
            kill_marker=kill,
        )

    queue = deque(pending)
    inflight: dict[Any, Trial] = {}
    try:
        while queue or inflight:
            while queue and len(inflight) < limit:
                t = queue.popleft()
                ref = remote.options(name=f"trial {t.name}").remote(job(t))
                inflight[ref] = t
            ready, _ = ray.wait(list(inflight), num_returns=1)
            for ref in ready:
                t = inflight.pop(ref)
                try:
                    res = ray.get(ref)
                except Exception as exc:  # the worker died more than max_retries times, ...
                    cause = getattr(exc, "cause", None)
                    j = job(t)
                    res = failed_result(j, t.config, first_line(cause or exc))
                    results.write_trial_result(j.trial_dir, res)
                k += 1
                if res.get("status") == "ok":
                    summary.ok += 1
                else:
                    summary.failed += 1
                summary.results_path = results.rebuild_results(out, names)
                log(_outcome_line(k, summary.total, t.name, res, t_start))
    except KeyboardInterrupt:
        log("interrupted: stopping the running trials at their next checkpoint ...")
        for ref in inflight:
            ray.cancel(ref)  # KeyboardInterrupt in the task: the runner saves a checkpoint
        with contextlib.suppress(Exception):
            ray.wait(list(inflight), num_returns=len(inflight), timeout=60)
        log("run the same command again to resume")
        raise
    return k


def describe_outcome(summary: Summary) -> str:
    return (
        f"{summary.total} trial(s): {summary.ok} ok, {summary.failed} failed, "
        f"{summary.skipped} skipped (finished before) in {_clock(summary.elapsed_s)}; "
        f"results: {summary.results_path}"
    )
