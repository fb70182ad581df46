"""The training algorithms (PQN, PPO, DQN) on tiny configs: each with and without memory runs
updates with finite losses, updates are deterministic, PQN learns a one-step bandit, bad
configs fail in one line before anything compiles, and the shared maths (λ-returns, GAE, the
replay ring) matches its textbook form.

Each (algorithm, memory) pair is compiled once per process (`functools.cache`) and shared by
the tests that need it.
"""

from __future__ import annotations

import functools
import re
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from arcade_agents.train import (
    DQNConfig,
    PPOConfig,
    PQNConfig,
    TrainConfig,
    config_for,
    get_algorithm,
    list_algorithms,
    make_train,
    train,
)
from arcade_agents.train.dqn import ReplayBuffer, Sequences
from arcade_agents.train.targets import gae, lambda_returns
from arcade_core.env import Environment
from arcade_core.hookspecs import hookimpl
from arcade_core.plugins import register_plugin, unregister_plugin
from arcade_core.specs import Difficulty, GameSpec
from arcade_core.struct import dataclass

# tiny: 2 envs x 4 steps, 16 features, one gradient step per update
TINY: dict[str, dict[str, Any]] = {
    "pqn": dict(num_epochs=1, num_minibatches=1),
    "ppo": dict(num_epochs=1, num_minibatches=1),
    "dqn": dict(grad_steps=1, batch_size=2, buffer_rollouts=2, learning_starts=0),
}
UPDATES = 2


def tiny_config(algo: str, memory: str = "none", **fields: Any) -> TrainConfig:
    base = dict(num_envs=2, num_steps=4, features=16, total_frames=2 * 4 * UPDATES)
    return config_for(algo, memory=memory, **{**base, **TINY[algo], **fields})


@functools.cache
def run(
    algo: str, memory: str, env_id: str = "BanditEasy"
) -> tuple[Any, Any, Any, list[dict[str, np.ndarray]]]:
    """`(trainer, jitted update, state after UPDATES updates, metrics per update)`. The
    default env is the bandit below: it compiles in a blink, so the cost is the agent's."""
    trainer = make_train(tiny_config(algo, memory, env_id=env_id))
    update = jax.jit(trainer.update)
    state = trainer.init(jax.random.key(0))
    metrics = []
    for _ in range(UPDATES):
        state, m = update(state)
        metrics.append(jax.device_get(m))
    return trainer, update, state, metrics


# --------------------------------------------------------------------------- smoke

# "minGRU" runs its recurrence as a parallel (associative) scan, "gru" step by step; PQN runs
# all three by default, PPO and DQN with memory only under --all (each is one more compile)
SMOKE = [(a, m) for a in ("pqn", "ppo", "dqn") for m in ("none", "minGRU", "gru")]


@pytest.mark.parametrize(
    ("algo", "memory"),
    [
        pytest.param(a, m, marks=[pytest.mark.slow] if m != "none" and a != "pqn" else [])
        for a, m in SMOKE
    ],
)
def test_algorithm_runs_updates_with_finite_losses(algo: str, memory: str) -> None:
    trainer, _, state, metrics = run(algo, memory)
    assert trainer.frames_per_update == 8 and trainer.num_updates == UPDATES
    for m in metrics:
        for name in ("loss", "return_sum", "episodes", "frames"):
            assert m[name].shape == (1,), name
        assert all(np.all(np.isfinite(v)) for v in m.values()), m
    assert metrics[-1]["frames"][0] == 8 * UPDATES
    assert int(state.update[0]) == UPDATES
    leaves = jax.tree.leaves(state)
    assert all(a.shape[0] == 1 for a in leaves)  # every leaf leads with seeds
    params = trainer.params_of(state)
    assert all(np.all(np.isfinite(a)) for a in jax.tree.leaves(params))


@pytest.mark.parametrize("algo", ["pqn", "ppo", "dqn"])
def test_update_is_deterministic_given_the_state(algo: str) -> None:
    """Two runs from the same key end with identical params (resume == uninterrupted); PQN
    on CartPole, whose resets are random."""
    trainer, update, state, _ = run(algo, "none", "CartPoleEasy" if algo == "pqn" else "BanditEasy")
    again = trainer.init(jax.random.key(0))
    for _ in range(UPDATES):
        again, _ = update(again)
    for a, b in zip(jax.tree.leaves(state), jax.tree.leaves(again), strict=True):
        np.testing.assert_array_equal(np.asarray(a), np.asarray(b))
    other, _ = update(trainer.init(jax.random.key(1)))
    assert not all(
        np.array_equal(a, b)
        for a, b in zip(jax.tree.leaves(other.params), jax.tree.leaves(state.params), strict=True)
    )


