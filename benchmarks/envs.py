"""Env throughput beside the reference and the frame-write floor, all from one run.

Every figure comes from `shared/bench/throughput.py` (one subprocess per env, best of 3):
ours (`arcade_core:make`), the reference (PyPI `popgym-arcade==0.0.7`, in its own virtual env
under `.bench/ref-venv`, never a dependency of ours) and the floor (`--floor`: a scan that
merely writes a fresh frame per step). Prints a Markdown table with the ratios.

    .venv/bin/python benchmarks/envs.py --envs CartPoleEasy,NoisyCartPoleHard [--sizes 128,256]
        [--num-envs 64] [--steps 128] [--ref-steps 8] [--no-ref] [--out .bench/results/envs.json]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HARNESS = ROOT.parent / "shared" / "bench" / "throughput.py"
REF_PY = ROOT / ".bench" / "ref-venv" / "bin" / "python"


def harness(python: str | Path, *args: str) -> list[dict]:
    """Run throughput.py and return its result records."""
    out = ROOT / ".bench" / "results" / "tmp.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [str(python), str(HARNESS), *args, "--out", str(out)], check=True, stdout=subprocess.DEVNULL
    )
    return json.loads(out.read_text())["results"]


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
    args = ap.parse_args()
    if not args.no_ref:
        ensure_reference()
    rows = []
    for size in [int(s) for s in args.sizes.split(",")]:
        common = [
            "--num-envs",
            str(args.num_envs),
            "--obs-size",
            str(size),
            "--timeout",
            str(args.timeout),
        ]
        (floor,) = harness(sys.executable, "--floor", "--num-steps", str(args.steps), *common)
        for partial in (False, True):
            flag = ["--partial"] if partial else []
            ours = harness(sys.executable, "--impl", "arcade_core:make", "--envs", args.envs,
                           "--num-steps", str(args.steps), *flag, *common)  # fmt: skip
            ref = {} if args.no_ref else {
                r["env"]: r for r in harness(REF_PY, "--impl", "popgym_arcade:make", "--envs", args.envs,
                                             "--num-steps", str(args.ref_steps), *flag, *common)
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
