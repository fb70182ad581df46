"""Memory introspection on tiny hand-built models whose answers are known: a memory that keeps
only the first frame (all saliency on step 0, contamination of frame 0 never fades), a
memoryless model (all saliency on the probed step, contamination gone after one step), a
leaky average (mass on every step, fading contamination); gap/bias arithmetic on synthetic
tables; and `arcade introspect` writing its files from a cheap run of a stand-in algorithm."""

from __future__ import annotations

import csv
import json
import math
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import flax.linen as nn
import jax
import jax.numpy as jnp
import numpy as np
import pytest

from arcade_agents import introspect as isp
from arcade_agents.introspect import core, tables
from arcade_agents.train.api import Algorithm, TrainConfig
from arcade_agents.train.evaluate import ci95
from arcade_core.hookspecs import hookimpl
from arcade_core.tools.cli import main

A = 3  # actions
S = 8  # frame size of the unit tests


def flat(obs: jax.Array) -> jax.Array:
    x = obs.astype(jnp.float32) / 255.0
    return x.reshape(x.shape[:-3] + (-1,))


class Memoryless(nn.Module):
    """Q from the current frame only."""

    num_actions: int = A

    @nn.nowrap
    def initialize_carry(self, batch_shape: tuple[int, ...] = ()) -> jax.Array:
        return jnp.zeros(tuple(batch_shape) + (0,))

    @nn.compact
    def __call__(self, carry: jax.Array, inputs: tuple[jax.Array, ...]) -> tuple[Any, Any]:
        return carry, nn.Dense(self.num_actions)(jnp.tanh(nn.Dense(16)(flat(inputs[0]))))


class ScanMemory(nn.Module):
    """`m_t = where(start_t, x_t, decay * m_{t-1} + (1 - decay) * x_t)` over frame features:
    decay 1 keeps only the episode's first frame; 0.5 is a leaky average of all frames.
    `actor_critic` returns `(logits, value)` as PPO's networks do."""

    num_actions: int = A
    decay: float = 1.0
    features: int = 4
    actor_critic: bool = False

    @nn.nowrap
    def initialize_carry(self, batch_shape: tuple[int, ...] = ()) -> jax.Array:
        return jnp.zeros(tuple(batch_shape) + (self.features,))

    @nn.compact
    def __call__(self, carry: jax.Array, inputs: tuple[jax.Array, ...]) -> tuple[Any, Any]:
        obs, _, start = inputs
        x = nn.Dense(self.features)(flat(obs))  # [*b, T, F]

        def body(m: jax.Array, xs: tuple[jax.Array, jax.Array]) -> tuple[jax.Array, jax.Array]:
            x_t, s_t = xs
            m = jnp.where(s_t[..., None], x_t, self.decay * m + (1 - self.decay) * x_t)
            return m, m

        carry, ms = jax.lax.scan(body, carry, (jnp.moveaxis(x, -2, 0), jnp.moveaxis(start, -1, 0)))
        q = nn.Dense(self.num_actions)(jnp.tanh(jnp.moveaxis(ms, 0, -2)))
        return carry, ((q, q.sum(-1)) if self.actor_critic else q)


def setup(net: nn.Module, t: int = 10, size: int = S, seed: int = 0) -> dict[str, Any]:
    """A random episode of `t` frames and the net's params and generic `apply`."""
    k_obs, k_act, k_init = jax.random.split(jax.random.key(seed), 3)
    obs = jax.random.randint(k_obs, (t, size, size, 3), 0, 256).astype(jnp.uint8)
    actions = jax.random.randint(k_act, (t,), 0, A)
    starts = jnp.arange(t) == 0
    init = jax.jit(net.init)  # eager init of a 128 px net dispatches op by op: slow on CPU
    params = init(k_init, net.initialize_carry((1,)), (obs[None], actions[None], starts[None]))
    return {"apply": isp.network_apply(net), "params": params, "obs": obs, "actions": actions}


@pytest.fixture(scope="module")
def first() -> dict[str, Any]:
    return setup(ScanMemory(decay=1.0))


@pytest.fixture(scope="module")
def memoryless() -> dict[str, Any]:
    return setup(Memoryless())


