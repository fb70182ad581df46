"""Figures of memory introspection (matplotlib, Agg): a saliency grid and GIF, recall density
by model and view, contamination over time, and the gap/bias point plot. LaTeX text is off
unless asked for (`setup(latex=True)`), and then checked for up front.
"""

from __future__ import annotations

import shutil
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from .core import Contamination, Saliency

_USETEX = False
HEAT_CMAP = "inferno"
_BASE = ("none", "mlp")  # memory-less baselines: listed first


class FigureError(Exception):
    """A problem the user can fix (missing matplotlib or LaTeX): one line."""


def setup(latex: bool = False) -> Any:
    """`matplotlib.pyplot` on the Agg backend; with `latex`, text set by LaTeX (which must be
    installed: else a one-line `FigureError`)."""
    global _USETEX
    try:
        import matplotlib
    except ImportError:
        raise FigureError("figures need matplotlib: pip install 'pomdp-arcade[viz]'") from None
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    if latex and shutil.which("latex") is None:
        raise FigureError("--latex needs a LaTeX installation ('latex' is not on PATH)")
    matplotlib.rcParams["text.usetex"] = bool(latex)
    _USETEX = bool(latex)
    return plt


def tex(s: str) -> str:
    """`s` safe for LaTeX when it is on (escapes % _ & #), unchanged otherwise."""
    if not _USETEX:
        return s
    for c in "%_&#":
        s = s.replace(c, "\\" + c)
    return s


# ------------------------------------------------------------------------------- saliency


def normalise_heat(heat: np.ndarray, q: float = 99.5) -> np.ndarray:
    """Heat `[..., S, S]` in [0, 1], on one scale for every step (so steps compare): the
    `q`-th percentile of the hottest step's map, so a few hot pixels do not wash out the
    rest, and steps with no gradient do not drag the scale down."""
    heat = np.asarray(heat, np.float64)
    flat = heat.reshape((-1,) + heat.shape[-2:]) if heat.ndim >= 2 else heat.reshape(1, -1)
    hottest = flat[int(np.argmax(flat.reshape(len(flat), -1).sum(axis=1)))] if flat.size else flat
    top = float(np.percentile(hottest, q)) if hottest.size else 0.0
    if top <= 0:
        top = float(heat.max()) if heat.size and heat.max() > 0 else 1.0
    return np.clip(heat / top, 0.0, 1.0)


def overlay(frame: np.ndarray, heat: np.ndarray, alpha: float = 0.8) -> np.ndarray:
    """A uint8 frame `[S, S, 3]` with heat `[S, S]` in [0, 1] laid over it: coloured where
    hot, the frame showing through where cold."""
    from matplotlib import colormaps

    colour = colormaps[HEAT_CMAP](heat)[..., :3] * 255.0
    a = (alpha * heat)[..., None]
    return np.clip(frame[..., :3] * (1 - a) + colour * a, 0, 255).astype(np.uint8)


def _tile_steps(mass: np.ndarray, tiles: int, hottest: int = 3) -> list[int]:
    """Up to `tiles` steps of 0..t to show: evenly spaced ones (with 0 and t) plus the
    `hottest` steps by gradient mass, so what the agent recalls is always in the grid."""
    t = len(mass) - 1
    if tiles >= t + 1:
        return list(range(t + 1))
    top = [int(k) for k in np.argsort(-np.asarray(mass))[:hottest] if mass[k] > 0]
    even = {int(round(x)) for x in np.linspace(0, t, max(tiles - len(top), 2))}
    return sorted(even | set(top))


