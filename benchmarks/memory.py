"""Memory-model benchmarks: a recall task that needs memory, and forward+backward speed.

    python benchmarks/memory.py                 # both, print the tables
    python benchmarks/memory.py --write         # ... and replace `## Memory models` in BENCHMARKS.md
    python benchmarks/memory.py --only speed --models lru,gru
    python benchmarks/memory.py --only reach --models gru,memax:gru   # why a model cannot recall
    python benchmarks/memory.py --models gru,memax:gru,attention-rope   # any registered names

Every registered model runs: ours, memax's through the adapter (`memax:GRU`, `NMax`, ...)
and any plugin's.

**Recall**: step 0 shows one of `C` symbols (flagged as the first step), the next `T - 1`
steps show random distractor symbols; at the last step the model must name the first symbol.
A model without memory is stuck at chance (1/C); frame stacking sees only its last k inputs.
Each model is trained with Adam on fresh batches, the whole loop under one `jit`, vmapped over
seeds; accuracy is measured on held-out sequences.

**Reach** (`--only reach`): at initialisation, the gradient of the last output with respect
to the first input over that with respect to the last, on recall inputs. A model whose ratio
is tiny barely sees the first input when training starts; it says why a model fails recall.

**Speed**: one `jit(grad)` of a loss over a `[B, T, F]` batch, best of several runs after a
warm-up (compile timed apart). Associative models also run with `sequential=True` (the same
math through `lax.scan`): the ratio is the parallel scan's speedup.
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import re
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
import optax

from arcade_agents.memory import MemoryModel, get_memory_model, list_memory_models

ROOT = Path(__file__).resolve().parents[1]
SECTION = "## Memory models"


# ---------------------------------------------------------------- recall task


def label(name: str) -> str:
    """The model's registered name, with its package when a plugin other than ours provides
    it, and "(memax)" when memax's model runs through the adapter under a name of its own
    (those sharing a name with ours are already `memax:NAME`)."""
    from arcade_agents.memory import memory_registry
    from arcade_agents.memory.memax_adapter import MemaxAdapter

    entry = memory_registry().lookup(name)
    tags = [] if entry.package == "pomdp-arcade" else [entry.package]
    if issubclass(entry.cls, MemaxAdapter) and not entry.name.casefold().startswith("memax:"):
        tags.append("memax")
    return entry.name + (f" ({', '.join(tags)})" if tags else "")


def recall_batch(key: jax.Array, batch: int, length: int, symbols: int) -> tuple[Any, Any]:
    """Inputs `[batch, length, symbols + 1]` (one-hot symbol, first-step flag) and targets."""
    seq = jax.random.randint(key, (batch, length), 0, symbols)
    x = jax.nn.one_hot(seq, symbols)
    first = jnp.zeros((batch, length, 1)).at[:, 0].set(1.0)
    return jnp.concatenate([x, first], -1), seq[:, 0]


def train_recall(
    cls: type[MemoryModel], cfg: argparse.Namespace
) -> tuple[np.ndarray, np.ndarray, float]:
    """Train on the recall task for each seed; `(accuracy per seed, final loss, seconds)`."""
    import flax.linen as nn

    class Net(nn.Module):
        @nn.compact
        def __call__(self, x: jax.Array) -> jax.Array:
            mem = cls(features=cfg.hidden)
            start = jnp.zeros(x.shape[:-1], bool).at[:, 0].set(True)
            _, y = mem(mem.initialize_carry((x.shape[0], x.shape[-1])), (x, start))
            return nn.Dense(cfg.symbols)(y[:, -1])

    net = Net()
    opt = optax.adam(cfg.lr)
    x0, _ = recall_batch(jax.random.key(0), 2, cfg.length, cfg.symbols)

    def loss_fn(params: Any, x: jax.Array, y: jax.Array) -> jax.Array:
        logits = net.apply(params, x)
        return optax.softmax_cross_entropy_with_integer_labels(logits, y).mean()

    def one_seed(key: jax.Array) -> tuple[jax.Array, jax.Array]:
        k_init, k_train, k_eval = jax.random.split(key, 3)
        params = net.init(k_init, x0)

        def update(state: Any, key: jax.Array) -> tuple[Any, jax.Array]:
            params, opt_state = state
            x, y = recall_batch(key, cfg.batch, cfg.length, cfg.symbols)
            loss, grads = jax.value_and_grad(loss_fn)(params, x, y)
            updates, opt_state = opt.update(grads, opt_state, params)
            return (optax.apply_updates(params, updates), opt_state), loss

        (params, _), losses = jax.lax.scan(
            update, (params, opt.init(params)), jax.random.split(k_train, cfg.steps)
        )
        x, y = recall_batch(k_eval, cfg.eval_batch, cfg.length, cfg.symbols)
        acc = jnp.mean(jnp.argmax(net.apply(params, x), -1) == y)
        return acc, losses[-50:].mean()

    run = jax.jit(jax.vmap(one_seed))
    keys = jax.random.split(jax.random.key(cfg.seed), cfg.seeds)
    t0 = time.perf_counter()
    acc, loss = jax.block_until_ready(run(keys))
    return np.asarray(acc), np.asarray(loss), time.perf_counter() - t0


def recall_table(names: list[str], cfg: argparse.Namespace) -> str:
    rows = []
    for name in names:
        cls = get_memory_model(name)
        try:
            acc, loss, secs = train_recall(cls, cfg)
        except jax.errors.JaxRuntimeError as e:  # e.g. out of memory: a row, not the end
            rows.append(f"| {label(name)} | failed: {failure(e)} | – | – | – | – |")
            print(rows[-1], flush=True)
            continue
        rows.append(
            f"| {label(name)} | {acc.mean():.3f} | {acc.min():.3f} – {acc.max():.3f} "
            f"| {loss.mean():.3f} | {'yes' if acc.mean() > 0.9 else 'no'} | {secs:.0f} |"
        )
        print(rows[-1], flush=True)
    head = (
        "| model | accuracy (mean of seeds) | min – max | final train loss | learned (> 0.9) "
        "| s (compile + train) |\n|---|---|---|---|---|---|"
    )
    return head + "\n" + "\n".join(rows)


# ---------------------------------------------------------------- reach


def reach(cls: type[MemoryModel], cfg: argparse.Namespace, seed: int) -> float:
    """How much of the first input reaches the last output at initialisation: the gradient of
    `|y_T|²` with respect to the first input over that with respect to the last, mean norms
    over a batch of recall sequences. Near 0, the first input's signal vanishes before the
    end, and gradient descent hardly sees it."""
    model = cls(features=cfg.hidden)
    x, _ = recall_batch(jax.random.key(1), cfg.batch, cfg.length, cfg.symbols)
    start = jnp.zeros(x.shape[:-1], bool).at[:, 0].set(True)
    carry = model.initialize_carry((x.shape[0], x.shape[-1]))
    params = model.init(jax.random.key(seed), carry, (x, start))

    def last_output_energy(xs: jax.Array) -> jax.Array:
        _, y = model.apply(params, carry, (xs, start))
        return jnp.sum(y[:, -1] ** 2)

    norms = jnp.linalg.norm(jax.grad(last_output_energy)(x), axis=-1).mean(0)
    return float(norms[0] / norms[-1])


def reach_table(names: list[str], cfg: argparse.Namespace) -> str:
    rows = []
    for name in names:
        ratios = [reach(get_memory_model(name), cfg, seed) for seed in range(cfg.seeds)]
        rows.append(f"| {label(name)} | {', '.join(f'{r:.2g}' for r in ratios)} |")
        print(rows[-1], flush=True)
    head = "| model | gradient ratio, first / last input, at init (per init) |\n|---|---|"
    return head + "\n" + "\n".join(rows)


# ---------------------------------------------------------------- speed


def failure(e: Exception) -> str:
    """One short line for a model that could not run, e.g. `RESOURCE_EXHAUSTED: Out of
    memory allocating 30.4 GB`."""
    msg = str(e).strip().splitlines()[0]
    m = re.search(r"(RESOURCE_EXHAUSTED: Out of memory allocating) (\d+) bytes", msg)
    return f"{m.group(1)} {int(m.group(2)) / 1e9:.1f} GB" if m else msg[:120]


def time_interleaved(fns: list[Callable[[], Any]], repeats: int) -> list[float]:
    """Best wall time of each function, seconds, their runs interleaved so that load from
    other jobs falls on all of them alike (one warm-up run each first)."""
    for fn in fns:
        jax.block_until_ready(fn())
    best = [float("inf")] * len(fns)
    for _ in range(repeats):
        for i, fn in enumerate(fns):
            t0 = time.perf_counter()
            jax.block_until_ready(fn())
            best[i] = min(best[i], time.perf_counter() - t0)
    return best


def fwd_bwd(
    cls: type[MemoryModel], cfg: argparse.Namespace, sequential: bool
) -> tuple[float, Callable[[], Any]]:
    """(compile seconds, a function running one forward+backward) for one model."""
    model = cls(features=cfg.width, sequential=sequential)
    rng = np.random.default_rng(0)
    x = jnp.asarray(rng.standard_normal((cfg.speed_batch, cfg.speed_length, cfg.width), np.float32))
    start = jnp.zeros(x.shape[:-1], bool).at[:, 0].set(True)
    carry = model.initialize_carry((cfg.speed_batch, cfg.width))
    params = jax.jit(model.init)(jax.random.key(0), carry, (x[:, :1], start[:, :1]))

    def loss(params: Any) -> jax.Array:
        _, y = model.apply(params, carry, (x, start))
        return jnp.mean(y**2)

    t0 = time.perf_counter()
    step = jax.jit(jax.grad(loss)).lower(params).compile()
    return time.perf_counter() - t0, lambda: step(params)


def speed_table(names: list[str], cfg: argparse.Namespace) -> str:
    rows = []
    for name in names:
        cls = get_memory_model(name)
        seq = "–"
        try:
            compile_s, par = fwd_bwd(cls, cfg, sequential=False)
            if cls.scan_kind == "associative":
                fns = [par, fwd_bwd(cls, cfg, sequential=True)[1]]
                t, t_seq = time_interleaved(fns, cfg.repeats)
                seq = f"{t_seq * 1e3:.1f} ms → {t_seq / t:.2f}×"
            else:
                (t,) = time_interleaved([par], cfg.repeats)
        except jax.errors.JaxRuntimeError as e:  # e.g. out of memory: a row, not the end
            rows.append(f"| {label(name)} | {cls.scan_kind} | failed: {failure(e)} | – | – | – |")
            print(rows[-1], flush=True)
            continue
        steps = cfg.speed_batch * cfg.speed_length / t
        rows.append(
            f"| {label(name)} | {cls.scan_kind} | {t * 1e3:.1f} | {steps / 1e3:.0f}k | {seq} "
            f"| {compile_s:.1f} |"
        )
        print(rows[-1], flush=True)
    head = (
        "| model | scan | fwd+bwd ms | steps/s | sequential scan of the same math → speedup "
        "| compile s |\n|---|---|---|---|---|---|"
    )
    return head + "\n" + "\n".join(rows)


# ---------------------------------------------------------------- report


def machine() -> str:
    dev = jax.devices()[0]
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return (
        f"{dev.platform.upper()} ({dev.device_kind}), {cores} cores visible, "
        f"jax {jax.__version__}, Python {platform.python_version()}"
    )


def _block(doc: str, heading: str) -> re.Pattern[str]:
    """The text under `heading` up to the next heading of the same or a higher level."""
    level = heading.split()[0]
    stop = "|".join("#" * n + " " for n in range(2, len(level) + 1))
    return re.compile(rf"^{re.escape(heading)}\n.*?(?=^(?:{stop})|\Z)", re.S | re.M)


def write_section(intro: str, subsections: dict[str, str], path: Path) -> None:
    """Update this benchmark's section of BENCHMARKS.md: its intro and the given `###`
    subsections are replaced (or appended); other subsections and sections stay as they are."""
    doc = path.read_text() if path.exists() else "# Benchmarks\n"
    section = _block(doc, SECTION)
    found = section.search(doc)
    old = found.group(0) if found else SECTION + "\n"
    first_sub = old.find("\n### ")
    new = intro.rstrip() + "\n\n" + (old[first_sub + 1 :] if first_sub >= 0 else "")
    for heading, text in subsections.items():
        body = text.rstrip() + "\n\n"
        sub = _block(new, heading)
        new = sub.sub(lambda _, b=body: b, new) if sub.search(new) else new.rstrip() + "\n\n" + body
    new = new.rstrip() + "\n\n"
    doc = doc.replace(old, new) if found else doc.rstrip() + "\n\n" + new
    path.write_text(doc.rstrip() + "\n")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--models", default="all", help="comma-separated names, or 'all'")
    p.add_argument("--only", choices=["recall", "reach", "speed"], default=None)
    p.add_argument("--write", action="store_true", help="update BENCHMARKS.md")
    g = p.add_argument_group("recall")
    g.add_argument("--symbols", type=int, default=4)
    g.add_argument("--length", type=int, default=16, help="T: recall after T - 1 steps")
    g.add_argument("--hidden", type=int, default=32)
    g.add_argument("--batch", type=int, default=64)
    g.add_argument("--steps", type=int, default=500)
    g.add_argument("--lr", type=float, default=3e-3)
    g.add_argument("--seeds", type=int, default=2)
    g.add_argument("--eval-batch", type=int, default=1024)
    g.add_argument("--seed", type=int, default=0)
    g = p.add_argument_group("speed")
    g.add_argument("--speed-batch", type=int, default=16)
    g.add_argument("--speed-length", type=int, default=128)
    g.add_argument("--width", type=int, default=256, help="input and hidden width")
    g.add_argument("--repeats", type=int, default=10)
    cfg = p.parse_args(argv)

    if cfg.models == "all":
        names = [e.name for e in list_memory_models()]
    else:
        names = cfg.models.split(",")
        for name in names:
            get_memory_model(name)  # an unknown name fails now, listing the known ones
    intro = (
        f"{SECTION}\n\n`python benchmarks/memory.py` on {machine()}. Each subsection gives "
        "its date and what else ran on the machine; compare rows of one run, not across runs."
    )
    today = datetime.date.today().isoformat()
    subsections: dict[str, str] = {}
    if cfg.only in (None, "recall"):
        settings = (
            f"Symbols C = {cfg.symbols} (chance {1 / cfg.symbols:.2f}), length T = {cfg.length} "
            f"(recall after {cfg.length - 1} steps, distractors between), hidden {cfg.hidden}, "
            f"batch {cfg.batch}, {cfg.steps} Adam steps at lr {cfg.lr}, {cfg.seeds} seeds, "
            f"accuracy on {cfg.eval_batch} held-out sequences. Run {today}."
        )
        print(settings, flush=True)
        heading = "### Recall the first input"
        subsections[heading] = f"{heading}\n\n{settings}\n\n{recall_table(names, cfg)}"
    if cfg.only == "reach":
        heading = "### Reach of the first input at initialisation"
        settings = (
            f"Recall inputs (C = {cfg.symbols}, T = {cfg.length}, batch {cfg.batch}), width "
            f"{cfg.hidden}, inits 0..{cfg.seeds - 1}. Run {today}."
        )
        print(settings, flush=True)
        subsections[heading] = f"{heading}\n\n{settings}\n\n{reach_table(names, cfg)}"
    if cfg.only in (None, "speed"):
        settings = (
            f"`jit(grad(loss))` over B = {cfg.speed_batch} sequences × T = {cfg.speed_length} "
            f"steps, input and hidden width {cfg.width}; best of {cfg.repeats} after a warm-up, "
            f"a model's parallel and sequential runs interleaved. steps/s = B·T / time. Run {today}."
        )
        print(settings, flush=True)
        heading = "### Forward + backward speed"
        subsections[heading] = f"{heading}\n\n{settings}\n\n{speed_table(names, cfg)}"
    print("\n" + intro + "\n\n" + "\n\n".join(subsections.values()))
    if cfg.write:
        write_section(intro, subsections, ROOT / "BENCHMARKS.md")
    return 0


if __name__ == "__main__":
    sys.exit(main())