@pytest.fixture(scope="module")
def leaky() -> dict[str, Any]:
    return setup(ScanMemory(decay=0.5))


# ------------------------------------------------------------------------------- saliency


def test_first_frame_memory_puts_all_saliency_on_step_0(first: dict[str, Any]) -> None:
    sal = isp.saliency(first["apply"], first["params"], first["obs"], first["actions"], t=7)
    assert sal.grads.shape == (8, S, S, 3) and sal.values.shape == (8, A)
    assert sal.action == int(first["actions"][7])
    assert sal.mass[0] > 0
    np.testing.assert_allclose(sal.density, np.eye(8)[0], atol=1e-7)
    np.testing.assert_allclose(isp.thirds(sal.density), [1, 0, 0], atol=1e-7)


def test_memoryless_model_puts_all_saliency_on_the_probed_step(memoryless: dict[str, Any]) -> None:
    m = memoryless
    for t in (0, 4, 9):
        sal = isp.saliency(m["apply"], m["params"], m["obs"], m["actions"], t=t)
        assert sal.t == t and sal.heat.shape == (t + 1, S, S)
        np.testing.assert_allclose(sal.density, np.eye(t + 1)[t], atol=1e-7)


def test_saliency_is_the_gradient_of_the_chosen_value(leaky: dict[str, Any]) -> None:
    """Finite differences on one pixel agree with the reported gradient."""
    m = leaky
    sal = isp.saliency(m["apply"], m["params"], m["obs"], m["actions"], t=5)
    prev = core.prev_actions_of(m["actions"], jnp.arange(10) == 0)
    obs = m["obs"].astype(jnp.float32)

    def chosen(x: jax.Array) -> float:
        return float(m["apply"](m["params"], x, prev, jnp.arange(10) == 0)[5, sal.action])

    eps = 1.0  # one grey level: the nets are near-linear at this scale
    bumped = obs.at[2, 3, 4, 1].add(eps)
    fd = (chosen(bumped) - chosen(obs)) / eps
    assert fd == pytest.approx(float(sal.grads[2, 3, 4, 1]), rel=0.05, abs=1e-6)


def test_leaky_memory_spreads_mass_and_densities_sum_to_one(leaky: dict[str, Any]) -> None:
    m = leaky
    sal = isp.saliency(m["apply"], m["params"], m["obs"], m["actions"])
    assert sal.t == 9 and sal.density.shape == (10,)
    assert sal.density.sum() == pytest.approx(1.0)
    assert (sal.density > 0).all()
    assert sal.density[-1] > sal.density[1]  # recent frames weigh more in a leaky average


def test_batched_gradient_mass_matches_single_episodes(leaky: dict[str, Any]) -> None:
    m = leaky
    obs = jnp.stack([m["obs"], m["obs"][::-1]])
    actions = jnp.stack([m["actions"], m["actions"][::-1]])
    starts = jnp.broadcast_to(jnp.arange(10) == 0, (2, 10))
    ts = jnp.array([9, 4], jnp.int32)
    mass = np.asarray(isp.gradient_mass(m["apply"], m["params"], obs, actions, starts, ts))
    assert mass.shape == (2, 10)
    assert (mass[1, 5:] == 0).all()  # nothing after the probed step
    for e, t in enumerate([9, 4]):
        single = isp.saliency(m["apply"], m["params"], obs[e], actions[e], t=t)
        np.testing.assert_allclose(mass[e, : t + 1], single.mass, rtol=1e-4)
    dens = isp.density(mass)
    np.testing.assert_allclose(dens.sum(axis=1), 1.0)


def test_actor_critic_probes_the_policy_logits() -> None:
    m = setup(ScanMemory(decay=1.0, actor_critic=True))
    sal = isp.saliency(m["apply"], m["params"], m["obs"], m["actions"], t=3)
    assert sal.values.shape == (4, A)
    np.testing.assert_allclose(sal.density, np.eye(4)[0], atol=1e-7)