def saliency_figure(
    sal: Saliency,
    frames: np.ndarray,
    path: str | Path,
    *,
    title: str = "",
    value: str = "Q",
    tiles: int = 11,
) -> Path:
    """A grid of frames 0..t with their saliency (evenly spaced steps and the most recalled
    ones, each with its share of the gradient mass), the cumulative map over frame t, and the
    recall density below."""
    plt = setup(_USETEX)
    heat = normalise_heat(sal.heat)
    dens = sal.density
    steps = _tile_steps(sal.mass, tiles)
    cols = min(6, len(steps) + 1)
    rows = -(-(len(steps) + 1) // cols)
    fig = plt.figure(figsize=(2.0 * cols, 2.1 * rows + 1.9), layout="constrained")
    grid = fig.add_gridspec(rows + 1, cols, height_ratios=[2.1] * rows + [1.6])
    for i, k in enumerate(steps):
        ax = fig.add_subplot(grid[i // cols, i % cols])
        ax.imshow(overlay(frames[k], heat[k]), interpolation="nearest")
        ax.set_title(tex(f"t={k}  {100 * dens[k]:.1f}%"), fontsize=8)
        ax.axis("off")
    i = len(steps)
    ax = fig.add_subplot(grid[i // cols, i % cols])
    ax.imshow(overlay(frames[sal.t], normalise_heat(sal.heat.sum(axis=0))), interpolation="nearest")
    ax.set_title("cumulative (over frame t)", fontsize=8)
    ax.axis("off")
    ax = fig.add_subplot(grid[rows, :])
    ax.bar(np.arange(sal.t + 1), dens, width=1.0, color="tab:orange")
    ax.set_xlim(-0.5, sal.t + 0.5)
    ax.set_xlabel("step of the observation")
    ax.set_ylabel("share of |grad|")
    ax.set_title(
        tex(
            f"recall density of {value}(a={sal.action}) at t={sal.t}; thirds: "
            + ", ".join(f"{100 * x:.0f}%" for x in _thirds(dens))
        ),
        fontsize=9,
    )
    if title:
        fig.suptitle(tex(title), fontsize=10)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def _thirds(dens: np.ndarray) -> np.ndarray:
    from .core import thirds

    return thirds(dens)


def saliency_frames(sal: Saliency, frames: np.ndarray, scale: int = 2) -> np.ndarray:
    """uint8 `[t + 1, H, 2W + 2, 3]` video frames: each frame beside its saliency overlay."""
    from arcade_core.media import upscale

    heat = normalise_heat(sal.heat)
    shown = np.stack([overlay(frames[k], heat[k]) for k in range(sal.t + 1)])
    raw = np.asarray(frames[: sal.t + 1, ..., :3], np.uint8)
    gap = np.full(raw.shape[:2] + (2, 3), 128, np.uint8)
    return upscale(np.concatenate([raw, gap, shown], axis=2), scale)


# ------------------------------------------------------------------------------- density


def density_figure(records: Sequence[dict[str, Any]], path: str | Path, *, title: str = "") -> Path:
    """Recall density of several agents: left, the mean share per tenth of the elapsed
    episode (solid MDP, dashed POMDP, one colour per memory model); right, the share on the
    first, middle and last third. `records`: `{memory, partial, profile [bins], thirds [3]}`."""
    plt = setup(_USETEX)
    memories = list(dict.fromkeys(r["memory"] for r in records))
    colours = {m: plt.get_cmap("tab10")(i % 10) for i, m in enumerate(memories)}
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 3.8), layout="constrained")
    for r in records:
        prof = np.asarray(r["profile"])
        x = (np.arange(len(prof)) + 0.5) / len(prof)
        view = "POMDP" if r["partial"] else "MDP"
        left.plot(
            x, prof, "--" if r["partial"] else "-", marker="o", ms=3,
            color=colours[r["memory"]], label=tex(f"{r['memory']} {view}"),
        )  # fmt: skip
    left.set_xlabel("position of the observation in the elapsed episode (0 = start, 1 = now)")
    left.set_ylabel("share of |grad|")
    left.set_xlim(0, 1)
    left.legend(fontsize=8)
    width = 0.8 / max(len(records), 1)
    for i, r in enumerate(records):
        view = "POMDP" if r["partial"] else "MDP"
        right.bar(
            np.arange(3) + (i - (len(records) - 1) / 2) * width, r["thirds"], width,
            color=colours[r["memory"]], hatch="//" if r["partial"] else None,
            edgecolor="white", label=tex(f"{r['memory']} {view}"),
        )  # fmt: skip
    right.set_xticks(range(3), ["first third", "middle third", "last third"])
    right.set_ylabel("share of |grad|")
    right.set_ylim(0, 1)
    right.legend(fontsize=8)
    if title:
        fig.suptitle(tex(title), fontsize=10)
    return _save(plt, fig, path)


# ------------------------------------------------------------------------------- contamination


def contamination_figure(
    result: Contamination,
    frames: tuple[int, int],
    path: str | Path,
    *,
    title: str = "",
    value: str = "Q",
) -> Path:
    """|Δ value| (max over actions) along the episode for each perturbation, the perturbed
    frames shaded; a log scale shows how long the effect lingers."""
    plt = setup(_USETEX)
    fig, ax = plt.subplots(figsize=(8, 3.6), layout="constrained")
    dist = result.distance
    t = np.arange(dist.shape[1])
    ax.axvspan(frames[0] - 0.5, frames[1] - 0.5, color="0.85", label="perturbed frames")
    floor = 1e-7
    for label, d in zip(result.labels, dist, strict=True):
        ax.plot(t, np.maximum(d, floor), marker=".", ms=3, label=tex(label))
    ax.set_yscale("log")
    ax.set_ylim(bottom=floor)
    ax.set_xlabel("step")
    ax.set_ylabel(tex(f"max over actions of |Δ{value}|"))
    ax.legend(fontsize=8)
    if title:
        ax.set_title(tex(title), fontsize=10)
    return _save(plt, fig, path)


# ------------------------------------------------------------------------------- gap and bias


def gap_figure(stats: Sequence[Any], path: str | Path, *, title: str = "") -> Path:
    """Aggregate point plot: per memory model, the mean gap (left) and bias (right) with its
    95% interval as a bar, one colour per (env, algo); zero marked."""
    plt = setup(_USETEX)
    fig, axes = plt.subplots(1, 2, figsize=(10, 0.5 + 0.45 * _rows(stats)), layout="constrained")
    labels = {
        "gap": "observability gap: MDP − POMDP return",
        "bias": "memory bias: memory − MLP, MDP return",
    }
    keys = list(dict.fromkeys((s.env, s.algo) for s in stats))
    colours = {k: plt.get_cmap("tab10")(i % 10) for i, k in enumerate(keys)}
    for ax, measure in zip(axes, ("gap", "bias"), strict=True):
        chosen = [s for s in stats if s.measure == measure]
        memories = sorted({s.memory for s in chosen}, key=lambda m: (m.lower() not in _BASE, m))
        for s in chosen:
            j = keys.index((s.env, s.algo))
            y = memories.index(s.memory) + (j - (len(keys) - 1) / 2) * 0.8 / max(len(keys), 1)
            ci = 0.0 if np.isnan(s.ci95) else s.ci95
            ax.errorbar(
                s.mean, y, xerr=ci, fmt="o", color=colours[(s.env, s.algo)], capsize=3,
                label=tex(f"{s.env} {s.algo}"),
            )  # fmt: skip
        ax.axvline(0.0, color="0.5", lw=0.8)
        ax.set_yticks(range(len(memories)), [tex(m) for m in memories])
        ax.set_ylim(max(len(memories), 1) - 0.3, -0.7)  # the first model on top
        ax.set_xlabel(tex(labels[measure]))
        if not chosen:
            ax.text(0.5, 0.5, f"no {measure} pairs", ha="center", transform=ax.transAxes)
    handles, names = axes[0].get_legend_handles_labels()
    h2, n2 = axes[1].get_legend_handles_labels()
    by_name = dict(zip(names + n2, handles + h2, strict=True))
    if by_name:
        fig.legend(
            by_name.values(), by_name.keys(), loc="outside lower center", ncols=4, fontsize=8
        )
    if title:
        fig.suptitle(tex(title), fontsize=10)
    return _save(plt, fig, path)


def _rows(stats: Sequence[Any]) -> int:
    return max(2, *(sum(1 for s in stats if s.measure == m) for m in ("gap", "bias")))


def _save(plt: Any, fig: Any, path: str | Path) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path


AGGREGATE_LABELS = {
    "mdp": "MDP return",
    "pomdp": "POMDP return",
    "gap": "observability gap: MDP − POMDP",
    "bias": "memory bias: memory − MLP (MDP)",
}


def aggregate_figure(
    stats: Sequence[Any],
    path: str | Path,
    *,
    title: str = "",
    measures: Sequence[str] = ("mdp", "pomdp", "gap", "bias"),
    memories: Sequence[str] = (),
) -> Path:
    """The summary over envs as the POPGym Arcade paper draws it: one panel per measure
    (returns, gap, bias), one row per memory model (the memory-less baseline on top), its mean
    with the 95% CI over seeds as whiskers, one colour per algorithm; zero marked on the gap
    and bias panels. `stats`: `tables.aggregate(...)` output; `memories`: their order (by
    default the baseline first, then as they come)."""
    plt = setup(_USETEX)
    shown = [m for m in measures if any(s.measure == m for s in stats)] or list(measures)
    found = dict.fromkeys(s.memory for s in stats)
    memories = [m for m in memories if m in found] + [m for m in found if m not in memories]
    memories.sort(key=lambda m: m.lower() not in _BASE)
    algos = list(dict.fromkeys(s.algo for s in stats))
    colours = {a: plt.get_cmap("tab10")(i % 10) for i, a in enumerate(algos)}
    fig, axes = plt.subplots(
        1, len(shown), figsize=(3.3 * len(shown), 1.1 + 0.38 * max(len(memories), 2)),
        sharey=True, squeeze=False, layout="constrained",
    )  # fmt: skip
    for ax, measure in zip(axes[0], shown, strict=True):
        for s in (x for x in stats if x.measure == measure):
            j = algos.index(s.algo)
            y = memories.index(s.memory) + (j - (len(algos) - 1) / 2) * 0.6 / len(algos)
            ci = 0.0 if np.isnan(s.ci95) else s.ci95
            ax.errorbar(s.mean, y, xerr=ci, fmt="o", color=colours[s.algo], capsize=3,
                        label=tex(s.algo))  # fmt: skip
        if measure in ("gap", "bias"):
            ax.axvline(0.0, color="0.5", lw=0.8)
        ax.set_xlabel(tex(AGGREGATE_LABELS.get(measure, measure)), fontsize=9)
        ax.grid(axis="x", color="0.9")
    axes[0][0].set_yticks(range(len(memories)), [tex(m) for m in memories])
    axes[0][0].set_ylim(max(len(memories), 1) - 0.5, -0.5)  # the first model on top
    if len(algos) > 1:
        handles, names = axes[0][0].get_legend_handles_labels()
        by_name = dict(zip(names, handles, strict=True))
        fig.legend(by_name.values(), by_name.keys(), loc="outside lower center",
                   ncols=len(by_name), fontsize=8)  # fmt: skip
    if title:
        fig.suptitle(tex(title), fontsize=10)
    return _save(plt, fig, path)
