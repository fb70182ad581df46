"""Multi-device training on CPU: with two forced host devices the env batch is sharded over
them, and two updates end where the one-device run ends (to float tolerance).

Runs in a subprocess, since the device count is fixed when JAX starts."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

import pytest

SCRIPT = textwrap.dedent(
    """
    import json, sys
    import jax, numpy as np
    from arcade_agents.train import config_for, make_train

    algo = sys.argv[1]
    extra = {"dqn": dict(grad_steps=1, batch_size=4, buffer_rollouts=2, learning_starts=0)}
    extra = extra.get(algo, dict(num_epochs=1, num_minibatches=2))
    out = {"devices": jax.device_count()}
    results = {}
    for devices in (1, 2):
        config = config_for(
            algo, env_id="CartPoleEasy", num_envs=4, num_steps=4, features=16,
            total_frames=4 * 4 * 2, devices=devices, **extra,
        )
        trainer = make_train(config)
        update = jax.jit(trainer.update)
        state = trainer.init(jax.random.key(0))
        for _ in range(2):
            state, metrics = update(state)
        results[devices] = (state, metrics)
        out[f"obs_spec_{devices}"] = str(getattr(state.runner.obs.sharding, "spec", None))
        out[f"obs_devices_{devices}"] = len(state.runner.obs.sharding.device_set)
        out[f"params_devices_{devices}"] = len(
            jax.tree.leaves(state.params)[0].sharding.device_set
        )
    (s1, m1), (s2, m2) = results[1], results[2]
    diffs = [
        float(np.max(np.abs(np.asarray(a) - np.asarray(b))))
        for a, b in zip(jax.tree.leaves(s1.params), jax.tree.leaves(s2.params))
    ]
    out["max_param_diff"] = max(diffs)
    out["loss"] = [float(m1["loss"][0]), float(m2["loss"][0])]
    out["episodes"] = [float(m1["episodes"][0]), float(m2["episodes"][0])]
    try:
        make_train(config_for(algo, num_envs=4, devices=4, **extra))
    except ValueError as e:
        out["too_many"] = str(e)
    print("RESULT", json.dumps(out))
    """
)


def run_two_devices(algo: str) -> dict:
    env = {**os.environ, "XLA_FLAGS": "--xla_force_host_platform_device_count=2"}
    env["JAX_PLATFORMS"] = "cpu"
    proc = subprocess.run(
        [sys.executable, "-c", SCRIPT, algo], env=env, capture_output=True, text=True, timeout=900
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    line = next(ln for ln in proc.stdout.splitlines() if ln.startswith("RESULT "))
    return json.loads(line.removeprefix("RESULT "))


@pytest.mark.parametrize(
    "algo",
    [
        "pqn",
        pytest.param("ppo", marks=pytest.mark.slow),
        pytest.param("dqn", marks=pytest.mark.slow),
    ],
)
def test_two_devices_match_one_device(algo: str) -> None:
    out = run_two_devices(algo)
    assert out["devices"] == 2
    assert out["obs_devices_1"] == 1 and out["obs_devices_2"] == 2
    assert "envs" in out["obs_spec_2"]  # frames split along the env axis
    assert out["params_devices_2"] == 2  # params replicated on both
    assert out["episodes"][0] == out["episodes"][1]  # same randomness, same episodes
    assert abs(out["loss"][0] - out["loss"][1]) < 1e-4 * max(1.0, abs(out["loss"][0]))
    assert out["max_param_diff"] < 1e-4, out
    assert "only 2" in out["too_many"] and "\n" not in out["too_many"]