def test_binned_shares() -> None:
    np.testing.assert_allclose(isp.thirds(np.full(9, 1 / 9)), [1 / 3] * 3)
    # 5 steps in thirds: k -> floor(3k / 5) = 0, 0, 1, 1, 2
    np.testing.assert_allclose(isp.binned(np.arange(5.0), 4, 3), [0 + 1, 2 + 3, 4])
    # steps after t are ignored; a density over t + 1 < bins steps leaves bins empty
    np.testing.assert_allclose(isp.binned([0.5, 0.5, 9.0], 1, 4), [0.5, 0, 0.5, 0])
    assert isp.density(np.zeros(4)).tolist() == [0, 0, 0, 0]


def test_saliency_rejects_steps_outside_the_episode(first: dict[str, Any]) -> None:
    with pytest.raises(ValueError, match="outside"):
        isp.saliency(first["apply"], first["params"], first["obs"], first["actions"], t=10)


# ------------------------------------------------------------------------------- contamination


def test_perturbations_touch_only_their_range() -> None:
    obs = np.arange(6, dtype=np.float32)[:, None, None, None] * np.ones((6, 2, 2, 3), np.float32)
    order = lambda x: x[:, 0, 0, 0].tolist()  # noqa: E731
    assert order(isp.perturb(obs, "swap", (1, 4))) == [0, 3, 2, 1, 4, 5]
    assert order(isp.perturb(obs, "reverse", (1, 4))) == [0, 3, 2, 1, 4, 5]
    assert order(isp.perturb(obs, "reverse", (0, 6))) == [5, 4, 3, 2, 1, 0]
    shuffled = order(isp.perturb(obs, "shuffle", (2, 6), key=jax.random.key(3)))
    assert shuffled[:2] == [0, 1] and sorted(shuffled[2:]) == [2, 3, 4, 5]
    noisy = isp.perturb(obs * 40, "noise", (2, 3), sigma=0.1)
    assert (noisy[[0, 1, 3, 4, 5]] == obs[[0, 1, 3, 4, 5]] * 40).all()
    assert (noisy[2] != obs[2] * 40).any() and noisy.min() >= 0 and noisy.max() <= 255
    for bad in [("noise", (3, 3)), ("noise", (0, 7)), ("blur", (0, 1))]:
        with pytest.raises(ValueError):
            isp.perturb(obs, bad[0], bad[1])


def test_contamination_of_a_memoryless_model_vanishes_after_one_step(
    memoryless: dict[str, Any],
) -> None:
    m = memoryless
    key = jax.random.key(1)  # a shuffle of 3:6 that moves frames
    variants = [
        isp.perturb(m["obs"], k, (3, 4) if k == "noise" else (3, 6), key=key)
        for k in isp.PERTURBATIONS
    ]
    res = isp.contamination(
        m["apply"], m["params"], m["obs"], m["actions"], variants, isp.PERTURBATIONS
    )
    dist = res.distance
    assert (
        dist.shape == (4, 10)
        and res.clean.shape == (10, A)
        and res.labels == list(isp.PERTURBATIONS)
    )
    assert dist[0, 3] > 1e-3 and (dist[0, :3] == 0).all() and (dist[0, 4:] < 1e-6).all()
    for d, v in zip(dist, variants, strict=True):  # moved exactly where a frame changed
        changed = (v != np.asarray(m["obs"])).any(axis=(1, 2, 3))
        assert changed.any() and ((d > 1e-3) == changed).all() and (d[~changed] < 1e-6).all()
    assert isp.persistence(dist[0], 3) == 0
    assert isp.persistence(dist[1], 5) == 0 and isp.persistence(dist[1], 4) == 1


def test_contamination_of_the_first_frame_never_vanishes(first: dict[str, Any]) -> None:
    m = first
    early = isp.perturb(m["obs"], "noise", (0, 1))
    late = isp.perturb(m["obs"], "noise", (3, 6))
    res = isp.contamination(m["apply"], m["params"], m["obs"], m["actions"], [early, late])
    assert (res.distance[0] > 1e-3).all()  # every later step still remembers frame 0
    assert isp.persistence(res.distance[0], 0) == 9  # to the end of the episode
    assert (res.distance[1] < 1e-6).all()  # later frames are never remembered


def test_contamination_of_a_leaky_memory_fades(leaky: dict[str, Any]) -> None:
    m = leaky
    res = isp.contamination(
        m["apply"], m["params"], m["obs"], m["actions"], [isp.perturb(m["obs"], "noise", (2, 3))]
    )
    d = res.distance[0]
    assert (d[:2] == 0).all() and (d[2:] > 0).all()
    assert d[9] < d[3] < d[2]


