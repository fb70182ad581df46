"""CartPole and NoisyCartPole rules (docs/games/cartpole.md, docs/games/noisycartpole.md), with the
suite's fixes: termination on the transition that leaves the bounds (still paid 1/T), truncation
when time reaches T, and the uniform `info` of docs/games/conventions.md §Steps and info."""

from __future__ import annotations

import jax
import jax.numpy as jnp

from arcade_core.env import Environment
from arcade_core.observability import View
from arcade_core.rng import hash_bits, hash_normal, hash_uniform
from arcade_core.struct import dataclass

from . import constants as C
from .draw import CartPoleRenderer


@dataclass
class CartPoleState:
    x: jax.Array
    x_dot: jax.Array
    theta: jax.Array
    theta_dot: jax.Array
    seed: jax.Array  # uint32: the episode's noise seed (NoisyCartPole: see `CartPole.noise`)
    score: jax.Array  # steps survived (drawn at the top)
    time: jax.Array


@dataclass
class CartPoleParams:
    max_steps_in_episode: int = 200


class CartPole(Environment[CartPoleState, CartPoleParams]):
    """Balance a pole on a cart. Actions: left (2) pushes -10 N, right (3) +10 N, the others
    push nothing. Reward 1/T per step, so returns lie in [0, 1]. The POMDP shows only the two
    velocity arrows after the first frame."""

    name = "CartPole"

    def __init__(
        self,
        *,
        time_limit: int = 200,
        noise_sigma: float = 0.0,
        partial_obs: bool = False,
        obs_size: int = 128,
        final_observation: bool = False,
    ) -> None:
        super().__init__(
            partial_obs=partial_obs, obs_size=obs_size, final_observation=final_observation
        )
        self.time_limit = int(time_limit)
        self.noise_sigma = float(noise_sigma)
        self.renderer = CartPoleRenderer(self.obs_size, max_score=self.time_limit)

    @property
    def default_params(self) -> CartPoleParams:
        return CartPoleParams(max_steps_in_episode=self.time_limit)

    def noise(self, state: CartPoleState) -> jax.Array:
        """float32[4]: the observation noise of `state`'s frame, added to (x, x_dot, theta,
        theta_dot) before drawing: four N(0, sigma^2) values hashed (`arcade_core.rng`) from
        the episode's seed and the frame's time, so every frame of an episode gets fresh,
        independent noise. Computed where the frame is drawn, once per frame: stored in the
        state, it was drawn twice per step (the transition's and the next episode's, one of
        them thrown away by the auto-reset) and its inverse error functions cost NoisyCartPole
        ~15% of its step at 128 px."""
        if self.noise_sigma == 0.0:
            return jnp.zeros(4, jnp.float32)
        data = jnp.stack([state.seed, jnp.asarray(state.time).astype(jnp.uint32)])
        return self.noise_sigma * hash_normal(data, 4)

    def init(self, key: jax.Array, params: CartPoleParams) -> CartPoleState:
        # both games draw the physics alike (so NoisyCartPole's physics equal CartPole's), and
        # the noise seed on another stream; hashed: this runs at every step
        x, x_dot, theta, theta_dot = hash_uniform(key, 4, 2, -0.05, 0.05)
        zero = jnp.int32(0)
        seed = hash_bits(key, 1, stream=1)[0]
        return CartPoleState(x, x_dot, theta, theta_dot, seed, zero, zero)

    def transition(
        self, key: jax.Array, state: CartPoleState, action: jax.Array, params: CartPoleParams
    ) -> tuple[CartPoleState, jax.Array, jax.Array]:
        force = jnp.where(action == 2, -C.FORCE, jnp.where(action == 3, C.FORCE, 0.0))
        sin, cos = jnp.sin(state.theta), jnp.cos(state.theta)
        tmp = (force + C.POLE_MASS_LENGTH * state.theta_dot**2 * sin) / C.TOTAL_MASS
        theta_acc = (C.GRAVITY * sin - cos * tmp) / (
            C.HALF_LENGTH * (4.0 / 3.0 - C.MASS_POLE * cos**2 / C.TOTAL_MASS)
        )
        x_acc = tmp - C.POLE_MASS_LENGTH * theta_acc * cos / C.TOTAL_MASS
        new = state.replace(
            x=state.x + C.TAU * state.x_dot,
            x_dot=state.x_dot + C.TAU * x_acc,
            theta=state.theta + C.TAU * state.theta_dot,
            theta_dot=state.theta_dot + C.TAU * theta_acc,
            score=state.score + 1,
        )
        terminated = (jnp.abs(new.x) > C.X_LIMIT) | (jnp.abs(new.theta) > C.THETA_LIMIT)
        reward = jnp.float32(1.0) / params.max_steps_in_episode
        return new, reward, terminated

    def draw(self, state: CartPoleState, params: CartPoleParams, view: View) -> jax.Array:
        return self.renderer(state, self.noise(state), visible=view.shows(state))


class NoisyCartPole(CartPole):
    """CartPole with fresh N(0, sigma^2) noise added to x, x_dot, theta and theta_dot before
    every frame is drawn (MDP and POMDP); the physics are untouched. The name drawn is
    CARTPOLE, as in the reference."""

    name = "CartPole"

    def __init__(self, *, noise_sigma: float = 0.1, **kwargs: object) -> None:
        super().__init__(noise_sigma=noise_sigma, **kwargs)  # type: ignore[arg-type]