@pytest.mark.parametrize("algo", ["pqn", pytest.param("ppo", marks=pytest.mark.slow)])
def test_act_steps_a_batch_with_one_seeds_params(algo: str) -> None:
    trainer, _, state, _ = run(algo, "gru")
    params = trainer.params_of(state)
    carry = trainer.initial_carry(3)
    obs = jnp.zeros((3, 128, 128, 3), jnp.uint8)
    act = jax.jit(trainer.act, static_argnames="greedy")
    start = jnp.ones((3,), bool)
    action, carry = act(params, carry, obs, start, jax.random.key(0), greedy=True)
    assert action.shape == (3,) and action.dtype == jnp.int32
    assert np.all((action >= 0) & (action < 5))
    action2, _ = act(params, carry, obs, ~start, jax.random.key(0), greedy=False)
    assert action2.shape == (3,)


# --------------------------------------------------------------------------- learning


@dataclass
class BanditState:
    time: jax.Array


@dataclass
class BanditParams:
    max_steps_in_episode: int = 1


class Bandit(Environment[BanditState, BanditParams]):
    """One-step episodes on a fixed striped frame: `fire` (action 4) pays 1, the others 0."""

    name = "Bandit"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        stripes = (np.arange(self.obs_size) // 8 % 2 * 255).astype(np.uint8)
        self.frame = np.broadcast_to(stripes[:, None, None], (self.obs_size, self.obs_size, 3))

    @property
    def default_params(self) -> BanditParams:
        return BanditParams()

    def init(self, key: jax.Array, params: BanditParams) -> BanditState:
        return BanditState(jnp.int32(0))

    def transition(self, key, state, action, params):
        return state, jnp.where(action == 4, 1.0, 0.0), jnp.bool_(True)

    def draw(self, state, params, view) -> jax.Array:
        return jnp.asarray(self.frame)


class BanditPlugin:
    @hookimpl
    def arcade_games(self) -> list[GameSpec]:
        spec = GameSpec(
            name="Bandit",
            entry=f"{__name__}:Bandit",
            difficulties={"Easy": Difficulty(max_steps=1, kwargs={})},
            return_range=(0.0, 1.0),
            realtime=False,
        )
        return [spec]


@pytest.fixture(scope="module", autouse=True)
def bandit() -> Any:
    """The bandit game, registered while this module's tests run."""
    register_plugin(BanditPlugin(), "test-bandit")
    yield "BanditEasy"
    unregister_plugin("test-bandit")


@pytest.mark.parametrize("algo", ["pqn", "dqn"])
def test_value_learners_learn_the_paying_action_of_a_bandit(bandit: str, algo: str) -> None:
    """The greedy action becomes `fire`, its Q-value nears 1 and the others stay below, and
    the return rises from ε-greedy chance to near 1: PQN from its rollouts, DQN from its
    replay ring through its target network."""
    common = dict(
        env_id=bandit, num_envs=4, num_steps=2, features=16, total_frames=4 * 2 * 40,
        lr=1e-2, eps_decay=0.5, lr_decay=False,
    )  # fmt: skip
    if algo == "pqn":
        config = PQNConfig(**common, num_epochs=2, num_minibatches=1)
    else:
        config = DQNConfig(
            **common, batch_size=4, grad_steps=2, buffer_rollouts=4, learning_starts=0,
            target_update_every=1,
        )  # fmt: skip
    trainer = make_train(config)
    update = jax.jit(trainer.update)
    state, returns = trainer.init(jax.random.key(0)), []
    for _ in range(trainer.num_updates):
        state, m = update(state)
        returns.append(float(m["return_sum"][0] / max(float(m["episodes"][0]), 1.0)))
    assert np.mean(returns[:3]) < 0.5 < 0.85 < np.mean(returns[-3:]), returns
    obs = jnp.zeros((1, 1, 128, 128, 3), jnp.uint8)
    carry = trainer.network.initialize_carry((1,))
    inputs = (obs, jnp.zeros((1, 1), jnp.int32), jnp.ones((1, 1), bool))
    _, q = trainer.network.apply(trainer.params_of(state), carry, inputs)
    q = np.asarray(q[0, 0])
    assert q.argmax() == 4 and q[4] > 0.8 and np.all(q[:4] < q[4] - 0.2), q


def test_train_is_one_pure_function_of_the_key() -> None:
    """`train(config, key)` traces whole (init + scan of updates) with metrics stacked
    `[num_updates, seeds]`; traced only, as the updates themselves are tested above."""
    config = tiny_config("pqn", env_id="BanditEasy", seeds=2, total_frames=8 * 3)
    state, metrics = jax.eval_shape(lambda k: train(config, k), jax.random.key(0))
    assert metrics["loss"].shape == (3, 2) and metrics["episodes"].shape == (3, 2)
    assert state.update.shape == (2,)


# --------------------------------------------------------------------------- configs


@pytest.mark.parametrize(
    ("algo", "fields", "message"),
    [
        ("pqn", dict(algo="pqm"), "unknown algorithm 'pqm'. Did you mean pqn?"),
        ("pqn", dict(memory="lruu"), "unknown memory model 'lruu'"),
        ("ppo", dict(env_id="CartPoleEsy"), "unknown env id 'CartPoleEsy'. Did you mean"),
        ("pqn", dict(num_envs=-4), "num_envs must be a positive integer"),
        ("dqn", dict(num_steps=0), "num_steps must be a positive integer"),
        ("pqn", dict(obs_size=64), "obs_size must be one of"),
        ("pqn", dict(encoder="resnet"), "encoder must be one of"),
        ("ppo", dict(total_frames=10), "less than one update"),
        ("pqn", dict(gamma=1.5), "gamma must lie in"),
        ("pqn", dict(lr=0.0), "lr must lie in"),
        ("pqn", dict(devices=3), "num_envs \\(16\\) must be a multiple of devices"),
        ("pqn", dict(num_minibatches=5), "must be a multiple of num_minibatches"),
        ("ppo", dict(clip_eps=-0.1), "clip_eps must lie in"),
        ("dqn", dict(batch_size=20), "batch_size \\(20\\) must be a multiple of num_envs"),
    ],
)
def test_bad_config_is_a_one_line_value_error_before_compiling(
    algo: str, fields: dict[str, Any], message: str
) -> None:
    cls = {"pqn": PQNConfig, "ppo": PPOConfig, "dqn": DQNConfig}[algo]
    config = cls(**fields)
    with pytest.raises(ValueError, match=message) as err:
        make_train(config) if "algo" not in fields else config.validate()
    assert "\n" not in str(err.value)


def test_registry_finds_the_builtins_by_any_case_and_a_plugins_algorithm() -> None:
    assert {"pqn", "ppo", "dqn"} <= {a.name for a in list_algorithms()}
    assert get_algorithm("PQN").config_cls is PQNConfig
    assert isinstance(config_for("dqn", num_envs=4), DQNConfig)

    class Plugin:
        @hookimpl
        def arcade_algorithms(self) -> dict[str, Any]:
            return {"random": lambda config: "a trainer"}

    register_plugin(Plugin(), "test-random-algo")
    try:
        algo = get_algorithm("random")
        assert algo.plugin == "test-random-algo" and algo.make_train(None) == "a trainer"
    finally:
        unregister_plugin("test-random-algo")
    with pytest.raises(ValueError, match="unknown algorithm 'random'"):
        get_algorithm("random")


def test_a_common_config_is_coerced_to_the_algorithms_own() -> None:
    trainer = make_train(TrainConfig(algo="ppo", num_envs=4, features=16))
    assert isinstance(trainer.config, PPOConfig) and trainer.config.num_envs == 4


# --------------------------------------------------------------------------- maths


def test_lambda_returns_match_their_recursive_definition() -> None:
    rng = np.random.default_rng(0)
    r, v = rng.normal(size=(3, 7)), rng.normal(size=(3, 7))
    done = rng.random((3, 7)) < 0.3
    d = 0.9 * (1 - done)
    for lam in (0.0, 0.6, 1.0):
        got = np.asarray(lambda_returns(jnp.asarray(r), jnp.asarray(d), jnp.asarray(v), lam))
        want = np.zeros_like(r)
        g = v[:, -1]
        for t in reversed(range(7)):
            g = r[:, t] + d[:, t] * ((1 - lam) * v[:, t] + lam * g)
            want[:, t] = g
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-5)
    one_step = np.asarray(lambda_returns(jnp.asarray(r), jnp.asarray(d), jnp.asarray(v), 0.0))
    np.testing.assert_allclose(one_step, r + d * v, rtol=1e-5, atol=1e-6)