# ------------------------------------------------------------------------------- real networks


@pytest.mark.parametrize("memory", ["MinGRU", pytest.param("all", marks=pytest.mark.slow)])
def test_memory_models_through_the_sequence_interface(memory: str) -> None:
    """A real recurrent Q-network (128 px, tiny widths): causal saliency with mass on every
    step up to the probed one; every model of the registry and the feed-forward net in the
    slow case."""
    from arcade_agents.memory.registry import memory_registry
    from arcade_agents.networks import FeedForwardQNetwork, RecurrentQNetwork

    names = list(memory_registry().models) if memory == "all" else [memory]
    for name in names:
        m = setup(RecurrentQNetwork(A, name, None, 8, 8), t=4, size=128)
        starts = jnp.broadcast_to(jnp.arange(4) == 0, (1, 4))
        mass = np.asarray(
            isp.gradient_mass(
                m["apply"], m["params"], m["obs"][None], m["actions"][None], starts, jnp.array([2])
            )
        )[0]
        assert np.isfinite(mass).all() and mass[2] > 0 and mass[3] == 0, name
    if memory == "all":
        m = setup(FeedForwardQNetwork(A, 8, 8), t=3, size=128)
        sal = isp.saliency(m["apply"], m["params"], m["obs"], m["actions"])
        np.testing.assert_allclose(sal.density, [0, 0, 1], atol=1e-7)


# ------------------------------------------------------------------------------- gap and bias


def table(**returns: dict[tuple[str, bool], list[float]]) -> list[dict[str, Any]]:
    """Rows from `memory -> {(algo, partial): [return per seed]}` on env "E"."""
    return [
        {"env": "E", "memory": mem, "algo": algo, "seed": s, "partial": partial, "return": r}
        for mem, by in returns.items()
        for (algo, partial), rets in by.items()
        for s, r in enumerate(rets)
    ]


def test_gap_and_bias_arithmetic_and_signs() -> None:
    rows = table(
        none={("pqn", False): [1.0, 0.8, 0.9], ("pqn", True): [0.2, 0.1, 0.3]},
        GRU={("pqn", False): [0.7, 0.6, 0.5], ("pqn", True): [0.6, 0.6, 0.4]},
    )
    gap = {s.memory: s for s in isp.observability_gap(rows)}
    np.testing.assert_allclose(gap["none"].values, [0.8, 0.7, 0.6])  # MDP - POMDP > 0
    np.testing.assert_allclose(gap["GRU"].values, [0.1, 0.0, 0.1])
    assert gap["none"].mean == pytest.approx(0.7)
    assert gap["none"].ci95 == pytest.approx(ci95(np.array([0.8, 0.7, 0.6])))
    (bias,) = isp.memory_bias(rows)
    assert (bias.memory, bias.baseline) == ("GRU", "none")
    np.testing.assert_allclose(bias.values, [-0.3, -0.2, -0.4])  # memory worse on the MDP: < 0
    assert bias.mean < 0
    row = bias.as_row()
    assert row["low"] == pytest.approx(row["mean"] - row["ci95"])


def test_gap_pairs_by_seed_and_bias_takes_mlp_as_baseline() -> None:
    rows = table(
        MLP={("ppo", False): [0.5, 0.5]},
        LRU={("ppo", False): [0.9, 0.7, 0.1], ("ppo", True): [0.4, 0.2]},
    )
    (gap,) = isp.observability_gap(rows)
    np.testing.assert_allclose(gap.values, [0.5, 0.5])  # seed 2 has no POMDP row: left out
    assert math.isnan(isp.observability_gap(table(X={("a", False): [1], ("a", True): [0]}))[0].ci95)
    (bias,) = isp.memory_bias(rows)
    np.testing.assert_allclose(bias.values, [0.4, 0.2])  # MLP seeds 0, 1 only
    assert bias.baseline == "MLP"
    assert isp.memory_bias(table(GRU={("a", False): [1.0]})) == []  # no baseline: no bias


