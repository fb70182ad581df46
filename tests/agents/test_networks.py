"""The pixel encoder and the recurrent agents built on it."""

from __future__ import annotations

from typing import Any

import jax
import numpy as np
import pytest

from arcade_agents.networks import (
    ENCODERS,
    PixelEncoder,
    RecurrentActorCritic,
    RecurrentQNetwork,
    space_to_depth,
)

FAST_COMPILE = {"xla_backend_optimization_level": 0}  # tiny graphs: skip LLVM's passes


def _frames(*shape: int, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, 256, (*shape, 3), dtype=np.uint8)


@pytest.mark.parametrize("size", [128, 256])
@pytest.mark.parametrize("kind", ENCODERS)
def test_encoder_maps_both_frame_sizes_to_the_same_features(size: int, kind: str) -> None:
    enc = PixelEncoder(features=32, kind=kind)
    frames = _frames(2, 3, size, size)
    params = jax.eval_shape(enc.init, jax.random.key(0), frames)
    assert jax.eval_shape(enc.apply, params, frames).shape == (2, 3, 32)
    if kind == "nature":
        assert ("downsample" in params["params"]) == (size == 256)
    else:  # the first patch covers the same share of the frame at both sizes
        first = params["params"]["Dense_0"]["kernel"].shape
        assert first == ((4 * size // 128) ** 2 * 3, 16)


def test_space_to_depth_is_a_kernel_equals_stride_convolution() -> None:
    """The patch encoder's layers: space-to-depth + Dense equals `nn.Conv` with kernel =
    stride = patch and the same (reshaped) kernel."""
    x = np.random.default_rng(0).normal(size=(2, 8, 8, 3)).astype(np.float32)
    w = np.random.default_rng(1).normal(size=(2, 2, 3, 5)).astype(np.float32)
    conv = jax.lax.conv_general_dilated(
        x, w, (2, 2), "VALID", dimension_numbers=("NHWC", "HWIO", "NHWC")
    )
    np.testing.assert_allclose(space_to_depth(x, 2) @ w.reshape(12, 5), conv, rtol=1e-5)


def test_config_validates_what_the_encoder_takes() -> None:
    """The config validates without importing JAX, so it restates the frame sizes: they must
    be the core's. (The encoder kinds are one tuple, the config's, which the encoder imports;
    every kind builds in the test above.) An unknown kind is refused by the encoder too."""
    from arcade_agents.train import api
    from arcade_core.spaces import OBS_SIZES

    assert api.OBS_SIZES == OBS_SIZES
    with pytest.raises(ValueError, match="encoder must be one of"):
        PixelEncoder(features=8, kind="resnet").init(jax.random.key(0), _frames(128, 128))


@pytest.mark.parametrize("shape", [(64, 64, 3), (128, 256, 3), (128, 128, 4), (128, 128)])
def test_encoder_rejects_other_frames(shape: tuple[int, ...]) -> None:
    frames = np.zeros(shape, np.uint8)
    with pytest.raises(ValueError, match="S in \\(128, 256\\)"):
        PixelEncoder(features=8).init(jax.random.key(0), frames)


def test_recurrent_q_network_resets_and_steps_like_its_sequence_form() -> None:
    """Element 0 starts a new episode at step 2: its Q-values from there equal a fresh
    episode's, whatever the previous action fed at the start; stepping one frame at a time
    gives the sequence form's Q-values and carry."""
    B, T, S = 2, 4, 128
    net = RecurrentQNetwork(memory="LRU", features=16, hidden=8)
    obs = _frames(B, T, S, S)
    act = np.random.default_rng(1).integers(0, 5, (B, T))
    start = np.zeros((B, T), bool)
    start[:, 0] = True
    start[0, 2] = True
    other_act = act.copy()
    other_act[0, 2] = (act[0, 2] + 1) % 5  # must not matter: there is no previous action
    c0 = net.initialize_carry((B,))

    def run(c0: Any) -> Any:
        params = net.init(jax.random.key(0), c0, (obs, act, start))
        carry, q = net.apply(params, c0, (obs, act, start))
        fresh = (obs[:, 2:], other_act[:, 2:], start[:, 2:])
        _, q_fresh = net.apply(params, c0, fresh)

        def one(c: Any, xs: Any) -> Any:
            return net.apply(params, c, xs, method="step")

        to_time = lambda a: np.swapaxes(a, 0, 1)  # noqa: E731
        c_step, q_step = jax.lax.scan(one, c0, (to_time(obs), to_time(act), to_time(start)))
        return carry, q, q_fresh, c_step, q_step.swapaxes(0, 1)

    carry, q, q_fresh, c_step, q_step = jax.jit(run).lower(c0).compile(FAST_COMPILE)(c0)
    assert q.shape == (B, T, 5) and np.all(np.isfinite(q))
    np.testing.assert_allclose(q[0, 2:], q_fresh[0], atol=1e-5)
    assert not np.allclose(q[1, 2:], q_fresh[1], atol=1e-5)  # no start there: memory counts
    np.testing.assert_allclose(q, q_step, atol=1e-5)
    for a, b in zip(jax.tree.leaves(carry), jax.tree.leaves(c_step), strict=True):
        np.testing.assert_allclose(a, b, atol=1e-5)


@pytest.mark.parametrize("size", [128, 256])
def test_recurrent_actor_critic_shapes(size: int) -> None:
    net = RecurrentActorCritic(memory="mingru", features=16, hidden=8)
    obs, act, start = _frames(2, 3, size, size), np.zeros((2, 3), int), np.zeros((2, 3), bool)
    carry = net.initialize_carry((2,))
    params = jax.eval_shape(net.init, jax.random.key(0), carry, (obs, act, start))
    new_carry, (logits, value) = jax.eval_shape(net.apply, params, carry, (obs, act, start))
    assert logits.shape == (2, 3, 5) and value.shape == (2, 3)
    assert jax.tree.map(lambda a: a.shape, new_carry) == jax.tree.map(lambda a: a.shape, carry)
    step_in = (obs[:, 0], act[:, 0], start[:, 0])
    _, (logits, value) = jax.eval_shape(
        lambda p, c: net.apply(p, c, step_in, method="step"), params, carry
    )
    assert logits.shape == (2, 5) and value.shape == (2,)


def test_memory_kwargs_reach_the_model() -> None:
    net = RecurrentQNetwork(memory="FrameStack", memory_kwargs={"k": 6}, features=8, hidden=8)
    carry = net.initialize_carry((3,))
    assert carry.shape == (3, 5, 8 + 5)  # k - 1 previous inputs of features + one-hot action


@pytest.mark.parametrize("memory", ["none", "GRU"])
def test_q_init_scale_scales_only_the_q_heads_output_weights(memory: str) -> None:
    """A scale s multiplies the Q head's initial output kernel by s and leaves every other
    leaf as it was; scale 1 (the default, PQN's) is therefore the unscaled init."""
    from arcade_agents.networks import init_network, q_network
    from arcade_agents.train.api import DQNConfig

    cfg = DQNConfig(memory=memory, features=16)
    base = init_network(q_network(cfg, 5), jax.random.key(3), 128)
    small = init_network(q_network(cfg, 5, 0.01), jax.random.key(3), 128)
    head = "QHead_0" if memory == "none" else "head"
    out = f"['params']['{head}']['Dense_1']['kernel']"
    scaled = dict(
        (jax.tree_util.keystr(p), x) for p, x in jax.tree_util.tree_leaves_with_path(small)
    )
    seen = set()
    for path, leaf in jax.tree_util.tree_leaves_with_path(base):
        name = jax.tree_util.keystr(path)
        seen.add(name)
        want = np.asarray(leaf) * (0.01 if name == out else 1.0)
        np.testing.assert_allclose(np.asarray(scaled[name]), want, rtol=1e-6, err_msg=name)
    assert out in seen and seen == set(scaled)
