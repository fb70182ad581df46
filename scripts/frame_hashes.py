"""Hash the frames of short random rollouts of every registered env id in both views, to check
that a refactoring of drawing code leaves every pixel as it was.

    python scripts/frame_hashes.py > before.txt   # ... change the drawing code ...
    python scripts/frame_hashes.py > after.txt && diff before.txt after.txt
"""

from __future__ import annotations

import argparse
import hashlib

import jax
import numpy as np

import arcade_core


def frames_digest(env_id: str, partial: bool, obs_size: int, envs: int, steps: int) -> str:
    """sha256 of every frame (reset frame, then one per step) of `envs` random rollouts."""
    env, params = arcade_core.make(env_id, partial_obs=partial, obs_size=obs_size)

    def one(key: jax.Array) -> jax.Array:
        key, k_reset = jax.random.split(key)
        obs, state = env.reset(k_reset, params)

        def body(carry, _):
            state, key = carry
            key, k_act, k_step = jax.random.split(key, 3)
            action = jax.random.randint(k_act, (), 0, 5)
            obs, state, _, _, _ = env.step(k_step, state, action, params)
            return (state, key), obs

        _, frames = jax.lax.scan(body, (state, key), None, length=steps)
        return jax.numpy.concatenate([obs[None], frames])

    keys = jax.random.split(jax.random.key(0), envs)
    frames = np.asarray(jax.jit(jax.vmap(one))(keys))
    return hashlib.sha256(frames.tobytes()).hexdigest()[:16]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("env_ids", nargs="*", help="default: every registered id")
    parser.add_argument("--envs", type=int, default=2)
    parser.add_argument("--steps", type=int, default=64)
    parser.add_argument("--obs-size", type=int, default=128)
    args = parser.parse_args()
    for env_id in args.env_ids or arcade_core.list_envs():
        for partial in (False, True):
            digest = frames_digest(env_id, partial, args.obs_size, args.envs, args.steps)
            print(f"{env_id:24} {'pomdp' if partial else 'mdp  '} {digest}", flush=True)


if __name__ == "__main__":
    main()