def test_tables_read_from_csv(tmp_path: Path) -> None:
    rows = table(none={("pqn", False): [1.0], ("pqn", True): [0.25]})
    path = tables.write_csv(tmp_path / "r.csv", rows, tables.COLUMNS)
    text = path.read_text().replace("False", "mdp").replace("True", "pomdp")
    path.write_text(text)
    back = isp.read_table(path)
    assert [r["partial"] for r in back] == [False, True] and back[1]["return"] == 0.25
    (tmp_path / "bad.csv").write_text("env,memory,seed,return\nE,none,0,1\n")
    with pytest.raises(ValueError, match="algo"):
        isp.read_table(tmp_path / "bad.csv")


# ------------------------------------------------------------------------------- the command


@dataclass(frozen=True)
class TinyConfig(TrainConfig):
    algo: str = "tiny-introspect"
    env_id: str = "CartPoleEasy"
    num_envs: int = 1
    num_steps: int = 1
    total_frames: int = 1  # one update
    actor_critic: bool = False


class TinyTrainer:
    """A trainer whose network is a first-frame memory on 128 px frames; updates change
    nothing. Enough of the `Trainer` protocol for `restore` and the introspection tools."""

    def __init__(self, config: TinyConfig) -> None:
        import arcade_core

        self.config = config
        env, _ = arcade_core.make(config.env_id, obs_size=config.obs_size)
        self.num_actions = int(env.num_actions)
        self.network = ScanMemory(self.num_actions, 1.0, 4, config.actor_critic)
        self.frames_per_update = 1
        self.num_updates = 1

    def init(self, key: jax.Array) -> dict[str, Any]:
        s = self.config.obs_size
        n = self.network
        x = (
            jnp.zeros((1, 1, s, s, 3), jnp.uint8),
            jnp.zeros((1, 1), jnp.int32),
            jnp.ones((1, 1), bool),
        )
        params = n.init(key, n.initialize_carry((1,)), x)
        return {
            "params": jax.tree.map(lambda a: a[None], params),
            "update": jnp.zeros(1, jnp.int32),
        }

    def update(self, state: dict[str, Any]) -> tuple[dict[str, Any], dict[str, jax.Array]]:
        metrics = {"loss": jnp.zeros(1), "return_sum": jnp.zeros(1), "episodes": jnp.ones(1)}
        return {**state, "update": state["update"] + 1}, metrics

    def act(self, params, carry, obs, start, key, greedy=True):  # noqa: ANN001, ANN201
        memory, prev = carry
        memory, out = self.network.apply(
            params, memory, (obs[:, None], prev[:, None], start[:, None])
        )
        q = out[0] if isinstance(out, tuple) else out
        action = jnp.argmax(q[:, 0], axis=-1).astype(jnp.int32)
        return action, (memory, action)

    def initial_carry(self, batch: int) -> Any:
        return self.network.initialize_carry((batch,)), jnp.zeros((batch,), jnp.int32)

    def params_of(self, state: dict[str, Any], seed: int = 0) -> Any:
        return jax.tree.map(lambda a: a[seed], state["params"])


class _TinyPlugin:
    @hookimpl
    def arcade_algorithms(self) -> dict[str, Any]:
        return {"tiny-introspect": Algorithm("tiny-introspect", TinyConfig, TinyTrainer, "tests")}


