"""The `Environment` base: a game's `init` / `transition` / `draw` assembled into gymnax-style
`reset` / `step` with auto-reset, one render per step and one `info` for every game.

A game subclasses `Environment` and writes three pure functions (docs/games/conventions.md §Steps
and info):

* `init(key, params) -> state` — a fresh episode; `state.time == 0`.
* `transition(key, state, action, params) -> (state, reward, terminated)` — the rules; it does
  not touch `state.time`, which the base advances.
* `draw(state, params, view) -> uint8[S, S, 3]` — the frame of `state` for the MDP or the
  POMDP `view` (see `arcade_core.observability`).

States are pytrees with an int32 `time` field (steps taken this episode); params are pytrees
with `max_steps_in_episode` (the time limit: `truncated` when `time` reaches it).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any, ClassVar, Generic, TypeVar

import jax
import jax.numpy as jnp

from .observability import View, view_for
from .rng import split_key
from .spaces import NUM_ACTIONS, Box, Discrete, action_space, check_obs_size, observation_space

State = TypeVar("State")
Params = TypeVar("Params")


class Environment(Generic[State, Params]):
    """Base class of every game. Static settings (obs size, variant) live on the object;
    everything vmappable lives in `params`.

    Actions outside 0..4 are defined, not errors: the step is a no-op — the state is left as it
    was except that `time` advances (and the `next_episode_fields` a game declares), the
    reward is 0 and nothing terminates (a time-out still truncates).
    """

    #: game name drawn at the bottom of the frame and shown by `arcade list`
    name: ClassVar[str] = "Game"
    #: state fields that prepare the next episode (see `auto_reset`): neither drawn nor read
    #: by the rules, they may change on every step, an invalid action's no-op included
    next_episode_fields: ClassVar[tuple[str, ...]] = ()
    #: which of the game's renderers draws this env's frames: "tuned" (the class's `draw`) or
    #: "plain" (see `use_plain_renderer`)
    renderer_name: str = "tuned"

    def __init__(
        self, *, partial_obs: bool = False, obs_size: int = 128, final_observation: bool = False
    ) -> None:
        self.obs_size = check_obs_size(obs_size)
        self.partial_obs = bool(partial_obs)
        self.view: View = view_for(self.partial_obs)
        #: add `info["final_observation"]`, the frame of the pre-reset state (a second render)
        self.final_observation = bool(final_observation)
        self.spec: Any = None  # set by `arcade_core.make` to the EnvSpec it came from

    # ------------------------------------------------------------------ game protocol
    @property
    def default_params(self) -> Params:
        raise NotImplementedError

    def init(self, key: jax.Array, params: Params) -> State:
        raise NotImplementedError

    def transition(
        self, key: jax.Array, state: State, action: jax.Array, params: Params
    ) -> tuple[State, jax.Array, jax.Array]:
        raise NotImplementedError

    def draw(self, state: State, params: Params, view: View) -> jax.Array:
        raise NotImplementedError

    def use_plain_renderer(self, draw: Callable[[Any, State, Params, View], jax.Array]) -> None:
        """Draw every frame of this env with the game's plain renderer `draw(env, state,
        params, view)` instead of the class's `draw` (`make(id, renderer="plain")` does this);
        the frames are the same, the cost is not."""
        self.draw = partial(draw, self)  # type: ignore[method-assign]
        self.renderer_name = "plain"

    # ------------------------------------------------------------------ public API
    def reset(self, key: jax.Array, params: Params | None = None) -> tuple[jax.Array, State]:
        """Start an episode: `(obs, state)`."""
        params = self.default_params if params is None else params
        state = jax.lax.optimization_barrier(self.init(key, params))
        return self.draw(state, params, self.view), state

    def step(
        self, key: jax.Array, state: State, action: jax.Array, params: Params | None = None
    ) -> tuple[jax.Array, State, jax.Array, jax.Array, dict[str, jax.Array]]:
        """Advance one step: `(obs, state, reward, done, info)`, auto-resetting when done.

        When `done`, `obs` and `state` are those of a fresh episode (reset with a key split
        from `key`); reward, done and info belong to the transition just taken. The frame is
        rendered once, from the state that is returned.
        """
        params = self.default_params if params is None else params
        selected, next_state, reward, terminated, truncated = self.advance(
            key, state, action, params
        )
        # keep XLA from fusing the dynamics into the drawing: fused, the state's producers
        # (physics, a fresh episode's random draws) would be recomputed for every output byte
        selected = jax.lax.optimization_barrier(selected)
        obs = self.draw(selected, params, self.view)
        info = {
            "terminated": terminated,
            "truncated": truncated,
            "discount": jnp.where(terminated, 0.0, 1.0).astype(jnp.float32),
        }
        if self.final_observation:
            info["final_observation"] = self.draw(next_state, params, self.view)
        return obs, selected, reward, jnp.logical_or(terminated, truncated), info

    def advance(
        self, key: jax.Array, state: State, action: jax.Array, params: Params
    ) -> tuple[State, State, jax.Array, jax.Array, jax.Array]:
        """The dynamics of `step` without drawing: `(selected, next_state, reward, terminated,
        truncated)`, where `selected` is `next_state`, or a fresh episode's state when done."""
        key_step, key_reset = split_key(key)
        next_state, reward, terminated = self.transition_checked(key_step, state, action, params)
        truncated = next_state.time >= params.max_steps_in_episode
        done = jnp.logical_or(terminated, truncated)
        fresh = self.auto_reset(key_reset, next_state, params)
        selected = jax.tree.map(lambda r, s: jnp.where(done, r, s), fresh, next_state)
        return selected, next_state, reward, terminated, truncated

    def auto_reset(self, key: jax.Array, state: State, params: Params) -> State:
        """The fresh episode that follows `state` when it ends: `init(key, params)` unless a
        game overrides it.

        Under `vmap` every step computes this state (and then selects it where done), so a
        game whose setup is costly may prepare the next episode's setup inside its state a
        little per step (e.g. a deck shuffled one swap per step) and start from it here. It
        must be distributed as `init` is, and independent of the actions taken."""
        return self.init(key, params)

    def transition_checked(
        self, key: jax.Array, state: State, action: jax.Array, params: Params
    ) -> tuple[State, jax.Array, jax.Array]:
        """`transition` plus the base's rules: time advances by one, an action outside 0..4 is
        a no-op, and reward/terminated come back as float32/bool scalars."""
        action = jnp.asarray(action, jnp.int32)
        valid = (action >= 0) & (action < NUM_ACTIONS)
        new, reward, terminated = self.transition(
            key, state, jnp.clip(action, 0, NUM_ACTIONS - 1), params
        )
        new = jax.tree.map(lambda n, o: jnp.where(valid, n, o), new, state)
        new = new.replace(time=state.time + 1)
        reward = jnp.where(valid, jnp.asarray(reward, jnp.float32), 0.0).astype(jnp.float32)
        terminated = jnp.logical_and(valid, jnp.asarray(terminated, jnp.bool_))
        return new, reward, terminated

    def render(
        self, state: State, params: Params | None = None, partial: bool | None = None
    ) -> jax.Array:
        """The frame of `state` for either variant (default: this env's), e.g. to show what a
        POMDP agent does not see beside what it does."""
        params = self.default_params if params is None else params
        view = self.view if partial is None else view_for(partial)
        return self.draw(state, params, view)

    def action_space(self, params: Params | None = None) -> Discrete:
        """`Discrete(5)`: up, down, left, right, fire."""
        return action_space()

    def observation_space(self, params: Params | None = None) -> Box:
        """`Box(0, 255, (S, S, 3), uint8)`."""
        return observation_space(self.obs_size)

    @property
    def num_actions(self) -> int:
        return NUM_ACTIONS

    def __repr__(self) -> str:
        spec_id = getattr(self.spec, "id", type(self).__name__)
        return f"<{spec_id} {self.view.name} {self.obs_size}px>"
