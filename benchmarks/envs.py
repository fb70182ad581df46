"""Env throughput beside the reference and the frame-write floor, all from one run.

Every figure is measured by `arcade bench`'s own code (`arcade_core.tools.bench`: a jitted
reset + `lax.scan` of vmapped random-action steps, compile time apart, best of 3), one
subprocess per env so that compile caches and memory do not leak between envs: ours
(`arcade_core.make`), the reference (PyPI `popgym-arcade==0.0.7`, in its own virtual env under
`.bench/ref-venv`, never a dependency of ours; it imports the measuring code from this
checkout) and the floor (a scan that merely writes a fresh frame per step). Prints a Markdown
table with the ratios.

    .venv/bin/python benchmarks/envs.py --envs CartPoleEasy,NoisyCartPoleHard [--sizes 128,256]
        [--num-envs 64] [--steps 128] [--ref-steps 8] [--no-ref] [--out .bench/results/envs.json]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REF_PY = ROOT / ".bench" / "ref-venv" / "bin" / "python"
MAKERS = {"ours": "arcade_core:make", "ref": "popgym_arcade:make"}


def measure(
    impl: str, env_id: str, num_envs: int, steps: int, obs_size: int, partial: bool
) -> dict:
    """One env's (or, for `env_id == "floor"`, the floor's) frames/s and compile time, in this
    process."""
    import importlib

    from arcade_core.tools import bench

    if env_id == "floor":
        t = bench.time_fn(bench.floor_rollout(num_envs, steps, obs_size), repeats=3)
        return bench.floor_row(num_envs, steps, obs_size, t["best_s"], t["compile_s"])
    module, _, name = MAKERS[impl].partition(":")
    make = getattr(importlib.import_module(module), name)
    return bench.bench_env(env_id, num_envs, steps, obs_size, partial, make=make)


def harness(python: str | Path, impl: str, envs: list[str], num_envs: int, steps: int,
            obs_size: int, partial: bool, timeout: float) -> list[dict]:  # fmt: skip
    """Each env measured in a subprocess of `python` (this script's `--child` mode); a failed
    or timed-out env is a row with its `status`."""
    rows = []
    for env_id in envs:
        argv = [str(python), __file__, "--child", impl, env_id, str(num_envs), str(steps),
                str(obs_size), str(int(partial))]  # fmt: skip
        env = {
            **os.environ,
            "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
        }
        row = dict(env=env_id, partial=partial, obs_size=obs_size)
        try:
            p = subprocess.run(argv, stdout=subprocess.PIPE, text=True, timeout=timeout, env=env)
        except subprocess.TimeoutExpired:
            rows.append(dict(row, status=f"error: timeout after {timeout:.0f}s"))
            continue
        lines = [line for line in p.stdout.splitlines() if line.startswith("@@JSON ")]
        if not lines:
            rows.append(dict(row, status=f"error: exit code {p.returncode}"))
            continue
        rows.append(dict(json.loads(lines[-1][len("@@JSON ") :]), status="ok"))
    return rows


def ensure_reference() -> None:
    if REF_PY.exists():
        return
    print("setting up the reference in .bench/ref-venv (once)...", file=sys.stderr)
    subprocess.run([sys.executable, "-m", "venv", str(REF_PY.parent.parent)], check=True)
    pip = [str(REF_PY), "-m", "pip", "install", "-q"]
    subprocess.run(
        [*pip, "popgym-arcade==0.0.7", "jax==0.10.2", "jaxlib==0.10.2", "six"], check=True
    )


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument(
        "--envs",
        default="CartPoleEasy,CartPoleMedium,CartPoleHard,NoisyCartPoleEasy,NoisyCartPoleMedium,NoisyCartPoleHard",
    )
    ap.add_argument("--sizes", default="128,256")
    ap.add_argument("--num-envs", type=int, default=64)
    ap.add_argument("--steps", type=int, default=128, help="scan length for ours and the floor")
    ap.add_argument("--ref-steps", type=int, default=8, help="scan length for the (slow) reference")
    ap.add_argument("--no-ref", action="store_true")
    ap.add_argument("--timeout", type=float, default=900)
    ap.add_argument("--out", default=str(ROOT / ".bench" / "results" / "envs.json"))
    if sys.argv[1:2] == ["--child"]:  # one measurement, in its own process
        impl, env_id, n, t, size, partial = sys.argv[2:8]
        row = measure(impl, env_id, int(n), int(t), int(size), partial == "1")
        print("@@JSON " + json.dumps(row), flush=True)
        return
    args = ap.parse_args()
    if not args.no_ref:
        ensure_reference()
    envs = [e for e in args.envs.split(",") if e]
    rows = []
    for size in [int(s) for s in args.sizes.split(",")]:
        shape = dict(num_envs=args.num_envs, obs_size=size, timeout=args.timeout)
        (floor,) = harness(
            sys.executable, "ours", ["floor"], steps=args.steps, partial=False, **shape
        )
        for partial in (False, True):
            ours = harness(sys.executable, "ours", envs, steps=args.steps, partial=partial, **shape)
            ref = {} if args.no_ref else {
                r["env"]: r for r in harness(REF_PY, "ref", envs, steps=args.ref_steps, partial=partial, **shape)
            }  # fmt: skip
            for r in ours:
                b = ref.get(r["env"], {})
                rows.append(dict(env=r["env"], partial=partial, size=size, ours=r.get("fps"), compile=r.get("compile_s"),
                                 status=r["status"], ref=b.get("fps"), ref_compile=b.get("compile_s"),
                                 ref_status=b.get("status"), floor=floor["fps"]))  # fmt: skip
            print(f"done: {size}px {'POMDP' if partial else 'MDP'}", file=sys.stderr)
    Path(args.out).write_text(json.dumps(rows, indent=1))
    print(
        "| env | variant | size | ours frames/s | ref frames/s | ours / ref | floor frames/s | % of floor | compile s (ours / ref) |"
    )
    print("|---|---|---|---:|---:|---:|---:|---:|---|")
    for r in rows:
        ok = r["status"] == "ok"
        ratio = f"{r['ours'] / r['ref']:,.0f}x" if ok and r["ref"] else "n/a"
        pct = f"{100 * r['ours'] / r['floor']:.1f}%" if ok else r["status"]
        ref = f"{r['ref']:,.0f}" if r["ref"] else (r["ref_status"] or "not run")
        comp = (
            f"{r['compile']:.1f} / {r['ref_compile']:.1f}"
            if ok and r["ref_compile"]
            else (f"{r['compile']:.1f}" if ok else "-")
        )
        print(
            f"| {r['env']} | {'POMDP' if r['partial'] else 'MDP'} | {r['size']} | {r['ours']:,.0f} | {ref} | {ratio} | "
            f"{r['floor']:,.0f} | {pct} | {comp} |"
        )


if __name__ == "__main__":
    main()