@pytest.fixture(scope="module")
def tiny_run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A real run directory (config, checkpoint) of the stand-in algorithm."""
    from arcade_agents.train import run
    from arcade_core.plugins import get_plugin_manager, register_plugin, unregister_plugin

    if "tiny-introspect" not in {p.name for p in get_plugin_manager().plugins}:
        register_plugin(_TinyPlugin(), "tiny-introspect")
    d = tmp_path_factory.mktemp("tiny") / "run"
    run.train(TinyConfig(), d, progress=False, curve=False, verbose=False)
    yield d
    if "tiny-introspect" in {p.name for p in get_plugin_manager().plugins}:
        unregister_plugin("tiny-introspect")


def test_saliency_command_writes_its_files(
    tiny_run: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "sal"
    assert main(["introspect", "saliency", str(tiny_run), "--steps", "6", "--out", str(out)]) == 0
    for name in ("saliency.png", "saliency.gif", "saliency.npz", "saliency.json"):
        assert (out / name).stat().st_size > 0, name
    summary = json.loads((out / "saliency.json").read_text())
    assert summary["t"] == 6 and summary["value"] == "Q"
    assert summary["thirds"] == pytest.approx([1, 0, 0])  # the first-frame memory
    saved = np.load(out / "saliency.npz")
    assert saved["heat"].shape == (7, 128, 128) and saved["frames"].shape == (7, 128, 128, 3)
    assert "first/middle/last third 100.0%, 0.0%, 0.0%" in capsys.readouterr().out


def test_density_contamination_and_gap_commands_write_their_files(
    tiny_run: Path, tmp_path: Path
) -> None:
    # the shapes of the saliency test's episode: its compiled rollout is reused
    argv = [
        "introspect",
        "density",
        str(tiny_run),
        "--steps",
        "6",
        "--episodes",
        "1",
        "--both-views",
    ]
    assert main([*argv, "--out", str(tmp_path)]) == 0
    with open(tmp_path / "density.csv") as f:
        rows = list(csv.DictReader(f))
    assert [r["partial"] for r in rows] == ["False", "True"]
    assert float(rows[0]["third_1"]) == pytest.approx(1.0)
    assert (tmp_path / "density.png").stat().st_size > 0

    argv = ["introspect", "contamination", str(tiny_run), "--steps", "6", "--frames", "0:2"]
    assert main([*argv, "--out", str(tmp_path)]) == 0
    with open(tmp_path / "contamination.csv") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == 4 * 7 and (tmp_path / "contamination.png").stat().st_size > 0

    assert main(["introspect", "gap", str(tiny_run), "--episodes", "2", "--max-steps", "5",
                 "--out", str(tmp_path)]) == 0  # fmt: skip
    back = isp.read_table(tmp_path / "returns.csv")
    assert len(back) == 1 and back[0]["memory"] == "none"
    assert (tmp_path / "gap_bias.png").stat().st_size > 0


def test_gap_command_from_a_table(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rows = table(
        none={("pqn", False): [1.0, 0.8], ("pqn", True): [0.2, 0.1]},
        GRU={("pqn", False): [0.7, 0.6], ("pqn", True): [0.6, 0.6]},
    )
    src = tables.write_csv(tmp_path / "returns.csv", rows, tables.COLUMNS)
    assert main(["introspect", "gap", "--table", str(src), "--out", str(tmp_path / "o")]) == 0
    with open(tmp_path / "o" / "gap_bias.csv") as f:
        got = {(r["measure"], r["memory"]): float(r["mean"]) for r in csv.DictReader(f)}
    assert got == pytest.approx(
        {("gap", "none"): 0.75, ("gap", "GRU"): 0.05, ("bias", "GRU"): -0.25}
    )
    assert (tmp_path / "o" / "gap_bias.png").stat().st_size > 0
    assert "bias E pqn GRU vs none: -0.250" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("argv", "needle"),
    [
        (["gap"], "run directories or --table"),
        (["gap", "--table", "missing.csv"], "missing.csv"),
        (["saliency", "no/such/run"], "no/such/run"),
        (["contamination", "x", "--frames", "5:2"], "--frames"),
        (["contamination", "x", "--kinds", "blur"], "blur"),
    ],
)
def test_errors_are_one_line(
    argv: list[str], needle: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["introspect", *argv]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("arcade: error:") and "\n" not in err and needle in err, err


def test_latex_without_latex_is_a_clear_error(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    from arcade_agents.introspect import figures

    monkeypatch.setattr(figures.shutil, "which", lambda name: None)
    src = tables.write_csv(tmp_path / "r.csv", table(none={("a", False): [1.0]}), tables.COLUMNS)
    assert main(["introspect", "gap", "--table", str(src), "--latex", "--out", str(tmp_path)]) == 2
    assert "--latex needs a LaTeX installation" in capsys.readouterr().err
    figures.setup(False)


def test_importing_the_command_imports_no_jax() -> None:
    import subprocess
    import sys

    code = (
        "import sys; from arcade_core.tools.cli import build_parser; build_parser(); "
        "import arcade_agents.introspect; print('jax' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