def test_gae_matches_the_sum_of_discounted_td_errors() -> None:
    rng = np.random.default_rng(1)
    T, gamma, lam = 6, 0.97, 0.9
    r, values, last = rng.normal(size=T), rng.normal(size=T), rng.normal()
    done = np.array([0, 0, 1, 0, 0, 0], bool)
    nxt = np.append(values[1:], last)
    d = gamma * (1 - done)
    adv, ret = gae(*(jnp.asarray(a) for a in (r, d, values, nxt)), lam)
    want, acc = np.zeros(T), 0.0
    for t in reversed(range(T)):
        delta = r[t] + d[t] * nxt[t] - values[t]
        acc = delta + d[t] * lam * acc
        want[t] = acc
    np.testing.assert_allclose(np.asarray(adv), want, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(np.asarray(ret), want + values, rtol=1e-5, atol=1e-5)


def test_replay_ring_overwrites_the_oldest_rollout_and_samples_stored_ones() -> None:
    def rollout_of(k: int) -> Sequences:
        full = lambda shape, dtype=jnp.int32: jnp.full(shape, k, dtype)  # noqa: E731
        return Sequences(
            memory=full((3, 2), jnp.float32), obs=full((3, 5, 1)), prev_action=full((3, 5)),
            start=jnp.zeros((3, 5), bool), action=full((3, 4)), reward=full((3, 4), jnp.float32),
            done=jnp.zeros((3, 4), bool),
        )  # fmt: skip

    buffer = ReplayBuffer.empty(rollout_of(0), slots=2)
    for k in (1, 2, 3):
        buffer = buffer.add(rollout_of(k))
    assert int(buffer.size) == 2 and int(buffer.pos) == 1
    batch = buffer.sample(jax.random.key(0), per_env=8)
    assert batch.obs.shape == (24, 5, 1) and batch.memory.shape == (24, 2)
    seen = set(np.unique(np.asarray(batch.action)).tolist())
    assert seen == {2, 3}  # rollout 1 was overwritten by 3
    for leaf in jax.tree.leaves(batch):  # each sampled sequence is one rollout's, whole
        flat = np.asarray(leaf).reshape(24, -1)
        if flat.dtype != bool:
            assert np.all(flat == flat[:, :1])


def test_a_batch_of_replay_rings_adds_like_each_ring() -> None:
    """DQN adds the rollouts of all seeds at once (leaves `[seeds, slots, ...]`): the same
    rings as adding each seed's rollout to its own ring, while they fill and after they wrap."""

    def rollout_of(k: int, seed: int) -> Sequences:
        full = lambda shape, dtype=jnp.int32: jnp.full(shape, 10 * k + seed, dtype)  # noqa: E731
        return Sequences(
            memory=full((3, 2), jnp.float32), obs=full((3, 5, 1)), prev_action=full((3, 5)),
            start=jnp.zeros((3, 5), bool), action=full((3, 4)), reward=full((3, 4), jnp.float32),
            done=jnp.zeros((3, 4), bool),
        )  # fmt: skip

    stack = lambda *trees: jax.tree.map(lambda *a: jnp.stack(a), *trees)  # noqa: E731
    rings = [ReplayBuffer.empty(rollout_of(0, 0), slots=3) for _ in range(2)]
    batch = stack(*rings)
    for k in range(1, 6):
        rings = [ring.add(rollout_of(k, seed)) for seed, ring in enumerate(rings)]
        batch = batch.add(stack(rollout_of(k, 0), rollout_of(k, 1)))
        for a, b in zip(jax.tree.leaves(batch), jax.tree.leaves(stack(*rings)), strict=True):
            np.testing.assert_array_equal(np.asarray(a), np.asarray(b))


@pytest.mark.parametrize("how", ["jit", "donated", "runner"])
def test_dqn_update_writes_the_replay_ring_once(bandit: str, how: str) -> None:
    """The compiled update adds the rollout to the ring with one `dynamic_update_slice`,
    after one copy of the ring into the new state, or in place when the state is donated
    (as `arcade train`'s runner does); not twice, on four copies of the whole ring (its
    sampling once read the ring added on the seeds-squeezed view)."""
    from arcade_agents.train.run import Updates

    trainer = make_train(tiny_config("dqn", env_id=bandit, buffer_rollouts=3))
    state = jax.eval_shape(trainer.init, jax.random.key(0))
    if how == "runner":
        updates = Updates(trainer, rolled=False)
        updates.compile(state, 1)
        compiled = updates.compiled[1]
    else:
        donate = 0 if how == "donated" else ()
        compiled = jax.jit(trainer.update, donate_argnums=donate).lower(state).compile()
    hlo = compiled.as_text()
    entry = hlo[hlo.index("\nENTRY") :]
    ring = r"u8\[(1,)?3,2,5,128,128,3\]"  # [seeds, slots, envs, T + 1, S, S, 3]
    written = [
        re.search(r"(copy|fusion)\(", line)[1]
        for line in entry.splitlines()
        if re.search(rf"= {ring}\S* (copy|fusion)\(", line)
    ]
    assert sorted(written) == (["copy", "fusion"] if how == "jit" else ["fusion"]), written
