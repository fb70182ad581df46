"""Training throughput: frames/s of our PQN with a GRU and with an LRU (128 px), beside the
reference's own PQN_RNN training code (`popgym_arcade.baselines.pqn_rnn.make_train`) run with
the same batch shape in its own virtual env (`.bench/ref-venv`, never a dependency of ours).

    python benchmarks/train.py                       # ours and the reference, print a table
    python benchmarks/train.py --only ours --memory gru
    python benchmarks/train.py --write               # ... and replace `## Training` in BENCHMARKS.md

Method, both sides: one seed, `num_envs` envs x `num_steps` steps per update, `num_epochs`
passes of `num_minibatches` minibatches; compile timed apart; frames/s = frames collected by
`updates` timed updates / their wall time. Ours runs as `arcade train` does (on CPU one jitted
update called per update). The reference jits its whole `train(rng)` (a `lax.scan` over its
updates) so it is called twice with the same shapes: the first call is compile + run, the
second is run only; its run also includes its warm-up rollout of `MEMORY_WINDOW + NUM_STEPS`
random steps (about one update's worth of env steps, no learning), reported as is.

This file runs under either interpreter: it imports only the standard library at the top; the
`--ref-worker` mode is what the reference venv executes.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from bench_report import replace_section

ROOT = Path(__file__).resolve().parents[1]
REF_PY = ROOT / ".bench" / "ref-venv" / "bin" / "python"
SECTION = "## Training"
REF_MEMORY = {"gru": "GRU", "lru": "LRU"}  # memax.equinox names used by the reference


def shape_of(args: argparse.Namespace) -> dict[str, Any]:
    return {
        "env": args.env,
        "partial": args.partial,
        "obs_size": 128,
        "num_envs": args.num_envs,
        "num_steps": args.num_steps,
        "num_epochs": args.num_epochs,
        "num_minibatches": args.num_minibatches,
        "updates": args.updates,
    }


# ---------------------------------------------------------------- ours


def bench_ours(memory: str, s: dict[str, Any], encoder: str = "patch") -> dict[str, Any]:
    import jax

    from arcade_agents.train.api import PQNConfig, get_algorithm
    from arcade_agents.train.run import Updates, scan_updates

    frames_per_update = s["num_envs"] * s["num_steps"]
    config = PQNConfig(
        env_id=s["env"],
        partial=s["partial"],
        obs_size=s["obs_size"],
        memory=memory,
        encoder=encoder,
        num_envs=s["num_envs"],
        num_steps=s["num_steps"],
        num_epochs=s["num_epochs"],
        num_minibatches=s["num_minibatches"],
        total_frames=frames_per_update * (s["updates"] + 1),
    )
    trainer = get_algorithm("pqn").make_train(config)
    t0 = time.perf_counter()
    state = jax.block_until_ready(jax.jit(trainer.init)(jax.random.key(0)))
    updates = Updates(trainer, scan_updates())
    updates.compile(state, 1)
    compile_s = time.perf_counter() - t0
    state, _ = updates(state, 1)  # warm-up update (first-call allocations)
    jax.block_until_ready(state)
    t0, c0 = time.perf_counter(), time.process_time()
    state, metrics = updates(state, s["updates"])
    jax.block_until_ready((state, metrics))
    run_s, cpu_s = time.perf_counter() - t0, time.process_time() - c0
    frames = s["updates"] * frames_per_update
    return {
        "impl": f"ours ({encoder} encoder)",
        "memory": memory,
        "compile_s": compile_s,
        "run_s": run_s,
        "cpu_s": cpu_s,
        "fps": frames / run_s,
        "fpcs": frames / cpu_s,
    }


# ---------------------------------------------------------------- the reference (its venv)


def ref_worker(memory: str, s: dict[str, Any]) -> dict[str, Any]:
    """Runs inside `.bench/ref-venv`: the reference's own `make_train`, vmapped and jitted
    exactly as its `single_run` does, called twice."""
    import equinox as eqx
    import jax
    from popgym_arcade.baselines.pqn_rnn import make_train

    frames_per_update = s["num_envs"] * s["num_steps"]
    total = frames_per_update * s["updates"]
    config = {
        "ALG_NAME": "pqn_rnn",
        "TRAIN_TYPE": "PQN_RNN",
        "MEMORY_TYPE": REF_MEMORY[memory],
        "ENV_NAME": s["env"],
        "PARTIAL": s["partial"],
        "OBS_SIZE": s["obs_size"],
        "NUM_ENVS": s["num_envs"],
        "NUM_STEPS": s["num_steps"],
        "NUM_EPOCHS": s["num_epochs"],
        "NUM_MINIBATCHES": s["num_minibatches"],
        "TOTAL_TIMESTEPS": total,
        "TOTAL_TIMESTEPS_DECAY": total,
        "MEMORY_WINDOW": 4,
        "EPS_START": 1.0,
        "EPS_FINISH": 0.05,
        "EPS_DECAY": 0.25,
        "EPS_TEST": 0.0,
        "LR": 5e-5,
        "LR_LINEAR_DECAY": True,
        "MAX_GRAD_NORM": 0.5,
        "REW_SCALE": 1.0,
        "GAMMA": 0.99,
        "LAMBDA": 0.95,
        "SEED": 0,
        "NUM_SEEDS": 1,
        "TEST_DURING_TRAINING": False,
        "TEST_INTERVAL": 0.05,
        "TEST_NUM_ENVS": 16,
        "TEST_NUM_STEPS": 16,
        "WANDB_MODE": "disabled",
        "ENTITY": "",
        "PROJECT": "bench",
        "HYP_TUNE": False,
    }
    rngs = jax.random.split(jax.random.PRNGKey(0), 1)
    train = eqx.filter_jit(eqx.filter_vmap(make_train(config)))
    t0 = time.perf_counter()
    jax.block_until_ready(train(rngs))
    first_s = time.perf_counter() - t0
    print(json.dumps({"first_call_s": first_s}), file=sys.stderr, flush=True)
    t0, c0 = time.perf_counter(), time.process_time()
    jax.block_until_ready(train(rngs))
    run_s, cpu_s = time.perf_counter() - t0, time.process_time() - c0
    return {
        "impl": "reference",
        "memory": memory,
        "compile_s": max(0.0, first_s - run_s),
        "run_s": run_s,
        "cpu_s": cpu_s,
        "fps": total / run_s,
        "fpcs": total / cpu_s,
    }


def bench_reference(memory: str, s: dict[str, Any], timeout: float) -> dict[str, Any]:
    if not REF_PY.exists():
        return {"impl": "reference", "memory": memory, "error": f"{REF_PY} not found"}
    cmd = [
        str(REF_PY),
        str(Path(__file__).resolve()),
        "--ref-worker",
        "--memory",
        memory,
        "--shape",
        json.dumps(s),
    ]
    env = {**os.environ, "PYTHONPATH": ""}  # never our packages in the reference's process
    try:
        proc = subprocess.run(
            cmd, capture_output=True, text=True, timeout=timeout, env=env, cwd="/tmp"
        )
    except subprocess.TimeoutExpired:
        return {"impl": "reference", "memory": memory, "error": f"timed out after {timeout:.0f} s"}
    if proc.returncode != 0:
        tail = (proc.stderr.strip().splitlines() or ["?"])[-1]
        return {"impl": "reference", "memory": memory, "error": tail[:300]}
    return json.loads(proc.stdout.strip().splitlines()[-1])


# ---------------------------------------------------------------- report


def machine() -> str:
    try:
        load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    except OSError:
        load = "?"
    return (
        f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores visible, "
        f"load average at the end {load}, Python {platform.python_version()}"
    )


def table(rows: list[dict[str, Any]]) -> str:
    ours = {r["memory"]: r for r in rows if r["impl"].startswith("ours") and "fps" in r}
    lines = [
        "| impl | memory | frames/s (wall) | frames per CPU-second | compile s | timed run s "
        "| vs reference (per CPU-second) |",
        "|---|---|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        if "error" in r:
            lines.append(f"| {r['impl']} | {r['memory'].upper()} | - | - | - | - | {r['error']} |")
            continue
        ratio = ""
        ref = next(
            (
                x
                for x in rows
                if x["impl"] == "reference" and x["memory"] == r["memory"] and "fps" in x
            ),
            None,
        )
        if r["impl"].startswith("ours") and ref:
            ratio = f"{r['fpcs'] / ref['fpcs']:.2f}x"
        elif r["impl"] == "reference" and r["memory"] in ours:
            ratio = "1.00x"
        lines.append(
            f"| {r['impl']} | {r['memory'].upper()} | {r['fps']:,.1f} | {r['fpcs']:,.1f} "
            f"| {r['compile_s']:.0f} | {r['run_s']:.1f} | {ratio} |"
        )
    return "\n".join(lines)


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--memory", default="gru,lru", help="comma-separated: gru, lru")
    p.add_argument("--only", choices=["ours", "reference"], default=None)
    p.add_argument(
        "--encoder", default="patch", help="ours: comma-separated pixel encoders (patch, nature)"
    )
    p.add_argument("--env", default="CartPoleEasy")
    p.add_argument("--partial", action=argparse.BooleanOptionalAction, default=True)
    p.add_argument("--num-envs", type=int, default=16)
    p.add_argument("--num-steps", type=int, default=32)
    p.add_argument("--num-epochs", type=int, default=2)
    p.add_argument("--num-minibatches", type=int, default=4)
    p.add_argument("--updates", type=int, default=2, help="timed updates")
    p.add_argument("--timeout", type=float, default=1800, help="per reference run, seconds")
    p.add_argument("--write", action="store_true", help="write the table into BENCHMARKS.md")
    p.add_argument("--ref-worker", action="store_true", help=argparse.SUPPRESS)
    p.add_argument("--shape", help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.ref_worker:
        print(json.dumps(ref_worker(args.memory, json.loads(args.shape))))
        return 0
    s = shape_of(args)
    rows = []
    for memory in [m.strip().lower() for m in args.memory.split(",") if m.strip()]:
        if args.only in (None, "ours"):
            for encoder in [e.strip() for e in args.encoder.split(",") if e.strip()]:
                rows.append(bench_ours(memory, s, encoder))
                print(rows[-1], flush=True)
        if args.only in (None, "reference"):
            rows.append(bench_reference(memory, s, args.timeout))
            print(rows[-1], flush=True)
    view = "POMDP" if s["partial"] else "MDP"
    when = datetime.date.today().isoformat()
    text = (
        f"`python benchmarks/train.py` ({when}): PQN on {s['env']} {view}, 128 px, one seed, "
        f"{s['num_envs']} envs x {s['num_steps']} steps per update, {s['num_epochs']} epochs x "
        f"{s['num_minibatches']} minibatches, {s['updates']} timed updates, compile apart. "
        f"Machine: {machine()}.\n\n{table(rows)}"
    )
    print(text)
    if args.write:
        replace_section(SECTION, text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
